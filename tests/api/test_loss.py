"""POST /api/v1/loss: the loss vs closed forms, ∂L/∂predictions vs closed forms and finite
differences; and the notebook's MSE and cross-entropy cells that the losses page shows."""

import numpy as np
import pytest

TOL = {"float32": 1e-6, "float64": 1e-12}


def post(client, **body):
    response = client.post("/api/v1/loss", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def numeric_gradient(client, body, h=1e-6):
    """Central differences of the API's float64 loss, one prediction at a time."""
    preds = np.array(body["predictions"], dtype=float)
    grad = np.zeros_like(preds)
    for index in np.ndindex(preds.shape):
        losses = []
        for step in (h, -h):
            moved = preds.copy()
            moved[index] += step
            losses.append(post(client, **{**body, "predictions": moved.tolist()})["loss"])
        grad[index] = (losses[0] - losses[1]) / (2 * h)
    return grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_family_closed_forms(client, dtype, reduction):
    rng = np.random.default_rng(1)
    a, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    scale = 1 / 4 if reduction == "mean" else 1.0
    forms = {
        "mse": ((a - t) ** 2).mean(axis=1),
        "sse": ((a - t) ** 2).sum(axis=1),
        "half_sse": 0.5 * ((a - t) ** 2).sum(axis=1),
    }
    grads = {"mse": 2 * (a - t) / 3, "sse": 2 * (a - t), "half_sse": a - t}
    tol = TOL[dtype]
    for name, per_sample in forms.items():
        body = post(client, loss=name, predictions=a.tolist(), targets=t.tolist(),
                    reduction=reduction, dtype=dtype)  # fmt: skip
        np.testing.assert_allclose(body["per_sample_loss"], per_sample, rtol=tol, atol=tol)
        np.testing.assert_allclose(body["loss"], per_sample.sum() * scale, rtol=tol)
        np.testing.assert_allclose(body["gradient"], grads[name] * scale, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_crossentropy_from_logits_gradient_is_p_minus_t(client, dtype):
    z = np.array([[2.0, 1.0, 0.1], [-1.0, 0.5, 3.0]])
    body = post(client, loss="categorical_crossentropy", from_logits=True, targets=[0, 2],
                predictions=z.tolist(), dtype=dtype)  # fmt: skip
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    t = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    tol = TOL[dtype]
    np.testing.assert_allclose(body["per_sample_loss"], -np.log(p[[0, 1], [0, 2]]), rtol=tol)
    np.testing.assert_allclose(body["gradient"], (p - t) / 2, rtol=tol, atol=tol)
    assert body["targets"] == t.tolist()
    assert body["warnings"] == []


def test_binary_crossentropy_closed_forms(client):
    a, t = np.array([[0.2, 0.9], [0.6, 0.05]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    body = post(client, loss="binary_crossentropy", predictions=a.tolist(), targets=t.tolist(),
                dtype="float64", reduction="sum")  # fmt: skip
    per = -(t * np.log(a) + (1 - t) * np.log(1 - a)).mean(axis=1)
    np.testing.assert_allclose(body["per_sample_loss"], per, rtol=1e-12)
    np.testing.assert_allclose(body["gradient"], (a - t) / (a * (1 - a)) / 2, rtol=1e-12)
    z = np.array([[-3.0, 0.5]])
    logits = post(client, loss="binary_crossentropy", from_logits=True, predictions=z.tolist(),
                  targets=[[1.0, 0.0]], dtype="float64")  # fmt: skip
    sig = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(logits["gradient"], (sig - [[1.0, 0.0]]) / 2, rtol=1e-12)


@pytest.mark.parametrize(
    "loss, from_logits",
    [
        ("categorical_crossentropy", False),
        ("categorical_crossentropy", True),
        ("binary_crossentropy", False),
        ("binary_crossentropy", True),
        ("mse", False),
    ],
)
def test_gradient_matches_finite_differences(client, loss, from_logits):
    preds = [[0.3, 0.5, 0.2], [0.1, 0.6, 0.3]] if not from_logits else [[1.0, -2.0, 0.5]] * 2
    targets = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    body = {"loss": loss, "from_logits": from_logits, "predictions": preds,
            "targets": targets, "dtype": "float64"}  # fmt: skip
    tape = np.array(post(client, **body)["gradient"])
    np.testing.assert_allclose(tape, numeric_gradient(client, body), rtol=1e-7, atol=1e-9)


def test_probabilities_with_from_logits_warn_double_softmax(client):
    body = post(client, loss="categorical_crossentropy", from_logits=True,
                predictions=[[0.7, 0.2, 0.1]], targets=[0])  # fmt: skip
    assert [w["code"] for w in body["warnings"]] == ["double_softmax"]


def test_zero_sum_probabilities_give_null_and_a_warning(client):
    body = post(client, loss="categorical_crossentropy", predictions=[[0.0, 0.0]], targets=[0])
    assert body["loss"] is None
    assert any(w["code"] == "non_finite" for w in body["warnings"])


@pytest.mark.parametrize(
    "body, loc",
    [
        (b'{"predictions": [[NaN]], "targets": [[1]]}', ["body", "predictions"]),
        (b'{"predictions": [[1]], "targets": [[Infinity]]}', ["body", "targets"]),
        (b'{"predictions": [], "targets": [[1]]}', ["body", "predictions"]),
        (b'{"predictions": [[1, 2], [3]], "targets": [[1, 2], [3, 4]]}',
         ["body", "predictions", 1]),
        (b'{"predictions": [[1, 2]], "targets": [[1, 2, 3]]}', ["body", "targets", 0]),
        (b'{"predictions": [[1, 2]], "targets": [[1, 2]], "loss": "hinge"}', ["body", "loss"]),
        (b'{"predictions": [[1, 2]], "targets": [[1, 2]], "reduction": "max"}',
         ["body", "reduction"]),
        (b'{"predictions": [[1, 2]], "targets": [5], "loss": "categorical_crossentropy"}',
         ["body", "targets", 0]),
        (b'{"predictions": [[1, 2]], "targets": [[1, 2]], "from_logits": "maybe"}',
         ["body", "from_logits"]),
        (b'{"predictions": [[1e9, 2]], "targets": [[1, 2]]}', ["body", "predictions", 0, 0]),
        (b'{"predictions": "x", "targets": [[1]]}', ["body", "predictions"]),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(client, body, loc):
    response = client.post(
        "/api/v1/loss", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][: len(loc)] == loc


def test_batch_over_limit_is_422(client):
    response = client.post(
        "/api/v1/loss", json={"predictions": [[0.0]] * 257, "targets": [[0.0]] * 257}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "predictions"]


# The notebook's loss cells, as the losses page runs them through /backprop.
# MSE cell: w = ones(3, 2), b = ones(2) make both logits equal, so softmax = [0.5, 0.5] for
# any x and b grad is exactly [0.25, -0.25]; the cell's random x is recovered from the printed
# w grad (x_j = w_grad[j, 0] / 0.25).
MSE_X = [-0.02904284 / 0.25, -0.02101646 / 0.25, 0.19016582 / 0.25]
MSE_W_GRAD = [[-0.02904284, 0.02904284], [-0.02101646, 0.02101646], [0.19016582, -0.19016582]]
CE_INPUTS = [
    [0.35392874479293823, 1.3840434551239014, 0.8836789131164551, -0.4648533761501312],
    [0.33297082781791687, -0.15094028413295746, 1.7660510540008545, -1.1744550466537476],
]  # tf.random.set_seed(4323) draws, float32 values in full
CE_W = [
    [0.367318332195282, 0.5043147802352905, 0.24081063270568848],
    [-0.5543972849845886, -0.46021634340286255, -0.09493647515773773],
    [0.07098577916622162, 0.3122865855693817, -0.2510635554790497],
    [1.2474464178085327, -0.38016772270202637, -0.9748982787132263],
]
CE_B = [0.03409189730882645, 0.11479099094867706, 0.8535299897193909]
CE_W_GRAD = [[0.00861339, -0.01581438, 0.00720099], [0.02661874, 0.12178067, -0.14839941],
             [0.02604978, -0.15760535, 0.13155556],
             [-0.01489652, 0.11392362, -0.09902708]]  # fmt: skip
CE_B_GRAD = [0.02462438, -0.05216555, 0.02754116]


def test_notebook_mse_cell(client):
    body = {"layers": [3, 2], "activations": "softmax", "inputs": [MSE_X], "targets": [[0, 1]],
            "weights": [[[1, 1]] * 3], "biases": [[1, 1]], "loss": "mse"}  # fmt: skip
    params = client.post("/api/v1/backprop", json=body).json()["params"][0]
    assert params["db"] == [0.25, -0.25]
    np.testing.assert_allclose(params["dW"], MSE_W_GRAD, rtol=1e-6, atol=1e-8)


def test_notebook_crossentropy_cell(client):
    body = {"layers": [4, 3], "activations": "softmax", "inputs": CE_INPUTS, "targets": [2, 1],
            "weights": [CE_W], "biases": [CE_B], "loss": "categorical_crossentropy",
            "from_logits": True}  # fmt: skip
    data = client.post("/api/v1/backprop", json=body).json()
    np.testing.assert_allclose(data["params"][0]["dW"], CE_W_GRAD, rtol=0, atol=1e-8)
    np.testing.assert_allclose(data["params"][0]["db"], CE_B_GRAD, rtol=0, atol=1e-8)
    assert "double_softmax" in [w["code"] for w in data["warnings"]]
