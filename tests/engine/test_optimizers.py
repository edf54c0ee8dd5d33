"""optimizers.py: configs, defaults, errors and the hyper-parameter vector, by hand."""

import numpy as np
import pytest

from app.engine.errors import SpecError
from app.engine.optimizers import (
    BOUNDS,
    FAMILIES,
    FAMILY_CODE,
    HYPER,
    OPTIMIZERS,
    H,
    make_optimizer,
)
from app.engine.tf import tf


def test_defaults_are_keras_and_playground_defaults():
    sgd = make_optimizer("sgd")
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.03, 0.0, False)
    momentum = make_optimizer("momentum")
    assert (momentum.learning_rate, momentum.momentum) == (0.03, 0.9)
    adam = make_optimizer("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.01, 0.9, 0.999, 1e-7)
    rms = make_optimizer("rmsprop")
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon) == (0.01, 0.9, 0.0, 1e-7)
    # None means "the default", not a value.
    assert make_optimizer("adam", learning_rate=None, beta_1=0.5).learning_rate == 0.01
    assert make_optimizer("adam", beta_1=0.5).beta_1 == 0.5


@pytest.mark.parametrize(
    ("name", "given", "loc"),
    [
        ("adagrad", {}, ("optimizer", "name")),
        ("adam", {"nesterov": True}, ("optimizer", "nesterov")),
        ("rmsprop", {"nesterov": True}, ("optimizer", "nesterov")),
        ("sgd", {"nesterov": True}, ("optimizer", "nesterov")),  # momentum 0
        ("momentum", {"momentum": 0.0}, ("optimizer", "momentum")),
    ],
)
def test_make_optimizer_errors_name_the_field(name, given, loc):
    with pytest.raises(SpecError) as err:
        make_optimizer(name, **given)
    assert err.value.loc == loc


def test_nesterov_with_momentum_is_allowed():
    config = make_optimizer("sgd", momentum=0.5, nesterov=True)
    assert config.nesterov and config.momentum == 0.5
    assert config.hyper_vector()[H["nesterov"]] == 1.0


def test_hyper_vector_order_and_one_minus_in_double_precision():
    config = make_optimizer("adam", learning_rate=0.002, beta_1=0.7, beta_2=0.9999, epsilon=1e-8)
    vector = config.hyper_vector()
    assert len(vector) == len(HYPER) == 10
    assert list(H) == list(HYPER) and [H[k] for k in HYPER] == list(range(10))
    expected = {
        "learning_rate": 0.002,
        "momentum": 0.0,
        "beta_1": 0.7,
        "beta_2": 0.9999,
        "epsilon": 1e-8,
        "rho": 0.9,
        "nesterov": 0.0,
    }
    for key, value in expected.items():
        assert vector[H[key]] == value, key
    # Python doubles, as Keras computes 1 − β: not 1 − float32(β).
    assert vector[H["one_minus_beta_1"]] == 1 - 0.7
    assert vector[H["one_minus_beta_2"]] == 1 - 0.9999
    assert vector[H["one_minus_beta_2"]] != 1 - float(np.float32(0.9999))
    assert vector[H["one_minus_rho"]] == 1 - 0.9


@pytest.mark.parametrize(
    ("name", "given", "slots"),
    [
        ("sgd", {}, ()),
        ("sgd", {"momentum": 0.5}, ("momentum",)),
        ("momentum", {}, ("momentum",)),
        ("adam", {}, ("m", "v")),
        ("rmsprop", {}, ("velocity",)),
        ("rmsprop", {"momentum": 0.3}, ("velocity", "momentum")),
    ],
)
def test_slot_names_per_optimizer(name, given, slots):
    config = make_optimizer(name, **given)
    assert config.slot_names == slots
    for slot in slots:
        assert 0 <= config.slot_index(slot) < 2


def test_slot_index_and_family_code():
    assert make_optimizer("rmsprop").slot_index("momentum") == 1
    assert make_optimizer("adam").slot_index("v") == 1
    assert list(FAMILIES) == ["sgd", "adam", "rmsprop"]
    codes = {name: make_optimizer(name).family_code for name in OPTIMIZERS}
    assert codes == {"sgd": 0, "momentum": 0, "adam": 1, "rmsprop": 2}
    assert FAMILY_CODE == {"sgd": 0, "adam": 1, "rmsprop": 2}


def test_describe_names_the_keras_class_and_its_hyper_parameters():
    assert make_optimizer("momentum", learning_rate=0.5).describe() == {
        "name": "momentum",
        "keras": "SGD",
        "learning_rate": 0.5,
        "momentum": 0.9,
        "nesterov": False,
    }
    assert set(make_optimizer("adam").describe()) == {
        "name", "keras", "learning_rate", "beta_1", "beta_2", "epsilon"
    }  # fmt: skip
    assert make_optimizer("rmsprop").describe()["keras"] == "RMSprop"


def test_bounds():
    assert set(BOUNDS) == {"learning_rate", "momentum", "beta_1", "beta_2", "epsilon", "rho"}
    assert BOUNDS["learning_rate"].describe() == {
        "min": 0.0,
        "max": 1e4,
        "min_inclusive": False,
        "max_inclusive": True,
    }
    for key in ("momentum", "beta_1", "beta_2", "rho"):
        assert BOUNDS[key].describe() == {
            "min": 0.0, "max": 1.0, "min_inclusive": True, "max_inclusive": False
        }  # fmt: skip
    # Every default lies inside its bounds.
    for rule in OPTIMIZERS.values():
        for key, value in rule.defaults.items():
            if key in BOUNDS:
                bound = BOUNDS[key]
                assert bound.low <= value <= bound.high, (rule.name, key)


def _rule(family, param, grad, slots, step, config):
    hp = tf.constant(config.hyper_vector(), tf.float64)
    p, (s0, s1) = FAMILIES[family](
        tf.constant(param, tf.float64),
        tf.constant(grad, tf.float64),
        (tf.constant(slots[0], tf.float64), tf.constant(slots[1], tf.float64)),
        tf.constant(float(step), tf.float64),
        hp,
    )
    return p.numpy(), s0.numpy(), s1.numpy()


def test_rules_one_step_by_hand():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    # Momentum: m = μm − ηg; W + m.  Nesterov: W + μm_new − ηg.
    cfg = make_optimizer("momentum", learning_rate=0.1, momentum=0.5)
    p, m, _ = _rule("sgd", w, g, (np.array([0.2, 0.2]), np.zeros(2)), 1, cfg)
    np.testing.assert_allclose(m, 0.5 * 0.2 - 0.1 * g, rtol=1e-15)
    np.testing.assert_allclose(p, w + m, rtol=1e-15)
    cfg = make_optimizer("momentum", learning_rate=0.1, momentum=0.5, nesterov=True)
    p, m, _ = _rule("sgd", w, g, (np.array([0.2, 0.2]), np.zeros(2)), 1, cfg)
    np.testing.assert_allclose(p, w + 0.5 * m - 0.1 * g, rtol=1e-15)
    # Adam, step 1 from zero slots: m = (1−β1)g, v = (1−β2)g², bias-corrected.
    cfg = make_optimizer("adam", learning_rate=0.01, epsilon=1e-7)
    p, m, v = _rule("adam", w, g, (np.zeros(2), np.zeros(2)), 1, cfg)
    np.testing.assert_allclose(m, 0.1 * g, rtol=1e-14)
    np.testing.assert_allclose(v, 0.001 * g**2, rtol=1e-12)
    m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)
    np.testing.assert_allclose(p, w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7 / np.sqrt(1 - 0.999)),
                               rtol=1e-12)  # fmt: skip
    # RMSprop: v = ρv + (1−ρ)g², W − ηg/√(v+ε).
    cfg = make_optimizer("rmsprop", learning_rate=0.01, rho=0.9, epsilon=1e-7)
    p, vel, _ = _rule("rmsprop", w, g, (np.full(2, 0.5), np.zeros(2)), 1, cfg)
    np.testing.assert_allclose(vel, 0.9 * 0.5 + 0.1 * g**2, rtol=1e-15)
    np.testing.assert_allclose(p, w - 0.01 * g / np.sqrt(vel + 1e-7), rtol=1e-15)
