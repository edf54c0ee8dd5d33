"""Internal errors never leak a stack trace; markup in requests is never reflected as HTML.

A separate app instance (``create_app()``, no TensorFlow work) gets routes that fail on
purpose, so the production error handlers are exercised exactly as they are installed.
"""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

SECRET = "s3cret-internal-detail-do-not-leak"
MARKUP = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def failing_client():
    app = create_app()

    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError(f"{SECRET} at /srv/app/secret.py line 42")

    @app.post("/api/v1/_boom_async")
    async def boom_async():
        raise KeyError(SECRET)

    @app.get("/api/v1/_deep")
    def deep():
        def recurse(n):
            return recurse(n + 1)

        return recurse(0)

    # Not entered as a context manager: no lifespan, so no TensorFlow warm-up is needed.
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/v1/_boom"), ("POST", "/api/v1/_boom_async")]
)
def test_internal_error_is_a_plain_json_500(failing_client, method, path):
    response = failing_client.request(method, path)
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error"}
    assert response.headers["content-type"] == "application/json"
    for leak in (SECRET, "Traceback", "RuntimeError", "KeyError", ".py"):
        assert leak not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_runaway_recursion_is_a_4xx_without_trace(failing_client):
    response = failing_client.get("/api/v1/_deep")
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "the body is nested too deeply"
    assert "Traceback" not in response.text and "recurse" not in response.text


def test_markup_in_requests_is_never_reflected_as_html(client):
    """Every place a request can carry text: query, path, body, headers. Answers are JSON or
    pages whose markup comes only from templates (autoescaped)."""
    page = client.get("/", params={"lang": MARKUP}, headers={"accept-language": MARKUP})
    assert page.status_code == 200
    assert "<img src=x" not in page.text and "<script>alert" not in page.text
    assert page.headers.get("set-cookie") is None  # an unknown language is not remembered
    cookie_page = client.get("/", cookies={"lang": MARKUP})
    assert "<img src=x" not in cookie_page.text
    not_found = client.get(f"/{MARKUP}")
    assert not_found.status_code == 404
    assert not_found.headers["content-type"] == "application/json"
    bad_body = client.post("/api/v1/backprop", json={"layers": [2, 1], "activations": MARKUP})
    assert bad_body.status_code == 422
    assert bad_body.headers["content-type"] == "application/json"
