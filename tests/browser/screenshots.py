"""Screenshots of the /network page for the README (run by hand, not a test).

    .venv/bin/python -m tests.browser.screenshots

Serves the app on a loopback port, opens the page in Debian's Chromium in English, in
Chinese and in presenter mode (stepped to the backward pass), and writes PNGs into
docs/screenshots/.
"""

import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from app.main import app
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def serve() -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def rendered(page, after: str | None = None) -> str:
    selector = "body[data-render-count]"
    if after is not None:
        selector = f"body:not([data-render-count='{after}'])"
    page.wait_for_selector(selector, timeout=30000)
    page.wait_for_timeout(400)  # let Plotly finish its transitions
    return page.get_attribute("body", "data-render-count")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    server, base = serve()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for lang in ("en", "zh"):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{base}/network?lang={lang}")
                rendered(page)
                page.screenshot(path=OUT / f"network-{lang}.png", full_page=True)
                page.close()
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{base}/network?lang=en&present=1")
            version = rendered(page)
            page.click("#nv-reset")
            version = rendered(page, version)
            for _ in range(4):  # inputs → layer 1 → layer 2 → δ of layer 2 → δ of layer 1
                page.click("#nv-step")
                version = rendered(page, version)
            page.screenshot(path=OUT / "network-presenter.png")
            browser.close()
    finally:
        server.should_exit = True
    for path in sorted(OUT.glob("network-*.png")):
        print(path.relative_to(OUT.parents[1]), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
