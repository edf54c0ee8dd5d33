"""textbook.py: the NumPy δ rule against Mazur's hand-worked 2-2-2 example and closed forms.

Mazur, "A Step by Step Backpropagation Example" (2015): inputs (0.05, 0.10), targets
(0.01, 0.99), sigmoid everywhere, E = ½Σ(t − o)², η = 0.5. The numbers below are the post's.
"""

import numpy as np
import pytest

from app.engine.activations import bind
from app.engine.losses import LOSSES
from app.engine.textbook import textbook_backprop, through_activation

# W[j][k] joins unit j of the layer below to unit k: w1..w4 hidden, w5..w8 output.
W_HIDDEN = np.array([[0.15, 0.25], [0.20, 0.30]])  # [[w1, w3], [w2, w4]]
W_OUT = np.array([[0.40, 0.50], [0.45, 0.55]])  # [[w5, w7], [w6, w8]]
B = [np.array([0.35, 0.35]), np.array([0.60, 0.60])]
X, T = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
SIGMOID = [bind("sigmoid"), bind("sigmoid")]


@pytest.fixture(scope="module")
def mazur():
    return textbook_backprop([W_HIDDEN, W_OUT], B, SIGMOID, X, T, LOSSES["half_sse"], False, "mean")


def test_forward_pass_matches_the_post(mazur):
    assert mazur.z[0][0, 0] == pytest.approx(0.3775, abs=1e-12)  # net_h1
    np.testing.assert_allclose(mazur.a[1][0], [0.593269992, 0.596884378], atol=1e-9)
    np.testing.assert_allclose(mazur.a[2][0], [0.75136507, 0.772928465], atol=1e-8)
    assert mazur.loss == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(mazur.per_sample_loss, [0.274811083 + 0.023560026], atol=1e-8)


def test_output_layer_gradients_and_update_match_the_post(mazur):
    # ∂E/∂w5 = 0.082167041; δ_o1 = (o1 − t1)·o1(1 − o1) = 0.74136507 · 0.186815602.
    assert mazur.delta[1][0, 0] == pytest.approx(0.74136507 * 0.186815602, rel=1e-7)
    assert mazur.dW[1][0, 0] == pytest.approx(0.082167041, abs=1e-9)
    w_next = W_OUT - 0.5 * mazur.dW[1]
    np.testing.assert_allclose(
        w_next, [[0.35891648, 0.51130127], [0.408666186, 0.561370121]], atol=1e-8
    )
    np.testing.assert_array_equal(mazur.db[1], mazur.delta[1].sum(axis=0))


def test_hidden_layer_gradients_and_update_match_the_post(mazur):
    assert mazur.dW[0][0, 0] == pytest.approx(0.000438568, abs=1e-9)  # ∂E_total/∂w1
    w_next = W_HIDDEN - 0.5 * mazur.dW[0]
    np.testing.assert_allclose(
        w_next, [[0.149780716, 0.24975114], [0.19956143, 0.29950229]], atol=1e-8
    )


def test_softmax_with_cross_entropy_gives_p_minus_t():
    rng = np.random.default_rng(2)
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    x = rng.normal(size=(5, 3))
    t = np.eye(4)[[0, 3, 1, 1, 2]]
    out = textbook_backprop(
        [W], [b], [bind("softmax")], x, t, LOSSES["categorical_crossentropy"], False, "sum"
    )
    z = x @ W + b
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out.delta[0], p - t, atol=1e-14)
    np.testing.assert_allclose(out.dW[0], x.T @ (p - t), atol=1e-13)
    assert out.loss == pytest.approx(-np.log(p[t == 1]).sum(), rel=1e-13)
    # Mean reduction divides everything by the batch size.
    mean = textbook_backprop(
        [W], [b], [bind("softmax")], x, t, LOSSES["categorical_crossentropy"], False, "mean"
    )
    np.testing.assert_allclose(mean.dW[0], out.dW[0] / 5, rtol=1e-13)
    assert mean.loss == pytest.approx(out.loss / 5, rel=1e-14)


def test_through_activation():
    z = np.array([[0.5, -1.0]])
    grad = np.array([[2.0, 3.0]])
    np.testing.assert_allclose(
        through_activation(bind("tanh"), z, grad), grad * (1 - np.tanh(z) ** 2), rtol=1e-15
    )
    p = np.exp(z) / np.exp(z).sum()
    # Through softmax: Σ_i g_i p_i(δ_ij − p_j) = p_j (g_j − g·p).
    expected = p * (grad - (grad * p).sum())
    np.testing.assert_allclose(through_activation(bind("softmax"), z, grad), expected, rtol=1e-14)
