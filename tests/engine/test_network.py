"""network.py: spec validation (errors name the loc), initial weights, float32 rounding."""

import numpy as np
import pytest

from app.engine.errors import SpecError
from app.engine.network import (
    INITIALIZERS,
    MAX_SEED,
    NetworkLimits,
    build_network,
    check_inputs,
    check_matrix,
    check_sizes,
    initial_params,
    parse_activations,
)
from app.engine.tf import tf

LIMITS = NetworkLimits(max_layers=3, max_units=5)


def _loc(fn, *args, **kwargs):
    with pytest.raises(SpecError) as err:
        fn(*args, **kwargs)
    return err.value.loc


def test_check_sizes():
    assert check_sizes([2, 5, 1], LIMITS) == [2, 5, 1]
    assert _loc(check_sizes, [3], LIMITS) == ("layers",)
    assert _loc(check_sizes, [1, 1, 1, 1, 1], LIMITS) == ("layers",)  # 4 layers after input
    assert check_sizes([1, 1, 1, 1], LIMITS) == [1, 1, 1, 1]
    assert _loc(check_sizes, [2, 6, 1], LIMITS) == ("layers", 1)
    assert _loc(check_sizes, [2, 3, 0], LIMITS) == ("layers", 2)


def test_check_matrix():
    out = check_matrix([[1, 2], [3, 4], [5, 6]], 3, 2, ("weights", 0), "W")
    assert out.dtype == np.float64 and out.shape == (3, 2)
    assert _loc(check_matrix, [[1, 2]], 3, 2, ("weights", 0), "W") == ("weights", 0)
    assert _loc(check_matrix, [], 3, 2, ("weights", 0), "W") == ("weights", 0)
    assert _loc(check_matrix, [[1, 2], [3], [5, 6]], 3, 2, ("weights", 1), "W") == ("weights", 1, 1)


def test_check_inputs():
    np.testing.assert_array_equal(check_inputs([[1, 2]], 2, 4), [[1.0, 2.0]])
    assert _loc(check_inputs, [], 2, 4) == ("inputs",)
    assert _loc(check_inputs, [[1, 2]] * 5, 2, 4) == ("inputs",)
    assert _loc(check_inputs, [[1, 2], [1, 2, 3]], 2, 4) == ("inputs", 1)
    assert _loc(check_inputs, [[1]], 2, 4, loc=("x",)) == ("x", 0)


def test_parse_activations():
    acts = parse_activations("tanh", 3)
    assert [a.name for a in acts] == ["tanh"] * 3
    acts = parse_activations({"name": "leaky_relu", "alpha": 0.1}, 2)
    assert [a.params for a in acts] == [{"alpha": 0.1}] * 2
    acts = parse_activations(["relu", {"name": "softmax"}], 2)
    assert [a.name for a in acts] == ["relu", "softmax"]
    assert _loc(parse_activations, ["relu"], 2) == ("activations",)
    assert _loc(parse_activations, ["relu", "nope"], 2) == ("activations", 1)


def test_glorot_uniform_is_reproducible_within_its_limit():
    sizes = [4, 5, 3]
    w1, b1 = initial_params(sizes, "glorot_uniform", 42, "float64")
    w2, _ = initial_params(sizes, "glorot_uniform", 42, "float64")
    w3, _ = initial_params(sizes, "glorot_uniform", 43, "float64")
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(w1[0], w3[0])
    for W, (fan_in, fan_out) in zip(w1, [(4, 5), (5, 3)], strict=True):
        assert W.shape == (fan_in, fan_out)
        assert np.abs(W).max() <= np.sqrt(6.0 / (fan_in + fan_out))
    for b in b1:
        np.testing.assert_array_equal(b, 0.0)
    # Layer l draws from the stateless stream [seed, l]: the same numbers TF gives directly.
    limit = np.sqrt(6.0 / 9.0)
    direct = tf.random.stateless_uniform([4, 5], [42, 1], -limit, limit, dtype=tf.float64)
    np.testing.assert_array_equal(w1[0], direct.numpy())


def test_initial_params_returns_copies():
    w, _ = initial_params([2, 2], "glorot_uniform", 1, "float64")
    w[0][0, 0] = 123.0
    again, _ = initial_params([2, 2], "glorot_uniform", 1, "float64")
    assert again[0][0, 0] != 123.0


def test_he_normal_spread_and_fixed_initialisers():
    w, _ = initial_params([64, 64], "he_normal", 3, "float64")
    std = np.sqrt(2.0 / 64)
    assert np.abs(w[0]).max() <= 2 * std / 0.87962566103423978  # truncated at 2σ
    assert w[0].std() == pytest.approx(std, rel=0.1)
    w, b = initial_params([2, 3], "ones", 0, "float32")
    np.testing.assert_array_equal(w[0], np.ones((2, 3)))
    np.testing.assert_array_equal(b[0], np.ones(3))
    w, b = initial_params([2, 3], "zeros", 0, "float32")
    assert not w[0].any() and not b[0].any()
    assert set(INITIALIZERS) == {"glorot_uniform", "he_normal", "random_normal", "zeros", "ones"}


def test_initial_params_errors():
    assert _loc(initial_params, [2, 2], "xavier", 0, "float32") == ("init",)
    assert _loc(initial_params, [2, 2], "zeros", -1, "float32") == ("seed",)
    assert _loc(initial_params, [2, 2], "zeros", MAX_SEED + 1, "float32") == ("seed",)


def test_build_network_rounds_given_numbers_to_float32():
    net = build_network([1, 1], "linear", weights=[[[0.1]]], biases=[[1e-46]], dtype="float32")
    assert net.weights[0][0, 0] == float(np.float32(0.1)) != 0.1
    assert net.biases[0][0] == 0.0  # below float32's smallest subnormal
    net64 = build_network([1, 1], "linear", weights=[[[0.1]]], dtype="float64")
    assert net64.weights[0][0, 0] == 0.1
    assert net.depth == 1 and net.tf_dtype == tf.float32
    W, b = net.tf_params()
    assert W[0].dtype == tf.float32 and b[0].numpy()[0] == 0.0


def test_build_network_fills_in_what_is_not_given():
    init_w, _ = initial_params([2, 3, 1], "glorot_uniform", 5, "float64")
    given = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    net = build_network([2, 3, 1], "tanh", weights=[given, None], seed=5, dtype="float64")
    np.testing.assert_array_equal(net.weights[0], given)
    np.testing.assert_array_equal(net.weights[1], init_w[1])
    np.testing.assert_array_equal(net.biases[1], [0.0])


def test_build_network_errors_name_the_loc():
    assert _loc(build_network, [2, 1], dtype="float16") == ("dtype",)
    assert _loc(build_network, [2, 1], weights=[[[1.0]], [[1.0]]]) == ("weights",)
    assert _loc(build_network, [2, 1], biases=[]) == ("biases",)
    assert _loc(build_network, [2, 3, 1], weights=[None, [[1.0]] * 2]) == ("weights", 1)
    assert _loc(build_network, [2, 3, 1], biases=[[0.0, 0.0], None]) == ("biases", 0)
    assert _loc(build_network, [2, 3, 1], activations=["relu"]) == ("activations",)
    assert _loc(build_network, [2] * 10) == ("layers",)  # default limit: 8 layers
    assert _loc(build_network, [2, 65]) == ("layers", 1)  # default limit: 64 units
