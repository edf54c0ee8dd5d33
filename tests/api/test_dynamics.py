"""POST /api/v1/gradient-flow and /api/v1/landscape over HTTP, against independent oracles:
the NumPy δ rule, /backprop's own numbers, a NumPy forward pass, central differences."""

import numpy as np
import pytest

from app.core.config import get_settings
from app.engine.activations import ACTIVATIONS, bind
from app.engine.gradient_flow import generated_batch
from app.engine.losses import get_loss
from app.engine.textbook import textbook_backprop

MAZUR = {
    "layers": [2, 2, 2],
    "dtype": "float64",
    "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
    "inputs": [[0.05, 0.10]],
    "targets": [[0.01, 0.99]],
    "loss": "half_sse",
}
LANDSCAPE = {
    **MAZUR,
    "weight_a": {"layer": 1, "row": 0, "col": 0},
    "weight_b": {"layer": 2, "row": 0, "col": 0},
    "resolution": 21,
    "path_steps": 5,
}


def post(client, path, body, status=200):
    response = client.post(f"/api/v1/{path}", json=body)
    assert response.status_code == status, response.text
    return response.json()


# ---- /gradient-flow --------------------------------------------------------------------


def test_gradient_flow_defaults_compare_sigmoid_glorot_with_relu_he(client):
    data = post(client, "gradient-flow", {})
    sigmoid, relu = data["configs"]
    assert (sigmoid["label"], relu["label"]) == ("sigmoid + glorot_uniform", "relu + he_normal")
    assert sigmoid["layers"] == [8] + [16] * 9 + [1]
    assert sigmoid["activations"] == ["sigmoid"] * 9 + ["linear"]
    assert data["batch"] == 32 and set(data["norms"]) >= {"grad_W_norm", "delta_norm"}
    assert sigmoid["check"]["agrees"] and relu["check"]["agrees"]
    # Ten layers deep, the first sigmoid layer gets > 10⁴ times less gradient than ReLU + He.
    ratio = sigmoid["per_layer"][0]["grad_W_norm"] / relu["per_layer"][0]["grad_W_norm"]
    assert ratio < 1e-4
    norms = [layer["grad_W_norm"] for layer in sigmoid["per_layer"][:-1]]
    assert all(low < high for low, high in zip(norms, norms[1:], strict=False))


def test_gradient_flow_norms_equal_the_numpy_delta_rule_on_the_same_network(client):
    inputs, targets = generated_batch(6, 3, 2, seed=5)
    weights = [np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(-0.5, 2, 8).reshape(4, 2)]
    biases = [np.array([0.1, -0.2, 0.3, 0.0]), np.array([0.05, -0.05])]
    body = {
        "input_size": 3,
        "output_size": 2,
        "dtype": "float64",
        "inputs": inputs.tolist(),
        "targets": targets.tolist(),
        "loss": "binary_crossentropy",
        "configs": [
            {
                "label": "given",
                "network": {
                    "layers": [3, 4, 2],
                    "activations": ["tanh", "sigmoid"],
                    "weights": [w.tolist() for w in weights],
                    "biases": [b.tolist() for b in biases],
                },
            }
        ],
    }
    config = post(client, "gradient-flow", body)["configs"][0]
    acts = [bind("tanh"), bind("sigmoid")]
    book = textbook_backprop(
        weights, biases, acts, inputs, targets, get_loss("binary_crossentropy"), False, "mean"
    )
    assert config["label"] == "given" and config["loss"] == pytest.approx(book.loss, rel=1e-12)
    for layer, stats in enumerate(config["per_layer"]):
        assert stats["grad_W_norm"] == pytest.approx(np.linalg.norm(book.dW[layer]), rel=1e-10)
        assert stats["grad_b_norm"] == pytest.approx(np.linalg.norm(book.db[layer]), rel=1e-10)
        assert stats["delta_norm"] == pytest.approx(np.linalg.norm(book.delta[layer]), rel=1e-10)
        assert stats["mean_abs_activation"] == pytest.approx(
            np.abs(book.a[layer + 1]).mean(), rel=1e-12
        )
        fprime = acts[layer].np_der(book.z[layer])
        assert stats["mean_abs_fprime"] == pytest.approx(np.abs(fprime).mean(), rel=1e-12)


def test_gradient_flow_stack_equals_backprop_of_the_same_spec(client):
    """A generated stack is the network /backprop builds from layers + init + seed."""
    body = {"depth": 4, "width": 5, "input_size": 3, "output_size": 2, "batch_size": 7}
    body |= {"dtype": "float64", "data_seed": 11}
    body["configs"] = [{"activation": "tanh", "init": "he_normal", "seed": 9}]
    config = post(client, "gradient-flow", body)["configs"][0]
    inputs, targets = generated_batch(7, 3, 2, seed=11)
    spec = {
        "layers": [3, 5, 5, 5, 2],
        "activations": ["tanh"] * 3 + ["linear"],
        "init": "he_normal",
        "seed": 9,
        "dtype": "float64",
    }
    ref = post(client, "backprop", {**spec, "inputs": inputs.tolist(), "targets": targets.tolist()})
    assert config["loss"] == pytest.approx(ref["loss"], rel=1e-12)
    for stats, params in zip(config["per_layer"], ref["params"], strict=True):
        assert stats["grad_W_norm"] == pytest.approx(np.linalg.norm(params["dW"]), rel=1e-10)
        assert stats["weight_norm"] == pytest.approx(np.linalg.norm(params["W"]), rel=1e-12)


def test_gradient_flow_limits_and_bad_input_answer_422_naming_the_field(client):
    settings = get_settings()
    cases = [
        ({"depth": settings.max_depth + 1}, ["body", "depth"]),
        ({"depth": 0}, ["body", "depth"]),
        ({"width": settings.max_units + 1}, ["body", "width"]),
        ({"configs": [{"depth": settings.max_depth + 1}]}, ["body", "configs", 0, "depth"]),
        ({"configs": [{}] * (settings.max_flow_configs + 1)}, ["body", "configs"]),
        ({"configs": []}, ["body", "configs"]),
        ({"batch_size": settings.max_batch + 1}, ["body", "batch_size"]),
        ({"inputs": [[1.0, 2.0]]}, ["body", "inputs", 0]),
        ({"configs": [{"activation": "sigmoidal"}]}, ["body", "configs", 0, "activation"]),
        ({"configs": [{"init": "orthogonal"}]}, ["body", "configs", 0, "init"]),
        (
            {"configs": [{"network": {"layers": [8, 3, 2]}}]},
            ["body", "configs", 0, "network", "layers"],
        ),
        (
            {"configs": [{"network": {"layers": [8, 3, 1], "weights": [[[1.0]], None]}}]},
            ["body", "configs", 0, "network", "weights", 0],
        ),
        ({"saturation_threshold": 0}, ["body", "saturation_threshold"]),
    ]
    for body, loc in cases:
        detail = post(client, "gradient-flow", body, 422)["detail"]
        assert any(d["loc"][: len(loc)] == loc for d in detail), (body, detail)
        assert all(d["msg"] for d in detail)


def test_gradient_flow_underflow_is_zero_not_null_and_overflow_is_null(client):
    ones = {"activation": "linear", "init": "ones", "label": "linear ones"}
    body = {"depth": 40, "configs": [{"activation": "sigmoid"}, ones]}
    data = post(client, "gradient-flow", body)
    assert data["configs"][0]["per_layer"][0]["grad_W_norm"] >= 0.0  # underflows, stays a number
    ones = data["configs"][1]
    assert ones["loss"] is None  # 16^40 overflows float32
    assert any(w["code"] == "non_finite" for w in data["warnings"])


# ---- /landscape ------------------------------------------------------------------------


def numpy_mse_net(weights, biases, x, t):
    a = np.asarray(x, float)
    for W, b in zip(weights, biases, strict=True):
        a = ACTIVATIONS["sigmoid"].np_fn(a @ np.asarray(W) + np.asarray(b))
    return float(np.mean(0.5 * np.sum((np.asarray(t) - a) ** 2, axis=-1)))


def test_landscape_centre_equals_backprop_loss_and_gradient_equals_its_dW(client):
    data = post(client, "landscape", LANDSCAPE)
    ref = post(client, "backprop", MAZUR)
    assert data["weight_a"]["label"] == "W1[0,0]" and data["weight_a"]["value"] == 0.15
    mid = LANDSCAPE["resolution"] // 2
    assert data["a"][mid] == 0.15 and data["b"][mid] == 0.40
    assert data["loss"][mid][mid] == pytest.approx(ref["loss"], rel=1e-14)
    assert data["current"]["loss"] == pytest.approx(0.298371108760003, rel=1e-14)  # Mazur
    ga, gb = data["current"]["gradient"]
    assert ga == pytest.approx(ref["params"][0]["dW"][0][0], rel=1e-12)
    assert gb == pytest.approx(ref["params"][1]["dW"][0][0], rel=1e-12)
    assert gb == pytest.approx(0.082167040564230, rel=1e-12)  # Mazur's ∂E/∂w5


def test_landscape_grid_equals_numpy_at_sampled_points(client):
    body = {**LANDSCAPE, "range_a": [-3, 2], "range_b": [-1, 4], "resolution": 11}
    data = post(client, "landscape", body)
    assert data["a"] == pytest.approx(np.linspace(-3, 2, 11).tolist(), abs=1e-15)
    for i, j in [(0, 0), (10, 10), (3, 7), (8, 1), (5, 5)]:
        weights = [np.array(w) for w in MAZUR["weights"]]
        weights[0][0, 0], weights[1][0, 0] = data["a"][i], data["b"][j]
        expected = numpy_mse_net(weights, MAZUR["biases"], MAZUR["inputs"], MAZUR["targets"])
        assert data["loss"][j][i] == pytest.approx(expected, rel=1e-12)


def test_landscape_gradient_equals_central_differences_of_the_grid(client):
    h = 1e-5
    start = [0.7, -0.4]
    body = {**LANDSCAPE, "start": start, "resolution": 3, "path_steps": 0}
    body |= {"range_a": [start[0] - h, start[0] + h], "range_b": [start[1] - h, start[1] + h]}
    data = post(client, "landscape", body)
    grid = np.array(data["loss"])
    ga, gb = data["current"]["gradient"]
    assert ga == pytest.approx((grid[1][2] - grid[1][0]) / (2 * h), rel=1e-6)
    assert gb == pytest.approx((grid[2][1] - grid[0][1]) / (2 * h), rel=1e-6)
    assert data["current"]["loss"] == pytest.approx(grid[1][1], rel=1e-12)


def test_landscape_bias_axis_and_paths(client):
    body = {**LANDSCAPE, "weight_b": {"layer": 2, "param": "b", "col": 1}, "path_steps": 4}
    body["optimizers"] = [
        {"name": "sgd", "learning_rate": 0.5},
        {"name": "momentum", "learning_rate": 0.25, "momentum": 0.5},
        {"name": "adam", "learning_rate": 0.125},
    ]
    data = post(client, "landscape", body)
    assert data["weight_b"]["label"] == "b2[1]" and data["weight_b"]["value"] == 0.6
    sgd, momentum, adam = data["paths"]
    g = data["current"]["gradient"]
    # step 1 of SGD is exactly w − lr·g
    assert sgd["a"][1] == 0.15 - 0.5 * g[0] and sgd["b"][1] == 0.6 - 0.5 * g[1]
    # momentum's first step equals SGD's at its own rate; its second adds μ·(first step)
    assert momentum["a"][1] == 0.15 - 0.25 * g[0]
    step_2 = 0.5 * (momentum["a"][1] - 0.15) - 0.25 * momentum["grad_a"][1]
    assert momentum["a"][2] == pytest.approx(momentum["a"][1] + step_2, rel=1e-14)
    # Adam's first step is lr·g/(|g| + ε/√(1−β₂)) (≈ lr·sign g; Keras puts ε outside v̂)
    for k, axis in enumerate("ab"):
        first = 0.125 * g[k] / (abs(g[k]) + 1e-7 / np.sqrt(1 - 0.999))
        assert adam[axis][1] == pytest.approx(adam[axis][0] - first, rel=1e-12)
    for path in data["paths"]:
        assert len(path["a"]) == len(path["loss"]) == 5
        assert path["final_loss"] == path["loss"][-1]
        assert path["loss"][-1] < path["loss"][0]


def test_landscape_divergence_becomes_null_with_a_warning(client):
    body = {
        "layers": [1, 1],
        "activations": "linear",
        "weights": [[[1.0]]],
        "biases": [[0.0]],
        "inputs": [[10.0]],
        "targets": [[0.0]],
        "weight_a": {"layer": 1},
        "weight_b": {"layer": 1, "param": "b"},
        "optimizers": [{"name": "sgd"}],
        "learning_rate": 1000,
        "path_steps": 200,
    }
    data = post(client, "landscape", body)
    assert data["paths"][0]["a"][-1] is None
    assert any(w["code"] == "non_finite" for w in data["warnings"])


def test_landscape_limits_and_bad_input_answer_422_naming_the_field(client):
    settings = get_settings()
    wide = {
        **LANDSCAPE,
        "layers": [64, 64, 64, 2],
        "weights": None,
        "biases": None,
        "inputs": [[0.0] * 64] * 200,
        "targets": [[0.0, 1.0]] * 200,
    }
    cases = [
        ({"resolution": settings.max_landscape_resolution + 1}, ["body", "resolution"]),
        ({"resolution": 1}, ["body", "resolution"]),
        ({"path_steps": settings.max_landscape_steps + 1}, ["body", "path_steps"]),
        ({"path_steps": -1}, ["body", "path_steps"]),
        ({"weight_a": {"layer": 3}}, ["body", "weight_a", "layer"]),
        ({"weight_a": {"layer": 1, "row": 2}}, ["body", "weight_a", "row"]),
        ({"weight_b": {"layer": 2, "param": "b", "col": 2}}, ["body", "weight_b", "col"]),
        ({"weight_b": {"layer": 1, "row": 0, "col": 0}}, ["body", "weight_b"]),
        ({"range_a": [1.0, 1.0]}, ["body", "range_a"]),
        ({"range_b": [0.0]}, ["body", "range_b"]),
        ({"learning_rate": 0}, ["body", "learning_rate"]),
        ({"optimizers": [{"name": "lbfgs"}]}, ["body", "optimizers", 0, "name"]),
        ({"optimizers": []}, ["body", "optimizers"]),
        ({"inputs": [[1.0, 2.0, 3.0]]}, ["body", "inputs", 0]),
        ({"targets": [[1.0]]}, ["body", "targets", 0]),
        ({"layers": [2] * 11}, ["body", "layers"]),
    ]
    for change, loc in cases:
        detail = post(client, "landscape", {**LANDSCAPE, **change}, 422)["detail"]
        assert any(d["loc"][: len(loc)] == loc for d in detail), (change, detail)
    detail = post(client, "landscape", {**wide, "resolution": 81}, 422)["detail"]
    assert detail[0]["loc"] == ["body", "resolution"] and "limit" in detail[0]["msg"]
    small = {**wide, "resolution": 5, "path_steps": 500}
    detail = post(client, "landscape", small, 422)["detail"]
    assert detail[0]["loc"] == ["body", "path_steps"]


def test_path_optimizer_takes_each_optimizer_s_own_hyper_parameters():
    from app.schemas.dynamics import OptimizerChoice
    from app.services.dynamics import path_optimizer

    momentum = path_optimizer(OptimizerChoice(name="momentum", momentum=0.5), 0.1)
    assert (momentum.name, momentum.learning_rate, momentum.momentum) == ("momentum", 0.1, 0.5)
    choice = OptimizerChoice(name="adam", learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6)
    adam = path_optimizer(choice, 0.5)
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.01, 0.8, 0.99, 1e-6)
    sgd = path_optimizer(OptimizerChoice(name="sgd", momentum=0.5), 0.2)
    assert (sgd.learning_rate, sgd.momentum) == (0.2, 0.0)  # plain SGD ignores the momentum field
