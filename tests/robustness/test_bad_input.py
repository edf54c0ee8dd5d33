"""Bad-input matrix over every API operation in the app's OpenAPI document.

Garbage of every kind a student can paste (wrong types, NaN/Infinity literals, 1e999, deep
nesting, oversized bodies, unknown names, Unicode junk, empty or non-JSON bodies) must answer
4xx in strict JSON with a ``detail`` naming the field, never a 500 or a trace, and the server
must stay healthy. New endpoints are covered automatically: the cases come from the schema.
"""

import json

import pytest

from app.core.config import get_settings
from tests.robustness.robust_helpers import (
    assert_clean_error,
    json_types,
    strict_json,
    wrong_value_for,
)

DEEP = 100_000
NON_FINITE_LITERALS = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")
UNICODE_JUNK = "\u202e𝔫𝔬\u0000\ufeff\U0001f600<script>alert(1)</script>\u200b"


def call(client, operation, content=None, headers=None, json_body=None, url=None):
    """Send one request to the operation; ``content`` is raw bytes/str, sent as given."""
    headers = {"content-type": "application/json", **(headers or {})}
    if json_body is not None:
        content = json.dumps(json_body, ensure_ascii=False).encode()
    return client.request(
        operation.method, url or operation.url(), content=content, headers=headers
    )


def raw_object(values: dict[str, str]) -> bytes:
    """A JSON object whose values are raw text (so NaN/Infinity literals survive)."""
    members = ", ".join(f"{json.dumps(k)}: {v}" for k, v in values.items())
    return ("{" + members + "}").encode()


def error_locs(body) -> list[list]:
    return [item["loc"] for item in body["detail"]] if isinstance(body["detail"], list) else []


def assert_names_field(body, *prefix, where=""):
    locs = error_locs(body)
    assert any(loc[: len(prefix)] == list(prefix) for loc in locs), (
        f"{where}: no error at {list(prefix)}; got {locs}"
    )


def test_whole_body_garbage(client, body_operation):
    """Empty, non-JSON, wrong-top-level-type and non-finite bodies: 4xx naming the body."""
    operation = body_operation
    cases = [
        ("no body", None, {}),
        ("empty body", b"", {}),
        ("not JSON", b"this is {not json", {}),
        ("truncated JSON", b'{"layers": [2, 2', {}),
        ("bare NaN", b"NaN", {}),
        ("NaN in a list", b"[1, NaN, Infinity]", {}),
        ("array body", b"[]", {}),
        ("number body", b"42", {}),
        ("string body", b'"hello"', {}),
        ("null body", b"null", {}),
        ("invalid UTF-8", b'{"name": "\xff\xfe\xfd"}', {}),
        ("UTF-16", '{"layers": [2, 2]}'.encode("utf-16"), {}),
        ("lone surrogate", b'{"\\ud800": "\\udfff"}', {}),
        ("text/plain", b"{}", {"content-type": "text/plain"}),
        ("form encoded", b"a=1&b=2", {"content-type": "application/x-www-form-urlencoded"}),
        ("no content type", b"{}", {"content-type": ""}),
    ]
    for name, content, headers in cases:
        response = call(client, operation, content, headers)
        body = assert_clean_error(response, expect={422})
        assert error_locs(body) == [] or all(loc[0] == "body" for loc in error_locs(body)), (
            f"{operation} {name}: {body}"
        )


def test_deep_nesting(client, body_operation):
    """``[[[[…]]]]`` 100k deep, as the body and as a field: a 4xx, not a RecursionError 500."""
    operation = body_operation
    deep = "[" * DEEP + "]" * DEEP
    deep_objects = '{"a": ' * DEEP + "1" + "}" * DEEP
    first_field = next(iter(operation.body_properties()))
    for content in (deep, deep_objects, raw_object({first_field: deep}).decode()):
        body = assert_clean_error(call(client, operation, content.encode()), expect={422})
        assert body["detail"][0]["loc"] == ["body"]
        assert "nested too deeply" in body["detail"][0]["msg"]


def test_oversized_body_is_413(client, body_operation):
    """Over ``max_body_bytes``: 413, by Content-Length and by counting a chunked stream."""
    operation = body_operation
    limit = get_settings().max_body_bytes
    big = b'{"layers": [' + b"1, " * (limit // 3) + b"1]}"
    assert len(big) > limit
    body = assert_clean_error(call(client, operation, big), expect={413})
    assert str(limit) in body["detail"]

    def chunks():
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    response = client.request(
        operation.method,
        operation.url(),
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_clean_error(response, expect={413})


def test_each_field_wrong_type(client, body_operation):
    """A value of the wrong JSON type in each field: 422 with loc ["body", field, ...]."""
    operation = body_operation
    for name, schema in operation.body_properties().items():
        wrong = wrong_value_for(schema, operation.document)
        if wrong is None:
            continue
        response = call(client, operation, json_body={name: wrong})
        body = assert_clean_error(response, expect={422})
        assert_names_field(body, "body", name, where=f"{operation} {name}={wrong!r}")


def test_each_field_non_finite(client, body_operation):
    """NaN, ±Infinity and ±1e999 (which Python parses as inf) in each field and nested in
    lists: 422 naming the field, and the response is strict JSON (no NaN echoed back)."""
    operation = body_operation
    for name, schema in operation.body_properties().items():
        if "any" in json_types(schema, operation.document):
            continue
        for literal in NON_FINITE_LITERALS:
            for raw in (literal, f"[{literal}]", f"[[{literal}]]", f"[[[{literal}]]]"):
                response = call(client, operation, raw_object({name: raw}))
                body = assert_clean_error(response, expect={422})
                assert_names_field(body, "body", name, where=f"{operation} {name}={raw}")


def test_each_field_huge_and_tiny_numbers(client, body_operation):
    """Finite extremes never produce a 5xx or a non-JSON number."""
    operation = body_operation
    extremes = ("1e308", "-1e308", "1" + "0" * 400, "-" + "9" * 5000, "5e-324", "-0.0")
    for name in operation.body_properties():
        for raw in extremes:
            for value in (raw, f"[{raw}]", f"[[{raw}]]"):
                response = call(client, operation, raw_object({name: value}))
                assert response.status_code < 500, f"{operation} {name}={value[:40]}"
                strict_json(response.text)


def test_unknown_names_and_unicode_junk(client, body_operation):
    """Unknown names and Unicode junk (RTL override, NUL, BOM, astral, markup) in every
    string-accepting field: 422 naming the field, valid JSON, markup never echoed raw."""
    operation = body_operation
    for name, schema in operation.body_properties().items():
        if "string" not in json_types(schema, operation.document):
            continue
        for junk in ("no_such_name", UNICODE_JUNK, "\ud800"):
            content = json.dumps({name: junk}).encode()  # ASCII escapes keep the lone surrogate
            response = call(client, operation, content)
            body = assert_clean_error(response)
            assert_names_field(body, "body", name, where=f"{operation} {name}={junk!r}")
            assert "<script>" not in response.text or response.headers["content-type"].startswith(
                "application/json"
            )


def test_unknown_field_is_named(client, body_operation):
    """A field the schema does not know: 422 naming it, when the model forbids extras."""
    operation = body_operation
    response = call(client, operation, json_body={"no_such_field": 1})
    body = assert_clean_error(response)
    if operation.body_schema.get("additionalProperties") is False:
        assert_names_field(body, "body", "no_such_field", where=str(operation))


def test_query_and_path_garbage(client, param_operation):
    """Query parameters of the wrong type or non-finite, and unknown path values: 4xx."""
    operation = param_operation
    for param in operation.query_parameters():
        kinds = json_types(param.get("schema", {}), operation.document)
        bad_values = ["definitely-not-a-number", UNICODE_JUNK]
        if "number" in kinds:
            bad_values += ["nan", "NaN", "inf", "-Infinity", "1e999"]
        for value in bad_values:
            if "string" in kinds and value in ("definitely-not-a-number",):
                continue
            response = client.request(
                operation.method, operation.url(), params={param["name"]: value}
            )
            if "string" in kinds and "number" not in kinds and response.status_code == 200:
                continue  # a free-text parameter may legitimately accept any string
            body = assert_clean_error(response)
            assert_names_field(
                body, "query", param["name"], where=f"{operation} {param['name']}={value!r}"
            )
    if "{" in operation.path:
        for junk in ("no_such_name", "%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", "%F0%9F%98%80"):
            names = [p["name"] for p in operation.parameters if p.get("in") == "path"]
            url = operation.url({n: junk for n in names})
            response = client.request(operation.method, url)
            assert_clean_error(response)


def test_wrong_method_is_json(client, operation):
    other = "DELETE" if operation.method != "DELETE" else "PUT"
    response = client.request(other, operation.url())
    assert_clean_error(response, expect={404, 405})


def test_server_still_healthy(client):
    """Runs after the matrix in file order: the app still answers and computes."""
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    response = client.post(
        "/api/v1/backprop",
        json={
            "layers": [2, 2, 1],
            "weights": [[[1, 0], [0, 1]], [[1], [1]]],
            "biases": [[0, 0], [0]],
            "activations": "linear",
            "loss": "half_sse",
            "inputs": [[1, 2]],
            "targets": [[0]],
        },
    )
    assert response.status_code == 200
    # Linear 2-2-1 with identity then ones: y = 1 + 2 = 3, E = ½·3² = 4.5.
    assert response.json()["loss"] == pytest.approx(4.5)
