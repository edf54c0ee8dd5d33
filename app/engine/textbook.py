"""The multi-layer δ rule written out in NumPy, as the notebook states it.

This is the independent oracle for the TensorFlow tape: nothing here calls TensorFlow.

    output layer:  δ_k = ∂L/∂O_k · f′(z_k)          (sigmoid + ½SSE: (O_k − t_k) O_k (1 − O_k))
    hidden layer:  δ_j = f′(z_j) · Σ_k W_jk δ_k
    gradients:     ∂L/∂W_jk = O_j δ_k,   ∂L/∂b_k = δ_k   (summed over the batch)

A softmax layer has no elementwise f′; its δ uses the Jacobian ∂p_i/∂z_j = p_i(δ_ij − p_j).
"""

from dataclasses import dataclass

import numpy as np

from app.engine.activations import BoundActivation, softmax_jacobian
from app.engine.losses import Loss, batch_scale


@dataclass
class TextbookGradients:
    z: list[np.ndarray]
    a: list[np.ndarray]  # input first
    delta: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray]
    per_sample_loss: np.ndarray
    loss: float


def through_activation(act: BoundActivation, z: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
    """∂L/∂z from ∂L/∂a: times f′(z), or through the softmax Jacobian."""
    if act.spec.elementwise:
        return grad_a * act.np_der(z)
    jac = softmax_jacobian(act.np(z))  # (batch, i, j) = ∂p_i/∂z_j
    return np.einsum("bi,bij->bj", grad_a, jac)


def textbook_backprop(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    activations: list[BoundActivation],
    x: np.ndarray,
    targets: np.ndarray,
    loss: Loss,
    from_logits: bool,
    reduction: str,
) -> TextbookGradients:
    """Forward pass, then δ from the output layer back, then dW = a_prevᵀ δ and db = Σ δ."""
    with np.errstate(all="ignore"):
        a, zs, outs = np.asarray(x, float), [], [np.asarray(x, float)]
        for W, b, act in zip(weights, biases, activations, strict=True):
            z = a @ W + b
            a = act.np(z)
            zs.append(z)
            outs.append(a)

        per_sample, grad_out = loss.np_fn(targets, outs[-1], from_logits)
        scale = batch_scale(len(x), reduction)
        total = float(per_sample.sum() * scale)

        deltas = [None] * len(weights)
        grad_a = grad_out * scale  # ∂L/∂O of the output layer
        for layer in reversed(range(len(weights))):
            deltas[layer] = through_activation(activations[layer], zs[layer], grad_a)
            grad_a = deltas[layer] @ weights[layer].T  # Σ_k W_jk δ_k for the layer below
        dW = [outs[layer].T @ deltas[layer] for layer in range(len(weights))]
        db = [d.sum(axis=0) for d in deltas]
    return TextbookGradients(zs, outs, deltas, dW, db, per_sample, total)
