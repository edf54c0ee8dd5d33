"""codegen.py: the generated script runs and prints the numbers /backprop's engine gives.

The script is executed in-process (``exec``, stdout captured) to spare a second TensorFlow
start-up; it sees nothing of the engine, only the source text.
"""

import contextlib
import io
import json

import numpy as np
import pytest

from app.engine.activations import ACTIVATIONS
from app.engine.backprop import backprop
from app.engine.codegen import backprop_script
from app.engine.errors import SpecError
from app.engine.losses import LOSSES, prepare_targets
from app.engine.network import build_network
from app.engine.tf import tf


def _run_script(source: str) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "generated.py", "exec"), {"__name__": "__main__"})
    return json.loads(out.getvalue())


CASES = [
    # layers, activations, loss, from_logits, reduction, dtype, train_biases
    ([3, 4, 2], ["tanh", "softmax"], "categorical_crossentropy", False, "mean", "float64", True),
    (
        [2, 3, 2],
        [{"name": "leaky_relu", "alpha": 0.1}, "linear"],
        "binary_crossentropy",
        True,
        "sum",
        "float64",
        False,
    ),
    ([3, 1], ["sigmoid"], "mse", False, "mean", "float32", True),
]


@pytest.mark.parametrize("case", CASES, ids=["cce_f64", "bce_logits_sum", "mse_f32"])
def test_generated_script_prints_the_engines_numbers(case):
    layers, acts, loss_name, logits, reduction, dtype, train_biases = case
    rng = np.random.default_rng(len(layers) + layers[0])
    net = build_network(layers, acts, seed=3, dtype=dtype)
    inputs = rng.normal(size=(3, layers[0])).tolist()
    raw = rng.integers(0, 2, size=(3, layers[-1])).astype(float).tolist()
    if loss_name == "categorical_crossentropy":
        raw = [0, 1, 1]
    loss = LOSSES[loss_name]
    targets = prepare_targets(raw, loss, layers[-1], 3)
    source = backprop_script(net, inputs, targets, loss_name, logits, reduction, 0.25, train_biases)
    printed = _run_script(source)
    engine = backprop(net, np.array(inputs), targets, loss, logits, reduction, 0.25, train_biases)
    tol = {"float64": 1e-12, "float32": 1e-6}[dtype]
    assert printed["loss"] == pytest.approx(engine.loss, rel=tol, abs=tol)
    np.testing.assert_allclose(printed["per_sample_loss"], engine.per_sample_loss, tol, tol)
    for key in ("z", "a", "delta", "dW", "db", "W_next", "b_next"):
        for ours, theirs in zip(printed[key], getattr(engine, key), strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=key)
    if not train_biases:
        for b_next, b in zip(printed["b_next"], net.biases, strict=True):
            np.testing.assert_array_equal(b_next, b)


def test_numbers_are_written_exactly():
    net = build_network([1, 1], "linear", weights=[[[0.1]]], biases=[[1 / 3]], dtype="float64")
    source = backprop_script(net, [[2.0 / 7.0]], [[0.3]], "sse", False, "mean", 0.1, True)
    assert repr(1 / 3) in source and repr(2.0 / 7.0) in source
    compile(source, "generated.py", "exec")


def test_every_activation_snippet_is_the_registry_op_bit_for_bit():
    z = tf.constant(np.linspace(-3, 3, 12).reshape(3, 4), tf.float64)
    for name, spec in ACTIVATIONS.items():
        snippet = spec.code
        assert snippet, name
        fn = eval(snippet.format(alpha=0.1), {"tf": tf})
        params = {"alpha": 0.1} if name == "leaky_relu" else {}
        expected = ACTIVATIONS[name].tf_fn(z, **params).numpy()
        np.testing.assert_array_equal(fn(z).numpy(), expected, err_msg=name)


def test_every_loss_snippet_is_the_registry_loss_bit_for_bit():
    t = tf.constant([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], tf.float32)
    a = tf.constant([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]], tf.float32)
    cases = [(name, logits) for name in LOSSES for logits in (False, True)]
    for name, logits in cases:
        snippet = LOSSES[name].code[logits]
        namespace = {"tf": tf}
        exec(snippet, namespace)
        expected = LOSSES[name].tf_fn(t, a, logits).numpy()
        got = namespace["loss_per_sample"](t, a).numpy()
        np.testing.assert_array_equal(got, expected, err_msg=f"{name} {logits}")


def test_errors():
    net = build_network([1, 1], "linear", dtype="float64")
    with pytest.raises(SpecError) as err:
        backprop_script(net, [[1.0]], [[1.0]], "hinge", False, "mean", 0.1, True)
    assert err.value.loc == ("loss",)
    with pytest.raises(SpecError) as err:
        backprop_script(net, [[1.0]], [[1.0]], "mse", False, "median", 0.1, True)
    assert err.value.loc == ("reduction",)
