"""One backward pass with ``tf.GradientTape``, checked against the textbook δ rule."""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from app.core.tensorflow import tf
from app.engine.activations import bind
from app.engine.losses import LOSSES, Loss
from app.engine.network import DTYPES, Network
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


# Compiled backward passes kept at once, one per (activations, loss, dtype) combination.
COMPILED_CACHE_SIZE = 64


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compiled_backprop(activations: tuple, loss_name: str, from_logits: bool, dtype: str):
    """One ``tf.function`` per architecture signature, traced once for any shapes.

    ``activations`` is a tuple of (name, ((param, value), ...)). The graph holds the whole
    computation: forward pass, loss, one GradientTape for δ, dW, db and ∂L/∂a, f′(z) from an
    inner tape per layer, and the SGD step. Shapes are left open in the input signature, so
    requests with other batch sizes or layer widths reuse the same trace (no retracing).
    """
    acts = [bind(name, dict(params)) for name, params in activations]
    loss = LOSSES[loss_name]
    tf_dtype = DTYPES[dtype]
    matrix, vector = tf.TensorSpec([None, None], tf_dtype), tf.TensorSpec([None], tf_dtype)
    depth = len(acts)
    signature = [
        matrix,  # inputs
        matrix,  # targets
        [matrix] * depth,  # weights
        [vector] * depth,  # biases
        tf.TensorSpec([], tf_dtype),  # batch divisor: the batch size for "mean", 1 for "sum"
        tf.TensorSpec([], tf_dtype),  # learning rate
        tf.TensorSpec([], tf.bool),  # train biases
    ]

    @tf.function(input_signature=signature)
    def step(x, t, weights, biases, divisor, lr, train_biases):
        zs, outs, fprimes = [], [x], []
        with tf.GradientTape() as tape:
            tape.watch(weights + biases)
            a = x
            for W, b, act in zip(weights, biases, acts, strict=True):
                z = a @ W + b
                with tf.GradientTape() as local:  # f′(z), elementwise: ∂Σa/∂z
                    local.watch(z)
                    a = act.tf(z)
                fprimes.append(local.gradient(a, z) if act.spec.elementwise else tf.zeros_like(z))
                zs.append(z)
                outs.append(a)
            per_sample = loss.tf_fn(t, a, from_logits)
            total = tf.reduce_sum(per_sample) / divisor  # what tf.reduce_mean computes
        # δ = ∂L/∂z: the tape differentiates with respect to the intermediate z tensors too;
        # ∂L/∂a of each layer after the input: the output's ∂L/∂O, the hidden ones' Σ_k W_jk δ_k.
        grads = tape.gradient(total, zs + weights + biases + outs[1:])
        deltas, dW = grads[:depth], grads[depth : 2 * depth]
        db, grad_a = grads[2 * depth : 3 * depth], grads[3 * depth :]
        W_next = [W - lr * g for W, g in zip(weights, dW, strict=True)]
        b_next = [tf.where(train_biases, b - lr * g, b) for b, g in zip(biases, db, strict=True)]
        return {
            "z": zs,
            "a": outs,
            "fprime": fprimes,
            "per_sample": per_sample,
            "loss": total,
            "delta": deltas,
            "dW": dW,
            "db": db,
            "grad_a": grad_a,
            "W_next": W_next,
            "b_next": b_next,
        }

    # The concrete function: called directly it skips tf.function's per-call argument binding.
    return step.get_concrete_function()


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
    key = tuple((act.name, tuple(sorted(act.params.items()))) for act in net.activations)
    step = compiled_backprop(key, loss.name, bool(from_logits), net.dtype)
    dtype = net.tf_dtype
    weights, biases = net.tf_params()
    out = step(
        tf.constant(inputs, dtype),
        tf.constant(targets, dtype),
        weights,
        biases,
        tf.constant(len(inputs) if reduction == "mean" else 1, dtype),
        tf.constant(learning_rate, dtype),
        tf.constant(bool(train_biases)),
    )
    out = {
        k: [t.numpy().astype(float) for t in v] if isinstance(v, list) else v.numpy().astype(float)
        for k, v in out.items()
    }
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
