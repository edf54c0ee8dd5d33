"""/chain-rule in headless Chromium: the notebook's printout, a live edit, both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.lessons_helpers import accept_logged_422, plot_traces, py_float

pytestmark = pytest.mark.browser


def test_notebook_values_graph_and_code(page):
    page.goto("/chain-rule?lang=en")
    expect(page.locator("h1")).to_have_text("The chain rule with GradientTape")
    expect(page.locator("#cr-dy2_dw1")).to_have_text("2.0")
    expect(page.locator("#cr-product")).to_have_text("2.0")
    expect(page.locator("#cr-agree")).to_have_class("badge ok")
    assert plot_traces(page, "cr-graph") == 1
    annotations = page.evaluate("() => document.getElementById('cr-graph').layout.annotations")
    texts = " ".join(a["text"] for a in annotations)
    assert "∂y2/∂y1 = 2" in texts and "∂y2/∂w2 = 3" in texts
    code = page.locator("#cr-code").inner_text()
    assert code.count("tf.Tensor(2.0, shape=(), dtype=float32)") == 2
    assert page.locator("math").count() >= 3  # server-side MathML


def test_editing_x_shows_the_api_value(page, client):
    page.goto("/chain-rule?lang=en")
    expect(page.locator("#cr-dy2_dw1")).to_have_text("2.0")
    page.fill("#cr-x", "1.7")
    page.fill("#cr-w2", "-0.3")
    want = client.post("/api/v1/autodiff/chain-rule", json={"x": 1.7, "w2": -0.3}).json()
    expect(page.locator("#cr-dy2_dw1")).to_have_text(py_float(want["dy2_dw1"]))
    expect(page.locator("#cr-product")).to_have_text(py_float(want["product"]))
    assert want["dy2_dw1"] == pytest.approx(-0.51, rel=1e-6)
    page.fill("#cr-x", "")
    expect(page.locator("#cr-error")).to_be_visible()
    assert "x" in page.locator("#cr-error").inner_text()
    accept_logged_422(page)


def test_chinese_page_explains_persistent(page):
    page.goto("/chain-rule?lang=zh")
    expect(page.locator("h1")).to_have_text("用 GradientTape 理解链式法则")
    expect(page.locator("#cr-dy2_dw1")).to_have_text("2.0")
    assert "每次 tape.gradient() 之后会自动释放资源" in page.locator("main").inner_text()
    assert plot_traces(page, "cr-graph") == 1
