"""Identical /backprop requests are answered from a bounded cache with the same bytes."""

from app.core.response_cache import ResponseCache
from app.routes.backprop import cache
from app.schemas.backprop import BackpropResponse

BODY = {"layers": [2, 3, 2], "inputs": [[0.3, -0.2]], "targets": [[0, 1]], "seed": 42}


def test_identical_requests_hit_the_cache_and_match(client):
    cache.clear()
    first = client.post("/api/v1/backprop", json=BODY)
    hits = cache.hits
    # same computation, keys in another order and an explicit default: the same canonical key
    reordered = {"seed": 42, "targets": [[0, 1]], "inputs": [[0.3, -0.2]], "layers": [2, 3, 2]}
    second = client.post("/api/v1/backprop", json={**reordered, "learning_rate": 0.1})
    assert cache.hits == hits + 1
    assert first.content == second.content
    BackpropResponse.model_validate(first.json())  # the cached bytes follow the schema
    other = client.post("/api/v1/backprop", json={**BODY, "seed": 43})
    assert other.json()["params"][0]["W"] != first.json()["params"][0]["W"]


def test_cache_is_bounded_by_entries_and_bytes():
    small = ResponseCache(max_entries=3, max_bytes=100)
    for i in range(5):
        small.put(str(i), b"x" * 10)
    assert len(small) == 3 and small.get("0") is None and small.get("4") == b"x" * 10
    small.put("big", b"y" * 90)  # evicts the oldest until the bytes fit
    assert small.size_bytes <= 100 and small.get("big") == b"y" * 90
    small.put("huge", b"z" * 101)  # larger than the whole cache: not stored
    assert small.get("huge") is None
