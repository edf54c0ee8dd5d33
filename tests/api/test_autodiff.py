"""POST /api/v1/autodiff/*: the notebook's chain-rule and second-order cells, and closed forms."""

import math

import numpy as np
import pytest

TOL = {"float32": 1e-6, "float64": 1e-12}


def post(client, path, **body):
    response = client.post(f"/api/v1/autodiff/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_notebook_chain_rule_printout(client):
    # print(dy2_dy1 * dy1_dw1) -> 2.0 ; print(dy2_dw1) -> 2.0
    data = post(client, "chain-rule", x=1.0, w1=2.0, b1=1.0, w2=2.0, b2=1.0)
    assert (data["product"], data["dy2_dw1"]) == (2.0, 2.0)
    assert (data["y1"], data["y2"], data["dy2_dy1"], data["dy1_dw1"]) == (3.0, 7.0, 2.0, 1.0)
    assert post(client, "chain-rule") == data  # the notebook's values are the defaults


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_chain_rule_closed_forms_at_many_points(client, dtype):
    rng = np.random.default_rng(3)
    for x, w1, b1, w2, b2 in rng.uniform(-5, 5, size=(25, 5)):
        data = post(client, "chain-rule", x=x, w1=w1, b1=b1, w2=w2, b2=b2, dtype=dtype)
        y1 = x * w1 + b1
        want = {
            "y1": y1,
            "y2": y1 * w2 + b2,
            "dy2_dy1": w2,
            "dy1_dw1": x,
            "product": w2 * x,
            "dy2_dw1": w2 * x,
            "dy1_db1": 1.0,
            "dy2_dw2": y1,
            "dy2_db1": w2,
            "dy2_db2": 1.0,
        }
        for name, value in want.items():
            assert data[name] == pytest.approx(value, rel=TOL[dtype], abs=TOL[dtype] * 10), name


def test_notebook_second_order_printout(client):
    # print(dy_dw) -> 3.0 ; print(dy_db) -> 1.0 ; print(d2y_dw2) -> None
    data = post(client, "second-order", x=3.0, w=1.0, b=2.0, function="linear")
    assert (data["dy_dw"], data["dy_db"], data["d2y_dw2"]) == (3.0, 1.0, None)
    assert data["y"] == 5.0 and data["unconnected"] == ["d2y_dw2"]
    assert post(client, "second-order") == data


def _sig(u):
    return 1 / (1 + math.exp(-u))


# name -> (f(u), f′(u), f″(u)), y = f(x·w + b)
FORMS = {
    "linear": (lambda u: u, lambda u: 1.0, None),
    "square": (lambda u: u * u, lambda u: 2 * u, lambda u: 2.0),
    "sigmoid": (
        _sig,
        lambda u: _sig(u) * (1 - _sig(u)),
        lambda u: _sig(u) * (1 - _sig(u)) * (1 - 2 * _sig(u)),
    ),
    "tanh": (
        math.tanh,
        lambda u: 1 / math.cosh(u) ** 2,
        lambda u: -2 * math.tanh(u) / math.cosh(u) ** 2,
    ),
    "exp": (math.exp, math.exp, math.exp),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("function", list(FORMS))
def test_second_order_closed_forms(client, function, dtype):
    f, df, d2f = FORMS[function]
    rng = np.random.default_rng(11)
    tol = TOL[dtype]
    for x, w, b in rng.uniform(-2, 2, size=(15, 3)):
        data = post(client, "second-order", x=x, w=w, b=b, function=function, dtype=dtype)
        u = x * w + b
        scale = max(1.0, abs(f(u)), abs(df(u) * x * x))
        assert data["y"] == pytest.approx(f(u), rel=tol, abs=tol * scale)
        assert data["dy_dw"] == pytest.approx(df(u) * x, rel=tol, abs=tol * scale)
        assert data["dy_db"] == pytest.approx(df(u), rel=tol, abs=tol * scale)
        if d2f is None:
            assert data["d2y_dw2"] is None and data["unconnected"] == ["d2y_dw2"]
        else:
            assert data["d2y_dw2"] == pytest.approx(d2f(u) * x * x, rel=tol, abs=tol * scale)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("function", ["square", "sigmoid", "tanh", "exp", "linear"])
def test_second_order_curve_matches_closed_forms(client, function, dtype):
    data = post(client, "second-order/curve", x=1.5, b=-0.5, function=function,
                w_start=-2, w_stop=2, num=41, dtype=dtype)  # fmt: skip
    w = np.asarray(data["w"])
    np.testing.assert_allclose(w, np.linspace(-2, 2, 41), atol=1e-6)
    f, df, d2f = (np.vectorize(g) if g else None for g in FORMS[function])
    u = 1.5 * w - 0.5
    tol = TOL[dtype]
    # dy/dw = x·f′(u) and d²y/dw² = x²·f″(u): their float32 rounding grows with x² = 2.25.
    scale = 2.25 * np.maximum(1.0, np.abs(f(u)) + np.abs(df(u)))
    np.testing.assert_array_less(np.abs(np.asarray(data["y"]) - f(u)), tol * scale)
    np.testing.assert_array_less(np.abs(np.asarray(data["dy_dw"]) - df(u) * 1.5), tol * scale)
    if d2f is None:
        assert data["d2y_dw2"] is None and data["unconnected"] == ["d2y_dw2"]
    else:
        got = np.asarray(data["d2y_dw2"])
        np.testing.assert_array_less(np.abs(got - d2f(u) * 2.25), tol * scale)


def test_second_order_derivative_matches_finite_difference_of_first(client):
    # Independent of calculus: d²y/dw² ≈ (dy/dw(w+h) − dy/dw(w−h)) / 2h from the API itself.
    h = 1e-5
    for function in ("sigmoid", "tanh", "square"):
        at = {"x": 0.7, "b": 0.2, "function": function, "dtype": "float64"}
        hi = post(client, "second-order", w=0.3 + h, **at)["dy_dw"]
        lo = post(client, "second-order", w=0.3 - h, **at)["dy_dw"]
        d2 = post(client, "second-order", w=0.3, **at)["d2y_dw2"]
        assert d2 == pytest.approx((hi - lo) / (2 * h), rel=1e-8, abs=1e-10)


def test_overflow_is_null_with_a_warning(client):
    data = post(client, "second-order", x=100.0, w=100.0, b=0.0, function="exp")
    assert data["y"] is None and data["d2y_dw2"] is None
    assert data["unconnected"] == []  # connected, just not finite
    assert data["warnings"][0]["code"] == "non_finite"


def test_functions_list_has_latex_and_mathml(client):
    items = client.get("/api/v1/autodiff/functions").json()
    assert [item["name"] for item in items] == list(FORMS)
    for item in items:
        for key in ("formula", "first", "second"):
            assert item[key]["latex"] and item[key]["mathml"].startswith("<math")


@pytest.mark.parametrize(
    "path, body, loc",
    [
        ("chain-rule", b'{"x": NaN}', ["body", "x"]),
        ("chain-rule", b'{"w1": "two"}', ["body", "w1"]),
        ("chain-rule", b'{"b2": 1e7}', ["body", "b2"]),
        ("chain-rule", b'{"x": 1, "y": 2}', ["body", "y"]),
        ("chain-rule", b'{"dtype": "int32"}', ["body", "dtype"]),
        ("second-order", b'{"w": Infinity}', ["body", "w"]),
        ("second-order", b'{"function": "cube"}', ["body", "function"]),
        ("second-order", b'{"x": [3]}', ["body", "x"]),
        ("second-order/curve", b'{"num": 5000}', ["body", "num"]),
        ("second-order/curve", b'{"w_start": -2000}', ["body", "w_start"]),
        ("second-order/curve", b'{"w_start": 2, "w_stop": 1}', ["body", "w_stop"]),
        ("second-order/curve", b'{"b": NaN}', ["body", "b"]),
        ("second-order/curve", b'{"num": 1.5}', ["body", "num"]),
        ("second-order/curve", b"[1, 2]", ["body"]),
    ],
)
def test_bad_input_is_422_naming_the_field(client, path, body, loc):
    response = client.post(
        f"/api/v1/autodiff/{path}", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
