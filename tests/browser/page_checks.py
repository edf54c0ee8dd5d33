"""Checks shared by the layout, responsive and accessibility tests: every page in both
languages, loaded in a shared browser context per viewport (one load per page and size)."""

from contextlib import contextmanager

from app.web import available_pages
from tests.conftest import watched_page

LANGS = ["en", "zh"]
# Every page the app serves, /docs (Swagger UI inside the site's layout) included.
PATHS = [path for path, _template, _key in available_pages()] + ["/docs"]
CASES = [(path, lang) for path in PATHS for lang in LANGS]
IDS = [f"{path.strip('/') or 'home'}-{lang}" for path, lang in CASES]


@contextmanager
def shared_page(browser, live_server, width: int, height: int, **context_options):
    """One page for many tests at one viewport; console errors and outside requests fail."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": width, "height": height}, **context_options
    )
    page = watched_page(context, live_server)
    try:
        yield page
    finally:
        context.close()


def open_drawn(page, path: str, lang: str) -> None:
    """Open a page and wait until its requests are done and its figures drawn."""
    page.problems.console_errors.clear()
    page.goto(f"{path}?lang={lang}")
    page.wait_for_load_state("networkidle")
    # Plotly draws as soon as the API answers; two frames later every figure is on screen.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
    page.wait_for_timeout(100)
    page.problems.assert_clean()
    assert page.evaluate(UNKNOWN_TRACE_TYPES) == [], "the page's Plotly bundle lacks a trace type"


# A trace type the page's Plotly bundle lacks is drawn as nothing (an invisible scatter).
UNKNOWN_TRACE_TYPES = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(
  (gd) => (gd.data || []).filter((trace, i) => (trace.type || 'scatter')
    !== (gd._fullData[i] || {}).type).map((trace) => `#${gd.id}: ${trace.type}`))"""


# Elements that reach past the viewport's sides without a sideways-scrolling box around them.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    if (style.position === 'absolute' && el.classList.contains('skip')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.closest('svg') && el.closest('svg').id === 'js-plotly-tester') continue;
    if ((r.right > width + 1 || r.left < -1) && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.getAttribute('class') || ''}`
        + ` [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, elements: out.slice(0, 10)};
}"""


# Pairs of SVG text labels in one Plotly figure whose boxes overlap (ticks, annotations,
# legend, titles, colour-bar, text on points), and labels the modebar (toolbar) covers.
OVERLAPPING_LABELS = """() => {
  const boxes = (figure) => [...figure.querySelectorAll('svg text')]
    .filter((el) => !el.closest('.hoverlayer') && !el.closest('.infolayer .rangeslider-container')
      && el.textContent.trim() !== '')
    .filter((el) => {
      for (let n = el; n && n !== figure; n = n.parentElement) {
        const s = getComputedStyle(n);
        const gone = s.display === 'none' || s.visibility === 'hidden';
        if (gone || Number(s.opacity) === 0) return false;
      }
      return true;
    })
    .map((el) => ({el, r: el.getBoundingClientRect(), text: el.textContent.trim()}))
    .filter((b) => b.r.width > 0 && b.r.height > 0);
  const hit = (a, b, slack = 1.5) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  const found = [];
  for (const figure of document.querySelectorAll('.js-plotly-plot')) {
    if (figure.offsetParent === null) continue;
    const labels = boxes(figure);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        // A multi-line label's lines are tspans of one text element; its own parts never clash.
        if (labels[i].el.contains(labels[j].el) || labels[j].el.contains(labels[i].el)) continue;
        if (hit(labels[i].r, labels[j].r)) {
          found.push(`#${figure.id}: "${labels[i].text}" overlaps "${labels[j].text}"`);
        }
      }
    }
    const bar = figure.querySelector('.modebar');
    if (bar) {
      const r = bar.getBoundingClientRect();
      for (const b of labels) {
        if (hit(r, b.r)) found.push(`#${figure.id}: toolbar covers "${b.text}"`);
      }
    }
  }
  return found;
}"""


# Annotation arrows (edges of a drawn graph) that run through another annotation's text.
ARROWS_THROUGH_LABELS = """() => {
  const found = [];
  for (const figure of document.querySelectorAll('.js-plotly-plot')) {
    const groups = [...figure.querySelectorAll('g.annotation')];
    const labels = groups.map((g) => g.querySelector('text'))
      .filter((t) => t && t.textContent.trim() !== '')
      .map((t) => ({t, r: t.getBoundingClientRect()}));
    for (const g of groups) {
      const arrow = g.querySelector('path.annotation-arrow, g.annotation-arrow-g path');
      if (!arrow) continue;
      const length = arrow.getTotalLength();
      const matrix = arrow.getScreenCTM();
      for (const {t, r} of labels) {
        if (g.contains(t)) continue;
        for (let s = 0; s <= length; s += 2) {
          const p = arrow.getPointAtLength(s).matrixTransform(matrix);
          if (p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1) {
            found.push(`#${figure.id}: an arrow crosses "${t.textContent.trim()}"`);
            break;
          }
        }
      }
    }
  }
  return found;
}"""


# Linear axes whose ticks are not round: a step other than 1, 2, 2.5 or 5 × 10ⁿ, or ticks off
# its multiples (an overlaying axis synced to another's grid reads -35.6, -57.1, …).
UNROUND_TICKS = """() => {
  const found = [];
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const layout = gd._fullLayout || {};
    for (const [name, ax] of Object.entries(layout)) {
      if (!/^[xy]axis\\d*$/.test(name) || !ax || ax.type !== 'linear' || !ax.visible) continue;
      const vals = (ax._vals || []).map((tick) => tick.x);
      if (vals.length < 2) continue;
      const step = Math.abs(vals[1] - vals[0]);
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      const round = [1, 2, 2.5, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6);
      const onGrid = vals.every((v) => Math.abs(v / step - Math.round(v / step)) < 1e-6);
      if (!round || !onGrid) found.push(`#${gd.id} ${name}: ${vals.map((v) => +v.toPrecision(4))}`);
    }
  }
  return found;
}"""
