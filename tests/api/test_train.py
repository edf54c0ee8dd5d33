"""POST /api/v1/train and /api/v1/datasets over HTTP, checked against NumPy computations."""

import threading

import httpx
import numpy as np
import pytest

from app.core.config import get_settings
from app.engine import training

URL = "/api/v1/train"
TWO_CLASS = ["circle", "xor", "gauss", "spiral"]


def post(client, body, status=200):
    response = client.post(URL, json=body)
    assert response.status_code == status, response.text
    return response.json()


def np_forward(weights, biases, acts, x):
    fns = {"tanh": np.tanh, "linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    a = np.asarray(x, float)
    outs = [a]
    for W, b, act in zip(weights, biases, acts, strict=True):
        a = fns[act](a @ np.asarray(W) + np.asarray(b))
        outs.append(a)
    return outs


def error_locs(response) -> list[list]:
    return [d["loc"] for d in response.json()["detail"]]


# ---- Learning ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*TWO_CLASS, "plane", "sine"])
def test_training_reduces_the_loss_on_every_two_output_free_dataset(client, name):
    body = {
        "layers": [2, 6, 1],
        "activations": ["tanh", "linear"],
        "dataset": {"name": name, "samples": 200, "noise": 0.1, "seed": 1},
        "optimizer": {"name": "adam", "learning_rate": 0.03},
        "steps": 400,
        "record_every": 100,
    }
    data = post(client, body)
    losses = [h["loss"] for h in data["history"]]
    assert losses[-1] < 0.5 * losses[0], losses
    assert data["history"][-1]["test_loss"] < data["history"][0]["test_loss"]
    if name in TWO_CLASS:
        assert data["history"][-1]["accuracy"] > data["history"][0]["accuracy"]


@pytest.mark.parametrize("name", ["spiral3", "blobs3"])
def test_training_reduces_the_loss_on_the_three_class_datasets(client, name):
    body = {
        "layers": [2, 12, 12, 3],
        "activations": ["tanh", "tanh", "softmax"],
        "loss": "categorical_crossentropy",
        "dataset": {"name": name, "samples": 240, "noise": 0.05, "seed": 2},
        "optimizer": {"name": "adam", "learning_rate": 0.05},
        "steps": 400,
        "batch_size": 20,
        "record_every": 200,
    }
    data = post(client, body)
    first, last = data["history"][0], data["history"][-1]
    assert last["loss"] < 0.7 * first["loss"]
    assert last["accuracy"] > first["accuracy"]
    boundary = data["boundary"]
    assert np.asarray(boundary["probabilities"]).shape == (3, 50, 50)
    probs = np.asarray(boundary["probabilities"])
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, atol=1e-5)
    np.testing.assert_array_equal(np.asarray(boundary["z"]), probs.argmax(axis=0))


def test_xor_is_solved_by_a_small_tanh_network(client):
    body = {
        "layers": [2, 4, 4, 1],
        "activations": "tanh",
        "dataset": {"name": "xor", "samples": 200, "seed": 3},
        "optimizer": {"name": "adam", "learning_rate": 0.03},
        "steps": 800,
        "record_every": 400,
    }
    data = post(client, body)
    last = data["history"][-1]
    assert last["accuracy"] == 1.0 and last["test_accuracy"] == 1.0
    # The accuracy is what NumPy says about the returned weights: sign(output) = label sign.
    for part in ("train", "test"):
        points = data["points"][part]
        out = np_forward(data["weights"], data["biases"], ["tanh"] * 3, points["x"])[-1]
        labels = np.asarray(points["label"])
        assert np.all((out[:, 0] >= 0) == (labels == 1))


# ---- History, chunks, state -------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "every", "expected"), [(25, 10, [0, 10, 20, 25]), (20, 10, [0, 10, 20])]
)
def test_history_entries_follow_the_contract(client, steps, every, expected):
    body = {
        "layers": [2, 3, 1],
        "activations": "tanh",
        "dtype": "float64",
        "inputs": [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.5]],
        "targets": [[1.0], [1.0], [-1.0], [0.2]],
        "optimizer": {"name": "sgd", "learning_rate": 0.1},
        "steps": steps,
        "record_every": every,
    }
    data = post(client, body)
    assert [h["step"] for h in data["history"]] == expected
    assert data["record_every"] == every
    # The last entry is the loss of the returned weights on the whole training set (NumPy).
    out = np_forward(data["weights"], data["biases"], ["tanh", "tanh"], body["inputs"])[-1]
    mse = np.mean((out - np.asarray(body["targets"])) ** 2)
    assert data["history"][-1]["loss"] == pytest.approx(mse, abs=1e-13)
    assert "accuracy" not in data["history"][0]  # regression on your own data


def test_default_record_every_keeps_about_200_entries(client):
    body = {
        "layers": [2, 2, 1],
        "dataset": {"name": "gauss", "samples": 40},
        "steps": 1000,
    }
    data = post(client, body)
    assert data["record_every"] == 5 and len(data["history"]) == 201
    assert data["history"][-1]["step"] == 1000


def test_compiled_xla_says_which_loop_ran(client, monkeypatch):
    """``compiled.xla`` reports the loop that ran: XLA when asked for and admitted; the plain
    graph when not asked, or when the XLA programs are at their cap (same numbers to
    rounding)."""
    cache = training.graph_cache()
    body = {
        "layers": [2, 3, 1],
        "dataset": {"name": "xor", "samples": 30, "seed": 3},
        "optimizer": {"name": "sgd", "learning_rate": 0.2},
        "steps": 30,
        "batch_size": 5,
    }
    plain = post(client, body)
    monkeypatch.setattr(cache, "max_xla_programs", cache.xla_programs + 1)
    xla = post(client, {**body, "jit_compile": True})
    monkeypatch.setattr(cache, "max_xla_programs", cache.xla_programs)
    capped = post(client, {**body, "activations": "relu", "jit_compile": True})
    assert [r["compiled"]["xla"] for r in (plain, xla, capped)] == [False, True, False]
    np.testing.assert_allclose(
        [h["loss"] for h in xla["history"]], [h["loss"] for h in plain["history"]], rtol=1e-5
    )


def test_two_calls_of_50_steps_continue_exactly_like_one_of_100(client):
    base = {
        "layers": [2, 4, 2, 1],
        "activations": "tanh",
        "seed": 7,
        "dataset": {"name": "circle", "samples": 100, "noise": 0.1, "seed": 4},
        "optimizer": {"name": "adam", "learning_rate": 0.03},
        "batch_size": 10,
        "record_every": 25,
    }
    whole = post(client, {**base, "steps": 100})
    first = post(client, {**base, "steps": 50})
    second = post(
        client,
        {
            **base,
            "steps": 50,
            "weights": first["weights"],
            "biases": first["biases"],
            "optimizer_state": first["optimizer_state"],
        },
    )
    assert second["weights"] == whole["weights"] and second["biases"] == whole["biases"]
    assert second["optimizer_state"] == whole["optimizer_state"]
    assert second["optimizer_state"]["iterations"] == 100
    assert second["start_iteration"] == 50 and second["history"][-1]["step"] == 50
    assert {**second["history"][-1], "step": 100} == whole["history"][-1]
    assert second["history"][0]["loss"] == whole["history"][2]["loss"]  # both after 50 steps


def test_optimizer_state_is_validated(client):
    base = {
        "layers": [2, 3, 1],
        "dataset": {"name": "xor", "samples": 20},
        "optimizer": {"name": "adam"},
        "steps": 1,
    }
    state = post(client, base)["optimizer_state"]
    wrong_slots = {**state, "name": None, "slots": {"momentum": state["slots"]["m"]}}
    r = client.post(URL, json={**base, "optimizer_state": wrong_slots})
    assert r.status_code == 422 and error_locs(r) == [["body", "optimizer_state", "slots"]]
    assert "m, v" in r.json()["detail"][0]["msg"]
    bad_shape = {**state, "slots": {**state["slots"], "v": {**state["slots"]["v"]}}}
    bad_shape["slots"]["v"]["weights"] = [[[0.0]], state["slots"]["v"]["weights"][1]]
    r = client.post(URL, json={**base, "optimizer_state": bad_shape})
    assert r.status_code == 422
    assert error_locs(r) == [["body", "optimizer_state", "slots", "v", "weights", 0]]
    r = client.post(URL, json={**base, "optimizer": {"name": "sgd"}, "optimizer_state": state})
    assert r.status_code == 422 and error_locs(r) == [["body", "optimizer_state", "name"]]


# ---- What the page draws ----------------------------------------------------------------


def test_boundary_neuron_grids_and_gradients_match_numpy(client):
    body = {
        "layers": [2, 3, 2, 1],
        "activations": ["tanh", "tanh", "sigmoid"],
        "loss": "binary_crossentropy",
        "dtype": "float64",
        "dataset": {"name": "gauss", "samples": 60, "noise": 0.2, "seed": 5},
        "optimizer": {"name": "momentum", "learning_rate": 0.05},
        "steps": 30,
        "boundary_resolution": 11,
        "neuron_grids": True,
        "neuron_grid_resolution": 5,
    }
    data = post(client, body)
    acts = ["tanh", "tanh", "sigmoid"]
    boundary = data["boundary"]
    assert boundary["x"][0] == -6.0 and boundary["x"][-1] == 6.0 and len(boundary["y"]) == 11
    gx, gy = np.meshgrid(boundary["x"], boundary["y"])
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    out = np_forward(data["weights"], data["biases"], acts, grid)[-1]
    np.testing.assert_allclose(np.asarray(boundary["z"]), out[:, 0].reshape(11, 11), atol=1e-12)
    layers = data["neuron_grids"]["layers"]
    assert [np.asarray(a).shape for a in layers] == [(2, 5, 5), (3, 5, 5), (2, 5, 5), (1, 5, 5)]
    nx, ny = np.meshgrid(data["neuron_grids"]["x"], data["neuron_grids"]["y"])
    coarse = np_forward(
        data["weights"], data["biases"], acts, np.stack([nx.ravel(), ny.ravel()], 1)
    )
    hidden = coarse[1][:, 2].reshape(5, 5)  # layer 1, unit 2
    np.testing.assert_allclose(np.asarray(layers[1][2]), hidden, atol=1e-12)
    # Sigmoid output with 0/1 labels: the accuracy cut is 0.5 on both sides.
    assert data["task"]["thresholds"] == [0.5, 0.5]
    # Gradients at the returned weights, by the δ rule on the training points.
    x = np.asarray(data["points"]["train"]["x"])
    y = np.asarray(data["points"]["train"]["label"], float)[:, None]
    outs = np_forward(data["weights"], data["biases"], acts, x)
    # BCE with a sigmoid output: ∂L/∂z = (a − y)/B (the loss clips a to [ε, 1−ε]; not hit here).
    delta = (outs[-1] - y) / len(x)
    for layer in reversed(range(3)):
        np.testing.assert_allclose(
            data["gradients"]["weights"][layer], outs[layer].T @ delta, atol=1e-12
        )
        np.testing.assert_allclose(data["gradients"]["biases"][layer], delta.sum(0), atol=1e-12)
        if layer:
            delta = (delta @ np.asarray(data["weights"][layer]).T) * (1 - outs[layer] ** 2)


def test_your_own_data_trains_and_gets_a_boundary_around_it(client):
    body = {
        "layers": [2, 4, 1],
        "activations": ["tanh", "sigmoid"],
        "loss": "binary_crossentropy",
        "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "targets": [0, 1, 1, 0],
        "optimizer": {"name": "adam", "learning_rate": 0.1},
        "steps": 300,
        "boundary_resolution": 5,
    }
    data = post(client, body)
    assert data["history"][-1]["loss"] < data["history"][0]["loss"]
    assert data["boundary"]["x"][0] == pytest.approx(-0.5) and data["boundary"]["x"][-1] == 1.5
    assert data["points"]["train"]["label"] == [0, 1, 1, 0]
    assert data["task"]["accuracy"] == "threshold"


def test_a_diverging_run_answers_200_with_nulls_and_a_warning(client):
    body = {
        "layers": [2, 8, 1],
        "activations": "linear",
        "dataset": {"name": "plane", "samples": 50},
        "optimizer": {"name": "sgd", "learning_rate": 1000},
        "steps": 200,
        "record_every": 50,
    }
    data = post(client, body)
    assert data["history"][0]["loss"] is not None
    assert data["history"][-1]["loss"] is None
    assert any(v is None for row in data["weights"][0] for v in row)
    codes = [w["code"] for w in data["warnings"]]
    assert codes == ["non_finite"]
    assert "history[200].loss" in data["warnings"][0]["fields"]


# ---- Limits and errors ------------------------------------------------------------------


def test_cost_limits_answer_422_naming_the_field(client):
    settings = get_settings()
    cached = len(training.loop_cache())
    big = {
        "layers": [2, 64, 64, 64, 1],
        "dataset": {"name": "circle", "samples": settings.max_samples},
        "steps": settings.max_steps,
    }
    r = client.post(URL, json=big)
    assert r.status_code == 422 and error_locs(r) == [["body", "steps"]]
    assert "multiply-adds" in r.json()["detail"][0]["msg"]
    r = client.post(URL, json={**big, "layers": [2, 1], "steps": settings.max_steps + 1})
    assert r.status_code == 422 and error_locs(r) == [["body", "steps"]]
    r = client.post(URL, json={**big, "dataset": {"name": "xor", "samples": 10**6}})
    assert r.status_code == 422 and error_locs(r) == [["body", "dataset", "samples"]]
    small = {"layers": [2, 1], "dataset": {"name": "xor", "samples": 20}, "steps": 5000}
    r = client.post(URL, json={**small, "record_every": 1})
    assert r.status_code == 422 and error_locs(r) == [["body", "record_every"]]
    r = client.post(URL, json={**small, "batch_size": 11})  # 10 training points
    assert r.status_code == 422 and error_locs(r) == [["body", "batch_size"]]
    r = client.post(URL, json={**small, "boundary_resolution": 10_000})
    assert r.status_code == 422 and error_locs(r) == [["body", "boundary_resolution"]]
    assert len(training.loop_cache()) == cached  # nothing was compiled


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"dataset": {"name": "spiral3"}}, ["body", "layers", -1]),
        ({"dataset": {"name": "moons"}}, ["body", "dataset", "name"]),
        ({"layers": [3, 1]}, ["body", "layers", 0]),
        ({"inputs": [[0, 1]], "targets": [[1]]}, ["body", "dataset"]),
        ({"dataset": None, "inputs": [[0, 1]]}, ["body", "targets"]),
        ({"optimizer": {"name": "adam", "nesterov": True}}, ["body", "optimizer", "nesterov"]),
        ({"optimizer": {"name": "sgd", "learning_rate": float("nan")}}, None),
        ({"dataset": {"name": "xor", "noise": 2}}, ["body", "dataset", "noise"]),
    ],
)
def test_bad_requests_answer_422_naming_the_field(client, change, loc):
    body = {"layers": [2, 1], "dataset": {"name": "xor", "samples": 20}, "steps": 3, **change}
    r = client.post(URL, content=httpx_json(body), headers={"content-type": "application/json"})
    assert r.status_code == 422
    if loc is not None:
        assert error_locs(r)[0][: len(loc)] == loc
    else:
        assert error_locs(r)[0][:3] == ["body", "optimizer", "learning_rate"]


def httpx_json(body) -> str:
    import json

    return json.dumps(body)  # allows NaN, which the API must refuse


def test_health_answers_while_a_long_training_runs(live_server):
    body = {
        "layers": [2, 8, 8, 1],
        "activations": "tanh",
        "dataset": {"name": "spiral", "samples": 400},
        "steps": 12_000,
        "jit_compile": False,
    }
    finished = threading.Event()
    result = {}

    def train():
        result["response"] = httpx.post(live_server + URL, json=body, timeout=120)
        finished.set()

    thread = threading.Thread(target=train)
    thread.start()
    answered_during_training = 0
    with httpx.Client(base_url=live_server, timeout=30) as http:
        while not finished.is_set():
            if http.get("/healthz").json()["status"] == "ok" and not finished.is_set():
                answered_during_training += 1
    thread.join()
    assert result["response"].status_code == 200
    assert result["response"].json()["history"][-1]["step"] == 12_000
    assert answered_during_training >= 3


# ---- Datasets ---------------------------------------------------------------------------


def test_dataset_list_names_every_dataset(client):
    data = client.get("/api/v1/datasets").json()
    names = {d["name"]: d for d in data["datasets"]}
    assert set(names) == {*TWO_CLASS, "spiral3", "blobs3", "plane", "sine", "reg_gauss"}
    assert names["spiral3"]["classes"] == 3 and names["plane"]["task"] == "regression"
    assert "x1_x2" in data["features"]


def test_dataset_preview_is_deterministic_and_labelled_as_playground_does(client):
    def get(name, **params):
        r = client.get(f"/api/v1/datasets/{name}", params={"samples": 400, **params})
        assert r.status_code == 200, r.text
        data = r.json()
        return np.asarray(data["train"]["x"] + data["test"]["x"]), np.asarray(
            data["train"]["label"] + data["test"]["label"]
        )

    x, label = get("xor", seed=8)
    x2, label2 = get("xor", seed=8)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(label, label2)
    assert not np.array_equal(x, get("xor", seed=9)[0])
    assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= 5.3)  # Playground's padding
    np.testing.assert_array_equal(label, (x[:, 0] * x[:, 1] >= 0).astype(int))
    x, label = get("circle")
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_array_equal(label, (r < 2.5).astype(int))
    assert np.all((r <= 2.5) | ((r >= 3.5) & (r <= 5.0)))
    x, label = get("gauss", samples=2000)
    np.testing.assert_allclose(x[label == 1].mean(0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[label == 0].var(0), [0.5, 0.5], rtol=0.15)  # Playground's 0.5
    x, label = get("spiral3", samples=300)
    assert np.bincount(label).tolist() == [100, 100, 100]
    r = client.get("/api/v1/datasets/xor", params={"samples": 10**6})
    assert r.status_code == 422 and error_locs(r) == [["query", "samples"]]


def test_split_keeps_the_test_fraction(client):
    data = client.get("/api/v1/datasets/gauss", params={"samples": 200, "test_fraction": 0.3})
    data = data.json()
    assert len(data["train"]["x"]) == 140 and len(data["test"]["x"]) == 60


# ---- Your own data ----------------------------------------------------------------------

PARSE = "/api/v1/datasets/parse"


def test_csv_with_header_and_comments_parses_to_inputs_and_targets(client):
    text = "x1,x2,label\n# a comment\n0.5, -1, 1\n2;3;0\n\n-1e-3\t4\t1\n"
    r = client.post(PARSE, json={"text": text})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["inputs"] == [[0.5, -1.0], [2.0, 3.0], [-0.001, 4.0]]
    assert data["targets"] == [[1.0], [0.0], [1.0]]
    assert data["header"] == ["x1", "x2", "label"]


def test_json_rows_and_objects_parse(client):
    rows = client.post(
        PARSE, json={"text": "[[1, 2, 3, 4]]", "format": "json", "target_columns": 2}
    ).json()
    assert rows["inputs"] == [[1.0, 2.0]] and rows["targets"] == [[3.0, 4.0]]
    obj = '{"inputs": [[1, 2], [3, 4]], "targets": [0, 1]}'
    data = client.post(PARSE, json={"text": obj, "format": "json"}).json()
    assert data["inputs"] == [[1.0, 2.0], [3.0, 4.0]] and data["targets"] == [[0.0], [1.0]]


@pytest.mark.parametrize(
    ("text", "fmt", "words"),
    [
        ("1,2,3\n4,x,6\n", "csv", "line 2, column 2: 'x' is not a number"),
        ("1,2,3\n4,5\n", "csv", "line 2 has 2 columns, but the first row has 3"),
        ("1,2,nan\n", "csv", "line 1, column 3: 'nan' is not a finite number"),
        ("", "csv", "no data rows"),
        ('[[1, 2], [3, "a"]]', "json", 'row 2, column 2: "a" is not a number'),
        ("[[1, 2]", "json", "not valid JSON"),
        ("5\n6\n", "csv", "target_columns must be between 1 and 0"),
    ],
)
def test_bad_user_data_gets_a_clear_error(client, text, fmt, words):
    r = client.post(PARSE, json={"text": text, "format": fmt})
    assert r.status_code == 422
    assert words in r.json()["detail"][0]["msg"]


def test_user_data_over_the_row_limit_is_refused(client):
    limit = get_settings().max_samples
    text = "\n".join("1,2,0" for _ in range(limit + 1))
    r = client.post(PARSE, json={"text": text})
    assert r.status_code == 422
    assert f"over the limit of {limit}" in r.json()["detail"][0]["msg"]
