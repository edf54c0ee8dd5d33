// Loss and accuracy over training on a canvas: points are appended (never re-sent), and each
// frame redraws a few polylines. Accuracy has its own axis, fixed on [0, 1] with round ticks.

const PAD = { left: 44, right: 40, top: 34, bottom: 26 };
const MAX_POINTS = 4000; // past this, every other point is dropped (the curve keeps its shape)

/** About `count` round tick values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo, hi, count = 4) {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return { ticks, step };
}

const label = (v, step) => {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(decimals, 6));
};

export class CurveChart {
  /**
   * `series`: [{name, color, axis: "left"|"right", dash}] — "right" is accuracy on [0, 1].
   */
  constructor(canvas, { series, xTitle, leftTitle, rightTitle }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    Object.assign(this, { series, xTitle, leftTitle, rightTitle });
    this.aspect = canvas.height / canvas.width;
    this.clear();
  }

  clear() {
    this.x = [];
    this.y = this.series.map(() => []);
  }

  /** Append one point: x and one value (or null) per series. */
  push(x, values) {
    this.x.push(x);
    values.forEach((v, i) => this.y[i].push(v ?? null));
    if (this.x.length > MAX_POINTS) {
      const keep = (_, i) => i % 2 === 0 || i === this.x.length - 1;
      this.x = this.x.filter(keep);
      this.y = this.y.map((ys) => ys.filter(keep));
    }
    this.canvas.dataset.points = String(this.x.length);
  }

  /** Match the canvas's pixels to its size on screen (sharp text on any display). */
  fit() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth || canvas.width;
    const cssHeight = Math.round((cssWidth * this.aspect) || canvas.height);
    if (canvas.width !== Math.round(cssWidth * ratio)) {
      canvas.width = Math.round(cssWidth * ratio);
      canvas.height = Math.round(cssHeight * ratio);
    }
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return [cssWidth, cssHeight];
  }

  draw() {
    const { ctx } = this;
    const [w, h] = this.fit();
    const plotW = w - PAD.left - PAD.right;
    const plotH = h - PAD.top - PAD.bottom;
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px system-ui, sans-serif";
    const xMax = Math.max(1, this.x.length ? this.x[this.x.length - 1] : 1);
    let yMax = 0;
    this.series.forEach((s, i) => {
      if (s.axis === "left") for (const v of this.y[i]) if (v !== null && Number.isFinite(v)) yMax = Math.max(yMax, v);
    });
    const left = niceTicks(0, yMax > 0 ? yMax : 1, 4);
    const top = left.ticks[left.ticks.length - 1] || 1;
    const bottom = niceTicks(0, xMax, 5);
    const xEnd = Math.max(xMax, bottom.ticks[bottom.ticks.length - 1]);
    const px = (x) => PAD.left + (x / xEnd) * plotW;
    const pyLeft = (v) => PAD.top + plotH - (Math.min(v, top) / top) * plotH;
    const pyRight = (v) => PAD.top + plotH - Math.max(0, Math.min(1, v)) * plotH;
    // Grid and ticks.
    ctx.strokeStyle = "#e2e8f0";
    ctx.fillStyle = "#64748b";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of left.ticks) {
      const y = Math.round(pyLeft(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(PAD.left + plotW, y);
      ctx.stroke();
      ctx.fillText(label(v, left.step), PAD.left - 4, y);
    }
    if (this.series.some((s, i) => s.axis === "right" && this.y[i].some((v) => v !== null))) {
      ctx.textAlign = "left";
      for (const v of [0, 0.25, 0.5, 0.75, 1]) ctx.fillText(String(v), PAD.left + plotW + 4, pyRight(v));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of bottom.ticks) ctx.fillText(label(v, bottom.step), px(v), PAD.top + plotH + 4);
    ctx.fillText(this.xTitle, PAD.left + plotW / 2, h - 12);
    // Lines.
    this.series.forEach((s, i) => {
      const py = s.axis === "right" ? pyRight : pyLeft;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = s.width ?? 1.5;
      ctx.setLineDash(s.dash ? [4, 3] : []);
      ctx.beginPath();
      let pen = false;
      this.y[i].forEach((v, k) => {
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          return;
        }
        const X = px(this.x[k]);
        const Y = py(v);
        if (pen) ctx.lineTo(X, Y);
        else ctx.moveTo(X, Y);
        pen = true;
      });
      ctx.stroke();
    });
    ctx.setLineDash([]);
    // Legend across the top.
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    let x = PAD.left;
    let y = 8;
    this.series.forEach((s, i) => {
      if (!this.y[i].some((v) => v !== null)) return;
      const width = ctx.measureText(s.name).width + 28;
      if (x > PAD.left && x + width > w) {
        x = PAD.left;
        y += 13;
      }
      ctx.fillStyle = s.color;
      ctx.fillRect(x, y - 1, 12, 3);
      ctx.fillStyle = "#334155";
      ctx.fillText(s.name, x + 15, y);
      x += width;
    });
  }
}
