"""A classroom at once: concurrent clients on loopback, and the concurrency limit.

The load test sends a fixed number of requests (no timing assertions) from many threads to
the live uvicorn server and checks that every answer is a 200 whose numbers equal the same
request answered alone: concurrency must not mix up requests or the compiled-function cache.
The limit test saturates a separate app built by ``create_app()`` with a tiny limit and checks
it answers 503 + Retry-After at once instead of queueing or collapsing, then recovers.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app.core.config import get_settings
from app.main import create_app
from tests.robustness.robust_helpers import run_async, strict_json

CLIENTS = 16
ROUNDS = 6  # each client sends ROUNDS × len(REQUESTS) requests: 672 in all


def classroom_requests() -> list[tuple[str, str, dict | None]]:
    """Distinct requests a class would send: several shapes, activations, losses and dtypes."""
    backprop = [
        {"layers": [4, 8, 8, 3], "activations": "relu", "loss": "mse", "seed": 1},
        {"layers": [2, 2, 2], "activations": "sigmoid", "loss": "half_sse", "seed": 2},
        {
            "layers": [3, 5, 2],
            "activations": ["tanh", "softmax"],
            "loss": "categorical_crossentropy",
        },
        {"layers": [4, 6, 1], "activations": ["elu", "sigmoid"], "loss": "binary_crossentropy"},
        {"layers": [2, 3, 3, 2], "activations": "gelu", "dtype": "float64", "seed": 3},
    ]
    requests = []
    for i, spec in enumerate(backprop):
        n_in, n_out = spec["layers"][0], spec["layers"][-1]
        batch = 8 if i == 0 else 3
        inputs = [[((r * n_in + c) % 7 - 3) / 3 for c in range(n_in)] for r in range(batch)]
        targets = [[1.0 if c == r % n_out else 0.0 for c in range(n_out)] for r in range(batch)]
        requests.append(
            ("POST", "/api/v1/backprop", {**spec, "inputs": inputs, "targets": targets})
        )
    requests.append(("GET", "/healthz", None))
    requests.append(("GET", "/", None))
    return requests


def fingerprint(response: httpx.Response):
    """What must be identical between a request answered alone and under load."""
    assert response.status_code == 200, f"{response.request.url}: {response.status_code}"
    if not response.headers["content-type"].startswith("application/json"):
        return response.text
    body = strict_json(response.text)
    if "params" in body:
        return (body["loss"], [p["dW"] for p in body["params"]], body["check"]["agrees"])
    return body


def send(http: httpx.Client, request) -> httpx.Response:
    method, path, body = request
    return http.request(method, path, json=body)


def test_concurrent_clients_get_the_same_answers_as_one_client(live_server):
    requests = classroom_requests()
    with httpx.Client(base_url=live_server, timeout=60) as http:
        expected = [fingerprint(send(http, r)) for r in requests]

    def one_client(seed: int) -> list[tuple[int, object]]:
        results = []
        with httpx.Client(base_url=live_server, timeout=60) as http:
            for k in range(ROUNDS * len(requests)):
                index = (seed + k) % len(requests)  # clients interleave different requests
                results.append((index, fingerprint(send(http, requests[index]))))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = [item for batch in pool.map(one_client, range(CLIENTS)) for item in batch]
    assert len(outcomes) == CLIENTS * ROUNDS * len(requests)
    mismatched = [index for index, got in outcomes if got != expected[index]]
    assert not mismatched, f"{len(mismatched)} answers differ from the single-client answers"
    with httpx.Client(base_url=live_server) as http:
        assert http.get("/healthz").json()["status"] == "ok"


@pytest.fixture
def limited_app(monkeypatch, client):
    """A second app with ``max_concurrent_requests=2`` and a route that holds its slot."""
    monkeypatch.setenv("BPV_MAX_CONCURRENT_REQUESTS", "2")
    get_settings.cache_clear()
    try:
        app = create_app()
    finally:
        monkeypatch.delenv("BPV_MAX_CONCURRENT_REQUESTS")
        get_settings.cache_clear()
    app.state.release = None
    app.state.entered = 0

    @app.get("/api/v1/_hold")
    async def hold():
        app.state.entered += 1
        await app.state.release.wait()
        return {"held": True}

    return app


def test_concurrency_limit_answers_503_with_retry_after_and_recovers(limited_app):
    body = {"layers": [2, 1], "inputs": [[1, 2]], "targets": [[0]], "activations": "linear"}

    async def scenario():
        limited_app.state.release = asyncio.Event()
        transport = httpx.ASGITransport(app=limited_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://limited") as http:
            holders = [asyncio.create_task(http.get("/api/v1/_hold")) for _ in range(2)]
            for _ in range(500):  # wait (bounded) until both hold their slot
                if limited_app.state.entered == 2:
                    break
                await asyncio.sleep(0.01)
            assert limited_app.state.entered == 2
            busy = await asyncio.gather(
                *[http.post("/api/v1/backprop", json=body) for _ in range(3)]
            )
            page = await http.get("/healthz")  # outside /api/: never limited
            limited_app.state.release.set()
            held = await asyncio.gather(*holders)
            after = await http.post("/api/v1/backprop", json=body)
        return busy, page, held, after

    busy, page, held, after = run_async(scenario)
    for response in busy:
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert "busy" in strict_json(response.text)["detail"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert page.status_code == 200
    assert [r.json() for r in held] == [{"held": True}, {"held": True}]
    assert after.status_code == 200
    # Linear 2→1 layer: the loss of one sample is (w·x + b − 0)², recomputed from the answer.
    params = after.json()["params"][0]
    prediction = params["W"][0][0] * 1 + params["W"][1][0] * 2 + params["b"][0]
    assert after.json()["loss"] == pytest.approx(prediction**2, rel=1e-5)
