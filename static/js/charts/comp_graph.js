// A small computation graph: values flow forward along blue arrows, gradients flow back
// along orange arrows. Everything written on it comes from an API response.
//
//   drawCompGraph(element, {nodes, edges, height})
//   nodes = [{id, x, y, label, value, kind}]   kind "input" | "param" | "result"
//   edges = [{from, to, grad, at}]             grad: text of the gradient sent back;
//                                              at: where it is written, away from every edge:
//                                              "above" / "below-right" the source node,
//                                              or "under" the middle of the edge

const COLORS = { input: "#64748b", param: "#0ea5e9", result: "#2563eb" };

/** A text label at a node or edge, in data units plus a pixel shift. */
function gradLabel(a, b, edge, node) {
  // Narrow figures (phones) write "∂y2/∂b1<br>= 2" on two lines to keep labels apart.
  const text = node.narrow ? edge.grad.replaceAll(" = ", "<br>= ") : edge.grad;
  const base = { xref: "x", yref: "y", showarrow: false, text };
  const font = { color: "#c2410c", size: node.font };
  const look = { font, bgcolor: "rgba(255,247,237,0.92)", borderpad: 2 };
  if (edge.at === "under") {
    return { ...base, ...look, x: (a.x + b.x) / 2, y: a.y, yshift: -10, yanchor: "top" };
  }
  if (edge.at === "below-right") {
    return { ...base, ...look, x: a.x, y: a.y, xshift: node.narrow ? 4 : node.radius * 0.7, yshift: -node.radius * (node.narrow ? 1.05 : 0.7), xanchor: "left", yanchor: "top" };
  }
  return { ...base, ...look, x: a.x, y: a.y, yshift: node.radius + 4, yanchor: "bottom" };
}

export function drawCompGraph(element, options) {
  const byId = Object.fromEntries(options.nodes.map((n) => [n.id, n]));
  // Nodes and type shrink with a narrow figure (a phone) so labels keep their room.
  const width = element.clientWidth || 600;
  const size = Math.round(Math.max(40, Math.min(64, width / 9.5)));
  const narrow = width < 560;
  const node = { radius: size / 2, font: narrow ? 11 : 13, narrow };
  const annotations = [];
  for (const edge of options.edges) {
    const a = byId[edge.from];
    const b = byId[edge.to];
    // Forward: an arrow from the input node to the node it feeds.
    annotations.push({
      x: b.x, y: b.y, ax: a.x, ay: a.y, xref: "x", yref: "y", axref: "x", ayref: "y",
      showarrow: true, arrowhead: 2, arrowsize: 1.2, arrowwidth: 2, arrowcolor: "#0ea5e9",
      standoff: node.radius + 2, startstandoff: node.radius + 2, text: "",
    });
    if (edge.grad) {
      // Backward: a short orange arrow beside the edge, pointing back at the source.
      annotations.push({
        x: a.x + (b.x - a.x) * 0.42, y: a.y + (b.y - a.y) * 0.42,
        ax: a.x + (b.x - a.x) * 0.62, ay: a.y + (b.y - a.y) * 0.62,
        xref: "x", yref: "y", axref: "x", ayref: "y", xshift: 7, yshift: -7,
        showarrow: true, arrowhead: 2, arrowwidth: 1.5, arrowcolor: "#f97316", text: "",
      });
      annotations.push(gradLabel(a, b, edge, node));
    }
  }
  const trace = {
    type: "scatter",
    mode: "markers+text",
    x: options.nodes.map((n) => n.x),
    y: options.nodes.map((n) => n.y),
    text: options.nodes.map((n) => `<b>${n.label}</b><br>${n.value}`),
    textposition: "middle center",
    textfont: { color: "#ffffff", size: node.font },
    marker: {
      size,
      color: options.nodes.map((n) => COLORS[n.kind] || COLORS.param),
      line: { color: "#0f172a", width: 1 },
    },
    hoverinfo: "skip",
    showlegend: false,
  };
  const xs = options.nodes.map((n) => n.x);
  const ys = options.nodes.map((n) => n.y);
  const layout = {
    height: options.height || 360,
    margin: { l: 6, r: 6, t: 6, b: 6 },
    xaxis: { visible: false, fixedrange: true, range: [Math.min(...xs) - 0.5, Math.max(...xs) + 1.3] },
    yaxis: { visible: false, fixedrange: true, range: [Math.min(...ys) - 0.75, Math.max(...ys) + 0.95] },
    annotations,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
  };
  // A fixed picture (nothing to zoom): no toolbar to cover its labels.
  return window.Plotly.react(element, [trace], layout, {
    responsive: true,
    displaylogo: false,
    displayModeBar: false,
  });
}
