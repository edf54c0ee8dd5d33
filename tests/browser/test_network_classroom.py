"""/network in a classroom (issue 12): presenter mode on a projector, a clicker and the
keyboard, one notation, phones, no clipped or overlapping labels, and a live region. Every
number the page shows is compared with the API's answer for the same state."""

import json
import re
import time

import pytest

from tests.browser.lessons_helpers import state_hash, wait_render
from tests.browser.test_network import (
    NUMBER,
    UI_ONLY,
    api_for,
    as_float,
    open_network,
    point,
    shown,
    url_state,
)

pytestmark = pytest.mark.browser

# A 2-2 network to grow into 2-3-2 from the keyboard (float64, Mazur's numbers where they fit).
SMALL = {
    "layers": [2, 2],
    "activations": "sigmoid",
    "dtype": "float64",
    "weights": [[[0.15, 0.25], [0.2, 0.3]]],
    "biases": [[0.35, 0.35]],
    "inputs": [[0.05, 0.1]],
    "targets": [[0.01, 0.99]],
    "loss": "half_sse",
    "learning_rate": 0.5,
}
# Four inputs with negative weights: the longest substitutions the panel writes out.
WIDE = {
    "layers": [4, 4, 2],
    "activations": "tanh",
    "dtype": "float64",
    "weights": [
        [[-0.123456, 0.5, -0.75, 0.2]] * 4,
        [[-0.333333, 0.6], [0.25, -0.45], [-0.875, 0.125], [0.5, -0.625]],
    ],
    "biases": [[-0.35, 0.1, -0.2, 0.3], [-0.6, 0.6]],
    "inputs": [[-0.123456, 1.23456, -2.5, 0.987654]],
    "targets": [[0.01, -0.99]],
    "loss": "mse",
    "learning_rate": 0.5,
}


def poll(page, script: str, done, timeout: float = 20.0):
    """Evaluate `script` until `done(value)`; the page's CSP rules out wait_for_function."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def numbers_in(text: str) -> list[float]:
    return [as_float(n) for n in re.findall(r"−?-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def tab_to(page, selector: str, backwards: bool = False, limit: int = 250):
    """Press Tab (or Shift+Tab) until `selector` has the focus: the keyboard's way there."""
    for _ in range(limit):
        if page.evaluate(f"() => !!document.activeElement?.matches({json.dumps(selector)})"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def assert_focus_visible(page):
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def svg_width(page) -> float:
    return page.evaluate(
        "() => document.querySelector('#nv-graph .main-svg').getBoundingClientRect().width"
    )


# ---- presenter mode ---------------------------------------------------------------------


def test_presenter_graph_follows_the_window_and_shows_the_formula_beside_it(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    version = open_network(page)
    before = svg_width(page)
    page.click("#nv-present")
    # The graph is re-laid out for the wider presenter column (ResizeObserver → resize).
    width = poll(page, "() => document.querySelector('#nv-graph').clientWidth", lambda w: w > 0)
    wide = poll(
        page,
        "() => document.querySelector('#nv-graph .main-svg').getBoundingClientRect().width",
        lambda w: abs(w - width) <= 2,
    )
    assert abs(wide - width) <= 2 and wide != before, (before, wide, width)
    assert wide > 0.5 * 1280
    for _ in range(4):  # inputs, layer 1, layer 2, then δ of the output layer
        page.keyboard.press("PageDown")
        version = wait_render(page, version)
    assert page.locator("#nv-stage").inner_text().startswith("Backward pass, layer 2")

    for size in ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080}):
        page.set_viewport_size(size)
        expected = poll(
            page,
            "() => document.querySelector('#nv-graph').clientWidth",
            lambda w, size=size: w > 0.5 * size["width"],
        )
        got = poll(
            page,
            "() => document.querySelector('#nv-graph .main-svg').getBoundingClientRect().width",
            lambda w, expected=expected: abs(w - expected) <= 2,
        )
        assert abs(got - expected) <= 2 and got > 0.5 * size["width"], (size, got, expected)
        poll(  # the redraw for the new size: the graph fits the window's height
            page,
            "() => document.querySelector('#nv-graph .main-svg').getBoundingClientRect().bottom",
            lambda bottom, size=size: bottom <= size["height"] + 1,
        )
        page.wait_for_timeout(300)
        graph = box(page, "#nv-graph .main-svg")
        formula = box(page, "#nv-formula [data-part=delta]")
        for name, b in (("graph", graph), ("current formula", formula)):
            assert b["y"] >= 0 and b["y"] + b["height"] <= size["height"] + 1, (size, name, b)
            assert b["x"] >= 0 and b["x"] + b["width"] <= size["width"] + 1, (size, name, b)
        for control in ("#nv-step", "#nv-back", "#nv-play"):
            b = box(page, control)
            assert 0 <= b["y"] and b["y"] + b["height"] <= size["height"], (control, b)
        title, exit_button = box(page, "h1"), box(page, "#nv-present")
        assert (
            exit_button["x"] >= title["x"] + title["width"]
            or exit_button["y"] >= title["y"] + title["height"]
            or title["y"] >= exit_button["y"] + exit_button["height"]
        ), (title, exit_button)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert page.locator("#nv-present").inner_text() == "Exit presenter mode"


def test_clicker_keys_step_back_and_play_but_not_while_typing(page):
    version = open_network(page)
    page.locator("h1").click()  # focus on the page, not a control
    for key in ("ArrowRight", "PageDown", " "):
        page.keyboard.press(key)
        version = wait_render(page, version)
    assert "layer 2 of 2" in page.locator("#nv-stage").inner_text()
    for key in ("ArrowLeft", "PageUp"):
        page.keyboard.press(key)
        version = wait_render(page, version)
    assert page.locator("#nv-stage").inner_text().startswith("Forward pass: the inputs")
    page.keyboard.press("p")
    assert page.get_attribute("#nv-play", "aria-pressed") == "true"
    page.keyboard.press("P")
    assert page.get_attribute("#nv-play", "aria-pressed") == "false"
    stage = page.locator("#nv-stage").inner_text()
    page.focus("#nv-lr")  # typing in a field: the arrow keys are the field's
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    page.wait_for_timeout(300)
    assert page.locator("#nv-stage").inner_text() == stage


# ---- keyboard only ----------------------------------------------------------------------


def test_keyboard_only_walk_builds_edits_steps_and_applies(page, client):
    version = open_network(page, hash_=state_hash(SMALL))
    assert url_state(page)["layers"] == [2, 2]
    page.locator("h1").click()

    tab_to(page, "#nv-add-layer")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    version = wait_render(page, version)
    assert url_state(page)["layers"] == [2, 3, 2]
    # Set the hidden layer's units: + then −; the focus stays on the button pressed.
    tab_to(page, ".nv-layer[data-layer='1'] [data-action=unit-plus]", backwards=True)
    page.keyboard.press("Enter")
    version = wait_render(page, version)
    assert url_state(page)["layers"] == [2, 4, 2]
    assert page.evaluate("document.activeElement.dataset.action") == "unit-plus"
    tab_to(page, ".nv-layer[data-layer='1'] [data-action=unit-minus]", backwards=True)
    page.keyboard.press("Enter")
    version = wait_render(page, version)
    assert url_state(page)["layers"] == [2, 3, 2]
    assert_focus_visible(page)

    # Edit W⁽¹⁾₁₁ (x1 → hidden unit 1): choose it in the Follow list, then "Edit this weight…".
    tab_to(page, "#nv-pick")
    page.keyboard.press("W")  # type-ahead: the first weight
    version = wait_render(page, version)
    assert page.input_value("#nv-pick") == "w:1:0:0"
    w11 = str(shown(url_state(page)["weights"][0][0][0])).replace("-", "−")  # initializer's
    assert f"W⁽¹⁾₁₁ = {w11}\n" in page.locator("#nv-details").inner_text()
    tab_to(page, "#nv-edit-weight")
    page.keyboard.press("Enter")
    page.locator("#nv-weight-dialog").wait_for(state="visible")
    page.keyboard.type("-0.4")  # the value is selected: typing replaces it
    page.keyboard.press("Enter")
    version = wait_render(page, version)
    state = url_state(page)
    assert state["weights"][0][0][0] == -0.4
    api = api_for(client, state)
    assert as_float(page.locator("#nv-loss-value").inner_text()) == shown(api["loss"], 9)

    # Step forward and back with the keys a clicker sends.
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        version = wait_render(page, version)
    page.keyboard.press("ArrowLeft")
    version = wait_render(page, version)
    assert "layer 1 of 2" in page.locator("#nv-stage").inner_text()
    live = page.locator("#nv-live").inner_text()
    assert live.startswith("Forward pass, layer 1: z = ")
    hidden = api["layers"][1]
    assert numbers_in(live)[1:] == [shown(v) for v in hidden["z"][0] + hidden["a"][0]], live
    for _ in range(3):
        page.keyboard.press("PageDown")
        version = wait_render(page, version)
    live = page.locator("#nv-live").inner_text()
    assert live.startswith("Backward pass, layer 1: δ = ")
    assert numbers_in(live)[1:] == [shown(v) for v in hidden["delta"][0]], live

    tab_to(page, "#nv-apply")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    wait_render(page, version)
    after = url_state(page)
    assert after["weights"] == [p["W_next"] for p in api["params"]]
    assert after["biases"] == [p["b_next"] for p in api["params"]]
    applied = page.locator("#nv-applied").inner_text()
    assert f"{shown(api['loss'], 9)} → {shown(api_for(client, after)['loss'], 9)}" in applied


# ---- one notation -----------------------------------------------------------------------


def api_value(api: dict, state: dict, quantity: str) -> float:
    """The API's value of a quantity the formula panel names, e.g. "dL/dW|2|1,2"."""
    kind, layer, index = quantity.split("|")
    units = [int(i) - 1 for i in (index.split(",") if "," in index else index)]
    if kind == "η":
        return api["learning_rate"]
    if kind == "t":
        return state["targets"][0][units[0]]
    layer = int(layer)
    per_unit = {"a": "a", "z": "z", "δ": "delta", "fp": "fprime", "dL/da": "grad_a"}
    if kind in per_unit:
        return api["layers"][layer][per_unit[kind]][0][units[0]]
    params = api["params"][layer - 1]
    key = {"W": "W", "dL/dW": "dW", "W_next": "W_next"}.get(kind)
    if key:
        return params[key][units[0]][units[1]]
    return params[{"b": "b", "dL/db": "db", "b_next": "b_next"}[kind]][units[0]]


PANEL_JS = """() => {
  const panel = document.getElementById('nv-formula');
  const symbols = [...panel.querySelectorAll('[data-q]')].map((e) => [e.textContent, e.dataset.q,
      e.localName]);
  const numbers = [...panel.querySelectorAll('[data-v]')].map((e) => [e.textContent, e.dataset.v]);
  const names = [...panel.querySelectorAll('mi')].map((e) => e.textContent);
  const lines = [...panel.querySelectorAll('.nv-f-line')].map((e) => e.textContent);
  return {symbols, numbers, names, lines};
}"""


def check_panel(page, api: dict, state: dict) -> int:
    panel = page.evaluate(PANEL_JS)
    meaning: dict[str, str] = {}
    written: dict[str, str] = {}
    for text, quantity, tag in panel["symbols"]:
        assert meaning.setdefault(text, quantity) == quantity, (text, quantity, meaning[text])
        assert written.setdefault(quantity, text) == text, (quantity, text, written[quantity])
        base, layer, index = quantity.split("|")
        if base in ("a", "z", "δ", "W", "b"):  # always with the layer's superscript
            whole_layer = not index and tag == "msup"  # softmax(z⁽ˡ⁾)ₖ reads the layer's vector
            assert tag == "msubsup" or whole_layer, (text, quantity)
            assert text == f"{base}{index}({layer})", (text, quantity)
    assert not {"O", "E", "p"} & set(panel["names"]), panel["names"]
    for text, quantity in panel["numbers"]:
        assert as_float(text) == shown(api_value(api, state, quantity)), (quantity, text)
    for line in panel["lines"]:  # a negative factor after an operator is in brackets
        assert not re.search(r"[×+−·]−\d", line), line
    return len(panel["numbers"])


def test_every_symbol_in_the_formula_panel_names_one_quantity(page, client):
    version = open_network(page)
    state = url_state(page)
    api = api_for(client, state)
    checked = 0
    for choice in ("n:2:0", "n:2:1", "n:1:2", "w:2:1:0", "w:1:0:2", "n:0:1"):
        page.select_option("#nv-pick", choice)
        version = wait_render(page, version)
        checked += check_panel(page, api, state)
    assert checked > 60, checked
    # A softmax output (no element-wise f′: the Jacobian, with [i = k], never a second δ), a
    # batch of two, and Mazur's 2-2-2.
    for preset, choices in (
        ("notebook_crossentropy", ("n:1:0", "n:1:2", "w:1:3:1")),
        ("mazur", ("n:1:1", "w:2:1:1")),
    ):
        page.select_option("#nv-preset", preset)
        version = wait_render(page, version)
        other = url_state(page)
        other_api = api_for(client, other)
        for choice in choices:
            page.select_option("#nv-pick", choice)
            version = wait_render(page, version)
            assert check_panel(page, other_api, other) >= 3, (preset, choice)
    page.select_option("#nv-preset", "multilayer_232")
    version = wait_render(page, version)

    # The bias update with its working: b ← b − η·∂L/∂b = 0.35 − 0.5 × (…) = …
    page.select_option("#nv-pick", "n:1:0")
    wait_render(page, version)
    working = page.locator("#nv-formula [data-part=update] .nv-f-eq").last.text_content()
    b, db, b_next = (api["params"][0][k][0] for k in ("b", "db", "b_next"))
    eta = api["learning_rate"]
    page_number = lambda v: str(shown(v)).replace("-", "−")  # noqa: E731
    assert db < 0  # so the bracket rule is exercised
    assert working == (
        f"b1(1)←b1(1)−η·∂L∂b1(1)"
        f"={page_number(b)}−{page_number(eta)}×({page_number(db)})={page_number(b_next)}"
    ), working

    # The hover text (written out below the graph for the selection) uses the same symbols.
    details = page.locator("#nv-details").inner_text()
    assert "δ⁽¹⁾₁ = ∂L/∂z⁽¹⁾₁" in details and "b⁽¹⁾₁ ← b⁽¹⁾₁ − η·∂L/∂b⁽¹⁾₁" in details
    # ... and the generated code's comments.
    body = {k: v for k, v in state.items() if k not in UI_ONLY}
    code = client.post("/api/v1/backprop/code", json=body).json()["code"]
    assert "δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾" in code and "# W⁽¹⁾: 2 x 3" in code
    assert "O_k" not in code and "E = 1/2" not in code and "delta = dL/dz" not in code


def test_targets_sit_beside_the_outputs(page, client):
    open_network(page)
    api = api_for(client, url_state(page))
    texts = page.evaluate(
        "() => document.getElementById('nv-graph').data.find((d) => d.meta === 'targets').text"
    )
    assert texts == [f"t={shown(t, 3):g}" for t in url_state(page)["targets"][0]]
    assert len(texts) == len(api["layers"][-1]["a"][0])


# ---- no overlap, no clipping ------------------------------------------------------------

FORMULA_FIT_JS = """() => {
  const panel = document.querySelector('.nv-formula-panel');
  const style = getComputedStyle(panel);
  const right = panel.getBoundingClientRect().right - parseFloat(style.paddingRight) + 1;
  const wide = [...panel.querySelectorAll('#nv-formula *')]
    .filter((e) => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > right)
    .map((e) => e.localName + ':' + e.textContent.slice(0, 40));
  const hidden = [...panel.querySelectorAll('.nv-f-line')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.slice(0, 40));
  return {wide, hidden, lines: panel.querySelectorAll('.nv-f-line').length,
          wrapped: [...panel.querySelectorAll('.nv-f-line')].filter((e) => {
            const tops = [...e.children].map((c) => Math.round(c.getBoundingClientRect().top));
            return new Set(tops).size > 1; }).length};
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [390, 1280])
def test_long_formulas_wrap_inside_the_panel(page, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    version = open_network(page, f"?lang={lang}", state_hash(WIDE))
    for choice in ("n:1:0", "n:2:1", "w:2:3:1"):
        page.select_option("#nv-pick", choice)
        version = wait_render(page, version)
        fit = page.evaluate(FORMULA_FIT_JS)
        assert fit["lines"] >= 6, fit
        assert not fit["wide"], fit["wide"]
        assert not fit["hidden"], fit["hidden"]
        if width == 390 and choice == "n:1:0":
            assert fit["wrapped"] >= 1, fit  # the four-term sum had to wrap


LABEL_BOXES_JS = """(selector) => [...document.querySelectorAll(selector + ' text')]
  .filter((t) => t.textContent.trim() && !t.closest('.legend') && !t.closest('.hoverlayer')
     && !t.closest('.xtick') && !t.closest('.ytick') && !t.closest('.g-xtitle'))
  .map((t) => { const r = t.getBoundingClientRect();
    return [t.textContent, r.left, r.top, r.right, r.bottom]; })
  .filter((b) => b[3] > b[1])"""


def overlapping(boxes, slack: float = 1.0):
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a[1] + slack < b[3]
                and b[1] + slack < a[3]
                and a[2] + slack < b[4]
                and b[2] + slack < a[4]
            ):
                pairs.append((a[0], b[0]))
    return pairs


@pytest.mark.parametrize("width", [390, 1280])
def test_graph_and_activation_labels_never_overlap(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    crowded = {
        "layers": [2, 6, 6, 1],
        "activations": "sigmoid",
        "seed": 3,
        "inputs": [[0.5, 0.9]],
        "targets": [[1.0]],
        "biases": [[0.0] * 6, [0.01 * i for i in range(6)], [0.0]],
    }
    version = open_network(page, hash_=state_hash(crowded))
    page.select_option("#nv-pick", "n:2:0")
    wait_render(page, version)
    page.wait_for_timeout(300)
    graph = page.evaluate(LABEL_BOXES_JS, "#nv-graph")
    assert len(graph) > 20, graph
    assert not overlapping(graph), overlapping(graph)
    edge_labels = page.evaluate(
        "() => document.getElementById('nv-graph').data.find((d) => d.meta === 'weights').text"
    )
    assert 0 < sum(bool(t) for t in edge_labels) < len(edge_labels) == 54  # some left to hover
    marks = page.evaluate(LABEL_BOXES_JS, "#nv-act-plot .scatterlayer")
    assert marks, "the activation panel prints its marks"
    assert not overlapping(marks), overlapping(marks)
    # The selected neuron's labels always print; all six z values are listed below the plot.
    assert any(m[0] == "z⁽²⁾₁" for m in marks), marks
    assert page.locator("#nv-act-values").inner_text().count("f′ =") == 6


# ---- phones -----------------------------------------------------------------------------


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    phone = context.new_page()
    errors = []
    phone.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    phone.on("pageerror", lambda err: errors.append(str(err)))
    yield phone
    context.close()
    assert not errors, errors


WIDER_THAN_VIEWPORT_JS = """() => { const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; })
    .map((e) => e.localName + '#' + e.id + '.' + e.className); }"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_phone_has_no_sideways_scroll(phone, lang):
    open_network(phone, f"?lang={lang}")
    assert phone.evaluate("document.documentElement.scrollWidth") == 390
    assert phone.evaluate(WIDER_THAN_VIEWPORT_JS) == []
    phone.click("#nv-show-code")
    phone.locator("#nv-code-panel").wait_for(state="visible")
    assert phone.evaluate("document.documentElement.scrollWidth") == 390


def test_a_tap_shows_what_hover_shows(phone, client):
    version = open_network(phone)
    api = api_for(client, url_state(phone))
    x, y = point(phone, "neurons", [1, 1])
    phone.touchscreen.tap(x, y)
    version = wait_render(phone, version)
    details = phone.locator("#nv-details").inner_text()
    assert details.startswith("Layer 1, unit 2")
    match = re.search(rf"δ⁽¹⁾₂ = ∂L/∂z⁽¹⁾₂ = .* = {NUMBER}\n", details + "\n")
    assert match, details
    assert as_float(match.group(1)) == shown(api["layers"][1]["delta"][0][1]), details

    phone.wait_for_timeout(500)  # two quick taps would be a double tap
    x, y = point(phone, "weights", [2, 1, 0])
    phone.touchscreen.tap(x, y)
    phone.locator("#nv-details", has_text="∂L/∂W⁽²⁾₂₁").wait_for(timeout=5000)
    assert not phone.locator("#nv-weight-dialog").is_visible()  # a tap shows, it does not edit
    details = phone.locator("#nv-details").inner_text()
    match = re.search(rf"∂L/∂W⁽²⁾₂₁ = a⁽¹⁾₂ · δ⁽²⁾₁ = .* = {NUMBER}\n", details + "\n")
    assert match and as_float(match.group(1)) == shown(api["params"][1]["dW"][1][0]), details
    phone.locator("#nv-edit-weight").tap()
    phone.locator("#nv-weight-dialog").wait_for(state="visible")
    assert phone.input_value("#nv-weight-input") == "0.9"


# ---- honest state and the live region -----------------------------------------------------


def test_updated_view_says_where_the_values_come_from_and_messages_clear(page, client):
    version = open_network(page)
    api = api_for(client, url_state(page))
    page.click("#nv-reset")
    version = wait_render(page, version)
    for _ in range(5):  # to the update
        page.click("#nv-step")
        version = wait_render(page, version)
    assert page.is_checked("input[name=nv-view][value=updated]")
    note = page.locator("#nv-view-note")
    assert note.is_visible() and "still come from the current weights W" in note.inner_text()
    page.click("#nv-step")  # past the end: every value shown, edges back on W
    version = wait_render(page, version)
    assert page.is_checked("input[name=nv-view][value=weights]") and not note.is_visible()
    assert (
        page.locator("#nv-live").inner_text()
        == f"All values shown: loss L = {shown(api['loss'], 9)}"
    )

    page.click("#nv-apply")
    version = wait_render(page, version)
    assert "Step applied: loss" in page.locator("#nv-applied").inner_text()
    page.fill("#nv-lr", "0.25")
    page.press("#nv-lr", "Enter")
    wait_render(page, version)
    assert page.locator("#nv-applied").inner_text() == ""


@pytest.mark.parametrize(
    ("lang", "prefix"),
    [("en", "Backward pass, layer 1: δ = "), ("zh", "反向传播，第 1 层：δ = ")],
)
def test_live_region_reads_out_each_step(page, client, lang, prefix):
    version = open_network(page, f"?lang={lang}")
    api = api_for(client, url_state(page))
    live = page.locator("#nv-live")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"
    page.click("#nv-reset")
    version = wait_render(page, version)
    for _ in range(4):  # layer 1, layer 2, δ of layer 2, δ of layer 1
        page.click("#nv-step")
        version = wait_render(page, version)
    text = live.inner_text()
    assert text.startswith(prefix), text
    deltas = [float(n.replace("−", "-")) for n in text[len(prefix) :].split(", ")]
    assert deltas == [shown(v) for v in api["layers"][1]["delta"][0]]
    page.click("#nv-back")
    wait_render(page, version)
    text = live.inner_text()
    assert re.search(r"(Backward pass, layer 2|反向传播，第 2 层)", text), text
    assert numbers_in(text)[1:] == [shown(v) for v in api["layers"][2]["delta"][0]]
