// /chain-rule: the notebook's chain-rule cell. Every number drawn comes from
// POST /api/v1/autodiff/chain-rule; nothing is computed here.

import { postJSON } from "../api.js";
import { drawCompGraph } from "../charts/comp_graph.js";
import { debounce, fmt, plotlyReady } from "../helpers.js";
import { t } from "../i18n.js";
import { numberOf, pyFloat, renderer, setText } from "../lesson.js";
import { defineState } from "../urlstate.js";

const FIELDS = ["x", "w1", "b1", "w2", "b2"];
const NOTEBOOK = { x: 1, w1: 2, b1: 1, w2: 2, b2: 1, dtype: "float32" };
const urlState = defineState([
  ...FIELDS.map((name) => ({ name, type: "number", default: NOTEBOOK[name] })),
  { name: "dtype", type: "enum", values: ["float32", "float64"], default: NOTEBOOK.dtype },
]);
const $ = (id) => document.getElementById(id);
const inputs = Object.fromEntries(FIELDS.map((name) => [name, $(`cr-${name}`)]));
const dtypeSelect = $("cr-dtype");

function load(state) {
  for (const name of FIELDS) inputs[name].value = state[name];
  dtypeSelect.value = state.dtype;
}

function request() {
  const body = Object.fromEntries(FIELDS.map((name) => [name, numberOf(inputs[name])]));
  return { ...body, dtype: dtypeSelect.value };
}

function drawGraph(body, data) {
  const v = (value) => fmt(value, 5);
  drawCompGraph($("cr-graph"), {
    // Sources on top, results below: every gradient is written where no edge runs.
    nodes: [
      { id: "x", x: 0, y: 1.5, label: "x", value: v(body.x), kind: "input" },
      { id: "w1", x: 1.1, y: 1.5, label: "w1", value: v(body.w1), kind: "param" },
      { id: "b1", x: 2.2, y: 1.5, label: "b1", value: v(body.b1), kind: "param" },
      { id: "y1", x: 1.1, y: 0.3, label: "y1", value: v(data.y1), kind: "result" },
      { id: "w2", x: 3.6, y: 1.5, label: "w2", value: v(body.w2), kind: "param" },
      { id: "b2", x: 4.7, y: 1.5, label: "b2", value: v(body.b2), kind: "param" },
      { id: "y2", x: 4.15, y: 0.3, label: "y2", value: v(data.y2), kind: "result" },
    ],
    edges: [
      { from: "x", to: "y1" },
      { from: "w1", to: "y1", grad: `∂y2/∂w1 = ${v(data.dy2_dw1)}<br>∂y1/∂w1 = ${v(data.dy1_dw1)}`, at: "above" },
      { from: "b1", to: "y1", grad: `∂y2/∂b1 = ${v(data.dy2_db1)}`, at: "below-right" },
      { from: "y1", to: "y2", grad: `∂y2/∂y1 = ${v(data.dy2_dy1)}`, at: "under" },
      { from: "w2", to: "y2", grad: `∂y2/∂w2 = ${v(data.dy2_dw2)}`, at: "above" },
      { from: "b2", to: "y2", grad: `∂y2/∂b2 = ${v(data.dy2_db2)}`, at: "below-right" },
    ],
  });
}

function showCode(body, data) {
  const dtype = body.dtype;
  const c = (value) => (dtype === "float64" ? `tf.constant(${pyFloat(value, dtype)}, tf.float64)` : `tf.constant(${pyFloat(value, dtype)})`);
  const out = (value) => `tf.Tensor(${pyFloat(value, dtype)}, shape=(), dtype=${dtype})`;
  $("cr-code").textContent = [
    "import tensorflow as tf",
    "",
    ...FIELDS.map((name) => `${name} = ${c(body[name])}`),
    "",
    `# ${t("chain_rule.code_comment")}`,
    "with tf.GradientTape(persistent=True) as tape:",
    "    tape.watch([w1, b1, w2, b2])",
    "    y1 = x * w1 + b1",
    "    y2 = y1 * w2 + b2",
    "",
    "dy2_dy1 = tape.gradient(y2, [y1])[0]",
    "dy1_dw1 = tape.gradient(y1, [w1])[0]",
    "dy2_dw1 = tape.gradient(y2, [w1])[0]",
    "",
    "print(dy2_dy1 * dy1_dw1)",
    "print(dy2_dw1)",
    "",
    `# ${t("chain_rule.code_output")}:`,
    out(data.product),
    out(data.dy2_dw1),
  ].join("\n");
}

const render = renderer(async (stillLatest, signal) => {
  const body = request();
  urlState.write(body);
  const data = await postJSON("/api/v1/autodiff/chain-rule", body, signal);
  if (!stillLatest()) return;
  for (const name of ["dy2_dy1", "dy1_dw1", "product", "dy2_dw1"]) {
    setText($(`cr-${name}`), pyFloat(data[name], body.dtype));
  }
  const badge = $("cr-agree");
  const same = data.product === data.dy2_dw1;
  badge.hidden = false;
  badge.className = `badge ${same ? "ok" : "bad"}`;
  badge.textContent = same ? t("chain_rule.agree") : t("chain_rule.disagree");
  await plotlyReady; // the module is async: the request went out while Plotly loaded
  if (!stillLatest()) return;
  drawGraph(body, data);
  showCode(body, data);
}, $("cr-error"));

load(urlState.read());
const later = debounce(render, 150);
for (const input of [...Object.values(inputs), dtypeSelect]) input.addEventListener("input", later);
$("cr-reset").addEventListener("click", () => {
  load(urlState.defaults());
  render();
});
render();
