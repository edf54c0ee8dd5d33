"""The server's "quiet moment": what the background work (the graphs' warm-up, the
allocator's trimmer) waits for. API requests are counted by ConcurrencyLimit, stream frames
by the stream registry; each counter remembers when its last computation ended."""

import time

from fastapi.testclient import TestClient

from app import main
from app.core.config import Settings, get_settings
from app.core.middleware import InFlight
from app.engine.graphs import graph_cache
from app.routes.train_stream import registry
from tests.api.test_train_stream import SPEC, URL, frame, start


def test_in_flight_is_quiet_only_after_the_last_one_has_been_done_for_a_while():
    counter = InFlight()
    assert counter.quiet_for(0.5) and not counter.busy()  # never used
    counter.enter()
    counter.enter()
    assert counter.busy() and not counter.quiet_for(0)
    counter.leave()
    assert counter.busy() and not counter.quiet_for(0)  # one still computing
    counter.leave()
    assert not counter.busy() and counter.quiet_for(0)
    assert not counter.quiet_for(0.2)  # it has just finished
    time.sleep(0.25)
    assert counter.quiet_for(0.2)


def test_an_api_request_is_counted_and_ends_a_quiet_moment(client):
    counter = client.app.state.in_flight
    before = time.monotonic()
    response = client.post("/api/v1/softmax", json={"logits": [1.0, 2.0]})
    assert response.status_code == 200
    assert counter.count == 0 and counter.last_done >= before
    assert not counter.quiet_for(5)
    page_done = counter.last_done
    assert client.get("/network").status_code == 200  # a page is not an API request
    assert counter.last_done == page_done


def test_stream_frames_are_counted_while_they_compute(client):
    before = time.monotonic()
    with client.websocket_connect(URL) as ws:
        start(ws, SPEC)
        ws.send_json({"type": "step", "unit": "epoch"})
        frame(ws)
    assert registry.frames.count == 0 and registry.frames.last_done >= before
    assert not registry.frames.quiet_for(5)


def test_the_apps_warm_up_waits_until_requests_and_frames_are_quiet(client, monkeypatch):
    """The lifespan hands the warm-up an ``idle`` that is false while an API request or a
    stream frame computes, and for ``warm_idle_seconds`` (0.5) after the last one; the
    trimmer a ``busy`` that is true while either computes."""
    assert Settings.model_fields["warm_idle_seconds"].default == 0.5
    assert get_settings().warm_graphs
    # The session's app waits for no pause (tests/conftest.py); this start-up, the default.
    monkeypatch.setattr(get_settings(), "warm_idle_seconds", 0.5)
    calls, trimmers = [], []
    monkeypatch.setattr(graph_cache(), "warm", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(main, "start_trimming", lambda *args, **kwargs: trimmers.append(kwargs))
    with TestClient(client.app):  # a second start-up of the same app: its lifespan again
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
    idle, requests = calls[0]["idle"], client.app.state.in_flight
    trimmer_busy = trimmers[0]["busy"]
    monkeypatch.setattr(requests, "last_done", float("-inf"))
    monkeypatch.setattr(registry.frames, "last_done", float("-inf"))
    assert idle() and not trimmer_busy()
    for counter in (requests, registry.frames):
        counter.enter()
        assert not idle() and trimmer_busy()  # the trimmer skips a frame's period too
        counter.leave()
        assert not idle() and not trimmer_busy()  # just finished: the trimmer needs no pause
        monkeypatch.setattr(counter, "last_done", time.monotonic() - 0.6)
        assert idle()
