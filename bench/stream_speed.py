"""Live training over WS /api/v1/train/stream, as a class would use it.

One trainer: headless Chromium at 1280×800 opens /train, picks the spiral (defaults
otherwise: 500 points, a 4-2 tanh network, SGD 0.03, batches of 10, one epoch per frame) and
plays; frames are the changes of the on-screen update counter over 10 s, read on every
animation frame, and epochs/s is the epoch counter's rise over the same 10 s. The baseline is
the same page on a server whose stream cap is 0, so the page falls back to its POST /train
loop (what /train did before the stream). Eight trainers: eight WebSocket clients play the
same run and take frames as a 60 Hz page would (each acknowledges its newest frame at most
once per 1/60 s, without drawing), while /healthz is probed every 50 ms. Then the eight
streams close, and the server's thread count and RSS are read again once idle threads retire
(servers here run without the engine's background warm-up of every graph, which would trace
during the measurement; the baseline is read after one warm-up round of eight streams:
TensorFlow's thread pools and caches grow once, on first use, and a leak shows as growth from
one round to the next).
The machine is shared with other work during these runs, so the figures are pessimistic.
"""

import asyncio
import json
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

from bench.common import Server, percentile, row

SECONDS = 10.0
# The engine traces every graph kind in a background thread after start-up; that would spend
# CPU and grow RSS during these measurements, so the servers here trace on demand instead.
QUIET = {"BPV_WARM_GRAPHS": "false"}
SPIRAL = {
    "layers": [2, 4, 2, 1],
    "activations": ["tanh", "tanh", "tanh"],
    "loss": "mse",
    "dataset": {"name": "spiral", "samples": 500, "features": ["x1", "x2"]},
    "optimizer": {"name": "sgd", "learning_rate": 0.03},
    "batch_size": 10,
    "boundary_resolution": 40,
    "neuron_grids": True,
    "neuron_grid_resolution": 20,
}
COUNT_FRAMES = """(seconds) => new Promise((resolve) => {
  const counter = document.getElementById('tr-stat-iteration');
  const epoch = () => Number(document.getElementById('tr-stat-epoch').textContent);
  let last = counter.textContent, changes = 0;
  const firstEpoch = epoch(), started = performance.now();
  const look = () => {
    if (counter.textContent !== last) { changes += 1; last = counter.textContent; }
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed < seconds) requestAnimationFrame(look);
    else resolve({frames: changes / elapsed, epochs: (epoch() - firstEpoch) / elapsed});
  };
  requestAnimationFrame(look);
})"""


def trainer_in_chromium(url: str, seconds: float = SECONDS) -> dict:
    """Frames/s and epochs/s of one /train page playing the spiral."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{url}/train?lang=en")
        page.wait_for_selector("body[data-render-count]", timeout=60_000)
        page.select_option("#tr-dataset", "spiral")
        page.wait_for_timeout(1500)  # the new run's first frame
        page.click("#tr-play")
        page.wait_for_timeout(2000)  # past the first compile
        measured = page.evaluate(COUNT_FRAMES, seconds)
        page.click("#tr-play")
        browser.close()
    return measured


async def _stream_client(url: str, counts: list, stop: asyncio.Event):
    """One 60 Hz client: plays the spiral, acknowledges its newest frame once per 1/60 s."""
    async with connect(url.replace("http", "ws") + "/api/v1/train/stream") as ws:
        await ws.send(json.dumps({"type": "start", "spec": SPIRAL}))
        await ws.send(json.dumps({"type": "play"}))
        newest, acked, frames, first_epoch, epoch = 0, 0, 0, None, 0.0
        started = None
        tick = time.perf_counter()

        async def pace():
            nonlocal acked, tick
            while not stop.is_set():
                tick += 1 / 60
                await asyncio.sleep(max(0.0, tick - time.perf_counter()))
                if newest > acked:
                    acked = newest
                    await ws.send(json.dumps({"type": "ack", "seq": newest}))

        pacer = asyncio.create_task(pace())
        try:
            while not stop.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 0.5))
                except TimeoutError:
                    continue
                if message.get("type") != "frame":
                    continue
                newest = message["seq"]
                if started is None and message["seq"] >= 5:  # past the first compile
                    started, first_epoch = time.perf_counter(), message.get("epoch", 0.0)
                elif started is not None:
                    frames += 1
                    epoch = message.get("epoch", epoch)
        finally:
            stop.set()
            pacer.cancel()
        elapsed = time.perf_counter() - (started or time.perf_counter())
        counts.append(
            {
                "fps": frames / elapsed if elapsed else 0.0,
                "epochs": (epoch - (first_epoch or 0.0)) / elapsed if elapsed else 0.0,
            }
        )


async def _healthz_probe(url: str, stop: asyncio.Event, latencies: list):
    async with httpx.AsyncClient(base_url=url, timeout=5.0) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.get("/healthz")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)


async def _eight(url: str, clients: int, seconds: float):
    stop = asyncio.Event()
    counts, latencies = [], []
    tasks = [asyncio.create_task(_stream_client(url, counts, stop)) for _ in range(clients)]
    await asyncio.sleep(3.0)  # every stream past its first frames
    latencies.clear()
    probe = asyncio.create_task(_healthz_probe(url, stop, latencies))
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, probe)
    return counts, latencies


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise RuntimeError("no Threads line")


def settle(server: Server, seconds: float = 15.0) -> tuple[int, float]:
    """Thread count and RSS once idle worker threads have retired (anyio keeps them 10 s)."""
    time.sleep(seconds)
    return threads(server.process.pid), server.rss_mib()


def run(scale: float = 1.0) -> list[dict]:
    seconds = max(3.0, SECONDS * scale)
    rows = []
    with Server(env={**QUIET, "BPV_STREAM_MAX_CONCURRENT": "0"}) as server:
        before = trainer_in_chromium(server.url, seconds)
    with Server(env=QUIET) as server:
        one = trainer_in_chromium(server.url, seconds)
        rows += [
            row(
                "one trainer, spiral defaults: frames/s (Chromium 1280×800)",
                one["frames"],
                "frames/s",
                baseline=before["frames"],
                goal="≥ 50",
                met=one["frames"] >= 50,
            ),
            row(
                "one trainer, spiral defaults: epochs/s",
                one["epochs"],
                "epochs/s",
                baseline=before["epochs"],
                goal="≥ 60",
                met=one["epochs"] >= 60,
            ),
        ]
        asyncio.run(_eight(server.url, 8, 3.0))  # warm: graphs compiled, thread pools grown
        threads_before, rss_before = settle(server)
        counts, latencies = asyncio.run(_eight(server.url, 8, seconds))
        slowest = min(c["fps"] for c in counts)
        p99 = 1000 * percentile(sorted(latencies), 99)
        rows += [
            row("8 stream clients at 60 Hz: slowest client", slowest, "frames/s",
                goal="≥ 15", met=slowest >= 15),
            row("8 stream clients: mean", sum(c["fps"] for c in counts) / len(counts), "frames/s"),
            row("8 stream clients: slowest client's epochs/s",
                min(c["epochs"] for c in counts), "epochs/s"),
            row("/healthz p99 while 8 streams play", p99, "ms", goal="< 50", met=p99 < 50),
        ]  # fmt: skip
        threads_after, rss_after = settle(server)
        rows += [
            row("threads after 8 streams closed", threads_after, "threads",
                baseline=threads_before, goal="back to the baseline",
                met=threads_after <= threads_before),
            row("RSS after 8 streams closed", rss_after, "MiB", baseline=rss_before,
                goal="within 10 MiB of the baseline", met=rss_after - rss_before <= 10),
        ]  # fmt: skip
    return rows


if __name__ == "__main__":
    for result in run():
        print(result)
