"""A small dense network: build it from a spec, run it forward, and backpropagate.

Names follow the notebook: ``z = a_prev @ W + b`` is a layer's total input, ``a = f(z)``
its output, ``delta = ∂L/∂z``, and ``dW``, ``db`` the gradients of the loss.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from app.engine.activations import BoundActivation, bind
from app.engine.errors import SpecError
from app.engine.tf import tf

INITIALIZERS = ("glorot_uniform", "he_normal", "random_normal", "zeros", "ones")
DTYPES = {"float32": tf.float32, "float64": tf.float64}
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class NetworkLimits:
    max_layers: int = 8  # layers after the input layer
    max_units: int = 64


@dataclass
class Network:
    sizes: list[int]  # units per layer, input first
    activations: list[BoundActivation]  # one per layer after the input
    weights: list[np.ndarray]  # weights[l-1] has shape (sizes[l-1], sizes[l])
    biases: list[np.ndarray]
    dtype: str = "float32"
    notes: list[str] = field(default_factory=list)

    @property
    def tf_dtype(self):
        return DTYPES[self.dtype]

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1

    def tf_params(self):
        """Weights and biases as TensorFlow constants of the network's dtype."""
        weights = [tf.constant(w, self.tf_dtype) for w in self.weights]
        biases = [tf.constant(b, self.tf_dtype) for b in self.biases]
        return weights, biases


def check_sizes(layers: list[int], limits: NetworkLimits) -> list[int]:
    if len(layers) < 2:
        raise SpecError(("layers",), "give at least two layer sizes: the input layer and one more")
    if len(layers) - 1 > limits.max_layers:
        raise SpecError(
            ("layers",),
            f"too many layers: {len(layers) - 1} after the input, the limit is {limits.max_layers}",
        )
    for i, units in enumerate(layers):
        if not 1 <= units <= limits.max_units:
            raise SpecError(
                ("layers", i),
                f"layer {i} has {units} units; each layer needs 1 to {limits.max_units}",
            )
    return list(layers)


def check_matrix(value, rows: int, cols: int, loc: tuple, what: str) -> np.ndarray:
    """A list of rows as a float64 array of shape (rows, cols), or a SpecError saying why not."""
    if len(value) != rows:
        got = f"{len(value)} rows" if value else "no rows"
        raise SpecError(loc, f"{what}: expected shape [{rows}, {cols}], got {got}")
    for i, row in enumerate(value):
        if len(row) != cols:
            raise SpecError(
                (*loc, i),
                f"{what}: expected shape [{rows}, {cols}], but row {i} has {len(row)} values",
            )
    return np.asarray(value, dtype=float).reshape(rows, cols)


def check_vector(value, size: int, loc: tuple, what: str) -> np.ndarray:
    if len(value) != size:
        raise SpecError(loc, f"{what}: expected {size} values, got {len(value)}")
    return np.asarray(value, dtype=float)


def parse_activations(activations, depth: int) -> list[BoundActivation]:
    """One activation per layer: a single name/object applies to all layers."""
    if isinstance(activations, str | dict):
        return [bind(*_name_params(activations), loc=("activations",))] * depth
    if len(activations) != depth:
        raise SpecError(
            ("activations",),
            f"expected {depth} activations (one per layer after the input) or a single one, "
            f"got {len(activations)}",
        )
    return [bind(*_name_params(a), loc=("activations", i)) for i, a in enumerate(activations)]


def _name_params(item) -> tuple[str, dict]:
    if isinstance(item, str):
        return item, {}
    params = {k: v for k, v in item.items() if k != "name"}
    return item.get("name", ""), params


def initial_params(sizes, init: str, seed: int, dtype: str):
    """Weights and biases from ``init``, reproducible from ``seed`` (layer l uses [seed, l])."""
    weights, biases = _initial_params(tuple(sizes), init, seed, dtype)
    return [w.copy() for w in weights], [b.copy() for b in biases]


@lru_cache(maxsize=256)
def _initial_params(sizes: tuple, init: str, seed: int, dtype: str):
    # Cached: a page re-posting the same network should not redraw its random weights.
    if init not in INITIALIZERS:
        raise SpecError(
            ("init",), f"unknown init '{init}'; choose one of: {', '.join(INITIALIZERS)}"
        )
    if not 0 <= seed <= MAX_SEED:
        raise SpecError(("seed",), f"seed must be between 0 and {MAX_SEED}")
    tf_dtype = DTYPES[dtype]
    weights, biases = [], []
    for layer in range(1, len(sizes)):
        fan_in, fan_out = sizes[layer - 1], sizes[layer]
        shape, rng_seed = [fan_in, fan_out], tf.constant([seed, layer], tf.int64)
        if init == "glorot_uniform":
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            w = tf.random.stateless_uniform(shape, rng_seed, -limit, limit, dtype=tf_dtype)
        elif init == "he_normal":
            # Keras' HeNormal: truncated normal, stddev corrected for the truncation.
            std = np.sqrt(2.0 / fan_in) / 0.87962566103423978
            w = tf.random.stateless_truncated_normal(shape, rng_seed, 0.0, std, dtype=tf_dtype)
        elif init == "random_normal":
            w = tf.random.stateless_normal(shape, rng_seed, 0.0, 0.05, dtype=tf_dtype)
        elif init == "ones":
            w = tf.ones(shape, tf_dtype)
        else:
            w = tf.zeros(shape, tf_dtype)
        weights.append(w.numpy().astype(float))
        biases.append(np.full(fan_out, 1.0 if init == "ones" else 0.0))
    return weights, biases


def build_network(
    layers: list[int],
    activations="sigmoid",
    weights=None,
    biases=None,
    init: str = "glorot_uniform",
    seed: int = 0,
    dtype: str = "float32",
    limits: NetworkLimits = NetworkLimits(),
) -> Network:
    """Validate a network spec (the contract's fields) and fill in what is not given."""
    sizes = check_sizes(layers, limits)
    depth = len(sizes) - 1
    if dtype not in DTYPES:
        raise SpecError(("dtype",), "dtype must be 'float32' or 'float64'")
    acts = parse_activations(activations, depth)
    init_w, init_b = initial_params(sizes, init, seed, dtype)
    for name, given in (("weights", weights), ("biases", biases)):
        if given is not None and len(given) != depth:
            raise SpecError(
                (name,),
                f"expected {depth} {name} entries (one per layer after the input), "
                f"got {len(given)}",
            )
    W, b = [], []
    for layer in range(1, depth + 1):
        rows, cols = sizes[layer - 1], sizes[layer]
        if weights is not None and weights[layer - 1] is not None:
            loc = ("weights", layer - 1)
            W.append(check_matrix(weights[layer - 1], rows, cols, loc, f"W of layer {layer}"))
        else:
            W.append(init_w[layer - 1])
        if biases is not None and biases[layer - 1] is not None:
            loc = ("biases", layer - 1)
            b.append(check_vector(biases[layer - 1], cols, loc, f"b of layer {layer}"))
        else:
            b.append(init_b[layer - 1])
    # Round to the working precision once, so every consumer sees the same numbers.
    np_dtype = np.float32 if dtype == "float32" else np.float64
    with np.errstate(over="ignore"):
        W = [w.astype(np_dtype).astype(float) for w in W]
        b = [v.astype(np_dtype).astype(float) for v in b]
    return Network(sizes, acts, W, b, dtype)


def check_inputs(inputs, n_in: int, max_batch: int, loc=("inputs",)) -> np.ndarray:
    if len(inputs) == 0:
        raise SpecError(loc, "inputs must not be empty: give at least one row")
    if len(inputs) > max_batch:
        raise SpecError(loc, f"batch of {len(inputs)} rows is over the limit of {max_batch}")
    return check_matrix(inputs, len(inputs), n_in, loc, "inputs")
