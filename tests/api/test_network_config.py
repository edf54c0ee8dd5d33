"""GET /api/v1/network/config: the page's limits come from Settings, and each preset
reproduces its source — the course notebook's printouts, Mazur's published example, or the
textbook δ rule written out independently in NumPy below."""

import numpy as np
import pytest

from app.core.config import get_settings

F32_PRINT = 1.5e-7  # the notebook prints float32 with 8 significant digits


@pytest.fixture(scope="module")
def config(client):
    response = client.get("/api/v1/network/config")
    assert response.status_code == 200
    return response.json()


def run_preset(client, config, preset_id):
    spec = next(p["spec"] for p in config["presets"] if p["id"] == preset_id)
    response = client.post("/api/v1/backprop", json=spec)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["check"]["agrees"]
    return spec, body


def test_limits_and_names_come_from_settings_and_registries(config):
    settings = get_settings()
    assert config["limits"] == {
        "max_layers": settings.max_layers,
        "max_units": settings.max_units,
        "max_batch": settings.max_batch,
        "max_abs_value": settings.max_abs_value,
    }
    assert "leaky_relu" in config["activations"] and "softmax" in config["activations"]
    assert config["activation_params"] == {"leaky_relu": {"alpha": 0.2}}
    assert set(config["losses"]) == {
        "mse",
        "sse",
        "half_sse",
        "categorical_crossentropy",
        "binary_crossentropy",
    }
    assert [p["id"] for p in config["presets"]] == [
        "notebook_single",
        "notebook_multi",
        "multilayer_232",
        "mazur",
        "notebook_crossentropy",
    ]


def test_single_output_cell(client, config):
    spec, body = run_preset(client, config, "notebook_single")
    # The recovered x is consistent with the printed b grad, which the recovery did not use
    # beyond ratios: z = Σx + 1, O = σ(z), ∂E/∂b = 2(O − 1)·O(1 − O).
    x = np.asarray(spec["inputs"][0])
    o = 1.0 / (1.0 + np.exp(-(x.sum() + 1.0)))
    assert 2.0 * (o - 1.0) * o * (1.0 - o) == pytest.approx(-0.15517864, abs=1e-7)
    np.testing.assert_allclose(
        body["params"][0]["dW"], [[-0.0684463], [0.26229477], [0.3117205]], atol=F32_PRINT
    )
    np.testing.assert_allclose(body["params"][0]["db"], [-0.15517864], atol=F32_PRINT)


def test_multi_output_cell(client, config):
    _, body = run_preset(client, config, "notebook_multi")
    printed_w = [
        [-0.06555234, 0.04063531, 0.02491703],
        [0.03510559, 0.01809573, -0.05320131],
        [0.18592252, -0.09184361, -0.09407891],
        [-0.03733121, -0.02389582, 0.06122703],
    ]
    # 12 printed numbers from 8 recovered inputs: the fit itself is a check.
    np.testing.assert_allclose(body["params"][0]["dW"], printed_w, atol=F32_PRINT)
    np.testing.assert_allclose(
        body["params"][0]["db"], [-0.03703704, 0.07407407, -0.03703704], atol=F32_PRINT
    )


def test_mazur_worked_example(client, config):
    _, body = run_preset(client, config, "mazur")
    assert body["loss"] == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(
        body["params"][1]["W_next"],
        [[0.35891648, 0.51130127], [0.408666186, 0.561370121]],
        atol=1e-8,
    )
    np.testing.assert_allclose(
        body["params"][0]["W_next"],
        [[0.149780716, 0.24975114], [0.19956143, 0.29950229]],
        atol=1e-8,
    )
    # ∂E/∂out_o1 = −(target − out) = 0.74136507 (Mazur), the output layer's ∂L/∂a.
    assert body["layers"][2]["grad_a"][0][0] == pytest.approx(0.74136507, abs=1e-8)


def test_multilayer_preset_matches_the_notebook_delta_rule(client, config):
    spec, body = run_preset(client, config, "multilayer_232")
    W1, W2 = (np.asarray(w) for w in spec["weights"])
    b1, b2 = (np.asarray(b) for b in spec["biases"])
    x, t = np.asarray(spec["inputs"]), np.asarray(spec["targets"])
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    h = sig(x @ W1 + b1)
    o = sig(h @ W2 + b2)
    delta_k = (o - t) * o * (1 - o)  # δ_k = (O_k − t_k) O_k (1 − O_k)
    delta_j = h * (1 - h) * (delta_k @ W2.T)  # δ_j = O_j (1 − O_j) Σ_k W_jk δ_k
    assert body["loss"] == pytest.approx(0.5 * np.sum((o - t) ** 2), abs=1e-15)
    np.testing.assert_allclose(body["layers"][2]["delta"], delta_k, atol=1e-15)
    np.testing.assert_allclose(body["layers"][1]["delta"], delta_j, atol=1e-15)
    np.testing.assert_allclose(body["layers"][1]["grad_a"], delta_k @ W2.T, atol=1e-15)
    np.testing.assert_allclose(body["params"][1]["dW"], h.T @ delta_k, atol=1e-15)
    np.testing.assert_allclose(body["params"][0]["dW"], x.T @ delta_j, atol=1e-15)
    np.testing.assert_allclose(body["params"][0]["W_next"], W1 - 0.5 * x.T @ delta_j, atol=1e-15)


def test_crossentropy_cell(client, config):
    _, body = run_preset(client, config, "notebook_crossentropy")
    np.testing.assert_allclose(
        body["params"][0]["db"], [0.02462438, -0.05216555, 0.02754116], atol=F32_PRINT
    )
    np.testing.assert_allclose(
        body["params"][0]["dW"],
        [
            [0.00861339, -0.01581438, 0.00720099],
            [0.02661874, 0.12178067, -0.14839941],
            [0.02604978, -0.15760535, 0.13155556],
            [-0.01489652, 0.11392362, -0.09902708],
        ],
        atol=F32_PRINT,
    )
    assert [w["code"] for w in body["warnings"]] == ["double_softmax"]
