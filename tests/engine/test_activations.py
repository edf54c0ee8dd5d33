"""activations.py: every registry entry against closed forms, central differences and TF."""

import math

import numpy as np
import pytest

from app.engine.activations import (
    ACTIVATIONS,
    SELU_ALPHA,
    SELU_SCALE,
    bind,
    softmax_jacobian,
)
from app.engine.errors import SpecError
from app.engine.tf import tf

Z = np.array([-6.0, -2.5, -1.0, -0.3, 0.0, 0.2, 0.7, 1.5, 3.0, 8.0])
ALPHA = 0.2


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def _phi(z):  # standard normal CDF
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


# f written out from its textbook definition, one scalar at a time.
CLOSED_FORMS = {
    "linear": lambda z: z,
    "sigmoid": _sig,
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "leaky_relu": lambda z: z if z > 0 else ALPHA * z,
    "elu": lambda z: z if z > 0 else math.exp(z) - 1.0,
    "selu": lambda z: SELU_SCALE * (z if z > 0 else SELU_ALPHA * (math.exp(z) - 1.0)),
    "gelu": lambda z: z * _phi(z),
    "swish": lambda z: z * _sig(z),
    "softplus": lambda z: math.log1p(math.exp(z)),
}
ELEMENTWISE = [name for name, a in ACTIVATIONS.items() if a.elementwise]


def test_closed_forms_cover_every_elementwise_entry():
    assert sorted(CLOSED_FORMS) == sorted(ELEMENTWISE)
    assert [n for n, a in ACTIVATIONS.items() if not a.elementwise] == ["softmax"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_tf_and_numpy_match_the_closed_form_in_float64(name):
    act = bind(name)
    expected = np.array([CLOSED_FORMS[name](float(z)) for z in Z])
    # leaky_relu's α lives in a float32 attribute and gelu's 1/√2 is a float32 constant.
    rtol = 1e-6 if name in ("leaky_relu", "gelu") else 1e-14
    np.testing.assert_allclose(act.np(Z), expected, rtol=rtol, atol=1e-15)
    got_tf = act.tf(tf.constant(Z, tf.float64)).numpy()
    np.testing.assert_allclose(got_tf, expected, rtol=rtol, atol=1e-15)
    np.testing.assert_allclose(got_tf, act.np(Z), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_np_der_matches_central_differences(name):
    act = bind(name)
    z = Z[Z != 0.0]  # relu, leaky_relu, elu and selu have a kink at 0
    h = 1e-6
    numeric = (act.np(z + h) - act.np(z - h)) / (2 * h)
    np.testing.assert_allclose(act.np_der(z), numeric, rtol=1e-6, atol=1e-8)


def _tape_der(act, z):
    z = tf.constant(z, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        a = act.tf(z)
    return tape.gradient(a, z).numpy()


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_np_der_matches_the_tape(name):
    act = bind(name)
    z = Z
    np.testing.assert_allclose(_tape_der(act, z), act.np_der(z), rtol=1e-7, atol=1e-15)


def test_selu_derivative_at_zero_is_tensorflows():
    act = bind("selu")
    assert _tape_der(act, np.array([0.0]))[0] == pytest.approx(SELU_SCALE, rel=1e-15)
    np.testing.assert_allclose(act.np_der(np.array([0.0])), [SELU_SCALE], rtol=1e-15)


def test_relu_derivative_at_zero_is_zero_as_tensorflow_says():
    z = tf.constant([0.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        a = tf.nn.relu(z)
    assert tape.gradient(a, z).numpy()[0] == 0.0
    assert bind("relu").np_der(np.array([0.0]))[0] == 0.0
    assert bind("leaky_relu").np_der(np.array([0.0]))[0] == pytest.approx(0.2, rel=1e-7)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("alpha", [0.2, 0.01, 0.3333333333])
def test_leaky_relu_with_a_tensor_alpha_is_tf_nn_leaky_relu_bit_for_bit(dtype, alpha):
    z = tf.constant(np.linspace(-3.0, 3.0, 13), dtype)
    expected = tf.nn.leaky_relu(z, alpha=alpha).numpy()
    spec = ACTIVATIONS["leaky_relu"]
    # The engine passes α as a tensor already rounded to float32 (core.activation_codes).
    alpha_tensor = tf.constant(float(np.float32(alpha)), dtype)
    got = spec.tf_fn(z, alpha=alpha_tensor).numpy()
    np.testing.assert_array_equal(got, expected)

    @tf.function
    def compiled(z, a):
        return spec.tf_fn(z, alpha=a)

    np.testing.assert_array_equal(compiled(z, alpha_tensor).numpy(), expected)
    # Its gradient too: 1 where z > 0, α elsewhere.
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        ours = spec.tf_fn(z, alpha=alpha_tensor)
        theirs = tf.nn.leaky_relu(z, alpha=alpha)
    np.testing.assert_array_equal(tape.gradient(ours, z).numpy(), tape.gradient(theirs, z).numpy())


def test_softmax_matches_the_closed_form_and_its_jacobian_the_tape():
    logits = np.array([[1.0, 2.0, 0.5], [-3.0, 0.0, 3.0]])
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    act = bind("softmax")
    np.testing.assert_allclose(act.np(logits), p, rtol=1e-15)
    np.testing.assert_allclose(act.tf(tf.constant(logits, tf.float64)).numpy(), p, rtol=1e-14)
    jac = softmax_jacobian(p)
    assert jac.shape == (2, 3, 3)
    z = tf.constant(logits, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        out = tf.nn.softmax(z)
    tape_jac = tape.batch_jacobian(out, z).numpy()
    np.testing.assert_allclose(jac, tape_jac, atol=1e-15)
    # By hand for one entry: ∂p_0/∂z_0 = p_0(1 − p_0), ∂p_0/∂z_1 = −p_0 p_1.
    assert jac[0, 0, 0] == pytest.approx(p[0, 0] * (1 - p[0, 0]), rel=1e-14)
    assert jac[0, 0, 1] == pytest.approx(-p[0, 0] * p[0, 1], rel=1e-14)


def test_sigmoid_numpy_does_not_overflow():
    with np.errstate(over="raise"):
        out = bind("sigmoid").np(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_bind_merges_params_over_defaults():
    assert bind("leaky_relu").params == {"alpha": 0.2}
    bound = bind("leaky_relu", {"alpha": 0.05})
    assert bound.params == {"alpha": 0.05}
    assert bound.describe() == {"name": "leaky_relu", "alpha": 0.05}
    np.testing.assert_allclose(bound.np(np.array([-2.0, 2.0])), [-0.1, 2.0], rtol=1e-7)
    assert bind("tanh").describe() == {"name": "tanh"}


def test_bind_rejects_unknown_names_and_params_with_the_loc():
    with pytest.raises(SpecError) as err:
        bind("sigmod", loc=("activations", 2))
    assert err.value.loc == ("activations", 2)
    assert "sigmod" in err.value.msg and "sigmoid" in err.value.msg
    with pytest.raises(SpecError) as err:
        bind("relu", {"alpha": 0.1}, loc=("activations", 0))
    assert err.value.loc == ("activations", 0)
    assert "alpha" in err.value.msg and "none" in err.value.msg
    with pytest.raises(SpecError) as err:
        bind("leaky_relu", {"beta": 1.0})
    assert err.value.loc == ("activations",)
