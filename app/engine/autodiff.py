"""The notebook's autodiff lessons, computed with ``tf.GradientTape`` exactly as its cells do.

Chain rule (one persistent tape, three ``tape.gradient`` calls), second-order gradients
(nested tapes), activation curves f, f′, f″ (nested tapes over ``tf.linspace``), the softmax
Jacobian (``tape.jacobian``) and ∂L/∂predictions of a loss. Every tape lives and dies inside
one function call. Where the tape answers ``None`` (the output does not depend on the input)
the value stays ``None`` and its name is listed in ``unconnected``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.activations import BoundActivation
from app.engine.losses import Loss, reduce_batch
from app.engine.tf import tf

# ---- chain rule ------------------------------------------------------------------------


def chain_rule(x: float, w1: float, b1: float, w2: float, b2: float, dtype: str) -> dict:
    """The notebook's chain-rule cell: y1 = x·w1 + b1, y2 = y1·w2 + b2."""
    x = tf.constant(x, dtype)
    w1, b1, w2, b2 = (tf.constant(v, dtype) for v in (w1, b1, w2, b2))
    # persistent=True: the tape is asked for gradients more than once.
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w1, b1, w2, b2])
        y1 = x * w1 + b1
        y2 = y1 * w2 + b2
    dy2_dy1 = tape.gradient(y2, [y1])[0]
    dy1_dw1 = tape.gradient(y1, [w1])[0]
    dy2_dw1 = tape.gradient(y2, [w1])[0]
    # The rest of the graph, for drawing gradients flowing back to every leaf.
    dy1_db1 = tape.gradient(y1, b1)
    dy2_dw2, dy2_db1, dy2_db2 = tape.gradient(y2, [w2, b1, b2])
    del tape  # a persistent tape holds its resources until it is released
    return {
        "y1": y1,
        "y2": y2,
        "dy2_dy1": dy2_dy1,
        "dy1_dw1": dy1_dw1,
        "product": dy2_dy1 * dy1_dw1,
        "dy2_dw1": dy2_dw1,
        "dy1_db1": dy1_db1,
        "dy2_dw2": dy2_dw2,
        "dy2_db1": dy2_db1,
        "dy2_db2": dy2_db2,
    }


# ---- second order ----------------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    """y = outer(x·w + b), differentiated twice with respect to w by nested tapes."""

    name: str
    outer: Callable  # u -> y, a TensorFlow op
    formula: str  # LaTeX of y
    first: str  # LaTeX of ∂y/∂w
    second: str  # LaTeX of ∂²y/∂w²


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in [
        Function(
            "linear",
            lambda u: u,
            r"y = x\,w + b",
            r"\frac{\partial y}{\partial w} = x",
            r"\frac{\partial^2 y}{\partial w^2} = 0 \;(\text{None})",
        ),
        Function(
            "square",
            tf.square,
            r"y = (x\,w + b)^2",
            r"\frac{\partial y}{\partial w} = 2x\,(x\,w + b)",
            r"\frac{\partial^2 y}{\partial w^2} = 2x^2",
        ),
        Function(
            "sigmoid",
            tf.sigmoid,
            r"y = \sigma(x\,w + b)",
            r"\frac{\partial y}{\partial w} = x\,\sigma(u)(1 - \sigma(u)),\; u = x\,w + b",
            r"\frac{\partial^2 y}{\partial w^2} = x^2\,\sigma(u)(1 - \sigma(u))(1 - 2\sigma(u))",
        ),
        Function(
            "tanh",
            tf.tanh,
            r"y = \tanh(x\,w + b)",
            r"\frac{\partial y}{\partial w} = x\,(1 - \tanh^2 u),\; u = x\,w + b",
            r"\frac{\partial^2 y}{\partial w^2} = -2x^2 \tanh u\,(1 - \tanh^2 u)",
        ),
        Function(
            "exp",
            tf.exp,
            r"y = e^{x\,w + b}",
            r"\frac{\partial y}{\partial w} = x\,e^{x\,w + b}",
            r"\frac{\partial^2 y}{\partial w^2} = x^2\,e^{x\,w + b}",
        ),
    ]
}


def second_order(x, w, b, function: Function, dtype: str) -> dict:
    """The notebook's nested-tape cell; ``w`` may be a scalar or a 1-D array of values."""
    w = tf.Variable(tf.constant(w, dtype))
    b = tf.Variable(tf.constant(b, dtype))
    x = tf.Variable(tf.constant(x, dtype))
    with tf.GradientTape() as t1:
        with tf.GradientTape() as t2:
            y = function.outer(x * w + b)
        dy_dw, dy_db = t2.gradient(y, [w, b])
    # y = x·w + b gives dy_dw = x, which does not depend on w: t1 answers None.
    d2y_dw2 = t1.gradient(dy_dw, w)
    values = {"y": y, "dy_dw": dy_dw, "dy_db": dy_db, "d2y_dw2": d2y_dw2}
    return {**values, "unconnected": [k for k, v in values.items() if v is None]}


def second_order_curve(x, b, function: Function, start, stop, num: int, dtype: str) -> dict:
    """The same nested tapes at every w of tf.linspace(start, stop, num), all at once."""
    w = tf.linspace(tf.constant(start, dtype), tf.constant(stop, dtype), num)
    # b as a vector too, so each point is its own independent y(w_i), dy_db included.
    values = second_order(x, w, tf.fill([num], tf.constant(b, dtype)), function, dtype)
    return {"w": w, **values}


# ---- activation curves -----------------------------------------------------------------

CURVE_NOTES = {
    "softmax": "softmax is vector-valued; the curve is the first component of softmax([z, 0]), "
    "which equals sigmoid(z). POST /api/v1/softmax gives the full Jacobian.",
}


def _curve_fn(act: BoundActivation) -> Callable:
    if act.spec.elementwise:
        return act.tf
    # softmax([z, 0])[0] for each z: a scalar function of z that a curve can show.
    return lambda z: tf.nn.softmax(tf.stack([z, tf.zeros_like(z)], axis=-1), axis=-1)[..., 0]


def activation_curve(act: BoundActivation, start: float, stop: float, num: int, dtype: str):
    """x = tf.linspace(start, stop, num); y = f(x); dy, d2y from nested tapes over x."""
    x = tf.linspace(tf.constant(start, dtype), tf.constant(stop, dtype), num)
    fn = _curve_fn(act)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = fn(x)
        # f is elementwise, so the gradient of Σ f(x_i) is f′(x_i) at each point.
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x) if dy is not None else None
    values = {"x": x, "y": y, "dy": dy, "d2y": d2y}
    return {**values, "unconnected": [k for k, v in values.items() if v is None]}


def vanishing_intervals(x: np.ndarray, dy: np.ndarray | None, threshold: float) -> list:
    """[[x_from, x_to], ...]: runs of curve points where |f′(x)| < threshold."""
    if dy is None:
        return []
    small = np.abs(np.nan_to_num(np.asarray(dy, dtype=float), nan=np.inf)) < threshold
    intervals, begin = [], None
    for i, flag in enumerate(small):
        if flag and begin is None:
            begin = i
        if begin is not None and (not flag or i == len(small) - 1):
            end = i if flag else i - 1
            intervals.append([float(x[begin]), float(x[end])])
            begin = None
    return intervals


# ---- softmax and losses ----------------------------------------------------------------


def softmax_jacobian_tape(logits: np.ndarray, dtype: str) -> dict:
    """p = softmax(z) per row and ∂p_i/∂z_j from the tape, shape (batch, n, n).

    One backward pass gives every row of the Jacobian: output p_i gets its own copy z⁽ⁱ⁾ of
    the logits, so ∂(Σ_i p_i(z⁽ⁱ⁾))/∂z⁽ⁱ⁾_j = ∂p_i/∂z_j. (tape.batch_jacobian gives the same
    numbers but builds a loop per call: ~0.5 s for 64 logits instead of milliseconds.)
    """
    z = tf.constant(logits, dtype)
    n = z.shape[-1]
    copies = tf.tile(z[:, None, :], [1, n, 1])  # copies[b, i, :] = z[b, :]
    with tf.GradientTape() as tape:
        tape.watch(copies)
        p_copies = tf.nn.softmax(copies, axis=-1)
        own = tf.linalg.diag_part(p_copies)  # own[b, i] = p_i computed from copy i
    jacobian = tape.gradient(own, copies)  # jacobian[b, i, j] = ∂p_i/∂z_j
    return {"probabilities": tf.nn.softmax(z, axis=-1), "jacobian": jacobian}


@dataclass
class LossGradient:
    loss: object
    per_sample_loss: object
    gradient: object  # ∂L/∂predictions, same shape as predictions
    warnings: list[dict] = field(default_factory=list)


def loss_gradient(
    loss: Loss,
    targets: np.ndarray,
    predictions: np.ndarray,
    from_logits: bool,
    reduction: str,
    dtype: str,
) -> LossGradient:
    """The batch loss and its gradient with respect to the predictions, from one tape."""
    t = tf.constant(targets, dtype)
    a = tf.constant(predictions, dtype)
    with tf.GradientTape() as tape:
        tape.watch(a)
        per_sample = loss.tf_fn(t, a, from_logits)
        total = reduce_batch(per_sample, reduction)
    gradient = tape.gradient(total, a)
    return LossGradient(total, per_sample, gradient, _loss_warnings(loss, predictions, from_logits))


def _loss_warnings(loss: Loss, predictions: np.ndarray, from_logits: bool) -> list[dict]:
    if not (from_logits and loss.name == "categorical_crossentropy"):
        return []
    rows_sum_to_one = np.allclose(predictions.sum(axis=-1), 1.0, atol=1e-5)
    if predictions.shape[-1] > 1 and rows_sum_to_one and np.all(predictions >= 0):
        return [
            {
                "code": "double_softmax",
                "message": "These predictions look like probabilities (each row is ≥ 0 and sums "
                "to 1), but from_logits=true makes the loss apply softmax to them again, as the "
                "notebook's cross-entropy cell does. Pass the logits z with from_logits=true, "
                "or the probabilities with from_logits=false.",
            }
        ]
    return []
