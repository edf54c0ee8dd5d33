"""POST /api/v1/backprop/code: the generated script runs and prints the API's own numbers."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from app.engine.activations import ACTIVATIONS
from app.engine.losses import LOSSES

MAZUR = {
    "layers": [2, 2, 2],
    "activations": "sigmoid",
    "dtype": "float64",
    "weights": [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.6, 0.6]],
    "inputs": [[0.05, 0.1]],
    "targets": [[0.01, 0.99]],
    "loss": "half_sse",
    "learning_rate": 0.5,
    "train_biases": False,
}
# float32, leaky_relu with a parameter, softmax into probability cross-entropy, class indices,
# a batch summed, weights partly from the initializer.
MIXED32 = {
    "layers": [3, 4, 4, 3],
    "activations": [{"name": "leaky_relu", "alpha": 0.1}, "tanh", "softmax"],
    "weights": [None, [[0.3, -0.2, 0.1, 0.5]] * 4, None],
    "init": "he_normal",
    "seed": 7,
    "inputs": [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 0.1]],
    "targets": [0, 2, 1],
    "loss": "categorical_crossentropy",
    "reduction": "sum",
    "learning_rate": 0.3,
}
# float64, every other activation, binary cross-entropy from logits, batch mean.
DEEP64 = {
    "layers": [2, 3, 3, 3, 3, 3, 2],
    "activations": ["elu", "selu", "gelu", "swish", "softplus", "linear"],
    "init": "glorot_uniform",
    "seed": 3,
    "dtype": "float64",
    "inputs": [[0.4, -0.6], [-1.2, 0.8]],
    "targets": [[1.0, 0.0], [0.0, 1.0]],
    "loss": "binary_crossentropy",
    "from_logits": True,
    "learning_rate": 0.05,
}


def _code(client, spec):
    response = client.post("/api/v1/backprop/code", json=spec)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "python"
    return body["code"]


def test_generated_scripts_reproduce_the_api(client, tmp_path):
    cases = {"mazur": (MAZUR, 1e-15), "mixed32": (MIXED32, 1e-6), "deep64": (DEEP64, 1e-13)}
    runs, printed_by = {}, {}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    for name, (spec, _) in cases.items():
        path = tmp_path / f"{name}.py"
        path.write_text(_code(client, spec), encoding="utf-8")
        runs[name] = subprocess.Popen(
            [sys.executable, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
    for name, (spec, tol) in cases.items():
        out, err = runs[name].communicate(timeout=180)
        assert runs[name].returncode == 0, err[-2000:]
        printed = json.loads(out.strip().splitlines()[-1])
        api = client.post("/api/v1/backprop", json=spec).json()
        assert printed["loss"] == pytest.approx(api["loss"], rel=tol, abs=tol)
        np.testing.assert_allclose(printed["per_sample_loss"], api["per_sample_loss"], atol=tol)
        for i, layer in enumerate(api["layers"]):
            np.testing.assert_allclose(printed["a"][i], layer["a"], atol=tol, rtol=tol)
            if i:
                np.testing.assert_allclose(printed["z"][i - 1], layer["z"], atol=tol, rtol=tol)
                np.testing.assert_allclose(printed["delta"][i - 1], layer["delta"], atol=tol)
        for i, params in enumerate(api["params"]):
            for key in ("dW", "db", "W_next", "b_next"):
                np.testing.assert_allclose(printed[key][i], params[key], atol=tol, rtol=tol)
        printed_by[name] = printed
    # Mazur's published numbers ("A Step by Step Backpropagation Example"), as the script prints
    # them: E_total, then w5..w8 and w1..w4 after one step with η = 0.5.
    mazur = printed_by["mazur"]
    assert mazur["loss"] == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(
        mazur["W_next"][1], [[0.35891648, 0.51130127], [0.408666186, 0.561370121]], atol=1e-8
    )
    np.testing.assert_allclose(
        mazur["W_next"][0], [[0.149780716, 0.24975114], [0.19956143, 0.29950229]], atol=1e-8
    )


def test_every_registry_name_has_code():
    assert all(spec.code for spec in ACTIVATIONS.values())
    assert all(set(loss.code) == {False, True} for loss in LOSSES.values())


def test_numbers_are_written_exactly_and_names_only_from_the_tables(client):
    spec = dict(MAZUR, weights=[[[0.1 + 0.2, 1e-300], [-2.5e-7, 3.0]], None])
    code = _code(client, spec)
    assert "0.30000000000000004" in code and "1e-300" in code and "-2.5e-07" in code
    compile(code, "backprop.py", "exec")  # valid Python


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"activations": "sigmoid); import os; ("}, ["body", "activations"]),
        ({"weights": [[[0.15, 0.25]], None]}, ["body", "weights", 0]),
        ({"loss": "__import__('os')"}, ["body", "loss"]),
        ({"layers": [2] + [2] * 40}, ["body", "layers"]),
    ],
)
def test_bad_specs_answer_422_naming_the_field(client, change, loc):
    response = client.post("/api/v1/backprop/code", json={**MAZUR, **change})
    assert response.status_code == 422
    locs = [d["loc"][: len(loc)] for d in response.json()["detail"]]
    assert loc in locs, response.json()
