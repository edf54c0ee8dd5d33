// /softmax: probabilities and the Jacobian from POST /api/v1/softmax, drawn as bars and an
// annotated heatmap. Nothing is computed here.
//
// This module runs as soon as it loads (async), not after Plotly: its first request is under
// way while the browser evaluates the Plotly bundle, and only the drawing waits for it.

import { postJSON } from "../api.js";
import { drawBars } from "../charts/bars.js";
import { drawHeatmap } from "../charts/heatmap.js";
import { debounce, plotlyReady, setControls } from "../helpers.js";
import { t } from "../i18n.js";
import { numberList, pyFloat, renderer } from "../lesson.js";
import { defineState } from "../urlstate.js";

const $ = (id) => document.getElementById(id);
const logitsInput = $("sm-logits");
const dtypeSelect = $("sm-dtype");
/** The URL state: the logits as typed (the API names a bad entry) and a dtype on the menu. The
 * page needs no catalog for it, so its first request starts at once. */
const urlState = defineState([
  { name: "logits", type: "string", default: "2, 1, 0.1" },
  { name: "dtype", type: "enum", values: [...dtypeSelect.options].map((option) => option.value), default: "float32" },
]);
// A new task after the next frame: what was drawn before it is on screen.
const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

function load(state) {
  setControls({ logits: logitsInput, dtype: dtypeSelect }, state);
}

function showTable(z, p, dtype) {
  const table = $("sm-table");
  const head = document.createElement("tr");
  const zRow = document.createElement("tr");
  const pRow = document.createElement("tr");
  const th = (row, text) => {
    const cell = document.createElement("th");
    cell.textContent = text;
    row.append(cell);
  };
  const td = (row, text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    row.append(cell);
  };
  th(head, "i");
  th(zRow, "z_i");
  th(pRow, "p_i");
  z.forEach((value, i) => {
    th(head, String(i));
    td(zRow, pyFloat(value, dtype));
    td(pRow, pyFloat(p[i], dtype));
  });
  table.querySelector("thead").replaceChildren(head);
  table.querySelector("tbody").replaceChildren(zRow, pRow);
}

const render = renderer(async (stillLatest, signal) => {
  const logits = numberList(logitsInput.value);
  const dtype = dtypeSelect.value;
  urlState.write({ logits: logitsInput.value, dtype });
  const data = await postJSON("/api/v1/softmax", { logits, dtype }, signal);
  await plotlyReady;
  if (!stillLatest()) return;
  const labels = logits.map((_, i) => `p${i}`);
  drawBars($("sm-bars"), {
    labels,
    values: data.probabilities,
    text: data.probabilities.map((p) => pyFloat(p, dtype)),
    yTitle: t("softmax.probability"),
    range: [0, 1.12],
  });
  // The bars are the first figure: on screen before the heatmap's heavier draw starts.
  await nextPaint();
  if (!stillLatest()) return;
  drawHeatmap($("sm-jacobian"), {
    z: data.jacobian,
    rowLabels: logits.map((_, i) => `∂p${i}`),
    colLabels: logits.map((_, j) => `∂z${j}`),
    xTitle: t("softmax.col"),
    yTitle: t("softmax.row"),
    digits: 4,
  });
  showTable(logits, data.probabilities, dtype);
  const arr = (values) => `[${values.map((v) => pyFloat(v, dtype)).join(", ")}]`;
  $("sm-code").textContent = [
    `z = tf.constant(${arr(logits)}${dtype === "float64" ? ", tf.float64" : ""})`,
    "with tf.GradientTape() as tape:",
    "    tape.watch(z)",
    "    p = tf.nn.softmax(z)",
    "jacobian = tape.jacobian(p, z)",
    "",
    `# ${t("softmax.code_output")}:`,
    `# p = ${arr(data.probabilities)}`,
    ...data.jacobian.map((row, i) => `# jacobian[${i}] = ${arr(row)}`),
  ].join("\n");
}, $("sm-error"));

load(urlState.read());
const later = debounce(render, 150);
logitsInput.addEventListener("input", later);
dtypeSelect.addEventListener("input", later);
$("sm-reset").addEventListener("click", () => {
  load(urlState.defaults());
  render();
});
render();
