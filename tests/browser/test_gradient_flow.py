"""/gradient-flow in headless Chromium: draws both networks, follows the depth slider, both
languages, no console error, nothing fetched from outside the app."""

import json

import pytest

pytestmark = pytest.mark.browser


def bar_traces(page):
    return page.evaluate(
        """() => document.getElementById('gf-norms').data.map(
            (trace) => ({name: trace.name, y: trace.y, type: trace.type}))"""
    )


def test_draws_sigmoid_and_relu_bars_and_follows_the_depth_slider(page):
    page.goto("/gradient-flow?lang=en")
    page.wait_for_selector("#gf-norms[data-depth='10'] .main-svg", timeout=30000)
    traces = bar_traces(page)
    assert [t["type"] for t in traces] == ["bar", "bar"]
    assert "sigmoid + glorot_uniform" in traces[0]["name"]
    assert "relu + he_normal" in traces[1]["name"]
    sigmoid, relu = traces[0]["y"], traces[1]["y"]
    assert len(sigmoid) == len(relu) == 10
    assert sigmoid[0] < relu[0] / 1e4  # the vanishing gradient, drawn
    assert page.locator("#gf-summary tbody tr").count() == 2
    assert page.locator("#gf-summary .badge.ok").count() == 2
    assert page.evaluate("document.getElementById('gf-norms').layout.yaxis.type") == "log"

    # Move the slider (keyboard: each key press is an input event; the request is debounced).
    slider = page.locator("#gf-depth")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector("#gf-norms[data-depth='15']", timeout=30000)
    assert page.locator("#gf-depth-value").inner_text() == "15"
    assert len(bar_traces(page)[0]["y"]) == 15
    state = page.evaluate("location.hash")
    assert state.startswith("#s=")


def test_switching_a_configuration_and_the_metric(page):
    page.goto("/gradient-flow?lang=en")
    page.wait_for_selector("#gf-norms[data-depth='10'] .main-svg", timeout=30000)
    first = bar_traces(page)[0]["y"]
    with page.expect_response("**/api/v1/gradient-flow") as response:
        page.select_option("#gf-a-activation", "tanh")
    body = json.loads(response.value.request.post_data)
    assert body["configs"][0]["activation"] == "tanh"
    page.wait_for_function(
        "() => document.getElementById('gf-norms').data[0].name.includes('tanh')", timeout=30000
    )
    assert bar_traces(page)[0]["y"] != first
    page.select_option("#gf-metric", "delta_norm")
    page.wait_for_selector("#gf-norms[data-metric='delta_norm']", timeout=30000)
    assert "δ" in page.evaluate("document.getElementById('gf-norms').layout.yaxis.title.text")


def test_chinese_page(page):
    page.goto("/gradient-flow?lang=zh")
    page.wait_for_selector("#gf-norms[data-depth='10'] .main-svg", timeout=30000)
    assert page.locator("h1").inner_text() == "梯度流：为什么深层 sigmoid 网络几乎学不动"
    assert "网络 A" in bar_traces(page)[0]["name"]
    assert page.locator("#gf-summary .badge.ok").first.inner_text() == "一致"
    assert page.locator("math").count() >= 2
