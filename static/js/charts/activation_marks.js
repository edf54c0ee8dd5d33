// One layer's activation: f and f′ (from GET /api/v1/activations/{name}/curve) with each
// neuron's z marked on both curves, so the factor f′(z) that enters δ is visible.
//
//   drawActivationMarks(element, curve, marks, options) -> Promise
//   curve = {x, y, dy}            the curve endpoint's response
//   marks = [{label, z, a, fprime}]  per neuron, from the /api/v1/backprop response
//   options = {fLabel, dLabel, fontSize}

import { fmt } from "../api.js";

export function drawActivationMarks(element, curve, marks, options = {}) {
  const fontSize = options.fontSize || 12;
  const traces = [
    { x: curve.x, y: curve.y, name: options.fLabel || "f(z)", mode: "lines", line: { color: "#0ea5e9", width: 2.5 } },
    { x: curve.x, y: curve.dy, name: options.dLabel || "f′(z)", mode: "lines", line: { color: "#f97316", width: 2.5, dash: "dash" } },
    {
      x: marks.map((m) => m.z),
      y: marks.map((m) => m.a),
      text: marks.map((m) => m.label),
      hovertext: marks.map((m) => `${m.label}: z = ${fmt(m.z)}, f(z) = ${fmt(m.a)}`),
      hoverinfo: "text",
      mode: "markers+text",
      textposition: "top center",
      marker: { color: "#0ea5e9", size: 10, line: { color: "#0f172a", width: 1 } },
      showlegend: false,
    },
    {
      x: marks.map((m) => m.z),
      y: marks.map((m) => m.fprime),
      text: marks.map((m) => (m.fprime === null ? "" : `f′=${fmt(m.fprime, 3)}`)),
      hovertext: marks.map((m) => `${m.label}: f′(z) = ${fmt(m.fprime)}`),
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
    margin: { l: 40, r: 10, t: 10, b: 36 },
    height: options.height || 300,
    xaxis: { title: { text: "z" }, zeroline: true },
    yaxis: { zeroline: true },
    legend: { orientation: "h", y: 1.12 },
    font: { size: fontSize },
    shapes,
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(element, traces, layout, { displayModeBar: false, responsive: true });
}
