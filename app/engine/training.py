"""Training: the whole loop of gradient steps inside ONE compiled TensorFlow graph.

A Python loop over steps pays TensorFlow's per-call overhead on every step; here
``tf.while_loop`` runs all of them in one call, with ``steps``, ``record_every`` and the
starting iteration passed as tensors so a new request never retraces. Compiled loops are
kept in a small LRU cache keyed by everything that changes the graph (architecture,
activations, loss, optimizer slots, dtype, batch mode), never one per request.

History semantics: entry ``step = k`` is the loss on the WHOLE training set after k updates
of this call; step 0 comes first, then every ``record_every`` updates, and the last entry is
``step = steps``. Mini-batches: each epoch is a fresh permutation of the training set drawn
from (seed, epoch) in the graph, cut into ``n // batch_size`` batches (the remainder waits
for the next epoch's shuffle), so a run split into chunks takes exactly the same batches.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from app.core.tensorflow import tf
from app.engine.activations import BoundActivation
from app.engine.losses import Loss, reduce_batch
from app.engine.network import DTYPES, Network
from app.engine.optimizers import HYPER, OptimizerConfig

HISTORY_COLUMNS = ("step", "loss", "accuracy", "test_loss", "test_accuracy")
# Accuracy of the output: none (regression), threshold on one unit, argmax over units.
ACCURACY_MODES = ("none", "threshold", "argmax")


@dataclass(frozen=True)
class LoopKey:
    """Everything that changes the compiled graph. Equal keys share one compiled loop."""

    sizes: tuple[int, ...]
    activations: tuple[tuple[str, tuple], ...]
    loss: str
    from_logits: bool
    reduction: str
    optimizer: str
    slots: tuple[str, ...]
    nesterov: bool
    dtype: str
    minibatch: bool
    train_biases: bool
    accuracy: str
    history_rows: int
    l2: bool
    jit_compile: bool


@dataclass
class TrainState:
    """Parameters and optimizer state: what a run starts from and ends with."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    slots: dict[str, dict[str, list[np.ndarray]]]  # slot → {"weights": [...], "biases": [...]}
    iterations: int  # updates applied so far (Keras's optimizer.iterations)


@dataclass
class TrainResult:
    state: TrainState
    history: list[dict]


class LoopCache:
    """A bounded LRU cache of compiled training loops (thread-safe)."""

    def __init__(self, size: int):
        self.size = size
        self._loops: OrderedDict[LoopKey, tf.types.experimental.PolymorphicFunction] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: LoopKey, build):
        with self._lock:
            loop = self._loops.get(key)
            if loop is not None:
                self._loops.move_to_end(key)
                return loop
            loop = build(key)
            self._loops[key] = loop
            while len(self._loops) > self.size:
                self._loops.popitem(last=False)
            return loop

    def __len__(self) -> int:
        return len(self._loops)

    def keys(self) -> list[LoopKey]:
        return list(self._loops)


_cache = LoopCache(32)


def loop_cache() -> LoopCache:
    return _cache


def set_cache_size(size: int) -> None:
    _cache.size = size


def _make_loop(key: LoopKey, activations: list[BoundActivation], loss: Loss, optimizer_update):
    """Build the compiled loop for one key (called once per key, by the cache)."""
    dtype = DTYPES[key.dtype]
    depth = len(key.sizes) - 1
    n_in, n_out = key.sizes[0], key.sizes[-1]
    n_slots = len(key.slots)
    param_shapes = [[key.sizes[i], key.sizes[i + 1]] for i in range(depth)] + [
        [key.sizes[i + 1]] for i in range(depth)
    ]

    def forward(x, params):
        a = x
        for W, b, act in zip(params[:depth], params[depth:], activations, strict=True):
            a = act.tf(a @ W + b)  # z = a_prev @ W + b, a = f(z)
        return a

    def data_loss(x, t, params):
        return reduce_batch(loss.tf_fn(t, forward(x, params), key.from_logits), key.reduction)

    def evaluate(x, t, params, threshold):
        """Loss and accuracy on a whole set (NaN for an empty set: a mean of nothing)."""
        out = forward(x, params)
        value = reduce_batch(loss.tf_fn(t, out, key.from_logits), key.reduction)
        if key.accuracy == "argmax":
            hits = tf.equal(tf.argmax(out, axis=-1), tf.argmax(t, axis=-1))
        elif key.accuracy == "threshold":
            hits = tf.equal(out[:, 0] >= threshold[0], t[:, 0] >= threshold[1])
        else:
            return value, tf.constant(np.nan, dtype)
        return value, tf.reduce_mean(tf.cast(hits, dtype))

    def run(
        x,
        t,
        x_test,
        t_test,
        params,
        slots,
        iterations,
        hyper,
        threshold,
        l2,
        steps,
        record_every,
        batch_template,
        seed,
    ):
        params, slots = list(params), list(slots)
        trainable = list(range(depth)) + (list(range(depth, 2 * depth)) if key.train_biases else [])
        n = tf.shape(x)[0]
        batch = tf.shape(batch_template)[0]
        batches_per_epoch = tf.cast(tf.maximum(n // batch, 1), tf.int64)

        def permutation(iteration):
            return epoch_permutation(n, seed, tf.cast(iteration // batches_per_epoch, tf.int32))

        def record(history, row, step, params):
            loss_value, accuracy = evaluate(x, t, params, threshold)
            test_loss, test_accuracy = evaluate(x_test, t_test, params, threshold)
            values = tf.stack(
                [tf.cast(step, dtype), loss_value, accuracy, test_loss, test_accuracy]
            )
            return tf.tensor_scatter_nd_update(history, [[row]], [values])

        history = tf.fill([key.history_rows, len(HISTORY_COLUMNS)], tf.constant(np.nan, dtype))
        history = record(history, 0, 0, params)
        perm = permutation(iterations) if key.minibatch else tf.zeros([1], tf.int32)

        def body(i, iteration, params, slots, perm, history, row):
            if key.minibatch:
                position = iteration % batches_per_epoch
                perm = tf.cond(position == 0, lambda: permutation(iteration), lambda: perm)
                start = tf.cast(position, tf.int32) * batch
                index = tf.gather(perm, start + tf.range(batch))
                xb, tb = tf.gather(x, index), tf.gather(t, index)
            else:
                xb, tb = x, t
            with tf.GradientTape() as tape:
                tape.watch(params)
                objective = data_loss(xb, tb, params)
                if key.l2:  # Keras's L2 regularizer: l2 · Σ W² over the weights (not biases)
                    penalty = tf.add_n([tf.reduce_sum(tf.square(W)) for W in params[:depth]])
                    objective = objective + l2 * penalty
            grads = tape.gradient(objective, params)
            step = tf.cast(iteration + 1, dtype)  # Keras's local_step = iterations + 1
            params, slots = list(params), list(slots)
            for p in trainable:
                new_param, new_slots = optimizer_update(
                    params[p],
                    grads[p],
                    tuple(slots[p * n_slots : (p + 1) * n_slots]),
                    step,
                    hyper,
                    key.nesterov,
                )
                params[p] = new_param
                slots[p * n_slots : (p + 1) * n_slots] = list(new_slots)
            done = i + 1
            due = tf.logical_or(done % record_every == 0, done == steps)
            history, row = tf.cond(
                due,
                lambda: (record(history, row, done, params), row + 1),
                lambda: (history, row),
            )
            return done, iteration + 1, params, slots, perm, history, row

        _, iterations, params, slots, _, history, _ = tf.while_loop(
            lambda i, *_: i < steps,
            body,
            (tf.constant(0), iterations, params, slots, perm, history, tf.constant(1)),
            maximum_iterations=None,
        )
        return params, slots, iterations, history

    spec = tf.TensorSpec
    signature = [
        spec([None, n_in], dtype),  # x
        spec([None, n_out], dtype),  # t
        spec([None, n_in], dtype),  # x_test
        spec([None, n_out], dtype),  # t_test
        [spec(s, dtype) for s in param_shapes],
        [spec(s, dtype) for s in param_shapes for _ in range(n_slots)],
        spec([], tf.int64),  # iterations before this call
        spec([len(HYPER)], dtype),
        spec([2], dtype),  # accuracy thresholds: output, target
        spec([], dtype),  # l2
        spec([], tf.int32),  # steps
        spec([], tf.int32),  # record_every
        spec([None], tf.int8),  # batch_template: its length is the batch size
        spec([], tf.int32),  # shuffle seed
    ]
    return tf.function(run, input_signature=signature, jit_compile=key.jit_compile)


_PRIME = 2_147_483_647  # 2^31 − 1


def _mix(v):
    """An integer hash on [0, 2^31 − 1) made of exact int64 steps (no product passes 2^48),
    so the plain graph and XLA give the very same numbers (random ops may not)."""
    v = (v % _PRIME) * 48_271 % _PRIME
    v = tf.bitwise.bitwise_xor(v, tf.bitwise.right_shift(v, 16))
    return v * 69_621 % _PRIME


def epoch_permutation(n, seed, epoch):
    """The order of the training samples in one epoch: a permutation drawn from (seed, epoch)."""
    stream = _mix(_mix(tf.cast(seed, tf.int64)) + tf.cast(epoch, tf.int64) + 1)
    keys = _mix(tf.bitwise.bitwise_xor(_mix(tf.range(n, dtype=tf.int64) + stream), stream))
    return tf.argsort(tf.cast(keys, tf.float64), stable=True)


def _slot_order(slots_in: dict, names: tuple[str, ...], depth: int):
    """Flatten {slot: {"weights", "biases"}} into the loop's order: per param, per slot."""
    flat = []
    for group in ("weights", "biases"):
        for layer in range(depth):
            for name in names:
                flat.append(slots_in[name][group][layer])
    return flat


def history_rows(steps: int, record_every: int) -> int:
    """Entries in the history: step 0, every ``record_every`` steps, and the last step."""
    return 1 + steps // record_every + (1 if steps % record_every else 0)


def train(
    net: Network,
    x: np.ndarray,
    t: np.ndarray,
    loss: Loss,
    optimizer: OptimizerConfig,
    steps: int,
    *,
    from_logits: bool = False,
    reduction: str = "mean",
    x_test: np.ndarray | None = None,
    t_test: np.ndarray | None = None,
    batch_size: int | None = None,
    train_biases: bool = True,
    record_every: int = 1,
    l2: float = 0.0,
    accuracy: str = "none",
    thresholds: tuple[float, float] = (0.0, 0.0),
    seed: int = 0,
    state: TrainState | None = None,
    max_history_rows: int = 2001,
    jit_compile: bool = False,
) -> TrainResult:
    """Run ``steps`` updates of ``optimizer`` on (x, t) in one compiled call.

    ``state`` continues an earlier run (its weights, slots and iteration count); without it
    the run starts from the network's parameters with zero slots.
    """
    depth = net.depth
    n = len(x)
    minibatch = batch_size is not None and batch_size < n
    key = LoopKey(
        sizes=tuple(net.sizes),
        activations=tuple((a.name, tuple(sorted(a.params.items()))) for a in net.activations),
        loss=loss.name,
        from_logits=from_logits,
        reduction=reduction,
        optimizer=optimizer.name if optimizer.name != "momentum" else "sgd",
        slots=optimizer.slot_names,
        nesterov=optimizer.nesterov,
        dtype=net.dtype,
        minibatch=minibatch,
        train_biases=train_biases,
        accuracy=accuracy,
        history_rows=max_history_rows,
        l2=l2 > 0,
        jit_compile=jit_compile,
    )
    loop = _cache.get(key, lambda k: _make_loop(k, net.activations, loss, optimizer.rule.update))
    if state is None:
        state = initial_state(net, optimizer)
    dtype = net.tf_dtype
    empty_x, empty_t = np.zeros((0, net.sizes[0])), np.zeros((0, net.sizes[-1]))
    x_test = empty_x if x_test is None else x_test
    t_test = empty_t if t_test is None else t_test
    params = [tf.constant(p, dtype) for p in state.weights + state.biases]
    slots = [tf.constant(s, dtype) for s in _slot_order(state.slots, key.slots, depth)]
    with np.errstate(over="ignore"):
        out_params, out_slots, iterations, history = loop(
            tf.constant(x, dtype),
            tf.constant(t, dtype),
            tf.constant(x_test, dtype),
            tf.constant(t_test, dtype),
            params,
            slots,
            tf.constant(state.iterations, tf.int64),
            tf.constant(optimizer.hyper_vector(), dtype),
            tf.constant(thresholds, dtype),
            tf.constant(l2, dtype),
            tf.constant(steps, tf.int32),
            tf.constant(record_every, tf.int32),
            tf.zeros([batch_size if minibatch else 1], tf.int8),
            tf.constant(seed, tf.int32),
        )
    out_params = [p.numpy().astype(float) for p in out_params]
    flat_slots = [s.numpy().astype(float) for s in out_slots]
    new_slots = {name: {"weights": [], "biases": []} for name in key.slots}
    i = 0
    for group in ("weights", "biases"):
        for _layer in range(depth):
            for name in key.slots:
                new_slots[name][group].append(flat_slots[i])
                i += 1
    rows = history.numpy()[: history_rows(steps, record_every)]
    new_state = TrainState(out_params[:depth], out_params[depth:], new_slots, int(iterations))
    return TrainResult(
        new_state, [_history_entry(row, accuracy, n_test=len(x_test)) for row in rows]
    )


def _history_entry(row, accuracy: str, n_test: int) -> dict:
    entry = {"step": int(row[0]), "loss": float(row[1])}
    if accuracy != "none":
        entry["accuracy"] = float(row[2])
    if n_test:
        entry["test_loss"] = float(row[3])
        if accuracy != "none":
            entry["test_accuracy"] = float(row[4])
    return entry


def initial_state(net: Network, optimizer: OptimizerConfig) -> TrainState:
    """The network's parameters with every optimizer slot at zero (as Keras builds them)."""
    zeros = {
        name: {
            "weights": [np.zeros_like(w) for w in net.weights],
            "biases": [np.zeros_like(b) for b in net.biases],
        }
        for name in optimizer.slot_names
    }
    return TrainState([w.copy() for w in net.weights], [b.copy() for b in net.biases], zeros, 0)


def predict(net: Network, weights, biases, x: np.ndarray, upto: int | None = None):
    """Every layer's output ``a`` for inputs ``x`` (input layer first), eagerly."""
    dtype = net.tf_dtype
    a = tf.constant(x, dtype)
    outs = [a]
    for W, b, act in zip(weights, biases, net.activations, strict=True):
        a = act.tf(a @ tf.constant(W, dtype) + tf.constant(b, dtype))
        outs.append(a)
    return [o.numpy().astype(float) for o in outs]


def gradients(net: Network, weights, biases, x, t, loss: Loss, from_logits, reduction):
    """∂L/∂W and ∂L/∂b of the data loss on (x, t) at the given parameters (one tape)."""
    dtype = net.tf_dtype
    params = [tf.constant(p, dtype) for p in list(weights) + list(biases)]
    with tf.GradientTape() as tape:
        tape.watch(params)
        a = tf.constant(x, dtype)
        for W, b, act in zip(
            params[: net.depth], params[net.depth :], net.activations, strict=True
        ):
            a = act.tf(a @ W + b)
        value = reduce_batch(loss.tf_fn(tf.constant(t, dtype), a, from_logits), reduction)
    grads = [g.numpy().astype(float) for g in tape.gradient(value, params)]
    return grads[: net.depth], grads[net.depth :]
