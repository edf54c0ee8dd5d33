// A decision boundary: the network's output over the input plane as a heatmap, with the
// data points on top (filled: training points, hollow: test points).
//
//   drawDecisionBoundary(element, {x, y, z, zmin, zmax, classes, points, title, height})
//   x, y   grid axes; z[i][j] is the output at (x[j], y[i]) (null where not finite);
//          without z only the points are drawn, over the range of x and y
//   classes  0: z is a value (one output, or regression); k ≥ 2 with several outputs:
//            z is the predicted class index
//   points = [{xy: [[x1, x2], ...], label: [...], hollow: bool, name}]
//            label: class index (classification) or target value (regression)

export const CLASS_COLORS = ["#f59e0b", "#2563eb", "#16a34a", "#a855f7"];
// Playground's palette: orange for low/negative, white around the cut, blue for high/positive.
const DIVERGING = [
  [0, "#f59e0b"],
  [0.5, "#f8fafc"],
  [1, "#2563eb"],
];

function discreteScale(k) {
  const stops = [];
  for (let c = 0; c < k; c++) {
    stops.push([c / k, CLASS_COLORS[c]], [(c + 1) / k, CLASS_COLORS[c]]);
  }
  return stops;
}

export function drawDecisionBoundary(element, o) {
  const multiclass = o.classes > 2;
  const heat = {
    type: "heatmap",
    x: o.x,
    y: o.y,
    z: o.z,
    zmin: multiclass ? -0.5 : o.zmin,
    zmax: multiclass ? o.classes - 0.5 : o.zmax,
    colorscale: multiclass ? discreteScale(o.classes) : DIVERGING,
    opacity: multiclass ? 0.35 : 0.75,
    showscale: !multiclass,
    colorbar: { thickness: 10, len: 0.8 },
    hovertemplate: "x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>%{z:.3f}<extra></extra>",
    zsmooth: "best",
  };
  const traces = o.z ? [heat] : []; // without z: the points alone (a dataset preview)
  for (const set of o.points || []) {
    if (!set.xy?.length) continue;
    const byClass = o.classes >= 2;
    const colors = byClass ? set.label.map((c) => CLASS_COLORS[c] ?? "#334155") : set.label;
    traces.push({
      type: "scatter",
      mode: "markers",
      name: set.name,
      x: set.xy.map((p) => p[0]),
      y: set.xy.map((p) => p[1]),
      hovertemplate: `%{x:.2f}, %{y:.2f}: ${byClass ? "%{text}" : "%{marker.color:.3f}"}<extra>${set.name}</extra>`,
      text: set.label.map(String),
      marker: {
        size: 6,
        color: set.hollow ? "rgba(255,255,255,0)" : colors,
        colorscale: byClass ? undefined : DIVERGING,
        cmin: byClass ? undefined : o.zmin,
        cmax: byClass ? undefined : o.zmax,
        line: set.hollow
          ? { color: byClass ? colors : "#0f172a", width: 1.5 }
          : { color: "#ffffff", width: 0.8 },
      },
      showlegend: false,
    });
  }
  const layout = {
    height: o.height || 380,
    margin: { l: 40, r: 10, t: o.title ? 28 : 8, b: 36 },
    title: o.title ? { text: o.title, font: { size: 13 } } : undefined,
    xaxis: { range: [o.x[0], o.x[o.x.length - 1]], title: { text: "x₁" }, zeroline: false },
    yaxis: {
      range: [o.y[0], o.y[o.y.length - 1]],
      title: { text: "x₂" },
      zeroline: false,
      scaleanchor: "x",
    },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
  };
  return window.Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
