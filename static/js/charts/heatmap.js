// A matrix as a heatmap with every value written in its cell (e.g. the softmax Jacobian).
//
//   drawHeatmap(element, {z, rowLabels, colLabels, xTitle, yTitle, digits})

import { fmt } from "../helpers.js";

export function drawHeatmap(element, options) {
  const { z } = options;
  const flat = z.flat().filter((v) => v !== null);
  const reach = Math.max(1e-12, ...flat.map(Math.abs));
  const trace = {
    type: "heatmap",
    z,
    x: options.colLabels,
    y: options.rowLabels,
    zmin: -reach,
    zmax: reach,
    colorscale: [
      [0, "#dc2626"],
      [0.5, "#ffffff"],
      [1, "#2563eb"],
    ],
    hoverongaps: false,
    showscale: true,
  };
  const annotations = [];
  z.forEach((row, i) =>
    row.forEach((value, j) =>
      annotations.push({
        x: options.colLabels[j],
        y: options.rowLabels[i],
        text: fmt(value, options.digits || 3),
        showarrow: false,
        font: { size: z.length > 8 ? 9 : 13, color: "#0f172a" },
      }),
    ),
  );
  const layout = {
    height: options.height || Math.max(300, 44 * z.length + 90),
    margin: { l: 60, r: 16, t: 16, b: 50 },
    xaxis: { title: { text: options.xTitle || "" }, side: "bottom", type: "category" },
    yaxis: { title: { text: options.yTitle || "" }, autorange: "reversed", type: "category" },
    annotations,
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(element, [trace], layout, { responsive: true, displaylogo: false });
}
