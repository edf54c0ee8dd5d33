"""Training: the whole loop of gradient steps inside ONE compiled TensorFlow graph.

A Python loop over steps pays TensorFlow's per-call overhead on every step; here
``tf.while_loop`` runs all of them in one call, with ``steps``, ``record_every`` and the
starting iteration passed as tensors so a new request never retraces. Everything else the
user picks (widths, activations, loss, optimizer and its hyper-parameters, batching,
regularisation, train_biases) is a tensor too, so there is one loop per depth and dtype in
the engine's graph cache (graphs.py), whatever the architecture.

History semantics: entry ``step = k`` is the loss on the WHOLE training set after k updates
of this call; step 0 comes first, then every ``record_every`` updates, and the last entry is
``step = steps``. Mini-batches: each epoch is a fresh permutation of the training set drawn
from (seed, epoch) in the graph, cut into ``n // batch_size`` batches (the remainder waits
for the next epoch's shuffle), so a run split into chunks takes exactly the same batches.
With ``shuffle=False`` the batches follow TF Playground instead (see ``batch_plan``).
"""

from dataclasses import dataclass

import numpy as np

from app.engine import core
from app.engine.graphs import flat_params, graph_cache, pack, param_layout, unpack, unpack_params
from app.engine.losses import Loss
from app.engine.network import Network
from app.engine.optimizers import OptimizerConfig
from app.engine.tf import tf

BATCH_MODE = {name: i for i, name in enumerate(core.BATCH_MODES)}

HISTORY_COLUMNS = ("step", "loss", "accuracy", "test_loss", "test_accuracy")


@dataclass
class TrainState:
    """Parameters and optimizer state: what a run starts from and ends with."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    slots: dict[str, dict[str, list[np.ndarray]]]  # slot → {"weights": [...], "biases": [...]}
    iterations: int  # updates applied so far (Keras's optimizer.iterations)
    # Weights an L1 step carried across zero (Playground's dead links): 1 = dead.
    dead: list[np.ndarray] | None = None


@dataclass
class TrainResult:
    state: TrainState
    history: list[dict]
    # ∂L/∂W and ∂L/∂b of the data loss on the whole training set at the final state.
    grad_weights: list[np.ndarray]
    grad_biases: list[np.ndarray]
    # Whether the loop ran compiled with XLA (asked for, and within max_xla_programs).
    xla: bool = False


def loop_cache():
    """The engine's one graph cache (the training loops live there with every other graph)."""
    return graph_cache()


def make_loop(depth: int, dtype, xla: bool):
    """The compiled training loop of one depth and dtype: everything else is a tensor.

    The state is packed: one vector θ of every weight and bias (graphs.unpack_params's
    layout), the optimizer's two slot vectors and the dead-weight mask, so the optimizer and
    the regulariser each run once per step on the whole vector. Per step: pick the batch
    (whole set, shuffled per epoch, or Playground's fixed order), one tape for ∂L/∂W and
    ∂L/∂b (core.gradients), the optimizer step (core.update), Playground's regularisation
    step on the weights (core.regularize). The steps run in chunks of ``record_every``, each
    followed by the loss and accuracy on the whole training and test sets.
    """

    def run(
        x,
        t,
        x_test,
        t_test,
        theta,
        sizes,
        slot_0,
        slot_1,
        dead,
        iterations,
        codes,
        act_params,
        loss,
        is_sum,
        family,
        hyper,
        regularization,
        regularization_rate,
        l2,
        train_biases,
        accuracy,
        thresholds,
        steps,
        record_every,
        batch_mode,
        batch_size,
        batch_template,
        seed,
        history_template,
    ):
        lr = core.learning_rate(hyper)
        if xla:
            # The choices become compile-time constants: one XLA program per choice, holding
            # only the chosen branches. The loss's branch is looked up here, outside the
            # loops, so that its case index is a constant inside them as well.
            x = compile_time_constants(x, [codes, loss, family, batch_mode])
            loss = core.resolve_loss(loss)

        def choices():
            """Per layer the activation code and parameter, and the hyper-parameters."""
            return (
                tf.unstack(codes, depth),
                tf.unstack(act_params, depth),
                tf.unstack(hyper, len(core.H)),
            )

        # Where to unstack them: once per run under XLA, where the slices are constants that
        # the loops' cases (steps and history alike) compile to their one branch; once per
        # step in a plain graph, whose loop pays four control-flow ops an iteration for
        # every tensor it carries in, and where one unstack is one op.
        hoisted = choices() if xla else None
        n = tf.shape(x)[0]
        width = tf.shape(batch_template)[0]  # B, or B + remainder in Playground's order
        per_epoch = tf.cast(tf.maximum(n // batch_size, 1), tf.int64)
        # Playground's order carries the epoch's last n mod B samples into the next batch.
        remainder = tf.where(tf.equal(batch_mode, 2), n % batch_size, 0)
        j = tf.range(width)
        identity = tf.range(n)
        layout = param_layout(sizes, depth)
        n_weights = tf.reduce_sum(sizes[:-1] * sizes[1:])
        is_weight = tf.range(tf.shape(theta)[0]) < n_weights
        penalty = core.penalty(is_weight, regularization, regularization_rate, lr)
        l2_scale = core.l2_scale(l2, is_weight)
        frozen = tf.logical_and(tf.logical_not(is_weight), tf.logical_not(train_biases))

        def permutation(k):
            return epoch_permutation(n, seed, tf.cast(k // per_epoch, tf.int32))

        def epoch_batches(k):
            """Every step of the epoch that holds step k, as tables indexed by k mod the steps
            per epoch: the batch's inputs and targets, the samples' weights (0 for the
            padding of a short batch) and the loss's divisor. Built once per epoch (once per
            run for the whole set), so a step only looks its batch up.

            Shuffling cuts this epoch's permutation into batches; the whole set is one batch
            of size n; Playground's order starts every epoch after the first with the last
            epoch's n mod B samples."""
            shuffled = tf.cast(tf.equal(batch_mode, 1), tf.int32)
            perm = core.case(shuffled, [lambda: identity, lambda: permutation(k)])
            pos = tf.range(tf.cast(per_epoch, tf.int32))[:, None]
            rows = tf.gather(perm, tf.minimum(pos * batch_size + j, n - 1))
            carry = (pos == 0) & (k >= per_epoch) & (remainder > 0)
            carried = tf.where(j < remainder, n - remainder + j, j - remainder)
            index = tf.where(carry, carried, rows)
            padding = tf.logical_and(tf.logical_not(carry), j >= batch_size)
            weight = tf.where(padding, tf.zeros([], dtype), tf.ones([], dtype))
            divisor = tf.where(is_sum, tf.ones([], dtype), tf.reduce_sum(weight, axis=1))
            return tf.gather(x, index), tf.gather(t, index), weight, divisor

        def evaluate(xs, ts, weights, biases):
            """Loss and accuracy on a whole set (NaN for an empty set: a mean of nothing)."""
            layer_codes, layer_params, _ = hoisted or (codes, act_params, None)
            _, outs = core.forward(xs, weights, biases, layer_codes, layer_params)
            out = outs[-1]
            per = core.per_sample_loss(ts, out, loss)
            count = tf.cast(tf.shape(xs)[0], dtype)
            value = core.batch_loss(per, None, tf.where(is_sum, tf.ones([], dtype), count))
            threshold = tf.equal(out[:, 0] >= thresholds[0], ts[:, 0] >= thresholds[1])
            argmax = tf.equal(tf.argmax(out, axis=-1), tf.argmax(ts, axis=-1))
            hits = tf.where(tf.equal(accuracy, 2), argmax, threshold)
            share = tf.reduce_mean(tf.cast(hits, dtype))
            return value, tf.where(tf.equal(accuracy, 0), tf.constant(np.nan, dtype), share)

        def record(history, row, done, theta):
            weights, biases = unpack_params(theta, sizes, depth, layout)
            loss_value, acc = evaluate(x, t, weights, biases)
            test_loss, test_acc = evaluate(x_test, t_test, weights, biases)
            values = tf.stack([tf.cast(done, dtype), loss_value, acc, test_loss, test_acc])
            return tf.tensor_scatter_nd_update(history, [[row]], [values])

        def step(i, k, theta, slot_0, slot_1, dead, batches):
            new_epoch = tf.logical_and(tf.not_equal(batch_mode, 0), tf.equal(k % per_epoch, 0))
            # A case, not tf.cond: kept as a call, the epoch's tables are not visited each step.
            batches = core.case(
                tf.cast(new_epoch, tf.int32), [lambda: batches, lambda: epoch_batches(k)]
            )
            pos = tf.cast(k % per_epoch, tf.int32)
            xb, tb, weight, divisor = (tf.gather(table, pos) for table in batches)
            weights, biases = unpack_params(theta, sizes, depth, layout)
            step_codes, step_params, hyper_entries = hoisted or choices()
            out = core.gradients(
                (weights, biases, step_codes, step_params),
                xb,
                tb,
                loss,
                divisor,
                sample_weight=weight,
                params_only=True,
            )
            grad = pack(out["dW"] + out["db"]) + core.l2_gradient(theta, l2_scale)
            local_step = tf.cast(k + 1, dtype)  # Keras's local_step = iterations + 1
            (stepped,), slots = core.update(
                [theta], [grad], [slot_0, slot_1], local_step, family, hyper_entries
            )
            # Weights dead before this step and frozen biases stay put; a weight the L1 step
            # kills now becomes 0 (regularize) and stays there from the next step on.
            keep = tf.logical_or(dead, frozen)
            stepped, dead = core.regularize(theta, stepped, dead, penalty)
            theta = tf.where(keep, theta, stepped)
            slot_0, slot_1 = (
                tf.where(keep, old, new) for old, new in zip((slot_0, slot_1), slots, strict=True)
            )
            return i + 1, k + 1, theta, slot_0, slot_1, dead, batches

        def chunk(done, k, theta, slot_0, slot_1, dead, batches, history, row):
            count = tf.minimum(record_every, steps - done)
            _, k, theta, slot_0, slot_1, dead, batches = tf.while_loop(
                lambda i, *_: i < count,
                step,
                (tf.constant(0), k, theta, slot_0, slot_1, dead, batches),
            )
            done = done + count
            history = record(history, row, done, theta)
            return done, k, theta, slot_0, slot_1, dead, batches, history, row + 1

        rows = tf.shape(history_template)[0]
        history = tf.fill([rows, len(HISTORY_COLUMNS)], tf.constant(np.nan, dtype))
        history = record(history, 0, 0, theta)
        # The tables of the epoch the run starts in (mid-epoch when it continues a run).
        batches = epoch_batches(iterations - iterations % per_epoch)
        _, iterations, theta, slot_0, slot_1, dead, _, history, _ = tf.while_loop(
            lambda done, *_: done < steps,
            chunk,
            (tf.constant(0), iterations, theta, slot_0, slot_1, dead, batches, history, 1),
        )
        # The data loss's gradient on the whole training set where the run ends (what a
        # frame draws on the edges), from the same verb as the steps.
        weights, biases = unpack_params(theta, sizes, depth, layout)
        whole = tf.where(is_sum, tf.ones([], dtype), tf.cast(n, dtype))
        args = (weights, biases, codes, act_params)
        final = core.gradients(args, x, t, loss, whole, params_only=True)
        grad = pack(final["dW"] + final["db"])
        return theta, slot_0, slot_1, dead, iterations, history, grad

    spec = tf.TensorSpec
    vector = spec([None], dtype)
    signature = [
        spec([None, None], dtype),  # x
        spec([None, None], dtype),  # t
        spec([None, None], dtype),  # x_test
        spec([None, None], dtype),  # t_test
        vector,  # θ: every weight and bias, packed
        spec([depth + 1], tf.int32),  # layer sizes
        vector,  # the optimizer's first slot, packed like θ
        vector,  # its second slot
        spec([None], tf.bool),  # dead weights (L1), packed like θ
        spec([], tf.int64),  # iterations before this call
        spec([depth], tf.int32),  # activation codes
        spec([depth], dtype),  # activation parameters
        spec([], tf.int32),  # loss code
        spec([], tf.bool),  # reduction is "sum"
        spec([], tf.int32),  # optimizer family
        spec([len(core.H)], dtype),  # optimizer hyper-parameters
        spec([], tf.int32),  # regularization: 0 none, 1 L1, 2 L2
        spec([], dtype),  # regularization rate
        spec([], dtype),  # l2 (Keras's penalty in the objective)
        spec([], tf.bool),  # train biases
        spec([], tf.int32),  # accuracy: 0 none, 1 threshold, 2 argmax
        spec([2], dtype),  # accuracy thresholds: output, target
        spec([], tf.int32),  # steps
        spec([], tf.int32),  # record_every
        spec([], tf.int32),  # batch mode (core.BATCH_MODES)
        spec([], tf.int32),  # batch size
        spec([None], tf.int8),  # batch template: its length is the rows per step
        spec([], tf.int32),  # shuffle seed
        spec([None], tf.int8),  # history template: its length is the history's rows
    ]
    function = tf.function(run, input_signature=signature, jit_compile=xla, autograph=False)
    return function if xla else function.get_concrete_function()


def compile_time_constants(x, choices):
    """``x`` unchanged, through an op that makes XLA take ``choices`` as compile-time constants.

    tf2xla compiles a function for the *values* of the inputs some op needs as constants (a
    reshape's shape, a slice's size: the layer sizes already are such inputs) and keys its
    program cache on them. A reshape of ``x`` to its own shape plus 0·Σchoices makes the
    choices such inputs: each XLA program is specialised to the activations, loss, optimizer
    and batching it runs, and a ``Case`` whose index is then a constant compiles only the
    chosen branch. A 2-4-2-1 training loop goes from 26 conditionals to 2 (the epoch's
    tables), its step from 7.2 to 6.3 µs with batches of 10 (12.6 to 9.6 µs full batch), and
    its compile from 7.5 to 4.4 s. The graph is the same one for every choice (the bound on
    graphs holds); the programs are bounded by ``max_xla_programs``, whose key includes the
    choices (see :func:`train`). Were a TensorFlow to stop specialising, the cases would run
    as conditionals, with the same numbers.
    """
    pin = tf.add_n([tf.reduce_sum(c) for c in choices]) * 0
    return tf.reshape(x, tf.shape(x) + pin)


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


def history_rows(steps: int, record_every: int) -> int:
    """Entries in the history: step 0, every ``record_every`` steps, and the last step."""
    return 1 + steps // record_every + (1 if steps % record_every else 0)


def batch_plan(n: int, batch_size: int | None, shuffle: bool) -> tuple[int, int, int]:
    """(mode, batch size, rows per step) for ``n`` training samples.

    Full batch when no size is given or it covers the set. Shuffled: a fresh permutation each
    epoch cut into ``n // B`` batches (the remainder waits for the next epoch's shuffle).
    Playground's order (``shuffle=False``): the data's own order every epoch, an update every
    ``B`` samples within the epoch, and the ``n mod B`` samples left at an epoch's end join
    the first batch of the next epoch (B + remainder rows, divided by their number).
    """
    if batch_size is None or batch_size >= n:
        return BATCH_MODE["full"], n, n
    if shuffle:
        return BATCH_MODE["shuffled"], batch_size, batch_size
    return BATCH_MODE["ordered"], batch_size, batch_size + n % batch_size


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
    shuffle: bool = True,
    train_biases: bool = True,
    record_every: int = 1,
    l2: float = 0.0,
    regularization: str | None = None,
    regularization_rate: float = 0.0,
    accuracy: str = "none",
    thresholds: tuple[float, float] = (0.0, 0.0),
    seed: int = 0,
    state: TrainState | None = None,
    max_history_rows: int | None = None,
    jit_compile: bool = False,
) -> TrainResult:
    """Run ``steps`` updates of ``optimizer`` on (x, t) in one compiled call.

    ``state`` continues an earlier run (its weights, slots, dead weights and iteration
    count); without it the run starts from the network's parameters with zero slots.
    ``max_history_rows`` is accepted for compatibility: the history is sized to the run.
    """
    depth = net.depth
    if state is None:
        state = initial_state(net, optimizer)
    mode, batch, width = batch_plan(len(x), batch_size, shuffle)
    rows = history_rows(steps, record_every)
    dtype = net.tf_dtype
    x_test = np.zeros((0, net.sizes[0])) if x_test is None else x_test
    t_test = np.zeros((0, net.sizes[-1])) if t_test is None else t_test
    codes, act_params = core.activation_codes(net.activations)
    loss_code = core.loss_code(loss.name, from_logits)
    # An XLA program is specialised to the shapes, the layer sizes and the choices the loop
    # takes as compile-time constants (compile_time_constants).
    choices = (tuple(codes), loss_code, optimizer.family_code, mode)
    shape_key = (depth, net.dtype, tuple(net.sizes), len(x), len(x_test), width, rows, choices)
    xla = bool(jit_compile) and graph_cache().admit_xla(shape_key)
    loop = graph_cache().get("train", depth, net.dtype, xla=xla)
    slot_0, slot_1 = _internal_slots(state, optimizer)
    dead = state.dead or [np.zeros_like(w) for w in state.weights]
    dead = flat_params([np.asarray(d) > 0 for d in dead], [np.zeros_like(b) for b in state.biases])
    with np.errstate(over="ignore"):
        theta, out_0, out_1, out_dead, iterations, history, grad = loop(
            tf.constant(x, dtype),
            tf.constant(t, dtype),
            tf.constant(x_test, dtype),
            tf.constant(t_test, dtype),
            tf.constant(flat_params(state.weights, state.biases), dtype),
            tf.constant(net.sizes, tf.int32),
            tf.constant(slot_0, dtype),
            tf.constant(slot_1, dtype),
            tf.constant(dead > 0),
            tf.constant(state.iterations, tf.int64),
            tf.constant(codes, tf.int32),
            tf.constant(act_params, dtype),
            tf.constant(loss_code, tf.int32),
            tf.constant(reduction == "sum"),
            tf.constant(optimizer.family_code, tf.int32),
            tf.constant(optimizer.hyper_vector(), dtype),
            tf.constant(core.REGULARIZATIONS.index(regularization), tf.int32),
            tf.constant(regularization_rate, dtype),
            tf.constant(l2, dtype),
            tf.constant(bool(train_biases)),
            tf.constant(core.ACCURACY.index(accuracy), tf.int32),
            tf.constant(thresholds, dtype),
            tf.constant(steps, tf.int32),
            tf.constant(record_every, tf.int32),
            tf.constant(mode, tf.int32),
            tf.constant(batch, tf.int32),
            tf.zeros([width], tf.int8),
            tf.constant(seed, tf.int32),
            tf.zeros([rows], tf.int8),
        )
    shapes = [w.shape for w in state.weights] + [b.shape for b in state.biases]
    params = unpack(theta.numpy().astype(float), shapes)
    slots = [unpack(v.numpy().astype(float), shapes) for v in (out_0, out_1)]
    dead_out = unpack(out_dead.numpy().astype(float), shapes)[:depth]
    new_state = TrainState(
        params[:depth],
        params[depth:],
        _api_slots(slots, optimizer, depth),
        int(iterations),
        dead_out if regularization == "l1" or state.dead else None,
    )
    grads = unpack(grad.numpy().astype(float), shapes)
    return TrainResult(
        new_state,
        [_history_entry(row, accuracy, n_test=len(x_test)) for row in history.numpy()],
        grads[:depth],
        grads[depth:],
        xla,
    )


def _internal_slots(state: TrainState, optimizer: OptimizerConfig) -> list[np.ndarray]:
    """The loop's two slot vectors, packed like θ: zeros where the optimizer keeps none."""
    slots = [
        [np.zeros_like(p) for p in state.weights] + [np.zeros_like(b) for b in state.biases]
        for _ in range(2)
    ]
    for name, groups in state.slots.items():
        slots[optimizer.slot_index(name)] = list(groups["weights"]) + list(groups["biases"])
    return [flat_params(s[: len(state.weights)], s[len(state.weights) :]) for s in slots]


def _api_slots(slots: list[list[np.ndarray]], optimizer: OptimizerConfig, depth: int) -> dict:
    """The slots the API reports, named as Keras names them (only those the optimizer keeps)."""
    out = {}
    for name in optimizer.slot_names:
        values = slots[optimizer.slot_index(name)]
        out[name] = {"weights": values[:depth], "biases": values[depth:]}
    return out


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


def predict(net: Network, weights, biases, x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output ``a`` for inputs ``x`` (input layer first), one compiled call."""
    run = graph_cache().get("forward", net.depth, net.dtype)
    codes, params = core.activation_codes(net.activations)
    dtype = net.tf_dtype
    x = np.asarray(x, dtype=float)
    packed = run(
        tf.constant(x, dtype),
        tf.constant(flat_params(weights, biases), dtype),
        tf.constant(net.sizes, tf.int32),
        tf.constant(codes, tf.int32),
        tf.constant(params, dtype),
    )
    outs = unpack(packed.numpy().astype(float), [(len(x), n) for n in net.sizes[1:]])
    return [x] + outs
