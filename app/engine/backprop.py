"""One backward pass with ``tf.GradientTape``, checked against the textbook δ rule."""

from dataclasses import dataclass, field

import numpy as np

from app.engine.graphs import backprop_tensors, graph_cache, unpack
from app.engine.losses import Loss
from app.engine.network import Network
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
    """Forward pass, loss, and every gradient from one tape; then one plain SGD step,
    checked against the textbook δ rule and diagnosed for the student."""
    out = tape_pass(net, inputs, targets, loss, from_logits, reduction, learning_rate, train_biases)
    result = BackpropResult(
        loss=float(out["loss"]),
        per_sample_loss=out["per_sample"],
        z=out["z"],
        a=out["a"],
        delta=out["delta"],
        fprime=[
            fp if act.spec.elementwise else None
            for act, fp in zip(net.activations, out["fprime"], strict=True)
        ],
        dW=out["dW"],
        db=out["db"],
        W_next=out["W_next"],
        b_next=out["b_next"],
        grad_a=out["grad_a"],
        check={},
    )
    result.check = compare_with_textbook(net, inputs, targets, loss, from_logits, reduction, result)
    result.warnings = diagnose(net, loss, from_logits, result)
    return result


def tape_pass(net, inputs, targets, loss, from_logits, reduction, lr=0.0, train_biases=True):
    """The compiled pass alone: z, a, f′, the loss, δ, dW, db, ∂L/∂a and the SGD step.

    One compiled graph per depth and dtype serves every architecture (see graphs.py).
    """
    step = graph_cache().get("backprop", net.depth, net.dtype)
    packed = step(
        *backprop_tensors(net, inputs, targets, loss.name, from_logits, reduction, lr, train_biases)
    )
    batch, sizes, depth = len(inputs), net.sizes, net.depth
    units = [(batch, n) for n in sizes[1:]]
    w_shapes = [(sizes[i], sizes[i + 1]) for i in range(depth)]
    b_shapes = [(n,) for n in sizes[1:]]
    shapes = (
        units
        + [(batch, sizes[0])]
        + units
        + units
        + [(batch,), ()]
        + units
        + w_shapes
        + b_shapes
        + units
        + w_shapes
        + b_shapes
    )
    parts = unpack(packed.numpy().astype(float), shapes)
    z, parts = parts[:depth], parts[depth:]
    a, parts = parts[: depth + 1], parts[depth + 1 :]
    fprime, parts = parts[:depth], parts[depth:]
    per_sample, total, parts = parts[0], parts[1], parts[2:]
    names = ("delta", "dW", "db", "grad_a", "W_next", "b_next")
    out = {name: parts[i * depth : (i + 1) * depth] for i, name in enumerate(names)}
    out.update(z=z, a=a, fprime=fprime, per_sample=per_sample, loss=total)
    return out


def compare_with_textbook(net, inputs, targets, loss, from_logits, reduction, result) -> dict:
    """Max |tape − textbook| over every δ, dW and db, and whether it is within tolerance."""
    book = textbook_backprop(
        net.weights, net.biases, net.activations, inputs, targets, loss, from_logits, reduction
    )
    # Every δ, dW and db in one flat vector each: one vectorised comparison.
    tape_flat = np.concatenate([np.ravel(v) for v in result.delta + result.dW + result.db])
    book_flat = np.concatenate([np.ravel(v) for v in book.delta + book.dW + book.db])
    with np.errstate(all="ignore"):
        if not (np.isfinite(tape_flat).all() and np.isfinite(book_flat).all()):
            return {
                "max_abs_diff": None,
                "agrees": False,
                "method": "textbook delta rule (NumPy, float64)",
                "reason": "some values are not finite, so they cannot be compared",
            }
        diff = float(np.max(np.abs(tape_flat - book_flat)))
        scale = float(np.max(np.abs(tape_flat)))
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
