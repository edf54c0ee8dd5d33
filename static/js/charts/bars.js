// Labelled vertical bars, e.g. softmax probabilities.
//
//   drawBars(element, {labels, values, color, yTitle, range, text})

import { fmt } from "../helpers.js";

export function drawBars(element, options) {
  const trace = {
    type: "bar",
    x: options.labels,
    y: options.values,
    text: options.text || options.values.map((v) => fmt(v, 4)),
    textposition: "outside",
    cliponaxis: false,
    marker: { color: options.color || "#2563eb" },
    hoverinfo: "x+y",
  };
  const layout = {
    height: options.height || 320,
    margin: { l: 50, r: 16, t: 24, b: 40 },
    yaxis: { title: { text: options.yTitle || "" }, range: options.range },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
  };
  return window.Plotly.react(element, [trace], layout, { responsive: true, displaylogo: false });
}
