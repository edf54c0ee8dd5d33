// Grouped bars per layer on a log axis: one series per network (e.g. ‖∂L/∂W‖ per layer).
//
//   drawLayerNorms(element, {series: [{name, values, color}], xTitle, yTitle})
//
// A value of 0 (underflow) or null (not finite) has no place on a log axis: it is left out
// and its hover text says so.

import { fmt } from "../helpers.js";

export function drawLayerNorms(element, options) {
  const traces = options.series.map((s) => ({
    type: "bar",
    name: s.name,
    x: s.values.map((_, i) => i + 1),
    y: s.values.map((v) => (v === null || v <= 0 ? null : v)),
    hovertext: s.values.map((v, i) => `${s.name} · ${options.xTitle} ${i + 1}: ${fmt(v, 4)}`),
    hoverinfo: "text",
    marker: { color: s.color },
  }));
  const layout = {
    barmode: "group",
    height: options.height || 380,
    margin: { l: 64, r: 16, t: 16, b: 48 },
    // Below the axis title, clear of the toolbar (top right) even when it wraps on a phone.
    legend: { orientation: "h", x: 0, xanchor: "left", y: -0.32, yanchor: "top" },
    xaxis: { title: { text: options.xTitle }, dtick: 1, tickmode: "auto" },
    yaxis: { title: { text: options.yTitle }, type: "log", exponentformat: "power" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
  };
  return window.Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
