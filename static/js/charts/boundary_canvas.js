// A grid of values over the input plane drawn on a canvas, with the data points on top (as TF
// Playground's heatmap.ts). Drawing a frame fills an n×n ImageData and scales it onto the
// canvas: nothing is re-created, so it keeps up with a frame every 16 ms.

const ORANGE = [245, 147, 34]; // −1: class 0 (Playground's colours)
const BLUE = [8, 119, 189]; // +1: class 1
const WHITE = [232, 234, 235];
export const CLASS_COLORS = [ORANGE, BLUE, [22, 163, 74], [147, 51, 234]];

/** 256 colours for t = −1 … +1 (orange → white → blue), as one flat RGB table. */
function divergingTable() {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i += 1) {
    const t = i / 127.5 - 1;
    const end = t < 0 ? ORANGE : BLUE;
    const s = Math.abs(t);
    for (let c = 0; c < 3; c += 1) table[i * 3 + c] = WHITE[c] + (end[c] - WHITE[c]) * s;
  }
  return table;
}
const DIVERGING = divergingTable();

/** Index into the diverging table for t in [−1, 1] (clamped; NaN reads as 0). */
const slot = (t) => Math.round((Math.max(-1, Math.min(1, t || 0)) + 1) * 127.5);

/** RGB of a value on the diverging scale (t in [−1, 1]). */
export function divergingColor(t) {
  const i = slot(t) * 3;
  return [DIVERGING[i], DIVERGING[i + 1], DIVERGING[i + 2]];
}

/**
 * Fill `image` (an n×n ImageData) from `values` (row-major, y rising with the row).
 * `toUnit(v)` maps a value to [−1, 1]; with `classes` > 2 a value is a class index instead.
 */
export function fillImage(image, values, n, toUnit, classes = 2) {
  const px = image.data;
  for (let row = 0; row < n; row += 1) {
    const out = (n - 1 - row) * n; // canvas rows run downwards, y upwards
    for (let col = 0; col < n; col += 1) {
      const v = values[row * n + col];
      let r;
      let g;
      let b;
      if (classes > 2) {
        const base = CLASS_COLORS[Math.round(v)] ?? WHITE;
        [r, g, b] = base.map((c, k) => (c + WHITE[k] * 2) / 3); // pale, so the points stand out
      } else {
        const i = slot(toUnit(v)) * 3;
        [r, g, b] = [DIVERGING[i], DIVERGING[i + 1], DIVERGING[i + 2]];
      }
      const p = (out + col) * 4;
      px[p] = r;
      px[p + 1] = g;
      px[p + 2] = b;
      px[p + 3] = 255;
    }
  }
}

/** A canvas that shows one grid over the plane and the points on it. */
export class PlaneView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.cells = document.createElement("canvas");
    this.cellsCtx = this.cells.getContext("2d");
    this.image = null;
  }

  /** Draw `grid` ({n, values}) and `points` ([{xy, label, hollow}]) over `domain`. */
  draw({ grid, toUnit, classes = 2, points = [], domain, pointColor }) {
    const { canvas, ctx } = this;
    const size = canvas.width;
    ctx.clearRect(0, 0, size, size);
    if (grid) {
      const n = grid.n;
      if (!this.image || this.image.width !== n) {
        this.cells.width = n;
        this.cells.height = n;
        this.image = this.cellsCtx.createImageData(n, n);
      }
      fillImage(this.image, grid.values, n, toUnit, classes);
      this.cellsCtx.putImageData(this.image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      // Cell centres sit on the grid's points: half a cell lies outside the domain.
      const cell = size / (n - 1);
      ctx.drawImage(this.cells, -cell / 2, -cell / 2, size + cell, size + cell);
    }
    if (!domain) return;
    const [x0, x1, y0, y1] = domain;
    const sx = size / (x1 - x0);
    const sy = size / (y1 - y0);
    const radius = Math.max(2.5, size / 85);
    for (const set of points) {
      if (!set?.xy) continue;
      ctx.lineWidth = set.hollow ? 1.5 : 1;
      for (let i = 0; i < set.xy.length; i += 1) {
        const [x, y] = set.xy[i];
        if (x === null || y === null) continue;
        const rgb = pointColor(set.label[i]);
        ctx.beginPath();
        ctx.arc((x - x0) * sx, size - (y - y0) * sy, radius, 0, 2 * Math.PI);
        if (set.hollow) {
          ctx.strokeStyle = `rgb(${rgb})`;
          ctx.stroke();
        } else {
          ctx.fillStyle = `rgb(${rgb})`;
          ctx.fill();
          ctx.strokeStyle = "#fff";
          ctx.stroke();
        }
      }
    }
  }
}
