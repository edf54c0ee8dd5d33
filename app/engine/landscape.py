"""The loss on a 2-D slice of weight space, its gradient, and optimizer paths on that slice.

Two parameters w_a, w_b are chosen; every other weight and bias is held. A point of the slice
is given as offsets (d_a, d_b) from the network's own values, and the network is evaluated at
many points at once: changing one entry W[r, c] of layer l only changes column c of that
layer's z, by d · a_prev[:, r], so the points enter as a leading axis and every layer runs on
(points × batch) rows in one matmul.

The forward pass is the engine core's (core.forward with a hook that moves the two
parameters) and the optimizer paths use the registry's update rules (optimizers.FAMILIES), so
/landscape's SGD, momentum and Adam steps are /train's and Keras's. The compiled functions
live in the engine's graph cache, one per depth and dtype: which parameters, the widths,
activations and loss are all tensors.
"""

from dataclasses import dataclass

import numpy as np

from app.engine import core
from app.engine.errors import SpecError
from app.engine.graphs import graph_cache, network_tensors, unpack_params
from app.engine.network import Network
from app.engine.optimizers import FAMILIES, OptimizerConfig
from app.engine.tf import tf

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


# ---- the compiled slice function ---------------------------------------------------------


def _perturb(offsets, refs, dtype):
    """core.forward's hook: move the two chosen parameters by their offsets at every point.

    Changing W[r, c] of layer l by d only changes column c of that layer's z, by
    d · a_prev[:, r] (d alone for b[c]), so the points enter as a leading axis and every
    later layer runs on (points × batch) rows in one matmul. Which layer, row and column
    are tensors (``refs[k]`` = [layer, is_bias, row, col]), so one graph serves any choice.
    """

    def hook(layer, z, a_prev):
        for d, ref in zip(offsets, refs, strict=True):
            here = tf.cast(tf.equal(ref[0], layer), dtype)
            width = tf.shape(z)[-1]
            column = tf.one_hot(tf.minimum(ref[3], width - 1), width, dtype=dtype)
            row = tf.minimum(ref[2], tf.shape(a_prev)[-1] - 1)
            source = tf.where(
                tf.equal(ref[1], 1), tf.ones([], dtype), tf.gather(a_prev, row, axis=-1)
            )
            z = z + (here * d[:, None, None]) * source[..., None] * column
        return z

    return hook


def _slice_losses(x, t, flat, sizes, codes, params, loss, divisor, offsets, refs, depth):
    """The batch loss at each point (offsets d_a[p], d_b[p] from the network's values)."""
    weights, biases = unpack_params(flat, sizes, depth)
    codes, params = tf.unstack(codes, depth), tf.unstack(params, depth)
    hook = _perturb(offsets, refs, flat.dtype)
    _, outs = core.forward(x, weights, biases, codes, params, perturb=hook)
    out = outs[-1]
    per_sample = core.per_sample_loss(tf.broadcast_to(t, tf.shape(out)), out, loss)
    return tf.reduce_sum(per_sample, axis=-1) / divisor


def _network_spec(depth, dtype):
    spec = tf.TensorSpec
    return [
        spec([None, None], dtype),  # inputs
        spec([None, None], dtype),  # targets
        spec([None], dtype),  # W and b, packed
        spec([depth + 1], tf.int32),  # sizes
        spec([depth], tf.int32),  # activation codes
        spec([depth], dtype),  # activation parameters
        spec([], tf.int32),  # loss code
        spec([], dtype),  # divisor: batch size (mean) or 1 (sum)
    ]


REF = tf.TensorSpec([4], tf.int32)  # [layer, is_bias, row, col]


def make_grid(depth: int, dtype):
    """grid(network…, d_a, d_b, ref_a, ref_b) → the loss at each point."""
    signature = _network_spec(depth, dtype) + [
        tf.TensorSpec([None], dtype),
        tf.TensorSpec([None], dtype),
        REF,
        REF,
    ]

    @tf.function(input_signature=signature, autograph=False)
    def grid(x, t, flat, sizes, codes, params, loss, divisor, d_a, d_b, ref_a, ref_b):
        return _slice_losses(
            x, t, flat, sizes, codes, params, loss, divisor, (d_a, d_b), (ref_a, ref_b), depth
        )

    return grid.get_concrete_function()


def make_descend(depth: int, dtype):
    """descend(network…, base, start, ref_a, ref_b, families, hyper, steps) → positions
    ``(steps+1, K, 2)``, losses ``(steps+1, K)`` and gradients ``(steps+1, K, 2)`` of K
    optimizers advancing together from ``start``. Each row's optimizer is an update rule of
    the registry (optimizers.FAMILIES, Keras's update steps) with its own hyper-parameters."""
    signature = _network_spec(depth, dtype) + [
        tf.TensorSpec([2], dtype),
        tf.TensorSpec([2], dtype),
        REF,
        REF,
        tf.TensorSpec([None], tf.int32),
        tf.TensorSpec([None, len(core.H)], dtype),
        tf.TensorSpec([], tf.int32),
    ]

    @tf.function(input_signature=signature, autograph=False)
    def descend(
        x,
        t,
        flat,
        sizes,
        codes,
        params,
        loss,
        divisor,
        base,
        start,
        ref_a,
        ref_b,
        kinds,
        hyper,
        steps,
    ):
        network = (x, t, flat, sizes, codes, params, loss, divisor)

        def loss_and_grad(positions):
            d_a, d_b = positions[:, 0] - base[0], positions[:, 1] - base[1]
            with tf.GradientTape() as tape:
                tape.watch([d_a, d_b])
                total = _slice_losses(*network, (d_a, d_b), (ref_a, ref_b), depth)
                # Point p's loss depends only on its own offsets, so the gradient of the
                # sum is every point's own gradient at once.
                summed = tf.reduce_sum(total)
            grad_a, grad_b = tape.gradient(summed, [d_a, d_b])
            return total, tf.stack([grad_a, grad_b], axis=1)

        hp = hyper[:, None, :]  # one row of hyper-parameters per optimizer
        positions = tf.tile(start[None, :], [tf.shape(kinds)[0], 1])
        arrays = [tf.TensorArray(dtype, size=steps + 1) for _ in range(3)]

        def body(i, positions, slot_0, slot_1, path, losses, grads):
            value, g = loss_and_grad(positions)
            path, losses, grads = (
                path.write(i, positions),
                losses.write(i, value),
                grads.write(i, g),
            )
            step = tf.cast(i + 1, dtype)
            new_p, new_0, new_1 = positions, slot_0, slot_1
            for code, rule in enumerate(FAMILIES.values()):
                p, (s0, s1) = rule(positions, g, (slot_0, slot_1), step, hp)
                mine = tf.equal(kinds, code)[:, None]
                new_p = tf.where(mine, p, new_p)
                new_0, new_1 = tf.where(mine, s0, new_0), tf.where(mine, s1, new_1)
            return i + 1, new_p, new_0, new_1, path, losses, grads

        zeros = tf.zeros_like(positions)
        _, _, _, _, path, losses, grads = tf.while_loop(
            lambda i, *_: i <= steps, body, [tf.constant(0), positions, zeros, zeros, *arrays]
        )
        return path.stack(), losses.stack(), grads.stack()

    return descend.get_concrete_function()


class SliceFunction:
    """One request's slice: the network's values bound to the engine's compiled graphs."""

    def __init__(self, net, inputs, targets, loss, from_logits, reduction, ref_a, ref_b):
        self.np_dtype = np.float32 if net.dtype == "float32" else np.float64
        self.base = np.array([ref_a.value(net), ref_b.value(net)], self.np_dtype)
        cache = graph_cache()
        self.grid = cache.get("slice_grid", net.depth, net.dtype)
        self.descend_graph = cache.get("slice_descend", net.depth, net.dtype)
        self.args = network_tensors(net, inputs, targets, loss.name, from_logits, reduction)
        self.refs = tuple(
            tf.constant([ref.layer, int(ref.param == "b"), ref.row, ref.col], tf.int32)
            for ref in (ref_a, ref_b)
        )
        self.chunk = max(1, GRID_CHUNK_ELEMENTS // (len(inputs) * max(net.sizes)))

    def losses(self, points_a, points_b) -> np.ndarray:
        """The loss at the points (w_a, w_b), a few chunks of points per call."""
        with np.errstate(all="ignore"):
            d_a = (np.asarray(points_a, self.np_dtype) - self.base[0]).astype(self.np_dtype)
            d_b = (np.asarray(points_b, self.np_dtype) - self.base[1]).astype(self.np_dtype)
        parts = [
            self.grid(*self.args, d_a[i : i + self.chunk], d_b[i : i + self.chunk], *self.refs)
            for i in range(0, len(d_a), self.chunk)
        ]
        return np.concatenate([p.numpy().astype(float) for p in parts])

    def descend(self, start, configs: list[OptimizerConfig], steps: int) -> list[dict]:
        """Each optimizer's path from ``start``: positions, losses, gradients at 0..steps."""
        kinds = np.array([c.family_code for c in configs], np.int32)
        hyper = np.array([c.hyper_vector() for c in configs], self.np_dtype)
        start = np.asarray(start, self.np_dtype)
        pos, loss, grad = (
            out.numpy().astype(float)
            for out in self.descend_graph(
                *self.args, self.base, start, *self.refs, kinds, hyper, np.int32(steps)
            )
        )
        return [
            {
                "optimizer": config,
                "a": pos[:, k, 0],
                "b": pos[:, k, 1],
                "loss": loss[:, k],
                "grad_a": grad[:, k, 0],
                "grad_b": grad[:, k, 1],
            }
            for k, config in enumerate(configs)
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
    optimizers: list[OptimizerConfig],
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
