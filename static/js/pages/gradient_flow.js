// /gradient-flow: two deep stacks side by side, from one POST /api/v1/gradient-flow with both
// networks in "configs". The page only draws the per-layer numbers the API returns.

import { postJSON, showError } from "../api.js";
import { drawLayerLines } from "../charts/layer_lines.js";
import { drawLayerNorms } from "../charts/layer_norms.js";
import { catalog, debounce, fillSelect, fmt, latest, rendered } from "../helpers.js";
import { t } from "../i18n.js";
import { defineState } from "../urlstate.js";

const $ = (id) => document.getElementById(id);
const COLORS = { a: "#dc2626", b: "#2563eb" };
const METRICS = ["grad_W_norm", "delta_norm"];

/** The page's URL state: sizes bounded by the API's limits, activations and initialisers from
 * its registries. */
function stateTable({ activations, initializers, limits }) {
  const config = (activation, init) => ({
    type: "object",
    props: [
      { name: "activation", type: "enum", values: activations.filter((a) => a.elementwise).map((a) => a.name), default: activation },
      { name: "init", type: "enum", values: initializers.map((i) => i.name), default: init },
    ],
    default: { activation, init },
  });
  return defineState([
    { name: "depth", type: "int", min: 2, max: limits.max_depth, default: 10 },
    { name: "width", type: "int", min: 1, max: limits.max_units, default: 16 },
    { name: "batch", type: "int", min: 1, max: limits.max_batch, default: 32 },
    { name: "seed", type: "int", min: 0, max: 2 ** 31 - 1, default: 0 },
    { name: "metric", type: "enum", values: METRICS, default: "grad_W_norm" },
    { name: "a", ...config("sigmoid", "glorot_uniform") },
    { name: "b", ...config("relu", "he_normal") },
  ]);
}
const inputs = {
  depth: $("gf-depth"),
  width: $("gf-width"),
  batch: $("gf-batch"),
  seed: $("gf-seed"),
  metric: $("gf-metric"),
};
const normsPlot = $("gf-norms");
const activityPlot = $("gf-activity");
const errorBox = $("gf-error");

const fetchFlow = latest(); // only the newest answer is drawn
let urlState = null;
let lastData = null;

function readControls() {
  const config = (key) => ({
    activation: $(`gf-${key}-activation`).value,
    init: $(`gf-${key}-init`).value,
  });
  return {
    depth: Number(inputs.depth.value),
    width: Number(inputs.width.value),
    batch: Number(inputs.batch.value),
    seed: Number(inputs.seed.value),
    metric: inputs.metric.value,
    a: config("a"),
    b: config("b"),
  };
}

function writeControls(state) {
  for (const name of ["depth", "width", "batch", "seed", "metric"]) {
    inputs[name].value = String(state[name]);
  }
  for (const key of ["a", "b"]) {
    $(`gf-${key}-activation`).value = state[key].activation;
    $(`gf-${key}-init`).value = state[key].init;
  }
  $("gf-depth-value").textContent = String(state.depth);
}

function label(state, key) {
  return `${t(`gradient_flow.config_${key}`)}: ${state[key].activation} + ${state[key].init}`;
}

function draw(state, data) {
  const [configA, configB] = data.configs;
  const pairs = [
    ["a", configA],
    ["b", configB],
  ];
  const metricName =
    state.metric === "delta_norm" ? t("gradient_flow.metric_delta") : t("gradient_flow.metric_grad_W");
  drawLayerNorms(normsPlot, {
    series: pairs.map(([key, config]) => ({
      name: label(state, key),
      color: COLORS[key],
      values: config.per_layer.map((layer) => layer[state.metric]),
    })),
    xTitle: t("gradient_flow.layer"),
    yTitle: metricName,
  });
  const activity = [];
  for (const [key, config] of pairs) {
    const name = `${state[key].activation} + ${state[key].init}`;
    activity.push({
      name: `${name}: ${t("gradient_flow.mean_abs_a")}`,
      color: COLORS[key],
      values: config.per_layer.map((layer) => layer.mean_abs_activation),
    });
    activity.push({
      name: `${name}: ${t("gradient_flow.saturated")}`,
      color: COLORS[key],
      dash: "dot",
      values: config.per_layer.map((layer) => layer.saturated_fraction),
    });
  }
  drawLayerLines(activityPlot, {
    series: activity,
    xTitle: t("gradient_flow.layer"),
    yTitle: t("gradient_flow.fraction"),
  });
  drawSummary(state, pairs);
  normsPlot.dataset.depth = String(state.depth);
  normsPlot.dataset.metric = state.metric;
  rendered();
}

function drawSummary(state, pairs) {
  const body = $("gf-summary").querySelector("tbody");
  body.replaceChildren();
  for (const [key, config] of pairs) {
    const row = document.createElement("tr");
    const layers = config.per_layer;
    const cells = [
      label(state, key),
      fmt(config.loss, 5),
      fmt(layers[0].grad_W_norm, 3),
      fmt(layers[layers.length - 1].grad_W_norm, 3),
      fmt(config.first_to_last_ratio, 3),
    ];
    for (const text of cells) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const check = document.createElement("td");
    const badge = document.createElement("span");
    badge.className = `badge ${config.check.agrees ? "ok" : "bad"}`;
    badge.textContent = config.check.agrees ? t("gradient_flow.agrees") : t("gradient_flow.disagrees");
    check.append(badge);
    row.append(check);
    row.dataset.config = key;
    body.append(row);
  }
}

async function update() {
  const state = readControls();
  $("gf-depth-value").textContent = String(state.depth);
  urlState.write(state);
  if (lastData && lastData.key === JSON.stringify({ ...state, metric: null })) {
    draw(state, lastData.data); // only the metric changed: no new request
    return;
  }
  const body = {
    depth: state.depth,
    width: state.width,
    batch_size: state.batch,
    data_seed: state.seed,
    configs: ["a", "b"].map((key) => ({ ...state[key], seed: state.seed })),
  };
  normsPlot.setAttribute("aria-busy", "true");
  const outcome = await fetchFlow((signal) => postJSON("/api/v1/gradient-flow", body, signal));
  if (!outcome) return;
  normsPlot.removeAttribute("aria-busy");
  showError(errorBox, outcome.error ?? null);
  if (outcome.error) return;
  lastData = { key: JSON.stringify({ ...state, metric: null }), data: outcome.value };
  draw(state, outcome.value);
}

/** Menus and bounds from the catalog, then the URL's state. */
async function start() {
  const answer = await catalog();
  urlState = stateTable(answer);
  const table = Object.fromEntries(urlState.props.map((prop) => [prop.name, prop]));
  for (const name of ["depth", "width", "batch"]) inputs[name].max = String(table[name].max);
  for (const key of ["a", "b"]) {
    const [activation] = table[key].props;
    fillSelect($(`gf-${key}-activation`), answer.activations.filter((a) => activation.values.includes(a.name)));
    fillSelect($(`gf-${key}-init`), answer.initializers);
  }
  writeControls(urlState.read());
  const later = debounce(update, 250);
  inputs.depth.addEventListener("input", () => {
    $("gf-depth-value").textContent = inputs.depth.value;
    later();
  });
  for (const element of document.querySelectorAll(".gf-page input, .gf-page select")) {
    if (element !== inputs.depth) element.addEventListener("change", later);
  }
  update();
}

start();
