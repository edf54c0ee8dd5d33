"""One warmed app for the whole session: a TestClient for the API, a live server, and one
headless Chromium (Debian's package driven by Playwright's Python API).

The browser fixtures live here, once, so every test folder shares the same Playwright
instance (a second sync Playwright in the same thread fails to start).

The ``page`` fixture fails a test if the page logs a console error, throws, or asks for
anything outside the app (a classroom may be offline).
"""

import socket
import threading
import time
from urllib.parse import urlparse

import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.core.config import get_settings
from app.main import app
from tests.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def client():
    """The API in-process (TensorFlow imported and warmed up once).

    Its graphs are built in the background between requests as soon as none is computing,
    instead of after a pause of 0.5 s that a test run seldom leaves: the warm-up then uses
    the second core while tests run (a server waits for a pause, so that a class's first
    requests do not share the CPU with it). Set here, on the session's settings, and not in
    the environment, which servers started as subprocesses (and benchmarks importing this
    module) would inherit.
    """
    get_settings().warm_idle_seconds = 0.0
    with TestClient(app) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(client):
    """The same app served by uvicorn on a loopback port, for browser and load tests."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    # Imported here, so `pytest tests/engine tests/api` runs without a browser stack.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class PageProblems:
    def __init__(self, origin: str):
        self.origin = origin
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.outside_requests: list[str] = []

    def on_request(self, request):
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != self.origin:
            self.outside_requests.append(url)

    def assert_clean(self):
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.outside_requests, f"requests outside the app: {self.outside_requests}"


def watched_page(context, origin: str):
    """A new page of ``context`` whose console errors, throws and outside requests are kept
    in ``page.problems``."""
    page = context.new_page()
    problems = PageProblems(origin)
    page.on("console", lambda msg: msg.type == "error" and problems.console_errors.append(msg.text))
    page.on("pageerror", lambda err: problems.page_errors.append(str(err)))
    page.on("request", problems.on_request)
    page.problems = problems
    return page


@pytest.fixture
def page(browser, live_server):
    """A fresh page; at teardown, asserts no console error and no request left the app."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1400, "height": 1000})
    page = watched_page(context, live_server)
    problems = page.problems
    yield page
    context.close()
    problems.assert_clean()
