"""Helpers shared by the pages' browser tests."""

import base64
import json
import time

import numpy as np

# The pages' one render signal (helpers.js rendered()): <body data-render-count> counts draws.
RENDERED = "body[data-render-count]"


def render_count(page) -> int:
    return int(page.get_attribute("body", "data-render-count"))


def wait_render(page, after: int, timeout: int = 20_000) -> int:
    """Wait for a draw after the ``after``-th, and return the new count. A CSS selector, not a
    JS predicate: the pages' CSP forbids the eval Playwright polls with."""
    page.wait_for_selector(f"body:not([data-render-count='{after}'])", timeout=timeout)
    return render_count(page)


def state_hash(state: dict) -> str:
    """A page's URL state as its link carries it (urlstate.js: #s=<base64url JSON>)."""
    raw = json.dumps(state, separators=(",", ":")).encode()
    return "#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def py_float(value: float) -> str:
    """A float32 as NumPy prints it (the pages' pyFloat): shortest digits that round-trip."""
    return str(np.float32(value))


def numpy_print(values) -> list[str]:
    """The elements of a float32 array as ``print(array)`` shows them."""
    text = np.array2string(np.float32(values), separator=" ", max_line_width=10**6)
    return text[1:-1].split()


def plot_traces(page, element_id: str, timeout: float = 15.0) -> int:
    """How many traces Plotly drew in ``#element_id``, once it is a plot (0 if it never
    becomes one within ``timeout`` s). Polled from Python: the pages' CSP forbids the eval
    that Playwright's wait_for_function uses, and a page draws after its API answer."""
    deadline = time.monotonic() + timeout
    while True:
        count = page.evaluate(
            "(id) => { const gd = document.getElementById(id);"
            " return gd && gd.classList.contains('js-plotly-plot') ? gd.data.length : 0; }",
            element_id,
        )
        if count or time.monotonic() > deadline:
            return count
        page.wait_for_timeout(50)


def set_range(page, selector: str, value: float) -> None:
    """Move a range slider the way a user does: set it and fire 'input'."""
    page.locator(selector).evaluate(
        "(el, v) => { el.value = String(v);"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }",
        value,
    )


def accept_logged_422(page) -> None:
    """Chromium logs every 4xx fetch as a console error; a test that provokes a 422 on purpose
    checks that it was logged and then drops exactly those entries (anything else still fails)."""
    logged = page.problems.console_errors
    expected = [e for e in logged if "status of 422" in e]
    assert expected, "the page should have received a 422"
    logged[:] = [e for e in logged if "status of 422" not in e]
