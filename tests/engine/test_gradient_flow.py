"""Gradient flow and the loss landscape engines against NumPy oracles and TF's own optimizers.

Oracles: the textbook δ rule (``app.engine.textbook``, pure NumPy), a NumPy forward pass written
here, Keras' ``tf.keras.optimizers`` applied to the same gradients, and the update rules written
out in NumPy from the Keras/Adam-paper formulas.
"""

import numpy as np
import pytest

from app.engine.activations import _sigmoid
from app.engine.gradient_flow import StackSpec, build_stack, generated_batch, gradient_flow
from app.engine.graphs import graph_cache
from app.engine.landscape import (
    ParamRef,
    SliceFunction,
    grid_values,
    landscape,
)
from app.engine.losses import get_loss
from app.engine.network import NetworkLimits, build_network
from app.engine.optimizers import OptimizerConfig, make_optimizer
from app.engine.textbook import textbook_backprop
from app.engine.tf import tf

LIMITS = NetworkLimits(max_layers=50, max_units=64)
MSE = get_loss("mse")


def stack(activation, init, depth=8, width=16, dtype="float64", seed=0):
    spec = StackSpec(depth, width, 8, 1, activation, "linear", init, seed, dtype)
    return build_stack(spec, LIMITS)


@pytest.fixture(scope="module")
def batch():
    return generated_batch(32, 8, 1, seed=0)


# ---- gradient flow ---------------------------------------------------------------------


@pytest.mark.parametrize("activation,init", [("sigmoid", "glorot_uniform"), ("relu", "he_normal")])
def test_norms_equal_the_numpy_delta_rule(batch, activation, init):
    x, t = batch
    net = stack(activation, init)
    flow = gradient_flow(net, x, t, MSE)
    book = textbook_backprop(net.weights, net.biases, net.activations, x, t, MSE, False, "mean")
    assert flow["loss"] == pytest.approx(book.loss, rel=1e-12)
    for layer, stats in enumerate(flow["layers"]):
        fprime = net.activations[layer].np_der(book.z[layer])
        expected = {
            "grad_W_norm": np.sqrt(np.sum(book.dW[layer] ** 2)),
            "grad_b_norm": np.sqrt(np.sum(book.db[layer] ** 2)),
            "delta_norm": np.sqrt(np.sum(book.delta[layer] ** 2)),
            "delta_mean_abs": np.abs(book.delta[layer]).mean(),
            "mean_abs_activation": np.abs(book.a[layer + 1]).mean(),
            "saturated_fraction": (np.abs(fprime) < 1e-3).mean(),
        }
        for key, value in expected.items():
            assert stats[key] == pytest.approx(value, rel=1e-10, abs=1e-300), (layer, key)


def test_generated_batch_is_numpy_pcg64():
    x, t = generated_batch(4, 3, 2, seed=7)
    rng = np.random.default_rng(7)
    assert np.array_equal(x, rng.standard_normal((4, 3)))
    assert np.array_equal(t, rng.uniform(0.0, 1.0, (4, 2)))


def test_deep_sigmoid_first_layer_gradient_is_orders_of_magnitude_below_relu_he(batch):
    x, t = batch
    sigmoid = gradient_flow(stack("sigmoid", "glorot_uniform", depth=10), x, t, MSE)
    relu = gradient_flow(stack("relu", "he_normal", depth=10), x, t, MSE)
    first_sigmoid = sigmoid["layers"][0]["grad_W_norm"]
    first_relu = relu["layers"][0]["grad_W_norm"]
    assert first_sigmoid / first_relu < 1e-4
    # Across the 8 sigmoid hidden layers below the output: σ′ ≤ 1/4 each time.
    assert sigmoid["first_to_last_ratio"] < 1e-4
    assert 1e-2 < relu["first_to_last_ratio"] < 1e2


def test_sigmoid_delta_decays_layer_by_layer_by_at_most_a_quarter_times_the_weights(batch):
    x, t = batch
    net = stack("sigmoid", "glorot_uniform", depth=12)
    layers = gradient_flow(net, x, t, MSE)["layers"]
    hidden = layers[:-1]
    # ‖δ_l‖ = ‖f′(z_l) ⊙ (δ_{l+1} W_{l+1}ᵀ)‖ ≤ ¼ · ‖W_{l+1}‖₂ · ‖δ_{l+1}‖ (spectral norm)
    for lower, upper in zip(hidden[:-1], hidden[1:], strict=True):
        W_upper = net.weights[upper["layer"] - 1]  # W of the layer above `lower`
        spectral = np.linalg.norm(W_upper, 2)
        assert lower["delta_norm"] <= 0.25 * spectral * upper["delta_norm"] * (1 + 1e-12)
        assert lower["delta_norm"] < 0.6 * upper["delta_norm"]
    assert 0.0 < layers[0]["mean_abs_fprime"] <= 0.25


def test_saturated_fraction_counts_f_prime_below_the_threshold():
    # All-ones weights on a wide input saturate sigmoid units: z ≫ 3.
    net = build_network([8, 16, 1], ["sigmoid", "linear"], init="ones", dtype="float64")
    x = np.full((4, 8), 2.0)
    layer = gradient_flow(net, x, np.zeros((4, 1)), MSE)["layers"][0]
    z = 16 + 1.0  # 8 inputs × 2 × 1 + bias 1
    fprime = _sigmoid(np.array(z)) * (1 - _sigmoid(np.array(z)))
    assert fprime < 1e-3
    assert layer["saturated_fraction"] == 1.0
    assert layer["mean_abs_fprime"] == pytest.approx(fprime, rel=1e-12)


# ---- landscape: the slice function -----------------------------------------------------

MAZUR = {
    "layers": [2, 2, 2],
    "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
}
X = np.array([[0.05, 0.10], [0.6, -0.3], [-1.0, 0.4]])
T = np.array([[0.01, 0.99], [0.5, 0.2], [0.9, 0.1]])


def numpy_loss(weights, biases, x, t, activation="sigmoid"):
    """Direct NumPy forward pass and mean MSE (the oracle for the grid)."""
    a = x
    for W, b in zip(weights, biases, strict=True):
        z = a @ W + b
        a = _sigmoid(z) if activation == "sigmoid" else np.tanh(z)
    return float(np.mean(np.mean((t - a) ** 2, axis=-1)))


def moved(ref: ParamRef, value: float):
    weights = [np.array(w, float) for w in MAZUR["weights"]]
    biases = [np.array(b, float) for b in MAZUR["biases"]]
    if ref.param == "W":
        weights[ref.layer - 1][ref.row, ref.col] = value
    else:
        biases[ref.layer - 1][ref.col] = value
    return weights, biases


@pytest.fixture(scope="module")
def mazur_slice():
    net = build_network(dtype="float64", **MAZUR)
    ref_a, ref_b = ParamRef(1, "W", 1, 0), ParamRef(2, "b", 0, 1)
    return net, ref_a, ref_b, SliceFunction(net, X, T, MSE, False, "mean", ref_a, ref_b)


def test_grid_equals_a_numpy_forward_pass_at_sampled_points(mazur_slice):
    net, ref_a, ref_b, fn = mazur_slice
    values_a = grid_values(ref_a.value(net), None, 3.0, 21)
    values_b = grid_values(ref_b.value(net), None, 3.0, 21)
    result = landscape(
        fn, (0.2, 0.6), values_a, values_b, [make_optimizer("sgd", learning_rate=0.1)], 0
    )
    rng = np.random.default_rng(1)
    for i, j in rng.integers(0, 21, size=(12, 2)):
        weights, biases = moved(ref_a, values_a[i])
        if ref_b.param == "b":
            biases[ref_b.layer - 1][ref_b.col] = values_b[j]
        expected = numpy_loss(weights, biases, X, T)
        assert result["loss"][j][i] == pytest.approx(expected, rel=1e-12)
    # the centre of an odd grid is the spec's own point
    assert values_a[10] == ref_a.value(net) and values_b[10] == ref_b.value(net)


def test_gradient_equals_central_differences_and_the_delta_rule(mazur_slice):
    net, ref_a, _, fn = mazur_slice
    path = fn.descend((0.2, 0.6), [make_optimizer("sgd", learning_rate=0.1)], 0)[0]
    grad = (path["grad_a"][0], path["grad_b"][0])
    h = 1e-5
    for k in range(2):
        plus = [0.2, 0.6]
        minus = [0.2, 0.6]
        plus[k] += h
        minus[k] -= h
        lp = fn.losses([plus[0]], [plus[1]])[0]
        lm = fn.losses([minus[0]], [minus[1]])[0]
        assert grad[k] == pytest.approx((lp - lm) / (2 * h), rel=1e-7, abs=1e-11)
    # and the NumPy δ rule at the moved point
    weights, biases = moved(ref_a, 0.2)
    biases[1][1] = 0.6
    book = textbook_backprop(weights, biases, net.activations, X, T, MSE, False, "mean")
    assert grad[0] == pytest.approx(book.dW[0][1, 0], rel=1e-12)
    assert grad[1] == pytest.approx(book.db[1][1], rel=1e-12)


def numpy_paths(fn, start, spec: OptimizerConfig, steps: int):
    """Each update rule written out in NumPy, asking the slice only for gradients."""
    w = np.array(start, float)
    m = np.zeros(2)
    v = np.zeros(2)
    out = [w.copy()]
    for t in range(1, steps + 1):
        _, g = grad_at(fn, w)
        if spec.name == "sgd":
            w = w - spec.learning_rate * g
        elif spec.name == "momentum":
            m = spec.momentum * m - spec.learning_rate * g
            w = w + m
        else:  # Adam (Kingma & Ba, Algorithm 1, with Keras' ε placement: ε̂ = ε·√(1−β₂ᵗ))
            m = spec.beta_1 * m + (1 - spec.beta_1) * g
            v = spec.beta_2 * v + (1 - spec.beta_2) * g * g
            m_hat = m / (1 - spec.beta_1**t)
            v_hat = v / (1 - spec.beta_2**t)
            eps_hat = spec.epsilon / np.sqrt(1 - spec.beta_2**t)
            w = w - spec.learning_rate * m_hat / (np.sqrt(v_hat) + eps_hat)
        out.append(w.copy())
    return np.array(out)


def grad_at(fn, w):
    path = fn.descend(tuple(w), [make_optimizer("sgd", learning_rate=1.0)], 0)[0]
    return path["loss"][0], np.array([path["grad_a"][0], path["grad_b"][0]])


# Dyadic hyper-parameters: Keras keeps the learning rate in a float32 variable, and these
# are exact in float32, so the float64 comparison with Keras can be tight.
SPECS = [
    make_optimizer("sgd", learning_rate=0.5),
    make_optimizer("momentum", learning_rate=0.25, momentum=0.75),
    make_optimizer("adam", learning_rate=0.0625, beta_1=0.875, beta_2=0.984375, epsilon=2**-20),
]


def test_sgd_first_step_is_w_minus_lr_g_exactly(mazur_slice):
    _, _, _, fn = mazur_slice
    path = fn.descend((0.2, 0.6), [make_optimizer("sgd", learning_rate=0.7)], 3)[0]
    g = np.array([path["grad_a"][0], path["grad_b"][0]])
    assert path["a"][1] == 0.2 - 0.7 * g[0]
    assert path["b"][1] == 0.6 - 0.7 * g[1]


def test_paths_follow_the_numpy_update_rules(mazur_slice):
    _, _, _, fn = mazur_slice
    paths = fn.descend((0.2, 0.6), SPECS, 12)
    for spec, path in zip(SPECS, paths, strict=True):
        expected = numpy_paths(fn, (0.2, 0.6), spec, 12)
        got = np.stack([path["a"], path["b"]], axis=1)
        np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-13, err_msg=spec.name)
        # each recorded loss is the loss at that recorded position
        np.testing.assert_allclose(path["loss"], fn.losses(path["a"], path["b"]), rtol=1e-12)


def keras_optimizer(spec: OptimizerConfig):
    if spec.name == "sgd":
        return tf.keras.optimizers.SGD(spec.learning_rate)
    if spec.name == "momentum":
        return tf.keras.optimizers.SGD(spec.learning_rate, momentum=spec.momentum)
    return tf.keras.optimizers.Adam(
        spec.learning_rate, beta_1=spec.beta_1, beta_2=spec.beta_2, epsilon=spec.epsilon
    )


def test_paths_equal_tf_keras_optimizers_fed_the_same_gradients(mazur_slice):
    _, _, _, fn = mazur_slice
    paths = fn.descend((0.2, 0.6), SPECS, 10)
    for spec, path in zip(SPECS, paths, strict=True):
        variable = tf.Variable([0.2, 0.6], dtype=tf.float64)
        optimizer = keras_optimizer(spec)
        for step in range(10):
            g = tf.constant([path["grad_a"][step], path["grad_b"][step]], tf.float64)
            optimizer.apply_gradients([(g, variable)])
            np.testing.assert_allclose(
                variable.numpy(),
                [path["a"][step + 1], path["b"][step + 1]],
                rtol=1e-12,
                err_msg=f"{spec.name} step {step + 1}",
            )


def test_slice_graphs_are_one_per_depth():
    net = build_network(dtype="float64", **MAZUR)
    ref_a, ref_b = ParamRef(1, "W", 0, 0), ParamRef(2, "W", 1, 1)
    first = SliceFunction(net, X, T, MSE, False, "mean", ref_a, ref_b)
    first.losses(np.zeros(5), np.zeros(5))
    first.descend((0.0, 0.0), SPECS, 2)
    cache = graph_cache()
    before = (len(cache), cache.builds)
    # Other numbers, other parameters (a bias, another layer), widths, batch, grid size.
    other = build_network(dtype="float64", seed=3, layers=[2, 5, 2], activations=["relu", "tanh"])
    second = SliceFunction(other, X[:2], T[:2], MSE, False, "sum", ParamRef(2, "b", 0, 1), ref_a)
    second.losses(np.zeros(17), np.ones(17))
    second.descend((0.5, -0.5), SPECS[:1], 7)
    assert second.grid is first.grid and second.descend_graph is first.descend_graph
    assert (len(cache), cache.builds) == before


FLOAT32_SPECS = [
    make_optimizer("sgd", learning_rate=0.1),
    make_optimizer("momentum", learning_rate=0.1, momentum=0.9),
    make_optimizer("adam", learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
]


def test_float32_paths_equal_keras_and_the_training_loops_update(mazur_slice):
    """In float32 with the usual (not dyadic) hyper-parameters, each path's steps are the
    steps of tf.keras.optimizers and of /train's update (core.update) fed its gradients."""
    from app.engine import core

    net32 = build_network(dtype="float32", **MAZUR)
    _, ref_a, ref_b, _ = mazur_slice
    fn = SliceFunction(net32, X, T, MSE, False, "mean", ref_a, ref_b)
    paths = fn.descend((0.2, 0.6), FLOAT32_SPECS, 10)
    for spec, path in zip(FLOAT32_SPECS, paths, strict=True):
        variable = tf.Variable([0.2, 0.6], dtype=tf.float32)
        keras = keras_optimizer(spec)
        config = spec
        hyper = tf.constant(config.hyper_vector(), tf.float32)
        theta = tf.constant([0.2, 0.6], tf.float32)
        slots = [tf.zeros([2], tf.float32), tf.zeros([2], tf.float32)]
        for step in range(10):
            g = tf.constant([path["grad_a"][step], path["grad_b"][step]], tf.float32)
            keras.apply_gradients([(g, variable)])
            (theta,), slots = core.update(
                [theta], [g], slots, tf.constant(step + 1, tf.float32), config.family_code, hyper
            )
            want = [path["a"][step + 1], path["b"][step + 1]]
            np.testing.assert_allclose(variable.numpy(), want, rtol=2e-6, err_msg=spec.name)
            np.testing.assert_array_equal(theta.numpy(), np.float32(want), err_msg=spec.name)
