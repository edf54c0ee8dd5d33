"""Server RSS before and after 5,000 /api/v1/backprop requests of varied shapes and activations
(all different, so each computes; the route's cache of identical requests is bounded and fills
up within the first thousand).

A leak from tf.function retracing (one new graph per request shape) would show as RSS that
keeps climbing with the request count. The requests draw from a fixed pool of architecture
signatures (activations × depth × dtype × loss) with random layer widths and batch sizes, so
shapes vary on every request while the signatures stay within the engine's compiled cache.
"""

import random

from bench.common import Server, encode_request, load, row

# 3 depths × 5 activations × 2 dtypes × 2 losses = 60 signatures ≤ the cache of 64.
ACTIVATIONS = ["sigmoid", "tanh", "relu", "gelu", {"name": "leaky_relu", "alpha": 0.1}]
CHECKPOINTS = 5
PER_CHECKPOINT = 1000


def random_request(rng: random.Random) -> bytes:
    depth = rng.choice([1, 2, 3])
    activation = rng.choice(ACTIVATIONS)
    dtype = rng.choice(["float32", "float64"])
    loss = rng.choice(["mse", "half_sse"])
    layers = [rng.randint(1, 12) for _ in range(depth + 1)]
    batch = rng.randint(1, 16)
    inputs = [[rng.uniform(-2, 2) for _ in range(layers[0])] for _ in range(batch)]
    targets = [[rng.uniform(0, 1) for _ in range(layers[-1])] for _ in range(batch)]
    body = {
        "layers": layers,
        "activations": activation,
        "dtype": dtype,
        "loss": loss,
        "seed": rng.randint(0, 1000),
        "inputs": inputs,
        "targets": targets,
    }
    return encode_request("POST", "/api/v1/backprop", body)


def signatures() -> int:
    return 3 * len(ACTIVATIONS) * 2 * 2


def measure(scale: float = 1.0) -> list[dict]:
    rng = random.Random(0)
    per = max(100, int(PER_CHECKPOINT * scale))
    with Server() as server:
        load(server.port, [encode_request("GET", "/healthz")], 1)
        before = server.rss_mib()
        readings, errors = [], 0
        for _ in range(CHECKPOINTS):
            figures = load(server.port, [random_request(rng) for _ in range(per)], 8)
            errors += figures["errors"]
            readings.append(server.rss_mib())
    rows = [row("RSS after start (TensorFlow warmed up)", round(before, 1), "MiB")]
    for i, rss in enumerate(readings, 1):
        rows.append(row(f"RSS after {i * per:,} varied requests", round(rss, 1), "MiB"))
    tail_growth = readings[-1] - readings[len(readings) // 2]
    rows.append(
        row(
            f"RSS growth over the last {(CHECKPOINTS - CHECKPOINTS // 2 - 1) * per:,} requests",
            round(tail_growth, 1),
            "MiB",
            goal=f"stops growing (< 2% of RSS); {signatures()} signatures, {errors} errors",
            met=tail_growth < 0.02 * readings[-1] and errors == 0,
        )
    )
    return rows
