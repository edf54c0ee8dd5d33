"""Throughput and latency of /api/v1/backprop vs /healthz on one real uvicorn process.

Classroom network: 4-8-8-3, sigmoid, MSE, batch 8, float32. Each level sends a fixed number
of requests from 1, 16 and 32 keep-alive connections on loopback and reports requests/s, p50
and p99. Every /api/v1/backprop request is new: random inputs, weights and biases drawn for
each one, so each computes; the route keeps a bounded cache of identical requests, measured
separately as "same preset". Goals (issue 9), at 16 clients: backprop ≥ 0.25× the trivial
endpoint's throughput and p99 < 50 ms (before the engine rewrite: 0.064× and 190 ms).

The previous engine (commit 9834a67~1, as in the training bench) serves the same 16-client
load in the same run, for a before/after ratio that the machine's load does not skew; so does
this engine with every request computed in a worker thread (``BPV_INLINE_MAX_WORK=0``), the
way requests ran before small ones moved onto the event loop.

Steady state: the servers run with ``BPV_WARM_GRAPHS=false``, since the background warm-up
of every graph of the engine (minutes on a loaded machine) would otherwise share the CPU
with the measurement; the warm-up requests build the one graph the classroom network uses.
"""

import random

from bench.common import Server, encode_request, load, print_rows, row
from bench.space import fresh_seed

LEVELS = {1: 200, 16: 960, 32: 1280}  # clients → requests (a multiple of the clients)
GOAL_CLIENTS, GOAL_RATIO, GOAL_P99_MS = 16, 0.25, 50.0
WARMUP = 64
CLASSROOM = [4, 8, 8, 3]
STEADY = {"BPV_WARM_GRAPHS": "false"}  # no background graph building during the measurement
OLD_COMMIT = "9834a67~1"  # the engine before the rewrite, checked out as in train_speed.py


def old_engine_server() -> Server | None:
    """The previous engine's server (``app.cli`` of its worktree), if it is checked out."""
    from bench.train_speed import OLD_ENGINE

    if not (OLD_ENGINE / "app").is_dir():
        return None
    env = {**STEADY, "PYTHONPATH": str(OLD_ENGINE)}
    return Server(env=env, module="app.cli", cwd=OLD_ENGINE)


def classroom_body(batch: int = 8, rng: random.Random | None = None) -> dict:
    """The classroom request; with ``rng``, new random inputs, weights and biases."""
    layers = CLASSROOM
    targets = [[1.0 if c == r % 3 else 0.0 for c in range(3)] for r in range(batch)]
    body = {"layers": layers, "activations": "sigmoid", "loss": "mse", "seed": 0}
    if rng is None:
        inputs = [[((r * 4 + c) % 9 - 4) / 4 for c in range(4)] for r in range(batch)]
        return {**body, "inputs": inputs, "targets": targets}

    def uniform(*shape):
        if len(shape) == 1:
            return [rng.uniform(-1, 1) for _ in range(shape[0])]
        return [uniform(*shape[1:]) for _ in range(shape[0])]

    pairs = list(zip(layers, layers[1:], strict=False))
    return {
        **body,
        "inputs": uniform(batch, layers[0]),
        "targets": targets,
        "weights": [uniform(a, b) for a, b in pairs],
        "biases": [uniform(b) for _, b in pairs],
    }


HEALTHZ = encode_request("GET", "/healthz")
_rng = random.Random(fresh_seed())


def requests_for(path: str, count: int) -> list[bytes]:
    """``count`` requests: /backprop ones all new (each computes; the route caches identical
    requests), the "same preset" ones identical (served from that cache)."""
    if path == "/healthz":
        return [HEALTHZ] * count
    if path == SAME_PRESET:
        return [encode_request("POST", "/api/v1/backprop", classroom_body())] * count
    return [
        encode_request("POST", "/api/v1/backprop", classroom_body(rng=_rng)) for _ in range(count)
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
        goal = clients == GOAL_CLIENTS
        rows.append(
            row(
                f"backprop vs healthz throughput, {clients} client(s)",
                round(heavy["rps"], 1),
                "req/s",
                baseline=round(trivial["rps"], 1),
                goal=f"≥ {GOAL_RATIO}× the trivial endpoint" if goal else "reported",
                met=heavy["rps"] >= GOAL_RATIO * trivial["rps"] if goal else None,
            )
        )
    p99 = raw[("/api/v1/backprop", GOAL_CLIENTS)]["p99_ms"]
    rows.append(
        row(
            f"backprop p99 latency at {GOAL_CLIENTS} clients",
            round(p99, 1),
            "ms",
            baseline=GOAL_P99_MS,
            goal=f"< {GOAL_P99_MS:g} ms",
            met=p99 < GOAL_P99_MS,
        )
    )
    return rows, raw


def measure_scaled_out(
    server: Server, workers: int, scale: float = 1.0, label: str = ""
) -> list[dict]:
    """The goal's level again (distinct requests) on another server (``workers`` processes,
    or the previous engine): reported."""
    label = label or f"{workers} workers"
    clients = GOAL_CLIENTS
    count = max(clients, int(LEVELS[clients] * scale) // clients * clients)
    figures = {}
    for path in ENDPOINTS[:2]:
        load(server.port, requests_for(path, WARMUP * workers), 16)  # every worker traces once
        figures[path] = load(server.port, requests_for(path, count), clients)
    trivial, heavy = figures["/healthz"], figures["/api/v1/backprop"]
    return [
        row(
            f"{label}, {clients} clients: backprop vs healthz throughput",
            round(heavy["rps"], 1),
            "req/s",
            baseline=round(trivial["rps"], 1),
            goal="reported (compare the ratio with the row above)",
        ),
        row(
            f"{label}, {clients} clients: backprop p50 / p99",
            round(heavy["p50_ms"], 1),
            "ms p50",
            goal=f"p99 {heavy['p99_ms']:.1f} ms; {heavy['errors']} errors",
        ),
    ]


def reading(raw: dict) -> str:
    """What the figures imply, computed from them (Little's law: latency = clients / rate)."""
    clients = GOAL_CLIENTS
    trivial, heavy = raw[("/healthz", clients)], raw[("/api/v1/backprop", clients)]
    single = raw[("/api/v1/backprop", 1)]
    return (
        f"Reading: with {clients} clients each waiting for its answer, mean latency = "
        f"{clients} / throughput (Little's law), so p99 < 50 ms needs well over "
        f"{clients * 20} req/s. In this same run the trivial endpoint served "
        f"{trivial['rps']:.0f} req/s at {clients} clients with p99 {trivial['p99_ms']:.0f} ms, "
        f"and /backprop {heavy['rps']:.0f} req/s (p99 {heavy['p99_ms']:.0f} ms). Alone, one "
        f"/backprop takes {single['p50_ms']:.1f} ms (p50 at 1 client, {single['rps']:.0f} "
        "req/s). The load client shares the machine's cores with the server, and so does "
        "every other process on a shared machine: compare the ratios, not the absolute rates."
    )


def run(scale: float = 1.0) -> tuple[list[dict], dict]:
    """Every row: this server at every level, then the goal's level again on this engine with
    every request in a worker thread and on the previous engine (when checked out)."""
    with Server(env=STEADY) as server:
        rows, raw = measure(server, scale)
    # The same engine computing every request in a worker thread, as before small requests
    # ran on the event loop (app/core/offload.py).
    with Server(env={**STEADY, "BPV_INLINE_MAX_WORK": "0"}) as threaded:
        rows += measure_scaled_out(threaded, 1, scale, "every request in a worker thread")
    old = old_engine_server()
    if old is not None:
        with old:
            rows += measure_scaled_out(old, 1, scale, f"previous engine ({OLD_COMMIT}), 1 worker")
    return rows, raw


def main() -> None:
    rows, raw = run()
    print_rows(rows)
    print(reading(raw))


if __name__ == "__main__":
    main()
