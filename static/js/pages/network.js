// /network: build a small network, see every z, a, δ, ∂L/∂W and the SGD step on it.
// All numbers come from POST /api/v1/backprop; this module only keeps the state and draws.
// Nothing from the URL or an imported file is inserted as HTML or evaluated: it is parsed
// as JSON, copied field by field into a clean state, and sent to the API, which validates it.

import { getJSON, postJSON, showError } from "../api.js";
import { drawActivationMarks } from "../charts/activation_marks.js";
import { drawNetworkGraph, neuronDetails, weightDetails } from "../charts/network_graph.js";
import { plain, sym } from "../charts/notation.js";
import { catalog, fillSelect, fmt, latest, pick, rendered, shortest } from "../helpers.js";
import { t } from "../i18n.js";
import { defineState } from "../urlstate.js";
import { renderFormulas } from "./network_formulas.js";

const $ = (id) => document.getElementById(id);
const PLAY_INTERVAL_MS = 1400;
const DEFAULT_PRESET = "multilayer_232";

let config = null; // GET /api/v1/network/config: the presets
let reg = null; // GET /api/v1/catalog: activations, losses, initializers, dtypes, limits
let urlState = null;
let state = null;
let result = null;
let stage = null; // null: everything shown; 0 … 2L+1 while stepping through
let playTimer = null;
let computeTimer = null;
const backprop = latest();
let drawnSize = ""; // the graph's width (and, presenting, the window's height) when last drawn
let lastPointer = "mouse"; // how the graph was last touched: a tap selects, a click edits
const curves = new Map();
const MAX_PICK_WEIGHTS = 1500; // the "Follow" list names every weight up to this many

// ---- state: a clean copy of anything (preset, URL, imported file) -----------------------

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const names = (items) => items.map((item) => item.name);
const zeros = (n) => Array.from({ length: n }, () => 0);

function matrixOf(value, rows, cols) {
  if (!Array.isArray(value) || value.length !== rows) return null;
  for (const r of value) if (!Array.isArray(r) || r.length !== cols || !r.every(isNum)) return null;
  return value.map((r) => r.slice());
}

function vectorOf(value, size) {
  return Array.isArray(value) && value.length === size && value.every(isNum) ? value.slice() : null;
}

function activationOf(item) {
  const name = typeof item === "string" ? item : item && typeof item === "object" ? item.name : null;
  const act = { name: pick(name, names(reg.activations), "sigmoid") };
  const alpha = reg.activations.find((a) => a.name === act.name).params.find((p) => p.name === "alpha");
  if (alpha) {
    const given = item && typeof item === "object" ? item.alpha : undefined;
    act.alpha = isNum(given) ? given : alpha.default;
  }
  return act;
}

/** The page's URL state, declared once. Matrices are JSON here: their shapes depend on
 * `layers`, so sanitize() checks them against it. */
function stateTable() {
  const { max_layers: maxLayers, max_units: maxUnits } = reg.limits;
  const json = (name) => ({ name, type: "json", default: null });
  return defineState([
    { name: "layers", type: "array", of: { type: "int", min: 1, max: maxUnits }, minLength: 2, maxLength: maxLayers + 1, default: [2, 3, 2] },
    json("activations"),
    json("weights"),
    json("biases"),
    { name: "init", type: "enum", values: names(reg.initializers), default: "glorot_uniform" },
    { name: "seed", type: "int", min: 0, default: 0 },
    { name: "dtype", type: "enum", values: names(reg.dtypes), default: "float32" },
    { name: "loss", type: "enum", values: names(reg.losses), default: "mse" },
    { name: "from_logits", type: "bool", default: false },
    { name: "reduction", type: "enum", values: ["mean", "sum"], default: "mean" },
    { name: "learning_rate", type: "number", default: 0.1 },
    { name: "train_biases", type: "bool", default: true },
    json("inputs"),
    json("targets"),
    { name: "view", type: "enum", values: ["weights", "gradients", "updated"], default: "weights" },
    { name: "sample", type: "int", min: 0, default: 0 },
    { name: "showValues", type: "bool", default: true },
    json("selection"),
  ]);
}

/** A valid page state from any object; unknown or malformed fields fall back to defaults. */
function sanitize(raw) {
  const src = urlState.clean(raw);
  const layers = src.layers;
  const depth = layers.length - 1;
  const acts = Array.isArray(src.activations) && src.activations.length === depth
    ? src.activations.map(activationOf)
    : Array.from({ length: depth }, () => activationOf(Array.isArray(src.activations) ? null : src.activations));
  const weights = Array.from({ length: depth }, (_, l) => matrixOf(src.weights?.[l], layers[l], layers[l + 1]));
  const biases = Array.from({ length: depth }, (_, l) => vectorOf(src.biases?.[l], layers[l + 1]));
  let inputs = Array.isArray(src.inputs) ? matrixOf(src.inputs, src.inputs.length, layers[0]) : null;
  if (!inputs || !inputs.length || inputs.length > reg.limits.max_batch) inputs = [zeros(layers[0]).map(() => 0.5)];
  const nOut = layers[depth];
  let targets = null;
  if (Array.isArray(src.targets) && src.targets.length === inputs.length) {
    if (src.targets.every(isNum)) {
      // class indices (or a single output's column), as the API also accepts them
      targets = src.targets.map((v) =>
        nOut === 1 ? [v] : zeros(nOut).map((_, k) => (k === v ? 1 : 0)),
      );
    } else {
      targets = matrixOf(src.targets, inputs.length, nOut);
    }
  }
  if (!targets) targets = inputs.map(() => zeros(nOut));
  const selection = src.selection && typeof src.selection === "object" ? src.selection : null;
  return {
    ...src,
    activations: acts,
    weights,
    biases,
    inputs,
    targets,
    sample: src.sample < inputs.length ? src.sample : 0,
    selection: cleanSelection(selection, layers),
  };
}

function cleanSelection(selection, layers) {
  const ok = (l, j) => Number.isInteger(l) && Number.isInteger(j) && l >= 0 && l < layers.length && j >= 0 && j < layers[l];
  const w = selection?.weight;
  if (Array.isArray(w) && w.length === 3 && w[0] >= 1 && ok(w[0] - 1, w[1]) && ok(w[0], w[2])) return { weight: w.slice() };
  const n = selection?.neuron;
  if (Array.isArray(n) && n.length === 2 && ok(n[0], n[1])) return { neuron: n.slice() };
  return { neuron: [layers.length - 1, 0] };
}

/** The /api/v1/backprop request for the current state (also what "Export JSON" saves). */
function requestBody() {
  return {
    layers: state.layers,
    activations: state.activations.map((a) => (a.name === "leaky_relu" ? { name: a.name, alpha: a.alpha } : a.name)),
    weights: state.weights,
    biases: state.biases,
    init: state.init,
    seed: state.seed,
    dtype: state.dtype,
    loss: state.loss,
    from_logits: state.from_logits,
    reduction: state.reduction,
    learning_rate: state.learning_rate,
    train_biases: state.train_biases,
    inputs: state.inputs,
    targets: state.targets,
  };
}

function persist() {
  urlState.write({
    ...requestBody(),
    view: state.view,
    sample: state.sample,
    showValues: state.showValues,
    selection: state.selection,
  });
}

/** After a change of layer sizes: keep what still fits, let `init` fill the rest. */
function reshape() {
  const L = state.layers;
  state.weights = state.weights.map((W, l) => matrixOf(W, L[l], L[l + 1]));
  state.biases = state.biases.map((b, l) => vectorOf(b, L[l + 1]));
  const fit = (row, n) => Array.from({ length: n }, (_, i) => (isNum(row[i]) ? row[i] : 0));
  state.inputs = state.inputs.map((row) => fit(row, L[0]));
  state.targets = state.targets.map((row) => fit(row, L[L.length - 1]));
  state.selection = cleanSelection(state.selection, L);
}

// ---- computing ------------------------------------------------------------------------

function scheduleCompute(delay = 250) {
  clearTimeout(computeTimer);
  computeTimer = setTimeout(compute, delay);
}

async function compute() {
  clearTimeout(computeTimer);
  document.body.classList.add("nv-busy");
  const outcome = await backprop((signal) => postJSON("/api/v1/backprop", requestBody(), signal));
  if (!outcome) return null;
  document.body.classList.remove("nv-busy");
  showError($("nv-error"), outcome.error ?? null);
  if (outcome.error) return null;
  const response = outcome.value;
  result = response;
  // Adopt the weights the API used (init fills what was not given), so links are exact.
  state.weights = response.params.map((p) => p.W);
  state.biases = response.params.map((p) => p.b);
  persist();
  await render();
  return response;
}

// ---- step through ---------------------------------------------------------------------

const depthOf = () => state.layers.length - 1;

function stageInfo() {
  const L = depthOf();
  if (stage === null) return { reveal: null, layer: null, text: "" };
  if (stage <= L) {
    return {
      reveal: { forward: stage, backward: L + 1, update: false },
      layer: stage,
      text: stage === 0 ? t("network.stage_inputs") : t("network.stage_forward", { layer: stage, depth: L }),
    };
  }
  if (stage <= 2 * L) {
    const layer = 2 * L + 1 - stage;
    return {
      reveal: { forward: L, backward: layer, update: false },
      layer,
      text: t("network.stage_backward", { layer, depth: L }),
    };
  }
  return { reveal: { forward: L, backward: 1, update: true }, layer: null, text: t("network.stage_update") };
}

function setStage(next) {
  const L = depthOf();
  const finished = next !== null && next > 2 * L + 1;
  stage = finished ? null : next;
  const info = stageInfo();
  if (info.layer !== null && info.layer >= 1 && !state.selection.weight) {
    if (state.selection.neuron?.[0] !== info.layer) state.selection = { neuron: [info.layer, 0] };
  }
  if (stage === 2 * L + 1) setView("updated");
  // Past the update the neurons still hold the old W's values: the edges go back to W too.
  else if ((stage !== null || finished) && state.view === "updated") setView("weights");
  announce(finished);
  render();
}

function step() {
  setStage(stage === null ? 0 : stage + 1);
  if (stage === null) pause();
}

/** One step back through the walk; from "everything shown", back to the update. */
function back() {
  pause();
  setStage(stage === null ? 2 * depthOf() + 1 : Math.max(0, stage - 1));
}

/** The live region: what this step revealed, with its numbers (screen readers read it out). */
function announce(finished = false) {
  const live = $("nv-live");
  if (!result) return;
  const sample = Math.min(state.sample, result.layers[0].a.length - 1);
  const L = depthOf();
  const values = (matrix) => {
    const row = matrix?.[sample] || [];
    const shown = row.slice(0, 8).map((v) => plain(v));
    return row.length > 8 ? `${shown.join(", ")}, …` : shown.join(", ");
  };
  if (stage === null) {
    live.textContent = finished ? t("network.live_done", { loss: fmt(result.loss, 9) }) : "";
  } else if (stage === 0) {
    live.textContent = t("network.live_inputs", { values: values(result.layers[0].a) });
  } else if (stage <= L) {
    const layer = result.layers[stage];
    live.textContent = t("network.live_forward", { layer: stage, z: values(layer.z), a: values(layer.a) });
  } else if (stage <= 2 * L) {
    const layer = 2 * L + 1 - stage;
    live.textContent = t("network.live_backward", { layer, delta: values(result.layers[layer].delta) });
  } else {
    live.textContent = t("network.live_update", { eta: plain(result.learning_rate) });
  }
}

/** Keys a presentation clicker sends; never while the focus is in a field or a dialog is open. */
function onKey(event) {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || !result) return;
  if ($("nv-weight-dialog").open) return;
  const target = event.target;
  const tag = target?.tagName;
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target?.isContentEditable) return;
  const activates = tag === "BUTTON" || tag === "A" || tag === "SUMMARY"; // Space clicks these
  const key = event.key;
  if (key === "ArrowRight" || key === "PageDown" || (key === " " && !activates)) {
    pause();
    step();
  } else if (key === "ArrowLeft" || key === "PageUp") {
    back();
  } else if (key === "p" || key === "P") {
    play();
  } else {
    return;
  }
  event.preventDefault();
}

function play() {
  if (playTimer) return pause();
  if (stage === null || stage >= 2 * depthOf() + 1) setStage(0);
  playTimer = setInterval(step, PLAY_INTERVAL_MS);
  $("nv-play").setAttribute("aria-pressed", "true");
  $("nv-play").textContent = t("network.pause");
}

function pause() {
  clearInterval(playTimer);
  playTimer = null;
  $("nv-play").setAttribute("aria-pressed", "false");
  $("nv-play").textContent = t("network.play");
}

async function applyStep() {
  if (!result) return;
  const finite = (values) => values.flat(2).every((v) => v !== null);
  if (!finite(result.params.map((p) => [p.W_next, p.b_next]))) {
    showError($("nv-error"), new Error(t("network.apply_non_finite")));
    return;
  }
  const before = result.loss;
  state.weights = result.params.map((p) => p.W_next);
  state.biases = result.params.map((p) => p.b_next);
  pause();
  stage = null;
  $("nv-preset").value = "";
  $("nv-live").textContent = "";
  setView("weights"); // the new W, with the neurons recomputed from it
  const after = await compute();
  if (after) $("nv-applied").textContent = t("network.applied", { before: fmt(before, 9), after: fmt(after.loss, 9) });
}

// ---- drawing --------------------------------------------------------------------------

function setView(view) {
  state.view = view;
  for (const radio of document.querySelectorAll('input[name="nv-view"]')) radio.checked = radio.value === view;
}

function graphModel() {
  return {
    sizes: result.layers.map((l) => l.size),
    activations: result.layers.slice(1).map((l) => l.activation),
    weights: result.params.map((p) => p.W),
    biases: result.params.map((p) => p.b),
    dW: result.params.map((p) => p.dW),
    db: result.params.map((p) => p.db),
    W_next: result.params.map((p) => p.W_next),
    b_next: result.params.map((p) => p.b_next),
    layers: result.layers,
    learningRate: result.learning_rate,
    targets: state.targets,
  };
}

const graphTitles = () => ({
  unit: (layer, j) => (layer === 0 ? t("common.graph_input_unit", { j: j + 1 }) : t("network.unit_title", { layer, j: j + 1 })),
  weight: (layer, j, k) => t("network.weight_title", { layer, prev: layer - 1, j: j + 1, k: k + 1 }),
  target: t("network.target"),
});

/** What the drawing depends on: both figures' widths and, presenting, the window's height. */
const sizeKey = () =>
  `${$("nv-graph").clientWidth}/${$("nv-act-plot").clientWidth}x${presenting() ? window.innerHeight : 0}`;

/** On a projector the graph's type grows with the graph: readable from the back row. */
const graphFont = () =>
  presenting() ? Math.round(Math.min(24, Math.max(16, $("nv-graph").clientWidth / 46))) : 12;

/** In presenter mode the graph fills the window below its own top edge. */
function graphHeight() {
  if (!presenting()) return undefined;
  const top = $("nv-graph").getBoundingClientRect().top + window.scrollY;
  return Math.round(Math.max(280, Math.min(1000, window.innerHeight - top - 12)));
}

const presenting = () => document.body.classList.contains("presenter");

/** Draw the current state. A redraw for a new size (`resized`) shows nothing new, so it leaves
 * data-version, the "a new state is drawn" signal, alone. */
async function render({ resized = false } = {}) {
  renderBuild();
  if (!result) return;
  const info = stageInfo();
  const sample = Math.min(state.sample, result.layers[0].a.length - 1);
  $("nv-stage").textContent = info.text;
  $("nv-loss-value").textContent = info.reveal && info.reveal.forward < depthOf() ? "…" : fmt(result.loss, 9);
  renderCheck();
  renderWarnings();
  const updatedView = state.view === "updated" && (!info.reveal || info.reveal.update);
  $("nv-view-note").hidden = !updatedView;
  $("nv-view-note").textContent = updatedView ? t("network.view_note_updated") : "";
  const model = graphModel();
  const options = {
    view: state.view,
    showValues: state.showValues,
    sample,
    reveal: info.reveal || undefined,
    highlight: { layer: info.layer, neuron: state.selection.neuron, weight: state.selection.weight },
    fontSize: graphFont(),
    height: graphHeight(),
    titles: graphTitles(),
    onWeightClick: (layer, j, k) => {
      if (lastPointer === "touch") select({ weight: [layer, j, k] }); // a tap shows, the button edits
      else openWeightEditor(layer, j, k);
    },
    onNeuronClick: (layer, j) => select({ neuron: [layer, j] }),
  };
  drawnSize = sizeKey();
  const graph = drawNetworkGraph($("nv-graph"), model, options);
  renderPick();
  renderDetails(model, options);
  renderFormulas($("nv-formula"), {
    result,
    spec: state,
    targets: state.targets,
    selection: state.selection,
    sample,
    reveal: info.reveal,
  });
  if (presenting()) scrollFormulaToStage();
  const activation = renderActivation(sample, info.reveal);
  await Promise.all([graph, activation]);
  if (!resized) rendered(); // a redraw for a new size is not a new state
}

function select(selection) {
  state.selection = selection;
  persist();
  render();
}

/** The "Follow" list: every neuron and weight by its symbol, for the keyboard and for touch. */
function renderPick() {
  const picker = $("nv-pick");
  const sizes = state.layers;
  const key = sizes.join("-");
  if (picker.dataset.shape !== key) {
    const neurons = el("optgroup", { label: t("network.pick_neurons") });
    sizes.forEach((n, l) => {
      for (let j = 0; j < n; j++) {
        const title = l === 0 ? t("common.graph_input_unit", { j: j + 1 }) : t("network.unit_title", { layer: l, j: j + 1 });
        neurons.append(el("option", { value: `n:${l}:${j}`, textContent: `${sym("a", l, j + 1)} · ${title}` }));
      }
    });
    const weights = el("optgroup", { label: t("network.pick_weights") });
    const count = sizes.slice(1).reduce((total, n, l) => total + n * sizes[l], 0);
    if (count <= MAX_PICK_WEIGHTS) {
      for (let l = 1; l < sizes.length; l++) {
        for (let j = 0; j < sizes[l - 1]; j++) {
          for (let k = 0; k < sizes[l]; k++) {
            weights.append(el("option", { value: `w:${l}:${j}:${k}`, textContent: `${sym("W", l, j + 1, k + 1)} · ${t("network.weight_title", { layer: l, prev: l - 1, j: j + 1, k: k + 1 })}` }));
          }
        }
      }
    }
    picker.replaceChildren(neurons, weights);
    picker.dataset.shape = key;
  }
  const { weight, neuron } = state.selection;
  picker.value = weight ? `w:${weight.join(":")}` : `n:${neuron.join(":")}`;
  $("nv-edit-weight").disabled = !weight;
}

/** What hovering shows, for the selection, as text below the graph (a tap or a key gets it too). */
function renderDetails(model, options) {
  const { weight, neuron } = state.selection;
  const lines = weight
    ? weightDetails(model, ...weight, options.sample, options.reveal, options.titles)
    : neuronDetails(model, ...neuron, options.sample, options.reveal, options.titles);
  const text = (html) =>
    html.replace(/<[^>]*>/g, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
  $("nv-details").replaceChildren(
    ...lines.map((html, i) => el("p", { className: i === 0 ? "nv-details-title" : "", textContent: text(html) })),
  );
}

/** Presenter mode: keep the part of the formulas that this step is about in view. */
function scrollFormulaToStage() {
  const panel = $("nv-formula").closest(".nv-formula-panel");
  const L = depthOf();
  const part = stage === null ? null : stage <= L ? "forward" : stage <= 2 * L ? "delta" : "update";
  const target = part && $("nv-formula").querySelector(`[data-part="${part}"]`);
  if (target) panel.scrollTop = Math.max(0, target.offsetTop - panel.offsetTop - 8);
}

function renderCheck() {
  const badge = $("nv-check");
  const check = result.check;
  badge.className = `badge ${check.agrees ? "ok" : "bad"}`;
  badge.textContent = check.agrees
    ? t("network.check_ok", { diff: fmt(check.max_abs_diff, 2) })
    : t("network.check_bad", { diff: fmt(check.max_abs_diff, 2) });
  badge.title = check.method || "";
}

function renderWarnings() {
  const box = $("nv-warnings");
  box.replaceChildren(
    ...result.warnings.map((w) => {
      const item = document.createElement("div");
      item.className = "warning";
      item.dataset.code = w.code;
      const title = document.createElement("strong");
      title.textContent = `${t(`network.warn_${w.code}`)}: `;
      item.append(title, document.createTextNode(w.message));
      return item;
    }),
  );
}

async function renderActivation(sample, reveal) {
  const selection = state.selection;
  const layer = selection.weight ? selection.weight[0] : selection.neuron[0];
  const plot = $("nv-act-plot");
  const note = $("nv-act-note");
  const info = result.layers[layer];
  const name = info?.activation;
  $("nv-act-title").textContent = layer >= 1 ? t("network.activation_of", { layer, name }) : t("network.activation_panel");
  const hidden = layer === 0 || name === "softmax" || (reveal && layer > reveal.forward);
  if (hidden) {
    plot.hidden = true;
    $("nv-act-values").textContent = "";
    note.textContent = layer === 0 ? t("network.act_input") : name === "softmax" ? t("network.act_softmax") : t("network.act_wait");
    return;
  }
  const zs = info.z.flat().filter((v) => v !== null);
  const lo = Math.max(-50, Math.min(-6, Math.floor(Math.min(...zs) - 1)));
  const hi = Math.min(50, Math.max(6, Math.ceil(Math.max(...zs) + 1)));
  const alpha = info.activation_params?.alpha;
  const query = new URLSearchParams({ start: lo, stop: hi, num: 241 });
  if (alpha !== undefined) query.set("alpha", alpha);
  const url = `/api/v1/activations/${encodeURIComponent(name)}/curve?${query}`;
  try {
    if (!curves.has(url)) curves.set(url, await getJSON(url));
  } catch (error) {
    plot.hidden = true;
    note.textContent = error.message;
    return;
  }
  plot.hidden = false;
  note.textContent = t("network.act_note");
  const selectedUnit = selection.weight ? selection.weight[2] : selection.neuron[1];
  const marks = Array.from({ length: info.size }, (_, j) => ({
    label: sym("z", layer, j + 1),
    selected: j === selectedUnit,
    z: info.z[sample][j],
    a: info.a[sample][j],
    fprime: info.fprime ? info.fprime[sample][j] : null,
  })).filter((m) => m.z !== null);
  $("nv-act-values").textContent = marks
    .map((m) => `${m.label} = ${plain(m.z)}: f = ${plain(m.a)}, f′ = ${plain(m.fprime)}`)
    .join(";  ");
  await drawActivationMarks(plot, curves.get(url), marks, {
    fLabel: `${name}(z)`,
    dLabel: `${name}′(z)`,
    fontSize: presenting() ? 16 : 12,
  });
}

// ---- the build panel ------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element[key] = value;
  }
  element.append(...children);
  return element;
}

function changed({ structure = false, now = false } = {}) {
  if (structure) reshape();
  // Messages about the state before this edit no longer hold.
  $("nv-applied").textContent = "";
  $("nv-share-status").textContent = "";
  $("nv-live").textContent = "";
  $("nv-preset").value = "";
  stage = null;
  pause();
  renderBuild();
  if (now) compute();
  else scheduleCompute();
}

function renderBuild() {
  const { max_layers: maxLayers, max_units: maxUnits, max_batch: maxBatch } = reg.limits;
  const depth = depthOf();
  const rows = state.layers.map((units, l) => {
    const sizeRow = el(
      "span",
      { className: "nv-units" },
      el("button", {
        type: "button",
        textContent: "−",
        title: t("network.remove_unit"),
        disabled: units <= 1,
        dataset: { action: "unit-minus", layer: l },
        onclick: () => {
          state.layers[l] -= 1;
          changed({ structure: true });
        },
      }),
      el("output", { textContent: String(units) }),
      el("button", {
        type: "button",
        textContent: "+",
        title: t("network.add_unit"),
        disabled: units >= maxUnits,
        dataset: { action: "unit-plus", layer: l },
        onclick: () => {
          state.layers[l] += 1;
          changed({ structure: true });
        },
      }),
    );
    const label = l === 0 ? t("common.graph_input") : l === depth ? t("common.graph_output") : t("common.graph_hidden", { layer: l });
    const row = el("div", { className: "nv-layer", dataset: { layer: l } }, el("strong", { textContent: label }), sizeRow);
    if (l >= 1) {
      const act = state.activations[l - 1];
      const select = el("select", {
        ariaLabel: t("network.activation"),
        dataset: { role: "activation" },
        onchange: () => {
          state.activations[l - 1] = activationOf(select.value);
          changed();
        },
      });
      fillSelect(select, reg.activations);
      select.value = act.name;
      row.append(select);
      if (act.name === "leaky_relu") {
        const alpha = el("input", {
          type: "number",
          step: "any",
          value: String(act.alpha),
          title: "alpha",
          className: "nv-alpha",
          onchange: () => {
            if (isNum(alpha.valueAsNumber)) act.alpha = alpha.valueAsNumber;
            changed();
          },
        });
        row.append(el("label", { className: "nv-inline", textContent: "α " }, alpha));
      }
      if (depth > 1 && l < depth) {
        row.append(
          el("button", {
            type: "button",
            textContent: "✕",
            title: t("network.remove_layer"),
            dataset: { action: "remove-layer", layer: l },
            onclick: () => {
              state.layers.splice(l, 1);
              state.activations.splice(l - 1, 1);
              state.weights.splice(l - 1, 1);
              state.biases.splice(l - 1, 1);
              changed({ structure: true });
            },
          }),
        );
      }
    }
    return row;
  });
  // Rebuilding the rows must not drop the keyboard focus of the button just pressed.
  const focused = document.activeElement;
  const again = $("nv-layers").contains(focused)
    ? { action: focused.dataset.action, role: focused.dataset.role, layer: focused.closest(".nv-layer")?.dataset.layer }
    : null;
  $("nv-layers").replaceChildren(...rows);
  if (again) refocus(again);
  $("nv-add-layer").disabled = depth >= maxLayers;
  $("nv-limits").textContent = t("network.limits", { layers: maxLayers, units: maxUnits, batch: maxBatch });

  $("nv-loss").value = state.loss;
  $("nv-reduction").value = state.reduction;
  $("nv-logits").checked = state.from_logits;
  $("nv-lr").value = String(state.learning_rate);
  $("nv-init").value = state.init;
  $("nv-seed").value = String(state.seed);
  $("nv-dtype").value = state.dtype;
  $("nv-train-biases").checked = state.train_biases;
  $("nv-values").checked = state.showValues;
  setView(state.view);
  renderData();
  const sample = $("nv-sample");
  if (sample.options.length !== state.inputs.length) {
    sample.replaceChildren(...state.inputs.map((_, n) => el("option", { value: String(n), textContent: String(n + 1) })));
  }
  sample.value = String(Math.min(state.sample, state.inputs.length - 1));
  $("nv-remove-row").disabled = state.inputs.length <= 1;
  $("nv-add-row").disabled = state.inputs.length >= maxBatch;
}

function refocus({ action, role, layer }) {
  const row = $("nv-layers").querySelector(`.nv-layer[data-layer="${layer}"]`);
  if (!row) return $("nv-add-layer").focus();
  const wanted = action ? row.querySelector(`[data-action="${action}"]`) : row.querySelector(`[data-role="${role}"]`);
  const usable = [wanted, ...row.querySelectorAll("button, select")].find((e) => e && !e.disabled);
  usable?.focus();
}

function renderData() {
  const nIn = state.layers[0];
  const nOut = state.layers[state.layers.length - 1];
  const head = el("tr", {}, el("th", { textContent: "#" }));
  for (let i = 0; i < nIn; i++) head.append(el("th", { textContent: `x${i + 1}` }));
  for (let k = 0; k < nOut; k++) head.append(el("th", { className: "nv-target", textContent: `t${k + 1}` }));
  const cellInput = (matrix, n, i, kind) => {
    const input = el("input", {
      type: "number",
      step: "any",
      value: String(matrix[n][i]),
      ariaLabel: `${kind}${i + 1} (${n + 1})`,
      dataset: { kind, row: n, col: i },
      onchange: () => {
        if (!isNum(input.valueAsNumber)) return;
        matrix[n][i] = input.valueAsNumber;
        changed();
      },
    });
    return el("td", {}, input);
  };
  const table = $("nv-data").querySelector("table");
  if (table && table.dataset.shape === `${state.inputs.length}x${nIn}x${nOut}`) {
    // Same shape: update the values in place so focus and tab order survive a recompute.
    for (const input of table.querySelectorAll("input")) {
      if (input === document.activeElement) continue;
      const matrix = input.dataset.kind === "x" ? state.inputs : state.targets;
      input.value = String(matrix[input.dataset.row][input.dataset.col]);
    }
    return;
  }
  const body = state.inputs.map((row, n) => {
    const tr = el("tr", {}, el("th", { textContent: String(n + 1) }));
    for (let i = 0; i < nIn; i++) tr.append(cellInput(state.inputs, n, i, "x"));
    for (let k = 0; k < nOut; k++) tr.append(cellInput(state.targets, n, k, "t"));
    return tr;
  });
  const shape = `${state.inputs.length}x${nIn}x${nOut}`;
  $("nv-data").replaceChildren(
    el("table", { className: "values nv-data-table", dataset: { shape } }, el("thead", {}, head), el("tbody", {}, ...body)),
  );
}

// ---- weight editor, sharing, presets, presenter -------------------------------------------

function openWeightEditor(layer, j, k) {
  const same = JSON.stringify(state.selection.weight) === JSON.stringify([layer, j, k]);
  if (!same) select({ weight: [layer, j, k] });
  const dialog = $("nv-weight-dialog");
  $("nv-weight-title").textContent = t("common.graph_weight", { layer, j: j + 1, k: k + 1 });
  const input = $("nv-weight-input");
  // The shortest decimal at the network's precision: display only, the value sent is unchanged.
  input.value = String(shortest(state.weights[layer - 1][j][k], state.dtype));
  dialog.dataset.target = JSON.stringify([layer, j, k]);
  dialog.showModal();
  input.select();
}


function submitWeight(event) {
  event.preventDefault();
  const dialog = $("nv-weight-dialog");
  const value = $("nv-weight-input").valueAsNumber;
  const [layer, j, k] = JSON.parse(dialog.dataset.target);
  dialog.close();
  if (!isNum(value)) return;
  state.weights[layer - 1][j][k] = value;
  changed({ now: true });
}

function loadState(raw, presetId = "") {
  state = sanitize(raw);
  $("nv-preset").value = presetId;
  stage = null;
  pause();
  $("nv-applied").textContent = "";
  renderBuild();
  return compute();
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function importText(text) {
  const status = $("nv-share-status");
  let raw;
  try {
    raw = JSON.parse(text);
  } catch {
    status.textContent = t("network.import_bad");
    return;
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    status.textContent = t("network.import_bad");
    return;
  }
  status.textContent = t("network.imported");
  loadState(raw);
}

async function showCode() {
  const panel = $("nv-code-panel");
  try {
    const response = await postJSON("/api/v1/backprop/code", requestBody());
    $("nv-code").textContent = response.code;
    panel.dataset.filename = response.filename;
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  } catch (error) {
    showError($("nv-error"), error);
  }
}

function setPresenter(on) {
  document.body.classList.toggle("presenter", on);
  $("nv-present").setAttribute("aria-pressed", String(on));
  $("nv-present").textContent = on ? t("network.presenter_exit") : t("network.presenter");
  const url = new URL(window.location.href);
  if (on) url.searchParams.set("present", "1");
  else url.searchParams.delete("present");
  window.history.replaceState(null, "", url.toString());
  if (result) render();
}

function bindControls() {
  const bindValue = (id, apply, options) =>
    $(id).addEventListener("change", (event) => {
      apply(event.target);
      changed(options);
    });
  bindValue("nv-loss", (e) => (state.loss = e.value));
  bindValue("nv-reduction", (e) => (state.reduction = e.value));
  bindValue("nv-logits", (e) => (state.from_logits = e.checked));
  bindValue("nv-lr", (e) => isNum(e.valueAsNumber) && (state.learning_rate = e.valueAsNumber));
  bindValue("nv-init", (e) => {
    state.init = e.value;
    state.weights = state.weights.map(() => null);
    state.biases = state.biases.map(() => null);
  });
  bindValue("nv-seed", (e) => {
    if (Number.isInteger(e.valueAsNumber) && e.valueAsNumber >= 0) state.seed = e.valueAsNumber;
    state.weights = state.weights.map(() => null);
    state.biases = state.biases.map(() => null);
  });
  bindValue("nv-dtype", (e) => (state.dtype = e.value));
  bindValue("nv-train-biases", (e) => (state.train_biases = e.checked));
  $("nv-reinit").addEventListener("click", () => {
    state.weights = state.weights.map(() => null);
    state.biases = state.biases.map(() => null);
    changed({ now: true });
  });
  $("nv-add-layer").addEventListener("click", () => {
    const at = depthOf(); // a new hidden layer just before the output layer
    state.layers.splice(at, 0, 3);
    state.activations.splice(at - 1, 0, activationOf("sigmoid"));
    state.weights.splice(at - 1, 0, null);
    state.biases.splice(at - 1, 0, null);
    changed({ structure: true });
  });
  $("nv-add-row").addEventListener("click", () => {
    state.inputs.push(zeros(state.layers[0]));
    state.targets.push(zeros(state.layers[state.layers.length - 1]));
    changed();
  });
  $("nv-remove-row").addEventListener("click", () => {
    if (state.inputs.length <= 1) return;
    state.inputs.pop();
    state.targets.pop();
    state.sample = Math.min(state.sample, state.inputs.length - 1);
    changed();
  });
  for (const radio of document.querySelectorAll('input[name="nv-view"]')) {
    radio.addEventListener("change", () => {
      state.view = radio.value;
      persist();
      render();
    });
  }
  $("nv-sample").addEventListener("change", (event) => {
    state.sample = Number(event.target.value);
    persist();
    render();
  });
  $("nv-values").addEventListener("change", (event) => {
    state.showValues = event.target.checked;
    persist();
    render();
  });
  $("nv-step").addEventListener("click", () => {
    pause();
    step();
  });
  $("nv-back").addEventListener("click", back);
  document.addEventListener("keydown", onKey);
  $("nv-graph").addEventListener("pointerdown", (event) => (lastPointer = event.pointerType), { capture: true });
  $("nv-pick").addEventListener("change", (event) => {
    const [kind, ...index] = event.target.value.split(":");
    select(kind === "w" ? { weight: index.map(Number) } : { neuron: index.map(Number) });
  });
  $("nv-edit-weight").addEventListener("click", () => {
    if (state.selection.weight) openWeightEditor(...state.selection.weight);
  });
  $("nv-play").addEventListener("click", play);
  $("nv-reset").addEventListener("click", () => {
    pause();
    setStage(0);
  });
  $("nv-apply").addEventListener("click", applyStep);
  $("nv-weight-form").addEventListener("submit", submitWeight);
  $("nv-weight-cancel").addEventListener("click", () => $("nv-weight-dialog").close());
  $("nv-preset").addEventListener("change", (event) => {
    const preset = config.presets.find((p) => p.id === event.target.value);
    if (preset) loadState(preset.spec, preset.id);
  });
  $("nv-copy-link").addEventListener("click", async () => {
    const status = $("nv-share-status");
    try {
      await navigator.clipboard.writeText(window.location.href);
      status.textContent = t("network.link_copied");
    } catch {
      status.textContent = window.location.href;
    }
  });
  $("nv-export").addEventListener("click", () =>
    download("network.json", `${JSON.stringify(requestBody(), null, 2)}\n`, "application/json"),
  );
  $("nv-import").addEventListener("click", () => importText($("nv-import-text").value));
  $("nv-import-file").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    if (file) importText(await file.text());
  });
  $("nv-show-code").addEventListener("click", showCode);
  $("nv-code-close").addEventListener("click", () => ($("nv-code-panel").hidden = true));
  $("nv-code-copy").addEventListener("click", () => navigator.clipboard.writeText($("nv-code").textContent).catch(() => {}));
  $("nv-code-download").addEventListener("click", () =>
    download($("nv-code-panel").dataset.filename || "backprop.py", $("nv-code").textContent, "text/x-python"),
  );
  $("nv-present").addEventListener("click", () => setPresenter(!presenting()));
}

/** Every figure follows its container (presenter mode, window, panels); the graph redraws when
 * its width or the window's height changed since it was drawn, so its labels fit the new size. */
function watchSizes() {
  let redraw = null;
  const later = () => {
    clearTimeout(redraw);
    redraw = setTimeout(() => {
      const size = sizeKey();
      if (result && size !== drawnSize) render({ resized: true });
    }, 120);
  };
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const shown = entry.target._fullLayout && !entry.target.hidden && entry.contentRect.width > 0;
      if (shown) window.Plotly.Plots.resize(entry.target).catch(() => {}); // hidden meanwhile
    }
    later();
  });
  observer.observe($("nv-graph"));
  observer.observe($("nv-act-plot"));
  window.addEventListener("resize", later);
}

async function main() {
  try {
    [config, reg] = await Promise.all([getJSON("/api/v1/network/config"), catalog()]);
  } catch (error) {
    showError($("nv-error"), error);
    return;
  }
  urlState = stateTable();
  fillSelect($("nv-loss"), reg.losses);
  fillSelect($("nv-init"), reg.initializers);
  fillSelect($("nv-dtype"), reg.dtypes);
  for (const preset of config.presets) {
    $("nv-preset").append(el("option", { value: preset.id, textContent: t(`network.preset_${preset.id}`) }));
  }
  bindControls();
  watchSizes();
  const fromUrl = urlState.inUrl() ? urlState.read() : null;
  const preset = config.presets.find((p) => p.id === DEFAULT_PRESET) || config.presets[0];
  if (new URLSearchParams(window.location.search).get("present") === "1") setPresenter(true);
  await loadState(fromUrl || preset.spec, fromUrl ? "" : preset.id);
}

main();
