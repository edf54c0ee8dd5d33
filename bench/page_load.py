"""First draw and weight of every page on a first visit (empty cache), in headless Chromium.

Each page is opened in a fresh browser context (nothing cached) on a warm server, three
times. First draw: milliseconds from the navigation's start until the page's first figure
is on screen (the first Plotly SVG, or the first canvas drawn on a page without Plotly);
first contentful paint is given beside it. Weight: bytes the browser transferred for the
whole first load, gzip on, API answers included, and what the page fetches after its first
draw (/landscape loads Plotly's 3-D bundle, 557 KB, once its contour is drawn). Goal
(issue 12): lesson pages and /network draw first within 800 ms and weigh at most 600 KB
gzipped.

``python -m bench.page_load --write`` measures a server it starts and puts its section into
bench/RESULTS.md; ``--baseline URL`` measures another server (an older checkout) in the same
run, page by page, for a before/after comparison.
"""

import argparse
import contextlib
import statistics

from bench.common import Server, row
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

PAGES = [
    "/",
    "/chain-rule",
    "/second-order",
    "/activations",
    "/softmax",
    "/losses",
    "/network",
    "/train",
    "/gradient-flow",
    "/landscape",
    "/docs",
]
GOAL_PAGES = {"/chain-rule", "/second-order", "/activations", "/softmax", "/losses", "/network"}
GOAL_MS, GOAL_BYTES = 800, 600_000
RUNS = 3

# Runs before the page's own scripts: notes when the first figure appears.
WATCH_FIRST_DRAW = """
window.__firstDraw = null;
new MutationObserver((_, observer) => {
  const drawn = document.querySelector('.js-plotly-plot .main-svg, canvas');
  if (drawn && window.__firstDraw === null) {
    window.__firstDraw = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""

LOAD_FIGURES = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return {draw: window.__firstDraw, fcp: paint ? paint.startTime : null,
          bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0),
          files: entries.length};
}"""


def first_visit(browser, url: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.add_init_script(WATCH_FIRST_DRAW)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # What a page fetches after its first draw (/landscape's 3-D bundle) counts too.
    page.wait_for_timeout(1000)
    page.wait_for_load_state("networkidle")
    figures = page.evaluate(LOAD_FIGURES)
    context.close()
    return figures


def _summary(path: str, visits: list[dict]) -> dict:
    draws = [v["draw"] for v in visits if v["draw"] is not None]
    return {
        "path": path,
        "draw_ms": round(statistics.median(draws)) if draws else None,
        "fcp_ms": round(statistics.median(v["fcp"] for v in visits)),
        "bytes": round(statistics.median(v["bytes"] for v in visits)),
        "files": visits[0]["files"],
    }


def measure_pages(servers: dict[str, str], runs: int = RUNS) -> dict[str, list[dict]]:
    """Median first draw, first contentful paint and weight of each page on each server
    (name → base URL); the servers take turns, so machine load skews them alike."""
    import httpx
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {name: [] for name in servers}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        for path in PAGES:
            if any(httpx.get(base + path).status_code != 200 for base in servers.values()):
                continue
            for base in servers.values():
                first_visit(browser, base + path)  # the server's own first request per page
            visits: dict[str, list[dict]] = {name: [] for name in servers}
            for _ in range(runs):
                for name, base in servers.items():
                    visits[name].append(first_visit(browser, base + path))
            for name in servers:
                results[name].append(_summary(path, visits[name]))
        browser.close()
    return results


def rows(results: list[dict], baseline: list[dict] | None = None) -> list[dict]:
    before = {r["path"]: r for r in baseline or []}
    out = []
    for r in results:
        goal = r["path"] in GOAL_PAGES
        drawn = r["draw_ms"] is not None
        old = before.get(r["path"], {})
        out.append(
            row(
                f"{r['path']}: first draw (first contentful paint {r['fcp_ms']} ms)",
                r["draw_ms"] if drawn else r["fcp_ms"],
                "ms" if drawn else "ms (no figure: paint)",
                baseline=old.get("draw_ms") if drawn else old.get("fcp_ms"),
                goal=f"≤ {GOAL_MS} ms" if goal else "reported",
                met=(r["draw_ms"] <= GOAL_MS) if goal and drawn else None,
            )
        )
        out.append(
            row(
                f"{r['path']}: bytes of the first load (gzip, {r['files']} files)",
                r["bytes"],
                "bytes",
                baseline=old.get("bytes"),
                goal=f"≤ {GOAL_BYTES:,} bytes" if goal else "reported",
                met=(r["bytes"] <= GOAL_BYTES) if goal else None,
            )
        )
    return out


def measure() -> list[dict]:
    """For ``python -m bench``: one server process started as a teacher would."""
    with Server() as server:
        return rows(measure_pages({"now": server.url})["now"])


SECTION = "## First load of every page (bench/page_load.py)"


def write_section(text: str) -> None:
    """Put this benchmark's section into bench/RESULTS.md, in place of its previous one."""
    from bench.common import ROOT

    results = ROOT / "bench" / "RESULTS.md"
    old = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if SECTION in old:
        head, rest = old.split(SECTION, 1)
        tail = rest[rest.find("\n## ") :] if "\n## " in rest else "\n"
        new = head + text + tail
    elif "\n## Goals missed" in old:
        head, tail = old.split("\n## Goals missed", 1)
        new = head + "\n" + text + "\n## Goals missed" + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text
    results.write_text(new, encoding="utf-8")


def main() -> None:
    import datetime
    import os

    from bench.__main__ import table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--baseline", help="another server to compare with, e.g. an older checkout")
    parser.add_argument("--label", default="", help="what the baseline is, for the report")
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    load = os.getloadavg()
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(Server()).url
        servers = {"now": url.rstrip("/")}
        if args.baseline:
            servers["baseline"] = args.baseline.rstrip("/")
        results = measure_pages(servers)
    text = "\n\n".join(
        [
            SECTION,
            " ".join(__doc__.split("\n\n")[0:2]).replace("\n", " "),
            f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load average "
            f"{load[0]:.1f} on {os.cpu_count()} CPUs at the start (other work on the machine "
            "slows every figure; the baseline column is measured in the same run, page by page"
            + (f": {args.label})." if args.label else ")."),
            table(rows(results["now"], results.get("baseline"))),
        ]
    )
    print(text)
    if args.write:
        write_section(text + "\n")


if __name__ == "__main__":
    main()
