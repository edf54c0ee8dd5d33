"""app/engine/losses.py mirrors tf.keras.losses exactly (eager), and the autodiff engine's
loss gradient equals the one Keras' own loss gives on a tape."""

import numpy as np
import pytest

from app.engine.autodiff import loss_gradient
from app.engine.losses import LOSSES
from app.engine.tf import tf

KERAS = {
    "mse": lambda t, a, fl: tf.keras.losses.MSE(t, a),
    "categorical_crossentropy": lambda t, a, fl: tf.keras.losses.categorical_crossentropy(
        t, a, from_logits=fl
    ),
    "binary_crossentropy": lambda t, a, fl: tf.keras.losses.binary_crossentropy(
        t, a, from_logits=fl
    ),
}
CASES = [
    ("mse", False, [[0.3, -1.2, 2.0], [0.0, 0.5, 0.25]], [[0.0, 1.0, 2.0], [1.0, 0.0, 0.5]]),
    ("categorical_crossentropy", False, [[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]],
     [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    # Unnormalised and out-of-range outputs exercise Keras' divide-by-sum and clipping.
    ("categorical_crossentropy", False, [[2.0, 1.0, 1e-9], [0.4, 0.4, 0.0]],
     [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
    ("categorical_crossentropy", True, [[2.0, -1.0, 0.1], [0.0, 3.0, -2.0]],
     [[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]),
    ("binary_crossentropy", False, [[0.1, 0.8], [0.5, 1.0]], [[0.0, 1.0], [1.0, 1.0]]),
    ("binary_crossentropy", True, [[-3.0, 2.5], [0.0, 8.0]], [[0.0, 1.0], [1.0, 0.0]]),
]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, from_logits, outputs, targets", CASES)
def test_engine_losses_equal_keras_eagerly(name, from_logits, outputs, targets, dtype):
    t, a = tf.constant(targets, dtype), tf.constant(outputs, dtype)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(a)
        ours = LOSSES[name].tf_fn(t, a, from_logits)
        keras = KERAS[name](t, a, from_logits)
        ours_total, keras_total = tf.reduce_mean(ours), tf.reduce_mean(keras)
    tol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours.numpy(), keras.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(
        tape.gradient(ours_total, a).numpy(), tape.gradient(keras_total, a).numpy(), rtol=tol,
        atol=tol,
    )  # fmt: skip
    result = loss_gradient(
        LOSSES[name], np.array(targets), np.array(outputs), from_logits, "mean", dtype
    )
    np.testing.assert_allclose(result.gradient.numpy(), tape.gradient(keras_total, a).numpy(),
                               rtol=tol, atol=tol)  # fmt: skip
