// The /network page's formula panel: the notebook's δ rule as MathML, with the selected
// neuron's (or weight's) numbers from the /api/v1/backprop response put in. Nothing is
// computed here: every number shown is a field of the response.
//
// Notation (the same as the graph's hover text, notation.js): a⁽ˡ⁾ⱼ, z⁽ˡ⁾ⱼ, δ⁽ˡ⁾ⱼ, W⁽ˡ⁾ⱼₖ (unit j
// of layer l−1 → unit k of layer l), b⁽ˡ⁾ₖ, targets tₖ, the loss L. Every symbol carries
// data-q (the quantity it names, e.g. "a|1|2") and every substituted number data-v (the
// quantity whose value it is), so a test can check that one symbol always means one thing.

import { fmt } from "../helpers.js";
import { t } from "../i18n.js";

const NS = "http://www.w3.org/1998/Math/MathML";

function node(tag, ...children) {
  const element = document.createElementNS(NS, tag);
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

const mi = (text) => node("mi", text);
const mo = (text) => node("mo", text);
const mn = (text) => node("mn", text);
const row = (...items) => node("mrow", ...items);
const frac = (a, b) => node("mfrac", a, b);
const partial = (of, by) => frac(row(mo("∂"), of), row(mo("∂"), by));
const sum = (index) => node("munder", mo("∑"), mi(index));
const fprime = (arg) => row(mi("f"), mo("′"), mo("("), arg, mo(")"));

/** The unit indices of a symbol: "12" for (1, 2), "11,2" once an index has two digits. */
const indexText = (...indices) => {
  const parts = indices.map(String);
  return parts.some((p) => p.length > 1) ? parts.join(",") : parts.join("");
};

/** A symbol: base, layer superscript ⁽ˡ⁾ (none for layer null) and unit subscripts. */
function sym(base, layer, ...indices) {
  const index = indexText(...indices);
  const element =
    layer === null
      ? node("msub", mi(base), mi(index))
      : node("msubsup", mi(base), mi(index), row(mo("("), mn(String(layer)), mo(")")));
  element.setAttribute("data-q", `${base}|${layer ?? ""}|${index}`);
  return element;
}

/** A whole layer's vector, z⁽ˡ⁾ (softmax reads all of it). */
function vec(base, layer) {
  const element = node("msup", mi(base), row(mo("("), mn(String(layer)), mo(")")));
  element.setAttribute("data-q", `${base}|${layer}|`);
  return element;
}

/** A number from the response, tagged with the quantity it is; `factor`: negatives in brackets. */
function num(value, quantity, factor = false) {
  const n = mn(fmt(value).replace("-", "−"));
  if (quantity) n.setAttribute("data-v", quantity);
  if (factor && value !== null && value < 0) return row(mo("("), n, mo(")"));
  return n;
}

const q = (kind, layer, ...indices) => `${kind}|${layer ?? ""}|${indexText(...indices)}`;

// One line of an equation is several small <math> pieces in a wrapping row: MathML does not
// break lines, so a long substitution wraps between its terms instead of running off the panel.
const BREAK_BEFORE = new Set(["=", "+", "−", "←"]);

function pieces(items) {
  const chunks = [[]];
  items.forEach((item, i) => {
    if (i > 0 && item.localName === "mo" && BREAK_BEFORE.has(item.textContent)) chunks.push([]);
    chunks.at(-1).push(item);
  });
  return chunks.filter((chunk) => chunk.length);
}

function line(items, continued = false) {
  const element = document.createElement("div");
  element.className = continued ? "nv-f-line nv-f-cont" : "nv-f-line";
  for (const chunk of pieces(items)) {
    // An operator that starts a piece is still binary: keep its spacing.
    if (chunk[0].localName === "mo" && BREAK_BEFORE.has(chunk[0].textContent)) chunk[0].setAttribute("form", "infix");
    const math = node("math", row(...chunk));
    math.setAttribute("displaystyle", "true");
    element.append(math);
  }
  return element;
}

/** A symbolic line, then its substitutions, each on its own line starting with "=". */
function equation(symbolic, ...numberLines) {
  const block = document.createElement("div");
  block.className = "nv-f-eq";
  block.append(line(symbolic));
  for (const numbers of numberLines) block.append(line([mo("="), ...numbers], true));
  return block;
}

function joinTerms(terms, operator = "+") {
  const items = [];
  terms.forEach((term, i) => {
    if (i) items.push(mo(operator));
    items.push(...(Array.isArray(term) ? term : [term]));
  });
  return items;
}

function section(container, part, label, ...blocks) {
  const block = document.createElement("div");
  block.className = "nv-f-block";
  block.dataset.part = part;
  const heading = document.createElement("p");
  heading.className = "nv-f-label";
  heading.textContent = label;
  block.append(heading, ...blocks);
  container.append(block);
}

const at = (matrix, r, c) => (matrix?.[r]?.[c] === undefined ? null : matrix[r][c]);

/**
 * Fill `container` with the formulas for the selection.
 * ctx = {result, spec, targets, selection: {neuron: [l, j]} | {weight: [l, j, k]}, sample, reveal}
 */
export function renderFormulas(container, ctx) {
  container.replaceChildren();
  const { result, spec, sample } = ctx;
  if (!result) return;
  const depth = result.layers.length - 1;
  const reveal = ctx.reveal || { forward: depth, backward: 1, update: true };
  const selection = ctx.selection || { neuron: [depth, 0] };
  const weight = selection.weight || null;
  const [layer, unit] = weight ? [weight[0], weight[2]] : selection.neuron;
  const info = result.layers[layer];
  const k = unit + 1;

  const title = document.createElement("p");
  title.className = "nv-f-title";
  title.textContent = weight
    ? t("network.weight_title", { layer, prev: layer - 1, j: weight[1] + 1, k })
    : layer === 0
      ? t("common.graph_input_unit", { j: k })
      : t("common.graph_unit", { layer, j: k });
  container.append(title);
  if (layer === 0) {
    const x = num(at(info.a, sample, unit), q("a", 0, k));
    section(container, "input", t("network.f_input"), line([sym("a", 0, k), mo("="), sym("x", null, k), mo("="), x]));
    return;
  }
  const prev = result.layers[layer - 1];
  const params = result.params[layer - 1];
  const B = result.layers[0].a.length;
  if (layer > reveal.forward) {
    const wait = document.createElement("p");
    wait.className = "nv-hint";
    wait.textContent = t("network.act_wait");
    container.append(wait);
    return;
  }
  forwardSection(container, { info, prev, params, layer, unit, sample });
  if (layer >= reveal.backward && info.delta) {
    const next = { layers: result.layers, params: result.params };
    deltaSection(container, { info, layer, unit, sample, depth, spec, B, targets: ctx.targets, next });
    const i = weight ? weight[1] : 0;
    gradientSection(container, { info, prev, params, layer, unit, i, B });
    if (reveal.update) updateSection(container, { params, layer, unit, i, eta: result.learning_rate, spec });
  }
}

function forwardSection(container, { info, prev, params, layer, unit, sample }) {
  const k = unit + 1;
  const fanIn = prev.size;
  const z = () => sym("z", layer, k);
  const symbolic = [z(), mo("="), sum("j"), sym("a", layer - 1, "j"), sym("W", layer, "j", k), mo("+"), sym("b", layer, k)];
  const zValue = [num(at(info.z, sample, unit), q("z", layer, k))];
  const terms = [];
  if (fanIn <= 4) {
    for (let i = 0; i < fanIn; i++) {
      terms.push([
        num(at(prev.a, sample, i), q("a", layer - 1, i + 1), true),
        mo("×"),
        num(at(params.W, i, unit), q("W", layer, i + 1, k), true),
      ]);
    }
  }
  const blocks = [
    terms.length
      ? equation(symbolic, [...joinTerms(terms), mo("+"), num(params.b[unit], q("b", layer, k), true)], zValue)
      : equation(symbolic, zValue),
    line([
      sym("a", layer, k),
      mo("="),
      // softmax reads the whole layer: softmax(z⁽ˡ⁾)ₖ, not a function of z⁽ˡ⁾ₖ alone
      ...(info.activation === "softmax"
        ? [node("msub", row(mi("softmax"), mo("("), vec("z", layer), mo(")")), mi(String(k)))]
        : [mi(info.activation), mo("("), z(), mo(")")]),
      mo("="),
      num(at(info.a, sample, unit), q("a", layer, k)),
    ]),
  ];
  if (info.fprime) blocks.push(line([fprime(z()), mo("="), num(at(info.fprime, sample, unit), q("fp", layer, k))]));
  section(container, "forward", t("network.f_forward"), ...blocks);
}

function deltaSection(container, { info, layer, unit, sample, depth, spec, B, targets, next }) {
  const k = unit + 1;
  const delta = num(at(info.delta, sample, unit), q("δ", layer, k));
  const gradA = at(info.grad_a, sample, unit);
  const fp = info.fprime ? at(info.fprime, sample, unit) : null;
  const a = (index) => sym("a", layer, index);
  const z = () => sym("z", layer, k);
  const blocks = [];
  if (layer === depth) {
    const target = at(targets, sample, unit);
    blocks.push(line([sym("t", null, k), mo("="), num(target, q("t", null, k))]));
    if (info.fprime) {
      blocks.push(
        equation(
          [sym("δ", layer, k), mo("="), partial(mi("L"), a(k)), mo("·"), fprime(z())],
          [num(gradA, q("dL/da", layer, k), true), mo("×"), num(fp, q("fp", layer, k), true), mo("="), delta],
        ),
      );
      if (info.activation === "sigmoid" && spec.loss === "half_sse") {
        const o = () => num(at(info.a, sample, unit), q("a", layer, k), true);
        const scale = () => (spec.reduction === "mean" && B > 1 ? [frac(mn("1"), mn(String(B))), mo("·")] : []);
        blocks.push(
          equation(
            [sym("δ", layer, k), mo("="), ...scale(), row(mo("("), a(k), mo("−"), sym("t", null, k), mo(")")), a(k), row(mo("("), mn("1"), mo("−"), a(k), mo(")"))],
            [...scale(), row(mo("("), o(), mo("−"), num(target, q("t", null, k), true), mo(")")), mo("×"), o(), mo("×"), row(mo("("), mn("1"), mo("−"), o(), mo(")")), mo("="), delta.cloneNode(true)],
          ),
        );
      }
    } else {
      blocks.push(
        equation(
          [sym("δ", layer, k), mo("="), sum("i"), partial(mi("L"), a("i")), a("i"), row(mo("("), mo("["), mi("i"), mo("="), mn(String(k)), mo("]"), mo("−"), a(k), mo(")"))],
          [delta],
        ),
        line([partial(mi("L"), a(k)), mo("="), num(gradA, q("dL/da", layer, k))]),
      );
    }
  } else {
    const W = next.params[layer].W;
    const after = next.layers[layer + 1];
    const terms = [];
    if (after.size <= 4) {
      for (let m = 0; m < after.size; m++) {
        terms.push([
          num(at(W, unit, m), q("W", layer + 1, k, m + 1), true),
          mo("×"),
          num(at(after.delta, sample, m), q("δ", layer + 1, m + 1), true),
        ]);
      }
    }
    const symbolic = [sym("δ", layer, k), mo("="), fprime(z()), mo("·"), sum("m"), sym("W", layer + 1, k, "m"), sym("δ", layer + 1, "m")];
    const numbers = [];
    const fpNum = () => num(fp, q("fp", layer, k), true);
    const gradNum = () => num(gradA, q("dL/da", layer, k), true);
    if (fp !== null) {
      numbers.push(fpNum(), mo("×"));
      if (terms.length) numbers.push(mo("("), ...joinTerms(terms), mo(")"), mo("="), fpNum(), mo("×"), gradNum());
      else numbers.push(gradNum());
      numbers.push(mo("="));
    }
    numbers.push(delta);
    blocks.push(equation(symbolic, numbers));
  }
  section(container, "delta", t(layer === depth ? "network.f_output_delta" : "network.f_hidden_delta", { layer, next: layer + 1 }), ...blocks);
}

function gradientSection(container, { info, prev, params, layer, unit, i, B }) {
  const k = unit + 1;
  const j = i + 1;
  const W = () => sym("W", layer, j, k);
  const b = () => sym("b", layer, k);
  const terms = B <= 3
    ? Array.from({ length: B }, (_, n) => [
        num(at(prev.a, n, i), B === 1 ? q("a", layer - 1, j) : null, true),
        mo("×"),
        num(at(info.delta, n, unit), B === 1 ? q("δ", layer, k) : null, true),
      ])
    : [];
  const sumSign = () => (B > 1 ? [sum("n")] : []);
  const grad = num(at(params.dW, i, unit), q("dL/dW", layer, j, k));
  const numbers = terms.length ? [...joinTerms(terms), mo("="), grad] : [grad];
  section(
    container,
    "gradient",
    t("network.f_gradient", { layer, prev: layer - 1, j, k }),
    equation([partial(mi("L"), W()), mo("="), ...sumSign(), sym("a", layer - 1, j), sym("δ", layer, k)], numbers),
    line([partial(mi("L"), b()), mo("="), ...sumSign(), sym("δ", layer, k), mo("="), num(params.db[unit], q("dL/db", layer, k))]),
  );
}

function updateSection(container, { params, layer, unit, i, eta, spec }) {
  const k = unit + 1;
  const j = i + 1;
  const W = () => sym("W", layer, j, k);
  const b = () => sym("b", layer, k);
  const etaNum = () => num(eta, q("η", null, ""), true);
  const blocks = [
    equation(
      [W(), mo("←"), W(), mo("−"), mi("η"), mo("·"), partial(mi("L"), W())],
      [
        num(at(params.W, i, unit), q("W", layer, j, k), true),
        mo("−"),
        etaNum(),
        mo("×"),
        num(at(params.dW, i, unit), q("dL/dW", layer, j, k), true),
        mo("="),
        num(at(params.W_next, i, unit), q("W_next", layer, j, k)),
      ],
    ),
  ];
  if (spec.train_biases) {
    blocks.push(
      equation(
        [b(), mo("←"), b(), mo("−"), mi("η"), mo("·"), partial(mi("L"), b())],
        [
          num(params.b[unit], q("b", layer, k), true),
          mo("−"),
          etaNum(),
          mo("×"),
          num(params.db[unit], q("dL/db", layer, k), true),
          mo("="),
          num(params.b_next[unit], q("b_next", layer, k)),
        ],
      ),
    );
  } else {
    const kept = document.createElement("p");
    kept.className = "nv-hint";
    kept.textContent = t("network.f_bias_frozen");
    blocks.push(line([b(), mo("="), num(params.b[unit], q("b", layer, k))]), kept);
  }
  section(container, "update", t("network.f_update"), ...blocks);
}
