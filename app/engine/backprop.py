"""One backward pass with ``tf.GradientTape``, checked against the textbook δ rule."""

from dataclasses import dataclass, field

import numpy as np

from app.core.tensorflow import tf
from app.engine.losses import Loss, reduce_batch
from app.engine.network import Network, forward
from app.engine.textbook import textbook_backprop

# |f′(z)| below this counts as saturated: δ through that unit is ~0.
SATURATION_THRESHOLD = 1e-3
# Tape vs textbook tolerance (absolute + relative to the largest value), per dtype.
CHECK_TOLERANCE = {"float32": (1e-5, 1e-4), "float64": (1e-10, 1e-8)}


@dataclass
class BackpropResult:
    loss: float
    per_sample_loss: np.ndarray
    z: list[np.ndarray]
    a: list[np.ndarray]  # input layer first
    delta: list[np.ndarray]
    fprime: list[np.ndarray | None]  # f′(z) per layer; None for softmax
    dW: list[np.ndarray]
    db: list[np.ndarray]
    W_next: list[np.ndarray]
    b_next: list[np.ndarray]
    check: dict
    grad_a: list[np.ndarray] = field(default_factory=list)  # ∂L/∂a per layer after the input
    warnings: list[dict] = field(default_factory=list)


def backprop(
    net: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: Loss,
    from_logits: bool = False,
    reduction: str = "mean",
    learning_rate: float = 0.1,
    train_biases: bool = True,
) -> BackpropResult:
    """Forward pass, loss, and every gradient from one tape; then one plain SGD step."""
    dtype = net.tf_dtype
    x = tf.constant(inputs, dtype)
    t = tf.constant(targets, dtype)
    weights, biases = net.tf_params()
    with tf.GradientTape() as tape:
        tape.watch(weights + biases)
        zs, outs = forward(net, x, weights, biases)
        per_sample = loss.tf_fn(t, outs[-1], from_logits)
        total = reduce_batch(per_sample, reduction)
    # δ = ∂L/∂z: the tape differentiates with respect to the intermediate z tensors too.
    # ∂L/∂a of each layer after the input too: the output's ∂L/∂O, the hidden layers' Σ_k W_jk δ_k.
    grads = tape.gradient(total, zs + weights + biases + outs[1:])
    depth = net.depth
    deltas, dW, db = grads[:depth], grads[depth : 2 * depth], grads[2 * depth : 3 * depth]
    grad_a = grads[3 * depth :]
    lr = tf.constant(learning_rate, dtype)
    W_next = [W - lr * g for W, g in zip(weights, dW, strict=True)]
    b_next = [b - lr * g if train_biases else b for b, g in zip(biases, db, strict=True)]

    as_np = [o.numpy().astype(float) for o in outs]
    z_np = [z.numpy().astype(float) for z in zs]
    result = BackpropResult(
        loss=float(total.numpy()),
        per_sample_loss=per_sample.numpy().astype(float),
        z=z_np,
        a=as_np,
        delta=[d.numpy().astype(float) for d in deltas],
        fprime=[
            act.np_der(z) if act.spec.elementwise else None
            for act, z in zip(net.activations, z_np, strict=True)
        ],
        dW=[g.numpy().astype(float) for g in dW],
        db=[g.numpy().astype(float) for g in db],
        W_next=[w.numpy().astype(float) for w in W_next],
        b_next=[b.numpy().astype(float) for b in b_next],
        check={},
        grad_a=[g.numpy().astype(float) for g in grad_a],
    )
    result.check = compare_with_textbook(net, inputs, targets, loss, from_logits, reduction, result)
    result.warnings = diagnose(net, loss, from_logits, result)
    return result


def compare_with_textbook(net, inputs, targets, loss, from_logits, reduction, result) -> dict:
    """Max |tape − textbook| over every δ, dW and db, and whether it is within tolerance."""
    book = textbook_backprop(
        net.weights, net.biases, net.activations, inputs, targets, loss, from_logits, reduction
    )
    tape_values = result.delta + result.dW + result.db
    book_values = book.delta + book.dW + book.db
    with np.errstate(all="ignore"):
        finite = all(np.isfinite(v).all() for v in tape_values + book_values)
        if not finite:
            return {
                "max_abs_diff": None,
                "agrees": False,
                "method": "textbook delta rule (NumPy, float64)",
                "reason": "some values are not finite, so they cannot be compared",
            }
        pairs = zip(tape_values, book_values, strict=True)
        diff = max(float(np.max(np.abs(t - b))) for t, b in pairs)
        scale = max(float(np.max(np.abs(t))) for t in tape_values)
    atol, rtol = CHECK_TOLERANCE[net.dtype]
    return {
        "max_abs_diff": diff,
        "agrees": diff <= atol + rtol * max(1.0, scale),
        "method": "textbook delta rule (NumPy, float64)",
        "tolerance": atol + rtol * max(1.0, scale),
    }


def diagnose(net: Network, loss: Loss, from_logits: bool, result: BackpropResult) -> list[dict]:
    """Warnings a student should see next to the numbers."""
    warnings = []
    out_act = net.activations[-1].name
    if from_logits and out_act == "softmax" and loss.name == "categorical_crossentropy":
        warnings.append(
            {
                "code": "double_softmax",
                "message": "The output layer already applies softmax, and from_logits=true makes "
                "the loss apply softmax again: the loss is computed on softmax(softmax(z)). "
                "This reproduces the notebook's cross-entropy cell exactly, but its gradients "
                "are smaller than they should be. Use from_logits=false with a softmax output, "
                "or a linear output with from_logits=true.",
            }
        )
    if from_logits and out_act == "sigmoid" and loss.name == "binary_crossentropy":
        warnings.append(
            {
                "code": "double_sigmoid",
                "message": "The output layer already applies sigmoid, and from_logits=true makes "
                "the loss apply sigmoid again. Use from_logits=false with a sigmoid output, or a "
                "linear output with from_logits=true.",
            }
        )
    saturated = []
    for layer, (act, fp) in enumerate(zip(net.activations, result.fprime, strict=True), 1):
        if fp is None or act.name == "linear":
            continue
        with np.errstate(invalid="ignore"):
            units = np.where(np.any(np.abs(fp) < SATURATION_THRESHOLD, axis=0))[0]
        if len(units):
            saturated.append({"layer": layer, "units": units.tolist()})
    if saturated:
        where = "; ".join(f"layer {s['layer']} units {s['units']}" for s in saturated)
        warnings.append(
            {
                "code": "saturated",
                "message": f"f′(z) is about 0 (below {SATURATION_THRESHOLD:g}) for some samples "
                f"at {where}: δ there is ~0, so the weights into those units barely learn "
                "(vanishing gradient).",
                "units": saturated,
            }
        )
    return warnings
