// The /network page's formula panel: the notebook's δ rule as MathML, with the selected
// neuron's (or weight's) numbers from the /api/v1/backprop response put in. Nothing is
// computed here: every number shown is a field of the response.

import { fmt } from "../api.js";
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
const row = (...items) => node("mrow", ...items);
const sub = (base, index) => node("msub", typeof base === "string" ? mi(base) : base, mi(String(index)));
const subsup = (base, index, upper) =>
  node("msubsup", mi(base), mi(String(index)), mi(String(upper)));
const frac = (a, b) => node("mfrac", a, b);
const partial = (of, by) => frac(row(mo("∂"), of), row(mo("∂"), by));
/** One equation as display MathML. With `numbers`, a second line "= numbers" follows it, so a
 * long substitution wraps onto its own line instead of running off a projected screen. */
const math = (...items) => {
  const element = node("math", row(...items));
  element.setAttribute("displaystyle", "true");
  const line = document.createElement("div");
  line.className = "nv-f-line";
  line.append(element);
  return line;
};

function equation(symbolic, ...numberLines) {
  const block = document.createElement("div");
  block.className = "nv-f-eq";
  block.append(math(...symbolic));
  for (const numbers of numberLines) {
    const line = math(mo("="), ...numbers);
    line.classList.add("nv-f-cont");
    block.append(line);
  }
  return block;
}

/** A number from the response; negative factors in parentheses. */
function num(value, factor = false) {
  const text = fmt(value).replace("-", "−");
  const n = node("mn", text);
  if (n && factor && value !== null && value < 0) return row(mo("("), n, mo(")"));
  return n;
}

function joinTerms(terms, operator = "+") {
  const items = [];
  terms.forEach((term, i) => {
    if (i) items.push(mo(operator));
    items.push(term);
  });
  return items;
}

function section(container, label, ...maths) {
  const block = document.createElement("div");
  block.className = "nv-f-block";
  const heading = document.createElement("p");
  heading.className = "nv-f-label";
  heading.textContent = label;
  block.append(heading, ...maths);
  container.append(block);
}

const at = (matrix, r, c) => (matrix?.[r]?.[c] === undefined ? null : matrix[r][c]);

/**
 * Fill `container` with the formulas for the selection.
 * ctx = {result, spec, selection: {neuron: [l, j]} | {weight: [l, j, k]}, sample, reveal}
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
    ? t("common.graph_weight", { layer, j: weight[1] + 1, k })
    : layer === 0
      ? t("common.graph_input_unit", { j: k })
      : t("common.graph_unit", { layer, j: k });
  container.append(title);
  if (layer === 0) {
    section(container, t("network.f_input"), math(sub("x", k), mo("="), num(at(info.a, sample, unit))));
    return;
  }
  const prev = result.layers[layer - 1];
  const params = result.params[layer - 1];
  const act = info.activation;
  const B = result.layers[0].a.length;

  if (layer > reveal.forward) {
    const wait = document.createElement("p");
    wait.className = "nv-hint";
    wait.textContent = t("network.act_wait");
    container.append(wait);
  }
  if (layer <= reveal.forward) {
    const fanIn = prev.size;
    const terms = [];
    if (fanIn <= 4) {
      for (let i = 0; i < fanIn; i++) {
        terms.push(row(num(at(prev.a, sample, i), true), mo("×"), num(at(params.W, i, unit), true)));
      }
    }
    const zSymbolic = [sub("z", k), mo("="), node("munder", mo("∑"), mi("i")), sub("a", "i"), sub("W", `i${k}`), mo("+"), sub("b", k)];
    const zValue = [num(at(info.z, sample, unit))];
    const maths = [
      terms.length
        ? equation(zSymbolic, [...joinTerms(terms), mo("+"), num(params.b[unit], true)], zValue)
        : equation(zSymbolic, zValue),
    ];
    maths.push(math(sub("a", k), mo("="), mi(act), mo("("), sub("z", k), mo(")"), mo("="), num(at(info.a, sample, unit))));
    if (info.fprime) {
      maths.push(math(row(mi("f"), mo("′")), mo("("), sub("z", k), mo(")"), mo("="), num(at(info.fprime, sample, unit))));
    }
    section(container, t("network.f_forward"), ...maths);
  }

  if (layer >= reveal.backward && info.delta) {
    const delta = at(info.delta, sample, unit);
    const gradA = at(info.grad_a, sample, unit);
    const fp = info.fprime ? at(info.fprime, sample, unit) : null;
    const maths = [];
    if (layer === depth && info.fprime) {
      maths.push(
        equation(
          [sub("δ", k), mo("="), partial(mi("L"), sub("O", k)), mo("·"), row(mi("f"), mo("′")), mo("("), sub("z", k), mo(")")],
          [num(gradA, true), mo("×"), num(fp, true), mo("="), num(delta)],
        ),
      );
      if (act === "sigmoid" && spec.loss === "half_sse") {
        const o = at(info.a, sample, unit);
        const target = at(ctx.targets, sample, unit);
        const scale = spec.reduction === "mean" && B > 1 ? [frac(node("mn", "1"), node("mn", String(B))), mo("·")] : [];
        maths.push(
          equation(
            [sub("δ", k), mo("="), ...scale, mo("("), sub("O", k), mo("−"), sub("t", k), mo(")"), sub("O", k), mo("("), node("mn", "1"), mo("−"), sub("O", k), mo(")")],
            [...scale.map((x) => x.cloneNode(true)), mo("("), num(o), mo("−"), num(target), mo(")"), mo("×"), num(o), mo("×"), mo("("), node("mn", "1"), mo("−"), num(o), mo(")"), mo("="), num(delta)],
          ),
        );
      }
    } else if (layer === depth) {
      maths.push(
        equation(
          [sub("δ", k), mo("="), node("munder", mo("∑"), mi("i")), partial(mi("L"), sub("p", "i")), sub("p", "i"), mo("("), sub("δ", `i${k}`), mo("−"), sub("p", k), mo(")")],
          [num(delta)],
        ),
      );
      maths.push(math(partial(mi("L"), sub("p", k)), mo("="), num(gradA)));
    } else {
      const next = result.layers[layer + 1];
      const W = result.params[layer].W;
      const terms = [];
      if (next.size <= 4) {
        for (let m = 0; m < next.size; m++) {
          terms.push(row(num(at(W, unit, m), true), mo("×"), num(at(next.delta, sample, m), true)));
        }
      }
      const symbolic = [sub("δ", k), mo("="), row(mi("f"), mo("′")), mo("("), sub("z", k), mo(")"), node("munder", mo("∑"), mi("k")), sub("W", `${k}k`), sub("δ", "k")];
      const numbers = [];
      if (fp !== null) {
        numbers.push(num(fp, true), mo("×"));
        numbers.push(terms.length ? row(mo("("), ...joinTerms(terms), mo(")")) : num(gradA, true));
        if (terms.length) numbers.push(mo("="), num(fp, true), mo("×"), num(gradA, true));
        numbers.push(mo("="));
      }
      numbers.push(num(delta));
      maths.push(equation(symbolic, numbers));
    }
    section(container, t(layer === depth ? "network.f_output_delta" : "network.f_hidden_delta"), ...maths);

    const i = weight ? weight[1] : 0;
    const grad = at(params.dW, i, unit);
    const gradTerms = B <= 3
      ? Array.from({ length: B }, (_, n) => row(num(at(prev.a, n, i), true), mo("×"), num(at(info.delta, n, unit), true)))
      : [];
    const sumSign = B > 1 ? [node("munder", mo("∑"), mi("n"))] : [];
    const gSymbolic = [partial(mi("L"), sub("W", `${i + 1}${k}`)), mo("="), ...sumSign, sub("O", i + 1), sub("δ", k)];
    const gNumbers = gradTerms.length ? [...joinTerms(gradTerms), mo("="), num(grad)] : [num(grad)];
    const bMath = [partial(mi("L"), sub("b", k)), mo("="), ...sumSign.map((x) => x.cloneNode(true)), sub("δ", k), mo("="), num(params.db[unit])];
    section(container, t("network.f_gradient", { i: i + 1, k }), equation(gSymbolic, gNumbers), math(...bMath));

    if (reveal.update) {
      const w = at(params.W, i, unit);
      section(
        container,
        t("network.f_update"),
        equation(
          [subsup("W", `${i + 1}${k}`, "new"), mo("="), sub("W", `${i + 1}${k}`), mo("−"), mi("η"), partial(mi("L"), sub("W", `${i + 1}${k}`))],
          [num(w), mo("−"), num(result.learning_rate), mo("×"), num(grad, true), mo("="), num(at(params.W_next, i, unit))],
        ),
        math(subsup("b", k, "new"), mo("="), num(params.b_next[unit])),
      );
    }
  }
}
