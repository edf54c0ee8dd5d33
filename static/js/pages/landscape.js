// /landscape: the loss over two chosen weights (all others held), the gradient arrow at the
// start point, and the SGD / momentum / Adam paths, all from one POST /api/v1/landscape.
// Clicking the contour moves the start point; the view (grid range) stays where it is.

import { postJSON, showError } from "../api.js";
import { drawContourPaths } from "../charts/contour_paths.js";
import { drawSurfacePaths } from "../charts/surface_paths.js";
import { bounds, catalog, fillSelect, fmt, latest, pick, rendered } from "../helpers.js";
import { t } from "../i18n.js";
import { defineState, readState } from "../urlstate.js";

const $ = (id) => document.getElementById(id);

// Networks and data to explore (data, not math: every number drawn comes from the API).
const PRESETS = {
  mazur: {
    spec: {
      layers: [2, 2, 2],
      activations: "sigmoid",
      dtype: "float64",
      weights: [
        [
          [0.15, 0.25],
          [0.2, 0.3],
        ],
        [
          [0.4, 0.5],
          [0.45, 0.55],
        ],
      ],
      biases: [
        [0.35, 0.35],
        [0.6, 0.6],
      ],
      inputs: [[0.05, 0.1]],
      targets: [[0.01, 0.99]],
      loss: "half_sse",
    },
    view: { a: "2:W:0:0", b: "2:W:1:1", lr: 0.5, steps: 60, span: 8 },
  },
  xor: {
    spec: {
      layers: [2, 2, 1],
      activations: "sigmoid",
      dtype: "float64",
      weights: [
        [
          [4.5, -3.2],
          [4.4, -3.3],
        ],
        [[1.0], [1.2]],
      ],
      biases: [[-1.8, 5.0], [-0.4]],
      inputs: [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
      targets: [[0], [1], [1], [0]],
      loss: "mse",
    },
    view: { a: "2:W:0:0", b: "2:W:1:0", lr: 2, steps: 100, span: 6 },
  },
  line: {
    spec: {
      layers: [1, 1],
      activations: "linear",
      dtype: "float64",
      weights: [[[-1.5]]],
      biases: [[-1.0]],
      inputs: [[-1], [-0.5], [0], [0.5], [1], [1.5]],
      targets: [[-0.9], [0.1], [1.05], [1.9], [3.1], [3.95]],
      loss: "mse",
    },
    view: { a: "1:W:0:0", b: "1:b:0:0", lr: 0.3, steps: 40, span: 4, range_a: [-2.5, 5], range_b: [-3, 4] },
  },
  bowl: {
    spec: {
      layers: [2, 1],
      activations: "linear",
      dtype: "float64",
      weights: [[[-1.5], [-3.0]]],
      biases: [[0.0]],
      inputs: [
        [-3, 0.2],
        [-1.5, -0.3],
        [0, 0.1],
        [1.5, 0.3],
        [3, -0.2],
        [2, 0.25],
      ],
      targets: [[-2.6], [-2.1], [0.2], [2.1], [2.6], [2.5]],
      loss: "mse",
    },
    view: { a: "1:W:0:0", b: "1:W:1:0", lr: 0.15, steps: 60, span: 4, range_a: [-2.5, 3.5], range_b: [-4, 6] },
  },
};
const ADAM_LR = 0.1; // Adam's own rate (see requestBody)
const RESOLUTION = 41;
// Each path has its own colour, width, dash and marker, and SGD is drawn first, wide and
// pale: where two paths coincide (SGD and momentum often start alike) both stay visible.
const OPTIMIZERS = [
  { name: "sgd", color: "#38bdf8", width: 9, opacity: 0.8, dash: "solid", symbol: "circle" },
  { name: "momentum", color: "#f97316", width: 2.5, opacity: 1, dash: "solid", symbol: "square" },
  { name: "adam", color: "#16a34a", width: 2.5, opacity: 1, dash: "dot", symbol: "diamond" },
];

const controls = {
  preset: $("land-preset"),
  a: $("land-weight-a"),
  b: $("land-weight-b"),
  lr: $("land-lr"),
  adamLr: $("land-adam-lr"),
  steps: $("land-steps"),
  resolution: $("land-resolution"),
  span: $("land-span"),
};
const contour = $("land-contour");
const surface = $("land-surface");
const errorBox = $("land-error");

let state = null;
let reg = null; // the catalog: the learning-rate bounds and the landscape limits
const fetchLandscape = latest();
let clickBound = false;
const webgl = (() => {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl") || canvas.getContext("experimental-webgl"));
  } catch {
    return false;
  }
})();

function parseWeight(value) {
  const [layer, param, row, col] = value.split(":");
  return { layer: Number(layer), param, row: Number(row), col: Number(col) };
}

function weightLabel({ layer, param, row, col }) {
  return param === "b" ? `b${layer}[${col}]` : `W${layer}[${row},${col}]`;
}

/** Every weight and bias of a network with these layer sizes, in order. */
function weightOptions(layers) {
  const options = [];
  for (let layer = 1; layer < layers.length; layer++) {
    for (let row = 0; row < layers[layer - 1]; row++) {
      for (let col = 0; col < layers[layer]; col++) options.push({ layer, param: "W", row, col });
    }
    for (let col = 0; col < layers[layer]; col++) options.push({ layer, param: "b", row: 0, col });
  }
  return options;
}

const weightId = (w) => `${w.layer}:${w.param}:${w.row}:${w.col}`;

function fillWeightOptions(layers) {
  for (const select of [controls.a, controls.b]) {
    fillSelect(select, weightOptions(layers).map(weightId), (id) => weightLabel(parseWeight(id)));
  }
}

/** The page's URL state; what the link leaves out comes from its preset. */
function stateTable(key) {
  const view = PRESETS[key].view;
  const rate = bounds(reg.optimizers.find((o) => o.name === "sgd"), "learning_rate");
  const pair = { type: "array", of: { type: "number" }, minLength: 2, maxLength: 2, nullable: true, default: null };
  return defineState([
    { name: "preset", type: "enum", values: Object.keys(PRESETS), default: key },
    { name: "a", type: "string", maxLength: 40, default: view.a },
    { name: "b", type: "string", maxLength: 40, default: view.b },
    { name: "lr", ...rate, default: view.lr },
    { name: "adamLr", ...rate, default: ADAM_LR },
    { name: "steps", type: "int", min: 0, max: reg.limits.max_landscape_steps, default: view.steps },
    { name: "resolution", type: "int", min: 2, max: reg.limits.max_landscape_resolution, default: RESOLUTION },
    { name: "span", type: "number", min: 0, minExclusive: true, default: view.span },
    { name: "range_a", ...pair, default: view.range_a ?? null },
    { name: "range_b", ...pair, default: view.range_b ?? null },
    { name: "start", ...pair },
  ]);
}

const presetState = (key) => stateTable(key).defaults();

/** The URL's state: its preset's defaults for what it leaves out, weights the preset has. */
function savedState() {
  const key = pick(readState()?.preset, Object.keys(PRESETS), "mazur");
  const saved = stateTable(key).read();
  const { view, spec } = PRESETS[key];
  const ids = weightOptions(spec.layers).map(weightId);
  return { ...saved, a: pick(saved.a, ids, view.a), b: pick(saved.b, ids, view.b) };
}

function showControls() {
  fillWeightOptions(PRESETS[state.preset].spec.layers);
  controls.preset.value = state.preset;
  controls.a.value = state.a;
  controls.b.value = state.b;
  controls.lr.value = String(state.lr);
  controls.adamLr.value = String(state.adamLr);
  controls.steps.value = String(state.steps);
  controls.resolution.value = String(state.resolution);
  controls.span.value = String(state.span);
}

function requestBody() {
  const body = {
    ...PRESETS[state.preset].spec,
    weight_a: parseWeight(state.a),
    weight_b: parseWeight(state.b),
    learning_rate: state.lr,
    // Adam's step is about its learning rate in weight units, whatever the gradient's size,
    // so it gets its own rate; SGD and momentum share the other.
    optimizers: [{ name: "sgd" }, { name: "momentum" }, { name: "adam", learning_rate: state.adamLr }],
    path_steps: state.steps,
    resolution: state.resolution,
    span: state.span,
  };
  if (state.range_a) body.range_a = state.range_a;
  if (state.range_b) body.range_b = state.range_b;
  if (state.start) body.start = state.start;
  return body;
}

/** The arrow's tip: along −g, 15% of the view long (axes scaled separately). */
function arrowTip(data) {
  const [ga, gb] = data.current.gradient;
  if (ga === null || gb === null || (ga === 0 && gb === 0)) return null;
  const width = data.a[data.a.length - 1] - data.a[0];
  const height = data.b[data.b.length - 1] - data.b[0];
  const scale = 0.15 / Math.hypot(ga / width, gb / height);
  return { a: data.current.a - scale * ga, b: data.current.b - scale * gb };
}

/** Share of path p's points that lie on path q's line (within 0.5% of the view). */
function shareOn(p, q, width, height) {
  const at = (path, k) => [path.a[k] / width, path.b[k] / height];
  const valid = (path, k) => path.a[k] !== null && path.b[k] !== null;
  let on = 0;
  let count = 0;
  for (let k = 0; k < p.a.length; k++) {
    if (!valid(p, k)) continue;
    count += 1;
    const [x, y] = at(p, k);
    for (let j = 0; j + 1 < q.a.length; j++) {
      if (!valid(q, j) || !valid(q, j + 1)) continue;
      const [x0, y0] = at(q, j);
      const [x1, y1] = at(q, j + 1);
      const dx = x1 - x0;
      const dy = y1 - y0;
      const s = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy || 1)));
      if (Math.hypot(x - x0 - s * dx, y - y0 - s * dy) < 0.005) {
        on += 1;
        break;
      }
    }
  }
  return count ? on / count : 0;
}

/** Legend names that say when a path runs along another (most of its points on it). */
function legendNames(paths, data) {
  const width = data.a[data.a.length - 1] - data.a[0] || 1;
  const height = data.b[data.b.length - 1] - data.b[0] || 1;
  return paths.map((p) => {
    const along = paths.find((q) => q !== p && shareOn(p, q, width, height) >= 0.5);
    return along ? t("landscape.coincides", { name: p.name, other: along.name }) : p.name;
  });
}

function draw(data) {
  const xTitle = `w_a = ${data.weight_a.label}`;
  const yTitle = `w_b = ${data.weight_b.label}`;
  const named = data.paths.map((p, k) => ({
    ...p,
    ...OPTIMIZERS[k % OPTIMIZERS.length],
    name: t(`landscape.${p.optimizer}`), // the lesson's names: "Momentum (0.9)"
  }));
  const legends = legendNames(named, data);
  const paths = named.map((p, k) => ({ ...p, legend: legends[k] }));
  drawContourPaths(contour, {
    a: data.a,
    b: data.b,
    loss: data.loss,
    paths,
    start: data.current,
    arrow: arrowTip(data),
    xTitle,
    yTitle,
    lossTitle: t("landscape.loss"),
    startLabel: t("landscape.start"),
  });
  const surfaceDrawn = !webgl
    ? null
    : drawSurfacePaths(surface, {
      a: data.a,
      b: data.b,
      loss: data.loss,
      paths,
      xTitle: data.weight_a.label,
      yTitle: data.weight_b.label,
        lossTitle: t("landscape.loss"),
      }).catch((error) => showError(errorBox, error));
  $("land-no-webgl").hidden = webgl;
  $("land-current-a").textContent = fmt(data.current.a, 6);
  $("land-current-b").textContent = fmt(data.current.b, 6);
  $("land-current-loss").textContent = fmt(data.current.loss, 8);
  $("land-grad-a").textContent = fmt(data.current.gradient[0], 6);
  $("land-grad-b").textContent = fmt(data.current.gradient[1], 6);
  const body = $("land-paths").querySelector("tbody");
  body.replaceChildren();
  for (const p of paths) {
    const row = document.createElement("tr");
    const last = p.a.length - 1;
    for (const text of [
      p.name,
      fmt(p.learning_rate, 4),
      fmt(p.final_loss, 6),
      `(${fmt(p.a[last], 4)}, ${fmt(p.b[last], 4)})`,
    ]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    row.dataset.optimizer = p.optimizer;
    body.append(row);
  }
  if (!clickBound && typeof contour.on === "function") {
    contour.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      if (point) moveStart(point.x, point.y);
    });
    clickBound = true;
  }
  contour.dataset.start = `${data.current.a},${data.current.b}`;
  // One draw is both figures: the signal waits for the surface too.
  Promise.resolve(surfaceDrawn).then(rendered);
}

let lastView = null; // the grid range of the drawn view: a click keeps it

async function update() {
  stateTable(state.preset).write(state);
  contour.setAttribute("aria-busy", "true");
  const outcome = await fetchLandscape((signal) => postJSON("/api/v1/landscape", requestBody(), signal));
  if (!outcome) return;
  contour.removeAttribute("aria-busy");
  showError(errorBox, outcome.error ?? null);
  if (outcome.error) return;
  const data = outcome.value;
  lastView = {
    range_a: [data.a[0], data.a[data.a.length - 1]],
    range_b: [data.b[0], data.b[data.b.length - 1]],
  };
  draw(data);
}

function moveStart(a, b) {
  if (lastView) Object.assign(state, lastView);
  state.start = [a, b];
  update();
}

function readNumbers() {
  state.lr = Number(controls.lr.value);
  state.adamLr = Number(controls.adamLr.value);
  state.steps = Number(controls.steps.value);
  state.resolution = Number(controls.resolution.value);
  state.span = Number(controls.span.value);
}

async function start() {
  reg = await catalog();
  controls.steps.max = String(reg.limits.max_landscape_steps);
  controls.resolution.max = String(reg.limits.max_landscape_resolution);
  state = savedState();
  showControls();
  controls.preset.addEventListener("change", () => {
    state = presetState(controls.preset.value);
    showControls();
    update();
  });
  for (const select of [controls.a, controls.b]) {
    select.addEventListener("change", () => {
      state.a = controls.a.value;
      state.b = controls.b.value;
      // A new pair of axes: view around the network's own values again.
      Object.assign(state, { range_a: null, range_b: null, start: null });
      update();
    });
  }
  for (const input of [controls.lr, controls.adamLr, controls.steps, controls.resolution]) {
    input.addEventListener("change", () => {
      readNumbers();
      update();
    });
  }
  controls.span.addEventListener("change", () => {
    readNumbers();
    Object.assign(state, { range_a: null, range_b: null });
    update();
  });
  $("land-reset").addEventListener("click", () => {
    const fresh = presetState(state.preset);
    Object.assign(state, { start: null, range_a: fresh.range_a, range_b: fresh.range_b });
    update();
  });
  update();
}

start();
