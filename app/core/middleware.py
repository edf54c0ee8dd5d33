"""ASGI middleware: body size limit, API concurrency limit, security headers."""

import json
import threading
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


async def _send_json(send: Send, status: int, body: dict, headers=()) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodySizeLimit:
    """Answers 413 for a body over ``max_bytes``, by header or by counting the stream."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = {"detail": f"request body is larger than the limit of {self.max_bytes} bytes"}
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    return await _send_json(send, 413, too_big)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await _send_json(send, 413, too_big)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class InFlight:
    """How many API requests are being computed now (kept by :class:`ConcurrencyLimit`; read
    by whoever waits for a quiet moment: the allocator's trimmer, the graphs' warm-up)."""

    def __init__(self):
        self.count = 0
        self.last_done = float("-inf")  # time.monotonic() when the last one finished
        # One event loop per server process, but a test session serves the same app from two
        # threads (TestClient's loop and uvicorn's), and Python does not promise that ``+=``
        # on an attribute is atomic.
        self._lock = threading.Lock()

    def busy(self) -> bool:
        return self.count > 0

    def quiet_for(self, seconds: float) -> bool:
        """No request computing now, and none finished in the last ``seconds``."""
        return self.count == 0 and time.monotonic() - self.last_done >= seconds

    def enter(self) -> None:
        with self._lock:
            self.count += 1

    def leave(self) -> None:
        with self._lock:
            self.count -= 1
            self.last_done = time.monotonic()


class ConcurrencyLimit:
    """At most ``limit`` API requests in flight; the rest get 503 with Retry-After at once."""

    def __init__(
        self, app: ASGIApp, limit: int, prefix: str = "/api/", counter: InFlight | None = None
    ):
        self.app, self.limit, self.prefix = app, limit, prefix
        self.counter = counter or InFlight()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        if self.counter.count >= self.limit:
            body = {"detail": "the server is busy computing other requests; retry in a second"}
            return await _send_json(send, 503, body, [(b"retry-after", b"1")])
        self.counter.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.counter.leave()


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                existing = {k.lower() for k, _ in message["headers"]}
                for name, value in SECURITY_HEADERS:
                    if name not in existing:
                        message["headers"].append((name, value))
            await send(message)

        await self.app(scope, receive, with_headers)
