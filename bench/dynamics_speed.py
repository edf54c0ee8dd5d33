"""Timings of POST /api/v1/gradient-flow and /api/v1/landscape through the app (TestClient).

    .venv/bin/python -m bench.dynamics_speed

First call of a landscape structure includes tracing its two tf.functions; later calls with
the same structure (any numbers, rows/cols, batch or grid size) reuse them.
"""

import time

from fastapi.testclient import TestClient

from app.main import app

MAZUR = {
    "layers": [2, 2, 2],
    "dtype": "float64",
    "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
    "biases": [[0.35, 0.35], [0.60, 0.60]],
    "inputs": [[0.05, 0.10]],
    "targets": [[0.01, 0.99]],
    "loss": "half_sse",
    "weight_a": {"layer": 1, "row": 0, "col": 0},
    "weight_b": {"layer": 2, "row": 0, "col": 0},
}


def timed(client, path, body, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.post(path, json=body)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    return times


def main():
    with TestClient(app) as client:
        for depth in (10, 30, 50):
            times = timed(client, "/api/v1/gradient-flow", {"depth": depth})
            print(f"gradient-flow depth {depth:2d}, 2 configs: {min(times) * 1e3:7.1f} ms")
        cold = timed(client, "/api/v1/landscape", {**MAZUR, "resolution": 41}, repeat=1)[0]
        print(f"landscape first call (traces):              {cold * 1e3:7.1f} ms")
        for resolution, steps in ((41, 50), (81, 50), (81, 500)):
            body = {**MAZUR, "resolution": resolution, "path_steps": steps}
            times = timed(client, "/api/v1/landscape", body)
            print(
                f"landscape {resolution}x{resolution} grid, {steps:3d} steps x 3: "
                f"{min(times) * 1e3:7.1f} ms"
            )
        wide = {
            "layers": [8, 32, 32, 1],
            "inputs": [[0.1 * i] * 8 for i in range(64)],
            "targets": [[0.5]] * 64,
            "weight_a": {"layer": 1, "row": 0, "col": 0},
            "weight_b": {"layer": 2, "row": 3, "col": 4},
            "resolution": 47,
            "path_steps": 200,
        }
        timed(client, "/api/v1/landscape", wide, repeat=1)
        times = timed(client, "/api/v1/landscape", wide)
        print(
            "landscape 8-32-32-1, batch 64, 47x47 (cost 1.9e8, near the limit), 200 steps: "
            f"{min(times) * 1e3:7.1f} ms"
        )


if __name__ == "__main__":
    main()
