"""How the gradient flows back through a deep stack: per-layer norms of ∂L/∂W and δ.

The notebook remarks that sigmoid's gradient vanishes outside [−3, 3]. Even inside that range
σ′(z) ≤ 0.25, and the δ rule ``δ_j = f′(z_j) · Σ_k W_jk δ_k`` multiplies δ by f′ at every layer,
so in a deep sigmoid stack ‖δ‖ (and with it ‖∂L/∂W‖) shrinks layer by layer towards the input.
This module measures that, with one ``tf.GradientTape`` per configuration.

The tape runs eagerly on purpose, through the engine core's verbs: a stack may be 50 layers
deep, past the depths the graph cache holds, and eagerly a 50-layer stack takes tens of
milliseconds with no graph to keep.
"""

from dataclasses import dataclass

import numpy as np

from app.engine import core
from app.engine.backprop import SATURATION_THRESHOLD, BackpropResult, compare_with_textbook
from app.engine.errors import SpecError
from app.engine.losses import Loss
from app.engine.network import Network, NetworkLimits, build_network
from app.engine.tf import tf

NORMS = {
    "grad_W_norm": "Frobenius norm of ∂L/∂W (the layer's whole weight gradient)",
    "grad_b_norm": "Euclidean norm of ∂L/∂b",
    "delta_norm": "Frobenius norm of the batch × units matrix δ = ∂L/∂z (with reduction "
    "'mean' it includes the 1/batch factor, as /backprop's delta)",
    "delta_mean_abs": "mean over batch and units of |δ|",
    "mean_abs_activation": "mean over batch and units of |a|",
    "mean_abs_fprime": "mean over batch and units of |f′(z)| (null for softmax)",
    "saturated_fraction": "fraction of (sample, unit) pairs with |f′(z)| below the threshold "
    "(null for softmax)",
}


@dataclass(frozen=True)
class StackSpec:
    """A deep stack: ``depth`` layers after the input, ``width`` units in each hidden layer."""

    depth: int
    width: int
    input_size: int
    output_size: int
    activation: object  # name or {"name", ...params}, for the hidden layers
    output_activation: object
    init: str
    seed: int
    dtype: str

    def layers(self) -> list[int]:
        return [self.input_size] + [self.width] * (self.depth - 1) + [self.output_size]


def build_stack(spec: StackSpec, limits: NetworkLimits) -> Network:
    """The stack as a Network (hidden layers share ``activation``, the last uses its own)."""
    activations = [spec.activation] * (spec.depth - 1) + [spec.output_activation]
    return build_network(
        spec.layers(), activations, init=spec.init, seed=spec.seed, dtype=spec.dtype, limits=limits
    )


def generated_batch(batch: int, input_size: int, output_size: int, seed: int):
    """Deterministic inputs ~ N(0, 1) and targets ~ U(0, 1) from NumPy's PCG64 with ``seed``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, input_size)), rng.uniform(0.0, 1.0, (batch, output_size))


def layer_statistics(net: Network, result: BackpropResult, threshold: float) -> list[dict]:
    """One dict per layer after the input: the norms named in ``NORMS``."""
    stats = []
    with np.errstate(all="ignore"):
        for layer in range(1, net.depth + 1):
            delta, a = result.delta[layer - 1], result.a[layer]
            fprime = result.fprime[layer - 1]
            stats.append(
                {
                    "layer": layer,
                    "units": net.sizes[layer],
                    "activation": net.activations[layer - 1].name,
                    "grad_W_norm": float(np.linalg.norm(result.dW[layer - 1])),
                    "grad_b_norm": float(np.linalg.norm(result.db[layer - 1])),
                    "delta_norm": float(np.linalg.norm(delta)),
                    "delta_mean_abs": float(np.mean(np.abs(delta))),
                    "weight_norm": float(np.linalg.norm(net.weights[layer - 1])),
                    "mean_abs_activation": float(np.mean(np.abs(a))),
                    "mean_abs_fprime": None if fprime is None else float(np.mean(np.abs(fprime))),
                    "saturated_fraction": None
                    if fprime is None
                    else float(np.mean(np.abs(fprime) < threshold)),
                }
            )
    return stats


def gradient_flow(
    net: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: Loss,
    from_logits: bool = False,
    reduction: str = "mean",
    saturation_threshold: float = SATURATION_THRESHOLD,
) -> dict:
    """Per-layer gradient statistics of one network on one batch, from one tape."""
    result = tape_gradients(net, inputs, targets, loss, from_logits, reduction)
    layers = layer_statistics(net, result, saturation_threshold)
    first, last = layers[0]["grad_W_norm"], layers[-1]["grad_W_norm"]
    with np.errstate(all="ignore"):
        ratio = first / last if last > 0 else None
    return {
        "loss": result.loss,
        "layers": layers,
        "first_to_last_ratio": ratio,
        "check": result.check,
    }


def tape_gradients(net, inputs, targets, loss: Loss, from_logits, reduction) -> BackpropResult:
    """z, a, δ = ∂L/∂z, dW, db and f′(z) from the engine core's tapes, run eagerly (the
    activation codes are plain ints here, so each layer calls its op directly), checked
    against the NumPy δ rule."""
    dtype = net.tf_dtype
    x, t = tf.constant(inputs, dtype), tf.constant(targets, dtype)
    weights, biases = net.tf_params()
    codes, params = core.activation_codes(net.activations)
    divisor = tf.constant(core.batch_divisor(len(inputs), reduction), dtype)
    out = core.gradients(
        (weights, biases, codes, params), x, t, core.loss_code(loss.name, from_logits), divisor
    )
    fprimes = core.fprime(out["z"], codes, params)

    def as_np(tensors):
        return [v.numpy().astype(float) for v in tensors]

    result = BackpropResult(
        loss=float(out["loss"].numpy()),
        per_sample_loss=out["per_sample"].numpy().astype(float),
        z=as_np(out["z"]),
        a=as_np(out["a"]),
        delta=as_np(out["delta"]),
        fprime=[
            fp if act.spec.elementwise else None
            for act, fp in zip(net.activations, as_np(fprimes), strict=True)
        ],
        dW=as_np(out["dW"]),
        db=as_np(out["db"]),
        W_next=[],
        b_next=[],
        check={},
    )
    result.check = compare_with_textbook(net, inputs, targets, loss, from_logits, reduction, result)
    return result


def relocated(error: SpecError, prefix: tuple) -> SpecError:
    """The same error with its ``loc`` placed under ``prefix`` (e.g. one entry of a list)."""
    return SpecError((*prefix, *error.loc), error.msg, error.kind)
