// The δ-rule notation as plain text (tooltips, live region, labels): layer in a superscript,
// units in subscripts, a⁽ˡ⁾ⱼ, z⁽ˡ⁾ⱼ, δ⁽ˡ⁾ⱼ, W⁽ˡ⁾ⱼₖ (unit j of layer l−1 → unit k of layer l),
// b⁽ˡ⁾ₖ, L for the loss. network_formulas.js writes the same symbols as MathML.

import { fmt } from "../helpers.js";

const SUP = { "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "(": "⁽", ")": "⁾", "+": "⁺", "−": "⁻", "l": "ˡ", "L": "ᴸ", "n": "ⁿ" };
const SUB = { "0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉", "i": "ᵢ", "j": "ⱼ", "k": "ₖ", "m": "ₘ", "n": "ₙ", ",": "," };

const mapChars = (text, table) => [...String(text)].map((c) => table[c] ?? c).join("");

/** The unit indices of a symbol: "12" for (1, 2), "11,2" once an index has two digits. */
export function indexText(...indices) {
  const parts = indices.map(String);
  return parts.some((p) => p.length > 1) ? parts.join(",") : parts.join("");
}

/** A symbol such as a⁽¹⁾₂ or W⁽²⁾₁₂; `layer` null for none (tₖ, xⱼ). */
export function sym(base, layer, ...indices) {
  const sup = layer === null || layer === undefined ? "" : mapChars(`(${layer})`, SUP);
  return `${base}${sup}${mapChars(indexText(...indices), SUB)}`;
}

/** A number as it is substituted into a formula: negative numbers in brackets. */
export function factor(value, digits = 4) {
  const text = fmt(value, digits).replace("-", "−");
  return value !== null && value !== undefined && value < 0 ? `(${text})` : text;
}

/** A number standing alone (a result): a proper minus sign, no brackets. */
export function plain(value, digits = 4) {
  return fmt(value, digits).replace("-", "−");
}
