// The page's strings, rendered by the server into <script type="application/json" id="page-strings">.
const node = document.getElementById("page-strings");
const strings = node ? JSON.parse(node.textContent) : {};

export const lang = document.documentElement.dataset.lang || "en";

/** The text for `key` (e.g. "network.title"), or the key itself if missing. */
export function t(key, vars = {}) {
  let text = strings[key] ?? key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, value);
  return text;
}
