// /losses: a loss and its gradient as one prediction moves (POST /api/v1/loss), the
// notebook's softmax-then-from_logits mistake next to the correct calls, and the notebook's
// two loss cells recomputed (POST /api/v1/backprop). Nothing is computed here.

import { postJSON } from "../api.js";
import { drawLines } from "../charts/lines.js";
import { t } from "../i18n.js";
import { debounce, setControls } from "../helpers.js";
import { npArray, numberList, numberOf, pyFloat, renderer, setText } from "../lesson.js";
import { defineState } from "../urlstate.js";

const SETUPS = {
  mse: { loss: "mse", from_logits: false, range: [-2, 3], a: 0.2, grad: "∂L/∂a", x: "a" },
  bce: { loss: "binary_crossentropy", from_logits: false, range: [0.01, 0.99], a: 0.2, grad: "∂L/∂a", x: "a" },
  bce_logits: { loss: "binary_crossentropy", from_logits: true, range: [-6, 6], a: -1.5, grad: "∂L/∂z", x: "z" },
};
const DEFAULTS = { loss: "bce", target: 1, pred: 0.2, logits: "2, 1, 0.1", cls: 0 };
// The lesson's three set-ups (not the loss registry: each fixes a loss, from_logits and a range).
const urlState = defineState([
  { name: "loss", type: "enum", values: Object.keys(SETUPS), default: DEFAULTS.loss },
  { name: "target", type: "number", default: DEFAULTS.target },
  { name: "pred", type: "number", default: DEFAULTS.pred },
  { name: "logits", type: "string", maxLength: 2000, default: DEFAULTS.logits },
  { name: "cls", type: "number", default: DEFAULTS.cls },
]);
const POINTS = 201;
const $ = (id) => document.getElementById(id);
const el = { loss: $("ls-loss"), target: $("ls-target"), pred: $("ls-pred"), logits: $("ls-logits"), cls: $("ls-class") };

const load = (s) => setControls(el, s);

function save() {
  urlState.write({ loss: el.loss.value, target: numberOf(el.target), pred: numberOf(el.pred), logits: el.logits.value, cls: numberOf(el.cls) });
}

// ---- 1. the loss and its gradient over one prediction ----------------------------------

const renderCurve = renderer(async (stillLatest) => {
  save();
  const setup = SETUPS[el.loss.value];
  const target = numberOf(el.target);
  const pred = numberOf(el.pred);
  const [lo, hi] = setup.range;
  const grid = Array.from({ length: POINTS }, (_, i) => lo + ((hi - lo) * i) / (POINTS - 1));
  const common = { loss: setup.loss, from_logits: setup.from_logits, reduction: "sum" };
  const [curve, point] = await Promise.all([
    postJSON("/api/v1/loss", { ...common, predictions: grid.map((a) => [a]), targets: grid.map(() => [target]) }),
    postJSON("/api/v1/loss", { ...common, predictions: [[pred]], targets: [[target]] }),
  ]);
  if (!stillLatest()) return;
  for (const box of document.querySelectorAll(".ls-formula")) box.hidden = box.dataset.loss !== el.loss.value;
  setText($("ls-pred-label"), setup.from_logits ? t("losses.prediction_logit") : t("losses.prediction"));
  setText($("ls-grad-label"), setup.grad);
  setText($("ls-loss-at"), pyFloat(point.loss));
  setText($("ls-grad-at"), pyFloat(point.gradient[0][0]));
  drawLines($("ls-plot"), {
    series: [
      { x: grid, y: curve.per_sample_loss, name: "L", color: "#2563eb" },
      { x: grid, y: curve.gradient.map((row) => row[0]), name: setup.grad, color: "#f97316", dash: "dash", axis: "y2" },
    ],
    yTitle: "L",
    y2Title: setup.grad,
    marker: { x: pred, label: `${setup.x} = ${pyFloat(pred)}` },
    xTitle: setup.x,
    height: 400,
  });
}, $("ls-error"));

// ---- 2. softmax twice vs the correct calls -----------------------------------------------

function identityLayer(logits, activation, fromLogits, cls) {
  const n = logits.length;
  return {
    layers: [n, n],
    activations: activation,
    weights: [Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))],
    biases: [Array(n).fill(0)],
    inputs: [logits],
    targets: [cls],
    loss: "categorical_crossentropy",
    from_logits: fromLogits,
  };
}

const CALLS = [
  { key: "call_correct_logits", activation: "linear", fromLogits: true, ok: true },
  { key: "call_notebook", activation: "softmax", fromLogits: true, ok: false },
  { key: "call_correct_probs", activation: "softmax", fromLogits: false, ok: true },
];

const renderMistake = renderer(async (stillLatest) => {
  save();
  const logits = numberList(el.logits.value);
  const cls = numberOf(el.cls);
  const results = await Promise.all(CALLS.map((c) => postJSON("/api/v1/backprop", identityLayer(logits, c.activation, c.fromLogits, cls))));
  if (!stillLatest()) return;
  const body = $("ls-mistake").querySelector("tbody");
  body.replaceChildren();
  const warnings = new Map();
  CALLS.forEach((call, i) => {
    const data = results[i];
    const row = document.createElement("tr");
    row.dataset.call = call.key;
    row.className = call.ok ? "ok-row" : "bad-row";
    const cells = [
      t(`losses.${call.key}`),
      pyFloat(data.loss),
      `[${data.layers[1].delta[0].map((v) => pyFloat(v)).join(", ")}]`,
      call.ok ? t("losses.right") : t("losses.wrong"),
    ];
    cells.forEach((text, j) => {
      const cell = document.createElement(j === 0 ? "th" : "td");
      cell.textContent = text;
      row.append(cell);
    });
    body.append(row);
    for (const w of data.warnings) if (w.code === "double_softmax") warnings.set(w.code, w.message);
  });
  const box = $("ls-warnings");
  box.replaceChildren();
  for (const message of warnings.values()) {
    const note = document.createElement("p");
    note.className = "warning";
    note.textContent = t("losses.warn_double_softmax");
    note.title = message; // the API's own wording
    box.append(note);
  }
}, $("ls-mistake-error"));

// ---- 3. the notebook's loss cells ----------------------------------------------------------

// The MSE cell's x is random; w = b = ones make softmax = [0.5, 0.5] for any x, so
// w grad = xᵀ·[0.25, −0.25] and x = printed w grad[:, 0] / 0.25.
const MSE_CELL = {
  body: { layers: [3, 2], activations: "softmax", inputs: [[-0.11617136, -0.08406584, 0.76066328]], targets: [[0, 1]], weights: [[[1, 1], [1, 1], [1, 1]]], biases: [[1, 1]], loss: "mse" },
  printedW: ["[-0.02904284  0.02904284]", "[-0.02101646  0.02101646]", "[ 0.19016582 -0.19016582]"],
  printedB: "[ 0.25 -0.25]",
};
// tf.random.set_seed(4323): x, w, b exactly as TensorFlow draws them (float32 values in full).
const CE_CELL = {
  body: {
    layers: [4, 3],
    activations: "softmax",
    inputs: [[0.35392874479293823, 1.3840434551239014, 0.8836789131164551, -0.4648533761501312], [0.33297082781791687, -0.15094028413295746, 1.7660510540008545, -1.1744550466537476]],
    weights: [[[0.367318332195282, 0.5043147802352905, 0.24081063270568848], [-0.5543972849845886, -0.46021634340286255, -0.09493647515773773], [0.07098577916622162, 0.3122865855693817, -0.2510635554790497], [1.2474464178085327, -0.38016772270202637, -0.9748982787132263]]],
    biases: [[0.03409189730882645, 0.11479099094867706, 0.8535299897193909]],
    targets: [2, 1],
    loss: "categorical_crossentropy",
    from_logits: true,
  },
  printedW: ["[ 0.00861339 -0.01581438  0.00720099]", "[ 0.02661874  0.12178067 -0.14839941]", "[ 0.02604978 -0.15760535  0.13155556]", "[-0.01489652  0.11392362 -0.09902708]"],
  printedB: "[ 0.02462438 -0.05216555  0.02754116]",
};


function showCell(table, cell, data) {
  const head = document.createElement("tr");
  // The first column names each row's gradient; its heading is for screen readers only.
  const label = document.createElement("span");
  label.className = "sr-only";
  label.textContent = t("losses.gradient");
  for (const content of [label, t("losses.here"), t("losses.printed")]) {
    const th = document.createElement("th");
    th.append(content);
    head.append(th);
  }
  table.querySelector("thead").replaceChildren(head);
  // Formatted as NumPy prints the whole tensor, so the two columns read alike.
  const dW = data.params[0].dW;
  const flat = npArray(dW.flat());
  const width = dW[0].length;
  const rows = dW.map((_, i) => [`w grad[${i}]`, `[${flat.slice(i * width, (i + 1) * width).join(" ")}]`, cell.printedW[i]]);
  rows.push(["b grad", `[${npArray(data.params[0].db).join(" ")}]`, cell.printedB]);
  table.querySelector("tbody").replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement("tr");
      cells.forEach((text, j) => {
        const td = document.createElement(j === 0 ? "th" : "td");
        td.textContent = text;
        tr.append(td);
      });
      return tr;
    }),
  );
}

const renderCells = renderer(async () => {
  const [mse, ce] = await Promise.all([postJSON("/api/v1/backprop", MSE_CELL.body), postJSON("/api/v1/backprop", CE_CELL.body)]);
  showCell($("ls-cell-mse"), MSE_CELL, mse);
  showCell($("ls-cell-ce"), CE_CELL, ce);
}, $("ls-cells-error"));

load(urlState.read());
const curveLater = debounce(renderCurve, 150);
const mistakeLater = debounce(renderMistake, 150);
for (const input of [el.target, el.pred]) input.addEventListener("input", curveLater);
el.loss.addEventListener("input", () => {
  el.pred.value = SETUPS[el.loss.value].a;
  curveLater();
});
for (const input of [el.logits, el.cls]) input.addEventListener("input", mistakeLater);
renderCurve();
renderMistake();
renderCells();
