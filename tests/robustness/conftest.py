"""Fixtures of the robustness tests: the API operations, read from the app's OpenAPI.

Tests that take ``operation`` run once per /api/ operation, ``body_operation`` once per
operation with a JSON body, ``param_operation`` once per operation with query or path
parameters, so an endpoint added later is covered without editing the tests.
"""

import pytest

from tests.robustness.robust_helpers import load_operations, strict_json


@pytest.fixture(scope="session")
def openapi(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return strict_json(response.text)


def pytest_generate_tests(metafunc):
    from app.main import app

    ops = load_operations(app.openapi())
    groups = {
        "operation": ops,
        "body_operation": [op for op in ops if op.body_schema is not None],
        "param_operation": [op for op in ops if op.parameters],
    }
    for name, group in groups.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, group, ids=[op.id for op in group])
