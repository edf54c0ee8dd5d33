""" "Show TensorFlow code": a runnable script that does what /api/v1/backprop does.

Pure string building from a validated ``Network`` (every name already looked up in the
activation and loss registries, every number a float): numbers are written with ``repr``,
names only through the registries' ``code`` snippets (activations.py, losses.py), so
nothing a user typed reaches the script as code.
The script prints its numbers as JSON; a test runs it and compares them with the API's.
"""

from app.engine.activations import ACTIVATIONS
from app.engine.errors import SpecError
from app.engine.losses import LOSSES
from app.engine.network import Network

TEMPLATE = '''"""One forward and backward pass with tf.GradientTape, as on the Backprop Visualizer.

Network {sizes}, loss {loss}{logits}, batch reduction: {reduction}, dtype {dtype}.
Notation as on the page: layer l in a superscript, a⁽⁰⁾ = x, z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾,
a⁽ˡ⁾ = f(z⁽ˡ⁾), δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾, L the loss; W⁽ˡ⁾[j][k] joins unit j of layer l−1 to unit k
of layer l.
Run it with `python <this file>`: it prints every z⁽ˡ⁾, a⁽ˡ⁾, δ⁽ˡ⁾, ∂L/∂W⁽ˡ⁾, ∂L/∂b⁽ˡ⁾ and the
updated weights as JSON, the same numbers the page shows.
"""

import json

import tensorflow as tf

DTYPE = tf.{dtype}
LEARNING_RATE = {learning_rate!r}
TRAIN_BIASES = {train_biases!r}

x = tf.constant({inputs}, DTYPE)  # inputs a⁽⁰⁾ = x: batch x {n_in}
t = tf.constant({targets}, DTYPE)  # targets t: batch x {n_out}
weights = [  # W⁽ˡ⁾: one row per unit of layer l−1, z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ @ W⁽ˡ⁾ + b⁽ˡ⁾
{weights}]
biases = [
{biases}]
activations = [
{activations}]


{loss_code}


with tf.GradientTape() as tape:
    tape.watch(weights + biases)
    a, zs, outs = x, [], [x]
    for W, b, f in zip(weights, biases, activations):
        z = a @ W + b  # z⁽ˡ⁾, the layer's total input
        a = f(z)  # a⁽ˡ⁾ = f(z⁽ˡ⁾), its output
        zs.append(z)
        outs.append(a)
    per_sample = loss_per_sample(t, a)
    loss = tf.{reduce}(per_sample)  # L: {reduction} over the batch

# δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ of every layer, and ∂L/∂W⁽ˡ⁾, ∂L/∂b⁽ˡ⁾, all from the same tape.
grads = tape.gradient(loss, zs + weights + biases)
depth = len(weights)
deltas, dW, db = grads[:depth], grads[depth : 2 * depth], grads[2 * depth :]
# One plain SGD step: W⁽ˡ⁾ ← W⁽ˡ⁾ − η·∂L/∂W⁽ˡ⁾ and b⁽ˡ⁾ ← b⁽ˡ⁾ − η·∂L/∂b⁽ˡ⁾, η = LEARNING_RATE.
W_next = [W - LEARNING_RATE * g for W, g in zip(weights, dW)]
b_next = [b - LEARNING_RATE * g if TRAIN_BIASES else b for b, g in zip(biases, db)]


def as_list(tensors):
    return [v.numpy().tolist() for v in tensors]


print(
    json.dumps(
        {{
            "loss": float(loss.numpy()),
            "per_sample_loss": per_sample.numpy().tolist(),
            "z": as_list(zs),
            "a": as_list(outs),
            "delta": as_list(deltas),
            "dW": as_list(dW),
            "db": as_list(db),
            "W_next": as_list(W_next),
            "b_next": as_list(b_next),
        }}
    )
)
'''


_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def _layer(layer: int) -> str:
    """The page's layer superscript for comments: 2 -> ⁽²⁾."""
    return f"({layer})".translate(_SUPERSCRIPT)


def _numbers(value) -> str:
    """A nested list of floats as Python source, every number by repr (round-trips exactly)."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_numbers(v) for v in value) + "]"
    return repr(float(value))


def _activation(act, layer: int) -> str:
    code = ACTIVATIONS[act.name].code if act.name in ACTIVATIONS else ""
    code = code or None
    if code is None:
        raise SpecError(("activations",), f"no TensorFlow code known for '{act.name}'")
    params = {k: float(v) for k, v in act.params.items()}
    sup = _layer(layer)
    return f"    {code.format(**params)},  # f of layer {layer}: a{sup} = f(z{sup})"


def backprop_script(
    net: Network,
    inputs,
    targets,
    loss: str,
    from_logits: bool,
    reduction: str,
    learning_rate: float,
    train_biases: bool,
) -> str:
    """The Python source of a script that reproduces /api/v1/backprop for this network."""
    loss_code = LOSSES[loss].code.get(bool(from_logits)) if loss in LOSSES else None
    if loss_code is None:
        raise SpecError(("loss",), f"no TensorFlow code known for loss '{loss}'")
    if reduction not in ("mean", "sum"):
        raise SpecError(("reduction",), "reduction must be 'mean' or 'sum'")
    weights = "".join(
        f"    tf.constant({_numbers(W.tolist())}, DTYPE),"
        f"  # W{_layer(i)}: {W.shape[0]} x {W.shape[1]}\n"
        for i, W in enumerate(net.weights, 1)
    )
    biases = "".join(
        f"    tf.constant({_numbers(b.tolist())}, DTYPE),  # b{_layer(i)}\n"
        for i, b in enumerate(net.biases, 1)
    )
    activations = "".join(_activation(act, i) + "\n" for i, act in enumerate(net.activations, 1))
    return TEMPLATE.format(
        sizes=list(net.sizes),
        loss=loss,
        logits=" (from_logits=True)" if from_logits else "",
        reduction=reduction,
        dtype=net.dtype,
        learning_rate=float(learning_rate),
        train_biases=bool(train_biases),
        inputs=_numbers([list(map(float, row)) for row in inputs]),
        targets=_numbers([list(map(float, row)) for row in targets]),
        n_in=net.sizes[0],
        n_out=net.sizes[-1],
        weights=weights,
        biases=biases,
        activations=activations,
        loss_code=loss_code,
        reduce="reduce_sum" if reduction == "sum" else "reduce_mean",
    )
