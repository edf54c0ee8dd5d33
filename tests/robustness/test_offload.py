"""Small /backprop requests compute on the event loop, in arrival order; large ones, and any
whose graph is not built yet, in a thread. Both give the same bytes."""

import asyncio

import pytest

from app.core.config import Settings
from app.core.offload import run_on_loop
from app.engine.graphs import GraphCache, graph_cache
from app.routes import backprop as route
from app.schemas.backprop import BackpropRequest
from app.services import backprop as service
from tests.robustness.robust_helpers import run_async

SMALL = {
    "layers": [4, 8, 8, 3],
    "inputs": [[0.1 * (r + c) - 0.4 for c in range(4)] for r in range(8)],
    "targets": [[1.0 if c == r % 3 else 0.0 for c in range(3)] for r in range(8)],
    "seed": 7,
}


def test_queued_calls_run_oldest_first_one_per_loop_iteration():
    async def main():
        loop, order = asyncio.get_running_loop(), []

        def call(name):
            order.append(name)
            # Scheduled while A runs: the loop's next iteration runs it before B, which it
            # would not if the queue were drained in one go.
            if name == "A":
                loop.call_soon(order.append, "callback scheduled by A")
            return name.lower()

        results = await asyncio.gather(*(run_on_loop(call, name) for name in "ABC"))
        return results, order

    results, order = run_async(main)
    assert results == ["a", "b", "c"]
    assert order == ["A", "callback scheduled by A", "B", "C"]


def test_an_exception_reaches_the_caller_and_the_queue_goes_on():
    def fail():
        raise ValueError("layers: 0 units")

    async def main():
        failed = run_on_loop(fail)
        after = run_on_loop(lambda: 42)
        with pytest.raises(ValueError, match="layers: 0 units"):
            await failed
        return await after

    assert run_async(main) == 42


def test_a_base_exception_reaches_its_caller_and_the_calls_behind_it_still_run():
    class Unusual(BaseException):
        pass

    def fail():
        raise Unusual

    async def main():
        failed, after = run_on_loop(fail), run_on_loop(lambda: "next")
        with pytest.raises(Unusual):
            await asyncio.wait_for(failed, 5)  # not left waiting forever
        return await asyncio.wait_for(after, 5)

    assert run_async(main) == "next"


def test_a_call_whose_caller_went_away_is_skipped():
    async def main():
        ran = []
        waiter = asyncio.ensure_future(run_on_loop(ran.append, "gone"))
        await asyncio.sleep(0)  # queued
        waiter.cancel()
        assert await run_on_loop(ran.append, "kept") is None
        return ran

    assert run_async(main) == ["kept"]


def test_only_small_requests_with_a_built_graph_run_inline(monkeypatch):
    graph_cache().get("backprop", 3, "float32")
    small = BackpropRequest(**SMALL)
    assert service.runs_inline(small)  # 8 × (32 + 64 + 24) = 960 multiply-adds
    wide = BackpropRequest(**{**SMALL, "layers": [4, 64, 64, 3], "inputs": SMALL["inputs"] * 8})
    assert not service.runs_inline(wide)  # 64 × (256 + 4096 + 192) = 290,816
    monkeypatch.setattr(service, "get_settings", lambda: Settings(inline_max_work=0))
    assert not service.runs_inline(small)
    monkeypatch.undo()
    # A graph that is not built yet would be traced on the loop: a thread does it instead.
    monkeypatch.setattr(service, "graph_cache", lambda: GraphCache(8))
    assert not service.runs_inline(small)


def test_loop_and_thread_give_the_same_bytes(client, monkeypatch):
    where = []
    answer = route.answer

    def recording(req):
        try:
            asyncio.get_running_loop()
            where.append("loop")
        except RuntimeError:
            where.append("thread")
        return answer(req)

    monkeypatch.setattr(route, "answer", recording)
    route.cache.clear()
    on_loop = client.post("/api/v1/backprop", json=SMALL)
    route.cache.clear()
    monkeypatch.setattr(service, "get_settings", lambda: Settings(inline_max_work=0))
    in_thread = client.post("/api/v1/backprop", json=SMALL)
    assert where == ["loop", "thread"]
    assert on_loop.status_code == in_thread.status_code == 200
    assert on_loop.content == in_thread.content
    assert on_loop.json()["check"]["agrees"] is True


def test_bad_input_on_the_loop_is_the_same_422(client):
    bad = {**SMALL, "targets": SMALL["targets"][:3]}  # 3 target rows for 8 inputs
    response = client.post("/api/v1/backprop", json=bad)
    assert response.status_code == 422
    assert "targets" in response.text
