"""Training speed: the compiled loop vs NumPy, vs eager TensorFlow, vs TensorFlow Playground.

The task is Playground's default: 250 training points of ``circle``, a 2-4-2-1 tanh network,
squared error, SGD at learning rate 0.03, float32. An epoch is one pass over the 250 points:
one step with the full batch, 25 steps with batches of 10. The reference is Playground's own
JavaScript engine at about 10,000 epochs/s on this machine.

Run: ``python -m bench.train_speed`` (prints a table), or ``run()`` for the rows.
"""

import statistics
import time

import numpy as np

from app.core.tensorflow import tf
from app.engine import datasets, training
from app.engine.losses import get_loss
from app.engine.network import build_network
from app.engine.optimizers import make_optimizer

PLAYGROUND_EPOCHS_PER_S = 10_000.0
LAYERS = [2, 4, 2, 1]
LEARNING_RATE = 0.03


def problem():
    data = datasets.generate("circle", 500, 0.0, seed=0)
    train_idx, _ = datasets.split(500, 0.5, seed=0)
    x = data.x[train_idx]
    t = datasets.targets_for(data, 1, signed=True)[train_idx]
    net = build_network(LAYERS, "tanh", seed=0)
    return net, x, t


def best_rate(fn, steps: int, repeats: int = 3) -> float:
    """Steps per second: the median of ``repeats`` timed calls of ``fn(steps)``."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(steps)
        rates.append(steps / (time.perf_counter() - start))
    return statistics.median(rates)


def compiled(net, x, t, batch, xla):
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
            record_every=max(1, steps // 100),
            accuracy="threshold",
        )

    start = time.perf_counter()
    go(10)  # trace (and XLA-compile) once
    return go, time.perf_counter() - start


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


def row(name, value, unit, baseline, goal, met=None):
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 1),
        "unit": unit,
        "baseline": round(baseline, 1) if baseline else baseline,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "goal": goal,
        "met": bool(ratio >= 1.0) if met is None and ratio is not None else met,
    }


def run() -> list[dict]:
    """Result rows {name, value, unit, baseline, ratio, goal, met}."""
    net, x, t = problem()
    n = len(x)
    rows = []
    for batch, label in ((None, "full batch"), (10, "batch 10")):
        steps_per_epoch = 1 if batch is None else n // batch
        rates = {}
        for xla in (False, True):
            go, first = compiled(net, x, t, batch, xla)
            rates[xla] = best_rate(go, 20_000 if xla else 5_000) / steps_per_epoch
            kind = "XLA" if xla else "graph"
            rows.append(
                row(
                    f"first call, compiled loop ({kind}), {label}",
                    first,
                    "s",
                    None,
                    "trace (+ XLA compile) once per architecture and shape: ≤ 10 s",
                    first <= 10,
                )
            )
        numpy_rate = best_rate(numpy_loop(net, x, t, batch), 4_000) / steps_per_epoch
        eager_rate = best_rate(eager_loop(net, x, t, batch), 300, repeats=2) / steps_per_epoch
        best = max(rates.values())
        for xla in (False, True):
            kind = "XLA" if xla else "graph"
            rows.append(
                row(
                    f"compiled loop ({kind}), {label}, vs Playground",
                    rates[xla],
                    "epochs/s",
                    PLAYGROUND_EPOCHS_PER_S,
                    "≥ Playground's 10,000 epochs/s",
                )
            )
        rows.append(
            row(
                f"best compiled loop, {label}, vs NumPy",
                best,
                "epochs/s",
                numpy_rate,
                "faster than the same net in NumPy",
            )
        )
        rows.append(
            row(
                f"best compiled loop, {label}, vs eager TF loop",
                best,
                "epochs/s",
                eager_rate,
                "≥ 50× a Python loop of eager steps",
                best >= 50 * eager_rate,
            )
        )
        rows.append(row(f"NumPy loop, {label}", numpy_rate, "epochs/s", None, "reference", True))
        rows.append(row(f"eager TF loop, {label}", eager_rate, "epochs/s", None, "reference", True))
    return rows


def main() -> None:
    rows = run()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:>8.2f}×"
        base = "" if r["baseline"] is None else f"{r['baseline']:>12,.1f}"
        print(
            f"{r['name']:<{width}}  {r['value']:>12,.1f} {r['unit']:<9}{base:>13} {ratio:>10}"
            f"  {'met' if r['met'] else 'NOT met'}: {r['goal']}"
        )


if __name__ == "__main__":
    main()
