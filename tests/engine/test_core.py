"""core.py: the verbs with tensor codes against the TensorFlow ops and Keras optimizers."""

import keras
import numpy as np
import pytest

from app.engine import core
from app.engine.activations import ACTIVATIONS, bind
from app.engine.losses import LOSSES
from app.engine.optimizers import H, make_optimizer
from app.engine.tf import tf

DTYPES = [tf.float32, tf.float64]
Z = np.array([[-4.0, -1.3, -0.2, 0.1, 0.9], [2.5, -0.7, 0.4, 3.3, -2.2]])
ALPHA = float(np.float32(0.2))


def _direct(name, z):
    """The TensorFlow op itself, called as a user would call it."""
    if name == "leaky_relu":
        return tf.nn.leaky_relu(z, alpha=0.2)
    if name == "gelu":
        return tf.nn.gelu(z, approximate=False)
    if name == "softmax":
        return tf.nn.softmax(z, axis=-1)
    if name == "linear":
        return z
    return {
        "sigmoid": tf.sigmoid,
        "tanh": tf.tanh,
        "relu": tf.nn.relu,
        "elu": tf.nn.elu,
        "selu": tf.nn.selu,
        "swish": tf.nn.silu,
        "softplus": tf.nn.softplus,
    }[name](z)


_COMPILED = {}


def _compiled_activate(dtype, xla):
    """activate(z, code) and its gradient for upstream ``dy``, in one tf.function."""
    key = (dtype, xla)
    if key not in _COMPILED:
        spec = [tf.TensorSpec([None, None], dtype), tf.TensorSpec([], tf.int32)]
        spec += [tf.TensorSpec([], dtype), tf.TensorSpec([None, None], dtype)]

        def run(z, code, param, dy):
            with tf.GradientTape() as tape:
                tape.watch(z)
                a = core.activate(z, code, param)
            return a, tape.gradient(a, z, output_gradients=dy)

        _COMPILED[key] = tf.function(run, input_signature=spec, jit_compile=xla)
    return _COMPILED[key]


def _assert_ulps(got, want, name, ulps=8):
    """Equal to a few units in the last place: a graph's optimiser (grappler, XLA) may
    reorder a gradient's arithmetic where the eager op does not."""
    got, want = got.numpy(), want.numpy()
    eps = np.finfo(got.dtype).eps
    np.testing.assert_allclose(got, want, rtol=ulps * eps, atol=ulps * eps * 1e-3, err_msg=name)


def _specialised(name, dtype, xla):
    """The op itself and its own gradient: eagerly, or compiled by XLA alone."""

    def run(z, dy):
        with tf.GradientTape() as tape:
            tape.watch(z)
            a = _direct(name, z)
        return a, tape.gradient(a, z, output_gradients=dy)

    spec = [tf.TensorSpec([None, None], dtype)] * 2  # shapes open, as in the engine
    return tf.function(run, input_signature=spec, jit_compile=True) if xla else run


@pytest.mark.parametrize("xla", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_activate_with_a_tensor_code_is_the_op_bit_for_bit(dtype, xla):
    """The chosen op's value and gradient, exactly as the op alone gives them, eagerly or
    under XLA (the gradient runs the op's own registered gradient, not a copy of it)."""
    z = tf.constant(Z, dtype)
    dy = tf.constant(np.cos(3 * Z), dtype)
    run = _compiled_activate(dtype, xla)
    for name in ACTIVATIONS:
        code = tf.constant(core.ACTIVATION_CODE[name], tf.int32)
        got, grad = run(z, code, tf.constant(ALPHA, dtype), dy)
        want, want_grad = _specialised(name, dtype, xla)(z, dy)
        if xla:
            _assert_ulps(got, want, name)
        else:
            np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=name)
        _assert_ulps(grad, want_grad, name)
        # Called eagerly with a Python int, the same numbers.
        eager = core.activate(z, core.ACTIVATION_CODE[name], ALPHA).numpy()
        np.testing.assert_allclose(eager, got.numpy(), rtol=0 if not xla else 1e-6, err_msg=name)


def test_activation_codes_round_alpha_to_float32():
    codes, params = core.activation_codes([bind("tanh"), bind("leaky_relu", {"alpha": 0.1})])
    assert codes == [list(ACTIVATIONS).index("tanh"), list(ACTIVATIONS).index("leaky_relu")]
    assert params == [0.0, float(np.float32(0.1))]
    assert params[1] != 0.1


def test_loss_code_layout():
    names = list(LOSSES)
    for i, name in enumerate(names):
        assert core.loss_code(name, False) == 2 * i
        assert core.loss_code(name, True) == 2 * i + 1


T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
OUT = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]])
_LOSS_FN = {}


def _with_gradient(loss_fn):
    """loss_fn(t, a) per sample and its gradient with respect to a (upstream: 1, 2, …)."""

    def run(t, a, *code):
        with tf.GradientTape() as tape:
            tape.watch(a)
            per = loss_fn(t, a, *code)
        weights = tf.cast(tf.range(1, tf.shape(per)[0] + 1), per.dtype)
        return per, tape.gradient(per, a, output_gradients=weights)

    return run


def _compiled_loss(dtype, xla):
    if (dtype, xla) not in _LOSS_FN:
        spec = [tf.TensorSpec([None, None], dtype)] * 2 + [tf.TensorSpec([], tf.int32)]
        _LOSS_FN[dtype, xla] = tf.function(
            _with_gradient(core.per_sample_loss), input_signature=spec, jit_compile=xla
        )
    return _LOSS_FN[dtype, xla]


@pytest.mark.parametrize("xla", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_per_sample_loss_with_a_tensor_code_is_the_registry_bit_for_bit(dtype, xla):
    """Each loss's value and gradient with respect to the outputs, exactly as the loss alone
    gives them, eagerly or under XLA."""
    t, a = tf.constant(T, dtype), tf.constant(OUT, dtype)
    run = _compiled_loss(dtype, xla)
    for name, loss in LOSSES.items():
        for logits in (False, True):
            code = core.loss_code(name, logits)
            got, grad = run(t, a, tf.constant(code, tf.int32))
            alone = _with_gradient(lambda t, a, fn=loss.tf_fn, lg=logits: fn(t, a, lg))
            spec = [tf.TensorSpec([None, None], dtype)] * 2  # shapes open, as in the engine
            if xla:
                alone = tf.function(alone, input_signature=spec, jit_compile=True)
            want, want_grad = alone(t, a)
            _assert_ulps(got, want, name)
            _assert_ulps(grad, want_grad, name)
            if not xla:
                np.testing.assert_array_equal(got, loss.tf_fn(t, a, logits).numpy(), err_msg=name)
                np.testing.assert_array_equal(core.per_sample_loss(t, a, code).numpy(), got)
    # MSE is tf.losses.MSE, i.e. reduce_mean, to the last bit.
    mse = run(t, a, tf.constant(core.loss_code("mse", False), tf.int32))[0].numpy()
    if not xla:
        np.testing.assert_array_equal(mse, tf.reduce_mean(tf.square(t - a), axis=-1).numpy())
        np.testing.assert_array_equal(mse, keras.losses.mean_squared_error(t, a).numpy())


def test_batch_loss_mean_sum_and_sample_weights():
    per = tf.constant([1.0, 2.0, 6.0], tf.float64)
    assert core.batch_loss(per, None, 3.0).numpy() == 3.0
    assert core.batch_loss(per, None, 1.0).numpy() == 9.0
    weights = tf.constant([1.0, 0.0, 0.5], tf.float64)
    assert core.batch_loss(per, weights, 1.5).numpy() == pytest.approx(4.0 / 1.5, rel=1e-15)


def test_fprime_is_np_der_for_every_elementwise_activation():
    names = [n for n, a in ACTIVATIONS.items() if a.elementwise]
    z = Z.ravel()  # no zeros: selu's f′ at 0 differs (see test_activations)
    zs = [tf.constant(z, tf.float64) for _ in names]
    codes = [core.ACTIVATION_CODE[n] for n in names]
    der = core.fprime(zs, codes, [ALPHA] * len(names))
    for name, d in zip(names, der, strict=True):
        np.testing.assert_allclose(d.numpy(), bind(name).np_der(z), rtol=1e-7, err_msg=name)


def test_fprime_with_tensor_codes_zeroes_softmax():
    zs = [tf.constant(Z, tf.float64)] * 2
    codes = [tf.constant(core.SOFTMAX_CODE), tf.constant(core.ACTIVATION_CODE["tanh"])]
    soft, tanh = core.fprime(zs, codes, [tf.constant(0.0, tf.float64)] * 2)
    np.testing.assert_array_equal(soft.numpy(), np.zeros_like(Z))
    np.testing.assert_allclose(tanh.numpy(), 1 - np.tanh(Z) ** 2, rtol=1e-12, atol=1e-16)


def test_gradients_with_an_l2_penalty_add_2_l2_w():
    rng = np.random.default_rng(3)
    W = [tf.constant(rng.normal(size=(2, 3)), tf.float64)]
    b = [tf.constant(rng.normal(size=3), tf.float64)]
    x = tf.constant(rng.normal(size=(4, 2)), tf.float64)
    t = tf.constant(rng.normal(size=(4, 3)), tf.float64)
    args = (W, b, [core.ACTIVATION_CODE["linear"]], [0.0])
    code = core.loss_code("half_sse", False)
    plain = core.gradients(args, x, t, code, 4.0)
    data = core.gradients(args, x, t, code, 4.0, params_only=True)
    packed = tf.concat([tf.reshape(W[0], [-1]), b[0]], 0)
    is_weight = tf.range(9) < 6
    l2 = core.l2_gradient(packed, core.l2_scale(tf.constant(0.3, tf.float64), is_weight))
    with_l2 = {"dW": [data["dW"][0] + tf.reshape(l2[:6], [2, 3])], "db": [data["db"][0] + l2[6:]]}
    # Linear layer, ½SSE, mean over 4: dW = xᵀ(xW + b − t) / 4, by hand.
    residual = x.numpy() @ W[0].numpy() + b[0].numpy() - t.numpy()
    np.testing.assert_allclose(plain["dW"][0].numpy(), x.numpy().T @ residual / 4, rtol=1e-13)
    np.testing.assert_allclose(plain["db"][0].numpy(), residual.sum(0) / 4, rtol=1e-13)
    np.testing.assert_allclose(
        with_l2["dW"][0].numpy(), x.numpy().T @ residual / 4 + 0.6 * W[0].numpy(), rtol=1e-13
    )
    np.testing.assert_allclose(with_l2["db"][0].numpy(), residual.sum(0) / 4, rtol=1e-13)


# ---- update: against Keras's own optimizer objects ---------------------------------------

KERAS_CASES = [
    ("sgd", {"learning_rate": 0.1}, lambda: keras.optimizers.SGD(0.1)),
    ("momentum", {"learning_rate": 0.1, "momentum": 0.9}, lambda: keras.optimizers.SGD(0.1, 0.9)),
    (
        "momentum",
        {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True},
        lambda: keras.optimizers.SGD(0.05, 0.8, nesterov=True),
    ),
    (
        "adam",
        {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6},
        lambda: keras.optimizers.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    ),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.8}, lambda: keras.optimizers.RMSprop(0.01, 0.8)),
    (
        "rmsprop",
        {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.5},
        lambda: keras.optimizers.RMSprop(0.01, 0.9, momentum=0.5),
    ),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("name", "given", "make_keras"),
    KERAS_CASES,
    ids=["sgd", "momentum", "nesterov", "adam", "rmsprop", "rmsprop_momentum"],
)
def test_update_follows_keras_over_several_steps(name, given, make_keras, dtype):
    rng = np.random.default_rng(7)
    start = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    grads_per_step = [[rng.normal(size=p.shape) for p in start] for _ in range(4)]
    config = make_optimizer(name, **given)
    vector = config.hyper_vector()
    # Keras rounds these to float32 even for float64 weights (a float32 learning-rate
    # variable; ops.cast(python_float, float64) goes through float32), while 1 − β stays a
    # Python double; the engine takes the doubles it is given, so hand it Keras's values.
    for key in ("learning_rate", "momentum", "beta_1", "beta_2"):
        vector[H[key]] = float(np.float32(vector[H[key]]))
    hyper = tf.constant(vector, dtype)
    params = [tf.constant(p, dtype) for p in start]
    slots = [tf.zeros_like(p) for p in params for _ in range(2)]
    variables = [keras.Variable(p, dtype=dtype) for p in start]
    optimizer = make_keras()
    for step, grads in enumerate(grads_per_step, 1):
        g = [tf.constant(v, dtype) for v in grads]
        params, slots = core.update(
            params, g, slots, tf.constant(float(step), dtype), config.family_code, hyper
        )
        optimizer.apply_gradients(zip(g, variables, strict=True))
        rtol = 1e-6 if dtype == "float32" else 1e-14
        for ours, theirs in zip(params, variables, strict=True):
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=rtol, atol=rtol)


def test_update_plain_sgd_is_w_minus_lr_g_exactly():
    config = make_optimizer("sgd", learning_rate=0.3)
    w = tf.constant([1.0, -2.0, 0.5], tf.float64)
    g = tf.constant([0.1, 0.2, -0.4], tf.float64)
    (new,), _ = core.update(
        [w], [g], [tf.zeros_like(w)] * 2, tf.constant(1.0, tf.float64), 0,
        tf.constant(config.hyper_vector(), tf.float64),
    )  # fmt: skip
    np.testing.assert_array_equal(new.numpy(), w.numpy() - 0.3 * g.numpy())


# ---- regularize: Playground's updateWeights --------------------------------------------


def _regularize(w_old, w_new, dead, code, rate=0.5, lr=0.1):
    f64 = tf.float64
    w_old = tf.constant(w_old, f64)
    is_weight = tf.ones(w_old.shape, tf.bool)
    rate, lr = tf.constant(rate, f64), tf.constant(lr, f64)
    penalty = core.penalty(is_weight, tf.constant(code), rate, lr)
    w, d = core.regularize(w_old, tf.constant(w_new, f64), tf.constant(dead), penalty)
    return w.numpy(), d.numpy()


def test_regularize_none_leaves_the_step_alone():
    w, dead = _regularize([0.3, -0.2], [0.25, -0.1], [False, False], 0)
    np.testing.assert_array_equal(w, [0.25, -0.1])
    np.testing.assert_array_equal(dead, [False, False])


def test_regularize_l2_subtracts_lr_rate_w_old():
    w_old, w_new = np.array([0.3, -0.2, 2.0]), np.array([0.25, -0.1, 1.9])
    w, dead = _regularize(w_old, w_new, [False] * 3, 2, rate=0.5, lr=0.1)
    np.testing.assert_allclose(w, w_new - 0.1 * 0.5 * w_old, rtol=1e-15)
    assert not dead.any()


def test_regularize_l1_moves_by_sign_and_kills_a_crossing_weight():
    # rate·lr = 0.05: 0.3 → 0.25 − 0.05; 0.02 → 0.01 − 0.05 < 0 crosses zero → 0 and dead.
    w, dead = _regularize([0.3, 0.02, -0.5], [0.25, 0.01, -0.4], [False] * 3, 1)
    np.testing.assert_allclose(w, [0.2, 0.0, -0.35], rtol=1e-14)
    np.testing.assert_array_equal(dead, [False, True, False])
    # A dead weight keeps its old value whatever the step says, and stays dead.
    w, dead = _regularize([0.0, 0.4], [0.7, 0.3], [True, False], 1)
    np.testing.assert_allclose(w, [0.0, 0.25], rtol=1e-14)
    np.testing.assert_array_equal(dead, [True, False])


def _cases(function) -> list[tuple[int, bool]]:
    """(branch count, lowered to switch/merge?) of every Case op in a traced graph."""
    graph = function.graph.as_graph_def()
    nodes = list(graph.node) + [n for f in graph.library.function for n in f.node_def]
    return [
        (len(n.attr["branches"].list.func), n.attr["_lower_using_switch_merge"].b)
        for n in nodes
        if n.op in ("Case", "StatelessCase")
    ]


def test_big_cases_stay_calls_and_activation_cases_are_lowered():
    """The loss, the optimizer and the epoch tables run only their chosen branch in a plain
    graph (a lowered case visits every branch's ops each step); the activation cases, small
    and many, are lowered so that their branches are not instantiated as functions one by
    one (docs/engine.md: memory)."""
    from app.engine.graphs import build_backprop
    from app.engine.training import make_loop

    n_act = len(ACTIVATIONS)
    for function in (build_backprop(2, tf.float32, False), make_loop(2, tf.float32, False)):
        cases = _cases(function)
        activation = [lowered for branches, lowered in cases if branches == n_act]
        other = [lowered for branches, lowered in cases if branches != n_act]
        assert activation and all(activation)
        assert other and not any(other)
    # The training loop's calls include the optimizer (one) and the epoch's two conditions.
    calls = [b for b, lowered in _cases(make_loop(1, tf.float64, False)) if not lowered]
    assert calls.count(len(core.FAMILIES)) == 1 and calls.count(2) >= 2
    assert calls.count(len(core._LOSS_BRANCHES)) >= 2  # the loss and its gradient, at least
