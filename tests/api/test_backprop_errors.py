"""Bad input to POST /api/v1/backprop: a 4xx whose message names the field and the problem."""

import json

import pytest

from app.core.config import get_settings

GOOD = {
    "layers": [2, 2, 2],
    "inputs": [[0.05, 0.1]],
    "targets": [[0.01, 0.99]],
}


def with_(**changes):
    return {**GOOD, **changes}


def strict_json(response):
    """Parse the body rejecting NaN/Infinity, which are not JSON."""

    def reject(token):
        raise ValueError(f"non-JSON constant {token}")

    return json.loads(response.text, parse_constant=reject)


CASES = [
    # (body, loc, words the message must contain)
    (with_(weights=[[[1, 2]], None]), ["body", "weights", 0], "expected shape [2, 2]"),
    (with_(weights=[[[1, 2], [3]], None]), ["body", "weights", 0, 1], "row 1 has 1 values"),
    (with_(weights=[[[1, 2], [3, 4]]]), ["body", "weights"], "expected 2 weights entries"),
    (with_(biases=[[1, 2, 3], None]), ["body", "biases", 0], "expected 2 values, got 3"),
    (with_(inputs=[[1, 2, 3]]), ["body", "inputs", 0], "expected shape [1, 2]"),
    (with_(inputs=[[1, 2], [3]]), ["body", "inputs", 1], "row 1 has 1 values"),
    (with_(inputs=[]), ["body", "inputs"], "must not be empty"),
    (with_(targets=[[1, 2, 3]]), ["body", "targets", 0], "expected 2 values"),
    (with_(targets=[[1, 2], [1, 2]]), ["body", "targets"], "expected 1 target rows"),
    (with_(activations="sigmoidd"), ["body", "activations"], "sigmoid"),
    (with_(activations=["relu"]), ["body", "activations"], "expected 2 activations"),
    (with_(loss="hinge"), ["body", "loss"], "mse"),
    (with_(reduction="avg"), ["body", "reduction"], "'mean'"),
    (with_(dtype="float16"), ["body", "dtype"], "float32"),
    (with_(init="lecun"), ["body", "init"], "glorot_uniform"),
    (with_(loss="categorical_crossentropy", targets=[5]), ["body", "targets", 0], "out of range"),
    (with_(loss="categorical_crossentropy", targets=[0.5]), ["body", "targets", 0], "integers"),
    (with_(layers=[2]), ["body", "layers"], "at least two"),
    (with_(layers=[2, 0, 2]), ["body", "layers", 1], "greater than or equal to 1"),
    (with_(layers=[2] + [2] * 9), ["body", "layers"], "too many layers"),
    (with_(layers=[2, 65, 2]), ["body", "layers", 1], "1 to 64"),
    (with_(inputs=[[0.0, 0.0]] * 257, targets=[[0, 0]] * 257), ["body", "inputs"], "limit of 256"),
    (with_(learning_rate="fast"), ["body", "learning_rate"], "number"),
    (with_(seed=-1), ["body", "seed"], "greater than or equal to 0"),
    (with_(colour="red"), ["body", "colour"], "unknown field 'colour'"),
    ({"inputs": [[1, 2]], "targets": [[1]]}, ["body", "layers"], "field required"),
    (with_(activations={"name": "leaky_relu", "beta": 1}), ["body", "activations"], "beta"),
]


@pytest.mark.parametrize(("body", "loc", "words"), CASES)
def test_bad_input_names_field_and_problem(client, body, loc, words):
    response = client.post("/api/v1/backprop", json=body)
    assert response.status_code == 422, response.text
    detail = strict_json(response)["detail"]
    matching = [d for d in detail if d["loc"][: len(loc)] == loc]
    assert matching, f"no error at {loc}: {detail}"
    assert any(words in d["msg"] for d in matching), detail


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_rejected(client, literal):
    raw = f'{{"layers": [2, 1], "inputs": [[{literal}, 1]], "targets": [[1]]}}'
    response = client.post(
        "/api/v1/backprop", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    detail = strict_json(response)["detail"]
    assert detail[0]["loc"] == ["body", "inputs", 0, 0]
    assert "finite" in detail[0]["msg"]


def test_invalid_json_and_wrong_content(client):
    response = client.post(
        "/api/v1/backprop", content="{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "not valid JSON" in strict_json(response)["detail"][0]["msg"]
    response = client.post(
        "/api/v1/backprop", content="[1, 2]", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_body_over_the_limit_is_413(client):
    limit = get_settings().max_body_bytes
    big = json.dumps(with_(inputs=[[0.0, 0.0]] * (limit // 8)))
    response = client.post(
        "/api/v1/backprop", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert str(limit) in strict_json(response)["detail"]


def test_deeply_nested_body_is_a_clean_4xx(client):
    raw = '{"layers": [2, 1], "inputs": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = client.post(
        "/api/v1/backprop", content=raw, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    strict_json(response)


def test_overflow_is_200_with_nulls_and_a_warning(client):
    body = with_(
        layers=[2, 2, 2],
        weights=[[[1e30, 1e30], [1e30, 1e30]], [[1e30, 1e30], [1e30, 1e30]]],
        activations=["linear", "linear"],
        inputs=[[1e10, 1e10]],
        loss="mse",
    )
    response = client.post("/api/v1/backprop", json=body)
    assert response.status_code == 200
    data = strict_json(response)
    assert data["loss"] is None
    assert data["layers"][2]["z"][0][0] is None
    warning = next(w for w in data["warnings"] if w["code"] == "non_finite")
    assert "loss" in warning["message"]
    assert data["check"]["agrees"] is False and data["check"]["max_abs_diff"] is None


def test_weights_beyond_float32_are_null_not_an_error(client):
    body = with_(layers=[2, 1], weights=[[[1e300], [1.0]]], targets=[[1.0]])
    response = client.post("/api/v1/backprop", json=body)
    assert response.status_code == 200
    data = strict_json(response)
    assert data["params"][0]["W"][0][0] is None  # 1e300 is infinite in float32
    assert any(w["code"] == "non_finite" for w in data["warnings"])
