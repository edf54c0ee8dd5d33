"""POST /api/v1/softmax: probabilities and the tape's Jacobian vs p_i(δ_ij − p_j) in NumPy."""

import numpy as np
import pytest

TOL = {"float32": 1e-6, "float64": 1e-12}


def numpy_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def closed_jacobian(p):
    return np.diag(p) - np.outer(p, p)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_many_vectors_match_closed_form(client, dtype):
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 5, 10, 64):
        z = rng.normal(scale=3.0, size=n)
        data = client.post("/api/v1/softmax", json={"logits": z.tolist(), "dtype": dtype}).json()
        p = numpy_softmax(z)
        tol = TOL[dtype]
        np.testing.assert_allclose(data["probabilities"], p, rtol=tol, atol=tol)
        np.testing.assert_allclose(data["jacobian"], closed_jacobian(p), rtol=tol, atol=tol)
        assert np.shape(data["jacobian"]) == (n, n) and data["dtype"] == dtype


def test_textbook_example_and_properties(client):
    data = client.post("/api/v1/softmax", json={"logits": [2.0, 1.0, 0.1], "dtype": "float64"})
    body = data.json()
    # The classic example: softmax([2, 1, 0.1]) ≈ [0.659, 0.242, 0.099].
    np.testing.assert_allclose(body["probabilities"], [0.659001, 0.242433, 0.098566], atol=1e-6)
    jac = np.array(body["jacobian"])
    np.testing.assert_allclose(jac, jac.T, atol=1e-15)  # symmetric
    np.testing.assert_allclose(jac.sum(axis=0), 0.0, atol=1e-15)  # Σ_i p_i = 1 for every z


def test_batch_of_rows_gives_one_jacobian_per_row(client):
    rows = [[0.0, 0.0, 0.0], [1.0, -1.0, 3.0], [1000.0, 0.0, -1000.0]]
    body = client.post("/api/v1/softmax", json={"logits": rows, "dtype": "float64"}).json()
    assert np.shape(body["jacobian"]) == (3, 3, 3)
    for row, p, jac in zip(rows, body["probabilities"], body["jacobian"], strict=True):
        want = numpy_softmax(np.array(row))
        np.testing.assert_allclose(p, want, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(jac, closed_jacobian(want), rtol=1e-12, atol=1e-15)
    assert body["probabilities"][0] == pytest.approx([1 / 3] * 3, rel=1e-15)
    assert body["warnings"] == []  # large logits stay finite: softmax subtracts the max


@pytest.mark.parametrize(
    "body, loc",
    [
        (b'{"logits": [1, NaN]}', ["body", "logits"]),
        (b'{"logits": [1, Infinity]}', ["body", "logits"]),
        (b'{"logits": "1, 2"}', ["body", "logits"]),
        (b'{"logits": []}', ["body", "logits"]),
        (b'{"logits": [[1, 2], [3]]}', ["body", "logits", 1]),
        (b'{"logits": [1, 2], "dtype": "float16"}', ["body", "dtype"]),
        (b'{"logits": [1, 2], "temperature": 2}', ["body", "temperature"]),
        (b'{"logits": [1, 1e7]}', ["body", "logits", 1]),
        (b"{}", ["body", "logits"]),
    ],
)
def test_bad_input_is_422_naming_the_field(client, body, loc):
    response = client.post(
        "/api/v1/softmax", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    got = response.json()["detail"][0]["loc"]
    assert got[: len(loc)] == loc


def test_vector_over_the_length_limit_is_422(client):
    response = client.post("/api/v1/softmax", json={"logits": [0.0] * 65})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "logits"] and "64" in detail["msg"]


def test_batch_jacobian_over_the_size_limit_is_422(client):
    ok = client.post("/api/v1/softmax", json={"logits": [[0.0] * 64] * 16})
    assert ok.status_code == 200 and len(ok.json()["jacobian"]) == 16
    response = client.post("/api/v1/softmax", json={"logits": [[0.0] * 64] * 17})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "logits"] and "65536" in detail["msg"]
