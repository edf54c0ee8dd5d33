"""graphs.py: packing, the cache's key space, its bound, the XLA cap and warm-up.

Uses fresh GraphCache instances (never the process-wide one) and builds only the cheap
"forward" graph of depth 1 and 2.
"""

import threading
import time

import numpy as np
import pytest

from app.engine import core, graphs
from app.engine.activations import bind
from app.engine.graphs import (
    KINDS,
    GraphCache,
    backprop_tensors,
    flat_params,
    network_tensors,
    pack,
    unpack,
    unpack_params,
)
from app.engine.network import build_network
from app.engine.tf import tf

RNG = np.random.default_rng(5)
SIZES = [3, 4, 2]
WEIGHTS = [RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))]
BIASES = [RNG.normal(size=4), RNG.normal(size=2)]


def test_flat_params_layout_and_unpack_round_trip():
    flat = flat_params(WEIGHTS, BIASES)
    assert flat.shape == (12 + 8 + 4 + 2,)
    # W₁ row-major first, then W₂, then the biases.
    np.testing.assert_array_equal(flat[:4], WEIGHTS[0][0])
    np.testing.assert_array_equal(flat[12:14], WEIGHTS[1][0])
    np.testing.assert_array_equal(flat[20:24], BIASES[0])
    parts = unpack(flat, [(3, 4), (4, 2), (4,), (2,)])
    for got, expected in zip(parts, WEIGHTS + BIASES, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert unpack(np.arange(3.0), [(), (2,)])[0].shape == ()


def test_unpack_params_in_tensorflow_matches_numpy():
    flat = tf.constant(flat_params(WEIGHTS, BIASES), tf.float64)
    weights, biases = unpack_params(flat, tf.constant(SIZES), 2)
    for got, expected in zip(weights + biases, WEIGHTS + BIASES, strict=True):
        np.testing.assert_array_equal(got.numpy(), expected)


def test_pack_flattens_in_order():
    out = pack([tf.constant([[1.0, 2.0], [3.0, 4.0]]), tf.constant(5.0), tf.constant([6.0])])
    np.testing.assert_array_equal(out.numpy(), [1, 2, 3, 4, 5, 6])


def test_bound_is_kinds_times_depth_times_dtypes_plus_xla_loops():
    assert KINDS == ("backprop", "forward", "train", "slice_grid", "slice_descend")
    assert GraphCache(8).bound == 5 * 8 * 2 + 8 * 2 == 96
    assert GraphCache(3).bound == 5 * 3 * 2 + 3 * 2


@pytest.mark.parametrize(
    ("kind", "depth", "dtype", "xla"),
    [
        ("backward", 1, "float32", False),
        ("forward", 0, "float32", False),
        ("forward", 3, "float32", False),
        ("forward", 1, "float16", False),
        ("forward", 1, "float32", True),  # only "train" has an XLA variant
    ],
)
def test_get_rejects_keys_outside_the_space(kind, depth, dtype, xla):
    cache = GraphCache(max_depth=2)
    with pytest.raises(ValueError):
        cache.get(kind, depth, dtype, xla)
    assert len(cache) == 0 and cache.builds == 0


def test_admit_xla_caps_distinct_shapes():
    cache = GraphCache(max_depth=2, max_xla_programs=2)
    assert cache.admit_xla(("a",)) and cache.admit_xla(("b",))
    assert cache.xla_programs == 2
    assert not cache.admit_xla(("c",))  # a third shape: over the cap
    assert cache.admit_xla(("a",))  # a known shape is always admitted
    assert cache.xla_programs == 2


def test_warm_with_stop_set_builds_nothing():
    cache = GraphCache(max_depth=2)
    stop = threading.Event()
    stop.set()
    assert cache.warm(stop=stop) == 0
    assert len(cache) == 0 and cache.builds == 0


def test_forward_graph_is_built_once_and_serves_any_width():
    cache = GraphCache(max_depth=2)
    run = cache.get("forward", 2, "float64")
    assert cache.get("forward", 2, "float64") is run
    assert cache.builds == 1 and cache.keys() == [("forward", 2, "float64", False)]
    for sizes in ([3, 4, 2], [2, 5, 1]):
        rng = np.random.default_rng(len(sizes) + sizes[1])
        weights = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:], strict=False)]
        biases = [rng.normal(size=b) for b in sizes[1:]]
        x = rng.normal(size=(6, sizes[0]))
        acts = [bind("tanh"), bind("sigmoid")]
        codes, params = core.activation_codes(acts)
        out = run(
            tf.constant(x),
            tf.constant(flat_params(weights, biases)),
            tf.constant(sizes),
            tf.constant(codes),
            tf.constant(params, tf.float64),
        ).numpy()
        hidden = np.tanh(x @ weights[0] + biases[0])
        output = 1 / (1 + np.exp(-(hidden @ weights[1] + biases[1])))
        np.testing.assert_allclose(out, np.concatenate([hidden.ravel(), output.ravel()]), 1e-14)
    assert cache.builds == 1  # a new width reused the graph


def test_warm_builds_missing_graphs_shallow_first_and_stops_when_asked(monkeypatch):
    built, stop = [], threading.Event()

    def fake_builder(kind):
        def build(depth, dtype, xla):
            built.append((kind, depth))
            if kind == "forward":
                stop.set()  # warm checks the event before every graph
            return object()

        return build

    for kind in KINDS:
        monkeypatch.setitem(graphs.BUILDERS, kind, fake_builder(kind))
    cache = GraphCache(max_depth=2)
    assert cache.warm(depths=[2], dtypes=["float64"], stop=stop) == 2
    assert built == [("backprop", 2), ("forward", 2)]
    assert cache.warm(depths=[2], dtypes=["float64"]) == 3  # the other three kinds
    assert cache.builds == 5 and len(cache) == 5
    assert cache.warm() == 5 * 3  # depth 1 both dtypes, depth 2 float32
    assert built[5] == ("backprop", 1)  # shallow networks first


def test_network_tensors():
    net = build_network([2, 2], "leaky_relu", dtype="float32", seed=1)
    tensors = network_tensors(net, [[1.0, 2.0]] * 3, [[0.0, 1.0]] * 3, "mse", False, "mean")
    x, t, flat, sizes, codes, params, loss, divisor = tensors
    assert x.dtype == tf.float32 and flat.shape == (6,)
    assert sizes.numpy().tolist() == [2, 2]
    assert codes.numpy().tolist() == [core.ACTIVATION_CODE["leaky_relu"]]
    assert params.numpy()[0] == np.float32(0.2)
    assert loss.numpy() == core.loss_code("mse", False)
    assert divisor.numpy() == 3.0
    summed = network_tensors(net, [[1.0, 2.0]] * 3, [[0.0, 1.0]] * 3, "mse", False, "sum")
    assert summed[-1].numpy() == 1.0


def test_backprop_tensors_pack_every_number_and_integer_in_order():
    net = build_network([2, 3, 2], ["leaky_relu", "sigmoid"], dtype="float64", seed=1)
    x, t = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]
    floats, ints = backprop_tensors(net, x, t, "categorical_crossentropy", True, "sum", 0.25, False)
    theta = flat_params(net.weights, net.biases)
    assert floats.dtype == tf.float64 and ints.dtype == tf.int32
    expected = np.concatenate([np.ravel(x), np.ravel(t), theta, [np.float32(0.2), 0.0], [1, 0.25]])
    np.testing.assert_array_equal(floats.numpy(), expected)
    codes = [core.ACTIVATION_CODE["leaky_relu"], core.ACTIVATION_CODE["sigmoid"]]
    loss = core.loss_code("categorical_crossentropy", True)
    assert ints.numpy().tolist() == [3, 2, loss, 0, 2, 3, 2, *codes]
    mean = backprop_tensors(net, x, t, "mse", False, "mean", 0.25, True)
    assert mean[0].numpy()[-2] == 3.0 and mean[1].numpy()[3] == 1
    # In float32 every number is cast on its own, as separate tensors would cast it.
    net32 = build_network([2, 3, 2], "tanh", dtype="float32", seed=1)
    x32, t32 = [[0.1, 0.2]], [[0.3, 0.7]]
    floats32, _ = backprop_tensors(net32, x32, t32, "mse", False, "mean", 0.1, True)
    assert floats32.dtype == tf.float32
    assert floats32.numpy()[0] == np.float32(0.1) and floats32.numpy()[-1] == np.float32(0.1)


def _logging_builders(monkeypatch, log):
    def fake_builder(kind):
        def build(depth, dtype, xla):
            log.append(("build", kind))
            return object()

        return build

    for kind in KINDS:
        monkeypatch.setitem(graphs.BUILDERS, kind, fake_builder(kind))


def test_warm_builds_each_graph_only_when_requests_are_quiet(monkeypatch):
    """``idle`` is asked before every build, and a build follows only a "quiet" answer."""
    monkeypatch.setattr(graphs, "IDLE_POLL_SECONDS", 0.001)
    log, answers = [], iter([False, False, True, False, True, True, False, False, False, True])
    _logging_builders(monkeypatch, log)

    def idle():
        quiet = next(answers, True)
        log.append(("idle", quiet))
        return quiet

    assert GraphCache(max_depth=1).warm(dtypes=["float64"], idle=idle) == len(KINDS)
    builds = [i for i, entry in enumerate(log) if entry[0] == "build"]
    assert len(builds) == len(KINDS)
    assert all(log[i - 1] == ("idle", True) for i in builds)
    assert sum(entry == ("idle", False) for entry in log) == 6  # it waited through each


def test_warm_stops_while_waiting_for_quiet(monkeypatch):
    log, stop = [], threading.Event()
    _logging_builders(monkeypatch, log)
    threading.Timer(0.2, stop.set).start()
    start = time.monotonic()
    assert GraphCache(max_depth=1).warm(stop=stop, idle=lambda: False) == 0
    assert log == [] and time.monotonic() - start < 2
