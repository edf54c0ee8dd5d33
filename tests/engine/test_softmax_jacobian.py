"""The one-backward-pass softmax Jacobian equals TensorFlow's own tape.batch_jacobian."""

import numpy as np
import pytest

from app.engine.autodiff import softmax_jacobian_tape
from app.engine.tf import tf


@pytest.mark.parametrize("dtype, tol", [("float32", 2e-7), ("float64", 1e-15)])
def test_matches_batch_jacobian(dtype, tol):
    logits = np.random.default_rng(5).normal(scale=3.0, size=(6, 9))
    ours = softmax_jacobian_tape(logits, dtype)
    z = tf.constant(logits, dtype)
    with tf.GradientTape() as tape:
        tape.watch(z)
        p = tf.nn.softmax(z, axis=-1)
    reference = tape.batch_jacobian(p, z).numpy()
    np.testing.assert_allclose(ours["jacobian"].numpy(), reference, rtol=0, atol=tol)
    np.testing.assert_array_equal(ours["probabilities"].numpy(), p.numpy())
