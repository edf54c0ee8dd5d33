// Lines per layer: several quantities for several networks (e.g. mean |a|, saturated fraction).
//
//   drawLayerLines(element, {series: [{name, values, color, dash}], xTitle, yTitle})

import { fmt } from "../helpers.js";

export function drawLayerLines(element, options) {
  const traces = options.series.map((s) => ({
    type: "scatter",
    mode: "lines+markers",
    name: s.name,
    x: s.values.map((_, i) => i + 1),
    y: s.values,
    line: { color: s.color, dash: s.dash || "solid" },
    hovertext: s.values.map((v, i) => `${s.name} · ${options.xTitle} ${i + 1}: ${fmt(v, 4)}`),
    hoverinfo: "text",
  }));
  const layout = {
    height: options.height || 320,
    margin: { l: 56, r: 16, t: 16, b: 48 },
    // Below the axis title, clear of the toolbar (top right) even when it wraps on a phone.
    legend: { orientation: "h", x: 0, xanchor: "left", y: -0.32, yanchor: "top" },
    xaxis: { title: { text: options.xTitle } },
    yaxis: { title: { text: options.yTitle }, rangemode: "tozero" },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
  };
  return window.Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
