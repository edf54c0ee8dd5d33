"""The pages' menus are the catalog's lists (names in order, labels in the page's language),
their URL state is cleaned by its declared table, and one render signal counts every draw."""

import json

import pytest

from tests.browser.lessons_helpers import RENDERED, render_count, state_hash, wait_render

pytestmark = pytest.mark.browser


def options(page, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{selector} option", "(os) => os.map((o) => [o.value, o.textContent.trim()])"
    )


def listed(entries: list[dict], lang: str) -> list[list[str]]:
    return [[e["name"], e["labels"][lang]] for e in entries]


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
    assert options(page, "#tr-dtype") == listed(catalog["dtypes"], lang)
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
        assert options(page, f"#gf-{key}-init") == listed(catalog["initializers"], lang)
    assert page.get_attribute("#gf-depth", "max") == str(catalog["limits"]["max_depth"])
    page.goto(f"/network?lang={lang}")
    page.wait_for_selector(RENDERED, timeout=30_000)
    assert options(page, "#nv-loss") == listed(catalog["losses"], lang)
    assert options(page, "#nv-init") == listed(catalog["initializers"], lang)
    assert options(page, "#nv-dtype") == listed(catalog["dtypes"], lang)
    layer = ".nv-layer[data-layer='1'] select"
    assert options(page, layer) == listed(catalog["activations"], lang)


def shown_params(page) -> dict[str, float | bool]:
    """The optimizer fields on show: parameter name → the value in its field."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('label[data-param]')]
          .filter((label) => !label.hidden)
          .map((label) => {
            const input = label.querySelector('input');
            return [label.dataset.param,
                    input.type === 'checkbox' ? input.checked : Number(input.value)];
          }))"""
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_train_shows_each_optimizers_own_parameters_with_their_defaults(page, client, lang):
    optimizers = client.get("/api/v1/catalog").json()["optimizers"]
    page.goto(f"/train?lang={lang}")
    page.wait_for_selector(RENDERED, timeout=60_000)
    defaults = {o["name"]: {p["name"]: p["default"] for p in o["params"]} for o in optimizers}
    assert shown_params(page) == defaults["sgd"]  # plain SGD: momentum 0, as the API's default
    # Each switch shows exactly that optimizer's parameters at its defaults (momentum → sgd
    # shows momentum 0 again, not momentum's 0.9).
    for name in ["momentum", "adam", "rmsprop", "sgd", *defaults]:
        page.select_option("#tr-optimizer", name)
        assert shown_params(page) == defaults[name]
    page.select_option("#tr-optimizer", "adam")
    assert float(page.locator("#tr-epsilon").input_value()) == defaults["adam"]["epsilon"]
    for param in next(o for o in optimizers if o["name"] == "adam")["params"]:
        field = page.locator(f"label[data-param='{param['name']}'] input")
        assert float(field.get_attribute("max")) == param["max"]
    # A typed value is kept, goes into the link, and a new page opens with it.
    page.click("#tr-more summary")
    page.fill("#tr-beta1", "0.8")
    page.dispatch_event("#tr-beta1", "change")
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector(RENDERED, timeout=60_000)
    assert shown_params(other) == {**defaults["adam"], "beta_1": 0.8}
    other.close()


def test_train_page_caps_are_under_the_apis_limits(page, client):
    limits = client.get("/api/v1/catalog").json()["limits"]
    page.goto("/train?lang=en")
    page.wait_for_selector(RENDERED, timeout=60_000)
    assert page.get_attribute("#tr-test-fraction", "max") == "0.9"
    assert page.get_attribute("#tr-reg-rate", "max") == "10"
    assert page.get_attribute("#tr-l2", "max") == "10"
    units = min(8, limits["max_units"])
    assert page.get_attribute("#tr-custom-targets", "max") == str(min(64, limits["max_units"]))
    assert page.get_attribute("#tr-layers input", "max") == str(units)
    hidden = min(6, limits["max_layers"] - 1)
    for _ in range(hidden - 2):  # the default network has two hidden layers
        page.click("#tr-add-layer")
    assert page.locator("#tr-layers input").count() == hidden
    assert page.locator("#tr-add-layer").is_disabled()


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
        "optimizer": "momentum",  # valid: kept
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
    assert page.locator("#tr-optimizer").input_value() == "momentum"
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
    assert wait_render(page, before, timeout=30_000) == before + 1
