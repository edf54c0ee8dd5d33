// /train: play, pause and step a real TensorFlow training run. Every number comes from
// POST /api/v1/train (chunks of updates that continue the same run through the returned
// weights and optimizer_state); this module keeps the state and draws it.

import { fmt, getJSON, postJSON, showError } from "../api.js";
import { drawDecisionBoundary } from "../charts/decision_boundary.js";
import { drawLines } from "../charts/lines.js";
import { drawNetworkGraph } from "../charts/network_graph.js";
import { drawNeuronTiles } from "../charts/neuron_tiles.js";
import { t } from "../i18n.js";
import { readState, writeState } from "../urlstate.js";

const $ = (id) => document.getElementById(id);
const HIDDEN_ACTS = ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "selu", "gelu", "swish", "softplus"];
const OUTPUT_ACTS = ["tanh", "sigmoid", "linear", "softmax"];
const LOSSES = ["mse", "binary_crossentropy", "categorical_crossentropy", "half_sse", "sse"];
const DATASETS = ["circle", "xor", "gauss", "spiral", "spiral3", "blobs3", "plane", "sine", "custom"];
const CLASSES = { spiral3: 3, blobs3: 3, plane: 0, sine: 0 };
const FEATURES = ["x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"];
const OPTIMIZERS = ["sgd", "momentum", "adam", "rmsprop"];
const MAX_HIDDEN = 6;
const MAX_UNITS = 8;
const BOUNDARY_RES = 40;
const TILE_RES = 20;

const DEFAULTS = {
  dataset: "circle", samples: 500, noise: 0, testFraction: 0.5, dataSeed: 0,
  features: ["x1", "x2"], hidden: [4, 2], activation: "tanh", output: "tanh", loss: "mse",
  seed: 0, dtype: "float32", optimizer: "sgd", lr: 0.03, momentum: 0.9, beta1: 0.9,
  beta2: 0.999, rho: 0.9, nesterov: false, batch: 10, l2: 0, trainBiases: true,
  unit: "update", speed: 20, showTest: false, view: "weights",
  custom: { text: "", format: "csv", targets: 1 },
};

let settings = structuredClone(DEFAULTS);
let custom = null; // parsed user data: {inputs, targets}
let run = null; // the training run: weights, optimizer state, history, last response
let generation = 0; // bumps on every reset; a response from an older run is dropped
let playing = false;
let busy = false;
let hovered = null; // [layer, unit] whose output the boundary plot shows

// ---- settings: from the URL (sanitized), to the URL, from the controls -------------------

const num = (v, lo, hi, fallback) => (typeof v === "number" && Number.isFinite(v) && v >= lo && v <= hi ? v : fallback);
const pick = (v, allowed, fallback) => (allowed.includes(v) ? v : fallback);

function sanitize(raw) {
  const src = raw && typeof raw === "object" ? raw : {};
  const d = DEFAULTS;
  const hidden = Array.isArray(src.hidden) && src.hidden.length <= MAX_HIDDEN
    && src.hidden.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_UNITS) ? src.hidden.slice() : d.hidden.slice();
  const features = Array.isArray(src.features) ? src.features.filter((f) => FEATURES.includes(f)) : [];
  const c = src.custom && typeof src.custom === "object" ? src.custom : {};
  return {
    dataset: pick(src.dataset, DATASETS, d.dataset),
    samples: num(src.samples, 4, 2000, d.samples),
    noise: num(src.noise, 0, 0.5, d.noise),
    testFraction: num(src.testFraction, 0, 0.9, d.testFraction),
    dataSeed: num(src.dataSeed, 0, 2 ** 31 - 1, d.dataSeed),
    features: features.length ? [...new Set(features)] : d.features.slice(),
    hidden,
    activation: pick(src.activation, HIDDEN_ACTS, d.activation),
    output: pick(src.output, OUTPUT_ACTS, d.output),
    loss: pick(src.loss, LOSSES, d.loss),
    seed: num(src.seed, 0, 2 ** 31 - 1, d.seed),
    dtype: pick(src.dtype, ["float32", "float64"], d.dtype),
    optimizer: pick(src.optimizer, OPTIMIZERS, d.optimizer),
    lr: num(src.lr, 1e-9, 1e4, d.lr),
    momentum: num(src.momentum, 0, 0.999, d.momentum),
    beta1: num(src.beta1, 0, 0.9999, d.beta1),
    beta2: num(src.beta2, 0, 0.9999, d.beta2),
    rho: num(src.rho, 0, 0.9999, d.rho),
    nesterov: src.nesterov === true,
    batch: src.batch === null ? null : num(src.batch, 1, 2000, d.batch),
    l2: num(src.l2, 0, 10, d.l2),
    trainBiases: src.trainBiases !== false,
    unit: pick(src.unit, ["update", "epoch", "sample"], d.unit),
    speed: num(src.speed, 1, 500, d.speed),
    showTest: src.showTest === true,
    view: pick(src.view, ["weights", "gradients"], d.view),
    custom: {
      text: typeof c.text === "string" && c.text.length <= 20000 ? c.text : "",
      format: pick(c.format, ["csv", "json"], "csv"),
      targets: num(c.targets, 1, 64, 1),
    },
  };
}

function toControls() {
  const s = settings;
  $("tr-dataset").value = s.dataset;
  $("tr-samples").value = s.samples;
  $("tr-noise").value = s.noise;
  $("tr-test-fraction").value = s.testFraction;
  $("tr-data-seed").value = s.dataSeed;
  for (const box of document.querySelectorAll("input[name=tr-feature]")) box.checked = s.features.includes(box.value);
  $("tr-activation").value = s.activation;
  $("tr-output").value = s.output;
  $("tr-loss").value = s.loss;
  $("tr-seed").value = s.seed;
  $("tr-dtype").value = s.dtype;
  $("tr-optimizer").value = s.optimizer;
  $("tr-lr").value = s.lr;
  $("tr-momentum").value = s.momentum;
  $("tr-beta1").value = s.beta1;
  $("tr-beta2").value = s.beta2;
  $("tr-rho").value = s.rho;
  $("tr-nesterov").checked = s.nesterov;
  $("tr-batch").value = s.batch ?? "";
  $("tr-l2").value = s.l2;
  $("tr-train-biases").checked = s.trainBiases;
  $("tr-unit").value = s.unit;
  $("tr-speed").value = String(s.speed);
  $("tr-show-test").checked = s.showTest;
  for (const radio of document.querySelectorAll("input[name=tr-view]")) radio.checked = radio.value === s.view;
  if (s.custom.text) $("tr-custom-text").value = s.custom.text;
  $("tr-custom-format").value = s.custom.format;
  $("tr-custom-targets").value = s.custom.targets;
  renderLayers();
  showOptimizerFields();
}

function fromControls() {
  const s = settings;
  const n = (id) => Number($(id).value);
  s.dataset = $("tr-dataset").value;
  s.samples = n("tr-samples");
  s.noise = n("tr-noise");
  s.testFraction = n("tr-test-fraction");
  s.dataSeed = n("tr-data-seed");
  s.features = [...document.querySelectorAll("input[name=tr-feature]:checked")].map((b) => b.value);
  s.activation = $("tr-activation").value;
  s.output = $("tr-output").value;
  s.loss = $("tr-loss").value;
  s.seed = n("tr-seed");
  s.dtype = $("tr-dtype").value;
  s.optimizer = $("tr-optimizer").value;
  s.lr = n("tr-lr");
  s.momentum = n("tr-momentum");
  s.beta1 = n("tr-beta1");
  s.beta2 = n("tr-beta2");
  s.rho = n("tr-rho");
  s.nesterov = $("tr-nesterov").checked;
  s.batch = $("tr-batch").value === "" ? null : n("tr-batch");
  s.l2 = n("tr-l2");
  s.trainBiases = $("tr-train-biases").checked;
  s.unit = $("tr-unit").value;
  s.speed = n("tr-speed");
  s.showTest = $("tr-show-test").checked;
  s.view = document.querySelector("input[name=tr-view]:checked").value;
  s.custom = { text: $("tr-custom-text").value, format: $("tr-custom-format").value, targets: n("tr-custom-targets") };
}

function saveState() {
  const copy = structuredClone(settings);
  if (copy.dataset !== "custom" || copy.custom.text.length > 4000) copy.custom.text = "";
  writeState(copy);
}

// ---- the network builder -----------------------------------------------------------------

function inputUnits() {
  return settings.dataset === "custom" ? (custom ? custom.inputs[0].length : 2) : settings.features.length;
}

function outputUnits() {
  if (settings.dataset === "custom") return custom ? custom.targets[0].length : 1;
  return CLASSES[settings.dataset] === 3 ? 3 : 1;
}

function renderLayers() {
  const box = $("tr-layers");
  box.replaceChildren();
  const row = (label, control) => {
    const div = document.createElement("div");
    div.className = "tr-layer";
    const strong = document.createElement("strong");
    strong.textContent = label;
    div.append(strong, control);
    box.append(div);
  };
  const fixed = (n) => {
    const span = document.createElement("span");
    span.textContent = `${n} ${t("train.units")}`;
    return span;
  };
  row(t("train.input_layer"), fixed(inputUnits()));
  settings.hidden.forEach((units, i) => {
    const input = document.createElement("input");
    input.type = "number";
    input.min = "1";
    input.max = String(MAX_UNITS);
    input.value = String(units);
    input.setAttribute("aria-label", t("train.hidden_layer", { n: i + 1 }));
    input.addEventListener("change", () => {
      settings.hidden[i] = Math.min(MAX_UNITS, Math.max(1, Math.round(Number(input.value)) || 1));
      input.value = String(settings.hidden[i]);
      changed(true);
    });
    row(t("train.hidden_layer", { n: i + 1 }), input);
  });
  row(t("train.output_layer"), fixed(outputUnits()));
  $("tr-add-layer").disabled = settings.hidden.length >= MAX_HIDDEN;
  $("tr-remove-layer").disabled = settings.hidden.length === 0;
}

function showOptimizerFields() {
  for (const label of document.querySelectorAll("[data-for]")) {
    label.hidden = !label.dataset.for.split(" ").includes(settings.optimizer);
  }
}

/** Output activation and loss that suit the dataset (as Playground: tanh + squared error). */
function fitOutputToData() {
  const classes = settings.dataset === "custom" ? null : CLASSES[settings.dataset] ?? 2;
  if (classes === 3) {
    settings.output = "softmax";
    settings.loss = "categorical_crossentropy";
  } else if (settings.output === "softmax" || settings.loss === "categorical_crossentropy") {
    settings.output = classes === 0 ? "linear" : "tanh";
    settings.loss = "mse";
  }
}

// ---- talking to the API ------------------------------------------------------------------

function requestBody(steps, unit) {
  const s = settings;
  const layers = [inputUnits(), ...s.hidden, outputUnits()];
  const optimizer = { name: s.optimizer, learning_rate: s.lr };
  if (s.optimizer === "momentum") Object.assign(optimizer, { momentum: s.momentum, nesterov: s.nesterov });
  if (s.optimizer === "rmsprop") Object.assign(optimizer, { momentum: s.momentum, rho: s.rho });
  if (s.optimizer === "adam") Object.assign(optimizer, { beta_1: s.beta1, beta_2: s.beta2 });
  const body = {
    layers,
    activations: [...s.hidden.map(() => s.activation), s.output],
    loss: s.loss,
    seed: s.seed,
    dtype: s.dtype,
    optimizer,
    steps,
    batch_size: unit === "sample" ? 1 : batchSize(),
    l2: s.l2,
    train_biases: s.trainBiases,
    record_every: Math.max(1, Math.ceil(steps / 50)),
    boundary_resolution: BOUNDARY_RES,
    neuron_grids: true,
    neuron_grid_resolution: TILE_RES,
  };
  if (s.dataset === "custom" && custom) {
    Object.assign(body, { inputs: custom.inputs, targets: custom.targets });
  } else {
    body.dataset = {
      name: s.dataset === "custom" ? "circle" : s.dataset,
      samples: s.samples,
      noise: s.noise,
      seed: s.dataSeed,
      test_fraction: s.testFraction,
      features: s.features,
    };
  }
  if (run?.weights) {
    Object.assign(body, { weights: run.weights, biases: run.biases, optimizer_state: run.optimizerState });
  }
  return body;
}

/** The batch size to send: a batch as large as the training set is the full batch. */
function batchSize() {
  const s = settings;
  const train = s.dataset === "custom" && custom
    ? custom.inputs.length
    : s.samples - Math.min(Math.round(s.samples * s.testFraction), s.samples - 1);
  return s.batch === null || s.batch >= train ? null : s.batch;
}

/** Apply `steps` updates (0: just evaluate the current weights). False on an error. */
async function advance(steps, unit = settings.unit) {
  if (busy) return true;
  busy = true;
  const mine = generation;
  try {
    const data = await postJSON("/api/v1/train", requestBody(steps, unit));
    if (mine !== generation) return true;
    absorb(data);
    draw();
    showError($("tr-error"), null);
    return true;
  } catch (error) {
    if (mine === generation) showError($("tr-error"), error);
    return false;
  } finally {
    busy = false;
  }
}

function absorb(data) {
  if (!run) run = { history: { step: [], loss: [], testLoss: [], acc: [], testAcc: [] } };
  const h = run.history;
  for (const entry of data.history) {
    const step = data.start_iteration + entry.step;
    if (h.step.length && step <= h.step[h.step.length - 1]) continue; // already drawn
    h.step.push(step);
    h.loss.push(entry.loss);
    h.testLoss.push(entry.test_loss ?? null);
    h.acc.push(entry.accuracy ?? null);
    h.testAcc.push(entry.test_accuracy ?? null);
  }
  Object.assign(run, {
    weights: data.weights,
    biases: data.biases,
    optimizerState: data.optimizer_state,
    last: data,
  });
  if (data.weights.flat(2).some((v) => v === null)) run.weights = null; // diverged: start over next time
  const warning = data.warnings.find((w) => w.code === "non_finite");
  $("tr-warning").hidden = !warning;
  $("tr-warning").textContent = warning ? warning.message : "";
}

// ---- drawing -----------------------------------------------------------------------------

function draw() {
  const data = run.last;
  const h = run.history;
  const lastAt = (list) => list[list.length - 1];
  $("tr-stat-iteration").textContent = String(data.optimizer_state.iterations);
  $("tr-stat-epoch").textContent = fmt(data.epoch, 4);
  $("tr-stat-loss").textContent = fmt(lastAt(h.loss));
  $("tr-stat-test-loss").textContent = fmt(lastAt(h.testLoss));
  const acc = lastAt(h.acc);
  $("tr-stat-accuracy").textContent = acc === null ? "—" : `${fmt(acc, 3)} / ${fmt(lastAt(h.testAcc), 3)}`;
  drawBoundary();
  drawCurve();
  drawGraph();
  if (data.neuron_grids) {
    const depth = data.sizes.length - 1;
    const labels = data.sizes.map((_, l) =>
      l === 0 ? t("train.input_layer") : l === depth ? t("train.output_layer") : t("train.hidden_layer", { n: l }));
    drawNeuronTiles($("tr-neurons"), data.neuron_grids, {
      labels,
      onEnter: (l, j) => hover([l, j]),
      onLeave: () => hover(null),
    });
  }
}

function outputRange(data) {
  if (data.task.classes === 2) return data.task.thresholds[1] === 0 ? [-1, 1] : [0, 1];
  return [-1, 1];
}

function drawBoundary() {
  const data = run?.last;
  if (!data?.boundary) return;
  const points = [];
  const tr = data.points?.train;
  if (tr) points.push({ xy: tr.x, label: tr.label, name: "train" });
  if (settings.showTest && data.points?.test) points.push({ xy: data.points.test.x, label: data.points.test.label, hollow: true, name: "test" });
  let grid = { x: data.boundary.x, y: data.boundary.y, z: data.boundary.z };
  let [zmin, zmax] = outputRange(data);
  let classes = data.task.classes;
  let title = "";
  if (hovered && data.neuron_grids) {
    const [l, j] = hovered;
    const z = data.neuron_grids.layers[l]?.[j];
    if (z) {
      const max = Math.max(1e-9, ...z.flat().filter((v) => v !== null).map(Math.abs));
      grid = { x: data.neuron_grids.x, y: data.neuron_grids.y, z };
      [zmin, zmax] = [-max, max];
      classes = Math.min(classes, 2);
      title = t("train.boundary_neuron", { layer: l, unit: j + 1 });
    }
  }
  drawDecisionBoundary($("tr-boundary"), { ...grid, zmin, zmax, classes, points, title });
}

function drawCurve() {
  const h = run.history;
  const x = h.step.slice(); // fresh arrays: Plotly.react redraws only what changed identity
  const series = [{ x, y: h.loss.slice(), name: t("train.curve_train"), color: "#0f172a" }];
  if (h.testLoss.some((v) => v !== null)) series.push({ x, y: h.testLoss.slice(), name: t("train.curve_test"), color: "#94a3b8" });
  if (h.acc.some((v) => v !== null)) {
    series.push({ x, y: h.acc.slice(), name: t("train.curve_accuracy"), color: "#16a34a", dash: "dot", width: 1.5, axis: "y2" });
  }
  drawLines($("tr-curve"), {
    series, xTitle: t("train.steps_axis"), yTitle: t("train.loss_axis"), y2Title: t("train.accuracy_axis"), height: 380,
  });
}

function drawGraph() {
  const data = run.last;
  const model = {
    sizes: data.sizes,
    activations: data.activations,
    weights: data.weights,
    biases: data.biases,
    dW: data.gradients?.weights,
    db: data.gradients?.biases,
  };
  const edges = data.sizes.slice(1).reduce((sum, n, l) => sum + n * data.sizes[l], 0);
  const element = $("tr-graph");
  drawNetworkGraph(element, model, { view: settings.view, showValues: edges <= 24, height: 380 }).then(() => {
    if (element.dataset.hooked) return;
    element.dataset.hooked = "1";
    element.on("plotly_hover", (event) => {
      const point = event.points?.[0];
      if (point?.data?.meta === "neurons" && Array.isArray(point.customdata)) hover(point.customdata);
    });
    element.on("plotly_unhover", () => hover(null));
  });
}

function hover(target) {
  hovered = target;
  drawBoundary();
}

async function drawPreview() {
  const box = $("tr-preview");
  if (settings.dataset === "custom") {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const s = settings;
  const query = new URLSearchParams({ samples: s.samples, noise: s.noise, seed: s.dataSeed, test_fraction: s.testFraction });
  try {
    const data = await getJSON(`/api/v1/datasets/${encodeURIComponent(s.dataset)}?${query}`);
    drawDecisionBoundary(box, {
      x: data.domain, y: data.domain, zmin: -1, zmax: 1, classes: data.classes, height: 220,
      points: [{ xy: data.train.x, label: data.train.label, name: "train" }, { xy: data.test.x, label: data.test.label, hollow: true, name: "test" }],
    });
  } catch (error) {
    showError($("tr-error"), error);
  }
}

// ---- play, pause, step, reset ------------------------------------------------------------

function setPlaying(on) {
  playing = on;
  const button = $("tr-play");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? button.dataset.pause : button.dataset.play;
  if (on) loop();
}

async function loop() {
  while (playing) {
    const ok = await advance(settings.speed, settings.unit === "sample" ? "update" : settings.unit);
    if (!ok) {
      setPlaying(false);
      break;
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

async function step() {
  if (busy) return;
  const perEpoch = run?.last?.batches_per_epoch ?? 1;
  await advance(settings.unit === "epoch" ? perEpoch : 1, settings.unit);
}

async function reset() {
  generation += 1;
  run = null;
  hovered = null;
  busy = false;
  await advance(0);
}

let resetTimer = null;
/** A control changed: remember it; a change of data or network starts a new run. */
function changed(restart) {
  fromControls();
  showOptimizerFields();
  saveState();
  if (restart) {
    renderLayers();
    clearTimeout(resetTimer);
    resetTimer = setTimeout(() => {
      drawPreview();
      reset();
    }, 150);
  }
}

async function useCustomData() {
  const status = $("tr-custom-status");
  fromControls();
  try {
    const data = await postJSON("/api/v1/datasets/parse", {
      text: settings.custom.text, format: settings.custom.format, target_columns: settings.custom.targets,
    });
    custom = { inputs: data.inputs, targets: data.targets };
    status.textContent = t("train.custom_ok", { rows: data.rows, inputs: data.input_columns, targets: data.target_columns });
    settings.dataset = "custom";
    $("tr-dataset").value = "custom";
    changed(true);
  } catch (error) {
    status.textContent = "";
    showError($("tr-error"), error);
  }
}

function fillSelect(id, values) {
  const select = $(id);
  for (const value of values) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.append(option);
  }
}

function wire() {
  const restartIds = ["tr-samples", "tr-noise", "tr-test-fraction", "tr-data-seed", "tr-activation", "tr-output", "tr-loss", "tr-seed", "tr-dtype", "tr-batch", "tr-train-biases"];
  for (const id of restartIds) $(id).addEventListener("change", () => changed(true));
  const keepIds = ["tr-lr", "tr-momentum", "tr-beta1", "tr-beta2", "tr-rho", "tr-nesterov", "tr-l2", "tr-unit", "tr-speed"];
  for (const id of keepIds) $(id).addEventListener("change", () => changed(false));
  $("tr-optimizer").addEventListener("change", () => {
    changed(false);
    if (run) run.optimizerState = null; // a new optimizer starts with empty slots
  });
  for (const box of document.querySelectorAll("input[name=tr-feature]")) box.addEventListener("change", () => changed(true));
  $("tr-dataset").addEventListener("change", () => {
    fromControls();
    fitOutputToData();
    toControls();
    if (settings.dataset === "custom" && !custom) {
      $("tr-custom").open = true;
      useCustomData();
      return;
    }
    changed(true);
  });
  $("tr-show-test").addEventListener("change", () => {
    changed(false);
    drawBoundary();
  });
  for (const radio of document.querySelectorAll("input[name=tr-view]")) {
    radio.addEventListener("change", () => {
      changed(false);
      if (run?.last) drawGraph();
    });
  }
  $("tr-add-layer").addEventListener("click", () => {
    if (settings.hidden.length < MAX_HIDDEN) settings.hidden.push(2);
    saveState();
    renderLayers();
    changed(true);
  });
  $("tr-remove-layer").addEventListener("click", () => {
    settings.hidden.pop();
    renderLayers();
    changed(true);
  });
  $("tr-play").addEventListener("click", () => setPlaying(!playing));
  $("tr-step").addEventListener("click", step);
  $("tr-reset").addEventListener("click", () => {
    setPlaying(false);
    reset();
  });
  $("tr-custom-use").addEventListener("click", useCustomData);
  $("tr-copy-link").addEventListener("click", () => {
    saveState();
    const status = $("tr-link-status");
    const done = () => (status.textContent = t("train.link_copied"));
    const fallback = () => (status.textContent = t("train.link_ready"));
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(window.location.href).then(done, fallback);
    else fallback();
  });
}

async function main() {
  fillSelect("tr-activation", HIDDEN_ACTS);
  fillSelect("tr-output", OUTPUT_ACTS);
  fillSelect("tr-loss", LOSSES);
  settings = sanitize(readState() ?? DEFAULTS);
  if (settings.dataset === "custom") {
    if (settings.custom.text) {
      $("tr-custom-text").value = settings.custom.text;
      $("tr-custom").open = true;
    } else {
      settings.dataset = "circle";
    }
  }
  toControls();
  wire();
  if (settings.dataset === "custom") {
    await useCustomData();
  } else {
    drawPreview();
    await reset();
  }
  document.body.dataset.ready = "1";
}

main();
