"""Property-based tests of every operation in the app's own OpenAPI schema (Schemathesis).

For each operation Hypothesis draws schema-valid and schema-invalid requests (a bounded,
derandomized number per operation, so CI is repeatable and quick) and checks: no 5xx, the
status code and the body conform to the documented responses, and every answer is JSON that
a strict parser accepts (no NaN/Infinity). Endpoints added later are picked up from the
schema automatically.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import app
from tests.robustness.robust_helpers import strict_json

MAX_EXAMPLES = 30  # per operation and mode; ~15 operations keep this well under a minute

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# 413 (body limit) and 503 (busy) are answered by middleware for every operation.
ALWAYS_ALLOWED = {413, 503}


@pytest.fixture(autouse=True)
def _warm(client):
    """TensorFlow warmed up once by the session's app before any generated request."""


@schema.include(path_regex=r"^/(api/|healthz)").parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case):
    response = case.call()
    if response.status_code in ALWAYS_ALLOWED:
        strict_json(response.text)
        return
    case.validate_response(response, checks=CHECKS)
    content_type = response.headers.get("content-type", [""])[0]  # Schemathesis: name → list
    assert content_type.startswith("application/json"), content_type
    strict_json(response.text)
