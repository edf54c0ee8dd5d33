"""``shuffle: false`` and Playground's regularisation against TF Playground's update rule,
restated independently in NumPy one sample at a time, as ``nn.ts`` runs it:

- forwardProp / backProp per sample, accumulating ∂E/∂w (accErrorDer) and ∂E/∂b
  (accInputDer) in the data's order, E = ½(a − t)²;
- updateWeights after every ``batch`` samples of an epoch (``(i + 1) % batch == 0``): the bias
  by lr·Σ/count, the weight by (lr/count)·Σ, then the regularisation step lr·rate·R′(w) with
  R′ taken before the update; an L1 step that carries a weight across zero sets it to 0 and
  the link is dead from then on (never accumulated, never updated);
- samples left at an epoch's end stay accumulated into the next epoch's first update.
"""

import numpy as np
import pytest

from app.engine import training
from app.engine.losses import get_loss
from app.engine.network import build_network
from app.engine.optimizers import make_optimizer

SIZES = [2, 3, 2, 1]
N = 50
EPOCHS = 6


def playground_numpy(weights, biases, x, t, lr, batch, regularization, rate, epochs):
    """Loss on the whole set after every epoch (and before the first), weights at the end."""
    W = [w.copy() for w in weights]
    b = [v.copy() for v in biases]
    dead = [np.zeros(w.shape, bool) for w in W]
    acc_W = [np.zeros_like(w) for w in W]
    acc_b = [np.zeros_like(v) for v in b]
    count_W = [np.zeros(w.shape) for w in W]
    count_b = 0

    def outputs(sample):
        a = [sample]
        for Wl, bl in zip(W, b, strict=True):
            a.append(np.tanh(a[-1] @ Wl + bl))
        return a

    def loss():
        per_point = [0.5 * (outputs(xi)[-1][0] - ti[0]) ** 2 for xi, ti in zip(x, t, strict=True)]
        return float(np.mean(per_point))

    losses = [loss()]
    for _ in range(epochs):
        for i, (xi, ti) in enumerate(zip(x, t, strict=True)):
            a = outputs(xi)
            output_der = a[-1] - ti  # SQUARE.der
            for layer in reversed(range(len(W))):
                input_der = output_der * (1 - a[layer + 1] ** 2)  # tanh′
                acc_b[layer] += input_der
                live = ~dead[layer]
                acc_W[layer] += np.outer(a[layer], input_der) * live
                count_W[layer] += live
                output_der = W[layer] @ input_der
            count_b += 1
            if (i + 1) % batch:
                continue
            for layer in range(len(W)):
                b[layer] -= lr * acc_b[layer] / count_b
                w_old = W[layer]
                if regularization == "l1":
                    der = np.sign(w_old)
                elif regularization == "l2":
                    der = w_old
                else:
                    der = np.zeros_like(w_old)
                live = ~dead[layer] & (count_W[layer] > 0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    stepped = w_old - (lr / count_W[layer]) * acc_W[layer]
                regularized = stepped - (lr * rate) * der
                crossed = (regularization == "l1") & (stepped * regularized < 0)
                new = np.where(crossed, 0.0, regularized)
                W[layer] = np.where(live, new, w_old)
                dead[layer] |= live & crossed
                acc_W[layer][:] = 0
                acc_b[layer][:] = 0
                count_W[layer][:] = 0
            count_b = 0
        losses.append(loss())
    return losses, W, b, dead


@pytest.mark.parametrize("batch", [1, 10, 30])
@pytest.mark.parametrize(("regularization", "rate"), [(None, 0.0), ("l1", 0.3), ("l2", 0.03)])
def test_shuffle_false_follows_playgrounds_rule(batch, regularization, rate):
    rng = np.random.default_rng(batch)
    x = rng.uniform(-5, 5, size=(N, 2))
    t = np.where(x[:, :1] * x[:, 1:] > 0, 1.0, -1.0)  # XOR signs, Playground's labels
    net = build_network(SIZES, "tanh", dtype="float64", seed=batch)
    net.weights = [rng.uniform(-0.5, 0.5, w.shape) for w in net.weights]
    net.biases = [np.full(v.shape, 0.1) for v in net.biases]
    lr = 0.1
    want, W, b, dead = playground_numpy(
        net.weights, net.biases, x, t, lr, batch, regularization, rate, EPOCHS
    )
    per_epoch = N // batch
    result = training.train(
        net,
        x,
        t,
        get_loss("half_sse"),
        make_optimizer("sgd", learning_rate=lr),
        EPOCHS * per_epoch,
        batch_size=batch,
        shuffle=False,
        regularization=regularization,
        regularization_rate=rate,
        record_every=per_epoch,
    )
    got = [entry["loss"] for entry in result.history]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    for ours, theirs in zip(result.state.weights + result.state.biases, W + b, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    if regularization == "l1":
        assert any(d.any() for d in dead), "the L1 case should kill some links"
        for ours, theirs in zip(result.state.dead, dead, strict=True):
            np.testing.assert_array_equal(ours > 0, theirs)


def test_a_run_split_in_chunks_takes_the_same_batches():
    """Playground's order and its carried remainder survive continuing a run in pieces."""
    rng = np.random.default_rng(7)
    x = rng.uniform(-5, 5, size=(N, 2))
    t = np.sign(x[:, :1])
    net = build_network(SIZES, "tanh", dtype="float64", seed=1)
    opt = make_optimizer("sgd", learning_rate=0.05)
    args = dict(batch_size=30, shuffle=False, regularization="l1", regularization_rate=0.05)
    whole = training.train(net, x, t, get_loss("half_sse"), opt, 9, **args)
    state = None
    for steps in (2, 3, 4):
        state = training.train(
            net, x, t, get_loss("half_sse"), opt, steps, state=state, **args
        ).state
    for a, b in zip(whole.state.weights, state.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert state.iterations == 9
