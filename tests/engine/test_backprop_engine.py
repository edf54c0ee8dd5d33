"""The engine's tape gradients against two independent oracles, on random networks.

1. The textbook δ rule in NumPy (app/engine/textbook.py), float64, to ~1e-10.
2. Central finite differences of a loss evaluated by plain NumPy forward code written here,
   float64, to ~1e-6 relative — this checks the δ rule's own formulas as well.
Every activation × every loss configuration × both batch reductions.
"""

import itertools
import zlib

import numpy as np
import pytest

from app.core.config import get_settings
from app.engine.activations import ACTIVATIONS
from app.engine.backprop import backprop
from app.engine.graphs import KINDS, graph_cache
from app.engine.losses import LOSSES, prepare_targets
from app.engine.network import build_network

# (loss, from_logits, output activation): every loss, with outputs it is meant for.
LOSS_SETUPS = [
    ("mse", False, "sigmoid"),
    ("sse", False, "tanh"),
    ("half_sse", False, "linear"),
    ("categorical_crossentropy", False, "softmax"),
    ("categorical_crossentropy", True, "linear"),
    ("categorical_crossentropy", True, "softmax"),  # the notebook's double softmax
    ("binary_crossentropy", False, "sigmoid"),
    ("binary_crossentropy", True, "linear"),
]
HIDDEN = list(ACTIVATIONS)
REDUCTIONS = ["mean", "sum"]


def random_case(hidden: str, loss: str, out_act: str, seed: int, batch: int = 3):
    rng = np.random.default_rng(seed)
    sizes = [3, 4, 3]
    weights = [rng.normal(0, 0.8, (a, b)).tolist() for a, b in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.3, b).tolist() for b in sizes[1:]]
    inputs = rng.normal(0, 1.0, (batch, sizes[0]))
    if loss == "categorical_crossentropy":
        targets = rng.integers(0, sizes[-1], batch).tolist()
    elif loss == "binary_crossentropy":
        targets = rng.integers(0, 2, (batch, sizes[-1])).astype(float).tolist()
    else:
        targets = rng.normal(0, 1.0, (batch, sizes[-1])).tolist()
    net = build_network(sizes, [hidden, out_act], weights, biases, dtype="float64")
    return net, inputs, prepare_targets(targets, LOSSES[loss], sizes[-1], batch)


def numpy_loss(net, inputs, targets, loss, from_logits, reduction, weights, biases) -> float:
    """The loss by plain NumPy forward code (no δ rule, no TensorFlow)."""
    a = inputs
    for W, b, act in zip(weights, biases, net.activations, strict=True):
        a = act.np(a @ W + b)
    per_sample, _ = LOSSES[loss].np_fn(targets, a, from_logits)
    return per_sample.mean() if reduction == "mean" else per_sample.sum()


def finite_difference_grads(net, inputs, targets, loss, from_logits, reduction, h=1e-5):
    """Central differences. h = 1e-5 keeps truncation (~h²) and rounding (~ε·L/h) both well
    under the tolerance for these networks; near-saturated outputs fed to log(1 − o) are where
    rounding grows, which is why each case has a fixed seed rather than a random one."""
    weights = [w.copy() for w in net.weights]
    biases = [b.copy() for b in net.biases]

    def loss_at() -> float:
        return numpy_loss(net, inputs, targets, loss, from_logits, reduction, weights, biases)

    grads = []
    for params in (weights, biases):
        for p in params:
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                up = loss_at()
                p[idx] = old - h
                down = loss_at()
                p[idx] = old
                g[idx] = (up - down) / (2 * h)
            grads.append(g)
    return grads


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("loss", "from_logits", "out_act"), LOSS_SETUPS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_tape_equals_textbook_and_finite_differences(hidden, loss, from_logits, out_act, reduction):
    # A stable seed per case (Python's str hash changes from run to run).
    seed = zlib.crc32(repr((hidden, loss, from_logits, out_act, reduction)).encode())
    net, inputs, targets = random_case(hidden, loss, out_act, seed)
    result = backprop(net, inputs, targets, LOSSES[loss], from_logits, reduction)

    assert result.check["agrees"], result.check
    assert result.check["max_abs_diff"] < 1e-12

    fd = finite_difference_grads(net, inputs, targets, loss, from_logits, reduction)
    for tape, numeric in zip(result.dW + result.db, fd, strict=True):
        np.testing.assert_allclose(tape, numeric, rtol=1e-6, atol=1e-8)

    # the loss itself agrees with the plain NumPy forward pass
    expected = numpy_loss(
        net, inputs, targets, loss, from_logits, reduction, net.weights, net.biases
    )
    assert abs(result.loss - expected) <= 1e-12 * max(1.0, abs(expected))


@pytest.mark.parametrize("out_act", [a for a in ACTIVATIONS if a != "softmax"])
def test_every_output_activation_with_squared_error(out_act):
    net, inputs, targets = random_case("tanh", "mse", out_act, seed=11)
    result = backprop(net, inputs, targets, LOSSES["mse"], False, "mean")
    assert result.check["agrees"] and result.check["max_abs_diff"] < 1e-12
    fd = finite_difference_grads(net, inputs, targets, "mse", False, "mean")
    for tape, numeric in zip(result.dW + result.db, fd, strict=True):
        np.testing.assert_allclose(tape, numeric, rtol=1e-6, atol=1e-8)


def test_delta_definition_and_sgd_step():
    net, inputs, targets = random_case("sigmoid", "mse", "sigmoid", seed=3, batch=4)
    mean = backprop(net, inputs, targets, LOSSES["mse"], False, "mean", learning_rate=0.3)
    total = backprop(net, inputs, targets, LOSSES["mse"], False, "sum", learning_rate=0.3)
    # δ of the reported loss: the mean's δ carries the 1/batch factor
    for d_mean, d_sum in zip(mean.delta, total.delta, strict=True):
        np.testing.assert_allclose(d_mean * 4, d_sum, rtol=1e-13)
    for layer in range(net.depth):
        # dW = a_prevᵀ δ, db = Σ_batch δ
        np.testing.assert_allclose(mean.dW[layer], mean.a[layer].T @ mean.delta[layer], rtol=1e-13)
        np.testing.assert_allclose(mean.db[layer], mean.delta[layer].sum(0), rtol=1e-13)
        np.testing.assert_array_equal(mean.W_next[layer], net.weights[layer] - 0.3 * mean.dW[layer])
        np.testing.assert_array_equal(mean.b_next[layer], net.biases[layer] - 0.3 * mean.db[layer])


def test_frozen_biases_keep_their_values():
    net, inputs, targets = random_case("relu", "mse", "linear", seed=5)
    result = backprop(net, inputs, targets, LOSSES["mse"], train_biases=False)
    for before, after in zip(net.biases, result.b_next, strict=True):
        np.testing.assert_array_equal(before, after)
    assert any(np.abs(g).max() > 0 for g in result.db)  # the gradient is still reported


def test_float32_agrees_with_float64_textbook():
    rng = np.random.default_rng(2)
    weights = [rng.normal(size=(2, 5)).tolist(), rng.normal(size=(5, 3)).tolist()]
    net = build_network([2, 5, 3], ["tanh", "softmax"], weights, dtype="float32")
    inputs = rng.normal(size=(6, 2))
    targets = prepare_targets([0, 1, 2, 1, 0, 2], LOSSES["categorical_crossentropy"], 3, 6)
    result = backprop(net, inputs, targets, LOSSES["categorical_crossentropy"])
    assert result.check["agrees"]
    assert 0 < result.check["max_abs_diff"] < 1e-6  # float32 rounding, not exact


def test_saturation_warning_names_the_units():
    # z = ±40 on the hidden layer: sigmoid′ ≈ 4e-18 there, so δ vanishes
    net = build_network(
        [1, 2, 1], "sigmoid", [[[40.0, 0.1]], [[1.0], [1.0]]], [[0, 0], [0]], dtype="float64"
    )
    result = backprop(net, np.array([[1.0]]), np.array([[0.0]]), LOSSES["mse"])
    saturated = [w for w in result.warnings if w["code"] == "saturated"]
    assert saturated and saturated[0]["units"] == [{"layer": 1, "units": [0]}]
    assert abs(result.delta[0][0][0]) < 1e-15


def test_initializers_are_seeded_and_scaled():
    a = build_network([4, 8, 3], init="glorot_uniform", seed=1)
    b = build_network([4, 8, 3], init="glorot_uniform", seed=1)
    c = build_network([4, 8, 3], init="glorot_uniform", seed=2)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(a.weights[0], c.weights[0])
    assert np.abs(a.weights[0]).max() <= np.sqrt(6 / (4 + 8))
    assert all((bias == 0).all() for bias in a.biases)
    ones = build_network([2, 2], init="ones")
    assert (ones.weights[0] == 1).all() and (ones.biases[0] == 1).all()
    he = build_network([64, 64, 64], init="he_normal", seed=0)
    assert abs(he.weights[0].std() - np.sqrt(2 / 64)) < 0.03  # Keras' He normal
    assert np.abs(he.weights[0]).max() <= 2 * np.sqrt(2 / 64) / 0.87962566103423978 + 1e-6


def test_one_compiled_graph_per_depth_whatever_the_architecture():
    """Widths, batch, activations, loss, reduction and numbers are tensors: no new graph."""
    cache = graph_cache()
    rng = np.random.default_rng(0)
    net = build_network([2, 3, 1], ["tanh", "sigmoid"])
    backprop(net, rng.normal(size=(1, 2)), np.array([[0.5]]), LOSSES["mse"])
    graph = cache.get("backprop", 2, "float32")
    before = (len(cache), cache.builds)
    cases = [
        ([2, 3, 1], 1, ["tanh", "sigmoid"], "mse"),
        ([5, 7, 2], 4, ["relu", "softmax"], "categorical_crossentropy"),
        ([3, 1, 6], 9, [{"name": "leaky_relu", "alpha": 0.1}, "gelu"], "binary_crossentropy"),
        ([2, 3, 1], 2, ["selu", "linear"], "half_sse"),
    ]
    for sizes, batch, acts, loss in cases:
        net = build_network(sizes, acts, seed=batch)
        x, t = rng.normal(size=(batch, sizes[0])), rng.random((batch, sizes[-1]))
        for reduction in ("mean", "sum"):
            result = backprop(net, x, t, LOSSES[loss], reduction=reduction)
            assert result.check["agrees"], (sizes, acts, loss, reduction, result.check)
    assert (len(cache), cache.builds) == before  # one graph served every case
    assert cache.get("backprop", 2, "float32") is graph
    assert cache.max_depth == get_settings().max_layers  # the bound comes from Settings
    assert cache.bound == len(KINDS) * cache.max_depth * 2 + 2 * cache.max_depth
    assert len(cache) <= cache.bound
    with pytest.raises(ValueError):
        cache.get("backprop", cache.max_depth + 1, "float32")
