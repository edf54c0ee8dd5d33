// The network graph: neurons as nodes, weights as edges (colour = sign, width = magnitude).
//
// Contract (used by /network; keep it free of page logic, so any page can draw a network):
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
//     learningRate?,                    // η, for the update formula in hover text
//     targets?,                         // targets per batch row, printed beside the outputs
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
//     titles?: {unit(layer, j), weight(layer, j, k), target}  // page strings for hover titles
//   }
//
// Printed values never cover one another or a neuron: a value that finds no free spot along its
// edge is left to the hover text (the selected weight's value always shows).
//
// Numbers are never computed here: every value shown is a field of `model`; formulas in the
// hover text only put those values side by side (e.g. ∂L/∂W⁽²⁾₁₂ = a⁽¹⁾₁ · δ⁽²⁾₂ = 0.5933 × 0.1385 = 0.08217).
// Strings come from common.json (`common.graph_*`), which every page ships.

import { t } from "../i18n.js";
import { factor, plain, sym } from "./notation.js";

const POS = "#2563eb";
const NEG = "#dc2626";
const NULL_COLOR = "#94a3b8";
const WIDTH_BINS = 8;
// Where along an edge its value sits first: near the source, staggered by the target unit.
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
export function neuronDetails(model, layer, j, sample = 0, reveal = null, titles = {}) {
  const depth = model.sizes.length - 1;
  const show = reveal || { forward: depth, backward: 1, update: true };
  const info = model.layers?.[layer];
  const unit = j + 1;
  const lines = [];
  if (layer === 0) {
    lines.push(`<b>${escape(titles.unit ? titles.unit(0, j) : t("common.graph_input_unit", { j: unit }))}</b>`);
    if (info) lines.push(`${sym("a", 0, unit)} = ${sym("x", null, unit)} = ${plain(cell(info.a, sample, j))}`);
    return lines;
  }
  const name = actName(model.activations[layer - 1]);
  const title = titles.unit ? titles.unit(layer, j) : t("common.graph_unit", { layer, j: unit });
  lines.push(`<b>${escape(title)}</b> (${escape(name)}, ${escape(t("common.graph_sample", { n: sample + 1 }))})`);
  if (!info) return lines;
  const prev = model.layers[layer - 1];
  const W = model.weights[layer - 1];
  const b = model.biases[layer - 1][j];
  const z = sym("z", layer, unit);
  const bias = sym("b", layer, unit);
  if (layer <= show.forward) {
    const fanIn = model.sizes[layer - 1];
    const zValue = plain(cell(info.z, sample, j));
    const rule = `${z} = Σⱼ ${sym("a", layer - 1, "j")}${sym("W", layer, "j", unit)} + ${bias}`;
    if (fanIn <= 4) {
      const terms = Array.from({ length: fanIn }, (_, i) => `${factor(cell(prev.a, sample, i))} × ${factor(cell(W, i, j))}`);
      lines.push(`${rule} = ${terms.join(" + ")} + ${factor(b)} = ${zValue}`);
    } else {
      lines.push(`${rule} = ${zValue}`);
    }
    const f = name === "softmax" ? `softmax(${sym("z", layer)})${sym("", null, unit)}` : `${escape(name)}(${z})`;
    const fz = name === "softmax" ? "" : ` = ${escape(name)}(${zValue})`;
    lines.push(`${sym("a", layer, unit)} = ${f}${fz} = ${plain(cell(info.a, sample, j))}`);
    if (info.fprime) lines.push(`f′(${z}) = ${plain(cell(info.fprime, sample, j))}`);
    if (layer === depth && model.targets?.[sample]) {
      const label = titles.target ? `${escape(titles.target)}: ` : "";
      lines.push(`${label}${sym("t", null, unit)} = ${plain(model.targets[sample][j])}`);
    }
  }
  if (layer >= show.backward && info.delta) {
    const delta = sym("δ", layer, unit);
    const deltaValue = plain(cell(info.delta, sample, j));
    const gradA = info.grad_a ? cell(info.grad_a, sample, j) : null;
    if (info.fprime && gradA !== null) {
      const what =
        layer === depth
          ? `∂L/∂${sym("a", layer, unit)}`
          : `(Σₖ ${sym("W", layer + 1, unit, "k")}${sym("δ", layer + 1, "k")})`;
      lines.push(
        `${delta} = ∂L/∂${z} = ${what} · f′(${z}) = ${factor(gradA)} × ${factor(cell(info.fprime, sample, j))} = ${deltaValue}`,
      );
    } else if (gradA !== null) {
      const a = (index) => sym("a", layer, index);
      lines.push(`∂L/∂${a(unit)} = ${plain(gradA)}`);
      lines.push(`${delta} = ∂L/∂${z} = Σᵢ ∂L/∂${a("i")} · ${a("i")}([i = ${unit}] − ${a(unit)}) = ${deltaValue}`);
    } else {
      lines.push(`${delta} = ∂L/∂${z} = ${deltaValue}`);
    }
    const gradB = model.db ? model.db[layer - 1][j] : null;
    if (model.db) lines.push(`${bias} = ${plain(b)},  ∂L/∂${bias} = Σₙ ${delta} = ${plain(gradB)}`);
    if (show.update && model.b_next) {
      const eta = model.learningRate;
      const working = eta === undefined ? "" : ` = ${factor(b)} − ${factor(eta)} × ${factor(gradB)}`;
      lines.push(`${bias} ← ${bias} − η·∂L/∂${bias}${working} = ${plain(model.b_next[layer - 1][j])}`);
    }
  } else {
    lines.push(`${bias} = ${plain(b)}`);
  }
  return lines;
}

/** Lines describing weight W_layer[j][k]: W, ∂L/∂W = Σ a δ and its update, numbers filled in. */
export function weightDetails(model, layer, j, k, sample = 0, reveal = null, titles = {}) {
  const depth = model.sizes.length - 1;
  const show = reveal || { forward: depth, backward: 1, update: true };
  const w = cell(model.weights[layer - 1], j, k);
  const W = sym("W", layer, j + 1, k + 1);
  const title = titles.weight ? titles.weight(layer, j, k) : t("common.graph_weight", { layer, j: j + 1, k: k + 1 });
  const lines = [`<b>${escape(title)}</b>`, `${W} = ${plain(w)}`];
  if (!model.dW || layer < show.backward) return lines;
  const grad = cell(model.dW[layer - 1], j, k);
  const prev = model.layers?.[layer - 1];
  const here = model.layers?.[layer];
  const a = sym("a", layer - 1, j + 1);
  const delta = sym("δ", layer, k + 1);
  if (prev && here?.delta) {
    const rows = here.delta.length;
    const term = (n) => `${factor(cell(prev.a, n, j))} × ${factor(cell(here.delta, n, k))}`;
    if (rows === 1) {
      lines.push(`∂L/∂${W} = ${a} · ${delta} = ${term(0)} = ${plain(grad)}`);
    } else if (rows <= 3) {
      const terms = Array.from({ length: rows }, (_, n) => `(${term(n)})`);
      lines.push(`∂L/∂${W} = Σₙ ${a} · ${delta} = ${terms.join(" + ")} = ${plain(grad)}`);
    } else {
      lines.push(`∂L/∂${W} = Σₙ ${a} · ${delta} = ${plain(grad)}`);
      lines.push(escape(t("common.graph_batch_term", { n: sample + 1, rows })) + `: ${term(sample)}`);
    }
  } else {
    lines.push(`∂L/∂${W} = ${plain(grad)}`);
  }
  if (show.update && model.W_next) {
    const eta = model.learningRate;
    const working = eta === undefined ? "" : ` = ${factor(w)} − ${factor(eta)} × ${factor(grad)}`;
    lines.push(`${W} ← ${W} − η·∂L/∂${W}${working} = ${plain(cell(model.W_next[layer - 1], j, k))}`);
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

/** Pixel geometry of the plot area, to keep printed labels from covering one another. */
function pixelFrame(element, xRange, yRange, height) {
  const width = Math.max(200, (element.clientWidth || 800) - 20);
  const h = height - 20;
  return {
    x: (x) => ((x - xRange[0]) / (xRange[1] - xRange[0])) * width,
    y: (y) => ((yRange[1] - y) / (yRange[1] - yRange[0])) * h,
    unitX: width / (xRange[1] - xRange[0]),
  };
}

/** Boxes already taken; `place` takes the first candidate box that overlaps none of them. */
function occupancy() {
  const boxes = [];
  const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  return {
    add: (box) => boxes.push(box),
    place(candidates) {
      for (const box of candidates) {
        if (!boxes.some((b) => overlaps(b, box))) {
          boxes.push(box);
          return box;
        }
      }
      return null;
    },
  };
}

const textBox = (cx, cy, text, fontSize) => {
  const w = text.length * fontSize * 0.62 + 4;
  const h = fontSize * 1.3;
  return { x0: cx - w / 2, x1: cx + w / 2, y0: cy - h / 2, y1: cy + h / 2 };
};

// Where along an edge a value may sit, best first: near the source, like textbook figures.
const ALONG = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75];

/** Draw (or redraw) the network in `element`. See the header comment for the contract. */
export function drawNetworkGraph(element, model, options = {}) {
  const view = options.view || "weights";
  const sample = options.sample || 0;
  const depth = model.sizes.length - 1;
  const reveal = revealOf(options, depth);
  const highlight = options.highlight || {};
  const fontSize = options.fontSize || 12;
  const titles = options.titles || {};
  const pos = positions(model.sizes);
  const matrices = viewMatrices(model, view === "updated" && !reveal.update ? "weights" : view);
  const edgeCount = matrices.reduce((s, M) => s + M.length * (M[0]?.length || 0), 0);
  const nodeCount = model.sizes.reduce((s, n) => s + n, 0);
  const edgeValues = options.showValues !== false && edgeCount <= MAX_VALUE_EDGES;
  const nodeValues = options.showValues !== false && nodeCount <= MAX_VALUE_NODES;
  const targets = nodeValues && reveal.forward >= depth ? model.targets?.[sample] : null;

  const maxUnits = Math.max(...model.sizes);
  const height = options.height || Math.max(320, Math.min(760, 120 + maxUnits * 90));
  const xRange = [-0.45, depth + (model.targets ? 0.8 : 0.45)];
  const yRange = [-(maxUnits - 1) / 2 - 0.6, (maxUnits - 1) / 2 + 1.0];
  const frame = pixelFrame(element, xRange, yRange, height);
  const taken = occupancy();
  const nodeSize = nodeValues ? Math.round(Math.max(46, (fontSize - 1) * 3.4)) : 22; // fits "0.625"
  const nodeBoxes = pos.flat().map(([x, y]) => {
    const cx = frame.x(x), cy = frame.y(y);
    return { x0: cx - nodeSize / 2, x1: cx + nodeSize / 2, y0: cy - nodeSize / 2, y1: cy + nodeSize / 2 };
  });
  nodeBoxes.forEach(taken.add);
  // A weight's hover target must sit clear of every neuron, or a tap there finds the neuron.
  const clearOfNeurons = (cx, cy) =>
    !nodeBoxes.some((b) => cx > b.x0 - 8 && cx < b.x1 + 8 && cy > b.y0 - 8 && cy < b.y1 + 8);
  model.sizes.forEach((_, l) => {
    // Each layer's title: two lines (its name, its activation) above the top neuron.
    const width = Math.max(10, actName(model.activations[l - 1]).length) * fontSize * 0.62;
    const cy = frame.y((maxUnits - 1) / 2 + 0.65);
    taken.add({ x0: frame.x(l) - width / 2, x1: frame.x(l) + width / 2, y0: cy - fontSize * 1.4, y1: cy + fontSize * 1.4 });
  });
  const traces = [];

  // Neurons: a inside (when revealed), δ below (when revealed), the target beside each output.
  const nx = [], ny = [], ntext = [], nhover = [], ndata = [], nfill = [], nline = [], nwidth = [];
  const dx = [], dy = [], dtext = [];
  const tx = [], ty = [], ttext = [];
  model.sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const [x, y] = pos[l][j];
      const info = model.layers?.[l];
      const forward = l <= reveal.forward && info;
      nx.push(x);
      ny.push(y);
      ntext.push(nodeValues && forward ? plain(cell(info.a, sample, j), 3) : "");
      nhover.push(neuronDetails(model, l, j, sample, reveal, titles).join("<br>"));
      ndata.push([l, j]);
      nfill.push(l === 0 ? "#e2e8f0" : forward ? "#e0f2fe" : "#f8fafc");
      const selected = highlight.neuron && highlight.neuron[0] === l && highlight.neuron[1] === j;
      const active = highlight.layer === l;
      nline.push(selected ? "#f97316" : active ? "#0ea5e9" : "#334155");
      nwidth.push(selected ? 4 : active ? 3 : 1.5);
      if (l >= 1 && l >= reveal.backward && info?.delta && nodeValues) {
        const text = `δ=${plain(cell(info.delta, sample, j), 3)}`;
        if (taken.place([textBox(frame.x(x), frame.y(y - 0.3), text, fontSize - 1)])) {
          dx.push(x);
          dy.push(y - 0.3);
          dtext.push(text);
        }
      }
      if (l === depth && targets) {
        const text = `t=${plain(targets[j], 3)}`;
        const shift = (nodeSize / 2 + 4) / frame.unitX;
        const width = (text.length * (fontSize - 1) * 0.62 + 4) / frame.unitX;
        const cx = x + shift + width / 2;
        if (taken.place([textBox(frame.x(cx), frame.y(y), text, fontSize - 1)])) {
          tx.push(cx);
          ty.push(y);
          ttext.push(text);
        }
      }
    }
  });

  // Hover/click targets for the weights, and their printed values where they fit.
  const wx = [], wy = [], wtext = [], whover = [], wdata = [], wsize = [], wline = [];
  const edges = [];
  (edgeCount <= MAX_WEIGHT_TARGETS ? matrices : []).forEach((M, l) => {
    M.forEach((row, j) => row.forEach((v, k) => edges.push({ l, j, k, v, n: row.length })));
  });
  const hl = highlight.weight;
  const isSelected = (e) => hl && hl[0] === e.l + 1 && hl[1] === e.j && hl[2] === e.k;
  // The selected weight's value is placed first, so it always shows.
  const order = [...edges].sort((a, b) => Number(isSelected(b)) - Number(isSelected(a)));
  const spot = new Map();
  for (const e of order) {
    const [x0, y0] = pos[e.l][e.j];
    const [x1, y1] = pos[e.l + 1][e.k];
    const at = (f) => [x0 + f * (x1 - x0), y0 + f * (y1 - y0)];
    const fractions = [labelAt(e.k, e.n), ...ALONG].filter((f) => {
      const [x, y] = at(f);
      return clearOfNeurons(frame.x(x), frame.y(y));
    });
    let where = at(fractions[0] ?? 0.5);
    let text = "";
    if (edgeValues) {
      const label = plain(e.v, 3);
      const boxes = fractions.map((f) => {
        const [x, y] = at(f);
        return { ...textBox(frame.x(x), frame.y(y), label, fontSize - 1), x, y };
      });
      const box = isSelected(e) && boxes.length ? (taken.add(boxes[0]), boxes[0]) : taken.place(boxes);
      if (box) {
        where = [box.x, box.y];
        text = label;
      }
    }
    spot.set(e, { where, text });
  }
  for (const e of edges) {
    const { where, text } = spot.get(e);
    wx.push(where[0]);
    wy.push(where[1]);
    wtext.push(text);
    whover.push(weightDetails(model, e.l + 1, e.j, e.k, sample, reveal, titles).join("<br>"));
    wdata.push([e.l + 1, e.j, e.k]);
    wsize.push(isSelected(e) ? 16 : 12);
    wline.push(isSelected(e) ? 3 : 0);
  }
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
      color: wtext.map((s) => (s ? "rgba(255,255,255,0.85)" : "rgba(255,255,255,0.01)")),
      line: { color: "#f97316", width: wline },
    },
    showlegend: false,
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
    marker: { size: nodeSize, color: nfill, line: { color: nline, width: nwidth } },
    showlegend: false,
  });
  traces.push({
    type: "scatter",
    mode: "text",
    meta: "deltas",
    x: dx,
    y: dy,
    text: dtext,
    textfont: { size: fontSize - 1, color: "#c2410c" },
    hoverinfo: "skip",
    showlegend: false,
  });
  traces.push({
    type: "scatter",
    mode: "text",
    meta: "targets",
    x: tx,
    y: ty,
    text: ttext,
    textfont: { size: fontSize - 1, color: "#475569" },
    hoverinfo: "skip",
    showlegend: false,
  });

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
    height,
    xaxis: { visible: false, range: xRange, fixedrange: true },
    yaxis: { visible: false, range: yRange, fixedrange: true },
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
    let touchedAt = -Infinity;
    element.on("plotly_click", (event) => {
      const point = event.points?.[0];
      const current = element.networkGraphOptions || {};
      if (!point) return;
      // A tap is reported twice: from the touch, then from the emulated mouse click, which
      // carries the previous hover's point. Only the touch's report counts.
      const now = performance.now();
      if (event.event?.type?.startsWith("touch")) touchedAt = now;
      else if (now - touchedAt < 1000) return;
      const kind = point.data.meta;
      if (kind === "weights" && current.onWeightClick) current.onWeightClick(...point.customdata);
      if (kind === "neurons" && current.onNeuronClick) current.onNeuronClick(...point.customdata);
    });
  }
}
