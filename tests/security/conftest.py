"""Browser tests here reuse the Playwright fixtures of tests/browser (one Chromium a session)."""

from tests.browser.conftest import browser, page  # noqa: F401
