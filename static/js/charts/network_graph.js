// The network graph: neurons as nodes, weights as edges (colour = sign, width = magnitude).
//
// Contract (used by /network and /train; keep it free of page logic):
//
//   drawNetworkGraph(element, model, options) -> Promise (resolves when Plotly has drawn)
//
//   model = {
//     sizes: [2, 3, 2],                 // units per layer, input first
//     activations: ["sigmoid", ...],    // one per layer after the input (names or {name, ...})
//     weights: [W1, W2, ...],           // W_l has sizes[l-1] rows, sizes[l] columns (z = a @ W + b)
//     biases: [b1, b2, ...],
//     dW?, db?, W_next?, b_next?,       // the /api/v1/backprop params, same shapes
//     layers?,                          // the /api/v1/backprop `layers` array (z, a, delta, fprime, grad_a)
//     learningRate?,                    // η, for the w_next formula in hover text
//   }
//   options = {
//     view: "weights" | "gradients" | "updated",   // which number the edges show (W, ∂L/∂W, W_next)
//     showValues: true,          // print numbers on edges and nodes (only when the network is small)
//                                // (over 1500 weights, edges are drawn without hover/click targets)
//     sample: 0,                 // which batch row the nodes show
//     onWeightClick(layer, j, k) // layer ≥ 1; W_layer[j][k] joins unit j of layer-1 to unit k of layer
//     onNeuronClick(layer, j),
//     highlight: {layer?, neuron?: [layer, j], weight?: [layer, j, k]},
//     reveal: {forward: L, backward: 1, update: true},  // step-through: layers ≤ forward show z and a,
//                                // layers ≥ backward show δ, update shows W_next; default: all
//     height?: px, fontSize?: px,
//   }
//
// Numbers are never computed here: every value shown is a field of `model`; formulas in the
// hover text only put those values side by side (e.g. ∂L/∂w = δ_k · a_j = 0.1385 × 0.5933 = 0.08217).
// Strings come from common.json (`common.graph_*`), which every page ships.

import { fmt } from "../api.js";
import { t } from "../i18n.js";

const POS = "#2563eb";
const NEG = "#dc2626";
const NULL_COLOR = "#94a3b8";
const WIDTH_BINS = 8;
// Where along an edge its value sits: near the source (like textbook figures), staggered by the
// target unit so the labels of crossing edges do not overlap.
const labelAt = (k, n) => (n > 1 ? 0.2 + (0.22 * k) / (n - 1) : 0.3);
const MAX_VALUE_EDGES = 60; // print edge values only up to this many edges
const MAX_VALUE_NODES = 24;
// Above this many weights, edges are drawn but not individually hoverable or clickable:
// tens of thousands of SVG hover targets would take seconds to draw.
const MAX_WEIGHT_TARGETS = 1500;

const escape = (text) =>
  String(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

const actName = (act) => (act && typeof act === "object" ? act.name : act) || "";

/** The matrix an edge view shows: W, ∂L/∂W or W_next. */
function viewMatrices(model, view) {
  if (view === "gradients" && model.dW) return model.dW;
  if (view === "updated" && model.W_next) return model.W_next;
  return model.weights;
}

function positions(sizes) {
  return sizes.map((n, l) => Array.from({ length: n }, (_, j) => [l, (n - 1) / 2 - j]));
}

function cell(matrix, row, col) {
  const value = matrix?.[row]?.[col];
  return value === undefined ? null : value;
}

function revealOf(options, depth) {
  const r = options.reveal || {};
  return {
    forward: r.forward ?? depth,
    backward: r.backward ?? 1,
    update: r.update ?? true,
  };
}

/** Lines describing neuron j of `layer` for one batch row, each formula filled with numbers. */
export function neuronDetails(model, layer, j, sample = 0, reveal = null) {
  const depth = model.sizes.length - 1;
  const show = reveal || { forward: depth, backward: 1, update: true };
  const info = model.layers?.[layer];
  const lines = [];
  if (layer === 0) {
    lines.push(`<b>${escape(t("common.graph_input_unit", { j: j + 1 }))}</b>`);
    if (info) lines.push(`x<sub>${j + 1}</sub> = ${fmt(cell(info.a, sample, j))}`);
    return lines;
  }
  const name = actName(model.activations[layer - 1]);
  lines.push(
    `<b>${escape(t("common.graph_unit", { layer, j: j + 1 }))}</b> (${escape(name)}, ${escape(t("common.graph_sample", { n: sample + 1 }))})`,
  );
  if (!info) return lines;
  const prev = model.layers[layer - 1];
  const W = model.weights[layer - 1];
  const b = model.biases[layer - 1][j];
  if (layer <= show.forward) {
    const fanIn = model.sizes[layer - 1];
    const z = fmt(cell(info.z, sample, j));
    if (fanIn <= 4) {
      const terms = Array.from(
        { length: fanIn },
        (_, i) => `${fmt(cell(prev.a, sample, i))}×${fmt(cell(W, i, j))}`,
      );
      lines.push(`z = Σ a<sub>i</sub>w<sub>i${j + 1}</sub> + b = ${terms.join(" + ")} + ${fmt(b)} = ${z}`);
    } else {
      lines.push(`z = Σ a<sub>i</sub>w<sub>i${j + 1}</sub> + b = ${z}`);
    }
    lines.push(`a = ${escape(name)}(z) = ${escape(name)}(${z}) = ${fmt(cell(info.a, sample, j))}`);
    if (info.fprime) lines.push(`f′(z) = ${fmt(cell(info.fprime, sample, j))}`);
  }
  if (layer >= show.backward && info.delta) {
    const delta = fmt(cell(info.delta, sample, j));
    const gradA = info.grad_a ? fmt(cell(info.grad_a, sample, j)) : null;
    if (info.fprime && gradA !== null) {
      const what =
        layer === depth
          ? "∂L/∂a"
          : `Σ<sub>k</sub> w<sub>${j + 1}k</sub>δ<sub>k</sub>`;
      lines.push(
        `δ = ∂L/∂z = ${what} · f′(z) = ${gradA} × ${fmt(cell(info.fprime, sample, j))} = ${delta}`,
      );
    } else if (gradA !== null) {
      lines.push(`∂L/∂a = ${gradA}`);
      lines.push(`δ = ∂L/∂z = Σ<sub>i</sub> ∂L/∂p<sub>i</sub> · p<sub>i</sub>(δ<sub>i${j + 1}</sub> − p<sub>${j + 1}</sub>) = ${delta}`);
    } else {
      lines.push(`δ = ∂L/∂z = ${delta}`);
    }
    if (model.db) {
      lines.push(`b = ${fmt(b)},  ∂L/∂b = Σ<sub>n</sub> δ<sup>(n)</sup> = ${fmt(model.db[layer - 1][j])}`);
    }
    if (show.update && model.b_next) {
      const eta = model.learningRate;
      const step =
        eta === undefined ? "" : ` = ${fmt(b)} − ${fmt(eta)} × ${fmt(model.db[layer - 1][j])}`;
      lines.push(`b<sub>next</sub> = b − η·∂L/∂b${step} = ${fmt(model.b_next[layer - 1][j])}`);
    }
  } else {
    lines.push(`b = ${fmt(b)}`);
  }
  return lines;
}

/** Lines describing weight W_layer[j][k]: w, ∂L/∂w = Σ δ_k a_j and w_next, numbers filled in. */
export function weightDetails(model, layer, j, k, sample = 0, reveal = null) {
  const depth = model.sizes.length - 1;
  const show = reveal || { forward: depth, backward: 1, update: true };
  const w = cell(model.weights[layer - 1], j, k);
  const lines = [
    `<b>${escape(t("common.graph_weight", { layer, j: j + 1, k: k + 1 }))}</b>`,
    `w = ${fmt(w)}`,
  ];
  if (!model.dW || layer < show.backward) return lines;
  const grad = cell(model.dW[layer - 1], j, k);
  const prev = model.layers?.[layer - 1];
  const here = model.layers?.[layer];
  if (prev && here?.delta) {
    const rows = here.delta.length;
    const term = (n) => `${fmt(cell(here.delta, n, k))} × ${fmt(cell(prev.a, n, j))}`;
    if (rows === 1) {
      lines.push(`∂L/∂w = δ<sub>k</sub> · a<sub>j</sub> = ${term(0)} = ${fmt(grad)}`);
    } else if (rows <= 3) {
      const terms = Array.from({ length: rows }, (_, n) => `(${term(n)})`);
      lines.push(`∂L/∂w = Σ<sub>n</sub> δ<sub>k</sub><sup>(n)</sup> a<sub>j</sub><sup>(n)</sup> = ${terms.join(" + ")} = ${fmt(grad)}`);
    } else {
      lines.push(`∂L/∂w = Σ<sub>n</sub> δ<sub>k</sub><sup>(n)</sup> a<sub>j</sub><sup>(n)</sup> = ${fmt(grad)}`);
      lines.push(escape(t("common.graph_batch_term", { n: sample + 1, rows })) + `: ${term(sample)}`);
    }
  } else {
    lines.push(`∂L/∂w = ${fmt(grad)}`);
  }
  if (show.update && model.W_next) {
    const eta = model.learningRate;
    const step = eta === undefined ? "" : ` = ${fmt(w)} − ${fmt(eta)} × ${fmt(grad)}`;
    lines.push(`w<sub>next</sub> = w − η·∂L/∂w${step} = ${fmt(cell(model.W_next[layer - 1], j, k))}`);
  }
  return lines;
}

/** Edges as a few SVG path shapes, one per sign and width bin: fast for any number of edges. */
function edgeShapes(pos, matrices) {
  let maxAbs = 0;
  for (const M of matrices) for (const row of M) for (const v of row) {
    if (v !== null && Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  }
  const groups = new Map();
  matrices.forEach((M, l) => {
    M.forEach((row, j) => {
      row.forEach((v, k) => {
        const bin = v === null || maxAbs === 0 ? 0 : Math.round((Math.abs(v) / maxAbs) * WIDTH_BINS);
        const sign = v === null ? "null" : v < 0 ? "neg" : "pos";
        const key = `${sign}:${bin}`;
        if (!groups.has(key)) groups.set(key, { sign, bin, path: [] });
        const [x0, y0] = pos[l][j];
        const [x1, y1] = pos[l + 1][k];
        groups.get(key).path.push(`M${x0},${y0}L${x1},${y1}`);
      });
    });
  });
  return [...groups.values()].map((g) => ({
    type: "path",
    xref: "x",
    yref: "y",
    layer: "below",
    path: g.path.join(""),
    line: {
      color: g.sign === "neg" ? NEG : g.sign === "pos" ? POS : NULL_COLOR,
      width: 0.8 + g.bin * 1.1,
      dash: g.sign === "null" ? "dot" : "solid",
    },
    opacity: 0.35 + (0.6 * g.bin) / WIDTH_BINS,
  }));
}

/** Draw (or redraw) the network in `element`. See the header comment for the contract. */
export function drawNetworkGraph(element, model, options = {}) {
  const view = options.view || "weights";
  const sample = options.sample || 0;
  const depth = model.sizes.length - 1;
  const reveal = revealOf(options, depth);
  const highlight = options.highlight || {};
  const fontSize = options.fontSize || 12;
  const pos = positions(model.sizes);
  const matrices = viewMatrices(model, view === "updated" && !reveal.update ? "weights" : view);
  const edgeCount = matrices.reduce((s, M) => s + M.length * (M[0]?.length || 0), 0);
  const nodeCount = model.sizes.reduce((s, n) => s + n, 0);
  const edgeValues = options.showValues !== false && edgeCount <= MAX_VALUE_EDGES;
  const nodeValues = options.showValues !== false && nodeCount <= MAX_VALUE_NODES;

  const traces = [];

  // Hover/click targets for the weights (and their printed values), near each edge's source.
  const wx = [], wy = [], wtext = [], whover = [], wdata = [], wsize = [], wline = [];
  const targets = edgeCount <= MAX_WEIGHT_TARGETS ? matrices : [];
  targets.forEach((M, l) => {
    M.forEach((row, j) => {
      row.forEach((v, k) => {
        const [x0, y0] = pos[l][j];
        const [x1, y1] = pos[l + 1][k];
        const along = labelAt(k, row.length);
        wx.push(x0 + along * (x1 - x0));
        wy.push(y0 + along * (y1 - y0));
        wtext.push(edgeValues ? fmt(v, 3) : "");
        whover.push(weightDetails(model, l + 1, j, k, sample, reveal).join("<br>"));
        wdata.push([l + 1, j, k]);
        const hl = highlight.weight;
        const on = hl && hl[0] === l + 1 && hl[1] === j && hl[2] === k;
        wsize.push(on ? 16 : 12);
        wline.push(on ? 3 : 0);
      });
    });
  });
  traces.push({
    type: "scatter",
    mode: edgeValues ? "markers+text" : "markers",
    meta: "weights",
    x: wx,
    y: wy,
    text: wtext,
    textposition: "middle center",
    textfont: { size: fontSize - 1, color: "#0f172a" },
    hovertext: whover,
    hoverinfo: "text",
    customdata: wdata,
    marker: {
      size: wsize,
      color: edgeValues ? "rgba(255,255,255,0.85)" : "rgba(255,255,255,0.01)",
      line: { color: "#f97316", width: wline },
    },
    showlegend: false,
  });

  // Neurons: a inside (when revealed), δ below (when revealed).
  const nx = [], ny = [], ntext = [], nhover = [], ndata = [], nfill = [], nline = [], nwidth = [];
  const dx = [], dy = [], dtext = [];
  model.sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const [x, y] = pos[l][j];
      const info = model.layers?.[l];
      const forward = l <= reveal.forward && info;
      nx.push(x);
      ny.push(y);
      ntext.push(nodeValues && forward ? fmt(cell(info.a, sample, j), 3) : "");
      nhover.push(neuronDetails(model, l, j, sample, reveal).join("<br>"));
      ndata.push([l, j]);
      nfill.push(l === 0 ? "#e2e8f0" : forward ? "#e0f2fe" : "#f8fafc");
      const selected = highlight.neuron && highlight.neuron[0] === l && highlight.neuron[1] === j;
      const active = highlight.layer === l;
      nline.push(selected ? "#f97316" : active ? "#0ea5e9" : "#334155");
      nwidth.push(selected ? 4 : active ? 3 : 1.5);
      if (l >= 1 && l >= reveal.backward && info?.delta && nodeValues) {
        dx.push(x);
        dy.push(y);
        dtext.push(`δ=${fmt(cell(info.delta, sample, j), 3)}`);
      }
    }
  });
  traces.push({
    type: "scatter",
    mode: "markers+text",
    meta: "neurons",
    x: nx,
    y: ny,
    text: ntext,
    textfont: { size: fontSize - 1, color: "#0f172a" },
    hovertext: nhover,
    hoverinfo: "text",
    customdata: ndata,
    marker: { size: nodeValues ? 46 : 22, color: nfill, line: { color: nline, width: nwidth } },
    showlegend: false,
  });
  traces.push({
    type: "scatter",
    mode: "text",
    meta: "deltas",
    x: dx,
    y: dy.map((y) => y - 0.3),
    text: dtext,
    textfont: { size: fontSize - 1, color: "#c2410c" },
    hoverinfo: "skip",
    showlegend: false,
  });

  const maxUnits = Math.max(...model.sizes);
  const annotations = model.sizes.map((n, l) => ({
    x: l,
    y: (maxUnits - 1) / 2 + 0.65,
    text:
      l === 0
        ? escape(t("common.graph_input"))
        : `${escape(l === depth ? t("common.graph_output") : t("common.graph_hidden", { layer: l }))}<br><i>${escape(actName(model.activations[l - 1]))}</i>`,
    showarrow: false,
    font: { size: fontSize, color: highlight.layer === l ? "#0ea5e9" : "#334155" },
  }));
  const layout = {
    margin: { l: 10, r: 10, t: 10, b: 10 },
    height: options.height || Math.max(320, Math.min(760, 120 + maxUnits * 90)),
    xaxis: { visible: false, range: [-0.45, depth + 0.45], fixedrange: true },
    yaxis: { visible: false, range: [-(maxUnits - 1) / 2 - 0.6, (maxUnits - 1) / 2 + 1.0], fixedrange: true },
    hovermode: "closest",
    hoverlabel: { align: "left", font: { size: fontSize + 1 }, bgcolor: "#ffffff" },
    dragmode: false,
    annotations,
    shapes: edgeShapes(pos, matrices),
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    showlegend: false,
  };
  const config = { displayModeBar: false, responsive: true };

  element.networkGraphOptions = options;
  return window.Plotly.react(element, traces, layout, config).then(() => {
    bindEvents(element);
    return element;
  });
}

// Plotly keeps listeners across redraws: bind once, read the latest callbacks at click time.
function bindEvents(element) {
  if (!element.networkGraphBound) {
    element.networkGraphBound = true;
    element.on("plotly_click", (event) => {
      const point = event.points?.[0];
      const current = element.networkGraphOptions || {};
      if (!point) return;
      const kind = point.data.meta;
      if (kind === "weights" && current.onWeightClick) current.onWeightClick(...point.customdata);
      if (kind === "neurons" && current.onNeuronClick) current.onNeuronClick(...point.customdata);
    });
  }
}
