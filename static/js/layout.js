// Shared page behaviour: the language switch keeps the current URL state (query and hash),
// and on phones the menu button folds the navigation away.
const link = document.getElementById("lang-switch");
if (link) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.dataset.lang);
    window.location.assign(url.toString());
  });
}

const header = document.getElementById("site-header");
const toggle = document.getElementById("nav-toggle");
if (header && toggle) {
  const setOpen = (open) => {
    header.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  // Escape closes the menu and gives the focus back to its button.
  header.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (!header.contains(event.target)) setOpen(false);
  });
}

// A box that scrolls sideways (a long formula, code, a wide table) takes the keyboard focus,
// so it can be scrolled without a mouse; checked again whenever the page redraws or resizes.
const SCROLLERS = ".formula, pre.code, .table-scroll, .nv-f-line";
function markScrollers() {
  for (const box of document.querySelectorAll(SCROLLERS)) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.scrollFocus = "";
    } else if (!scrolls && "scrollFocus" in box.dataset) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  }
}
let pending = null;
const later = () => {
  clearTimeout(pending);
  pending = setTimeout(markScrollers, 100);
};
const main = document.getElementById("main");
if (main) new MutationObserver(later).observe(main, { childList: true, subtree: true });
window.addEventListener("resize", later);
window.addEventListener("load", later);
