"""Headless Chromium (Debian's package) driven by Playwright's Python API.

The ``page`` fixture fails a test if the page logs a console error, throws, or asks for
anything outside the app (a classroom may be offline).
"""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
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


@pytest.fixture
def page(browser, live_server):
    """A fresh page; at teardown, asserts no console error and no request left the app."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems = PageProblems(live_server)
    page.on(
        "console", lambda msg: msg.type == "error" and problems.console_errors.append(msg.text)
    )
    page.on("pageerror", lambda err: problems.page_errors.append(str(err)))
    page.on("request", problems.on_request)
    page.problems = problems
    yield page
    context.close()
    problems.assert_clean()
