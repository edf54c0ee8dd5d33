"""WS /api/v1/train/stream: the protocol, its limits, and the same numbers as POST /train."""

import json
import time

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from app.core.config import PROJECT_ROOT, get_settings
from app.routes.train_stream import registry

URL = "/api/v1/train/stream"
SPEC = {
    "layers": [2, 4, 2, 1],
    "activations": "tanh",
    "dataset": {"name": "circle", "samples": 100, "noise": 0.1, "seed": 3},
    "optimizer": {"name": "adam", "learning_rate": 0.03},
    "batch_size": 10,
    "seed": 1,
    "boundary_resolution": 20,
    "neuron_grids": True,
    "neuron_grid_resolution": 8,
}
UPDATES_PER_EPOCH = 5  # 50 training points in batches of 10


def frame(ws, ack=True) -> dict:
    """The next frame (acknowledged, as a page does after drawing it)."""
    message = ws.receive_json()
    assert message["type"] == "frame", message
    if ack:
        ws.send_json({"type": "ack", "seq": message["seq"]})
    return message


def error(ws) -> list[dict]:
    message = ws.receive_json()
    assert message["type"] == "error", message
    return message["detail"]


def start(ws, spec=SPEC, **extra) -> dict:
    ws.send_json({"type": "start", "spec": spec, **extra})
    return frame(ws)


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_start_step_play_pause_set_reset(client):
    with client.websocket_connect(URL) as ws:
        first = start(ws)
        assert first["iteration"] == 0 and first["epoch"] == 0
        assert first["sizes"] == [2, 4, 2, 1] and first["task"]["batches_per_epoch"] == 5
        assert len(first["points"]["train"]["x"]) == 50
        assert first["boundary"]["n"] == 20 and len(first["neuron_grids"]["layers"]) == 4
        ws.send_json({"type": "step", "unit": "update"})
        assert frame(ws)["iteration"] == 1
        ws.send_json({"type": "step", "unit": "epoch", "count": 2})
        assert frame(ws)["iteration"] == 1 + 2 * UPDATES_PER_EPOCH
        ws.send_json({"type": "play"})
        played = [frame(ws) for _ in range(4)]
        its = [f["iteration"] for f in played]
        assert its == sorted(its) and its[-1] - its[0] == 3 * UPDATES_PER_EPOCH  # 1 epoch each
        assert played[-1]["boundary"] != played[0]["boundary"]  # the boundary moves
        assert "sizes" not in played[-1]  # unchanged fields are left out
        ws.send_json({"type": "pause"})
        last = frame(ws)
        while last["playing"]:  # frames computed before the pause arrived
            last = frame(ws)
        ws.send_json({"type": "set", "learning_rate": 0.1, "per_frame": 3, "frame_unit": "update"})
        changed = frame(ws)
        assert changed["iteration"] == last["iteration"]  # set changes, it does not train
        assert changed["per_frame"] == {"count": 3, "unit": "update"}
        ws.send_json({"type": "play"})
        a, b = frame(ws), frame(ws)
        assert b["iteration"] - a["iteration"] == 3
        ws.send_json({"type": "pause"})
        ws.send_json({"type": "reset"})
        after = frame(ws)
        while after["iteration"] != 0:
            after = frame(ws)
        assert after["loss"] == first["loss"]  # the very same initial weights


def test_stream_equals_http_train_for_the_same_spec_seed_and_steps(client):
    spec = {**SPEC, "dtype": "float64", "optimizer": {"name": "sgd", "learning_rate": 0.1}}
    with client.websocket_connect(URL) as ws:
        start(ws, spec)
        ws.send_json({"type": "step", "unit": "update", "count": 37})
        streamed = frame(ws)
    http = client.post("/api/v1/train", json={**spec, "steps": 37}).json()
    final = http["history"][-1]
    assert streamed["iteration"] == 37 == http["optimizer_state"]["iterations"]
    for name in ("loss", "test_loss", "accuracy", "test_accuracy"):
        assert streamed[name] == pytest.approx(final[name], rel=1e-12, abs=1e-15), name
    for ours, theirs in zip(streamed["weights"], http["weights"], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=5e-4, atol=1e-12)  # 4 significant digits
    grads = http["gradients"]["weights"]
    for ours, theirs in zip(streamed["gradients"]["weights"], grads, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=5e-4, atol=1e-12)


def test_backpressure_no_frame_is_computed_beyond_two_unacknowledged(client):
    with client.websocket_connect(URL) as ws:
        start(ws)
        ws.send_json({"type": "play"})
        one, two = frame(ws, ack=False), frame(ws, ack=False)
        time.sleep(0.5)  # unacknowledged: the server must wait, not train on
        ws.send_json({"type": "pause"})
        ws.send_json({"type": "ack", "seq": two["seq"]})
        ws.send_json({"type": "step", "unit": "update"})
        three = frame(ws)
        assert three["seq"] == two["seq"] + 1
        assert three["iteration"] == two["iteration"] + 1
        assert two["iteration"] == one["iteration"] + UPDATES_PER_EPOCH


def test_a_closed_socket_ends_its_loop(client):
    wait_until(lambda: registry.loops_running == 0 and registry.open == 0)
    with client.websocket_connect(URL) as ws:
        start(ws)
        ws.send_json({"type": "play"})
        frame(ws)
        assert registry.loops_running == 1
    wait_until(lambda: registry.loops_running == 0 and registry.open == 0, seconds=2.0)


def test_bad_messages_get_error_frames_and_the_socket_stays_open(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "stream_max_steps_per_frame", 100)
    with client.websocket_connect(URL) as ws:
        ws.send_text("{not json")
        assert error(ws)[0]["loc"] == ["message"]
        ws.send_json({"type": "dance"})
        assert "start, play, pause" in error(ws)[0]["msg"]
        ws.send_json({"type": "step"})
        assert error(ws)[0]["msg"] == "send a start message first"
        ws.send_json({"type": "start", "spec": {**SPEC, "layers": [2, 0, 1]}})
        assert error(ws)[0]["loc"][:2] == ["spec", "layers"]
        ws.send_json({"type": "start", "spec": {**SPEC, "layers": [3, 4, 1]}})
        assert "features are chosen" in error(ws)[0]["msg"]
        start(ws)
        ws.send_json({"type": "set", "learning_rate": "fast"})
        assert error(ws)[0]["loc"] == ["learning_rate"]
        ws.send_json({"type": "set", "colour": "red"})
        assert "unknown field 'colour'" in error(ws)[0]["msg"]
        ws.send_json({"type": "step", "unit": "fortnight"})
        assert error(ws)[0]["loc"] == ["unit"]
        ws.send_json({"type": "set", "batch_size": 500})
        assert "larger than the 50 training samples" in error(ws)[0]["msg"]
        ws.send_json({"type": "set", "per_frame": 21})  # 21 epochs of 5 updates
        assert "updates in one frame is over the limit" in error(ws)[0]["msg"]
        ws.send_text("x" * (get_settings().stream_max_message_bytes + 1))
        assert "larger than the limit" in error(ws)[0]["msg"]
        ws.send_json({"type": "step"})  # still open, still the same run
        assert frame(ws)["iteration"] == 1


def test_network_and_cost_limits_are_the_same_as_train(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "max_train_cost", 1e3)
    with client.websocket_connect(URL) as ws:
        ws.send_json({"type": "start", "spec": SPEC})
        assert "multiply-adds" in error(ws)[0]["msg"]
    with client.websocket_connect(URL) as ws:
        ws.send_json({"type": "start", "spec": {**SPEC, "layers": [2, 500, 1]}})
        assert error(ws)[0]["loc"][:2] == ["layers", 1]


def test_another_origin_is_refused_and_the_own_origin_or_none_is_fine(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(URL, headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()
    assert refused.value.code == 1008
    for headers in ({}, {"origin": "http://testserver"}):
        with client.websocket_connect(URL, headers=headers) as ws:
            assert start(ws)["iteration"] == 0


def test_the_stream_cap_answers_busy(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "stream_max_concurrent", 1)
    with client.websocket_connect(URL) as first:
        start(first)
        with client.websocket_connect(URL) as second:
            busy = second.receive_json()
            assert busy["type"] == "busy" and busy["retry_after"] > 0
            with pytest.raises(WebSocketDisconnect) as closed:
                second.receive_json()
            assert closed.value.code == 1013
        first.send_json({"type": "step"})
        assert frame(first)["iteration"] == 1


def test_message_rate_and_idle_limits(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "stream_max_messages_per_second", 5)
    with client.websocket_connect(URL) as ws:
        for _ in range(12):
            ws.send_json({"type": "pause"})
        assert "messages per second" in error(ws)[0]["msg"]
    monkeypatch.setattr(get_settings(), "stream_idle_seconds", 0.3)
    with client.websocket_connect(URL) as ws:
        assert error(ws)[0]["loc"] == ["idle"]
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()


RECIPES = json.loads((PROJECT_ROOT / "static/js/pages/train_recipes.json").read_text())


def recipe_spec(name: str) -> dict:
    """The /train body the page builds from a recipe (Playground's outputs and losses)."""
    recipe = RECIPES[name]
    classes = {"spiral3": 3, "blobs3": 3}.get(name, 1)
    regression = "test_loss" in recipe["goal"]
    output = "softmax" if classes == 3 else ("linear" if regression else "tanh")
    return {
        "layers": [len(recipe["features"]), *recipe["hidden"], classes],
        "activations": [recipe["activation"]] * len(recipe["hidden"]) + [output],
        "loss": "categorical_crossentropy" if classes == 3 else "mse",
        "dataset": {"name": name, "samples": 500, "features": recipe["features"]},
        "optimizer": {"name": recipe["optimizer"], "learning_rate": recipe["lr"]},
        "batch_size": recipe["batch"],
        "neuron_grids": False,
    }


def test_every_recipe_fits_the_train_pages_caps():
    """/train offers up to 6 hidden layers of up to 8 units (as TF Playground): a recipe past
    them could be applied once but not reopened from its link."""
    for name, recipe in RECIPES.items():
        if not name.startswith("_"):
            assert 1 <= len(recipe["hidden"]) <= 6 and max(recipe["hidden"]) <= 8, name


@pytest.mark.parametrize("name", [n for n in RECIPES if not n.startswith("_")])
def test_every_recipe_learns_its_dataset(client, name):
    recipe = RECIPES[name]
    with client.websocket_connect(URL) as ws:
        start(ws, recipe_spec(name))
        ws.send_json({"type": "step", "unit": "epoch", "count": recipe["epochs"]})
        trained = frame(ws)
    for measure, goal in recipe["goal"].items():
        if measure == "test_accuracy":
            assert trained[measure] >= goal, (name, trained[measure])
        else:
            assert trained[measure] <= goal, (name, trained[measure])


PLAYGROUND = json.loads((PROJECT_ROOT / "tests/fixtures/playground/page_loads.json").read_text())


@pytest.mark.parametrize("name", ["spiral_default", "gauss_batch30_l1"])
def test_a_playground_link_streams_playgrounds_own_epochs(client, name):
    """Import a link, start the stream with the answer as is, step one epoch at a time: the
    training loss follows Playground's recorded epochs (fixture) to 1e-9."""
    load = PLAYGROUND["loads"][name]
    answer = client.post("/api/v1/playground/import", json={"url": load["hash"]}).json()
    with client.websocket_connect(URL) as ws:
        first = start(ws, {k: v for k, v in answer.items() if k != "steps"})
        assert first["loss"] == pytest.approx(load["train_loss"], abs=1e-9)
        for expected in load["epochs"][:3]:
            ws.send_json({"type": "step", "unit": "update", "count": answer["steps"]})
            assert frame(ws)["loss"] == pytest.approx(expected["train_loss"], abs=1e-9)
