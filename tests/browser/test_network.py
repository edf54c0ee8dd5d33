"""The /network page in headless Chromium: every number it shows is compared with the API's
answer for the same state (a TestClient call), and the state survives links and JSON files."""

import base64
import json
import re

import pytest

from tests.browser.lessons_helpers import RENDERED, render_count, wait_render

pytestmark = pytest.mark.browser

NUMBER = r"(−?-?[0-9.]+(?:e[-+]?[0-9]+)?)"
FACTOR = rf"\(?{NUMBER}\)?"  # a substituted factor: negative numbers in brackets
UI_ONLY = ("view", "sample", "showValues", "selection")


def shown(value: float, digits: int = 4) -> float:
    """The page's fmt(): `digits` significant digits."""
    return float(f"{value:.{digits - 1}e}")


def as_float(text: str) -> float:
    return float(text.replace("−", "-"))


def open_network(page, query="?lang=en", hash_=""):
    page.goto(f"/network{query}{hash_}")
    page.wait_for_selector(RENDERED, timeout=20000)
    return render_count(page)


def url_state(page) -> dict:
    encoded = re.search(r"#s=([A-Za-z0-9_-]+)$", page.url).group(1)
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def api_for(client, state: dict) -> dict:
    body = {k: v for k, v in state.items() if k not in UI_ONLY}
    response = client.post("/api/v1/backprop", json=body)
    assert response.status_code == 200, response.text
    return response.json()


POINT_JS = """([meta, target]) => {
  const gd = document.getElementById('nv-graph');
  const trace = gd.data.find((d) => d.meta === meta);
  const i = trace.customdata.findIndex((c) => JSON.stringify(c) === JSON.stringify(target));
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(trace.x[i]), box.top + ya._offset + ya.l2p(trace.y[i])];
}"""


def point(page, meta: str, target: list) -> tuple[float, float]:
    page.locator("#nv-graph").scroll_into_view_if_needed()
    return page.evaluate(POINT_JS, [meta, target])


def click_point(page, meta: str, target: list) -> None:
    """Click a neuron or weight as a user does: the pointer arrives from off the graph and
    hovers it first, so Plotly's click picks this point and not the last one hovered."""
    x, y = point(page, meta, target)
    page.mouse.move(1, 1)
    page.mouse.move(x, y)
    page.locator("#nv-graph .hoverlayer .hovertext").wait_for(timeout=5000)
    page.mouse.click(x, y)


def hover_text(page, meta: str, target: list) -> str:
    x, y = point(page, meta, target)
    page.mouse.move(1, 1)  # off the graph first: a nearby weight's label must not answer
    page.mouse.move(x, y)
    label = page.locator("#nv-graph .hoverlayer .hovertext")
    label.wait_for(timeout=5000)
    # Plotly writes each line of the label as an SVG <tspan class="line">.
    text = label.evaluate(
        "(el) => { const lines = [...el.querySelectorAll('text.nums tspan.line')];"
        " return lines.length ? lines.map((l) => l.textContent).join('\\n')"
        " : el.textContent; }"
    )
    return text.replace("\u200b", "")  # Plotly pads <sub>/<sup> with zero-width spaces


def test_hover_and_formulas_show_the_apis_numbers(page, client):
    open_network(page)
    api = api_for(client, url_state(page))  # the default: the 2-3-2 δ-rule preset
    assert page.locator("#nv-loss-value").inner_text() == str(shown(api["loss"], 9))
    assert "max diff" in page.locator("#nv-check").inner_text()
    hidden, output = api["layers"][1], api["layers"][2]

    text = hover_text(page, "neurons", [1, 0])
    assert "Layer 1, unit 1" in text
    match = re.search(rf"δ⁽¹⁾₁ = ∂L/∂z⁽¹⁾₁ = .* = {FACTOR} × {FACTOR} = {NUMBER}", text)
    assert match, text
    grad_a, fprime, delta = (as_float(g) for g in match.groups())
    assert grad_a == shown(hidden["grad_a"][0][0])
    assert fprime == shown(hidden["fprime"][0][0])
    assert delta == shown(hidden["delta"][0][0])
    z = re.search(rf"z⁽¹⁾₁ = .* = {NUMBER}\n", text).group(1)
    assert as_float(z) == shown(hidden["z"][0][0])

    text = hover_text(page, "weights", [2, 0, 1])  # hidden unit 1 → output unit 2
    match = re.search(
        rf"∂L/∂W⁽²⁾₁₂ = a⁽¹⁾₁ · δ⁽²⁾₂ = {FACTOR} × {FACTOR} = {NUMBER}", text.replace("\n", " ")
    )
    assert match, text
    a_j, d_k, grad = (as_float(g) for g in match.groups())
    assert d_k == shown(output["delta"][0][1])
    assert a_j == shown(hidden["a"][0][0])
    assert grad == shown(api["params"][1]["dW"][0][1])
    w_next = re.search(rf"W⁽²⁾₁₂ ← .* = {NUMBER}", text.replace("\n", " ")).group(1)
    assert as_float(w_next) == shown(api["params"][1]["W_next"][0][1])

    # Clicking a neuron puts its numbers into the formula panel's δ rule.
    version = render_count(page)
    click_point(page, "neurons", [1, 2])
    wait_render(page, version)
    panel = page.locator("#nv-formula").inner_text()
    assert "Layer 1, unit 3" in panel
    assert str(shown(hidden["delta"][0][2])).replace("-", "−") in panel
    # hidden-layer rule: f′(z) × (W_31 × δ_1 + W_32 × δ_2) with the output δs put in
    for value in output["delta"][0]:
        assert str(shown(value)).replace("-", "−") in panel


def test_editing_a_weight_changes_the_loss(page, client):
    version = open_network(page)
    before = page.locator("#nv-loss-value").inner_text()
    click_point(page, "weights", [1, 1, 0])
    page.locator("#nv-weight-dialog").wait_for(state="visible")
    page.fill("#nv-weight-input", "2.5")
    page.click("#nv-weight-form button[type=submit]")
    wait_render(page, version)
    state = url_state(page)
    assert state["weights"][0][1][0] == 2.5
    api = api_for(client, state)
    after = page.locator("#nv-loss-value").inner_text()
    assert after != before
    assert float(after) == shown(api["loss"], 9)


def test_stepping_goes_forward_then_backward_then_updates(page):
    version = open_network(page)
    deltas = (
        "() => document.getElementById('nv-graph').data.find((d) => d.meta === 'deltas').x.length"
    )
    page.click("#nv-reset")
    version = wait_render(page, version)
    stages = [page.locator("#nv-stage").inner_text()]
    counts = [page.evaluate(deltas)]
    for _ in range(5):
        page.click("#nv-step")
        version = wait_render(page, version)
        stages.append(page.locator("#nv-stage").inner_text())
        counts.append(page.evaluate(deltas))
    assert stages[0].startswith("Forward pass: the inputs")
    assert "layer 1 of 2" in stages[1] and "layer 2 of 2" in stages[2]
    assert stages[3].startswith("Backward pass, layer 2") and stages[4].startswith(
        "Backward pass, layer 1"
    )
    assert stages[5].startswith("Update")
    # δ appears from the output back: none while going forward, then 2 (output), then 2 + 3.
    assert counts == [0, 0, 0, 2, 5, 5]
    assert page.is_checked("input[name=nv-view][value=updated]")


def test_apply_step_adopts_w_next_and_reports_the_losses(page, client):
    version = open_network(page)
    api = api_for(client, url_state(page))
    page.click("#nv-apply")
    wait_render(page, version)
    state = url_state(page)
    assert state["weights"] == [p["W_next"] for p in api["params"]]
    after = api_for(client, state)["loss"]
    assert after < api["loss"]
    text = page.locator("#nv-applied").inner_text()
    assert f"{shown(api['loss'], 9)} → {shown(after, 9)}" in text


def test_url_round_trip_restores_the_state(page, browser, live_server):
    version = open_network(page)
    page.select_option(".nv-layer[data-layer='1'] select", "leaky_relu")
    version = wait_render(page, version)
    page.fill(".nv-layer[data-layer='1'] .nv-alpha", "0.05")
    page.press(".nv-layer[data-layer='1'] .nv-alpha", "Enter")
    version = wait_render(page, version)
    page.fill("#nv-lr", "0.7")
    page.press("#nv-lr", "Enter")
    version = wait_render(page, version)
    page.check("input[name=nv-view][value=gradients]")
    version = wait_render(page, version)
    url, loss = page.url, page.locator("#nv-loss-value").inner_text()

    other = browser.new_context(base_url=live_server).new_page()
    other.goto(url)
    other.wait_for_selector(RENDERED, timeout=20000)
    assert other.input_value(".nv-layer[data-layer='1'] select") == "leaky_relu"
    assert other.input_value(".nv-layer[data-layer='1'] .nv-alpha") == "0.05"
    assert other.input_value("#nv-lr") == "0.7"
    assert other.is_checked("input[name=nv-view][value=gradients]")
    assert other.locator("#nv-loss-value").inner_text() == loss
    assert url_state(other) == url_state(page)
    other.context.close()


def test_json_export_then_import_restores_it(page, client, tmp_path):
    version = open_network(page)
    page.select_option("#nv-preset", "mazur")
    version = wait_render(page, version)
    with page.expect_download() as download:
        page.click("#nv-export")
    saved = tmp_path / "network.json"
    download.value.save_as(saved)
    exported = json.loads(saved.read_text())
    assert api_for(client, exported)["loss"] == pytest.approx(0.298371109, abs=1e-9)

    page.select_option("#nv-preset", "notebook_single")
    version = wait_render(page, version)
    assert page.locator("#nv-loss-value").inner_text() != "0.298371109"
    page.set_input_files("#nv-import-file", str(saved))
    version = wait_render(page, version)
    assert page.locator("#nv-loss-value").inner_text() == "0.298371109"
    assert {k: v for k, v in url_state(page).items() if k not in UI_ONLY} == exported


def test_imported_text_is_data_never_markup(page):
    version = open_network(page)
    hostile = {
        "layers": [2, 2],
        "activations": "<img src=x onerror=alert(1)>",
        "loss": "<b>mse</b>",
        "inputs": [[1, 2]],
        "targets": [[0, 1]],
    }
    page.fill("#nv-import-text", json.dumps(hostile))
    page.click("#nv-import")
    wait_render(page, version)
    assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0
    state = url_state(page)
    assert state["activations"] == ["sigmoid"] and state["loss"] == "mse"
    page.fill("#nv-import-text", "{not json")
    page.click("#nv-import")
    assert "not a JSON object" in page.locator("#nv-share-status").inner_text()


def test_tensorflow_code_is_the_apis_script_for_this_state(page, client):
    open_network(page)
    page.click("#nv-show-code")
    page.locator("#nv-code-panel").wait_for(state="visible")
    body = {k: v for k, v in url_state(page).items() if k not in UI_ONLY}
    expected = client.post("/api/v1/backprop/code", json=body).json()["code"]
    assert page.locator("#nv-code").text_content() == expected
    assert "tf.GradientTape()" in expected


def test_warnings_from_the_api_are_shown(page):
    version = open_network(page)
    page.select_option("#nv-preset", "notebook_crossentropy")
    wait_render(page, version)
    warning = page.locator("#nv-warnings .warning[data-code=double_softmax]")
    assert warning.is_visible()
    assert "from_logits" in warning.inner_text()


def test_chinese_page(page):
    open_network(page, "?lang=zh")
    assert page.locator("h1").inner_text() == "网络可视化"
    assert page.locator("#nv-step").inner_text() == "单步 ▶"
    text = hover_text(page, "neurons", [2, 1])
    assert "第 2 层，第 2 个神经元" in text
    assert "TensorFlow tape = 教科书 δ 法则" in page.locator("#nv-check").inner_text()


def test_presenter_mode_from_the_url_and_the_toggle(page):
    version = open_network(page, "?lang=en&present=1")
    assert "presenter" in page.get_attribute("body", "class")
    assert not page.locator(".nv-build").is_visible()
    assert page.locator("#nv-graph").is_visible() and page.locator("#nv-step").is_visible()
    page.click("#nv-present")
    wait_render(page, version)
    assert "presenter" not in page.get_attribute("body", "class")
    assert page.locator(".nv-build").is_visible()
    assert "present=" not in page.url


def test_batch_gradient_hover_is_the_sum_over_samples(page, client):
    version = open_network(page)
    spec = {
        "layers": [2, 2, 1],
        "activations": ["tanh", "sigmoid"],
        "weights": [[[0.3, -0.6], [0.8, 0.2]], [[0.5], [-0.7]]],
        "biases": [[0.1, -0.1], [0.05]],
        "dtype": "float64",
        "inputs": [[1.0, 2.0], [-0.5, 0.25]],
        "targets": [[1.0], [0.0]],
        "loss": "binary_crossentropy",
        "reduction": "sum",
        "learning_rate": 0.2,
    }
    page.fill("#nv-import-text", json.dumps(spec))
    page.click("#nv-import")
    wait_render(page, version)
    api = api_for(client, spec)
    text = hover_text(page, "weights", [1, 1, 0]).replace("\n", " ")  # x2 → hidden unit 1
    match = re.search(rf"= \({FACTOR} × {FACTOR}\) \+ \({FACTOR} × {FACTOR}\) = {NUMBER}", text)
    assert match, text
    a0, d0, a1, d1, total = (as_float(g) for g in match.groups())
    hidden = api["layers"][1]
    assert (d0, d1) == (shown(hidden["delta"][0][0]), shown(hidden["delta"][1][0]))
    assert (a0, a1) == (shown(2.0), shown(0.25))
    assert total == shown(api["params"][0]["dW"][1][0])
