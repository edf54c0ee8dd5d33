"""The engine's one cache of compiled graphs, and the graphs themselves.

Every compiled function is built from the verbs in ``core.py`` with all of the user's choices
passed in as tensors, so a graph depends only on its *kind*, the network's *depth* and the
*dtype*; layer widths, batch sizes and every number are open shapes and tensor values. The
key space is therefore finite and known before any request arrives:

    bound = len(KINDS) × max_layers × 2 dtypes + max_layers × 2 XLA training loops
          = 5 × 8 × 2 + 16 = 96 with the default max_layers = 8,

plus at most ``max_xla_programs`` XLA programs (long training runs; XLA compiles one program
per input shape, so their number is capped separately and a run past the cap uses the graph).
The cache never evicts, because evicting a ``tf.function`` does not give its memory back: it
simply cannot grow past the bound. A never-seen architecture of a known depth reuses a graph
that is already traced; ``warm`` builds them in the background after start-up (the app's
lifespan), shallow networks first, so even a first request rarely waits for a trace.
"""

import gc
import math
import threading
from collections.abc import Callable

import numpy as np

from app.engine import core
from app.engine.network import DTYPES, NetworkLimits
from app.engine.tf import tf

KINDS = ("backprop", "forward", "train", "slice_grid", "slice_descend")
IDLE_POLL_SECONDS = 0.05  # how often a waiting warm-up asks whether requests went quiet


class Compiled:
    """A traced graph called with its inputs as they are.

    ``ConcreteFunction.__call__`` first binds the arguments to the signature in Python,
    which costs more than running a small network's graph. Every caller here already passes
    values of the signature's dtypes and ranks, in order (arrays become tensors of the
    signature's dtype here), so the graph runs on them directly: about 0.13 ms less per
    call. A TensorFlow without that entry point gets the plain call.
    """

    def __init__(self, function):
        self.function = function
        self._run = getattr(function, "_call_flat", None)
        self._dtypes = [spec.dtype for spec in tf.nest.flatten(function.structured_input_signature)]

    def __call__(self, *args):
        if self._run is None or len(args) != len(self._dtypes):
            return self.function(*args)
        tensors = [
            a if isinstance(a, tf.Tensor) else tf.convert_to_tensor(a, dtype)
            for a, dtype in zip(args, self._dtypes, strict=True)
        ]
        return self._run(tensors, self.function.captured_inputs)


class GraphCache:
    """Compiled functions keyed by (kind, depth, dtype[, xla]); built once, never evicted."""

    def __init__(self, max_depth: int, max_xla_programs: int = 8):
        self.max_depth = max_depth
        self.max_xla_programs = max_xla_programs
        self._graphs: dict[tuple, object] = {}
        self._xla_shapes: set[tuple] = set()
        self._lock = threading.Lock()
        self._building: dict[tuple, threading.Lock] = {}
        self.builds = 0  # graphs built (traced) so far

    @property
    def bound(self) -> int:
        """The most graphs this cache can ever hold (XLA programs counted separately)."""
        return len(KINDS) * self.max_depth * len(DTYPES) + len(DTYPES) * self.max_depth

    def __len__(self) -> int:
        return len(self._graphs)

    def keys(self) -> list[tuple]:
        return list(self._graphs)

    def ready(self, kind: str, depth: int, dtype: str) -> bool:
        """Whether this graph is built already (so a call cannot wait for a trace)."""
        return (kind, depth, dtype, False) in self._graphs

    def get(self, kind: str, depth: int, dtype: str, xla: bool = False):
        if kind not in KINDS or dtype not in DTYPES or not 1 <= depth <= self.max_depth:
            raise ValueError(f"no graph ({kind}, depth {depth}, {dtype}) in the engine's space")
        if xla and kind != "train":
            raise ValueError("only the training loop has an XLA variant")
        key = (kind, depth, dtype, xla)
        graph = self._graphs.get(key)
        if graph is None:
            with self._lock:  # one lock per key: building one graph never blocks another
                lock = self._building.setdefault(key, threading.Lock())
            with lock:
                graph = self._graphs.get(key)
                if graph is None:
                    graph = BUILDERS[kind](depth, DTYPES[dtype], xla)
                    if hasattr(graph, "_call_flat"):  # a concrete function: call it directly
                        graph = Compiled(graph)
                    with self._lock:
                        self._graphs[key] = graph
                        self.builds += 1
                    # A traced graph is hundreds of thousands of Python objects that live as
                    # long as the process: move them out of the cyclic GC's reach, or every
                    # full collection rescans them all (a pause of 0.4 s and more).
                    gc.freeze()
        return graph

    def warm(
        self,
        depths=None,
        dtypes=None,
        stop: threading.Event | None = None,
        idle: Callable[[], bool] | None = None,
    ) -> int:
        """Build the graphs ahead of requests, the most used first (the lessons' and
        /network's passes of shallow networks, then training, then the rest); returns how
        many it built.

        With ``idle``, each build waits until ``idle()`` says no request is computing: a
        trace is seconds of Python, and next to a request it would take half the CPU and most
        of the GIL from it (a fresh server's first /train took 11 s instead of 4). A request
        whose graph is not built yet builds it itself meanwhile; only the build already under
        way when a request comes can overlap it.
        """
        depths = list(depths or range(1, self.max_depth + 1))
        dtypes = list(dtypes or ("float32", "float64"))
        shallow = [d for d in depths if d <= 3]
        order = [
            (kind, depth, dtype)
            for group in (("backprop", "forward"), ("train",), KINDS)
            for depth in (shallow if group != KINDS else depths)
            for dtype in dtypes
            for kind in group
        ]
        built = 0
        stop = stop or threading.Event()
        for kind, depth, dtype in dict.fromkeys(order):
            while idle is not None and not idle() and not stop.is_set():
                stop.wait(IDLE_POLL_SECONDS)
            if stop.is_set():
                return built
            if not self.ready(kind, depth, dtype):
                self.get(kind, depth, dtype)
                built += 1
        return built

    def admit_xla(self, shape_key: tuple) -> bool:
        """Whether an XLA program for these input shapes exists or may be compiled now."""
        with self._lock:
            if shape_key in self._xla_shapes:
                return True
            if len(self._xla_shapes) >= self.max_xla_programs:
                return False
            self._xla_shapes.add(shape_key)
            return True

    @property
    def xla_programs(self) -> int:
        return len(self._xla_shapes)


_cache: GraphCache | None = None


def configure_graph_cache(max_depth: int, max_xla_programs: int) -> GraphCache:
    """Size the process-wide cache (the app does this from Settings before serving). A cache
    that already holds graphs keeps them: its size can only be set before the first one."""
    global _cache
    if _cache is None or (not len(_cache) and not _cache.xla_programs):
        _cache = GraphCache(max_depth, max_xla_programs)
    return _cache


def graph_cache() -> GraphCache:
    """The process-wide cache (sized by the app from Settings; NetworkLimits' default depth
    and 8 XLA programs when the engine is used on its own)."""
    if _cache is None:
        configure_graph_cache(NetworkLimits().max_layers, 8)
    return _cache


# ---- packing: one tensor in, one tensor out ------------------------------------------------


def flat_params(weights, biases) -> np.ndarray:
    """W₁…W_d row-major, then b₁…b_d: the packed layout the compiled graphs read."""
    return np.concatenate([np.ravel(w) for w in weights] + [np.ravel(b) for b in biases])


def unpack(flat: np.ndarray, shapes: list[tuple]) -> list[np.ndarray]:
    """Split one packed output vector into arrays of the given shapes, in order."""
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(flat[start : start + size].reshape(shape))
        start += size
    return out


def param_layout(sizes, depth: int):
    """What :func:`unpack_params` needs, computed once (outside a loop): the split sizes and
    each W's shape."""
    splits = tf.concat([sizes[:-1] * sizes[1:], sizes[1:]], 0)
    return splits, [sizes[i : i + 2] for i in range(depth)]


def unpack_params(flat, sizes, depth: int, layout=None):
    """Weights and biases from one flat vector: W₁…W_d row-major, then b₁…b_d."""
    splits, shapes = layout or param_layout(sizes, depth)
    parts = tf.split(flat, splits, num=2 * depth)
    weights = [tf.reshape(parts[i], shapes[i]) for i in range(depth)]
    return weights, list(parts[depth:])


def network_tensors(net, inputs, targets, loss_name: str, from_logits: bool, reduction: str):
    """What every network graph reads first: inputs, targets, W and b packed, the sizes, the
    activation codes and parameters, the loss code and the batch divisor (batch size for
    "mean", 1 for "sum")."""
    dtype = net.tf_dtype
    codes, params = core.activation_codes(net.activations)
    return (
        tf.constant(inputs, dtype),
        tf.constant(targets, dtype),
        tf.constant(flat_params(net.weights, net.biases), dtype),
        tf.constant(net.sizes, tf.int32),
        tf.constant(codes, tf.int32),
        tf.constant(params, dtype),
        tf.constant(core.loss_code(loss_name, from_logits), tf.int32),
        tf.constant(core.batch_divisor(len(inputs), reduction), dtype),
    )


def backprop_tensors(net, inputs, targets, loss_name, from_logits, reduction, lr, train_biases):
    """The backprop graph's two inputs (see :func:`build_backprop` for the layout): every
    number in one vector of the network's dtype, every integer in one int32 vector.

    Two tensors instead of ten: creating an eager tensor costs about 10 µs (30 in a loaded
    server), more than slicing them apart inside the graph. Each number is cast to the dtype
    on its own, exactly as ten separate tensors cast it.
    """
    codes, params = core.activation_codes(net.activations)
    x, t = np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float)
    divisor = core.batch_divisor(len(x), reduction)
    floats = np.concatenate(
        [x.ravel(), t.ravel(), flat_params(net.weights, net.biases), params, [divisor, lr]]
    )
    head = [len(x), t.shape[1], core.loss_code(loss_name, from_logits), int(bool(train_biases))]
    ints = np.array(head + list(net.sizes) + codes, dtype=np.int32)
    return tf.constant(floats, net.tf_dtype), tf.constant(ints)


def pack(tensors) -> tf.Tensor:
    return tf.concat([tf.reshape(v, [-1]) for v in tensors], 0)


# ---- the builders --------------------------------------------------------------------------


def _spec(shape, dtype):
    return tf.TensorSpec(shape, dtype)


def build_backprop(depth: int, dtype, xla: bool):
    """Forward, loss, one tape for δ/dW/db/∂L/∂a, f′(z) and the SGD step, packed in one.

    Its inputs come packed too (:func:`backprop_tensors`): the numbers are the inputs x
    (batch × n₀) and targets t (batch × t_cols), row-major, then W and b packed
    (:func:`flat_params`), the activations' parameters, the batch divisor (the batch size for
    "mean", 1 for "sum") and the learning rate; the integers are the batch size, t_cols, the
    loss code, train_biases (0 or 1), the layer sizes and the activation codes.
    """
    signature = [_spec([None], dtype), _spec([2 * depth + 5], tf.int32)]

    @tf.function(input_signature=signature, autograph=False)
    def step(floats, ints):
        batch, t_cols, loss, train_biases = ints[0], ints[1], ints[2], ints[3] > 0
        sizes, codes = ints[4 : 5 + depth], ints[5 + depth :]
        n_x, n_t = batch * sizes[0], batch * t_cols
        x = tf.reshape(floats[:n_x], [batch, sizes[0]])
        t = tf.reshape(floats[n_x : n_x + n_t], [batch, t_cols])
        flat = floats[n_x + n_t : -(depth + 2)]
        params, divisor, lr = floats[-(depth + 2) : -2], floats[-2], floats[-1]
        weights, biases = unpack_params(flat, sizes, depth)
        codes_, params_ = tf.unstack(codes, depth), tf.unstack(params, depth)
        out = core.gradients((weights, biases, codes_, params_), x, t, loss, divisor)
        fprimes = core.fprime(out["z"], codes_, params_)
        hyper = tf.tensor_scatter_nd_update(
            tf.zeros([len(core.H)], dtype), [[core.H["learning_rate"]]], [lr]
        )
        zero = [tf.zeros_like(p) for p in weights + biases for _ in range(2)]
        stepped, _ = core.update(
            weights + biases, out["dW"] + out["db"], zero, tf.ones([], dtype), 0, hyper
        )
        b_next = [
            tf.where(train_biases, s, b) for s, b in zip(stepped[depth:], biases, strict=True)
        ]
        return pack(
            out["z"]
            + out["a"]
            + fprimes
            + [out["per_sample"], out["loss"]]
            + out["delta"]
            + out["dW"]
            + out["db"]
            + out["grad_a"]
            + stepped[:depth]
            + b_next
        )

    return step.get_concrete_function()


def build_forward(depth: int, dtype, xla: bool):
    """Every layer's output for many inputs (decision boundaries, neuron grids), packed."""
    signature = [
        _spec([None, None], dtype),
        _spec([None], dtype),
        _spec([depth + 1], tf.int32),
        _spec([depth], tf.int32),
        _spec([depth], dtype),
    ]

    @tf.function(input_signature=signature, autograph=False)
    def run(x, flat, sizes, codes, params):
        weights, biases = unpack_params(flat, sizes, depth)
        _, outs = core.forward(
            x, weights, biases, tf.unstack(codes, depth), tf.unstack(params, depth)
        )
        return pack(outs[1:])

    return run.get_concrete_function()


def build_train(depth: int, dtype, xla: bool):
    from app.engine.training import make_loop

    return make_loop(depth, dtype, xla)


def build_slice_grid(depth: int, dtype, xla: bool):
    from app.engine.landscape import make_grid

    return make_grid(depth, dtype)


def build_slice_descend(depth: int, dtype, xla: bool):
    from app.engine.landscape import make_descend

    return make_descend(depth, dtype)


BUILDERS: dict[str, Callable] = {
    "backprop": build_backprop,
    "forward": build_forward,
    "train": build_train,
    "slice_grid": build_slice_grid,
    "slice_descend": build_slice_descend,
}
