// /train: play, pause and step a real TensorFlow training run. The numbers arrive as frames
// over WS /api/v1/train/stream (the server trains; this page only draws); when the server
// refuses a stream (busy) the page says why and trains over POST /api/v1/train instead.
// Drawing follows requestAnimationFrame: the newest frame is drawn, then acknowledged, so at
// most two frames are ever in flight and a slow page simply gets fewer, later frames.

import { ApiError, postJSON, showError } from "../api.js";
import { CLASS_COLORS, PlaneView, divergingColor } from "../charts/boundary_canvas.js";
import { CurveChart } from "../charts/curve_canvas.js";
import { NetworkView } from "../charts/train_network.js";
import { bounds, catalog, fillSelect, fmt, labelOf, pick, rendered } from "../helpers.js";
import { lang, t } from "../i18n.js";
import { defineState } from "../urlstate.js";
import { decodeFrame, frameFromHttp } from "./train_frames.js";

const $ = (id) => document.getElementById(id);
const SPEEDS = ["epoch", 1, 5, 20, 100, 500];
// The page's own caps, as Playground's: a network that fits the panel, a test split that leaves
// data to train on, penalty rates and custom targets in a sensible range. The state table takes
// the tighter of each and the API's limit.
const CAPS = { hiddenLayers: 6, units: 8, testFraction: 0.9, penaltyRate: 10, targets: 64 };
const BOUNDARY_RES = 40;
const TILE_RES = 20;
const STREAM_URL = "/api/v1/train/stream";
const SEED = { type: "int", min: 0, max: 2 ** 31 - 1, default: 0 };

// The registries (GET /api/v1/catalog): menus, class counts, labels and bounds.
let reg = null;
const entry = (kind, name) => reg[kind].find((item) => item.name === name);
const names = (items) => items.map((item) => item.name);
const classesOf = (dataset) => entry("datasets", dataset)?.classes ?? null; // null: own data

// ---- the optimizer's hyper-parameters: fields, defaults and bounds from its registry entry

// URL keys and element ids older than the catalog; any other parameter is keyed by its name.
const PARAM_KEYS = { learning_rate: "lr", beta_1: "beta1", beta_2: "beta2" };
const paramKey = (name) => PARAM_KEYS[name] ?? name;
const paramId = (name) => `tr-${paramKey(name).replaceAll("_", "-")}`;
const isFlag = (param) => typeof param.default === "boolean";

/** Every optimizer parameter once, in registry order (each has a field on the page). */
const optimizerParams = () => [...new Map(reg.optimizers.flatMap((o) => o.params).map((p) => [p.name, p])).values()];

/** The chosen optimizer's hyper-parameters from `given` (a missing or out-of-bounds value is the
 * registry's default); the fields of parameters it does not have are null. */
function optimizerValues(name, given = {}) {
  const optimizer = entry("optimizers", name);
  const own = defineState(
    optimizer.params.map((p) => ({ name: paramKey(p.name), ...(isFlag(p) ? { type: "bool" } : bounds(optimizer, p.name)), default: p.default })),
  );
  return { ...noParams(), ...own.clean(given) };
}

const noParams = () => Object.fromEntries(optimizerParams().map((p) => [paramKey(p.name), null]));

/** The page's URL state, declared once: every field's type, bounds and default (an optimizer's
 * parameters are checked against its own entry by optimizerValues). */
function stateTable() {
  const { limits } = reg;
  const units = { type: "int", min: 1, max: Math.min(CAPS.units, limits.max_units) };
  const hiddenLayers = Math.min(CAPS.hiddenLayers, limits.max_layers - 1); // max_layers counts the output
  const noise = Math.min(...reg.datasets.map((d) => bounds(d, "noise").max));
  return defineState([
    { name: "dataset", type: "enum", values: [...names(reg.datasets), "custom"], default: "circle" },
    { name: "samples", type: "int", min: 4, max: limits.max_samples, default: 500 },
    { name: "noise", type: "number", min: 0, max: noise, default: 0 },
    { name: "testFraction", type: "number", min: 0, max: CAPS.testFraction, default: 0.5 },
    { name: "dataSeed", ...SEED },
    { name: "features", type: "array", of: { type: "enum", values: names(reg.features) }, dropBad: true, unique: true, minLength: 1, default: ["x1", "x2"] },
    { name: "hidden", type: "array", of: units, maxLength: hiddenLayers, default: [4, 2] },
    { name: "activation", type: "enum", values: names(hiddenActivations()), default: "tanh" },
    { name: "output", type: "enum", values: names(reg.activations), default: "tanh" },
    { name: "loss", type: "enum", values: names(reg.losses), default: "mse" },
    { name: "seed", ...SEED },
    { name: "dtype", type: "enum", values: names(reg.dtypes), default: "float32" },
    { name: "optimizer", type: "enum", values: names(reg.optimizers), default: "sgd" },
    ...optimizerParams().map((p) => ({ name: paramKey(p.name), type: "json", default: null })),
    { name: "batch", type: "int", min: 1, max: limits.max_samples, nullable: true, default: 10 },
    { name: "l2", type: "number", min: 0, max: CAPS.penaltyRate, default: 0 },
    { name: "reg", type: "enum", values: names(reg.regularizations), nullable: true, default: null },
    { name: "regRate", type: "number", min: 0, max: CAPS.penaltyRate, default: 0 },
    { name: "trainBiases", type: "bool", default: true },
    { name: "unit", type: "enum", values: ["update", "epoch"], default: "update" },
    { name: "speed", type: "enum", values: SPEEDS, default: "epoch" },
    { name: "showTest", type: "bool", default: false },
    { name: "view", type: "enum", values: ["weights", "gradients"], default: "weights" },
    {
      name: "custom",
      type: "object",
      props: [
        { name: "text", type: "string", maxLength: 20000, default: "" },
        { name: "format", type: "enum", values: ["csv", "json"], default: "csv" },
        { name: "targets", ...units, max: Math.min(CAPS.targets, limits.max_units), default: 1 },
      ],
      default: { text: "", format: "csv", targets: 1 },
    },
  ]);
}

/** Activations that act unit by unit (softmax mixes a layer's units: output layer only). */
const hiddenActivations = () => reg.activations.filter((a) => a.elementwise);

let urlState = null;
const field = (name) => urlState.props.find((prop) => prop.name === name); // a state table entry
let settings = null;
let recipes = {};
let custom = null; // parsed user data: {inputs, targets}
let imported = null; // a /train body from a Playground link, used as-is until the setup changes
let playing = false;
let started = false; // the controls are set up: a fallback to HTTP may start the run
let hovered = null; // [layer, unit] whose output the boundary view shows
let frame = null; // the newest frame, every field kept (frames leave out what did not change)
let drawn = null; // a copy of the frame last drawn (what tooltips describe)
let received = 0; // frames received, and the count when the last one was drawn
let drawnAt = 0;
let drawScheduled = false;
const fps = { frames: 0, since: performance.now() };

// ---- settings: from the URL (the state table), to the URL, from the controls ----------

function toControls() {
  const s = settings;
  const set = (id, value) => ($(id).value = value);
  set("tr-dataset", s.dataset);
  set("tr-samples", s.samples);
  set("tr-noise", s.noise);
  set("tr-test-fraction", s.testFraction);
  set("tr-data-seed", s.dataSeed);
  for (const box of document.querySelectorAll("input[name=tr-feature]")) box.checked = s.features.includes(box.value);
  set("tr-activation", s.activation);
  set("tr-output", s.output);
  set("tr-loss", s.loss);
  set("tr-seed", s.seed);
  set("tr-dtype", s.dtype);
  set("tr-optimizer", s.optimizer);
  for (const param of optimizerParams()) {
    const value = s[paramKey(param.name)];
    if (isFlag(param)) $(paramId(param.name)).checked = Boolean(value);
    else set(paramId(param.name), value ?? "");
  }
  set("tr-batch", s.batch ?? "");
  set("tr-l2", s.l2);
  set("tr-reg", s.reg ?? "");
  set("tr-reg-rate", s.regRate);
  $("tr-train-biases").checked = s.trainBiases;
  set("tr-unit", s.unit);
  set("tr-speed", String(s.speed));
  $("tr-show-test").checked = s.showTest;
  for (const radio of document.querySelectorAll("input[name=tr-view]")) radio.checked = radio.value === s.view;
  if (s.custom.text) set("tr-custom-text", s.custom.text);
  set("tr-custom-format", s.custom.format);
  set("tr-custom-targets", s.custom.targets);
  renderLayers();
  showOptimizerFields();
  showRecipe();
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
  if (!s.features.length) s.features = ["x1"];
  s.activation = $("tr-activation").value;
  s.output = $("tr-output").value;
  s.loss = $("tr-loss").value;
  s.seed = n("tr-seed");
  s.dtype = $("tr-dtype").value;
  s.optimizer = $("tr-optimizer").value;
  const shown = Object.fromEntries(
    entry("optimizers", s.optimizer).params.map((p) => [paramKey(p.name), isFlag(p) ? $(paramId(p.name)).checked : n(paramId(p.name))]),
  );
  Object.assign(s, noParams(), shown); // as typed: the API names a value out of bounds
  s.batch = $("tr-batch").value === "" ? null : n("tr-batch");
  s.l2 = n("tr-l2");
  s.reg = $("tr-reg").value || null;
  s.regRate = n("tr-reg-rate");
  s.trainBiases = $("tr-train-biases").checked;
  s.unit = $("tr-unit").value;
  const speed = $("tr-speed").value;
  s.speed = speed === "epoch" ? "epoch" : Number(speed);
  s.showTest = $("tr-show-test").checked;
  s.view = document.querySelector("input[name=tr-view]:checked").value;
  s.custom = { text: $("tr-custom-text").value, format: $("tr-custom-format").value, targets: n("tr-custom-targets") };
}

function saveState() {
  const copy = structuredClone(settings);
  if (copy.dataset !== "custom" || copy.custom.text.length > 4000) copy.custom.text = "";
  urlState.write(copy);
}

// ---- the network builder and recipes -----------------------------------------------------

function inputUnits() {
  return settings.dataset === "custom" ? (custom ? custom.inputs[0].length : 2) : settings.features.length;
}

function outputUnits() {
  if (settings.dataset === "custom") return custom ? custom.targets[0].length : 1;
  const classes = classesOf(settings.dataset);
  return classes > 2 ? classes : 1;
}

function renderLayers() {
  const { max: maxUnits } = field("hidden").of;
  const box = $("tr-layers");
  box.replaceChildren();
  settings.hidden.forEach((units, i) => {
    const div = document.createElement("label");
    div.className = "tr-layer";
    const name = document.createElement("strong");
    name.textContent = t("train.hidden_layer", { n: i + 1 });
    const input = document.createElement("input");
    input.type = "number";
    input.min = "1";
    input.max = String(maxUnits);
    input.value = String(units);
    input.addEventListener("change", () => {
      settings.hidden[i] = Math.min(maxUnits, Math.max(1, Math.round(Number(input.value)) || 1));
      input.value = String(settings.hidden[i]);
      changed("restart");
    });
    div.append(name, input);
    box.append(div);
  });
  $("tr-add-layer").disabled = settings.hidden.length >= field("hidden").maxLength;
  $("tr-remove-layer").disabled = settings.hidden.length === 0;
}

/** Show the chosen optimizer's parameters (and only those), bounded as its registry entry says. */
function showOptimizerFields() {
  const optimizer = entry("optimizers", settings.optimizer);
  for (const label of document.querySelectorAll("label[data-param]")) {
    const param = optimizer.params.find((p) => p.name === label.dataset.param);
    label.hidden = !param;
    if (param && !isFlag(param)) Object.assign($(paramId(param.name)), { min: String(param.min), max: String(param.max) });
  }
}

/** Output activation and loss that suit the dataset (as Playground: tanh + squared error). */
function fitOutputToData() {
  const classes = classesOf(settings.dataset);
  if (classes > 2) {
    settings.output = "softmax";
    settings.loss = "categorical_crossentropy";
  } else if (classes === 0) {
    settings.output = "linear";
    settings.loss = "mse";
  } else if (settings.output === "softmax" || settings.loss === "categorical_crossentropy" || settings.output === "linear") {
    settings.output = "tanh";
    settings.loss = "mse";
  }
}

const featureLabel = (name) => labelOf(entry("features", name) ?? name);

function recipeText(recipe) {
  const opt = labelOf(entry("optimizers", recipe.optimizer));
  return `${recipe.features.map(featureLabel).join(", ")} → ${recipe.hidden.join("-")} ${recipe.activation}, ${opt} ${recipe.lr}`;
}

function matchesRecipe(recipe) {
  const s = settings;
  return JSON.stringify(s.features) === JSON.stringify(recipe.features) && JSON.stringify(s.hidden) === JSON.stringify(recipe.hidden)
    && s.activation === recipe.activation && s.optimizer === recipe.optimizer && s.lr === recipe.lr;
}

/** Say which network learns the chosen dataset, and offer it when the current one differs. */
function showRecipe() {
  const recipe = recipes[settings.dataset];
  $("tr-recipe-use").hidden = !recipe || matchesRecipe(recipe);
  $("tr-recipe-hint").textContent = recipe
    ? t(matchesRecipe(recipe) ? "train.recipe_on" : "train.recipe_hint", { recipe: recipeText(recipe), epochs: recipe.epochs })
    : "";
}

function useRecipe() {
  const recipe = recipes[settings.dataset];
  if (!recipe) return;
  Object.assign(settings, {
    features: recipe.features.slice(), hidden: recipe.hidden.slice(), activation: recipe.activation,
    optimizer: recipe.optimizer, ...optimizerValues(recipe.optimizer), lr: recipe.lr, batch: recipe.batch,
  });
  fitOutputToData();
  toControls();
  changed("restart");
}

// ---- the run's spec ------------------------------------------------------------------------

/** The batch size to send: a batch as large as the training set is the full batch. */
function batchSize() {
  const s = settings;
  const train = s.dataset === "custom" && custom
    ? custom.inputs.length
    : s.samples - Math.min(Math.round(s.samples * s.testFraction), s.samples - 1);
  return s.batch === null || s.batch >= train ? null : s.batch;
}

/** The optimizer as /train takes it: its name and each of its registry entry's parameters. */
function optimizerSpec() {
  const { params } = entry("optimizers", settings.optimizer);
  return { name: settings.optimizer, ...Object.fromEntries(params.map((p) => [p.name, settings[paramKey(p.name)]])) };
}

/** A /train body for the current setup (without steps). */
function spec() {
  const s = settings;
  if (imported) return { ...imported, boundary_resolution: BOUNDARY_RES, neuron_grids: true, neuron_grid_resolution: TILE_RES };
  const body = {
    layers: [inputUnits(), ...s.hidden, outputUnits()],
    activations: [...s.hidden.map(() => s.activation), s.output],
    loss: s.loss,
    seed: s.seed,
    dtype: s.dtype,
    optimizer: optimizerSpec(),
    batch_size: batchSize(),
    l2: s.l2,
    train_biases: s.trainBiases,
    boundary_resolution: BOUNDARY_RES,
    neuron_grids: true,
    neuron_grid_resolution: TILE_RES,
  };
  // Playground's regularisation (L1 or L2 with its rate), when one is chosen.
  if (s.reg) Object.assign(body, { regularization: s.reg, regularization_rate: s.regRate });
  if (s.dataset === "custom" && custom) {
    Object.assign(body, { inputs: custom.inputs, targets: custom.targets });
  } else {
    body.dataset = {
      name: s.dataset === "custom" ? "circle" : s.dataset,
      samples: s.samples, noise: s.noise, seed: s.dataSeed, test_fraction: s.testFraction, features: s.features,
    };
  }
  return body;
}

const perFrame = () => (settings.speed === "epoch" ? { per_frame: 1, frame_unit: "epoch" } : { per_frame: settings.speed, frame_unit: "update" });

// ---- transport 1: the stream -------------------------------------------------------------

const stream = { ws: null, open: false, refused: null, pending: [] };

function streamSend(message) {
  if (stream.ws && stream.open) stream.ws.send(JSON.stringify(message));
  else stream.pending.push(message);
}

/** Open the stream (once) and start the run; resolves false when the server refuses it. */
function connect() {
  return new Promise((resolve) => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${window.location.host}${STREAM_URL}`);
    stream.ws = ws;
    let settled = false;
    const settle = (ok) => {
      if (!settled) resolve(ok);
      settled = true;
    };
    ws.addEventListener("open", () => {
      stream.open = true;
      if (!http.on) $("tr-mode").hidden = true;
      for (const message of stream.pending.splice(0)) ws.send(JSON.stringify(message));
      settle(true);
    });
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "frame") receive(decodeFrame(message));
      else if (message.type === "error") showError($("tr-error"), new ApiError(422, message.detail));
      else if (message.type === "busy") {
        stream.refused = t("train.stream_busy", { detail: message.detail ?? "", retry: message.retry_after });
      }
    });
    ws.addEventListener("close", () => {
      const wasOpen = stream.open;
      stream.open = false;
      stream.ws = null;
      if (stream.refused) {
        settle(false);
        fallBackToHttp(stream.refused);
      } else if (!wasOpen) {
        settle(false);
        fallBackToHttp(t("train.stream_failed"));
      } else {
        if (playing) setPlaying(false);
        const mode = $("tr-mode");
        mode.hidden = false;
        mode.textContent = t("train.stream_closed");
      }
    });
  });
}

// ---- transport 2: POST /train (when the stream is refused) -------------------------------

const http = { on: false, busy: false, weights: null, optimizerState: null, generation: 0 };

function fallBackToHttp(reason) {
  const mode = $("tr-mode");
  mode.hidden = false;
  mode.textContent = reason;
  if (http.on) return;
  http.on = true;
  if (!started) return; // main() starts the run, over HTTP now
  const wasPlaying = playing;
  restart().then(() => wasPlaying && setPlaying(true));
}

async function httpAdvance(steps) {
  if (http.busy) return true;
  http.busy = true;
  const mine = http.generation;
  const body = { ...spec(), steps, record_every: Math.max(1, steps) };
  if (http.weights) Object.assign(body, { weights: http.weights.weights, biases: http.weights.biases, optimizer_state: http.optimizerState });
  try {
    const data = await postJSON("/api/v1/train", body);
    if (mine !== http.generation) return true;
    const diverged = data.weights.flat(2).some((v) => v === null);
    http.weights = diverged ? null : { weights: data.weights, biases: data.biases };
    http.optimizerState = diverged ? null : data.optimizer_state;
    receive(frameFromHttp(data));
    return true;
  } catch (error) {
    if (mine === http.generation) showError($("tr-error"), error);
    return false;
  } finally {
    http.busy = false;
  }
}

function stepsPerFrame(unit = settings.speed === "epoch" ? "epoch" : "update", count = settings.speed === "epoch" ? 1 : settings.speed) {
  return unit === "epoch" ? count * (frame?.task?.batches_per_epoch ?? 1) : count;
}

async function httpLoop() {
  while (playing && http.on) {
    if (!(await httpAdvance(stepsPerFrame()))) {
      setPlaying(false);
      break;
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

// ---- the run: start, play, step, change --------------------------------------------------

/** A new run from the current setup (data or network changed, or the page opened). */
async function restart() {
  frame = null;
  drawn = null;
  hovered = null;
  curve.clear();
  if (http.on) {
    http.generation += 1;
    http.weights = null;
    http.optimizerState = null;
    http.busy = false;
    await httpAdvance(0);
    return;
  }
  streamSend({ type: "start", spec: spec(), ...perFrame() });
  if (!stream.ws) await connect();
  if (playing) streamSend({ type: "play" });
}

function setPlaying(on) {
  flushRestart();
  playing = on;
  const button = $("tr-play");
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? button.dataset.pause : button.dataset.play;
  fps.frames = 0;
  fps.since = performance.now();
  if (http.on) {
    if (on) httpLoop();
    return;
  }
  if (!stream.ws) restart();
  streamSend({ type: on ? "play" : "pause" });
}

function stepOnce() {
  flushRestart();
  if (http.on) return httpAdvance(stepsPerFrame(settings.unit, 1));
  if (!stream.ws) restart();
  streamSend({ type: "step", unit: settings.unit });
  return null;
}

/** Apply a change: "restart" begins a new run, "live" changes the running one, else nothing. */
let restartTimer = null;

/** A restart still waiting out its debounce happens now (before a play or step is sent). */
function flushRestart() {
  if (restartTimer === null) return;
  clearTimeout(restartTimer);
  restartTimer = null;
  restart();
}

function changed(kind, fields = {}) {
  fromControls();
  showOptimizerFields();
  showRecipe();
  saveState();
  if (kind === "restart") {
    imported = null;
    renderLayers();
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = null;
      restart();
    }, 120);
  } else if (kind === "live" && !http.on) {
    streamSend({ type: "set", ...fields });
  }
}

// ---- frames in, drawing out --------------------------------------------------------------

/** Keep a frame (fields it leaves out keep their last value) and its curve point. */
function receive(next) {
  frame = Object.assign(frame ?? {}, next);
  received += 1;
  if (next.iteration !== undefined) {
    const epoch = next.epoch ?? next.iteration / (frame.task?.batches_per_epoch || 1);
    const last = curve.x.length ? curve.x[curve.x.length - 1] : -1;
    if (epoch < last) curve.clear(); // a reset
    if (epoch !== last) curve.push(epoch, [frame.loss, frame.test_loss, frame.accuracy, frame.test_accuracy]);
  }
  if (!drawScheduled) {
    drawScheduled = true;
    requestAnimationFrame(drawFrame);
  }
}

function drawFrame() {
  drawScheduled = false;
  const f = frame;
  if (!f || received === drawnAt) return;
  drawnAt = received;
  drawn = { ...f };
  $("tr-stat-iteration").textContent = String(f.iteration);
  $("tr-stat-epoch").textContent = fmt(f.epoch, 4);
  $("tr-stat-loss").textContent = fmt(f.loss);
  $("tr-stat-test-loss").textContent = fmt(f.test_loss);
  $("tr-stat-accuracy").textContent = f.accuracy === null || f.accuracy === undefined ? "—" : `${fmt(f.accuracy, 3)} / ${fmt(f.test_accuracy, 3)}`;
  drawNetwork(f);
  drawBoundary(f);
  curve.draw();
  fps.frames += 1;
  const now = performance.now();
  if (now - fps.since > 1000) {
    $("tr-stat-fps").textContent = String(Math.round((fps.frames * 1000) / (now - fps.since)));
    fps.frames = 0;
    fps.since = now;
  }
  if (f.seq && stream.open) stream.ws.send(JSON.stringify({ type: "ack", seq: f.seq }));
  rendered();
}

const layerName = (l, depth) => (l === 0 ? t("train.input_layer") : l === depth ? t("train.output_layer") : t("train.hidden_layer", { n: l }));

function inputLabels(f) {
  const names = f.task?.features;
  return f.sizes.slice(0, 1).flatMap((n) => Array.from({ length: n }, (_, j) => (names?.[j] ? featureLabel(names[j]) : `x${j + 1}`)));
}

function drawNetwork(f) {
  if (!f.sizes) return;
  const depth = f.sizes.length - 1;
  network.layout(f.sizes, inputLabels(f), f.sizes.map((_, l) => layerName(l, depth)));
  const gradients = settings.view === "gradients";
  network.updateEdges(gradients ? f.gradients?.weights : f.weights, gradients);
  const grids = f.neuronGrids;
  if (!grids) return;
  grids.forEach((layer, l) => layer.forEach((grid, j) => {
    const max = Math.max(Math.abs(grid.lo), Math.abs(grid.hi), 1e-9);
    network.drawNode(l, j, grid, (v) => v / max);
  }));
}

function pointColor(f) {
  const classes = f.task?.classes ?? 2;
  if (classes > 2) return (label) => CLASS_COLORS[label] ?? [0, 0, 0];
  if (classes === 2) return (label) => divergingColor(label >= 1 ? 1 : -1);
  return (label) => divergingColor(label);
}

/** The output over the plane, or the hovered neuron's, with the points on top. */
function drawBoundary(f) {
  if (!f.boundary || !f.domain) return;
  const points = [];
  if (f.points?.train) points.push({ xy: f.points.train.x, label: f.points.train.label });
  if (settings.showTest && f.points?.test) points.push({ xy: f.points.test.x, label: f.points.test.label, hollow: true });
  let grid = f.boundary;
  let toUnit = f.task?.thresholds?.[1] === 0.5 && f.task?.classes === 2 ? (v) => 2 * v - 1 : (v) => v;
  let classes = f.task?.classes === 3 || f.sizes?.[f.sizes.length - 1] > 1 ? 3 : 2;
  let caption = t("train.network_output");
  const unit = hovered && f.neuronGrids?.[hovered[0]]?.[hovered[1]];
  if (unit) {
    const max = Math.max(Math.abs(unit.lo), Math.abs(unit.hi), 1e-9);
    grid = unit;
    toUnit = (v) => v / max;
    classes = 2;
    caption = t("train.boundary_neuron", { layer: hovered[0], unit: hovered[1] + 1 });
  }
  $("tr-boundary-caption").textContent = caption;
  plane.draw({ grid, toUnit, classes, points, domain: f.domain, pointColor: pointColor(f) });
  $("tr-boundary").dataset.iteration = String(f.iteration);
}

function hover(target) {
  hovered = target;
  if (frame) drawBoundary(frame);
}

function describeEdge(l, i, j) {
  const f = drawn;
  const w = f?.weights?.[l - 1]?.[i]?.[j];
  const g = f?.gradients?.weights?.[l - 1]?.[i]?.[j];
  return `W(${l})${i + 1},${j + 1} = ${fmt(w)}   ∂L/∂W = ${fmt(g)}`;
}

function describeNode(l, j) {
  if (l === 0) return inputLabels(drawn ?? frame)[j];
  if (!drawn?.sizes) return "";
  const b = drawn.biases?.[l - 1]?.[j];
  return `${layerName(l, drawn.sizes.length - 1)} ${j + 1}: b = ${fmt(b)}`;
}

// ---- own data and Playground links -------------------------------------------------------

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
    showError($("tr-error"), null);
    changed("restart");
  } catch (error) {
    status.textContent = "";
    showError($("tr-error"), error);
  }
}

function showUnsupported(items) {
  const list = $("tr-pg-unsupported");
  list.replaceChildren(...(items ?? []).map((item) => {
    const li = document.createElement("li");
    li.textContent = typeof item === "string" ? item : [item.field, item.message].filter(Boolean).join(": ");
    return li;
  }));
  list.hidden = !items?.length;
}

async function importPlayground() {
  const status = $("tr-pg-status");
  try {
    const data = await postJSON("/api/v1/playground/import", { url: $("tr-pg-url").value.trim() });
    const { unsupported, ...body } = data;
    delete body.steps;
    imported = body;
    adoptImported(body);
    status.textContent = unsupported?.length ? t("train.pg_partial") : t("train.pg_exact");
    showUnsupported(unsupported);
    showError($("tr-error"), null);
    restart();
  } catch (error) {
    status.textContent = error.status === 404 || error.status === 405 ? t("train.pg_missing") : "";
    if (!(error.status === 404 || error.status === 405)) showError($("tr-error"), error);
  }
}

/** Show an imported run's settings in the controls (the run itself uses the body as given). */
function adoptImported(body) {
  const s = settings;
  const acts = Array.isArray(body.activations) ? body.activations : [body.activations];
  const name = (a) => (typeof a === "string" ? a : a?.name);
  s.hidden = (body.layers ?? []).slice(1, -1);
  if (acts.length) s.activation = pick(name(acts[0]), names(hiddenActivations()), s.activation);
  s.output = pick(name(acts[acts.length - 1]), names(reg.activations), s.output);
  s.loss = pick(body.loss, names(reg.losses), s.loss);
  s.dtype = pick(body.dtype, names(reg.dtypes), s.dtype);
  s.optimizer = pick(body.optimizer?.name, names(reg.optimizers), s.optimizer);
  const given = Object.entries(body.optimizer ?? {}).map(([name, value]) => [paramKey(name), value]);
  Object.assign(s, optimizerValues(s.optimizer, Object.fromEntries(given)));
  s.batch = body.batch_size ?? null;
  s.l2 = body.l2 ?? 0;
  s.reg = pick(body.regularization, names(reg.regularizations), null);
  s.regRate = body.regularization_rate ?? 0;
  if (body.dataset) {
    s.dataset = pick(body.dataset.name, names(reg.datasets), s.dataset);
    s.noise = body.dataset.noise ?? s.noise;
    s.features = (body.dataset.features ?? s.features).filter((f) => entry("features", f));
  }
  const keep = imported;
  toControls();
  imported = keep;
}

async function exportPlayground() {
  const status = $("tr-pg-status");
  const link = $("tr-pg-link");
  try {
    const data = await postJSON("/api/v1/playground/export", { ...spec(), steps: 0 });
    link.href = data.url;
    link.hidden = false;
    status.textContent = data.unsupported?.length ? t("train.pg_export_partial") : t("train.pg_export_ok");
    showUnsupported(data.unsupported);
  } catch (error) {
    link.hidden = true;
    status.textContent = error.status === 404 || error.status === 405 ? t("train.pg_missing") : error.message;
  }
}

// ---- wiring ------------------------------------------------------------------------------

/** Menus, feature boxes and input bounds from the catalog (option values are its names). */
function buildControls() {
  fillSelect($("tr-dataset"), [...reg.datasets, { name: "custom", labels: { [lang]: t("train.ds_custom") } }]);
  fillSelect($("tr-activation"), hiddenActivations());
  fillSelect($("tr-output"), reg.activations);
  fillSelect($("tr-loss"), reg.losses);
  fillSelect($("tr-dtype"), reg.dtypes);
  fillSelect($("tr-optimizer"), reg.optimizers);
  fillSelect($("tr-reg"), [{ name: "", labels: { [lang]: t("train.reg_none") } }, ...reg.regularizations]);
  const boxes = document.querySelector(".tr-features");
  for (const feature of reg.features) {
    const box = Object.assign(document.createElement("input"), { type: "checkbox", name: "tr-feature", value: feature.name });
    const label = document.createElement("label");
    label.append(box, ` ${labelOf(feature)}`);
    boxes.append(label);
  }
  const limit = (id, { min, max }) => Object.assign($(id), { min: String(min), max: String(max) });
  for (const [id, name] of [["tr-samples", "samples"], ["tr-noise", "noise"], ["tr-batch", "batch"], ["tr-test-fraction", "testFraction"], ["tr-l2", "l2"], ["tr-reg-rate", "regRate"]]) {
    limit(id, field(name));
  }
  limit("tr-custom-targets", field("custom").props.find((prop) => prop.name === "targets"));
  buildOptimizerFields();
}

/** A field for each optimizer parameter the template has none for (it has the learning rate's). */
function buildOptimizerFields() {
  const before = $("tr-train-biases").closest("label");
  for (const param of optimizerParams()) {
    if ($(paramId(param.name))) continue;
    const input = Object.assign(document.createElement("input"), { id: paramId(param.name) });
    const label = document.createElement("label");
    const text = t(`train.param_${param.name}`);
    const name = text === `train.param_${param.name}` ? param.name : text;
    if (isFlag(param)) {
      input.type = "checkbox";
      label.className = "tr-check";
      label.append(input, ` ${name}`);
    } else {
      Object.assign(input, { type: "number", step: "any" });
      label.append(`${name} `, input);
    }
    label.dataset.param = param.name;
    before.before(label);
  }
}

function wire() {
  const on = (id, handler) => $(id).addEventListener("change", handler);
  for (const id of ["tr-samples", "tr-test-fraction", "tr-data-seed", "tr-activation", "tr-output", "tr-loss", "tr-seed", "tr-dtype", "tr-train-biases"]) {
    on(id, () => changed("restart"));
  }
  for (const param of optimizerParams()) {
    if (paramId(param.name) !== "tr-lr") on(paramId(param.name), () => changed("restart"));
  }
  on("tr-optimizer", () => {
    // A new optimizer starts from its own defaults (plain SGD keeps momentum 0).
    Object.assign(settings, { optimizer: $("tr-optimizer").value }, optimizerValues($("tr-optimizer").value));
    toControls();
    changed("restart");
  });
  on("tr-lr", () => changed("live", { learning_rate: Number($("tr-lr").value) }));
  on("tr-l2", () => changed("live", { l2: Number($("tr-l2").value) }));
  const regularization = () => ({ regularization: $("tr-reg").value || null, regularization_rate: Number($("tr-reg-rate").value) });
  on("tr-reg", () => changed("live", regularization()));
  on("tr-reg-rate", () => changed("live", regularization()));
  on("tr-noise", () => changed("live", { noise: Number($("tr-noise").value) }));
  on("tr-batch", () => {
    fromControls();
    changed("live", { batch_size: batchSize() });
  });
  on("tr-speed", () => {
    fromControls();
    changed("live", perFrame());
  });
  on("tr-unit", () => changed("keep"));
  for (const box of document.querySelectorAll("input[name=tr-feature]")) box.addEventListener("change", () => changed("restart"));
  on("tr-dataset", () => {
    fromControls();
    fitOutputToData();
    toControls();
    if (settings.dataset === "custom" && !custom) {
      $("tr-more").open = true;
      $("tr-custom").open = true;
      useCustomData();
      return;
    }
    changed("restart");
  });
  on("tr-show-test", () => {
    changed("keep");
    if (frame) drawBoundary(frame);
  });
  for (const radio of document.querySelectorAll("input[name=tr-view]")) {
    radio.addEventListener("change", () => {
      changed("keep");
      if (frame) drawNetwork(frame);
    });
  }
  $("tr-add-layer").addEventListener("click", () => {
    if (settings.hidden.length < field("hidden").maxLength) settings.hidden.push(2);
    renderLayers();
    changed("restart");
  });
  $("tr-remove-layer").addEventListener("click", () => {
    settings.hidden.pop();
    renderLayers();
    changed("restart");
  });
  $("tr-recipe-use").addEventListener("click", useRecipe);
  $("tr-play").addEventListener("click", () => setPlaying(!playing));
  $("tr-step").addEventListener("click", stepOnce);
  $("tr-reset").addEventListener("click", () => {
    setPlaying(false);
    if (http.on || imported) restart();
    else streamSend({ type: "reset" });
  });
  $("tr-custom-use").addEventListener("click", useCustomData);
  $("tr-pg-import").addEventListener("click", importPlayground);
  $("tr-pg-export").addEventListener("click", exportPlayground);
  $("tr-copy-link").addEventListener("click", () => {
    saveState();
    const status = $("tr-link-status");
    const done = () => (status.textContent = t("train.link_copied"));
    const fallback = () => (status.textContent = t("train.link_ready"));
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(window.location.href).then(done, fallback);
    else fallback();
  });
}

const plane = new PlaneView($("tr-boundary").querySelector("canvas"));
const curve = new CurveChart($("tr-curve").querySelector("canvas"), {
  series: [
    { name: t("train.curve_train"), color: "#0f172a" },
    { name: t("train.curve_test"), color: "#94a3b8" },
    { name: t("train.curve_accuracy"), color: "#16a34a", axis: "right", dash: true },
    { name: t("train.curve_test_accuracy"), color: "#86efac", axis: "right", dash: true },
  ].map((s) => ({ axis: "left", ...s })),
  xTitle: t("train.epochs_axis"),
});
const network = new NetworkView($("tr-graph"), {
  onEnter: (l, j) => hover([l, j]),
  onLeave: () => hover(null),
  describeEdge,
  describeNode,
});

// A new width (window resized, phone turned) lays the network out again.
new ResizeObserver(() => frame?.sizes && drawNetwork(frame)).observe($("tr-graph"));

async function main() {
  connect(); // the stream's handshake runs while the catalog and the recipes arrive
  const [answer, recipeBook] = await Promise.all([
    catalog(),
    // The recipes' versioned URL (cached for a year, like every asset) comes from the page.
    fetch($("tr-recipes-url").href).then((r) => r.json()).catch(() => ({})),
  ]);
  reg = answer;
  recipes = recipeBook;
  urlState = stateTable();
  settings = urlState.read();
  Object.assign(settings, optimizerValues(settings.optimizer, settings));
  buildControls();
  if (settings.dataset === "custom") {
    if (settings.custom.text) {
      $("tr-custom-text").value = settings.custom.text;
      $("tr-more").open = true;
      $("tr-custom").open = true;
    } else {
      settings.dataset = "circle";
    }
  }
  toControls();
  wire();
  started = true;
  if (settings.dataset === "custom") await useCustomData();
  else await restart();
}

main();
