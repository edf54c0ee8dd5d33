"""GET /api/v1/activations and /curve: tape derivatives vs closed forms and the notebook."""

import math

import numpy as np
import pytest

# |tape − exact| ≤ tol · max(|exact|, 1): relative for large values, absolute below 1, because
# float32 TF computes e.g. σ′ = y(1 − y) and 1 − y with y ≈ 1 loses digits (the notebook's own
# printout at x = 10 is 4.5416677e-05, while the exact value is 4.5395808e-05).
TOL = {"float32": 1e-6, "float64": 1e-12}
# TF quirks, pinned: tf.nn.gelu casts its constant √½ through float32
# (math_ops.cast(0.7071067811865476, float64) starts from a float32 tensor), and the LeakyRelu op
# keeps alpha as a 32-bit attribute, so in float64 alpha = 0.2 is 0.20000000298….
GELU_C = {"float32": math.sqrt(0.5), "float64": float(np.float32(math.sqrt(0.5)))}
_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


SELU_A, SELU_L = 1.6732632423543772, 1.0507009873554805
# name -> (f, f′, f″) written out from calculus, independent of app/engine.
CLOSED = {
    "linear": (lambda x: x, lambda x: np.ones_like(x), None),
    "sigmoid": (
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
        lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    ),
    "tanh": (np.tanh, lambda x: 1 / np.cosh(x) ** 2, lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2),
    "relu": (
        lambda x: np.maximum(x, 0),
        lambda x: (x > 0).astype(float),
        lambda x: np.zeros_like(x),
    ),
    "leaky_relu": (
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x: np.where(x > 0, 1.0, 0.2),
        lambda x: np.zeros_like(x),
    ),
    "elu": (
        lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
        lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
        lambda x: np.where(x > 0, 0.0, np.exp(np.minimum(x, 0))),
    ),
    "selu": (
        lambda x: SELU_L * np.where(x > 0, x, SELU_A * np.expm1(np.minimum(x, 0))),
        lambda x: SELU_L * np.where(x > 0, 1.0, SELU_A * np.exp(np.minimum(x, 0))),
        lambda x: SELU_L * np.where(x > 0, 0.0, SELU_A * np.exp(np.minimum(x, 0))),
    ),
    "gelu": (
        lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
        lambda x: 0.5 * (1 + _erf(x / math.sqrt(2))) + x * _phi(x),
        lambda x: _phi(x) * (2 - x * x),
    ),
    "swish": (
        lambda x: x * _sig(x),
        lambda x: _sig(x) * (1 + x * (1 - _sig(x))),
        lambda x: _sig(x) * (1 - _sig(x)) * (2 + x * (1 - 2 * _sig(x))),
    ),
    "softplus": (
        lambda x: np.log1p(np.exp(x)),
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
    ),
    # softmax's curve is softmax([z, 0])[0] = sigmoid(z).
    "softmax": (
        _sig,
        lambda x: _sig(x) * (1 - _sig(x)),
        lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
    ),
}


def curve(client, name, **params):
    response = client.get(f"/api/v1/activations/{name}/curve", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def close(got, want, dtype):
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=TOL[dtype], atol=TOL[dtype])


def gelu_forms(c):
    """GELU f = x·½erfc(−c·x) with TF's constant c; g′ = c·exp(−c²x²)/√π."""

    def g1(x):
        return c * np.exp(-c * c * x * x) / math.sqrt(math.pi)

    return (
        lambda x: x * 0.5 * _erfc(-c * x),
        lambda x: 0.5 * _erfc(-c * x) + x * g1(x),
        lambda x: g1(x) * (2 - 2 * c * c * x * x),
    )


def test_list_has_every_contract_name_with_latex_and_mathml(client):
    items = client.get("/api/v1/activations").json()
    names = [item["name"] for item in items]
    assert names == list(CLOSED)
    for item in items:
        assert item["formula"] and item["derivative"]
        assert item["formula_mathml"].startswith("<math")
        assert item["derivative_mathml"].startswith("<math")
    leaky = next(item for item in items if item["name"] == "leaky_relu")
    assert leaky["params"] == {"alpha": 0.2}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(CLOSED))
def test_curve_matches_closed_forms(client, name, dtype):
    # 200 points over [-6, 6] never hit 0 exactly, where the kinked functions have no f′.
    data = curve(client, name, start=-6, stop=6, num=200, dtype=dtype)
    x = np.asarray(data["x"])
    np.testing.assert_allclose(x, np.linspace(-6, 6, 200), rtol=0, atol=1e-6)
    assert x.dtype == float and len(x) == 200
    f, df, d2f = gelu_forms(GELU_C[dtype]) if name == "gelu" else CLOSED[name]
    alpha = float(np.float32(0.2)) if dtype == "float64" else 0.2
    if name == "leaky_relu":
        f, df = (lambda x: np.where(x > 0, x, alpha * x)), (lambda x: np.where(x > 0, 1.0, alpha))
    close(data["y"], f(x), dtype)
    close(data["dy"], df(x), dtype)
    if d2f is None:
        assert data["d2y"] is None and data["unconnected"] == ["d2y"]
    else:
        close(data["d2y"], d2f(x), dtype)
        assert data["unconnected"] == []


def test_float64_x_is_tf_linspace_exactly(client):
    data = curve(client, "tanh", start=-1, stop=2, num=7, dtype="float64")
    assert data["x"] == np.linspace(-1.0, 2.0, 7).tolist()


def test_notebook_sigmoid_gradients_over_linspace(client):
    data = curve(client, "sigmoid", start=-10, stop=10, num=10)
    printed_x = [-10.0, -7.7777777, -5.5555553, -3.333333, -1.1111107, 1.1111116, 3.333334,
                 5.5555563, 7.7777786, 10.0]  # fmt: skip
    printed_grads = [4.5395806e-05, 4.1859140e-04, 3.8362024e-03, 3.3258736e-02,
                     1.8632649e-01, 1.8632638e-01, 3.3258699e-02, 3.8362255e-03,
                     4.1860685e-04, 4.5416677e-05]  # fmt: skip
    assert np.float32(data["x"]).tolist() == np.float32(printed_x).tolist()
    np.testing.assert_allclose(data["dy"], printed_grads, rtol=1e-6)


def test_notebook_leaky_relu_over_linspace(client):
    data = curve(client, "leaky_relu", start=-1, stop=1, num=10)
    printed = (
        "-0.2 -0.15555556 -0.11111112 -0.06666666 -0.02222222 0.11111116 0.33333337 "
        "0.5555556 0.7777778 1."
    )
    # Printed the way NumPy printed the float32 array: the same text, digit for digit.
    shown = [np.format_float_positional(v, precision=8) for v in np.float32(data["y"])]
    assert " ".join(shown) == printed
    assert data["params"] == {"alpha": 0.2}


def test_leaky_relu_alpha_and_relu_at_zero(client):
    data = curve(client, "leaky_relu", start=-2, stop=2, num=5, alpha=0.125, dtype="float64")
    assert data["y"] == [-0.25, -0.125, 0.0, 1.0, 2.0]
    assert data["dy"] == [0.125, 0.125, 0.125, 1.0, 1.0]  # TF: f′(0) = alpha
    assert data["params"] == {"alpha": 0.125}
    relu = curve(client, "relu", start=-1, stop=1, num=3)
    assert relu["dy"] == [0.0, 0.0, 1.0]  # TF's ReluGrad passes nothing at z = 0
    assert relu["d2y"] == [0.0, 0.0, 0.0] and relu["unconnected"] == []


def test_vanishing_regions_of_sigmoid_are_outside_about_3(client):
    data = curve(client, "sigmoid", start=-6, stop=6, num=1201, threshold=0.05, dtype="float64")
    (left_from, left_to), (right_from, right_to) = data["vanishing"]
    # σ′(z) = 0.05 at |z| = ln((0.9 + √0.8)/0.1)... solved exactly: 2.8872
    edge = math.log((1 - 2 * 0.05 + math.sqrt(1 - 4 * 0.05)) / (2 * 0.05))
    assert left_from == -6 and right_to == 6
    assert -edge - 0.01 <= left_to < -edge and edge < right_from <= edge + 0.01
    relu = curve(client, "relu", start=-1, stop=1, num=21, dtype="float64")
    assert relu["vanishing"] == [[-1.0, 0.0]]
    assert curve(client, "leaky_relu", start=-1, stop=1, num=21)["vanishing"] == []


def test_single_point_and_softmax_note(client):
    data = curve(client, "tanh", start=0.5, stop=0.5, num=1, dtype="float64")
    assert data["x"] == [0.5]
    assert data["dy"][0] == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-14)
    assert "softmax([z, 0])" in curve(client, "softmax", num=3)["note"]


@pytest.mark.parametrize(
    "query, loc",
    [
        ("start=NaN", ["query", "start"]),
        ("stop=inf", ["query", "stop"]),
        ("num=ten", ["query", "num"]),
        ("num=0", ["query", "num"]),
        ("num=2002", ["query", "num"]),
        ("start=-1001", ["query", "start"]),
        ("stop=1e9", ["query", "stop"]),
        ("start=2&stop=1", ["query", "stop"]),
        ("dtype=float16", ["query", "dtype"]),
        ("alpha=nan", ["query", "alpha"]),
        ("threshold=0", ["query", "threshold"]),
    ],
)
def test_bad_query_is_422_naming_the_field(client, query, loc):
    response = client.get(f"/api/v1/activations/sigmoid/curve?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc


def test_unknown_name_and_param_are_422(client):
    response = client.get("/api/v1/activations/sigmoidal/curve")
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["path", "name"] and "sigmoid" in detail["msg"]
    response = client.get("/api/v1/activations/tanh/curve?alpha=0.3")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "alpha"]
