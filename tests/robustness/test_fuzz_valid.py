"""Fuzzing around valid requests: the success path of every endpoint under extreme numbers.

Random schema-valid bodies almost never have matching shapes, so Schemathesis mostly reaches
the 422 paths of the network endpoints. Here each operation starts from a request that is
known to succeed (a seed below, or ``{}`` for operations whose fields all have defaults) and
Hypothesis mutates it: every number may become an extreme (±1e308, float32's overflow 3.5e38,
subnormals, -0.0, huge integers), every enum field any of its documented values, every flag
either value. The answer must be a 200 that conforms to the documented response schema or a
4xx naming the field — never a 5xx, never NaN/Infinity in the JSON.
"""

import math

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import app
from tests.robustness.robust_helpers import load_operations, resolve, strict_json

XOR = {
    "layers": [2, 3, 1],
    "inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
    "targets": [[0.0], [1.0], [1.0], [0.0]],
}
SEEDS = {
    ("POST", "/api/v1/backprop"): XOR,
    ("POST", "/api/v1/backprop/code"): XOR,
    ("POST", "/api/v1/softmax"): {"logits": [1.0, 2.0, 3.0]},
    ("POST", "/api/v1/loss"): {"predictions": [[0.2, 0.8]], "targets": [[0.0, 1.0]]},
    ("POST", "/api/v1/train"): {**XOR, "steps": 20},
    ("POST", "/api/v1/landscape"): {
        **XOR,
        "weight_a": {"layer": 1, "row": 0, "col": 0},
        "weight_b": {"layer": 1, "row": 1, "col": 0},
        "resolution": 9,
        "path_steps": 10,
    },
    ("POST", "/api/v1/datasets/parse"): {"text": "1,2,0\n3,4,1\n"},
}
EXTREME_FLOATS = [1e308, -1e308, 3.5e38, -3.5e38, 1e6, -1e6, 5e-324, 1e-300, -0.0, 0.0, 88.8]
EXTREME_INTS = [0, -1, 1, 2**31, -(2**31), 10**20]
ALLOWED = {200, 413, 422, 503}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def seeded_operations():
    """(operation, seed body) for every JSON-body operation with a seed or all-default fields."""
    seeded = []
    for op in load_operations(app.openapi()):
        if op.body_schema is None:
            continue
        seed = SEEDS.get((op.method, op.path))
        if seed is None and not op.body_schema.get("required"):
            seed = {}
        if seed is not None:
            seeded.append((op, seed))
    return seeded


def enum_values(schema_: dict, document: dict) -> list:
    """Every enum value a property accepts (through $ref/anyOf), for mutation."""
    schema_ = resolve(schema_, document)
    values = list(schema_.get("enum", []))
    for key in ("anyOf", "oneOf"):
        for option in schema_.get(key, []):
            values += enum_values(option, document)
    return values


def mutate(draw, value, shapes: bool):
    """The same structure with some leaves replaced by extremes. Integers (layer sizes, steps,
    indices) change only when ``shapes`` is drawn, so most examples keep a valid shape."""
    if isinstance(value, bool):
        return draw(st.booleans())
    if isinstance(value, int):
        return draw(st.sampled_from(EXTREME_INTS)) if shapes and draw(st.booleans()) else value
    if isinstance(value, float):
        return draw(st.sampled_from(EXTREME_FLOATS)) if draw(st.integers(0, 3)) == 0 else value
    if isinstance(value, list):
        return [mutate(draw, item, shapes) for item in value]
    if isinstance(value, dict):
        return {key: mutate(draw, item, shapes) for key, item in value.items()}
    return value


OPERATIONS = seeded_operations()


@pytest.fixture(autouse=True)
def _warm(client):
    """TensorFlow warmed up by the session's app first."""


def test_the_main_endpoints_have_a_working_seed(client):
    seeded = {(op.method, op.path) for op, _ in OPERATIONS}
    for (method, path), body in SEEDS.items():
        if (method, path) in seeded:
            response = client.request(method, path, json=body)
            assert response.status_code == 200, f"seed of {method} {path}: {response.text[:300]}"
    assert ("POST", "/api/v1/backprop") in seeded


@pytest.mark.parametrize("seeded", OPERATIONS, ids=[op.id for op, _ in OPERATIONS])
def test_extremes_around_a_valid_request(seeded):
    operation, seed = seeded
    api_operation = schema[operation.path][operation.method]
    properties = operation.body_properties()
    enums = {name: enum_values(s, operation.document) for name, s in properties.items()}

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def check(data):
        body = mutate(data.draw, seed, shapes=data.draw(st.integers(0, 4)) == 0)
        for name, values in enums.items():
            if values and data.draw(st.booleans()):
                body[name] = data.draw(st.sampled_from(values))
        case = api_operation.Case(body=body, media_type="application/json")
        response = case.call()
        statuses.append(response.status_code)
        assert response.status_code in ALLOWED, f"{operation} {body}: {response.status_code}"
        if response.status_code == 200:
            case.validate_response(response, checks=CHECKS)
        payload = strict_json(response.text)
        if response.status_code == 422:
            assert all(item["loc"][0] == "body" for item in payload["detail"])
        _assert_finite(payload)

    statuses: list[int] = []
    check()
    # The point is the success path: most mutated requests must still compute.
    assert statuses.count(200) >= len(statuses) // 3, f"{operation}: statuses {statuses}"


def _assert_finite(value):
    if isinstance(value, float):
        assert math.isfinite(value)
    elif isinstance(value, list):
        for item in value:
            _assert_finite(item)
    elif isinstance(value, dict):
        for item in value.values():
            _assert_finite(item)
