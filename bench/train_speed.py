"""Training speed: the engine's compiled loop vs TensorFlow Playground, vs the previous engine
(measured in the same run), vs NumPy and vs eager TensorFlow.

The task is Playground's default: 250 training points of ``circle``, a 2-4-2-1 tanh network,
squared error, SGD at learning rate 0.03, float32, batches of 10 (and the full batch), 20,000
steps a call. An epoch is one pass over the 250 points: one step with the full batch, 25
steps with batches of 10. The reference is Playground's own engine, measured in the same run:
``nn.ts``'s ``forwardProp``, ``backProp`` and ``updateWeights`` as ``oneStep`` calls them
(restated in ``tests/fixtures/playground/restated.js``, which the fixture tests check against
Playground's numbers) on the same points, weights and learning rate, in headless Chromium
(V8, as in the browser). Its rate without the train and test loss that ``oneStep`` also
computes after every epoch is the goal's baseline; with them (the page's own pace) it is
reported. The previous engine is commit 9834a67~1, checked out in a git worktree
(``git worktree add /tmp/oldengine 9834a67~1``). Both engines run the same workload in
fresh processes (``PYTHONPATH`` pointing at each checkout), one after the other, three
rounds; each figure is the best of its three. The machine's speed drifts by ±20% over
minutes, and alternating puts both engines through the same drift.

Run: ``python -m bench.train_speed`` (prints a table), or ``run()`` for the rows.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RESTATED_JS = Path(__file__).resolve().parents[1] / "tests/fixtures/playground/restated.js"
LAYERS = [2, 4, 2, 1]
LEARNING_RATE = 0.03
STEPS = 20_000
BATCHES = ((10, "batch 10"), (None, "full batch"))
OLD_ENGINE = Path(os.environ.get("BENCH_OLD_ENGINE", "/tmp/oldengine"))
OLD_COMMIT = "9834a67~1"
ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


def problem():
    from app.engine import datasets
    from app.engine.network import build_network

    data = datasets.generate("circle", 500, 0.0, seed=0)
    train_idx, _ = datasets.split(500, 0.5, seed=0)
    x = data.x[train_idx]
    t = datasets.targets_for(data, 1, signed=True)[train_idx]
    net = build_network(LAYERS, "tanh", seed=0)
    return net, x, t


def held_out_set():
    """The 250 points ``problem`` leaves out (Playground evaluates them after every epoch)."""
    from app.engine import datasets

    data = datasets.generate("circle", 500, 0.0, seed=0)
    _, test_idx = datasets.split(500, 0.5, seed=0)
    return data.x[test_idx], datasets.targets_for(data, 1, signed=True)[test_idx]


def playground_load(net, x, t, x_test, t_test, batch: int) -> dict:
    """The task as restated.js's ``playgroundTrain`` takes it: Playground's link hash (tanh,
    the batch size, learning rate 0.03, classification) and the engine's own data and initial
    weights (``weights_by_node[layer][node][input]``, i.e. Wᵀ)."""
    shape = ",".join(str(n) for n in LAYERS[1:-1])

    def rows(xs, ts):  # Playground's points: [x, y, label]
        return [[*map(float, p), float(v[0])] for p, v in zip(xs, ts, strict=True)]

    return {
        "hash": f"#activation=tanh&batchSize={batch}&learningRate={LEARNING_RATE}"
        f"&regularizationRate=0&networkShape={shape}&problem=classification",
        "features": ["x", "y"],
        "weights_by_node": [np.asarray(w, float).T.tolist() for w in net.weights],
        "biases": [np.asarray(b, float).tolist() for b in net.biases],
        "train": rows(x, t),
        "test": rows(x_test, t_test),
    }


def playground_rates(epochs: int = 800, repeats: int = 3) -> dict:
    """{label: {"engine": epochs/s, "page": epochs/s}}: Playground's engine in headless
    Chromium, the best of ``repeats`` timed runs of ``epochs`` epochs after a warm-up run
    (V8 compiles the hot loop first), without and with oneStep's per-epoch losses."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    net, x, t = problem()
    x_test, t_test = held_out_set()
    out = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page()
        page.set_content("<!doctype html><title>Playground's engine</title>")
        page.add_script_tag(content=RESTATED_JS.read_text())
        for batch, label in BATCHES:
            load = playground_load(net, x, t, x_test, t_test, batch or len(x))
            out[label] = page.evaluate(
                """([load, epochs, repeats]) => {
                    const rate = (losses) => {
                        playgroundTrain(load, Math.ceil(epochs / 4), losses);  // warm-up
                        let best = 0;
                        for (let r = 0; r < repeats; r++) {
                            const start = performance.now();
                            playgroundTrain(load, epochs, losses);
                            best = Math.max(best, epochs / ((performance.now() - start) / 1000));
                        }
                        return best;
                    };
                    return { engine: rate(false), page: rate(true) };
                }""",
                [load, epochs, repeats],
            )
        browser.close()
    return out


def best_rate(fn, steps: int, repeats: int = 3) -> float:
    """Steps per second: the median of ``repeats`` timed calls of ``fn(steps)``."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(steps)
        rates.append(steps / (time.perf_counter() - start))
    return statistics.median(rates)


def compiled(net, x, t, batch, xla):
    """The engine's ``training.train`` on the task; the first call traces (and compiles)."""
    from app.engine import training
    from app.engine.losses import get_loss
    from app.engine.optimizers import make_optimizer

    loss, opt = get_loss("mse"), make_optimizer("sgd", learning_rate=LEARNING_RATE)

    def go(steps):
        return training.train(
            net,
            x,
            t,
            loss,
            opt,
            steps,
            batch_size=batch,
            jit_compile=xla,
            record_every=max(1, steps // 100),  # 101 history rows: one XLA program
            accuracy="threshold",
        )

    start = time.perf_counter()
    go(100)  # trace (and XLA-compile) once, with the timed calls' shapes
    return go, time.perf_counter() - start


def engine_figures(steps: int = STEPS) -> dict:
    """{label: {path: [first call s, epochs/s]}} for the engine importable as ``app``."""
    net, x, t = problem()
    out = {}
    for batch, label in BATCHES:
        per_epoch = 1 if batch is None else len(x) // batch
        out[label] = {}
        for xla in (False, True):
            go, first = compiled(net, x, t, batch, xla)
            rate = best_rate(go, steps) / per_epoch
            out[label]["XLA" if xla else "graph"] = [first, rate]
    return out


def subprocess_figures(root: Path, steps: int) -> dict | str:
    """``engine_figures`` of the engine checked out at ``root``, in a fresh process; or why
    there are none."""
    if not (root / "app").is_dir():
        return f"no checkout at {root} (git worktree add {root} {OLD_COMMIT})"
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--engine-json", str(steps)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return f"the engine at {root} failed: " + done.stderr.strip()[-500:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if not figures.pop("app", "").startswith(str(root)):
        return f"the subprocess did not import the engine at {root}"
    return figures


def best_of(rounds: list[dict]) -> dict:
    """Per batch mode and path: the shortest first call and the highest rate of the rounds."""
    return {
        label: {
            kind: [
                min(r[label][kind][0] for r in rounds),
                max(r[label][kind][1] for r in rounds),
            ]
            for kind in rounds[0][label]
        }
        for label in rounds[0]
    }


def paired_figures(steps: int, rounds: int) -> tuple[dict, dict | str]:
    """This engine's and the previous engine's figures, measured in alternating fresh
    processes, ``rounds`` times each; the best of each. The machine's speed drifts by ±20%
    over minutes: alternating puts both engines through the same drift."""
    new, old = [], []
    for _ in range(rounds):
        figures = subprocess_figures(ROOT, steps)
        if isinstance(figures, str):
            raise RuntimeError(figures)
        new.append(figures)
        figures = subprocess_figures(OLD_ENGINE, steps)
        if isinstance(figures, str):
            return best_of(new), figures
        old.append(figures)
    return best_of(new), best_of(old)


def numpy_loop(net, x, t, batch):
    """The same network and update in plain NumPy (float32), batches in a seeded order."""
    Ws = [w.astype(np.float32) for w in net.weights]
    bs = [b.astype(np.float32) for b in net.biases]
    x32, t32 = x.astype(np.float32), t.astype(np.float32)
    lr = np.float32(LEARNING_RATE)
    rng = np.random.default_rng(0)

    def go(steps):
        n = len(x32)
        per_epoch = n // batch if batch else 1
        order = np.arange(n)
        for step in range(steps):
            if batch:
                if step % per_epoch == 0:
                    order = rng.permutation(n)
                idx = order[(step % per_epoch) * batch : (step % per_epoch + 1) * batch]
                xb, tb = x32[idx], t32[idx]
            else:
                xb, tb = x32, t32
            outs = [xb]
            for W, b in zip(Ws, bs, strict=True):
                outs.append(np.tanh(outs[-1] @ W + b))
            delta = 2 * (outs[-1] - tb) / len(xb) * (1 - outs[-1] ** 2)
            for layer in reversed(range(len(Ws))):
                dW, db = outs[layer].T @ delta, delta.sum(0)
                if layer:
                    delta = (delta @ Ws[layer].T) * (1 - outs[layer] ** 2)
                Ws[layer] -= lr * dW
                bs[layer] -= lr * db

    return go


def eager_loop(net, x, t, batch):
    """A Python loop of eager TensorFlow steps: one GradientTape and one update per step."""
    from app.engine.tf import tf

    params = [tf.Variable(p, dtype=tf.float32) for p in net.weights + net.biases]
    xt, tt = tf.constant(x, tf.float32), tf.constant(t, tf.float32)
    depth = net.depth

    def go(steps):
        n = len(x)
        for step in range(steps):
            if batch:
                start = (step * batch) % (n - n % batch)
                xb, tb = xt[start : start + batch], tt[start : start + batch]
            else:
                xb, tb = xt, tt
            with tf.GradientTape() as tape:
                a = xb
                for W, b in zip(params[:depth], params[depth:], strict=True):
                    a = tf.tanh(a @ W + b)
                value = tf.reduce_mean(tf.reduce_mean(tf.square(tb - a), axis=-1))
            for p, g in zip(params, tape.gradient(value, params), strict=True):
                p.assign_sub(LEARNING_RATE * g)

    return go


def row(name, value, unit, baseline, goal, met="ratio"):
    """One result; ``met`` "ratio" means value ≥ baseline, None means no goal."""
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "baseline": round(baseline, 1) if baseline else baseline,
        "ratio": ratio,
        "goal": goal,
        "met": (ratio is not None and ratio >= 1.0) if met == "ratio" else met,
    }


def run(steps: int = STEPS, rounds: int = ROUNDS) -> list[dict]:
    """Result rows {name, value, unit, baseline, ratio, goal, met}."""
    new, old = paired_figures(steps, rounds)
    playground = playground_rates()
    net, x, t = problem()
    n = len(x)
    rows = []
    if isinstance(old, str):
        rows.append(row(f"previous engine ({OLD_COMMIT}): not measured", 0.0, "", None, old, False))
    for batch, label in BATCHES:
        per_epoch = 1 if batch is None else n // batch
        rows.append(
            row(
                f"Playground's engine, {label}, with oneStep's per-epoch losses (the page)",
                playground[label]["page"],
                "epochs/s",
                playground[label]["engine"],
                "reported: the engine's own pace against the page's (Chromium, same run)",
                None,
            )
        )
        for kind in ("graph", "XLA"):
            first, rate = new[label][kind]
            rows.append(
                row(
                    f"engine loop ({kind}), {label}, vs Playground's engine (same run)",
                    rate,
                    "epochs/s",
                    playground[label]["engine"],
                    "≥ Playground's nn.ts in Chromium (forward, back, update; no losses)",
                )
            )
            if not isinstance(old, str):
                old_first, old_rate = old[label][kind]
                rows.append(
                    row(
                        f"engine loop ({kind}), {label}, vs the previous engine (same run)",
                        rate,
                        "epochs/s",
                        old_rate,
                        "no regression: ≥ 1× (±10% is noise on a shared machine)",
                        rate >= 0.9 * old_rate,
                    )
                )
                rows.append(
                    row(
                        f"first call ({kind}: trace{' + compile' if kind == 'XLA' else ''}), "
                        f"{label}, vs the previous engine",
                        first,
                        "s",
                        old_first,
                        "reported (the new engine traces once per depth and dtype)",
                        None,
                    )
                )
        best = max(rate for _first, rate in new[label].values())
        numpy_rate = best_rate(numpy_loop(net, x, t, batch), 4_000) / per_epoch
        eager_rate = best_rate(eager_loop(net, x, t, batch), 300, repeats=2) / per_epoch
        rows.append(
            row(
                f"best engine loop, {label}, vs NumPy",
                best,
                "epochs/s",
                numpy_rate,
                "faster than the same net in NumPy",
            )
        )
        rows.append(
            row(
                f"best engine loop, {label}, vs eager TF loop",
                best,
                "epochs/s",
                eager_rate,
                "≥ 50× a Python loop of eager steps",
                best >= 50 * eager_rate,
            )
        )
    return rows


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--engine-json":  # the previous engine's side
        import app

        figures = engine_figures(int(sys.argv[2]))
        print(json.dumps({**figures, "app": str(Path(app.__file__).resolve())}))
        return
    rows = run()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:>8.2f}×"
        base = "" if r["baseline"] is None else f"{r['baseline']:>12,.1f}"
        met = {True: "met", False: "NOT met", None: "reported"}[r["met"]]
        print(
            f"{r['name']:<{width}}  {r['value']:>12,.1f} {r['unit']:<9}{base:>13} {ratio:>10}"
            f"  {met}: {r['goal']}"
        )


if __name__ == "__main__":
    main()
