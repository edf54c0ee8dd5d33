// Curves over one axis (activation f, f′, f″; losses; y(w) and its derivatives), with
// optional shaded x-intervals (where a gradient vanishes) and a vertical marker.
//
//   drawLines(element, {series, shaded, marker, xTitle, yTitle, height})
//   series = [{x, y, name, color, dash, width, axis}]   y may hold nulls (gaps);
//                                            axis "y2" draws on a right-hand axis (y2Title)
//   shaded = [{from, to, color, label}]           x-intervals to shade
//   marker = {x, label}                           a dashed vertical line

export function drawLines(element, options) {
  const traces = options.series.map((s) => ({
    x: s.x,
    y: s.y,
    name: s.name,
    mode: "lines",
    connectgaps: false,
    yaxis: s.axis === "y2" ? "y2" : "y",
    line: { color: s.color, width: s.width || 2.5, dash: s.dash || "solid" },
  }));
  const shapes = (options.shaded || []).map((region) => ({
    type: "rect",
    xref: "x",
    yref: "paper",
    x0: region.from,
    x1: region.to,
    y0: 0,
    y1: 1,
    fillcolor: region.color || "rgba(220, 38, 38, 0.10)",
    line: { width: 0 },
    layer: "below",
  }));
  const annotations = [];
  if (options.marker && Number.isFinite(options.marker.x)) {
    shapes.push({
      type: "line",
      xref: "x",
      yref: "paper",
      x0: options.marker.x,
      x1: options.marker.x,
      y0: 0,
      y1: 1,
      line: { color: "#334155", width: 1.5, dash: "dash" },
    });
    if (options.marker.label) {
      // Inside the plot's top edge, beside the line: the toolbar (top right) never covers it.
      annotations.push({
        x: options.marker.x,
        y: 1,
        xref: "x",
        yref: "paper",
        text: options.marker.label,
        showarrow: false,
        yanchor: "top",
        xanchor: "left",
        xshift: 3,
        font: { size: 12, color: "#334155" },
        bgcolor: "rgba(255,255,255,0.85)",
      });
    }
  }
  for (const region of options.shaded || []) {
    if (!region.label) continue;
    annotations.push({
      x: (region.from + region.to) / 2,
      y: 0.02,
      xref: "x",
      yref: "paper",
      text: region.label,
      showarrow: false,
      font: { size: 11, color: "#b91c1c" },
    });
  }
  const layout = {
    height: options.height || 380,
    margin: { l: 50, r: options.series.some((s) => s.axis === "y2") ? 56 : 16, t: 34, b: 44 },
    xaxis: { title: { text: options.xTitle || "" }, zeroline: true },
    yaxis: { title: { text: options.yTitle || "" }, zeroline: true },
    legend: { orientation: "h", y: -0.18 },
    ...(options.series.some((s) => s.axis === "y2") && {
      // tickmode "auto": round ticks of its own, not the left axis's grid lines (-35.6, -57.1).
      yaxis2: { title: { text: options.y2Title || "" }, overlaying: "y", side: "right", zeroline: false, showgrid: false, tickmode: "auto" },
    }),
    shapes,
    annotations,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
  };
  return window.Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
