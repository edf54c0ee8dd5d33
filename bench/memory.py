"""Churn: server RSS over 2,000 /api/v1/backprop and 200 /api/v1/train requests, each with an
architecture never seen before; then the latency of a never-seen architecture vs a seen one.

One real server process (``backprop-visualizer``, 8 keep-alive clients). The architectures
come from bench/space.py: a fresh random sequence each run (its seed is printed in the goal
column), depth 1 to max_layers, widths 1 to max_units, per-layer activations from the whole
registry (leaky ReLU with a random α, softmax), every loss with and without from_logits,
both dtypes and reductions, batch sizes up to max_batch, every optimizer and batching mode,
XLA on some /train runs, and 5% worst cases (max depth, max width in every layer).

Warm-up first, then the baseline RSS: one /backprop and one /train (with a 2-D dataset, so
its boundary's forward graph too) per depth and dtype; XLA programs up to the server's cap
(``max_xla_programs``, set to 2 here: an XLA compile takes half a minute on a loaded
machine, and past the cap a jit_compile run uses the graph, as it would past 8); the largest
request in each dtype (max depth and width, /backprop at max_batch, /train on 64 rows); and 40
worst-case /backprop requests (batch 64, a few MB each) that fill the route's cache of
finished responses past its byte bound. The server runs with ``BPV_WARM_GRAPHS=false``: the
background warm-up would otherwise still be building /landscape's graphs during the
measurement, and the requests above build every graph the churn can reach. The graph count
and bound are those /train reports (``compiled.graphs``, ``compiled.graph_bound``).

The goal's readings come right after each burst, with whatever free memory the allocator
still holds from it. The server also hands free pages back to the system every
``malloc_trim_seconds`` (10 s), so a reading can fall just after a trim or just before one:
the baseline and the last checkpoint each land either way. The "settled" row reads both
points again after 12 idle seconds, past one trim, for growth that no allocator cache
explains.

Latency: for each of 40 fresh architectures, the first request (never seen) and the same
request again with another ``seed`` (seen: the same architecture with other initial weights,
so the response cache does not answer), one at a time; the medians of each.
"""

import statistics
import time

import httpx

from bench.common import Server, encode_request, load, print_rows, row
from bench.space import Space, signature

BACKPROP_CHURN, TRAIN_CHURN = 2000, 200
CHECKPOINTS = 5
SETTLE_S = 12.0  # idle seconds before a "settled" RSS reading: past the 10 s trim period
RESPONSE_CACHE_FILL = 40
LATENCY_PAIRS = 40
RSS_GOAL_MIB = 50.0
LATENCY_GOAL = 2.0
LATENCY_TRAIN_STEPS = 100
XLA_PROGRAMS = 2  # the server's cap for this run (BPV_MAX_XLA_PROGRAMS): a compile takes ~30 s


def graph_count(server: Server) -> tuple[int, int | None]:
    """The engine's graph count and bound, as /train reports them (a depth-1 run: its
    graphs exist)."""
    body = {
        "layers": [2, 1],
        "activations": "tanh",
        "inputs": [[0.0, 1.0], [1.0, 0.0]],
        "targets": [[1.0], [0.0]],
        "steps": 1,
    }
    response = httpx.post(f"{server.url}/api/v1/train", json=body, timeout=600)
    response.raise_for_status()
    compiled = response.json()["compiled"]
    return compiled.get("graphs", compiled.get("cached_loops")), compiled.get("graph_bound")


def post(server: Server, path: str, body: dict) -> tuple[float, int]:
    start = time.perf_counter()
    response = httpx.post(f"{server.url}{path}", json=body, timeout=600)
    return time.perf_counter() - start, response.status_code


def warm_up(server: Server, space: Space) -> dict:
    """Every graph the churn can reach, the XLA cap filled, the response cache filled."""
    started, errors = time.perf_counter(), 0
    for depth in range(1, space.max_layers + 1):
        for dtype in ("float32", "float64"):
            arch = space.architecture(depth, worst=False)
            arch.update(dtype=dtype, layers=[2] + arch["layers"][1:-1] + [1])
            space.seen.add(signature(arch))
            errors += post(server, "/api/v1/backprop", space.backprop_body(arch))[1] != 200
            body = space.train_body(arch, steps=5)
            body.pop("inputs", None), body.pop("targets", None)
            body.update(dataset={"name": "circle", "samples": 40}, jit_compile=False)
            body.update(batch_size=None, neuron_grids=True)
            errors += post(server, "/api/v1/train", body)[1] != 200
    for samples in range(XLA_PROGRAMS + 1):  # one past the cap
        arch = space.architecture(1, worst=False)
        body = space.train_body(arch, steps=5)
        body.pop("dataset", None)
        body["inputs"], body["targets"] = space.data(arch, 4 + samples)
        body.update(jit_compile=True, batch_size=None, record_every=1)
        errors += post(server, "/api/v1/train", body)[1] != 200
    for dtype in ("float32", "float64"):  # the largest shapes: allocators at their high mark
        arch = {**space.architecture(worst=True), "dtype": dtype}
        space.seen.add(signature(arch))
        largest = space.backprop_body(arch, space.max_batch)
        errors += post(server, "/api/v1/backprop", largest)[1] != 200
        body = space.train_body(arch, steps=5)
        body.pop("dataset", None)
        body["inputs"], body["targets"] = space.data(arch, 64)
        body.update(batch_size=None, jit_compile=False)
        errors += post(server, "/api/v1/train", body)[1] != 200
    fill = [  # worst cases of a few MB each: past the cache's byte bound
        encode_request(
            "POST", "/api/v1/backprop", space.backprop_body(space.architecture(worst=True), 64)
        )
        for _ in range(RESPONSE_CACHE_FILL)
    ]
    errors += load(server.port, fill, 8)["errors"]
    return {"seconds": time.perf_counter() - started, "errors": errors}


def churn(server: Server, space: Space, scale: float) -> tuple[list, dict]:
    """RSS at each checkpoint over the churn; requests mixed 10 /backprop : 1 /train."""
    per_backprop = max(40, int(BACKPROP_CHURN * scale) // CHECKPOINTS)
    per_train = max(4, int(TRAIN_CHURN * scale) // CHECKPOINTS)
    readings, errors, started = [], 0, time.perf_counter()
    for _ in range(CHECKPOINTS):
        raws = [
            encode_request("POST", "/api/v1/backprop", space.backprop_body())
            for _ in range(per_backprop)
        ]
        trains = [
            encode_request("POST", "/api/v1/train", space.train_body()) for _ in range(per_train)
        ]
        step = len(raws) // len(trains)
        for i, raw in enumerate(trains):
            raws.insert(i * (step + 1), raw)
        errors += load(server.port, raws, 8)["errors"]
        readings.append(server.rss_mib())
        print(f"memory: {len(readings) * len(raws)} requests, {readings[-1]:.0f} MiB", flush=True)
    total = CHECKPOINTS * (per_backprop + per_train)
    return readings, {
        "errors": errors,
        "requests": total,
        "backprop": CHECKPOINTS * per_backprop,
        "train": CHECKPOINTS * per_train,
        "seconds": time.perf_counter() - started,
    }


def latency(server: Server, space: Space, scale: float) -> dict:
    """Median seconds of the first (never-seen) and second (seen) request per architecture."""
    pairs = max(10, int(LATENCY_PAIRS * scale))
    out = {}
    for path in ("/api/v1/backprop", "/api/v1/train"):
        new, seen, errors = [], [], 0
        for _ in range(pairs):
            arch = space.architecture(worst=False)
            if path.endswith("train"):
                body = space.train_body(arch, steps=LATENCY_TRAIN_STEPS)
                body.update(jit_compile=False)
            else:
                body = space.backprop_body(arch)
            for times in (new, seen):
                seconds, status = post(server, path, body)
                times.append(seconds)
                errors += status != 200
                body["seed"] += 1  # other initial weights: not the response cache's answer
        out[path] = (statistics.median(new), statistics.median(seen), errors, pairs)
    return out


def measure(scale: float = 1.0, seed: int | None = None) -> tuple[list[dict], list[dict]]:
    """Rows for the churn, and rows for the latency of a never-seen architecture."""
    space = Space(seed)
    print(f"memory: random architectures from seed {space.seed}", flush=True)
    env = {"BPV_WARM_GRAPHS": "false", "BPV_MAX_XLA_PROGRAMS": str(XLA_PROGRAMS)}
    with Server(env=env) as server:
        start_rss = server.rss_mib()
        warm = warm_up(server, space)
        graphs_before, bound = graph_count(server)
        before = server.rss_mib()
        print(f"memory: warm-up {warm}, {graphs_before} graphs, RSS {before:.0f} MiB", flush=True)
        settled_before = settled_rss(server)
        readings, figures = churn(server, space, scale)
        graphs_after, _ = graph_count(server)
        settled_after = settled_rss(server)
        timings = latency(server, space, scale)
    growth = readings[-1] - before
    per = figures["requests"] // CHECKPOINTS
    seed_note = f"seed {space.seed}; depths drawn {dict(sorted(space.depths.items()))}"
    rows = [
        row("RSS of the server when /healthz is ok", round(start_rss, 1), "MiB"),
        row(
            "RSS after the warm-up (baseline)",
            round(before, 1),
            "MiB",
            goal=f"warm-up {warm['seconds']:.0f} s, {warm['errors']} errors",
            met=warm["errors"] == 0,
        ),
    ]
    for i, rss in enumerate(readings, 1):
        rows.append(row(f"RSS after {i * per:,} never-seen architectures", round(rss, 1), "MiB"))
    rows += [
        row(
            f"RSS growth over {figures['backprop']:,} /backprop + {figures['train']:,} /train "
            "never-seen architectures",
            round(growth, 1),
            "MiB",
            goal=f"< {RSS_GOAL_MIB:.0f} MB; {figures['errors']} errors; {seed_note}",
            met=growth < RSS_GOAL_MIB and figures["errors"] == 0,
        ),
        row(
            "RSS growth per 1,000 never-seen architectures (last 4 checkpoints, least squares)",
            round(slope(readings[1:]) * 1000 / per, 2),
            "MiB",
            goal="about 0 (flat)",
        ),
        row(
            f"RSS growth, each read {SETTLE_S:g} s after its burst (warm-up, churn)",
            round(settled_after - settled_before, 1),
            "MiB",
            goal=f"reported: {settled_before:,.0f} → {settled_after:,.0f} MiB; the server hands "
            "free pages back every malloc_trim_seconds (10 s), so these readings leave out "
            "what the allocator kept from the last requests",
        ),
        row(
            "compiled graphs in the server: after warm-up → after churn",
            graphs_after,
            "graphs",
            baseline=graphs_before,
            goal=f"no new graph for a never-seen architecture (the engine's bound: {bound})",
            met=graphs_after == graphs_before,
        ),
        row("churn wall time", round(figures["seconds"], 1), "s"),
    ]
    latency_rows = []
    for path, (new, seen, errors, pairs) in timings.items():
        what = f"{path}, {LATENCY_TRAIN_STEPS} steps" if path.endswith("train") else path
        latency_rows.append(
            row(
                f"{what}: median latency, never-seen vs seen architecture",
                round(new * 1e3, 1),
                "ms",
                baseline=round(seen * 1e3, 1),
                goal=f"≤ {LATENCY_GOAL:g}× ({pairs} pairs, {errors} errors)",
                met=new <= LATENCY_GOAL * seen and errors == 0,
            )
        )
    return rows, latency_rows


def settled_rss(server: Server) -> float:
    """The server's RSS after ``SETTLE_S`` idle seconds: past one period of its trimmer."""
    time.sleep(SETTLE_S)
    return server.rss_mib()


def slope(values: list[float]) -> float:
    """Least-squares slope of ``values`` against their index (MiB per checkpoint)."""
    if len(values) < 2:
        return 0.0
    xs = range(len(values))
    mx, my = statistics.fmean(xs), statistics.fmean(values)
    return sum((x - mx) * (y - my) for x, y in zip(xs, values, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run's sequence")
    args = parser.parse_args()
    churn_rows, latency_rows = measure(0.25 if args.quick else 1.0, args.seed)
    print_rows(churn_rows + latency_rows)


if __name__ == "__main__":
    main()
