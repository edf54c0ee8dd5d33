// A small computation graph: values flow forward along blue arrows, gradients flow back
// along orange arrows. Everything written on it comes from an API response.
//
//   drawCompGraph(element, {nodes, edges, height})
//   nodes = [{id, x, y, label, value, kind}]   kind "input" | "param" | "result"
//   edges = [{from, to, grad}]                 grad: text of the gradient sent back

const COLORS = { input: "#64748b", param: "#0ea5e9", result: "#2563eb" };

export function drawCompGraph(element, options) {
  const byId = Object.fromEntries(options.nodes.map((n) => [n.id, n]));
  const annotations = [];
  for (const edge of options.edges) {
    const a = byId[edge.from];
    const b = byId[edge.to];
    // Forward: an arrow from the input node to the node it feeds.
    annotations.push({
      x: b.x,
      y: b.y,
      ax: a.x,
      ay: a.y,
      xref: "x",
      yref: "y",
      axref: "x",
      ayref: "y",
      showarrow: true,
      arrowhead: 2,
      arrowsize: 1.2,
      arrowwidth: 2,
      arrowcolor: "#0ea5e9",
      standoff: 26,
      startstandoff: 26,
      text: "",
    });
    if (edge.grad) {
      // Backward: the gradient written on an orange arrow pointing back at the source.
      const mx = a.x + (b.x - a.x) * 0.55;
      const my = a.y + (b.y - a.y) * 0.55;
      annotations.push({
        x: a.x + (b.x - a.x) * 0.3,
        y: a.y + (b.y - a.y) * 0.3 - 0.16,
        ax: mx,
        ay: my - 0.16,
        xref: "x",
        yref: "y",
        axref: "x",
        ayref: "y",
        showarrow: true,
        arrowhead: 2,
        arrowwidth: 1.5,
        arrowcolor: "#f97316",
        text: "",
      });
      annotations.push({
        x: mx,
        y: my - 0.16,
        xref: "x",
        yref: "y",
        text: edge.grad,
        showarrow: false,
        xanchor: "left",
        yanchor: "top",
        font: { color: "#c2410c", size: 13 },
        bgcolor: "rgba(255,247,237,0.9)",
      });
    }
  }
  const trace = {
    type: "scatter",
    mode: "markers+text",
    x: options.nodes.map((n) => n.x),
    y: options.nodes.map((n) => n.y),
    text: options.nodes.map((n) => `<b>${n.label}</b><br>${n.value}`),
    textposition: "middle center",
    textfont: { color: "#ffffff", size: 13 },
    marker: {
      size: 74,
      color: options.nodes.map((n) => COLORS[n.kind] || COLORS.param),
      line: { color: "#0f172a", width: 1 },
    },
    hoverinfo: "skip",
    showlegend: false,
  };
  const xs = options.nodes.map((n) => n.x);
  const ys = options.nodes.map((n) => n.y);
  const layout = {
    height: options.height || 420,
    margin: { l: 10, r: 10, t: 10, b: 10 },
    xaxis: { visible: false, range: [Math.min(...xs) - 0.5, Math.max(...xs) + 0.9] },
    yaxis: { visible: false, range: [Math.min(...ys) - 0.6, Math.max(...ys) + 0.5] },
    annotations,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
  };
  return window.Plotly.react(element, [trace], layout, {
    responsive: true,
    displaylogo: false,
    staticPlot: false,
  });
}
