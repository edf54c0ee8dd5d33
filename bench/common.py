"""Shared pieces of the benchmarks: result rows, a server process, a lean HTTP client, RSS.

The load generator is a minimal HTTP/1.1 keep-alive client on asyncio streams, not httpx:
on a 2-core machine the client shares the CPU with the server, and a heavy client would slow
the trivial endpoint more than the heavy one and so flatter the ratio between them.
"""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / "backprop-visualizer"


def row(name, value, unit, baseline=None, goal="", met=None, ratio=None) -> dict:
    """One result: ``ratio`` is value/baseline unless given; ``met`` None means 'no goal'."""
    if ratio is None and baseline:
        ratio = value / baseline
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "goal": goal,
        "met": met,
    }


def print_rows(rows: list[dict]) -> None:
    """Rows as aligned text, for a benchmark run on its own (``python -m bench.<name>``)."""
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        ratio = "" if r["ratio"] is None else f" ({r['ratio']:.3g}× {r['baseline']})"
        met = {True: "met", False: "NOT met", None: ""}[r["met"]]
        print(f"{r['name']:<{width}}  {r['value']} {r['unit']}{ratio}  {met} {r['goal']}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``backprop-visualizer --port X`` as its own process, the way a teacher starts it."""

    def __init__(
        self,
        env: dict | None = None,
        workers: int = 1,
        module: str | None = None,
        cwd: Path = ROOT,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(CLI), "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--log-level", "warning", "--workers", str(workers)]
        if module:  # another launcher, e.g. app.cli of an older checkout (see ``cwd``)
            command = [sys.executable, "-m", module, "--port", str(self.port)]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.cold_start_s = self._wait_healthy(started)

    def _wait_healthy(self, started: float, timeout: float = 120.0) -> float:
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                response = httpx.get(f"{self.url}/healthz", timeout=1.0)
                if response.status_code == 200 and response.json().get("status") == "ok":
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError("server did not become healthy in time")

    def rss_mib(self) -> float:
        return rss_mib(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def encode_request(method: str, path: str, body: dict | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n"
    if body is not None:
        head += f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload


async def _exchange(reader, writer, raw: bytes) -> tuple[int, bytes]:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _client(port: int, raws: list[bytes], latencies: list[float], statuses: list[int]):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for raw in raws:
            start = time.perf_counter()
            status, _ = await _exchange(reader, writer, raw)
            latencies.append(time.perf_counter() - start)
            statuses.append(status)
    finally:
        writer.close()


def load(port: int, raws: list[bytes], clients: int) -> dict:
    """Send ``raws`` from ``clients`` keep-alive connections at once (round-robin split)."""
    latencies: list[float] = []
    statuses: list[int] = []
    shares = [raws[i::clients] for i in range(clients)]

    async def main():
        await asyncio.gather(*[_client(port, share, latencies, statuses) for share in shares])

    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": sum(1 for s in statuses if s != 200),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * percentile(ordered, 50),
        "p99_ms": 1000 * percentile(ordered, 99),
        "mean_ms": 1000 * statistics.fmean(ordered),
    }


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
