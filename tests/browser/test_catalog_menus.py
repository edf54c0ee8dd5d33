"""The pages' menus are the catalog's lists (names in order, labels in the page's language),
their URL state is cleaned by its declared table, and one render signal counts every draw."""

import base64
import json

import pytest

pytestmark = pytest.mark.browser

RENDERED = "body[data-render-count]"


def state_hash(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":")).encode()
    return "#s=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def options(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} option", "(os) => os.map((o) => [o.value, o.textContent.trim()])"
    )


def listed(entries: list[dict], lang: str) -> list[list[str]]:
    return [[e["name"], e["labels"][lang]] for e in entries]


def render_count(page) -> int:
    return int(page.get_attribute("body", "data-render-count"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_train_menus_are_the_catalog(page, client, lang):
    catalog = client.get("/api/v1/catalog").json()
    page.goto(f"/train?lang={lang}")
    page.wait_for_selector(RENDERED, timeout=60_000)
    datasets = options(page, "#tr-dataset")
    assert datasets[:-1] == listed(catalog["datasets"], lang)
    assert datasets[-1][0] == "custom"  # the page's own entry: data you paste
    hidden = [a for a in catalog["activations"] if a["elementwise"]]
    assert options(page, "#tr-activation") == listed(hidden, lang)
    assert options(page, "#tr-output") == listed(catalog["activations"], lang)
    assert options(page, "#tr-loss") == listed(catalog["losses"], lang)
    assert options(page, "#tr-optimizer") == listed(catalog["optimizers"], lang)
    assert options(page, "#tr-reg")[1:] == listed(catalog["regularizations"], lang)
    boxes = page.eval_on_selector_all(
        "input[name=tr-feature]",
        "(bs) => bs.map((b) => [b.value, b.parentElement.textContent.trim()])",
    )
    assert boxes == listed(catalog["features"], lang)
    assert page.get_attribute("#tr-samples", "max") == str(catalog["limits"]["max_samples"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gradient_flow_and_network_menus_are_the_catalog(page, client, lang):
    catalog = client.get("/api/v1/catalog").json()
    page.goto(f"/gradient-flow?lang={lang}")
    page.wait_for_selector(RENDERED, timeout=30_000)
    elementwise = [a for a in catalog["activations"] if a["elementwise"]]
    for key in ("a", "b"):
        assert options(page, f"#gf-{key}-activation") == listed(elementwise, lang)
    assert page.get_attribute("#gf-depth", "max") == str(catalog["limits"]["max_depth"])
    page.goto(f"/network?lang={lang}")
    page.wait_for_selector(RENDERED, timeout=30_000)
    assert options(page, "#nv-loss") == listed(catalog["losses"], lang)
    layer = ".nv-layer[data-layer='1'] select"
    assert options(page, layer) == listed(catalog["activations"], lang)


def test_activation_choices_are_the_catalog_in_chinese(page, client):
    catalog = client.get("/api/v1/catalog").json()
    page.goto("/activations?lang=zh")
    page.wait_for_selector(RENDERED, timeout=30_000)
    choices = page.eval_on_selector_all(
        "#act-choices label",
        "(ls) => ls.map((l) => [l.querySelector('input').value, l.textContent.trim()])",
    )
    assert choices == listed(catalog["activations"], "zh")


def test_out_of_range_train_link_opens_with_defaults(page, client):
    limits = client.get("/api/v1/catalog").json()["limits"]
    bad = {
        "dataset": "nope",
        "samples": limits["max_samples"] + 1,
        "noise": 5,
        "lr": -1,
        "momentum": 1,  # the registry's bound is open at 1
        "hidden": [4, 100],
        "features": ["x1", "bogus", "x1"],
        "optimizer": "adam",  # valid: kept
        "speed": 7,
        "unknown": "dropped",
    }
    page.goto("/train?lang=en" + state_hash(bad))
    page.wait_for_selector(RENDERED, timeout=60_000)
    assert page.locator("#tr-dataset").input_value() == "circle"
    assert page.locator("#tr-samples").input_value() == "500"
    assert page.locator("#tr-noise").input_value() == "0"
    assert page.locator("#tr-lr").input_value() == "0.03"
    assert page.locator("#tr-momentum").input_value() == "0.9"
    assert page.locator("#tr-optimizer").input_value() == "adam"
    assert page.locator("#tr-speed").input_value() == "epoch"
    assert page.locator("#tr-layers input").count() == 2  # the default 4-2
    checked = page.eval_on_selector_all(
        "input[name=tr-feature]:checked", "(bs) => bs.map((b) => b.value)"
    )
    assert checked == ["x1"]  # the unknown feature and the repeat are left out


def test_out_of_range_gradient_flow_link_opens_with_defaults(page, client):
    limits = client.get("/api/v1/catalog").json()["limits"]
    bad = {
        "depth": limits["max_depth"] + 1,
        "width": 0,
        "metric": "delta_norm",
        "a": {"activation": "softmax", "init": "he_normal"},
        "b": "not an object",
    }
    with page.expect_response("**/api/v1/gradient-flow") as response:
        page.goto("/gradient-flow?lang=en" + state_hash(bad))
    body = json.loads(response.value.request.post_data)
    assert body["depth"] == 10 and body["width"] == 16
    assert body["configs"][0]["activation"] == "sigmoid"  # softmax is not element-wise
    assert body["configs"][0]["init"] == "he_normal"
    assert body["configs"][1]["activation"] == "relu"
    page.wait_for_selector("#gf-norms[data-metric='delta_norm']", timeout=30_000)


def test_render_signal_counts_each_draw_after_a_control_change(page):
    page.goto("/gradient-flow?lang=en")
    page.wait_for_selector("body[data-render-count='1']", timeout=30_000)
    page.evaluate(
        "window.__signals = 0;"
        " document.addEventListener('bpv:rendered', () => { window.__signals += 1; })"
    )
    page.select_option("#gf-metric", "delta_norm")
    page.wait_for_selector("body[data-render-count='2']", timeout=30_000)
    assert page.get_attribute("#gf-norms", "data-metric") == "delta_norm"
    assert page.evaluate("window.__signals") == 1
    page.goto("/chain-rule?lang=en")
    page.wait_for_selector(RENDERED, timeout=30_000)
    before = render_count(page)
    page.fill("#cr-x", "3")
    page.wait_for_selector(f"body:not([data-render-count='{before}'])", timeout=30_000)
    assert render_count(page) == before + 1
