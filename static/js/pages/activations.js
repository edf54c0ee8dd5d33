// /activations: f, f′ (and f″) of one or several activations from
// GET /api/v1/activations/{name}/curve, the vanishing-gradient regions it reports, and the
// values at a movable z. Nothing is computed here.

import { getJSON } from "../api.js";
import { drawLines } from "../charts/lines.js";
import { catalog, debounce, fmt, labelOf, setControls } from "../helpers.js";
import { t } from "../i18n.js";
import { npArray, numberOf, pyFloat, pyFormat, renderer, setMathML, setText } from "../lesson.js";
import { defineState } from "../urlstate.js";

const DEFAULTS = { names: ["sigmoid"], start: -6, stop: 6, num: 241, alpha: 0.2, threshold: 0.05, dtype: "float32", second: false, z: 2 };
/** The URL state: types only (the API bounds the numbers and names what is out of range). */
const stateTable = (names) =>
  defineState([
    { name: "names", type: "array", of: { type: "enum", values: names }, dropBad: true, unique: true, default: DEFAULTS.names },
    ...["start", "stop", "num", "alpha", "threshold"].map((name) => ({ name, type: "number", default: DEFAULTS[name] })),
    { name: "dtype", type: "enum", values: ["float32", "float64"], default: DEFAULTS.dtype },
    { name: "second", type: "bool", default: DEFAULTS.second },
    { name: "z", type: "number", default: DEFAULTS.z },
  ]);
const PRESETS = {
  sigmoid: { ...DEFAULTS, names: ["sigmoid"], start: -10, stop: 10, num: 10, z: -1.1111107 },
  leaky: { ...DEFAULTS, names: ["leaky_relu"], start: -1, stop: 1, num: 10, z: -0.5 },
};
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be185d", "#4d7c0f", "#7c2d12", "#1e3a8a", "#525252"];
const $ = (id) => document.getElementById(id);
const el = {
  start: $("act-start"),
  stop: $("act-stop"),
  num: $("act-num"),
  alpha: $("act-alpha"),
  threshold: $("act-threshold"),
  dtype: $("act-dtype"),
  second: $("act-second"),
  z: $("act-z"),
};
let infos = []; // GET /api/v1/activations: each one's formulas
let choices = []; // the catalog's activations: names, labels and TensorFlow code
let urlState = null;

const checked = () => [...document.querySelectorAll("#act-choices input:checked")].map((box) => box.value);
const colorOf = (name) => COLORS[choices.findIndex((a) => a.name === name) % COLORS.length];
const label = (name) => labelOf(choices.find((a) => a.name === name) ?? name);

function load(s) {
  for (const box of document.querySelectorAll("#act-choices input")) box.checked = s.names.includes(box.value);
  const { z, ...inputs } = el;
  setControls(inputs, s);
  setSlider(s.z);
}

function setSlider(z) {
  const start = numberOf(el.start);
  const stop = numberOf(el.stop);
  if (Number.isFinite(start) && Number.isFinite(stop) && stop > start) {
    el.z.min = start;
    el.z.max = stop;
    el.z.step = (stop - start) / 1000;
  }
  if (z !== undefined) el.z.value = z;
}

function curveURL(name, query) {
  const params = new URLSearchParams({ ...query, dtype: el.dtype.value, threshold: el.threshold.value });
  if (name === "leaky_relu") params.set("alpha", el.alpha.value);
  return `/api/v1/activations/${name}/curve?${params}`;
}

function showFormulas(names) {
  const box = $("act-formulas");
  box.replaceChildren();
  for (const name of names) {
    const info = infos.find((a) => a.name === name);
    const block = document.createElement("div");
    block.className = "act-formula";
    const title = document.createElement("strong");
    title.textContent = label(name);
    const f = document.createElement("div");
    const d = document.createElement("div");
    setMathML(f, info.formula_mathml);
    setMathML(d, info.derivative_mathml);
    block.append(title, f, d);
    box.append(block);
  }
}

function cell(row, text, tag = "td") {
  const node = document.createElement(tag);
  node.textContent = text;
  row.append(node);
}

function showAt(names, points, dtype, second) {
  const body = $("act-at").querySelector("tbody");
  body.replaceChildren();
  names.forEach((name, i) => {
    const p = points[i];
    const row = document.createElement("tr");
    row.dataset.name = name;
    cell(row, label(name), "th");
    cell(row, pyFloat(p.x[0], dtype));
    cell(row, pyFloat(p.y[0], dtype));
    cell(row, pyFloat(p.dy?.[0] ?? null, dtype));
    cell(row, second ? (p.d2y === null ? "None" : pyFloat(p.d2y[0], dtype)) : "");
    body.append(row);
  });
  setText($("act-z-value"), fmt(Number(el.z.value), 5));
}

function showValues(names, curves, dtype, second) {
  const table = $("act-values");
  const head = table.querySelector("thead");
  const body = table.querySelector("tbody");
  head.replaceChildren();
  body.replaceChildren();
  const n = curves[0]?.x.length ?? 0;
  $("act-values-hint").textContent = n > 30 ? t("activations.values_many", { n }) : t("activations.values_hint");
  $("act-code").hidden = n > 30;
  if (n > 30 || !names.length) return;
  const titles = document.createElement("tr");
  cell(titles, "x", "th");
  names.forEach((name) => {
    cell(titles, `${name}(x)`, "th");
    cell(titles, `${name}′(x)`, "th");
    if (second) cell(titles, `${name}″(x)`, "th");
  });
  head.append(titles);
  // Each column printed as NumPy prints that array, so it reads like the notebook's output.
  const columns = [npArray(curves[0].x, dtype)];
  curves.forEach((c) => {
    columns.push(npArray(c.y, dtype), c.dy ? npArray(c.dy, dtype) : Array(n).fill("None"));
    if (second) columns.push(c.d2y ? npArray(c.d2y, dtype) : Array(n).fill("None"));
  });
  for (let i = 0; i < n; i += 1) {
    const row = document.createElement("tr");
    for (const column of columns) cell(row, column[i]);
    body.append(row);
  }
  const first = curves[0];
  // The catalog's TensorFlow expression with the parameters the API used; a vector-valued
  // function's curve is not what this code would print, so it gets none.
  const entry = choices.find((a) => a.name === first.name);
  const code = entry?.elementwise ? pyFormat(entry.code, first.params) : "";
  const fn = code.startsWith("lambda") ? "f" : code;
  const arr = (values) => `[${npArray(values, dtype).join(" ")}]`;
  $("act-code").textContent = code
    ? [
        ...(fn === code ? [] : [`f = ${code}`]),
        `a = tf.linspace(${pyFloat(numberOf(el.start), dtype)}, ${pyFloat(numberOf(el.stop), dtype)}, ${n})`,
        "with tf.GradientTape() as tape:",
        "    tape.watch(a)",
        `    y = ${fn}(a)`,
        "grads = tape.gradient(y, [a])",
        `# a     = ${arr(first.x)}`,
        `# y     = ${arr(first.y)}`,
        `# grads = ${first.dy ? arr(first.dy) : "None"}`,
      ].join("\n")
    : "";
}

const render = renderer(async (stillLatest, signal) => {
  const names = checked();
  const state = {
    names,
    start: numberOf(el.start),
    stop: numberOf(el.stop),
    num: numberOf(el.num),
    alpha: numberOf(el.alpha),
    threshold: numberOf(el.threshold),
    dtype: el.dtype.value,
    second: el.second.checked,
    z: Number(el.z.value),
  };
  urlState.write(state);
  const range = { start: el.start.value, stop: el.stop.value, num: el.num.value };
  const at = { start: el.z.value, stop: el.z.value, num: 1 };
  const [curves, points] = await Promise.all([
    Promise.all(names.map((name) => getJSON(curveURL(name, range), signal))),
    Promise.all(names.map((name) => getJSON(curveURL(name, at), signal))),
  ]);
  if (!stillLatest()) return;
  const series = [];
  const shaded = [];
  curves.forEach((c, i) => {
    const color = colorOf(names[i]);
    const name = label(names[i]);
    series.push({ x: c.x, y: c.y, name: `${name}: f`, color });
    if (c.dy) series.push({ x: c.x, y: c.dy, name: `${name}: f′`, color, dash: "dash" });
    if (state.second && c.d2y) series.push({ x: c.x, y: c.d2y, name: `${name}: f″`, color, dash: "dot", width: 2 });
    for (const [from, to] of c.vanishing) {
      shaded.push({ from, to, label: shaded.length ? "" : t("activations.vanishing", { t: c.threshold }) });
    }
  });
  drawLines($("act-plot"), { series, shaded, marker: { x: state.z, label: `z = ${fmt(state.z, 4)}` }, xTitle: "z", height: 420 });
  showAt(names, points, state.dtype, state.second);
  showFormulas(names);
  showValues(names, curves, state.dtype, state.second);
}, $("act-error"));

async function start() {
  const [formulas, answer] = await Promise.all([getJSON("/api/v1/activations"), catalog()]);
  infos = formulas;
  choices = answer.activations;
  urlState = stateTable(choices.map((a) => a.name));
  const box = $("act-choices");
  for (const info of choices) {
    const wrap = document.createElement("label");
    wrap.className = "inline-check";
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = info.name;
    input.id = `act-pick-${info.name}`;
    wrap.append(input, ` ${label(info.name)}`);
    box.append(wrap);
  }
  load(urlState.read());
  const later = debounce(render, 150);
  for (const input of [...Object.values(el), box]) input.addEventListener("input", later);
  for (const input of [el.start, el.stop]) input.addEventListener("input", () => setSlider());
  $("act-preset-sigmoid").addEventListener("click", () => {
    load(PRESETS.sigmoid);
    render();
  });
  $("act-preset-leaky").addEventListener("click", () => {
    load(PRESETS.leaky);
    render();
  });
  render();
}

start();
