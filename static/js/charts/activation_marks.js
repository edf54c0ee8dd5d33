// One layer's activation: f and f′ (from GET /api/v1/activations/{name}/curve) with each
// neuron's z marked on both curves, so the factor f′(z) that enters δ is visible.
//
//   drawActivationMarks(element, curve, marks, options) -> Promise
//   curve = {x, y, dy}            the curve endpoint's response
//   marks = [{label, z, a, fprime, selected?}]  per neuron, from the /api/v1/backprop response
//   options = {fLabel, dLabel, fontSize, height}
//
// A mark's printed label is left out (its hover text keeps it) where it would cover another
// label: neurons with nearly equal z would otherwise print "f′=0.2f′=0.236". The selected
// neuron's labels are placed first, so they always show.

import { plain } from "./notation.js";

const MARGIN = { l: 40, r: 10, t: 10, b: 36 };

/** Which labels fit: boxes estimated from the axis ranges and the text length. */
function fittingLabels(element, curve, marks, fontSize, height) {
  const finite = (values) => values.filter((v) => v !== null && Number.isFinite(v));
  const ys = finite([...curve.y, ...curve.dy]);
  const [yLo, yHi] = [Math.min(...ys), Math.max(...ys)];
  const pad = (yHi - yLo) * 0.05 || 1;
  const [xLo, xHi] = [curve.x[0], curve.x[curve.x.length - 1]];
  const width = Math.max(120, (element.clientWidth || 400) - MARGIN.l - MARGIN.r);
  const plotHeight = height - MARGIN.t - MARGIN.b;
  const px = (x) => ((x - xLo) / (xHi - xLo)) * width;
  const py = (y) => ((yHi + pad - y) / (yHi - yLo + 2 * pad)) * plotHeight;
  const line = fontSize * 1.3;
  const boxes = [];
  const fits = (text, x, y, below) => {
    const w = text.length * fontSize * 0.62 + 6;
    const top = below ? py(y) + 6 : py(y) - 6 - line;
    const box = { x0: px(x) - w / 2, x1: px(x) + w / 2, y0: top, y1: top + line };
    if (boxes.some((b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1)) return false;
    boxes.push(box);
    return true;
  };
  const order = marks.map((m, i) => i).sort((i, j) => Number(!!marks[j].selected) - Number(!!marks[i].selected));
  const top = marks.map(() => "");
  const bottom = marks.map(() => "");
  for (const i of order) {
    const m = marks[i];
    if (fits(m.label, m.z, m.a, false)) top[i] = m.label;
    const text = m.fprime === null ? "" : `f′=${plain(m.fprime, 3)}`;
    if (text && fits(text, m.z, m.fprime, true)) bottom[i] = text;
  }
  return { top, bottom };
}

export function drawActivationMarks(element, curve, marks, options = {}) {
  const fontSize = options.fontSize || 12;
  const height = options.height || 300;
  const labels = fittingLabels(element, curve, marks, fontSize, height);
  const traces = [
    { x: curve.x, y: curve.y, name: options.fLabel || "f(z)", mode: "lines", line: { color: "#0ea5e9", width: 2.5 } },
    { x: curve.x, y: curve.dy, name: options.dLabel || "f′(z)", mode: "lines", line: { color: "#f97316", width: 2.5, dash: "dash" } },
    {
      x: marks.map((m) => m.z),
      y: marks.map((m) => m.a),
      text: labels.top,
      hovertext: marks.map((m) => `${m.label} = ${plain(m.z)}, f = ${plain(m.a)}`),
      hoverinfo: "text",
      mode: "markers+text",
      textposition: "top center",
      marker: { color: "#0ea5e9", size: 10, line: { color: "#0f172a", width: 1 } },
      showlegend: false,
    },
    {
      x: marks.map((m) => m.z),
      y: marks.map((m) => m.fprime),
      text: labels.bottom,
      hovertext: marks.map((m) => `${m.label} = ${plain(m.z)}, f′ = ${plain(m.fprime)}`),
      hoverinfo: "text",
      mode: "markers+text",
      textposition: "bottom center",
      marker: { color: "#f97316", size: 10, symbol: "diamond", line: { color: "#0f172a", width: 1 } },
      showlegend: false,
    },
  ];
  const shapes = marks.map((m) => ({
    type: "line",
    x0: m.z,
    x1: m.z,
    yref: "paper",
    y0: 0,
    y1: 1,
    line: { color: "#94a3b8", width: 1, dash: "dot" },
  }));
  const layout = {
    margin: MARGIN,
    height,
    xaxis: { title: { text: "z" }, zeroline: true },
    yaxis: { zeroline: true },
    legend: { orientation: "h", y: 1.12 },
    font: { size: fontSize },
    shapes,
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(element, traces, layout, { displayModeBar: false, responsive: true });
}
