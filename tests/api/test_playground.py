"""POST /api/v1/playground/import and /export over HTTP: a Playground link becomes the /train
request of the same run (checked against the fixture Playground's own code made), and back."""

import json
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from app.engine.playground.state import parse_hash
from app.schemas.train import TrainRequest

IMPORT, EXPORT = "/api/v1/playground/import", "/api/v1/playground/export"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "playground"
LOADS = json.loads((FIXTURES / "page_loads.json").read_text())["loads"]
SITE = "https://playground.tensorflow.org/"


def imported(client, url: str) -> dict:
    response = client.post(IMPORT, json={"url": url})
    assert response.status_code == 200, response.text
    return response.json()


def as_train_body(answer: dict) -> dict:
    """The answer as /train takes it: as it is (every field is a TrainRequest field)."""
    assert set(answer) <= set(TrainRequest.model_fields), set(answer) - set(
        TrainRequest.model_fields
    )
    return answer


def playground_loss(load: dict, key: str, activations: list[str]) -> float:
    """getLoss restated in NumPy from the fixture alone: ½(o − t)² averaged over the points."""
    fns = {"tanh": np.tanh, "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0)}
    fns["sigmoid"] = lambda z: 1 / (1 + np.exp(-z))
    points = np.asarray(load[key])
    x, y = points[:, 0], points[:, 1]
    inputs = {"x": x, "y": y, "xSquared": x * x, "ySquared": y * y, "xTimesY": x * y}
    inputs |= {"sinX": np.sin(x), "sinY": np.sin(y)}
    a = np.stack([inputs[f] for f in load["features"]], axis=1)
    for w, b, act in zip(load["weights_by_node"], load["biases"], activations, strict=True):
        a = fns[act](a @ np.asarray(w).T + np.asarray(b))
    return float(np.mean(0.5 * (a[:, 0] - points[:, 2]) ** 2))


def test_default_spiral_link_gives_playgrounds_model(client):
    answer = imported(client, SITE + LOADS["spiral_default"]["hash"])
    assert answer["layers"] == [2, 4, 2, 1]
    assert answer["activations"] == ["tanh", "tanh", "tanh"]
    assert (answer["loss"], answer["reduction"], answer["dtype"]) == ("half_sse", "mean", "float64")
    assert answer["optimizer"] == {"name": "sgd", "learning_rate": 0.03}
    assert answer["batch_size"] == 10 and answer["shuffle"] is False
    assert answer["regularization"] is None and answer["steps"] == 25  # 250 points / 10
    spec = answer["dataset"]
    assert spec["name"] == "spiral" and spec["playground_seed"] == "0.12345"
    assert spec["features"] == ["x1", "x2"] and len(spec["points"]) == 250
    assert answer["unsupported"] == []


def test_regression_link_and_regularisation(client):
    reg = imported(client, LOADS["reg_gauss"]["hash"])
    assert reg["activations"] == ["sigmoid", "sigmoid", "linear"]
    assert reg["dataset"]["name"] == "reg_gauss" and reg["dataset"]["noise"] == 0.1
    assert len(reg["dataset"]["points"]) == 360 and len(reg["dataset"]["test_points"]) == 840
    l1 = imported(client, LOADS["gauss_batch30_l1"]["hash"])
    assert (l1["regularization"], l1["regularization_rate"]) == ("l1", 0.003)
    assert l1["batch_size"] == 30 and l1["steps"] == 400 // 30


@pytest.mark.parametrize("name", ["spiral_default", "gauss_batch30_l1", "reg_gauss"])
def test_train_at_step_zero_has_playgrounds_initial_loss(client, name):
    load = LOADS[name]
    answer = imported(client, load["hash"])
    body = as_train_body(answer) | {"steps": 0}
    response = client.post("/api/v1/train", json=body)
    assert response.status_code == 200, response.text
    first = response.json()["history"][0]
    acts = answer["activations"]
    assert first["step"] == 0
    assert first["loss"] == pytest.approx(playground_loss(load, "train", acts), rel=1e-12)
    assert first["loss"] == pytest.approx(load["train_loss"], rel=1e-12)  # Playground's own
    assert first["test_loss"] == pytest.approx(load["test_loss"], rel=1e-12)
    assert response.json()["task"]["train_size"] == len(load["train"])


@pytest.mark.parametrize("name", sorted(LOADS))
def test_train_follows_playgrounds_own_training_epoch_by_epoch(client, name):
    """Five Playground steps (epochs) of nn.ts's own update rule, run in Chromium from the
    fixture's points and weights, against /train on the imported body (float64)."""
    load = LOADS[name]
    answer = imported(client, load["hash"])
    per_epoch = answer["steps"]
    body = as_train_body(answer) | {"steps": 5 * per_epoch, "record_every": per_epoch}
    response = client.post("/api/v1/train", json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    history = [entry for entry in out["history"] if entry["step"] > 0]
    assert [entry["step"] for entry in history] == [per_epoch * k for k in range(1, 6)]
    for ours, theirs in zip(history, load["epochs"], strict=True):
        assert ours["loss"] == pytest.approx(theirs["train_loss"], rel=1e-9, abs=1e-12)
        assert ours["test_loss"] == pytest.approx(theirs["test_loss"], rel=1e-9, abs=1e-12)
    final = [np.asarray(w).T for w in load["final_weights_by_node"]]
    for ours, theirs in zip(out["weights"], final, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    for ours, theirs in zip(out["biases"], load["final_biases"], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    dead = sum(int(np.sum(np.asarray(w) == 0)) for w in out["weights"])
    assert dead >= load["dead_links"]  # L1 sets a weight it carries across 0 to exactly 0


def test_train_keeps_the_points_and_their_order(client):
    answer = imported(client, LOADS["xor_noise"]["hash"])
    body = as_train_body(answer) | {"steps": 0}
    points = client.post("/api/v1/train", json=body).json()["points"]
    train = LOADS["xor_noise"]["train"]
    assert points["train"]["x"] == [p[:2] for p in train]
    assert points["train"]["label"] == [1 if p[2] == 1 else 0 for p in train]  # ±1 → class


def test_notes_for_what_is_not_reproduced(client):
    answer = imported(client, "#dataset=xor&discretize=true&cosX=true&noise=90&magic=1")
    fields = [n["field"] for n in answer["unsupported"]]
    assert fields == ["discretize", "cosX", "magic", "noise", "seed"]
    assert answer["dataset"]["noise"] == 0.5  # Playground turns 90 into 50
    assert answer["dataset"]["playground_seed"] == "0.50000"


@pytest.mark.parametrize(
    ("url", "loc", "words"),
    [
        ("#seed=1&networkShape=4,x", ["body", "url", "networkShape"], "'x' is not"),
        ("#seed=1&learningRate=0", ["body", "url", "learningRate"], "more than 0"),
        ("#seed=1&percTrainData=0", ["body", "url", "percTrainData"], "no training points"),
        ("#seed=1&x=false&y=false", ["body", "url", "x"], "no input feature"),
        ("#seed=1&batchSize=300", ["body", "url", "batchSize"], "never update"),
        ("#seed=1&networkShape=1,1,1,1,1,1,1,1", ["body", "url", "networkShape"], "at most 7"),
        ("#seed=1&networkShape=65", ["body", "url", "networkShape"], "at most 64"),
    ],
)
def test_bad_links_answer_422_naming_the_setting(client, url, loc, words):
    response = client.post(IMPORT, json={"url": url})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == loc and words in detail["msg"]


def test_empty_url_is_422(client):
    response = client.post(IMPORT, json={"url": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "url"]


@pytest.mark.parametrize("name", sorted(LOADS))
def test_export_of_an_import_gives_back_the_link(client, name):
    load = LOADS[name]
    answer = imported(client, load["hash"])
    response = client.post(EXPORT, json=as_train_body(answer))
    assert response.status_code == 200, response.text
    out = response.json()
    assert urlsplit(out["url"]).netloc == "playground.tensorflow.org"
    assert parse_hash(out["url"]) == parse_hash(load["hash"])
    assert out["unsupported"] == []


def test_export_says_what_playground_cannot_do(client):
    body = {
        "layers": [3, 5, 1],
        "activations": ["relu", "sigmoid"],
        "dataset": {"name": "gauss", "noise": 0.2, "features": ["x1", "x2", "cos_x1"]},
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "batch_size": 8,
        "l2": 0.005,
    }
    response = client.post(EXPORT, json=body)
    assert response.status_code == 200, response.text
    out = response.json()
    state, _ = parse_hash(out["url"])
    assert state["networkShape"] == [5] and state["activation"] == "relu"
    assert (state["regularization"], state["regularizationRate"]) == ("L2", 0.01)  # 2 · l2
    assert (state["batchSize"], state["noise"], state["percTrainData"]) == (8, 20, 50)
    assert (state["x"], state["y"], state["cosX"]) == (True, True, False)
    fields = {n["field"] for n in out["unsupported"]}
    assert {"activations", "dataset.features", "optimizer", "loss", "dataset", "weights"} <= fields


def test_export_full_batch_and_oversized_batch(client):
    body = {"layers": [2, 1], "activations": "tanh", "dataset": {"name": "xor"}}
    full, _ = parse_hash(client.post(EXPORT, json=body).json()["url"])
    assert full["batchSize"] == 250  # Playground's 500 points, half for training
    big = client.post(EXPORT, json=body | {"batch_size": 300, "dataset": {"name": "xor"}})
    notes = {n["field"]: n["message"] for n in big.json()["unsupported"]}
    assert "never update" in notes["batch_size"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"layers": [2, 1], "inputs": [[0, 0]], "targets": [[1]]}, ["body", "dataset"]),
        ({"layers": [2, 3], "dataset": {"name": "spiral3"}}, ["body", "dataset", "name"]),
        ({"layers": [2, 2], "dataset": {"name": "xor"}}, ["body", "layers", -1]),
    ],
)
def test_export_refuses_what_playground_has_no_form_for(client, body, loc):
    response = client.post(EXPORT, json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_train_rejects_bad_explicit_points(client):
    base = {"layers": [2, 1], "activations": "tanh", "steps": 0}
    bad_label = base | {"dataset": {"name": "xor", "points": [[0, 0, 1], [1, 1, 2]]}}
    response = client.post("/api/v1/train", json=bad_label)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "dataset", "points", 1, 2]
    orphan = base | {"dataset": {"name": "xor", "test_points": [[0, 0, 1]]}}
    assert client.post("/api/v1/train", json=orphan).status_code == 422
