"""/activations in headless Chromium: curves, vanishing regions, the z slider, the notebook's
two cells, both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.lessons_helpers import numpy_print, plot_traces, py_float, set_range

pytestmark = pytest.mark.browser


def test_default_sigmoid_with_vanishing_regions(page):
    page.goto("/activations?lang=en")
    expect(page.locator("h1")).to_have_text("Activation functions and their gradients")
    expect(page.locator("#act-at tbody tr")).to_have_count(1)
    assert plot_traces(page, "act-plot") == 2  # f and f′
    rects = page.evaluate(
        "() => document.getElementById('act-plot').layout.shapes.filter((s) => s.type === 'rect')"
    )
    assert len(rects) == 2  # sigmoid: both tails, |f′| < 0.05
    assert rects[0]["x1"] == pytest.approx(-2.9, abs=0.06)
    assert rects[1]["x0"] == pytest.approx(2.9, abs=0.06)
    assert page.locator("#act-formulas math").count() == 2


def test_slider_and_second_derivative_follow_the_api(page, client):
    page.goto("/activations?lang=en")
    expect(page.locator("#act-at tbody tr")).to_have_count(1)
    page.check("#act-pick-tanh")
    page.check("#act-second")
    expect(page.locator("#act-at tbody tr")).to_have_count(2)
    set_range(page, "#act-z", 1.5)
    query = {"start": 1.5, "stop": 1.5, "num": 1}
    want = client.get("/api/v1/activations/tanh/curve", params=query).json()
    row = page.locator("#act-at tr[data-name='tanh'] td")
    expect(row.nth(1)).to_have_text(py_float(want["y"][0]))
    expect(row.nth(2)).to_have_text(py_float(want["dy"][0]))
    expect(row.nth(3)).to_have_text(py_float(want["d2y"][0]))
    assert plot_traces(page, "act-plot") == 6  # f, f′, f″ for two activations


def test_notebook_cells_reproduce_its_printouts(page, client):
    page.goto("/activations?lang=en")
    expect(page.locator("#act-at tbody tr")).to_have_count(1)
    page.click("#act-preset-sigmoid")
    expect(page.locator("#act-values tbody tr")).to_have_count(10)
    column = "#act-values tbody tr td:nth-child({})"
    xs = page.locator(column.format(1)).all_inner_texts()
    # The notebook's print(a) of tf.linspace(-10., 10., 10), digit for digit.
    assert " ".join(xs) == ("-10. -7.7777777 -5.5555553 -3.333333 -1.1111107 1.1111116 "
                            "3.333334 5.5555563 7.7777786 10.")  # fmt: skip
    grads = page.locator(column.format(3)).all_inner_texts()
    want = client.get("/api/v1/activations/sigmoid/curve?start=-10&stop=10&num=10").json()
    assert grads == numpy_print(want["dy"])  # NumPy's own formatting of the API's values
    assert grads[-1] == "4.5416677e-05"  # as printed in the notebook
    page.click("#act-preset-leaky")
    expect(page.locator(column.format(2)).first).to_have_text("-0.2")
    ys = page.locator(column.format(2)).all_inner_texts()
    # The notebook's printout of tf.nn.leaky_relu(tf.linspace(-1., 1., 10)), digit for digit.
    assert " ".join(ys) == ("-0.2 -0.15555556 -0.11111112 -0.06666666 -0.02222222 0.11111116 "
                            "0.33333337 0.5555556 0.7777778 1.")  # fmt: skip


def test_chinese_page(page):
    page.goto("/activations?lang=zh")
    expect(page.locator("h1")).to_have_text("激活函数及其梯度")
    expect(page.locator("#act-at tbody tr")).to_have_count(1)
    assert plot_traces(page, "act-plot") == 2
    assert "[−3, 3] 之外" in page.locator("main").inner_text()


def test_code_printout_is_the_catalogs_tensorflow_code_with_the_parameters_used(page, client):
    activations = {a["name"]: a for a in client.get("/api/v1/catalog").json()["activations"]}
    page.goto("/activations?lang=en")
    expect(page.locator("#act-at tbody tr")).to_have_count(1)
    page.click("#act-preset-leaky")
    code = page.locator("#act-code")
    expect(code).to_contain_text("alpha=0.2")  # the preset keeps the registry's default
    page.fill("#act-alpha", "0.1")
    expect(code).to_contain_text("f = lambda z: tf.nn.leaky_relu(z, alpha=0.1)")
    assert "    y = f(a)" in code.inner_text()
    page.fill("#act-alpha", "0.05")
    expect(code).to_contain_text("alpha=0.05")  # Python's repr, not 0.05000000074505806
    page.uncheck("#act-pick-leaky_relu")
    page.check("#act-pick-tanh")
    expect(code).to_contain_text(f"    y = {activations['tanh']['code']}(a)")
    assert "lambda" not in code.inner_text()
