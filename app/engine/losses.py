"""Loss functions: TensorFlow per-sample losses and their textbook gradients in NumPy.

The TensorFlow side mirrors ``tf.losses.*`` exactly as they run eagerly in the notebook
(Keras 3): ``categorical_crossentropy`` without logits divides the outputs by their sum and
clips them to [ε, 1 − ε]; ``binary_crossentropy`` clips and averages over the outputs.
They are written out here, rather than called, so they behave the same inside a compiled
``tf.function`` (where Keras would quietly swap a softmax output for its logits).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.activations import _sigmoid, _softmax
from app.engine.errors import SpecError
from app.engine.tf import tf

EPSILON = 1e-7  # keras.backend.epsilon()


# ---- TensorFlow: per-sample loss, shape (batch,) ----------------------------------------


def squared_error(t, a, divisor):
    """Σ_k (t_k − a_k)² / divisor. With divisor n this is tf.losses.MSE to the last bit
    (reduce_mean is reduce_sum / n), with 2 it is ½·Σ exactly (a power of two)."""
    return tf.reduce_sum(tf.square(t - a), axis=-1) / divisor


def _tf_mse(t, a, from_logits):
    return squared_error(t, a, tf.cast(tf.shape(a)[-1], a.dtype))


def _tf_sse(t, a, from_logits):
    return squared_error(t, a, tf.ones([], a.dtype))


def _tf_half_sse(t, a, from_logits):
    return squared_error(t, a, 2 * tf.ones([], a.dtype))


def _tf_cce(t, a, from_logits):
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=a, axis=-1)
    q = a / tf.reduce_sum(a, axis=-1, keepdims=True)
    q = tf.clip_by_value(q, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_sum(t * tf.math.log(q), axis=-1)


def _tf_bce(t, a, from_logits):
    if from_logits:
        return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=a), -1)
    o = tf.clip_by_value(a, EPSILON, 1.0 - EPSILON)
    return tf.reduce_mean(-(t * tf.math.log(o) + (1.0 - t) * tf.math.log(1.0 - o)), axis=-1)


# ---- NumPy: per-sample loss and ∂L_i/∂a (the textbook side) -----------------------------


def _clip_mask(x):
    """tf.clip_by_value passes the gradient only where ε ≤ x ≤ 1 − ε."""
    return ((x >= EPSILON) & (x <= 1.0 - EPSILON)).astype(float)


def _np_mse(t, a, from_logits):
    n = a.shape[-1]
    return np.mean((t - a) ** 2, axis=-1), 2.0 * (a - t) / n


def _np_sse(t, a, from_logits):
    return np.sum((t - a) ** 2, axis=-1), 2.0 * (a - t)


def _np_half_sse(t, a, from_logits):
    return 0.5 * np.sum((t - a) ** 2, axis=-1), a - t


def _np_cce(t, a, from_logits):
    if from_logits:
        p = _softmax(a)
        shifted = a - a.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        # dL/dz_j = p_j Σ_i t_i − t_j (reduces to p − t for one-hot targets)
        return -np.sum(t * log_p, axis=-1), p * t.sum(axis=-1, keepdims=True) - t
    s = a.sum(axis=-1, keepdims=True)
    q = a / s
    qc = np.clip(q, EPSILON, 1.0 - EPSILON)
    dl_dq = -t / qc * _clip_mask(q)
    # q = a / s  ⇒  ∂q_j/∂a_k = (δ_jk − q_j) / s
    dl_da = (dl_dq - np.sum(dl_dq * q, axis=-1, keepdims=True)) / s
    return -np.sum(t * np.log(qc), axis=-1), dl_da


def _np_bce(t, a, from_logits):
    n = a.shape[-1]
    if from_logits:
        per = np.maximum(a, 0.0) - a * t + np.log1p(np.exp(-np.abs(a)))
        return per.mean(axis=-1), (_sigmoid(a) - t) / n
    o = np.clip(a, EPSILON, 1.0 - EPSILON)
    per = -(t * np.log(o) + (1.0 - t) * np.log(1.0 - o))
    return per.mean(axis=-1), _clip_mask(a) * (-t / o + (1.0 - t) / (1.0 - o)) / n


# ---- what the code generator writes for each loss ("Show TensorFlow code") -------------

_CODE_MSE = '''def loss_per_sample(t, o):
    """MSE: L = mean over k of (tₖ − a⁽ᴸ⁾ₖ)², as tf.losses.MSE (o is the output a⁽ᴸ⁾)."""
    return tf.reduce_mean(tf.square(t - o), axis=-1)'''

_CODE_SSE = '''def loss_per_sample(t, o):
    """SSE: L = Σₖ (tₖ − a⁽ᴸ⁾ₖ)² (o is the output a⁽ᴸ⁾)."""
    return tf.reduce_sum(tf.square(t - o), axis=-1)'''

_CODE_HALF_SSE = '''def loss_per_sample(t, o):
    """L = ½ Σₖ (a⁽ᴸ⁾ₖ − tₖ)², the textbook loss (o is the output a⁽ᴸ⁾)."""
    return 0.5 * tf.reduce_sum(tf.square(t - o), axis=-1)'''

_CODE_CATEGORICAL_CROSSENTROPY = '''def loss_per_sample(t, o):
    """L = −Σₖ tₖ log a⁽ᴸ⁾ₖ, as tf.losses.categorical_crossentropy: normalise, clip."""
    q = o / tf.reduce_sum(o, axis=-1, keepdims=True)
    q = tf.clip_by_value(q, 1e-07, 1.0 - 1e-07)
    return -tf.reduce_sum(t * tf.math.log(q), axis=-1)'''

_CODE_CATEGORICAL_CROSSENTROPY_LOGITS = '''def loss_per_sample(t, o):
    """Cross-entropy with from_logits=True: softmax is applied to o = a⁽ᴸ⁾ inside the loss."""
    return tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=o, axis=-1)'''

_CODE_BINARY_CROSSENTROPY = '''def loss_per_sample(t, o):
    """L = mean over k of −(tₖ log a⁽ᴸ⁾ₖ + (1 − tₖ) log(1 − a⁽ᴸ⁾ₖ)), clipped, as Keras does."""
    o = tf.clip_by_value(o, 1e-07, 1.0 - 1e-07)
    return tf.reduce_mean(-(t * tf.math.log(o) + (1.0 - t) * tf.math.log(1.0 - o)), axis=-1)'''

_CODE_BINARY_CROSSENTROPY_LOGITS = '''def loss_per_sample(t, o):
    """Binary cross-entropy with from_logits=True: sigmoid is applied to o = a⁽ᴸ⁾ inside it."""
    per_output = tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=o)
    return tf.reduce_mean(per_output, axis=-1)'''


@dataclass(frozen=True)
class Loss:
    name: str
    tf_fn: Callable  # (targets, outputs, from_logits) -> per-sample loss tensor
    np_fn: Callable  # (targets, outputs, from_logits) -> (per-sample loss, ∂L_i/∂a)
    formula: str  # LaTeX, per sample
    classification: bool = False
    # The script the code generator writes for loss_per_sample(t, o), by from_logits.
    code: dict = field(default_factory=dict)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss(
            "mse",
            _tf_mse,
            _np_mse,
            r"L = \frac{1}{n}\sum_k (a_k - t_k)^2",
            code={False: _CODE_MSE, True: _CODE_MSE},
        ),
        Loss(
            "sse",
            _tf_sse,
            _np_sse,
            r"L = \sum_k (a_k - t_k)^2",
            code={False: _CODE_SSE, True: _CODE_SSE},
        ),
        Loss(
            "half_sse",
            _tf_half_sse,
            _np_half_sse,
            r"L = \frac{1}{2}\sum_k (a_k - t_k)^2",
            code={False: _CODE_HALF_SSE, True: _CODE_HALF_SSE},
        ),
        Loss(
            "categorical_crossentropy",
            _tf_cce,
            _np_cce,
            r"L = -\sum_k t_k \log p_k",
            classification=True,
            code={
                False: _CODE_CATEGORICAL_CROSSENTROPY,
                True: _CODE_CATEGORICAL_CROSSENTROPY_LOGITS,
            },
        ),
        Loss(
            "binary_crossentropy",
            _tf_bce,
            _np_bce,
            r"L = -\frac{1}{n}\sum_k \left[t_k \log a_k + (1 - t_k)\log(1 - a_k)\right]",
            classification=True,
            code={False: _CODE_BINARY_CROSSENTROPY, True: _CODE_BINARY_CROSSENTROPY_LOGITS},
        ),
    ]
}


def get_loss(name: str, loc: tuple = ("loss",)) -> Loss:
    loss = LOSSES.get(name)
    if loss is None:
        raise SpecError(loc, f"unknown loss '{name}'; choose one of: {', '.join(LOSSES)}")
    return loss


def reduce_batch(per_sample, reduction: str):
    """Batch reduction in TensorFlow: mean or sum of the per-sample losses."""
    if reduction == "sum":
        return tf.reduce_sum(per_sample)
    return tf.reduce_mean(per_sample)


def batch_scale(batch: int, reduction: str) -> float:
    """The factor ∂L/∂L_i of the batch reduction (1/B for mean, 1 for sum)."""
    return 1.0 / batch if reduction == "mean" else 1.0


def prepare_targets(targets, loss: Loss, n_out: int, batch: int | None, loc=("targets",)):
    """Targets as a float64 (batch, n_out) array.

    A flat list of integers is read as class indices and one-hot encoded, as
    ``tf.one_hot(y, depth)`` in the notebook (its MSE cells do this too) — except for a
    single-output network, where a flat list is the column of targets (for any loss but
    categorical cross-entropy).
    """
    if batch is not None and len(targets) != batch:
        raise SpecError(
            loc, f"expected {batch} target rows (one per input row), got {len(targets)}"
        )
    if len(targets) == 0:
        raise SpecError(loc, "targets must not be empty")
    if all(not isinstance(row, list | tuple) for row in targets):
        if n_out == 1 and loss.name != "categorical_crossentropy":
            return np.asarray(targets, dtype=float).reshape(-1, 1)
        onehot = np.zeros((len(targets), n_out))
        for i, cls in enumerate(targets):
            if float(cls) != int(cls) or not 0 <= int(cls) < n_out:
                raise SpecError(
                    (*loc, i),
                    f"class index {cls} is out of range: the output layer has {n_out} units, "
                    f"so classes are the integers 0..{n_out - 1}",
                )
            onehot[i, int(cls)] = 1.0
        return onehot
    for i, row in enumerate(targets):
        if not isinstance(row, list | tuple):
            raise SpecError((*loc, i), "mix of rows and class indices; give all rows")
        if len(row) != n_out:
            raise SpecError(
                (*loc, i),
                f"expected {n_out} values (one per output unit), got {len(row)}",
            )
    return np.asarray(targets, dtype=float)
