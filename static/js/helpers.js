// Helpers every page shares: requests where the latest answer wins, debounce, number
// formatting, menus from the catalog, and the one "render finished" signal tests wait on.

import { getJSON } from "./api.js";
import { lang } from "./i18n.js";

/** `fn` called once, `ms` after the last of a burst of calls. */
export function debounce(fn, ms = 150) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * A runner where only the latest call counts: `run(task)` calls `task(signal, isLatest)`,
 * aborts the previous call's requests, and resolves to `{value}` or `{error}` while that call
 * is still the latest, else to null (a newer call took over: draw nothing).
 */
export function latest() {
  let current = null;
  return async (task) => {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    const isLatest = () => current === controller;
    try {
      const value = await task(controller.signal, isLatest);
      return isLatest() ? { value } : null;
    } catch (error) {
      return isLatest() ? { error } : null;
    }
  };
}

/** `value` if it is one of `allowed`, else `fallback`. */
export const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);

/** Format a number for display: fixed significant digits, "—" for null. */
export function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-4) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** The shortest decimal that is the same number in `dtype` (0.1, not 0.10000000149011612 for
 * a float32), as a number; float64 values are already shortest. */
export function shortest(value, dtype = "float32") {
  if (dtype !== "float32" || !Number.isFinite(value)) return value;
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return value;
}

// ---- the catalog: the API's registries and limits, fetched once per page ------------------

let catalogAnswer = null;

/** GET /api/v1/catalog, once per page load (the template preloads it while scripts load). */
export function catalog() {
  catalogAnswer ??= getJSON("/api/v1/catalog");
  return catalogAnswer;
}

/** A catalog entry's label in the page's language (a plain string is its own label). */
export function labelOf(item) {
  if (typeof item !== "object" || item === null) return String(item);
  return item.labels?.[lang] ?? item.labels?.en ?? item.name;
}

/** A catalog entry's parameter bounds as a URL-state number type (min/max, open or closed). */
export function bounds(entry, name) {
  const param = entry.params.find((p) => p.name === name);
  return {
    type: "number",
    min: param.min,
    max: param.max,
    minExclusive: param.min_inclusive === false,
    maxExclusive: param.max_inclusive === false,
  };
}

/** Replace a select's options: catalog entries (value = name, text = label) or strings. */
export function fillSelect(select, items, label = labelOf) {
  select.replaceChildren(
    ...items.map((item) => {
      const option = document.createElement("option");
      option.value = typeof item === "object" ? item.name : String(item);
      option.textContent = label(item);
      return option;
    }),
  );
}

/** Show a state in its controls: `controls` maps a state key to its input, select or checkbox. */
export function setControls(controls, state) {
  for (const [key, control] of Object.entries(controls)) {
    if (control.type === "checkbox") control.checked = Boolean(state[key]);
    else control.value = String(state[key]);
  }
}

// ---- the one "render finished" signal ------------------------------------------------------

/** Say a draw is complete: <body data-render-count> counts up and "bpv:rendered" fires. */
export function rendered() {
  const count = Number(document.body.dataset.renderCount || 0) + 1;
  document.body.dataset.renderCount = String(count);
  document.dispatchEvent(new CustomEvent("bpv:rendered", { detail: { count } }));
}

// ---- Plotly, loaded as a deferred script -------------------------------------------------

/** Resolves once Plotly's bundle (a deferred script) has run: at once if it has, else by
 * DOMContentLoaded. A page module loaded with `async` asks the API first and waits on this
 * only to draw, so its request travels while the browser evaluates the bundle. */
export const plotlyReady = new Promise((resolve) => {
  if (window.Plotly) resolve();
  else document.addEventListener("DOMContentLoaded", resolve, { once: true });
});
