"""How the tests and the benchmarks launch Debian's Chromium (Playwright's own browser
download does not work here). A module of its own, so that a benchmark can import it without
importing the app, as ``tests/conftest.py`` does."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
