"""WS /api/v1/train/stream: live training, one frame at a time (protocol in docs/api-v1.md).

Two tasks per socket: a reader that checks each client message (size, rate, shape) and
queues it, and a pump that, while fewer than ``stream_max_in_flight`` frames are
unacknowledged, applies the queued messages and computes the next frame in ONE worker-thread
call (every TensorFlow call of the frame stays inside it). Streams take the
``stream_compute_threads`` threads in turn, so they share the CPU; the event loop itself
never computes, so /healthz stays quick. When the client disconnects the reader returns and
the pump is cancelled: no frame is computed after the current one.
"""

import asyncio
import json
import threading
import time
import weakref
from urllib.parse import urlsplit

import anyio
from anyio import to_thread
from fastapi import APIRouter, WebSocket
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect, WebSocketState

from app.core.config import Settings, get_settings
from app.core.errors import _clean_msg, collapse_union_errors, error_detail
from app.core.middleware import InFlight
from app.engine.errors import SpecError
from app.schemas.train import TrainRequest
from app.schemas.train_stream import MESSAGES
from app.services.train_stream import FrameSettings, StreamRun

router = APIRouter(prefix="/api/v1", tags=["train"])
BUSY_RETRY_SECONDS = 5
CLOSE_POLICY, CLOSE_TRY_LATER = 1008, 1013


class StreamRegistry:
    """Open streams (the cap) and one compute limiter per event loop (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open = 0
        self.loops_running = 0  # pumps currently alive: 0 once every socket has closed
        self.frames = InFlight()  # frames being computed now (the warm-up waits for quiet)
        self._limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def try_open(self, cap: int) -> bool:
        with self._lock:
            if self.open >= cap:
                return False
            self.open += 1
            return True

    def close(self) -> None:
        with self._lock:
            self.open -= 1

    def limiter(self, threads: int) -> anyio.CapacityLimiter:
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(threads)
        return limiter


registry = StreamRegistry()


def origin_allowed(ws: WebSocket, settings: Settings) -> bool:
    """API clients send no Origin; a browser page may connect only from this app's origin."""
    origin = ws.headers.get("origin")
    if origin is None or origin in settings.stream_allowed_origins:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == ws.headers.get("host")


def _validation_details(error: ValidationError, prefix: tuple = ()) -> list[dict]:
    return [
        error_detail((*prefix, *loc), _clean_msg(e), str(e.get("type", "value_error")))
        for loc, e in collapse_union_errors(error.errors(include_url=False))
    ]


class RateLimit:
    """A token bucket: ``rate`` messages per second with a burst of one second's worth."""

    def __init__(self, rate: float):
        self.rate, self.tokens, self.at = rate, rate, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class StreamConnection:
    def __init__(self, ws: WebSocket, settings: Settings):
        self.ws, self.settings = ws, settings
        self.limiter = registry.limiter(settings.stream_compute_threads)
        self.rate = RateLimit(settings.stream_max_messages_per_second)
        self.send_lock = anyio.Lock()
        self.ops: list[tuple] = []  # messages that change the run, applied in order
        self.session: StreamRun | None = None  # touched only inside the worker thread
        self.has_run = False
        self.playing = False
        self.seq = 0  # frames sent
        self.acked = 0  # highest frame the client has acknowledged
        self.wake = anyio.Event()
        self.last_rate_error = 0.0

    async def serve(self) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(self._pump)
            try:
                await self._read()
            finally:
                group.cancel_scope.cancel()

    # ---- sending ------------------------------------------------------------------------

    async def send(self, message: dict) -> None:
        text = json.dumps(message, separators=(",", ":"), allow_nan=False)
        async with self.send_lock:
            await self.ws.send_text(text)

    async def send_error(self, details: list[dict], message_type: str | None = None) -> None:
        await self.send({"type": "error", "detail": details, "message_type": message_type})

    def notify(self) -> None:
        self.wake.set()

    # ---- reading ------------------------------------------------------------------------

    async def _read(self) -> None:
        idle = self.settings.stream_idle_seconds
        while True:
            with anyio.move_on_after(idle) as timer:
                message = await self.ws.receive()
            if timer.cancelled_caught:
                msg = f"no message for {idle:g} s: the stream is closed (open a new one)"
                await self.send_error([error_detail(("idle",), msg)])
                await self.ws.close(code=1000)
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
            await self._handle(text)

    async def _handle(self, text: str) -> None:
        limit = self.settings.stream_max_message_bytes
        if len(text.encode()) > limit:
            msg = f"the message is larger than the limit of {limit} bytes"
            return await self.send_error([error_detail(("message",), msg)])
        if not self.rate.take():
            now = time.monotonic()
            if now - self.last_rate_error >= 1.0:  # one report a second, not one per message
                self.last_rate_error = now
                rate = self.settings.stream_max_messages_per_second
                msg = f"more than {rate:g} messages per second: messages are being dropped"
                await self.send_error([error_detail(("message",), msg)])
            return
        try:
            raw = json.loads(text)
        except ValueError as error:
            msg = f"the message is not valid JSON: {error}"
            return await self.send_error([error_detail(("message",), msg)])
        kind = raw.get("type") if isinstance(raw, dict) else None
        model = MESSAGES.get(kind) if isinstance(kind, str) else None
        if model is None:
            msg = f"'type' must be one of: {', '.join(MESSAGES)}"
            return await self.send_error([error_detail(("type",), msg)])
        try:
            parsed = model.model_validate(raw)
        except ValidationError as error:
            return await self.send_error(_validation_details(error), kind)
        spec = None
        if kind == "start":
            try:
                spec = TrainRequest.model_validate(parsed.spec)
            except ValidationError as error:
                return await self.send_error(_validation_details(error, ("spec",)), kind)
        self._apply(kind, parsed, spec)

    def _apply(self, kind: str, message, spec: TrainRequest | None) -> None:
        if kind == "ack":
            self.acked = max(self.acked, min(message.seq, self.seq))
        elif kind == "play":
            self.playing = True
        elif kind == "pause":
            self.playing = False
        elif kind == "start":
            self.playing = False
            self.ops = [("start", spec, FrameSettings(message.per_frame, message.frame_unit))]
        elif kind == "step":
            self.ops.append(("step", message.unit, message.count))
        elif kind == "set":
            self.ops.append(("set", message.changes()))
        elif kind == "reset":
            self.ops.append(("reset",))
        self.notify()

    # ---- computing and sending frames ---------------------------------------------------

    def _ready(self) -> bool:
        in_flight = self.seq - self.acked
        return in_flight < self.settings.stream_max_in_flight and bool(
            self.ops or (self.playing and self.has_run)
        )

    async def _pump(self) -> None:
        with registry_pump():
            while True:
                while not self._ready():
                    self.wake = anyio.Event()
                    await self.wake.wait()
                ops, self.ops = self.ops, []
                registry.frames.enter()
                try:
                    frame, errors, failed = await to_thread.run_sync(
                        self._work, ops, self.playing, limiter=self.limiter
                    )
                finally:
                    registry.frames.leave()
                if failed:
                    self.playing = False  # a frame that cannot run stops play, said in errors
                for message_type, details in errors:
                    await self.send_error(details, message_type)
                if frame is not None:
                    self.seq += 1
                    await self.send({**frame, "seq": self.seq, "playing": self.playing})

    def _work(self, ops: list[tuple], playing: bool):
        """In a worker thread: apply the messages, then compute one frame (or none)."""
        errors, steps, fresh = [], 0, False
        for op in ops:
            try:
                if op[0] == "start":
                    self.session = StreamRun(op[1], self.settings, op[2])
                    self.has_run = fresh = True
                elif self.session is None:
                    raise SpecError(("type",), "send a start message first")
                elif op[0] == "set":
                    self.session.change(op[1])
                    fresh = True
                elif op[0] == "reset":
                    self.session.reset()
                    steps, fresh = 0, True
                elif op[0] == "step":
                    steps += self.session.steps_for(op[1], op[2])
                    fresh = True
            except SpecError as error:
                errors.append((op[0], [error_detail(error.loc, error.msg, error.kind)]))
            except ValidationError as error:
                errors.append((op[0], _validation_details(error)))
        session = self.session
        if session is None:
            return None, errors, False
        if playing:
            steps += session.steps_for(session.frame.unit, session.frame.per_frame)
        if not (steps or fresh):
            return None, errors, False
        try:
            return session.compact(session.advance(steps)), errors, False
        except SpecError as error:
            errors.append(("step", [error_detail(error.loc, error.msg, error.kind)]))
            return None, errors, True


class registry_pump:
    """Counts live pumps, so tests and benchmarks can see that a closed socket's loop ended."""

    def __enter__(self):
        with registry._lock:
            registry.loops_running += 1

    def __exit__(self, *exc):
        with registry._lock:
            registry.loops_running -= 1


@router.websocket("/train/stream")
async def train_stream(ws: WebSocket) -> None:
    """Live training: control messages in, frames out (see docs/api-v1.md)."""
    settings = get_settings()
    if not origin_allowed(ws, settings):
        await ws.close(code=CLOSE_POLICY)  # before the handshake: the browser gets a 403
        return
    if not registry.try_open(settings.stream_max_concurrent):
        await ws.accept()
        await ws.send_json(
            {
                "type": "busy",
                "retry_after": BUSY_RETRY_SECONDS,
                "detail": f"{settings.stream_max_concurrent} training streams are open, the "
                "most this server runs at once",
            }
        )
        await ws.close(code=CLOSE_TRY_LATER)
        return
    try:
        await ws.accept()
        await StreamConnection(ws, settings).serve()
    except* (WebSocketDisconnect, ConnectionError):
        pass  # the client went away mid-send: nothing to tell it
    finally:
        registry.close()
        if ws.application_state == WebSocketState.CONNECTED:
            try:
                await ws.close()
            except (RuntimeError, WebSocketDisconnect):
                pass  # the client is already gone
