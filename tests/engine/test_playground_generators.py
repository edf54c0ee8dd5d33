"""Playground's page load restated in Python (points, shuffle, split, features, initial
weights) against ``page_loads.json``: what a JS restatement of dataset.ts / playground.ts /
nn.ts built in Chromium with the real seedrandom and d3 packages (see
tests/fixtures/playground/README.md). Everything must match bit for bit: Chromium's
Math.sin/cos/log round as the C library's do (Node 20's V8 does not, in the last bit).

With ``SEEDRANDOM_DIR`` (a folder whose node_modules holds seedrandom and d3 3.5) the same
restatement also runs live in Chromium on more links.
"""

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest

from app.engine.datasets import features, generate
from app.engine.playground import Limits, import_link
from app.engine.playground.generators import (
    d3_linear,
    draw,
    normal_random,
    reg_gauss_label,
    shuffle,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "playground"
LOADS = json.loads((FIXTURES / "page_loads.json").read_text())["loads"]
LIMITS = Limits(max_layers=8, max_units=64)


def _import(load: dict) -> dict:
    return import_link("https://playground.tensorflow.org/" + load["hash"], LIMITS)


@pytest.mark.parametrize("name", sorted(LOADS))
def test_points_and_split_match_playground_bit_for_bit(name):
    load, body = LOADS[name], _import(LOADS[name])
    assert body["dataset"]["points"] == load["train"]
    assert body["dataset"]["test_points"] == load["test"]


@pytest.mark.parametrize("name", sorted(LOADS))
def test_features_shape_and_initial_weights_match_playground(name):
    load, body = LOADS[name], _import(LOADS[name])
    assert body["layers"] == load["shape"]
    ours = {"x": "x1", "y": "x2", "xSquared": "x1_sq", "ySquared": "x2_sq", "xTimesY": "x1_x2"}
    ours |= {"sinX": "sin_x1", "sinY": "sin_x2"}
    assert body["dataset"]["features"] == [ours[f] for f in load["features"]]
    # Playground keeps weights per node (its input links); ours are n_in × n_out.
    by_node = [np.asarray(w).T.tolist() for w in body["weights"]]
    assert by_node == load["weights_by_node"]  # exact: the same draws, in the same order
    assert body["biases"] == load["biases"]


@pytest.mark.parametrize("name", sorted(LOADS))
def test_initial_loss_matches_playground(name):
    """Forward pass in NumPy from the fixture's own points and weights vs Playground's."""
    load, body = LOADS[name], _import(LOADS[name])
    acts = {"tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0)}
    acts["sigmoid"] = lambda z: 1 / (1 + np.exp(-z))
    points = np.asarray(load["train"])
    a = features(points[:, :2], body["dataset"]["features"])
    for w, b, act in zip(load["weights_by_node"], load["biases"], body["activations"], strict=True):
        a = acts[act](a @ np.asarray(w).T + np.asarray(b))
    loss = np.mean(0.5 * (a[:, 0] - points[:, 2]) ** 2)
    assert loss == pytest.approx(load["train_loss"], rel=1e-12, abs=1e-15)


def test_init_zero_still_draws_the_weights():
    """nn.ts draws Math.random() for every link before initZero zeroes it."""
    load = LOADS["circle_init_zero"]
    body = _import(load)
    assert all(v == 0 for w in body["weights"] for row in w for v in row)
    assert all(v == 0 for b in body["biases"] for v in b)
    same = draw("1", "circle", 15, 50, load["shape"], init_zero=False)
    assert same.train == [tuple(p) for p in body["dataset"]["points"]]
    assert same.weights[0][0][0] != 0


def test_shuffle_is_fisher_yates_from_the_back():
    draws = iter([0.0, 0.99, 0.5])  # counter 3 → index 0; counter 2 → 1; counter 1 → 0
    items = ["a", "b", "c"]
    shuffle(lambda: next(draws), items)
    assert items == ["c", "b", "a"]


def test_d3_linear_is_d3_3_5():
    assert d3_linear((0, 0.5), (0.5, 4))(0.1) == 1.2000000000000002  # d3 3.5.17 in Node
    assert d3_linear((0, 2), (1, 0), clamp=True)(3) == 0
    assert d3_linear((-10, 10), (-1, 1))(5) == 0.5


def test_normal_random_rejects_points_outside_the_unit_disc():
    draws = iter([1.0, 1.0, 0.75, 0.5])  # (1, 1) has s = 2 > 1: drawn again
    value = normal_random(lambda: next(draws), 0.0, 1.0)
    s = 0.5**2
    assert value == math.sqrt(-2 * math.log(s) / s) * 0.5


def test_numpy_reg_gauss_follows_playgrounds_label():
    """The seeded NumPy ``reg_gauss`` of /train labels its points as regressGaussian does."""
    data = generate("reg_gauss", 400, 0.0, seed=3)
    expected = [reg_gauss_label(x, y) for x, y in data.x]
    assert data.labels == pytest.approx(expected, abs=1e-12)
    assert min(expected) < -0.5 and max(expected) > 0.5  # bumps of both signs


def test_cos_features():
    points = np.array([[0.0, math.pi], [math.pi / 2, 0.0]])
    assert features(points, ["cos_x1", "cos_x2"]) == pytest.approx(
        np.array([[1.0, -1.0], [0.0, 1.0]]), abs=1e-15
    )


EXTRA_LINKS = [
    "#dataset=spiral&noise=50&seed=0.31416&networkShape=8,8,8&activation=relu",
    "#dataset=circle&noise=5&seed=0.27183&percTrainData=20&sinX=true&sinY=true",
    "#dataset=gauss&noise=80&seed=q&percTrainData=90&initZero=true&networkShape=",
    "#problem=regression&regDataset=reg-gauss&noise=45&seed=0.11111&xTimesY=true",
    "#problem=regression&regDataset=reg-plane&noise=0&seed=z&ySquared=true&x=false",
]


def _npm_dir() -> Path | None:
    folder = os.environ.get("SEEDRANDOM_DIR")
    modules = Path(folder) / "node_modules" if folder else None
    has_both = modules and (modules / "seedrandom").is_dir() and (modules / "d3").is_dir()
    return modules if has_both else None


@pytest.mark.skipif(_npm_dir() is None, reason="SEEDRANDOM_DIR with seedrandom and d3 not set")
def test_live_in_chromium(browser):
    page = browser.new_page()
    try:
        page.add_script_tag(path=_npm_dir() / "seedrandom" / "seedrandom.min.js")
        page.add_script_tag(path=_npm_dir() / "d3" / "d3.min.js")
        page.add_script_tag(path=FIXTURES / "restated.js")
        loads = page.evaluate("(links) => links.map(playgroundPageLoad)", EXTRA_LINKS)
    finally:
        page.close()
    for link, load in zip(EXTRA_LINKS, loads, strict=True):
        body = import_link(link, LIMITS)
        assert body["dataset"]["points"] == load["train"], link
        assert body["dataset"]["test_points"] == load["test"], link
        assert [np.asarray(w).T.tolist() for w in body["weights"]] == load["weights_by_node"]
        assert body["biases"] == load["biases"]
