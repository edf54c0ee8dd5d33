// Contour of a loss over two weights, with optimizer paths, the start point and an arrow.
//
//   drawContourPaths(element, {a, b, loss, paths: [{name, legend, a, b, color, width, opacity,
//                              dash, symbol}], start: {a, b},
//                              arrow: {a, b} | null, xTitle, yTitle, lossTitle, startLabel})
//
// loss[j][i] is at (a[i], b[j]), Plotly's z[y][x]. `arrow` is the arrow's tip in data units.
// The axes stay on the grid's range, so a path that leaves the grid is clipped, not rescaled.

export function drawContourPaths(element, o) {
  const traces = [
    {
      type: "contour",
      x: o.a,
      y: o.b,
      z: o.loss,
      colorscale: "Viridis",
      ncontours: 28,
      contours: { coloring: "heatmap", showlines: true },
      line: { width: 0.5, color: "rgba(255,255,255,0.45)" },
      // Title along the bar, not above it where the toolbar sits.
      colorbar: { title: { text: o.lossTitle, side: "right" }, thickness: 14 },
      hovertemplate: `${o.xTitle} %{x:.4g}<br>${o.yTitle} %{y:.4g}<br>${o.lossTitle} %{z:.5g}<extra></extra>`,
    },
    ...o.paths.map((p) => ({
      type: "scatter",
      mode: "lines+markers",
      name: p.legend || p.name,
      x: p.a,
      y: p.b,
      opacity: p.opacity ?? 1,
      line: { color: p.color, width: p.width || 2.5, dash: p.dash || "solid" },
      marker: { size: Math.max(4, (p.width || 2.5) * 0.9), color: p.color, symbol: p.symbol || "circle" },
      hovertemplate: `${p.name}<br>%{x:.4g}, %{y:.4g}<extra></extra>`,
    })),
    {
      type: "scatter",
      mode: "markers",
      name: o.startLabel,
      x: [o.start.a],
      y: [o.start.b],
      marker: { size: 12, color: "#ffffff", line: { color: "#0f172a", width: 2 } },
      hoverinfo: "skip",
    },
  ];
  const annotations = o.arrow
    ? [
        {
          x: o.arrow.a,
          y: o.arrow.b,
          ax: o.start.a,
          ay: o.start.b,
          xref: "x",
          yref: "y",
          axref: "x",
          ayref: "y",
          showarrow: true,
          arrowhead: 3,
          arrowsize: 1.2,
          arrowwidth: 3,
          arrowcolor: "#f97316",
          text: "",
        },
      ]
    : [];
  const layout = {
    height: o.height || 520,
    margin: { l: 64, r: 16, t: 16, b: 56 },
    legend: { orientation: "h", y: -0.16 },
    xaxis: { title: { text: o.xTitle }, range: [o.a[0], o.a[o.a.length - 1]] },
    yaxis: { title: { text: o.yTitle }, range: [o.b[0], o.b[o.b.length - 1]] },
    annotations,
    hovermode: "closest",
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
