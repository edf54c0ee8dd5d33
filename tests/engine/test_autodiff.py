"""autodiff.py: the notebook's tape lessons against the calculus done by hand."""

import math

import numpy as np
import pytest

from app.engine.activations import bind
from app.engine.autodiff import (
    FUNCTIONS,
    activation_curve,
    chain_rule,
    loss_gradient,
    second_order,
    second_order_curve,
    softmax_jacobian_tape,
    vanishing_intervals,
)
from app.engine.losses import LOSSES


def test_chain_rule_by_hand():
    x, w1, b1, w2, b2 = 1.5, 2.0, 0.5, -3.0, 1.0
    out = {k: (float(v) if v is not None else None) for k, v in chain_rule(
        x, w1, b1, w2, b2, "float64").items()}  # fmt: skip
    y1 = x * w1 + b1
    assert out["y1"] == y1 and out["y2"] == y1 * w2 + b2
    assert out["dy2_dy1"] == w2 and out["dy1_dw1"] == x
    assert out["dy2_dw1"] == out["product"] == w2 * x
    assert out["dy1_db1"] == 1.0 and out["dy2_db2"] == 1.0
    assert out["dy2_dw2"] == y1 and out["dy2_db1"] == w2


def _sig(u):
    return 1 / (1 + math.exp(-u))


# (y, ∂y/∂w, ∂²y/∂w²) as functions of u = x·w + b and x, from the LaTeX in FUNCTIONS.
BY_HAND = {
    "linear": (lambda u, x: u, lambda u, x: x, None),
    "square": (lambda u, x: u * u, lambda u, x: 2 * x * u, lambda u, x: 2 * x * x),
    "sigmoid": (
        lambda u, x: _sig(u),
        lambda u, x: x * _sig(u) * (1 - _sig(u)),
        lambda u, x: x * x * _sig(u) * (1 - _sig(u)) * (1 - 2 * _sig(u)),
    ),
    "tanh": (
        lambda u, x: math.tanh(u),
        lambda u, x: x * (1 - math.tanh(u) ** 2),
        lambda u, x: -2 * x * x * math.tanh(u) * (1 - math.tanh(u) ** 2),
    ),
    "exp": (
        lambda u, x: math.exp(u),
        lambda u, x: x * math.exp(u),
        lambda u, x: x * x * math.exp(u),
    ),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_second_order_by_hand(name):
    x, w, b = 0.7, -0.4, 0.3
    u = x * w + b
    y, first, second = BY_HAND[name]
    out = second_order(x, w, b, FUNCTIONS[name], "float64")
    assert float(out["y"]) == pytest.approx(y(u, x), rel=1e-14)
    assert float(out["dy_dw"]) == pytest.approx(first(u, x), rel=1e-14)
    assert float(out["dy_db"]) == pytest.approx(first(u, x) / x, rel=1e-14)
    if second is None:
        assert out["d2y_dw2"] is None and out["unconnected"] == ["d2y_dw2"]
    else:
        assert float(out["d2y_dw2"]) == pytest.approx(second(u, x), rel=1e-13)
        assert out["unconnected"] == []


def test_second_order_curve_is_pointwise():
    out = second_order_curve(2.0, 0.5, FUNCTIONS["square"], -1.0, 1.0, 5, "float64")
    w = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(out["w"].numpy(), w, atol=1e-15)
    np.testing.assert_allclose(out["y"].numpy(), (2 * w + 0.5) ** 2, rtol=1e-14)
    np.testing.assert_allclose(out["dy_dw"].numpy(), 4 * (2 * w + 0.5), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(out["d2y_dw2"].numpy(), np.full(5, 8.0), rtol=1e-14)
    np.testing.assert_allclose(out["dy_db"].numpy(), 2 * (2 * w + 0.5), rtol=1e-14, atol=1e-15)


def test_activation_curve_sigmoid_derivatives():
    out = activation_curve(bind("sigmoid"), -4.0, 4.0, 9, "float64")
    x = np.linspace(-4, 4, 9)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(out["y"].numpy(), s, rtol=1e-14)
    np.testing.assert_allclose(out["dy"].numpy(), s * (1 - s), rtol=1e-13)
    np.testing.assert_allclose(out["d2y"].numpy(), s * (1 - s) * (1 - 2 * s), atol=1e-15)
    assert out["unconnected"] == []


def test_activation_curve_linear_has_no_second_derivative_and_softmax_is_sigmoid():
    out = activation_curve(bind("linear"), -1.0, 1.0, 3, "float64")
    np.testing.assert_array_equal(out["dy"].numpy(), [1.0, 1.0, 1.0])
    assert out["d2y"] is None and out["unconnected"] == ["d2y"]
    soft = activation_curve(bind("softmax"), -3.0, 3.0, 7, "float64")
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(soft["y"].numpy(), 1 / (1 + np.exp(-x)), rtol=1e-14)


def test_vanishing_intervals():
    x = np.arange(8.0)
    dy = np.array([0.0, 0.0, 0.5, 0.5, 1e-4, 0.5, 1e-5, 1e-5])
    assert vanishing_intervals(x, dy, 1e-3) == [[0.0, 1.0], [4.0, 4.0], [6.0, 7.0]]
    assert vanishing_intervals(x, None, 1e-3) == []
    assert vanishing_intervals(x[:2], np.array([np.nan, 0.0]), 1e-3) == [[1.0, 1.0]]


def test_softmax_jacobian_from_one_backward_pass():
    logits = np.array([[0.5, -1.0, 2.0, 0.0], [3.0, 3.0, -2.0, 1.0]])
    out = softmax_jacobian_tape(logits, "float64")
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out["probabilities"].numpy(), p, rtol=1e-14)
    by_hand = np.stack([np.diag(row) - np.outer(row, row) for row in p])
    np.testing.assert_allclose(out["jacobian"].numpy(), by_hand, atol=1e-15)


def test_loss_gradient_mse_by_hand():
    t = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    a = np.array([[0.8, 0.1], [0.3, 0.6], [0.5, 0.9]])
    out = loss_gradient(LOSSES["mse"], t, a, False, "mean", "float64")
    assert float(out.loss) == pytest.approx(((a - t) ** 2).mean(), rel=1e-14)
    np.testing.assert_allclose(out.per_sample_loss.numpy(), ((a - t) ** 2).mean(1), rtol=1e-14)
    np.testing.assert_allclose(out.gradient.numpy(), 2 * (a - t) / 2 / 3, rtol=1e-14)
    summed = loss_gradient(LOSSES["mse"], t, a, False, "sum", "float64")
    np.testing.assert_allclose(summed.gradient.numpy(), 2 * (a - t) / 2, rtol=1e-14)
    assert out.warnings == []


def test_loss_gradient_cross_entropy_from_logits_and_the_double_softmax_warning():
    t = np.array([[0.0, 1.0, 0.0]])
    z = np.array([[1.0, 2.0, -1.0]])
    out = loss_gradient(LOSSES["categorical_crossentropy"], t, z, True, "sum", "float64")
    p = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(out.gradient.numpy(), p - t, atol=1e-15)
    assert out.warnings == []
    probs = loss_gradient(LOSSES["categorical_crossentropy"], t, p, True, "sum", "float64")
    assert [w["code"] for w in probs.warnings] == ["double_softmax"]
    plain = loss_gradient(LOSSES["categorical_crossentropy"], t, p, False, "sum", "float64")
    assert plain.warnings == []
