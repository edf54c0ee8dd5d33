"""/landscape in headless Chromium: contour, surface, gradient arrow and the three paths;
a click on the contour moves the start point; both languages; nothing fetched from outside."""

import json

import pytest

pytestmark = pytest.mark.browser


def wait_renders(page, count):
    """Wait for the page's render signal: `count` complete draws (contour and surface)."""
    page.wait_for_selector(f"body[data-render-count='{count}']", timeout=30000)
    page.wait_for_selector("#land-contour .main-svg", timeout=30000)


def contour_traces(page):
    return page.evaluate(
        """() => document.getElementById('land-contour').data.map(
            (trace) => ({type: trace.type, name: trace.name, x: trace.x, y: trace.y,
                         width: trace.line && trace.line.width, dash: trace.line && trace.line.dash,
                         symbol: trace.marker && trace.marker.symbol}))"""
    )


def test_draws_contour_arrow_paths_and_moves_the_start_on_click(page):
    page.goto("/landscape?lang=en")
    wait_renders(page, 1)
    traces = contour_traces(page)
    assert [t["type"] for t in traces] == ["contour", "scatter", "scatter", "scatter", "scatter"]
    # Mazur's default: SGD's 60 steps run along momentum's path, and the legend says so.
    names = [t["name"] for t in traces[1:4]]
    assert names == ["SGD (the wide line: same path as Momentum (0.9))", "Momentum (0.9)", "Adam"]
    looks = [(t["width"], t["dash"], t["symbol"]) for t in traces[1:4]]
    assert len(set(looks)) == 3 and looks[0][0] > 2 * looks[1][0]  # SGD wide, underneath
    assert len(traces[1]["x"]) == 61  # 60 steps + the start
    # Mazur's example: w5 = W2[0,0] = 0.40 and w8 = W2[1,1] = 0.55 at the start.
    assert traces[1]["x"][0] == 0.4 and traces[1]["y"][0] == 0.55
    arrows = page.evaluate("document.getElementById('land-contour').layout.annotations")
    assert len(arrows) == 1 and arrows[0]["ax"] == 0.4 and arrows[0]["ay"] == 0.55
    # −gradient: Mazur's ∂E/∂w5 = 0.0821670 > 0, so the arrow points to smaller w5.
    assert arrows[0]["x"] < 0.4
    assert page.locator("#land-grad-a").inner_text() == "0.082167"
    assert page.locator("#land-paths tbody tr").count() == 3

    # Click in the plot area, away from the start: the paths restart there, the view stays.
    box = page.locator("#land-contour .nsewdrag").first.bounding_box()
    x_range = page.evaluate("document.getElementById('land-contour').layout.xaxis.range")
    with page.expect_response("**/api/v1/landscape") as response:
        page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.3)
        page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.3)
    body = json.loads(response.value.request.post_data)
    wait_renders(page, 2)
    assert body["start"] is not None and body["range_a"] == x_range
    assert [o.get("learning_rate") for o in body["optimizers"]] == [None, None, 0.1]
    new_start = [
        float(v) for v in page.locator("#land-contour").get_attribute("data-start").split(",")
    ]
    assert new_start[0] < 0.4 and new_start[1] > 0.55  # left and up of the old start
    assert contour_traces(page)[1]["x"][0] == new_start[0]


def test_preset_and_weight_choice(page):
    page.goto("/landscape?lang=en")
    wait_renders(page, 1)
    page.select_option("#land-preset", "line")
    wait_renders(page, 2)
    assert page.locator("#land-weight-a option").all_inner_texts() == ["W1[0,0]", "b1[0]"]
    with page.expect_response("**/api/v1/landscape") as response:
        page.fill("#land-lr", "0.05")
        page.dispatch_event("#land-lr", "change")
    assert json.loads(response.value.request.post_data)["learning_rate"] == 0.05
    wait_renders(page, 3)
    title = page.evaluate("document.getElementById('land-contour').layout.xaxis.title.text")
    assert title == "w_a = W1[0,0]"


def test_chinese_page_and_api_error_shown(page):
    page.goto("/landscape?lang=zh")
    wait_renders(page, 1)
    assert page.locator("h1").inner_text() == "损失曲面：两个权重上的损失"
    names = [t["name"] for t in contour_traces(page)[1:4]]
    assert names == ["SGD（宽线：与动量法（0.9）路径重合）", "动量法（0.9）", "Adam"]
    page.fill("#land-steps", "100000")
    page.dispatch_event("#land-steps", "change")
    page.wait_for_selector("#land-error:not([hidden])", timeout=30000)
    assert "path_steps" in page.locator("#land-error").inner_text()
    # The browser logs the expected 422 itself; anything else still fails the test.
    expected = "the server responded with a status of 422"
    errors = page.problems.console_errors
    assert len(errors) == 1 and expected in errors[0]
    errors.clear()


def test_surface_is_drawn_in_3d(page):
    page.goto("/landscape?lang=en")
    wait_renders(page, 1)
    # The 3-D bundle loads after the contour is drawn, only for the surface; the render
    # signal waits for both.
    page.wait_for_selector("#land-surface .main-svg", state="attached", timeout=30000)
    # window.Plotly stays the page's 2-D bundle (it knows no surface); the 3-D one is apart.
    assert page.evaluate("Plotly.validate([{type: 'contour', z: [[1]]}], {})") is None
    assert page.evaluate("Plotly.validate([{type: 'surface', z: [[1]]}], {})") is not None
    types = page.evaluate(
        "() => (document.getElementById('land-surface').data || []).map((t) => t.type)"
    )
    assert types == ["surface", "scatter3d", "scatter3d", "scatter3d"]
    assert not page.locator("#land-no-webgl").is_visible()
    z = page.evaluate("document.getElementById('land-surface').data[0].z.length")
    assert z == 41
