"""/softmax in headless Chromium: bars and the Jacobian heatmap equal the API's answer."""

import base64
import json

import pytest
from playwright.sync_api import expect

from tests.browser.lessons_helpers import accept_logged_422, plot_traces, py_float, state_hash

pytestmark = pytest.mark.browser


def drawn(page, element_id):
    return page.evaluate(
        "(id) => { const d = document.getElementById(id).data[0]; return d.z || d.y; }",
        element_id,
    )


def test_example_bars_and_heatmap(page, client):
    page.goto("/softmax?lang=en")
    expect(page.locator("h1")).to_have_text("Softmax and its Jacobian")
    want = client.post("/api/v1/softmax", json={"logits": [2, 1, 0.1]}).json()
    cells = page.locator("#sm-table tbody tr:nth-child(2) td")
    expect(cells).to_have_count(3)
    assert cells.all_inner_texts() == [py_float(p) for p in want["probabilities"]]
    assert plot_traces(page, "sm-bars") == 1 and plot_traces(page, "sm-jacobian") == 1
    assert drawn(page, "sm-bars") == want["probabilities"]
    assert drawn(page, "sm-jacobian") == want["jacobian"]
    labels = page.evaluate(
        "() => document.getElementById('sm-jacobian').layout.annotations.map((a) => a.text)"
    )
    assert labels[:2] == ["0.2247", "-0.1598"]


def test_asks_the_api_before_plotly_has_loaded_and_draws_its_answer(page, client):
    """The page's request does not wait for the Plotly bundle; held back until that request
    is made, the bundle still draws the API's numbers once it arrives (bars, then heatmap)."""
    held = []
    page.route("**/vendor/plotly/*", lambda route: held.append(route))
    with page.expect_request("**/api/v1/softmax", timeout=10_000):
        page.goto("/softmax?lang=en", wait_until="commit")
    assert len(held) == 1 and not page.evaluate("() => 'Plotly' in window")
    assert plot_traces(page, "sm-bars", timeout=0.3) == 0
    held[0].continue_()
    want = client.post("/api/v1/softmax", json={"logits": [2, 1, 0.1]}).json()
    expect(page.locator("#sm-table tbody tr:nth-child(2) td")).to_have_count(3)
    assert drawn(page, "sm-bars") == want["probabilities"]
    assert drawn(page, "sm-jacobian") == want["jacobian"]
    labels = page.evaluate(
        "() => document.getElementById('sm-jacobian').layout.annotations.map((a) => a.text)"
    )
    assert len(labels) == 9 and labels[:2] == ["0.2247", "-0.1598"]
    expect(page.locator("#sm-error")).to_be_hidden()


def test_editing_logits_redraws(page, client):
    page.goto("/softmax?lang=en")
    expect(page.locator("#sm-table tbody tr:nth-child(2) td")).to_have_count(3)
    page.fill("#sm-logits", "0.5, -1, 3, 3")
    want = client.post("/api/v1/softmax", json={"logits": [0.5, -1, 3, 3]}).json()
    cells = page.locator("#sm-table tbody tr:nth-child(2) td")
    expect(cells).to_have_count(4)
    expect(cells.nth(2)).to_have_text(py_float(want["probabilities"][2]))
    assert drawn(page, "sm-jacobian") == want["jacobian"]
    page.fill("#sm-logits", "1, two")
    expect(page.locator("#sm-error")).to_be_visible()
    assert "logits" in page.locator("#sm-error").inner_text()
    accept_logged_422(page)


def test_chinese_page(page):
    page.goto("/softmax?lang=zh")
    expect(page.locator("h1")).to_have_text("Softmax 及其雅可比矩阵")
    expect(page.locator("#sm-table tbody tr:nth-child(2) td")).to_have_count(3)
    assert plot_traces(page, "sm-jacobian") == 1


def test_a_link_reopens_its_logits_and_a_bad_dtype_falls_back(page):
    link = state_hash({"logits": "1, 2", "dtype": "float64"})
    with page.expect_request("**/api/v1/softmax") as request:
        page.goto("/softmax?lang=en" + link)
    assert json.loads(request.value.post_data) == {"logits": [1, 2], "dtype": "float64"}
    expect(page.locator("#sm-logits")).to_have_value("1, 2")
    expect(page.locator("#sm-dtype")).to_have_value("float64")
    expect(page.locator("#sm-table tbody tr:nth-child(2) td")).to_have_count(2)
    page.goto("about:blank")  # a new load: the hash alone would not reload the page
    bad = state_hash({"logits": "3, 4, 5", "dtype": "float16", "extra": 1})
    page.goto("/softmax?lang=en" + bad)
    expect(page.locator("#sm-table tbody tr:nth-child(2) td")).to_have_count(3)
    expect(page.locator("#sm-dtype")).to_have_value("float32")
    encoded = page.url.split("#s=")[1]
    written = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert written == {"logits": "3, 4, 5", "dtype": "float32"}  # cleaned: "extra" dropped
    page.click("#sm-reset")
    expect(page.locator("#sm-logits")).to_have_value("2, 1, 0.1")
