"""landscape.py: parameter references, the grid of values, optimizer specs, and the slice on
a one-weight linear network where the loss is a parabola known in closed form.

(The slice on Mazur's network against NumPy and Keras lives in test_gradient_flow.py.)
"""

import numpy as np
import pytest

from app.engine.errors import SpecError
from app.engine.landscape import (
    ParamRef,
    SliceFunction,
    check_param_ref,
    grid_values,
    landscape,
)
from app.engine.losses import LOSSES
from app.engine.network import build_network
from app.engine.optimizers import make_optimizer

NET = build_network([3, 2, 1], "tanh", seed=1, dtype="float64")


def test_param_ref_label_and_value():
    assert ParamRef(2, "W", 1, 0).label == "W2[1,0]"
    assert ParamRef(1, "b", 0, 1).label == "b1[1]"
    assert ParamRef(2, "W", 1, 0).value(NET) == NET.weights[1][1, 0]
    assert ParamRef(1, "b", 5, 1).value(NET) == NET.biases[0][1]


@pytest.mark.parametrize(
    ("ref", "loc"),
    [
        (ParamRef(0), ("a", "layer")),
        (ParamRef(3), ("a", "layer")),
        (ParamRef(1, "W", 3, 0), ("a", "row")),
        (ParamRef(1, "W", 0, 2), ("a", "col")),
        (ParamRef(2, "b", 0, 1), ("a", "col")),
    ],
)
def test_check_param_ref_names_the_field(ref, loc):
    with pytest.raises(SpecError) as err:
        check_param_ref(NET, ref, ("a",))
    assert err.value.loc == loc


def test_check_param_ref_normalises_a_bias_row():
    assert check_param_ref(NET, ParamRef(1, "b", 7, 1), ("a",)) == ParamRef(1, "b", 0, 1)
    ref = ParamRef(1, "W", 2, 1)
    assert check_param_ref(NET, ref, ("a",)) is ref


def test_grid_values():
    values = grid_values(0.1, None, 0.3, 5)
    assert values[2] == 0.1  # the current value lies exactly on an odd grid
    np.testing.assert_allclose(values, [-0.2, -0.05, 0.1, 0.25, 0.4], atol=1e-15)
    np.testing.assert_array_equal(grid_values(9.0, (-1.0, 1.0), 0.3, 3), [-1.0, 0.0, 1.0])
    assert len(grid_values(0.0, None, 1.0, 4)) == 4


def test_slice_of_a_linear_unit_is_a_paraboloid():
    # One linear unit z = x·w + b on one sample x = 2, target 1, ½SSE: with (w, b) as the
    # slice, L(w, b) = ½(2w + b − 1)², ∂L/∂w = 2(2w + b − 1), ∂L/∂b = 2w + b − 1.
    net = build_network([1, 1], "linear", [[[0.5]]], [[0.25]], dtype="float64")
    x, t = np.array([[2.0]]), np.array([[1.0]])
    ref_w, ref_b = ParamRef(1, "W", 0, 0), ParamRef(1, "b", 0, 0)
    fn = SliceFunction(net, x, t, LOSSES["half_sse"], False, "mean", ref_w, ref_b)
    values_w, values_b = np.array([-1.0, 0.0, 0.5, 2.0]), np.array([-0.5, 0.25, 1.0])
    lr = 0.05
    sgd = make_optimizer("sgd", learning_rate=lr)
    out = landscape(fn, (0.5, 0.25), values_w, values_b, [sgd], 3)
    gw, gb = np.meshgrid(values_w, values_b)
    np.testing.assert_allclose(out["loss"], 0.5 * (2 * gw + gb - 1) ** 2, rtol=1e-15)
    residual = 2 * 0.5 + 0.25 - 1
    assert out["current"]["loss"] == pytest.approx(0.5 * residual**2, rel=1e-15)
    np.testing.assert_allclose(out["current"]["gradient"], [2 * residual, residual], rtol=1e-15)
    # Three SGD steps by hand.
    w, b = 0.5, 0.25
    for i in range(4):
        r = 2 * w + b - 1
        path = out["paths"][0]
        assert (path["a"][i], path["b"][i]) == pytest.approx((w, b), rel=1e-14)
        assert path["loss"][i] == pytest.approx(0.5 * r * r, rel=1e-13)
        w, b = w - lr * 2 * r, b - lr * r
