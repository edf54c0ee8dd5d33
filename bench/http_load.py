"""Throughput and latency of /api/v1/backprop vs /healthz on one real uvicorn process.

Classroom network: 4-8-8-3, sigmoid, MSE, batch 8, float32. Each level sends a fixed number
of requests from 1, 8 and 32 keep-alive connections on loopback and reports requests/s, p50
and p99. Every /api/v1/backprop request differs (its inputs are nudged), so each one computes;
the route keeps a bounded cache of identical requests, measured separately as "same preset".
Goals: backprop ≥ ½ of the trivial endpoint's throughput; p99 < 50 ms at 32 clients.
"""

from bench.common import Server, encode_request, load, row

LEVELS = {1: 300, 8: 640, 32: 1280}  # clients → requests (a multiple of the clients)
WARMUP = 64


def classroom_body(batch: int = 8, variant: int = 0) -> dict:
    """The classroom request; ``variant`` nudges the inputs so each variant is a new request."""
    layers = [4, 8, 8, 3]
    inputs = [[((r * 4 + c) % 9 - 4) / 4 + variant * 1e-6 for c in range(4)] for r in range(batch)]
    targets = [[1.0 if c == r % 3 else 0.0 for c in range(3)] for r in range(batch)]
    return {
        "layers": layers,
        "activations": "sigmoid",
        "loss": "mse",
        "seed": 0,
        "inputs": inputs,
        "targets": targets,
    }


HEALTHZ = encode_request("GET", "/healthz")
_variants = iter(range(1, 10**9))


def requests_for(path: str, count: int) -> list[bytes]:
    """``count`` requests: /backprop ones all different (each computes; the route caches
    identical requests), the "same preset" ones identical (served from that cache)."""
    if path == "/healthz":
        return [HEALTHZ] * count
    if path == SAME_PRESET:
        return [encode_request("POST", "/api/v1/backprop", classroom_body())] * count
    return [
        encode_request("POST", "/api/v1/backprop", classroom_body(variant=next(_variants)))
        for _ in range(count)
    ]


SAME_PRESET = "/api/v1/backprop (same preset: response cache)"
ENDPOINTS = ["/healthz", "/api/v1/backprop", SAME_PRESET]


def measure(server: Server, scale: float = 1.0) -> tuple[list[dict], dict]:
    """Rows, and the raw figures per (endpoint, clients)."""
    raw = {}
    for path in ENDPOINTS:
        load(server.port, requests_for(path, WARMUP), 8)  # traces, connection pools, caches
        for clients, count in LEVELS.items():
            count = max(clients, int(count * scale) // clients * clients)
            raw[(path, clients)] = load(server.port, requests_for(path, count), clients)
    rows = []
    for clients in LEVELS:
        trivial, heavy = raw[("/healthz", clients)], raw[("/api/v1/backprop", clients)]
        cached = raw[(SAME_PRESET, clients)]
        for path, figures in (
            ("/healthz", trivial),
            ("/api/v1/backprop", heavy),
            (SAME_PRESET, cached),
        ):
            rows.append(
                row(
                    f"{path}, {clients} client(s): p50 / p99 latency",
                    round(figures["p50_ms"], 2),
                    "ms p50",
                    goal=f"p99 {figures['p99_ms']:.1f} ms; {figures['requests']} requests, "
                    f"{figures['errors']} errors",
                    met=figures["errors"] == 0,
                )
            )
        rows.append(
            row(
                f"backprop vs healthz throughput, {clients} client(s)",
                round(heavy["rps"], 1),
                "req/s",
                baseline=round(trivial["rps"], 1),
                goal="≥ 0.5× the trivial endpoint",
                met=heavy["rps"] >= 0.5 * trivial["rps"],
            )
        )
    p99 = raw[("/api/v1/backprop", 32)]["p99_ms"]
    rows.append(
        row(
            "backprop p99 latency at 32 clients",
            round(p99, 1),
            "ms",
            baseline=50.0,
            goal="< 50 ms",
            met=p99 < 50.0,
        )
    )
    return rows, raw


def measure_scaled_out(
    server: Server, workers: int, scale: float = 1.0, label: str = ""
) -> list[dict]:
    """The 32-client level again (distinct requests) with ``workers`` processes."""
    label = label or f"{workers} workers"
    count = max(32, int(LEVELS[32] * scale) // 32 * 32)
    figures = {}
    for path in ENDPOINTS[:2]:
        load(server.port, requests_for(path, WARMUP * workers), 16)  # every worker traces once
        figures[path] = load(server.port, requests_for(path, count), 32)
    trivial, heavy = figures["/healthz"], figures["/api/v1/backprop"]
    return [
        row(
            f"{label}, 32 clients: backprop vs healthz throughput",
            round(heavy["rps"], 1),
            "req/s",
            baseline=round(trivial["rps"], 1),
            goal="≥ 0.5× the trivial endpoint",
            met=heavy["rps"] >= 0.5 * trivial["rps"],
        ),
        row(
            f"{label}, 32 clients: backprop p50 / p99",
            round(heavy["p50_ms"], 1),
            "ms p50",
            goal=f"p99 {heavy['p99_ms']:.1f} ms (< 50 ms); {heavy['errors']} errors",
            met=heavy["p99_ms"] < 50.0 and heavy["errors"] == 0,
        ),
    ]


def reading(raw: dict) -> str:
    """What the figures imply, computed from them (Little's law: latency = clients / rate)."""
    trivial, heavy = raw[("/healthz", 32)], raw[("/api/v1/backprop", 32)]
    single = raw[("/api/v1/backprop", 1)]
    return (
        "Reading: with 32 clients each waiting for its answer, mean latency = 32 / throughput "
        "(Little's law), so p99 < 50 ms needs well over 640 req/s. In this same run the trivial "
        f"endpoint served {trivial['rps']:.0f} req/s at 32 clients with p99 "
        f"{trivial['p99_ms']:.0f} ms, and /backprop {heavy['rps']:.0f} req/s (p99 "
        f"{heavy['p99_ms']:.0f} ms). Alone, one /backprop takes {single['p50_ms']:.1f} ms "
        f"(p50 at 1 client, {single['rps']:.0f} req/s); /backprop throughput falls as clients "
        "are added because 32 worker threads contend for the GIL on 2 cores (compare the "
        "what-if row with the thread pool capped at 2)."
    )
