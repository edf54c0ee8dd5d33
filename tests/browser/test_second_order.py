"""/second-order in headless Chromium: the notebook's None, another function, both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.lessons_helpers import plot_traces, py_float

pytestmark = pytest.mark.browser


def test_notebook_cell_prints_none(page):
    page.goto("/second-order?lang=en")
    expect(page.locator("h1")).to_have_text("Second-order gradients with nested tapes")
    expect(page.locator("#so-d2y_dw2")).to_have_text("None")
    expect(page.locator("#so-dy_dw")).to_have_text("3.0")
    expect(page.locator("#so-dy_db")).to_have_text("1.0")
    expect(page.locator("#so-none")).to_be_visible()
    assert plot_traces(page, "so-plot") == 2  # y and dy/dw; d²y/dw² is None
    assert page.locator("#so-code").inner_text().rstrip().endswith("None")


def test_switching_function_shows_the_second_derivative(page, client):
    page.goto("/second-order?lang=en")
    expect(page.locator("#so-d2y_dw2")).to_have_text("None")
    page.select_option("#so-function", "sigmoid")
    page.fill("#so-w", "-0.4")
    body = {"x": 3.0, "w": -0.4, "b": 2.0, "function": "sigmoid"}
    want = client.post("/api/v1/autodiff/second-order", json=body).json()
    expect(page.locator("#so-d2y_dw2")).to_have_text(py_float(want["d2y_dw2"]))
    expect(page.locator("#so-dy_dw")).to_have_text(py_float(want["dy_dw"]))
    expect(page.locator("#so-none")).to_be_hidden()
    expect(page.locator("#so-plot .scatterlayer .trace")).to_have_count(3)


def test_chinese_page(page):
    page.goto("/second-order?lang=zh")
    expect(page.locator("h1")).to_have_text("用嵌套 tape 求二阶梯度")
    expect(page.locator("#so-d2y_dw2")).to_have_text("None")
    expect(page.locator("#so-plot .scatterlayer .trace")).to_have_count(2)
    assert "没有记录到依赖关系" in page.locator("main").inner_text()
