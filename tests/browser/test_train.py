"""The /train page in headless Chromium: play, pause, step, draw, Chinese, URL state, own data."""

import pytest

pytestmark = pytest.mark.browser

READY = "body[data-ready='1']"


def iterations(page) -> int:
    return int(page.locator("#tr-stat-iteration").inner_text())


def plot_data(page, element_id: str):
    return page.evaluate(f"document.getElementById('{element_id}').data")


def wait_iterations(page, at_least: int):
    page.wait_for_function(
        f"() => Number(document.getElementById('tr-stat-iteration').textContent) >= {at_least}",
        timeout=60_000,
    )


def test_play_trains_draws_the_boundary_curve_graph_and_neurons(page):
    page.goto("/train?lang=en")
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_function("() => document.getElementById('tr-boundary').data?.length > 1")
    boundary = plot_data(page, "tr-boundary")
    assert boundary[0]["type"] == "heatmap"
    assert len(boundary[0]["x"]) == 40 and len(boundary[0]["z"]) == 40
    assert len(boundary[1]["x"]) == 250  # Playground's default: 500 points, half for training
    assert iterations(page) == 0
    page.click("#tr-play")
    wait_iterations(page, 200)
    page.click("#tr-play")  # pause
    assert page.locator("#tr-play").get_attribute("aria-pressed") == "false"
    curve = plot_data(page, "tr-curve")
    steps, losses = curve[0]["x"], curve[0]["y"]
    assert steps[0] == 0 and steps[-1] >= 200 and steps == sorted(steps)
    assert len(steps) > 20
    assert losses[-1] < losses[0]  # the circle is being learned
    assert len(page.locator("#tr-neurons canvas").all()) == 2 + 4 + 2 + 1
    assert any(trace.get("meta") == "neurons" for trace in plot_data(page, "tr-graph"))
    # Hovering a neuron tile shows that neuron's output in the boundary plot.
    page.hover("#tr-neurons canvas[data-layer='1'][data-unit='2']")
    page.wait_for_function("() => document.getElementById('tr-boundary').layout.title?.text")
    title = page.evaluate("document.getElementById('tr-boundary').layout.title.text")
    assert title == "Output of layer 1, unit 3"
    # One epoch of batches of 10 over 250 training points is 25 updates.
    page.select_option("#tr-unit", "epoch")
    before = iterations(page)
    page.click("#tr-step")
    wait_iterations(page, before + 25)
    assert iterations(page) == before + 25


def test_chinese_page_and_url_round_trip(page):
    page.goto("/train?lang=zh")
    page.wait_for_selector(READY, timeout=60_000)
    assert page.locator("h1").inner_text() == "训练：看着网络学习"
    assert page.locator("#tr-play").inner_text() == "▶ 播放"
    page.select_option("#tr-dataset", "spiral3")
    page.select_option("#tr-optimizer", "adam")
    page.fill("#tr-lr", "0.01")
    page.dispatch_event("#tr-lr", "change")
    page.click("#tr-add-layer")
    page.wait_for_function("() => document.getElementById('tr-boundary').data?.[0].zmax === 2.5")
    url = page.url
    assert "#s=" in url
    other = page.context.new_page()
    other.goto(url)
    other.wait_for_selector(READY, timeout=60_000)
    assert other.locator("#tr-dataset").input_value() == "spiral3"
    assert other.locator("#tr-optimizer").input_value() == "adam"
    assert other.locator("#tr-lr").input_value() == "0.01"
    assert other.locator("#tr-output").input_value() == "softmax"
    assert other.locator("#tr-loss").input_value() == "categorical_crossentropy"
    assert len(other.locator("#tr-layers input").all()) == 3  # 4, 2 and the added layer
    other.wait_for_function("() => document.getElementById('tr-boundary').data?.[0].zmax === 2.5")
    assert other.locator("#tr-stat-accuracy").inner_text() != "—"
    other.close()


def test_own_csv_data_trains_and_a_bad_row_is_explained(page):
    page.goto("/train?lang=en")
    page.wait_for_selector(READY, timeout=60_000)
    page.click("#tr-custom summary")
    page.fill("#tr-custom-text", "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,oops,0\n")
    page.click("#tr-custom-use")
    alert = page.locator("#tr-error")
    alert.wait_for(state="visible")
    assert "line 5, column 2: 'oops' is not a number" in alert.inner_text()
    # Chromium logs the expected 422 as a failed resource; nothing else may be logged.
    expected = [e for e in page.problems.console_errors if "status of 422" in e]
    assert len(expected) == 1
    page.problems.console_errors.remove(expected[0])
    page.fill("#tr-custom-text", "x1,x2,y\n0,0,-1\n0,1,1\n1,0,1\n1,1,-1\n")
    page.click("#tr-custom-use")
    page.wait_for_function(
        "() => document.getElementById('tr-custom-status').textContent.length > 0"
    )
    assert page.locator("#tr-custom-status").inner_text() == "4 rows: 2 inputs, 1 targets."
    page.wait_for_function("() => document.getElementById('tr-boundary').data?.[1]?.x.length === 4")
    page.click("#tr-step")
    wait_iterations(page, 1)
    assert page.locator("#tr-error").is_hidden()
