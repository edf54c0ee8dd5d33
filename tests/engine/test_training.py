"""The compiled training loop against independent NumPy training loops and Keras's optimizers.

The oracle here is a small NumPy MLP written out in this file (forward pass, δ rule, and
each optimizer's update rule as its paper/Keras docs state it), not the app's code.
"""

import math
import re

import numpy as np
import pytest

from app.engine import datasets, training
from app.engine.losses import get_loss
from app.engine.network import build_network
from app.engine.optimizers import make_optimizer
from app.engine.tf import tf

# ---- The oracle: a NumPy MLP ------------------------------------------------------------

NP_ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "linear": (lambda z: z, lambda a: np.ones_like(a)),
}


def np_forward(Ws, bs, acts, x):
    outs = [x]
    for W, b, act in zip(Ws, bs, acts, strict=True):
        outs.append(NP_ACT[act][0](outs[-1] @ W + b))
    return outs


def np_loss(out, t, loss):
    """Per-batch loss, batch mean: half_sse = ½Σ(o−t)², mse = mean over outputs of (o−t)²."""
    per = 0.5 * ((out - t) ** 2).sum(1) if loss == "half_sse" else ((out - t) ** 2).mean(1)
    return per.mean()


def np_grads(Ws, bs, acts, x, t, loss):
    """∂L/∂W, ∂L/∂b by the δ rule: δ_L = ∂L/∂a ⊙ f′, δ_l = (δ_{l+1} Wᵀ) ⊙ f′."""
    outs = np_forward(Ws, bs, acts, x)
    batch, n_out = t.shape
    dl_da = (outs[-1] - t) if loss == "half_sse" else 2 * (outs[-1] - t) / n_out
    delta = dl_da / batch * NP_ACT[acts[-1]][1](outs[-1])
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for layer in reversed(range(len(Ws))):
        dWs[layer] = outs[layer].T @ delta
        dbs[layer] = delta.sum(0)
        if layer:
            delta = (delta @ Ws[layer].T) * NP_ACT[acts[layer - 1]][1](outs[layer])
    return dWs, dbs


class NumpyOptimizer:
    """Update rules as written in the sources (float64)."""

    def __init__(
        self,
        name,
        lr,
        momentum=0.0,
        nesterov=False,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        rho=0.9,
    ):
        self.__dict__.update(locals())
        self.state, self.t = {}, 0

    def step(self, params, grads):
        self.t += 1
        out = []
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            s = self.state.setdefault(i, {"m": np.zeros_like(p), "v": np.zeros_like(p)})
            if self.name == "sgd" and self.momentum == 0:
                p = p - self.lr * g
            elif self.name == "sgd":  # classical momentum; Nesterov as Sutskever et al. (2013)
                s["m"] = self.momentum * s["m"] - self.lr * g
                p = p + (self.momentum * s["m"] - self.lr * g if self.nesterov else s["m"])
            elif self.name == "adam":  # Kingma & Ba 2015, Alg. 1 with the ε̂ form of §2
                s["m"] = self.beta_1 * s["m"] + (1 - self.beta_1) * g
                s["v"] = self.beta_2 * s["v"] + (1 - self.beta_2) * g * g
                alpha = self.lr * math.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
                p = p - alpha * s["m"] / (np.sqrt(s["v"]) + self.epsilon)
            else:  # RMSprop (Hinton, lecture 6e), ε inside the root as Keras; optional momentum
                s["v"] = self.rho * s["v"] + (1 - self.rho) * g * g
                step = self.lr * g / np.sqrt(s["v"] + self.epsilon)
                s["m"] = self.momentum * s["m"] + step
                p = p - (s["m"] if self.momentum else step)
            out.append(p)
        return out


def np_train(Ws, bs, acts, x, t, loss, opt, steps, train_biases=True, order=None, batch=None):
    """A plain NumPy loop of ``steps`` updates; ``order(step)`` gives the batch's indices."""
    Ws, bs = [w.copy() for w in Ws], [b.copy() for b in bs]
    history = [np_loss(np_forward(Ws, bs, acts, x)[-1], t, loss)]
    for step in range(steps):
        idx = order(step) if order else slice(None)
        dWs, dbs = np_grads(Ws, bs, acts, x[idx], t[idx], loss)
        if train_biases:
            new = opt.step(Ws + bs, dWs + dbs)
            Ws, bs = new[: len(Ws)], new[len(Ws) :]
        else:
            Ws = opt.step(Ws, dWs)
        history.append(np_loss(np_forward(Ws, bs, acts, x)[-1], t, loss))
    return Ws, bs, history


# ---- Fixtures ---------------------------------------------------------------------------

MAZUR = {
    "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
}


def small_problem(seed=3, n=12):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, (n, 2))
    t = np.tanh(x[:, :1] * x[:, 1:2])
    net = build_network(
        [2, 3, 1], ["tanh", "linear"], init="glorot_uniform", seed=seed, dtype="float64"
    )
    return net, x, t


def run(net, x, t, loss, opt, steps, **kw):
    kw.setdefault("record_every", 1)
    return training.train(net, x, t, get_loss(loss), opt, steps, **kw)


# ---- Tests ------------------------------------------------------------------------------


def test_mazur_worked_example_after_10000_steps_matches_the_post_and_numpy():
    """Mazur's 2-2-2, lr 0.5, biases frozen: "after repeating this process 10,000 times ...
    the error plummets to 0.0000351085".

    The post's loop prints the error of each iteration's forward pass, made before that
    iteration's update: its 10,000th printout is the error after 9,999 updates, our history
    entry ``step = 9999``. (After the 10,000th update it is 0.0000351019, as NumPy agrees.)
    """
    net = build_network([2, 2, 2], "sigmoid", dtype="float64", **MAZUR)
    x, t = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    opt = make_optimizer("sgd", learning_rate=0.5)
    result = run(net, x, t, "half_sse", opt, 10_000, train_biases=False, record_every=9_999)
    assert [h["step"] for h in result.history] == [0, 9_999, 10_000]
    assert result.history[0]["loss"] == pytest.approx(0.298371108760003, abs=1e-15)
    assert round(result.history[1]["loss"], 10) == 0.0000351085  # the post's printed digits
    Ws, bs, hist = np_train(
        net.weights,
        net.biases,
        ["sigmoid"] * 2,
        x,
        t,
        "half_sse",
        NumpyOptimizer("sgd", 0.5),
        10_000,
        train_biases=False,
    )
    assert round(hist[9_999], 10) == 0.0000351085
    assert result.history[1]["loss"] == pytest.approx(hist[9_999], rel=1e-9, abs=1e-15)
    assert result.history[2]["loss"] == pytest.approx(hist[10_000], rel=1e-9, abs=1e-15)
    for ours, theirs in zip(result.state.weights, Ws, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(result.state.biases[0], [0.35, 0.35])  # frozen
    np.testing.assert_array_equal(result.state.biases[1], [0.60, 0.60])


# Hyper-parameters exact in float32: in float64 Keras still rounds its learning rate (a
# float32 variable) and the momentum/betas (cast from Python floats via float32) to float32.
EPS = 2.0**-20
OPTIMIZER_CASES = [
    ("sgd", {"learning_rate": 0.125}),
    ("momentum", {"learning_rate": 0.0625, "momentum": 0.75}),
    ("momentum", {"learning_rate": 0.0625, "momentum": 0.75, "nesterov": True}),
    ("adam", {"learning_rate": 0.015625, "beta_1": 0.875, "beta_2": 0.984375, "epsilon": EPS}),
    ("rmsprop", {"learning_rate": 0.0078125, "rho": 0.75, "epsilon": EPS}),
    ("rmsprop", {"learning_rate": 0.0078125, "rho": 0.75, "momentum": 0.5}),
]


@pytest.mark.parametrize("steps", [1, 6])
@pytest.mark.parametrize(("name", "hyper"), OPTIMIZER_CASES)
def test_each_optimizer_follows_its_textbook_rule(name, hyper, steps):
    net, x, t = small_problem()
    opt = make_optimizer(name, **hyper)
    result = run(net, x, t, "mse", opt, steps)
    np_name = "sgd" if name == "momentum" else name
    np_opt = NumpyOptimizer(
        np_name, hyper["learning_rate"], **{k: v for k, v in hyper.items() if k != "learning_rate"}
    )
    Ws, bs, hist = np_train(net.weights, net.biases, ["tanh", "linear"], x, t, "mse", np_opt, steps)
    for ours, theirs in zip(result.state.weights + result.state.biases, Ws + bs, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose([h["loss"] for h in result.history], hist, rtol=0, atol=1e-12)
    assert result.state.iterations == steps


KERAS = {"sgd": "SGD", "momentum": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}


@pytest.mark.parametrize(("name", "hyper"), OPTIMIZER_CASES)
def test_each_optimizer_equals_tensorflows_own_optimizer(name, hyper):
    """Same numbers as tf.keras.optimizers.<X>.apply_gradients on tf.Variables, 4 steps."""
    net, x, t = small_problem(seed=5)
    opt = make_optimizer(name, **hyper)
    result = run(net, x, t, "mse", opt, 4)
    variables = [tf.Variable(p, dtype=tf.float64) for p in net.weights + net.biases]
    keras_opt = getattr(tf.keras.optimizers, KERAS[name])(**hyper)
    xt, tt = tf.constant(x), tf.constant(t)
    for _ in range(4):
        with tf.GradientTape() as tape:
            a = xt
            for W, b, act in zip(variables[:2], variables[2:], (tf.tanh, tf.identity), strict=True):
                a = act(a @ W + b)
            value = tf.reduce_mean(tf.reduce_mean(tf.square(tt - a), axis=-1))
        keras_opt.apply_gradients(zip(tape.gradient(value, variables), variables, strict=True))
    for ours, var in zip(result.state.weights + result.state.biases, variables, strict=True):
        np.testing.assert_allclose(ours, var.numpy(), rtol=0, atol=1e-12)


def test_l2_penalty_adds_2_l2_w_to_the_weight_gradient_only():
    net, x, t = small_problem()
    result = run(net, x, t, "mse", make_optimizer("sgd", learning_rate=0.1), 1, l2=0.01)
    dWs, dbs = np_grads(net.weights, net.biases, ["tanh", "linear"], x, t, "mse")
    for ours, W, g in zip(result.state.weights, net.weights, dWs, strict=True):
        np.testing.assert_allclose(ours, W - 0.1 * (g + 2 * 0.01 * W), atol=1e-13)
    for ours, b, g in zip(result.state.biases, net.biases, dbs, strict=True):
        np.testing.assert_allclose(ours, b - 0.1 * g, atol=1e-13)


def test_minibatches_follow_the_epoch_permutations():
    """Batch k of epoch e is perm_e[kB:(k+1)B]; the n mod B leftover waits for the next shuffle."""
    net, x, t = small_problem(n=11)
    batch, steps, seed = 4, 7, 9  # 2 batches per epoch, so steps cross 3 epochs
    opt = make_optimizer("adam", learning_rate=0.05)
    result = run(net, x, t, "mse", opt, steps, batch_size=batch, seed=seed)
    perms = [
        training.epoch_permutation(11, tf.constant(seed), tf.constant(e)).numpy() for e in range(4)
    ]
    for perm in perms:
        assert sorted(perm.tolist()) == list(range(11))
    assert len({tuple(p) for p in perms}) == 4  # a fresh shuffle every epoch

    def order(step):
        epoch, k = divmod(step, 11 // batch)
        return perms[epoch][k * batch : (k + 1) * batch]

    Ws, bs, hist = np_train(
        net.weights,
        net.biases,
        ["tanh", "linear"],
        x,
        t,
        "mse",
        NumpyOptimizer("adam", 0.05),
        steps,
        order=order,
    )
    for ours, theirs in zip(result.state.weights + result.state.biases, Ws + bs, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose([h["loss"] for h in result.history], hist, atol=1e-12)


@pytest.mark.parametrize(
    ("name", "batch_size"), [("adam", 10), ("momentum", None), ("rmsprop", 1), ("sgd", 7)]
)
def test_two_chunks_of_50_steps_equal_one_run_of_100(name, batch_size):
    data = datasets.generate("circle", 60, 0.1, seed=2)
    x, t = data.x, datasets.targets_for(data, 1, signed=True)
    net = build_network([2, 4, 2, 1], "tanh", seed=4)  # float32: equality must be exact
    opt = make_optimizer(name, learning_rate=0.03)
    kw = {"batch_size": batch_size, "seed": 5, "record_every": 10}
    whole = run(net, x, t, "mse", opt, 100, **kw)
    first = run(net, x, t, "mse", opt, 50, **kw)
    second = run(net, x, t, "mse", opt, 50, state=first.state, **kw)
    assert second.state.iterations == whole.state.iterations == 100
    for a, b in zip(
        second.state.weights + second.state.biases,
        whole.state.weights + whole.state.biases,
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    for slot in whole.state.slots:
        for group in ("weights", "biases"):
            for a, b in zip(
                second.state.slots[slot][group], whole.state.slots[slot][group], strict=True
            ):
                np.testing.assert_array_equal(a, b)
    assert first.history[-1]["loss"] == second.history[0]["loss"] == whole.history[5]["loss"]
    assert second.history[-1]["loss"] == whole.history[-1]["loss"]


@pytest.mark.parametrize(
    ("steps", "every", "expected"),
    [(7, 3, [0, 3, 6, 7]), (6, 3, [0, 3, 6]), (0, 5, [0]), (1, 1, [0, 1]), (5, 10, [0, 5])],
)
def test_history_steps_start_at_0_end_at_steps_and_are_spaced_by_record_every(
    steps, every, expected
):
    net, x, t = small_problem()
    opt = make_optimizer("sgd", learning_rate=0.1)
    result = run(net, x, t, "mse", opt, steps, record_every=every)
    assert [h["step"] for h in result.history] == expected
    assert training.history_rows(steps, every) == len(expected)
    _, _, hist = np_train(
        net.weights, net.biases, ["tanh", "linear"], x, t, "mse", NumpyOptimizer("sgd", 0.1), steps
    )
    np.testing.assert_allclose(
        [h["loss"] for h in result.history], [hist[s] for s in expected], atol=1e-12
    )


XLA_CASES = [
    # (hidden, output activation, loss, from_logits, optimizer, options)
    ("tanh", "linear", "mse", False, ("adam", {"learning_rate": 0.01}), {}),
    ("sigmoid", "sigmoid", "binary_crossentropy", False, ("sgd", {"learning_rate": 0.3}), {}),
    ("relu", "linear", "binary_crossentropy", True, ("rmsprop", {"learning_rate": 0.01}), {}),
    ("leaky_relu", "softmax", "categorical_crossentropy", False, ("sgd", {"momentum": 0.9}), {}),
    ("elu", "linear", "categorical_crossentropy", True, ("adam", {}), {"regularization": "l1"}),
    ("selu", "tanh", "sse", False, ("sgd", {"momentum": 0.5, "nesterov": True}), {"l2": 0.01}),
    ("gelu", "linear", "half_sse", False, ("rmsprop", {"momentum": 0.3}), {"shuffle": False}),
    ("swish", "sigmoid", "mse", False, ("sgd", {}), {"regularization": "l2", "train_biases": 0}),
    ("softplus", "linear", "mse", False, ("adam", {}), {}),
]


@pytest.fixture
def xla_room(monkeypatch):
    """The process's graph cache, with room for this test's XLA programs: the cap counts the
    whole session's programs, and a run past it falls back to the plain graph."""
    cache = training.graph_cache()
    monkeypatch.setattr(cache, "max_xla_programs", cache.xla_programs + 4)
    return cache


@pytest.mark.parametrize("case", XLA_CASES, ids=[c[0] for c in XLA_CASES])
def test_xla_compiled_loop_agrees_with_the_plain_graph(case, xla_room):
    """Every activation, loss and optimizer family under XLA, each in a program specialised
    to its choices (training.compile_time_constants): the same numbers as the plain graph."""
    hidden, output, loss, logits, (name, hyper), options = case
    rng = np.random.default_rng(7)
    x = rng.normal(size=(12, 2))
    t = np.eye(2)[(x[:, 0] * x[:, 1] > 0).astype(int)]
    net = build_network([2, 3, 2], [hidden, output], seed=3, dtype="float64")
    opt = make_optimizer(name, **hyper)
    kw = {"from_logits": logits, "batch_size": 4, "seed": 1, "record_every": 5, **options}
    if options.get("regularization"):
        kw["regularization_rate"] = 0.01
    plain = run(net, x, t, loss, opt, 20, **kw)
    xla = run(net, x, t, loss, opt, 20, jit_compile=True, **kw)
    assert xla.xla and not plain.xla
    params = [r.state.weights + r.state.biases for r in (plain, xla)]
    for a, b in zip(*params, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(plain.history, xla.history, strict=True):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-10, abs=1e-12)
    assert xla_room.xla_programs <= xla_room.max_xla_programs


def _xla_problem():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(12, 2))
    return x, (x[:, :1] * x[:, 1:] > 0).astype(float)


def test_xla_programs_are_specialised_to_the_choices_and_capped(monkeypatch):
    """The same shapes with another activation or optimizer are another program, counted by
    the cap; a known one is reused; past the cap the run takes the plain graph, whose numbers
    it then has to the bit."""
    cache = training.graph_cache()
    monkeypatch.setattr(cache, "max_xla_programs", cache.xla_programs + 2)
    x, t = _xla_problem()
    tanh = build_network([2, 3, 1], "tanh", seed=4, dtype="float64")
    relu = build_network([2, 3, 1], ["relu", "sigmoid"], seed=4, dtype="float64")
    sgd, adam = make_optimizer("sgd", learning_rate=0.3), make_optimizer("adam")
    kw = {"batch_size": 4, "seed": 2, "record_every": 5}
    before = cache.xla_programs
    for net, opt in ((tanh, sgd), (relu, sgd), (tanh, sgd)):
        xla = run(net, x, t, "mse", opt, 15, jit_compile=True, **kw)
        plain = run(net, x, t, "mse", opt, 15, **kw)
        assert xla.xla
        for a, b in zip(xla.state.weights, plain.state.weights, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert cache.xla_programs == before + 2  # tanh's program served its second run
    over = run(tanh, x, t, "mse", adam, 15, jit_compile=True, **kw)
    plain = run(tanh, x, t, "mse", adam, 15, **kw)
    assert not over.xla and cache.xla_programs == before + 2
    for a, b in zip(over.state.weights, plain.state.weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("batch_size", "conditionals"), [(4, 2), (None, 0)])
def test_an_xla_program_holds_only_the_chosen_branches(
    xla_room, monkeypatch, batch_size, conditionals
):
    """With the choices compile-time constants, XLA compiles no activation, loss or optimizer
    conditional: with batches, the epoch's new tables and its shuffle stay (they change at
    run time); with the whole set as the batch, nothing does."""
    get, hlo = xla_room.get, []

    def spy(kind, depth, dtype, xla=False):
        loop = get(kind, depth, dtype, xla=xla)
        if kind != "train" or not xla:
            return loop

        def call(*args):
            hlo.append(loop.experimental_get_compiler_ir(*args)(stage="optimized_hlo"))
            return loop(*args)

        return call

    monkeypatch.setattr(xla_room, "get", spy)
    x, t = _xla_problem()
    net = build_network([2, 4, 1], ["elu", "sigmoid"], seed=5, dtype="float64")
    opt = make_optimizer("rmsprop", momentum=0.5)
    result = run(net, x, t, "binary_crossentropy", opt, 6, batch_size=batch_size, jit_compile=True)
    assert result.xla and len(hlo) == 1
    assert len(re.findall(r"\bconditional\(", hlo[0])) == conditionals


def test_one_compiled_loop_per_depth_serves_every_architecture():
    """New widths, activations, losses, optimizers, batching and lengths reuse one loop."""
    cache = training.loop_cache()
    x = np.random.default_rng(0).normal(size=(8, 2))
    t = np.tanh(x[:, :1])
    opt = make_optimizer("sgd", learning_rate=0.1)
    run(build_network([2, 1, 1], "tanh", seed=0), x, t, "mse", opt, 3)
    loop = cache.get("train", 2, "float32")
    before = (len(cache), cache.builds)
    for hidden in range(1, 6):
        for act in ("tanh", "relu", "sigmoid"):
            net = build_network([2, hidden, 1], [act, "linear"], seed=hidden)
            run(net, x, t, "mse", opt, 3)
    net = build_network([2, 5, 1], "tanh", seed=0)
    for name in ("adam", "rmsprop", "momentum"):
        run(net, x, t, "half_sse", make_optimizer(name, learning_rate=0.01), 4, batch_size=3)
    for steps, every, n in [(5, 1, 8), (17, 4, 8), (40, 7, 6)]:
        run(net, x[:n], t[:n], "mse", opt, steps, record_every=every)
    assert (len(cache), cache.builds) == before
    assert cache.get("train", 2, "float32") is loop
