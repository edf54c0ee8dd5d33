// Shared behaviour of the lesson pages: one request in flight per view (a newer answer always
// wins), API errors shown in the page's role="alert" element, and NumPy-style number printing.

import { showError } from "./api.js";
import { latest, rendered, shortest } from "./helpers.js";

/** The number typed in an input (NaN when it is not one; the API then names the field). */
export function numberOf(input) {
  return input.value.trim() === "" ? Number.NaN : Number(input.value);
}

/** "2, 1, 0.1" → [2, 1, 0.1]; words stay NaN so the API's 422 names the bad entry. */
export function numberList(text) {
  return text
    .split(/[\s,，;]+/)
    .filter((part) => part !== "")
    .map(Number);
}

/**
 * Wrap an async `render(stillLatest, signal)` so that only the latest call draws, errors go
 * to `alertElement`, and each finished render gives the page's render signal.
 */
export function renderer(render, alertElement) {
  const run = latest();
  return async () => {
    const outcome = await run((signal, isLatest) => render(isLatest, signal));
    if (!outcome) return;
    showError(alertElement, outcome.error ?? null);
    rendered();
  };
}

/** Put a MathML string from our own API into `element`. */
export function setMathML(element, markup) {
  const doc = new DOMParser().parseFromString(markup, "application/xml");
  element.replaceChildren(document.importNode(doc.documentElement, true));
}

/** Text with numbers in it, e.g. fill(el, "y = {v}", {v: 3}). */
export function setText(element, text) {
  if (element) element.textContent = text;
}

/** A number as NumPy/TensorFlow print it: shortest digits that round-trip in `dtype`. */
export function pyFloat(value, dtype = "float32") {
  if (value === null || value === undefined) return "None";
  if (!Number.isFinite(value)) return String(value);
  const text = String(shortest(value, dtype));
  const number = Number(text);
  const abs = Math.abs(number);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent] = number.toExponential().split("e");
    const sign = exponent.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exponent.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  return Number.isInteger(number) ? number.toFixed(1) : text;
}

/** A Python format string (a catalog entry's `code`, e.g. "alpha={alpha!r}") with its fields
 * filled in as Python prints those numbers (repr of a float: 0.2, 1e-07). */
export function pyFormat(template, values) {
  return template.replace(/\{\{|\}\}|\{(\w+)(?:![rs])?\}/g, (match, name) =>
    name === undefined ? match[0] : pyFloat(values[name], "float64"),
  );
}

const fractionDigits = (text) => (text.split(".")[1] || "").length;

/** toExponential, but a tie rounds to the even digit (as NumPy does), not away from zero. */
function toExponentialEven(value, digits) {
  const exact = value.toExponential(60);
  const [mantissa, exponent] = exact.split("e");
  const all = mantissa.replace("-", "").replace(".", "");
  const rest = all.slice(digits + 1);
  if (/^50*$/.test(rest) && Number(all[digits]) % 2 === 0) {
    const kept = all.slice(0, digits + 1);
    const sign = value < 0 ? "-" : "";
    return `${sign}${kept[0]}${digits ? `.${kept.slice(1)}` : ""}e${Number(exponent) >= 0 ? "+" : ""}${Number(exponent)}`;
  }
  return value.toExponential(digits);
}

/**
 * An array's values as NumPy prints the array (precision 8): fixed notation, or scientific
 * with zero-padded mantissas when the magnitudes are very small or spread over > 10³.
 */
export function npArray(values, dtype = "float32") {
  const abs = values.filter((v) => v !== null && Number.isFinite(v) && v !== 0).map(Math.abs);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const scientific = abs.length > 0 && (min < 1e-4 || max >= 1e8 || max / min > 1e3);
  if (scientific) {
    // NumPy prints every element with the digits the longest shortest-repr needs (≤ 8).
    const digits = values
      .filter((v) => v !== null && Number.isFinite(v))
      .map((v) => Math.min(8, fractionDigits(shortest(v, dtype).toExponential().split("e")[0])));
    const width = Math.max(0, ...digits);
    return values.map((v) => {
      if (v === null || !Number.isFinite(v)) return v === null ? "None" : String(v);
      const [m, e] = toExponentialEven(v, width).split("e");
      const sign = e.startsWith("-") ? "-" : "+";
      return `${width ? m : `${m}.`}e${sign}${e.replace(/^[-+]/, "").padStart(2, "0")}`;
    });
  }
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v === null ? "None" : String(v);
    if (Object.is(v, -0)) return "-0.";
    let text = String(shortest(v, dtype));
    if (text.includes("e")) text = v.toFixed(8);
    if (fractionDigits(text) > 8) text = String(Number(v.toFixed(8)));
    text = text.includes(".") ? text.replace(/0+$/, "") : `${text}.`;
    return text === "-0." ? "-0." : text;
  });
}
