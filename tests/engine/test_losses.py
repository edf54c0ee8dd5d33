"""losses.py: per-sample losses against closed forms and Keras, gradients against differences."""

import keras
import numpy as np
import pytest

from app.engine.errors import SpecError
from app.engine.losses import (
    EPSILON,
    LOSSES,
    batch_scale,
    get_loss,
    prepare_targets,
    reduce_batch,
)
from app.engine.tf import tf

RNG = np.random.default_rng(11)
PROBS = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]])
ONEHOT = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
LOGITS = np.array([[1.0, -0.5, 2.0], [0.3, 0.1, -1.2]])
CASES = [(name, logits) for name in LOSSES for logits in (False, True)]


def _inputs(name, logits):
    """Outputs and targets each loss is meant for."""
    if logits:
        return ONEHOT, LOGITS
    if name == "binary_crossentropy":
        return np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]), PROBS
    if name == "categorical_crossentropy":
        return ONEHOT, PROBS
    return RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))


def _closed_form(name, logits, t, a):
    if name == "mse":
        return ((t - a) ** 2).mean(-1)
    if name == "sse":
        return ((t - a) ** 2).sum(-1)
    if name == "half_sse":
        return 0.5 * ((t - a) ** 2).sum(-1)
    if name == "categorical_crossentropy":
        p = np.exp(a) / np.exp(a).sum(-1, keepdims=True) if logits else a / a.sum(-1, keepdims=True)
        return -(t * np.log(p)).sum(-1)
    p = 1 / (1 + np.exp(-a)) if logits else a
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


@pytest.mark.parametrize(("name", "logits"), CASES)
def test_tf_and_numpy_per_sample_values_match_the_closed_form(name, logits):
    t, a = _inputs(name, logits)
    expected = _closed_form(name, logits, t, a)
    loss = LOSSES[name]
    got_tf = loss.tf_fn(tf.constant(t, tf.float64), tf.constant(a, tf.float64), logits).numpy()
    got_np, _ = loss.np_fn(t, a, logits)
    np.testing.assert_allclose(got_tf, expected, rtol=1e-13)
    np.testing.assert_allclose(got_np, expected, rtol=1e-13)


KERAS = {
    ("mse", False): lambda t, a: keras.losses.mean_squared_error(t, a),
    ("categorical_crossentropy", False): lambda t, a: keras.losses.categorical_crossentropy(t, a),
    ("categorical_crossentropy", True): lambda t, a: keras.losses.categorical_crossentropy(
        t, a, from_logits=True
    ),
    ("binary_crossentropy", False): lambda t, a: keras.losses.binary_crossentropy(t, a),
    ("binary_crossentropy", True): lambda t, a: keras.losses.binary_crossentropy(
        t, a, from_logits=True
    ),
}


@pytest.mark.parametrize(("name", "logits"), list(KERAS))
def test_tf_side_equals_keras_eagerly_in_float32(name, logits):
    t, a = _inputs(name, logits)
    t, a = tf.constant(t, tf.float32), tf.constant(a, tf.float32)
    ours = LOSSES[name].tf_fn(t, a, logits).numpy()
    np.testing.assert_allclose(ours, KERAS[(name, logits)](t, a).numpy(), rtol=2e-7)


def test_clipping_at_epsilon_as_keras():
    t, a = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])  # confidently wrong
    bce, grad = LOSSES["binary_crossentropy"].np_fn(t, a, False)
    assert bce[0] == pytest.approx(-np.log(EPSILON), rel=1e-6)
    np.testing.assert_array_equal(grad, [[0.0, 0.0]])  # clipped: no gradient
    ours = LOSSES["binary_crossentropy"].tf_fn(tf.constant(t), tf.constant(a), False).numpy()
    np.testing.assert_allclose(ours, bce, rtol=1e-12)


@pytest.mark.parametrize(("name", "logits"), CASES)
def test_numpy_gradient_matches_central_differences(name, logits):
    t, a = _inputs(name, logits)
    _, grad = LOSSES[name].np_fn(t, a, logits)
    h = 1e-6
    numeric = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += h
        down[idx] -= h
        plus, _ = LOSSES[name].np_fn(t, up, logits)
        minus, _ = LOSSES[name].np_fn(t, down, logits)
        numeric[idx] = (plus - minus)[idx[0]] / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("name", "logits"), CASES)
def test_numpy_gradient_matches_the_tape(name, logits):
    t, a = _inputs(name, logits)
    a_tf = tf.constant(a, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(a_tf)
        total = tf.reduce_sum(LOSSES[name].tf_fn(tf.constant(t, tf.float64), a_tf, logits))
    _, grad = LOSSES[name].np_fn(t, a, logits)
    np.testing.assert_allclose(tape.gradient(total, a_tf).numpy(), grad, rtol=1e-12, atol=1e-15)


def test_reductions():
    per = tf.constant([1.0, 2.0, 6.0], tf.float64)
    assert reduce_batch(per, "mean").numpy() == 3.0
    assert reduce_batch(per, "sum").numpy() == 9.0
    assert batch_scale(4, "mean") == 0.25
    assert batch_scale(4, "sum") == 1.0


def test_get_loss():
    assert get_loss("mse") is LOSSES["mse"]
    with pytest.raises(SpecError) as err:
        get_loss("hinge", loc=("body", "loss"))
    assert err.value.loc == ("body", "loss") and "hinge" in err.value.msg


def test_classification_flags():
    flagged = {name for name, loss in LOSSES.items() if loss.classification}
    assert flagged == {"categorical_crossentropy", "binary_crossentropy"}


# ---- prepare_targets ---------------------------------------------------------------------


def test_class_indices_become_one_hot_rows():
    out = prepare_targets([2, 0, 1], LOSSES["categorical_crossentropy"], 3, 3)
    np.testing.assert_array_equal(out, np.eye(3)[[2, 0, 1]])
    assert out.dtype == np.float64
    # MSE on a multi-output network reads class indices too, as the notebook's one_hot.
    np.testing.assert_array_equal(prepare_targets([1.0], LOSSES["mse"], 2, 1), [[0.0, 1.0]])


def test_a_flat_list_for_one_output_is_a_column():
    out = prepare_targets([0.5, -1.25], LOSSES["mse"], 1, 2)
    np.testing.assert_array_equal(out, [[0.5], [-1.25]])
    # …except for categorical cross-entropy, where 0 is the only class of one unit.
    np.testing.assert_array_equal(
        prepare_targets([0, 0], LOSSES["categorical_crossentropy"], 1, 2), [[1.0], [1.0]]
    )


def test_rows_pass_through():
    rows = [[0.1, 0.9], [1.0, 0.0]]
    np.testing.assert_array_equal(prepare_targets(rows, LOSSES["mse"], 2, 2), rows)
    np.testing.assert_array_equal(prepare_targets(rows, LOSSES["mse"], 2, None), rows)


@pytest.mark.parametrize(
    ("targets", "n_out", "batch", "loc", "words"),
    [
        ([1, 2], 3, 3, ("targets",), "expected 3 target rows"),
        ([], 3, None, ("targets",), "must not be empty"),
        ([0, 3], 3, 2, ("targets", 1), "out of range"),
        ([0, -1], 3, 2, ("targets", 1), "out of range"),
        ([0, 1.5], 3, 2, ("targets", 1), "out of range"),
        ([[0, 1, 0], 2], 3, 2, ("targets", 1), "mix of rows"),
        ([[0, 1, 0], [1, 0]], 3, 2, ("targets", 1), "expected 3 values"),
    ],
)
def test_prepare_targets_errors_name_the_loc(targets, n_out, batch, loc, words):
    with pytest.raises(SpecError) as err:
        prepare_targets(targets, LOSSES["mse"], n_out, batch)
    assert err.value.loc == loc
    assert words in err.value.msg
