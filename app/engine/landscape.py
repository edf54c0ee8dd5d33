"""The loss on a 2-D slice of weight space, its gradient, and optimizer paths on that slice.

Two parameters w_a, w_b are chosen; every other weight and bias is held. A point of the slice
is given as offsets (d_a, d_b) from the network's own values, and the network is evaluated at
many points at once: changing one entry W[r, c] of layer l only changes column c of that
layer's z, by d · a_prev[:, r], so the grid enters as a leading axis at the first chosen layer
and every later layer runs on (points × batch) rows in one matmul.

The compiled function is created once per network *structure* (sizes, activations, loss,
dtype, which layers hold the two parameters) and kept in a small LRU cache; the values
(inputs, weights, offsets, row/col indices) are tensors with a fixed ``input_signature``, so
new numbers never retrace.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.core.tensorflow import tf
from app.engine.activations import bind
from app.engine.errors import SpecError
from app.engine.losses import LOSSES, Loss
from app.engine.network import DTYPES, Network

OPTIMIZERS = ("sgd", "momentum", "adam")
# Largest (points × batch × widest layer) tensor evaluated in one call; bigger grids are chunked.
GRID_CHUNK_ELEMENTS = 1 << 21


@dataclass(frozen=True)
class ParamRef:
    """One scalar parameter: ``W[row, col]`` or ``b[col]`` of layer ``layer`` (1 = first)."""

    layer: int
    param: str = "W"  # "W" or "b"
    row: int = 0
    col: int = 0

    @property
    def label(self) -> str:
        if self.param == "b":
            return f"b{self.layer}[{self.col}]"
        return f"W{self.layer}[{self.row},{self.col}]"

    def value(self, net: Network) -> float:
        if self.param == "b":
            return float(net.biases[self.layer - 1][self.col])
        return float(net.weights[self.layer - 1][self.row, self.col])


@dataclass(frozen=True)
class OptimizerSpec:
    """Hyper-parameters as ``tf.keras.optimizers`` names them (momentum = SGD with momentum)."""

    name: str
    learning_rate: float
    momentum: float = 0.9
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7


def check_param_ref(net: Network, ref: ParamRef, loc: tuple) -> ParamRef:
    """The reference if it names an existing parameter, else a SpecError saying the shape."""
    if not 1 <= ref.layer <= net.depth:
        raise SpecError((*loc, "layer"), f"layer must be 1 to {net.depth}, got {ref.layer}")
    rows, cols = net.sizes[ref.layer - 1], net.sizes[ref.layer]
    if ref.param == "b":
        if ref.col >= cols:
            raise SpecError(
                (*loc, "col"), f"b of layer {ref.layer} has {cols} entries, so col is 0..{cols - 1}"
            )
        return ParamRef(ref.layer, "b", 0, ref.col)
    shape = f"W of layer {ref.layer} has shape [{rows}, {cols}]"
    if ref.row >= rows:
        raise SpecError((*loc, "row"), f"{shape}, so row is 0..{rows - 1}, got {ref.row}")
    if ref.col >= cols:
        raise SpecError((*loc, "col"), f"{shape}, so col is 0..{cols - 1}, got {ref.col}")
    return ref


def grid_cost(net: Network, points: int, batch: int) -> float:
    """Multiply-adds to evaluate the network at ``points`` points on ``batch`` samples."""
    macs = sum(net.sizes[i] * net.sizes[i + 1] for i in range(net.depth))
    return float(points) * batch * macs


# ---- the compiled slice function ---------------------------------------------------------


@dataclass(frozen=True)
class SliceKey:
    """Everything that changes the graph; numbers are tensors and never part of the key."""

    sizes: tuple[int, ...]
    activations: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    loss: str
    from_logits: bool
    reduction: str
    dtype: str
    slot_a: tuple[int, str]  # (layer, "W" | "b")
    slot_b: tuple[int, str]


def slice_key(net: Network, loss: Loss, from_logits, reduction, ref_a, ref_b) -> SliceKey:
    acts = tuple((a.name, tuple(sorted(a.params.items()))) for a in net.activations)
    return SliceKey(
        tuple(net.sizes),
        acts,
        loss.name,
        bool(from_logits),
        reduction,
        net.dtype,
        (ref_a.layer, ref_a.param),
        (ref_b.layer, ref_b.param),
    )


def _dense(a, W):
    """a @ W for a of shape (batch, n) or (points, batch, n), as one 2-D matmul."""
    if a.shape.rank == 2:
        return a @ W
    shape = tf.shape(a)
    flat = tf.reshape(a, [-1, a.shape[-1]]) @ W
    return tf.reshape(flat, tf.concat([shape[:-1], [W.shape[-1]]], 0))


class SliceGraphs:
    """The two compiled functions of one network structure (see ``slice_graphs``).

    ``grid(x, t, weights, biases, d_a, d_b, index_a, index_b)`` → the loss at each point
    (offsets ``d_a[p]``, ``d_b[p]`` from the network's own values).

    ``descend(x, t, weights, biases, base, start, index_a, index_b, kinds, hyper, steps)`` →
    positions ``(steps+1, K, 2)``, losses ``(steps+1, K)`` and gradients ``(steps+1, K, 2)`` of
    K optimizers (``kinds`` index ``OPTIMIZERS``; ``hyper`` rows are lr, momentum, β₁, β₂, ε)
    advancing together from ``start``. The update rules are Keras' (tf.keras.optimizers
    ``SGD``, ``SGD(momentum=μ)``, ``Adam``):

        sgd:       w ← w − lr·g
        momentum:  m ← μ·m − lr·g;  w ← w + m
        adam:      m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
                   α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);  w ← w − α·m/(√v + ε)
    """

    def __init__(self, key: SliceKey):
        self.key = key
        self.dtype = DTYPES[key.dtype]
        self.acts = [bind(name, dict(params)) for name, params in key.activations]
        self.loss = LOSSES[key.loss]
        sizes, dtype = key.sizes, self.dtype
        network = [
            tf.TensorSpec([None, sizes[0]], dtype),
            tf.TensorSpec([None, sizes[-1]], dtype),
            [tf.TensorSpec([sizes[i], sizes[i + 1]], dtype) for i in range(len(sizes) - 1)],
            [tf.TensorSpec([sizes[i + 1]], dtype) for i in range(len(sizes) - 1)],
        ]
        index = tf.TensorSpec([2], tf.int32)
        self.grid = tf.function(
            self._grid,
            autograph=False,
            input_signature=[
                *network,
                tf.TensorSpec([None], dtype),
                tf.TensorSpec([None], dtype),
                index,
                index,
            ],
        )
        self.descend = tf.function(
            self._descend,
            autograph=False,
            input_signature=[
                *network,
                tf.TensorSpec([2], dtype),
                tf.TensorSpec([2], dtype),
                index,
                index,
                tf.TensorSpec([None], tf.int32),
                tf.TensorSpec([None, 5], dtype),
                tf.TensorSpec([], tf.int32),
            ],
        )

    def _losses(self, x, t, weights, biases, offsets, indices):
        """The batch loss at each point: forward pass with the two parameters moved."""
        key, dtype = self.key, self.dtype
        slots = ((key.slot_a, 0), (key.slot_b, 1))
        a = x
        for layer, (W, b, act) in enumerate(zip(weights, biases, self.acts, strict=True), 1):
            z = _dense(a, W) + b
            for (slot_layer, param), k in slots:
                if slot_layer != layer:
                    continue
                d = offsets[k][:, None, None]  # (points, 1, 1)
                column = tf.one_hot(indices[k][1], key.sizes[layer], dtype=dtype)  # e_col
                if param == "W":  # W[row, col] += d  ⇒  z[:, col] += d · a_prev[:, row]
                    z = z + d * tf.gather(a, indices[k][0], axis=-1)[..., None] * column
                else:  # b[col] += d  ⇒  z[:, col] += d
                    z = z + d * column
            a = act.tf(z)
        per_sample = self.loss.tf_fn(tf.broadcast_to(t, tf.shape(a)), a, key.from_logits)
        if key.reduction == "sum":
            return tf.reduce_sum(per_sample, axis=-1)
        return tf.reduce_mean(per_sample, axis=-1)

    def _grid(self, x, t, weights, biases, d_a, d_b, index_a, index_b):
        return self._losses(x, t, weights, biases, (d_a, d_b), (index_a, index_b))

    def _descend(self, x, t, weights, biases, base, start, index_a, index_b, kinds, hyper, steps):
        def loss_and_grad(positions):
            d_a, d_b = positions[:, 0] - base[0], positions[:, 1] - base[1]
            with tf.GradientTape() as tape:
                tape.watch([d_a, d_b])
                total = self._losses(x, t, weights, biases, (d_a, d_b), (index_a, index_b))
                # Point p's loss depends only on its own offsets, so the gradient of the
                # sum is every point's own gradient at once.
                summed = tf.reduce_sum(total)
            grad_a, grad_b = tape.gradient(summed, [d_a, d_b])
            return total, tf.stack([grad_a, grad_b], axis=1)

        lr, mu, beta_1, beta_2, eps = (hyper[:, i : i + 1] for i in range(5))
        is_momentum, is_adam = kinds[:, None] == 1, kinds[:, None] == 2
        positions = tf.tile(start[None, :], [tf.shape(kinds)[0], 1])
        arrays = [tf.TensorArray(self.dtype, size=steps + 1) for _ in range(3)]

        def body(i, positions, m, v, path, losses, grads):
            loss, g = loss_and_grad(positions)
            path, losses, grads = path.write(i, positions), losses.write(i, loss), grads.write(i, g)
            step = tf.cast(i + 1, self.dtype)
            sgd_next = positions - lr * g
            m_momentum = mu * m - lr * g
            m_adam = m + (g - m) * (1.0 - beta_1)
            v_adam = v + (g * g - v) * (1.0 - beta_2)
            alpha = lr * tf.sqrt(1.0 - tf.pow(beta_2, step)) / (1.0 - tf.pow(beta_1, step))
            adam_next = positions - (m_adam * alpha) / (tf.sqrt(v_adam) + eps)
            positions = tf.where(
                is_adam, adam_next, tf.where(is_momentum, positions + m_momentum, sgd_next)
            )
            m = tf.where(is_adam, m_adam, tf.where(is_momentum, m_momentum, m))
            v = tf.where(is_adam, v_adam, v)
            return i + 1, positions, m, v, path, losses, grads

        zeros = tf.zeros_like(positions)
        _, _, _, _, path, losses, grads = tf.while_loop(
            lambda i, *_: i <= steps, body, [tf.constant(0), positions, zeros, zeros, *arrays]
        )
        return path.stack(), losses.stack(), grads.stack()


@lru_cache(maxsize=32)
def slice_graphs(key: SliceKey) -> SliceGraphs:
    """One ``SliceGraphs`` per network structure: traced once, reused by every request."""
    return SliceGraphs(key)


class SliceFunction:
    """One request's slice: the network's values bound to the compiled graphs."""

    def __init__(self, net, inputs, targets, loss, from_logits, reduction, ref_a, ref_b):
        self.np_dtype = np.float32 if net.dtype == "float32" else np.float64
        self.base = np.array([ref_a.value(net), ref_b.value(net)], self.np_dtype)
        self.graphs = slice_graphs(slice_key(net, loss, from_logits, reduction, ref_a, ref_b))
        dtype = net.tf_dtype
        self.args = (tf.constant(inputs, dtype), tf.constant(targets, dtype), *net.tf_params())
        self.indices = (
            tf.constant([ref_a.row, ref_a.col], tf.int32),
            tf.constant([ref_b.row, ref_b.col], tf.int32),
        )
        self.chunk = max(1, GRID_CHUNK_ELEMENTS // (len(inputs) * max(net.sizes)))

    def losses(self, points_a, points_b) -> np.ndarray:
        """The loss at the points (w_a, w_b), a few chunks of points per call."""
        with np.errstate(all="ignore"):
            d_a = (np.asarray(points_a, self.np_dtype) - self.base[0]).astype(self.np_dtype)
            d_b = (np.asarray(points_b, self.np_dtype) - self.base[1]).astype(self.np_dtype)
        parts = [
            self.graphs.grid(
                *self.args, d_a[i : i + self.chunk], d_b[i : i + self.chunk], *self.indices
            )
            for i in range(0, len(d_a), self.chunk)
        ]
        return np.concatenate([p.numpy().astype(float) for p in parts])

    def descend(self, start, optimizers: list[OptimizerSpec], steps: int) -> list[dict]:
        """Each optimizer's path from ``start``: positions, losses, gradients at 0..steps."""
        kinds = np.array([OPTIMIZERS.index(o.name) for o in optimizers], np.int32)
        hyper = np.array(
            [[o.learning_rate, o.momentum, o.beta_1, o.beta_2, o.epsilon] for o in optimizers],
            self.np_dtype,
        )
        start = np.asarray(start, self.np_dtype)
        pos, loss, grad = (
            out.numpy().astype(float)
            for out in self.graphs.descend(
                *self.args, self.base, start, *self.indices, kinds, hyper, np.int32(steps)
            )
        )
        return [
            {
                "optimizer": spec,
                "a": pos[:, k, 0],
                "b": pos[:, k, 1],
                "loss": loss[:, k],
                "grad_a": grad[:, k, 0],
                "grad_b": grad[:, k, 1],
            }
            for k, spec in enumerate(optimizers)
        ]


def grid_values(center: float, value_range, span: float, resolution: int) -> np.ndarray:
    """``resolution`` evenly spaced values over ``value_range``, or ``center ± span``."""
    if value_range is not None:
        return np.linspace(value_range[0], value_range[1], resolution)
    offsets = np.linspace(-1.0, 1.0, resolution)
    if resolution % 2:
        offsets[resolution // 2] = 0.0  # the current value lies exactly on the grid
    return center + span * offsets


def landscape(
    fn: SliceFunction,
    start: tuple[float, float],
    values_a: np.ndarray,
    values_b: np.ndarray,
    optimizers: list[OptimizerSpec],
    steps: int,
) -> dict:
    """The loss on the grid (``loss[j][i]`` at ``(values_a[i], values_b[j])``), the gradient at
    ``start`` and each optimizer's path from ``start`` (at least one optimizer)."""
    grid_a, grid_b = np.meshgrid(values_a, values_b)  # [j][i] = (a[i], b[j])
    grid_loss = fn.losses(grid_a.ravel(), grid_b.ravel())
    paths = fn.descend(start, optimizers, steps)
    first = paths[0]
    return {
        "values_a": values_a,
        "values_b": values_b,
        "loss": grid_loss.reshape(len(values_b), len(values_a)),
        "current": {
            "a": float(first["a"][0]),
            "b": float(first["b"][0]),
            "loss": float(first["loss"][0]),
            "gradient": [float(first["grad_a"][0]), float(first["grad_b"][0])],
        },
        "paths": paths,
    }


def check_optimizer(name: str, loc: tuple) -> str:
    if name not in OPTIMIZERS:
        raise SpecError(loc, f"unknown optimizer '{name}'; choose one of: {', '.join(OPTIMIZERS)}")
    return name
