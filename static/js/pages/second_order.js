// /second-order: the notebook's nested-tape cell, and y, dy/dw, d²y/dw² over a range of w.
// Numbers come from POST /api/v1/autodiff/second-order and /second-order/curve.

import { getJSON, postJSON } from "../api.js";
import { drawLines } from "../charts/lines.js";
import { debounce, fillSelect, setControls } from "../helpers.js";
import { t } from "../i18n.js";
import { numberOf, pyFloat, renderer, setMathML, setText } from "../lesson.js";
import { defineState } from "../urlstate.js";

const NOTEBOOK = { x: 3, w: 1, b: 2, function: "linear", dtype: "float32", w_start: -3, w_stop: 3 };
/** The URL state: the outer function is one of the API's (GET /api/v1/autodiff/functions). */
const stateTable = (names) =>
  defineState([
    ...["x", "w", "b"].map((name) => ({ name, type: "number", default: NOTEBOOK[name] })),
    { name: "function", type: "enum", values: names, default: NOTEBOOK.function },
    { name: "dtype", type: "enum", values: ["float32", "float64"], default: NOTEBOOK.dtype },
    ...["w_start", "w_stop"].map((name) => ({ name, type: "number", default: NOTEBOOK[name] })),
  ]);
const OUTER = { linear: "x * w + b", square: "tf.square(x * w + b)", sigmoid: "tf.sigmoid(x * w + b)", tanh: "tf.tanh(x * w + b)", exp: "tf.exp(x * w + b)" };
const $ = (id) => document.getElementById(id);
const el = {
  fn: $("so-function"),
  x: $("so-x"),
  w: $("so-w"),
  b: $("so-b"),
  dtype: $("so-dtype"),
  start: $("so-w-start"),
  stop: $("so-w-stop"),
};
let functions = [];
let urlState = null;

function load(s) {
  const { fn, start, stop, ...rest } = el;
  setControls({ ...rest, function: fn, w_start: start, w_stop: stop }, s);
}

function showFormulas(name) {
  const info = functions.find((f) => f.name === name);
  const box = $("so-formulas");
  box.replaceChildren();
  for (const key of ["formula", "first", "second"]) {
    const line = document.createElement("div");
    setMathML(line, info[key].mathml);
    box.append(line);
  }
}

function showCode(body, data) {
  const v = (value) => pyFloat(value, body.dtype);
  const dt = body.dtype === "float64" ? ", dtype=tf.float64" : "";
  const out = (value) => (value === null ? "None" : `tf.Tensor(${v(value)}, shape=(), dtype=${body.dtype})`);
  $("so-code").textContent = [
    `w = tf.Variable(${v(body.w)}${dt})`,
    `b = tf.Variable(${v(body.b)}${dt})`,
    `x = tf.Variable(${v(body.x)}${dt})`,
    "",
    "with tf.GradientTape() as t1:",
    "  with tf.GradientTape() as t2:",
    `    y = ${OUTER[body.function]}`,
    "  dy_dw, dy_db = t2.gradient(y, [w, b])",
    "d2y_dw2 = t1.gradient(dy_dw, w)",
    "",
    "print(dy_dw)",
    "print(dy_db)",
    "print(d2y_dw2)",
    "",
    `# ${t("second_order.code_output")}:`,
    out(data.dy_dw),
    out(data.dy_db),
    out(data.d2y_dw2),
  ].join("\n");
}

const render = renderer(async (stillLatest, signal) => {
  const body = { x: numberOf(el.x), w: numberOf(el.w), b: numberOf(el.b), function: el.fn.value, dtype: el.dtype.value };
  const range = { w_start: numberOf(el.start), w_stop: numberOf(el.stop) };
  urlState.write({ ...body, ...range });
  const [data, curve] = await Promise.all([
    postJSON("/api/v1/autodiff/second-order", body, signal),
    postJSON("/api/v1/autodiff/second-order/curve", { x: body.x, b: body.b, function: body.function, dtype: body.dtype, ...range, num: 241 }, signal),
  ]);
  if (!stillLatest()) return;
  for (const key of ["y", "dy_dw", "dy_db", "d2y_dw2"]) setText($(`so-${key}`), pyFloat(data[key], body.dtype));
  $("so-none").hidden = !data.unconnected.includes("d2y_dw2");
  showFormulas(body.function);
  showCode(body, data);
  const series = [
    { x: curve.w, y: curve.y, name: "y", color: "#0ea5e9" },
    { x: curve.w, y: curve.dy_dw, name: "dy/dw", color: "#f97316", dash: "dash" },
  ];
  if (curve.d2y_dw2 !== null) series.push({ x: curve.w, y: curve.d2y_dw2, name: "d²y/dw²", color: "#7c3aed", dash: "dot" });
  drawLines($("so-plot"), {
    series,
    marker: { x: body.w, label: curve.d2y_dw2 === null ? t("second_order.curve_none") : `w = ${pyFloat(body.w, body.dtype)}` },
    xTitle: "w",
  });
}, $("so-error"));

async function start() {
  functions = await getJSON("/api/v1/autodiff/functions");
  fillSelect(el.fn, functions, (f) => t(`second_order.fn_${f.name}`));
  urlState = stateTable(functions.map((f) => f.name));
  load(urlState.read());
  const later = debounce(render, 150);
  for (const input of Object.values(el)) input.addEventListener("input", later);
  $("so-reset").addEventListener("click", () => {
    load(urlState.defaults());
    render();
  });
  render();
}

start();
