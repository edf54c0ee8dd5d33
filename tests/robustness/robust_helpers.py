"""Helpers for the robustness and security tests: API operations read from the app's OpenAPI.

Everything here walks ``/openapi.json`` so that an endpoint added later is covered without
editing these tests.
"""

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages", "Error: ")


def run_async(main):
    """``asyncio.run(main())`` in a thread of its own: once a browser test has run, the
    session's Playwright (sync API) keeps an event loop on the main thread, where
    ``asyncio.run`` refuses to start another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def strict_json(text: str):
    """``json.loads`` that refuses NaN, Infinity and -Infinity (Python's parser accepts them)."""

    def refuse(name):
        raise ValueError(f"non-JSON constant {name} in the response")

    return json.loads(text, parse_constant=refuse)


def resolve(schema: dict, document: dict) -> dict:
    """Follow ``$ref`` pointers into ``#/components/...`` until a concrete schema remains."""
    while isinstance(schema, dict) and "$ref" in schema:
        node = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def json_types(schema: dict, document: dict) -> set[str]:
    """The JSON types a schema accepts; ``{"any"}`` when it does not say."""
    schema = resolve(schema, document)
    if not isinstance(schema, dict):
        return {"any"}
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return set().union(*(json_types(s, document) for s in schema[key]))
    if "allOf" in schema:
        return set.intersection(*(json_types(s, document) for s in schema["allOf"]))
    if "enum" in schema or "const" in schema:
        values = schema.get("enum", [schema.get("const")])
        return {_type_of(v) for v in values}
    kind = schema.get("type")
    if kind is None:
        return {"any"}
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "integer" in kinds:
        kinds.add("number")
    return kinds


def _type_of(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


# One value of each JSON type that no lenient parser turns into another type
# (pydantic accepts "1" for an int and 1 for a bool, so those are not used).
WRONG_VALUE = {
    "object": {"surprise": {"deeper": [1, 2]}},
    "string": "definitely not a number ✗",
    "array": [[["x"]]],
    "boolean": True,
}


def wrong_value_for(schema: dict, document: dict):
    """A value whose JSON type the schema does not accept, or None if it accepts everything."""
    allowed = json_types(schema, document)
    if "any" in allowed:
        return None
    for kind in ("object", "string", "array"):
        if kind not in allowed:
            return WRONG_VALUE[kind]
    return None


class Operation:
    """One API operation from the OpenAPI document, with what the tests need to call it."""

    def __init__(self, method: str, path: str, spec: dict, document: dict):
        self.method, self.path, self.spec, self.document = method.upper(), path, spec, document
        body = spec.get("requestBody", {}).get("content", {}).get("application/json")
        self.body_schema = resolve(body["schema"], document) if body else None
        self.parameters = [resolve(p, document) for p in spec.get("parameters", [])]

    def __repr__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, path_values: dict | None = None) -> str:
        """The path with each ``{param}`` filled from ``path_values`` or its first enum value."""
        path_values = path_values or {}

        def fill(match):
            name = match.group(1)
            if name in path_values:
                return str(path_values[name])
            for param in self.parameters:
                if param.get("in") == "path" and param["name"] == name:
                    schema = resolve(param.get("schema", {}), self.document)
                    if schema.get("enum"):
                        return str(schema["enum"][0])
                    examples = param.get("examples") or schema.get("examples")
                    if isinstance(examples, list) and examples:
                        return str(examples[0])
            return "sigmoid"

        return re.sub(r"\{([^}]+)\}", fill, self.path)

    def body_properties(self) -> dict:
        if not self.body_schema:
            return {}
        return {
            name: resolve(schema, self.document)
            for name, schema in self.body_schema.get("properties", {}).items()
        }

    def query_parameters(self) -> list[dict]:
        return [p for p in self.parameters if p.get("in") == "query"]


def load_operations(document: dict) -> list[Operation]:
    """Every operation under /api/ in the OpenAPI document."""
    return [
        Operation(method, path, spec, document)
        for path, methods in document.get("paths", {}).items()
        if path.startswith("/api/")
        for method, spec in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def assert_clean_error(response, expect=range(400, 500)) -> object:
    """A 4xx (or ``expect``) answer in strict JSON, with a ``detail`` and no trace."""
    where = f"{response.request.method} {response.request.url}"
    assert response.status_code in expect, (
        f"{where}: status {response.status_code}: {response.text[:500]}"
    )
    assert response.headers.get("content-type", "").startswith("application/json"), where
    body = strict_json(response.text)
    assert "detail" in body, f"{where}: no detail in {body}"
    for marker in TRACE_MARKERS:
        assert marker not in response.text, f"{where}: looks like a stack trace: {response.text}"
    detail = body["detail"]
    if isinstance(detail, list):
        assert detail, f"{where}: empty detail"
        for item in detail:
            assert isinstance(item.get("loc"), list) and item["loc"], f"{where}: {item}"
            assert isinstance(item.get("msg"), str) and item["msg"].strip(), f"{where}: {item}"
    else:
        assert isinstance(detail, str) and detail.strip(), f"{where}: {detail!r}"
    return body
