"""The engine core: the four verbs every computation goes through, in the spirit of TF
Playground's ``nn.ts`` (``buildNetwork``, ``forwardProp``, ``backProp``, ``updateWeights``).

- :func:`forward`: z = a_prev @ W + b and a = f(z) for every layer;
- :func:`gradients`: one ``tf.GradientTape`` giving δ = ∂L/∂z, ∂L/∂W, ∂L/∂b and ∂L/∂a;
- :func:`fprime`: f′(z) of every layer (a second, separate tape: tapes are never nested);
- :func:`update`: one step of an optimizer from the registry in ``optimizers.py``, then
  Playground's regularisation step.

What the user picks never becomes a trace-time constant. The activation of each layer is an
integer *code* tensor (its index in ``ACTIVATIONS``), its parameter (leaky ReLU's α) a tensor;
the loss is a code tensor too, and so are the optimizer, its hyper-parameters, the
regularisation, ``train_biases`` and the reduction. Inside a graph (plain or XLA) a code
picks its branch with a ``Case`` op (:func:`case`): only the chosen function runs, and a
choice that needs a gradient takes it from a second case that runs that function's own
TensorFlow gradient (:func:`_apply`). So the chosen TensorFlow op computes the numbers, as a graph
specialised to that choice would. Called eagerly with Python ``int`` codes, the verbs call
the chosen op directly (``/gradient-flow`` does this for stacks of up to 50 layers).

So a compiled graph depends only on the network's *depth* and *dtype* (shapes are left
open): see ``graphs.py`` for the one cache that holds them and its fixed bound.
"""

from typing import NamedTuple

import numpy as np

from app.engine.activations import ACTIVATIONS, BoundActivation
from app.engine.losses import LOSSES, squared_error
from app.engine.optimizers import FAMILIES, H
from app.engine.tf import switch_case_helper, tf

ACTIVATION_NAMES: tuple[str, ...] = tuple(ACTIVATIONS)
ACTIVATION_CODE = {name: i for i, name in enumerate(ACTIVATION_NAMES)}
SOFTMAX_CODE = ACTIVATION_CODE["softmax"]
# One code per (loss, from_logits): 2·index + from_logits.
LOSS_NAMES: tuple[str, ...] = tuple(LOSSES)
REGULARIZATIONS = (None, "l1", "l2")
ACCURACY = ("none", "threshold", "argmax")
# How a training step picks its samples: the whole set, a fresh permutation per epoch cut
# into batches, or Playground's fixed order (a partial batch carries into the next epoch).
BATCH_MODES = ("full", "shuffled", "ordered")


# ---- codes: what the user picked, as numbers ---------------------------------------------


def activation_codes(activations: list[BoundActivation]) -> tuple[list[int], list[float]]:
    """Per layer: the activation's code and its parameter (α of leaky ReLU, else 0).

    α is rounded to float32 as ``tf.nn.leaky_relu`` keeps it in a 32-bit attribute.
    """
    codes = [ACTIVATION_CODE[a.name] for a in activations]
    params = [float(np.float32(next(iter(a.params.values()), 0.0))) for a in activations]
    return codes, params


def loss_code(name: str, from_logits: bool) -> int:
    return 2 * LOSS_NAMES.index(name) + int(bool(from_logits))


def _param_kwargs(spec, param) -> dict:
    return {name: param for name in spec.params}


def _is_static(code) -> bool:
    return isinstance(code, int | np.integer)


def case(code, branches, call: bool = True):
    """``tf.switch_case(code, branches)``; with ``call`` its ``Case`` op stays a function call
    in a plain graph, so only the chosen branch's ops run.

    By default TensorFlow lowers a Case op in a plain graph to switch and merge nodes, and the
    executor then visits every op of every branch each time, the dead ones included. That is
    what big branches cost: a loss gradient's branch is 50–80 ops, an optimizer's rule and an
    epoch's batch tables dozens. Kept as calls (the loss, the optimizer and the epoch's
    tables), a training step (2-4-2-1, batches of 10) takes about 190 µs instead of 218, to
    the bit. The activation cases are lowered (``call=False``): their branches are a few ops
    each, and they are many (two per layer, twelve branches each); as calls each branch
    becomes a function instantiated on its first use, which made a warmed server 200 MB
    larger and grow by 100 MB more as new activations came. Under XLA a case is a
    conditional either way.
    """
    if not call or switch_case_helper is None:
        return tf.switch_case(code, branches)
    return switch_case_helper(branches, None, code, "switch_case", lower_using_switch_merge=False)


def _select(code, branches):
    """The branch ``code`` picks: a Python int calls it, a tensor selects inside the graph
    (a ``Case`` op: only the chosen branch runs, in a plain graph and under XLA alike)."""
    if _is_static(code):
        return branches[int(code)]()
    return case(code, branches)


def _apply(code, functions, x, call: bool = True):
    """``functions[code](x)`` for a differentiable x, selected as :func:`_select` does, with
    that same function's own TensorFlow gradient.

    A plain ``switch_case`` under a tape passes every branch's intermediates out of the
    forward case (as optionals) into a backward case of the same width: on a small network
    that costs more than the math, and XLA cannot compile it safely. Here the forward case
    returns y alone, and the backward case runs the chosen function again on a tape of its
    own, so the gradient comes from TensorFlow's registered gradients of the very same ops
    (the numbers of the op's own gradient, to the last place or a graph optimiser's reorder).
    """
    if _is_static(code):
        return functions[int(code)](x)

    @tf.custom_gradient
    def chosen(x):
        y = case(code, [lambda f=f: f(x) for f in functions], call)

        def grad(dy):
            def branch(f):
                def run():
                    with tf.GradientTape() as tape:
                        tape.watch(x)
                        again = f(x)
                    return tape.gradient(again, x, output_gradients=dy)

                return run

            return case(code, [branch(f) for f in functions], call)

        return y, grad

    return chosen(x)


# ---- verb 1: forward ---------------------------------------------------------------------


def activate(z, code, param):
    """a = f(z) for the activation with this code (and parameter)."""
    functions = [
        (lambda z, spec=spec: spec.tf_fn(z, **_param_kwargs(spec, param)))
        for spec in ACTIVATIONS.values()
    ]
    return _apply(code, functions, z, call=False)  # small branches, many cases: lowered


def dense(a, W):
    """a @ W for a of shape (batch, n) or (points, batch, n), as one 2-D matmul."""
    if a.shape.rank == 2:
        return a @ W
    shape = tf.shape(a)
    flat = tf.reshape(a, [-1, shape[-1]]) @ W
    return tf.reshape(flat, tf.concat([shape[:-1], tf.shape(W)[-1:]], 0))


def forward(x, weights, biases, codes, params, perturb=None):
    """Every layer's total input z and output a (the input layer first in ``a``).

    ``perturb(layer, z, a_prev)`` (layer 1 = first after the input) may shift z: the loss
    landscape moves two parameters this way without copying the weights.
    """
    a, zs, outs = x, [], [x]
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), 1):
        z = dense(a, W) + b
        if perturb is not None:
            z = perturb(layer, z, a)
        a = activate(z, codes[layer - 1], params[layer - 1])
        zs.append(z)
        outs.append(a)
    return zs, outs


# The squared-error losses share one branch (squared_error with their divisor: the number of
# outputs for mse, 1 for sse, 2 for half_sse); the cross-entropies have one branch each way.
_SQUARED = {"mse": 0.0, "sse": 1.0, "half_sse": 2.0}  # 0.0 stands for "the number of outputs"
_LOSS_BRANCHES = [("squared", False)] + [
    (name, logits) for name in LOSS_NAMES if name not in _SQUARED for logits in (False, True)
]
_BRANCH_OF_CODE = [
    0 if name in _SQUARED else _LOSS_BRANCHES.index((name, logits))
    for name in LOSS_NAMES
    for logits in (False, True)
]
_DIVISOR_OF_CODE = [_SQUARED.get(name, 1.0) for name in LOSS_NAMES for _ in (False, True)]


class ResolvedLoss(NamedTuple):
    """A loss code tensor with its branch of :func:`per_sample_loss`'s case, looked up once."""

    code: tf.Tensor
    branch: tf.Tensor


def resolve_loss(code) -> ResolvedLoss:
    """The loss code and its case branch (the squared errors share one), for a graph that
    looks the branch up once instead of in every step: under XLA a case whose index is a
    compile-time constant compiles only that branch (see training.py)."""
    return ResolvedLoss(code, tf.gather(tf.constant(_BRANCH_OF_CODE), code))


def per_sample_loss(t, out, code):
    """The loss of each sample (the loss with this code; see :func:`loss_code`). ``code`` may
    also be a :class:`ResolvedLoss`."""
    if _is_static(code):
        name, logits = LOSS_NAMES[int(code) // 2], bool(int(code) % 2)
        return LOSSES[name].tf_fn(t, out, logits)
    code, branch = code if isinstance(code, ResolvedLoss) else resolve_loss(code)
    divisor = tf.gather(tf.constant(_DIVISOR_OF_CODE, out.dtype), code)
    divisor = tf.where(divisor > 0, divisor, tf.cast(tf.shape(out)[-1], out.dtype))

    def branch_fn(name, logits):
        if name == "squared":
            return lambda out: squared_error(t, out, divisor)
        return lambda out: LOSSES[name].tf_fn(t, out, logits)

    functions = [branch_fn(name, logits) for name, logits in _LOSS_BRANCHES]
    return _apply(branch, functions, out)


def batch_divisor(batch: int, reduction: str) -> int:
    """:func:`batch_loss`'s divisor for a batch of this size: the size for "mean", 1 for
    "sum"."""
    return batch if reduction == "mean" else 1


def batch_loss(per_sample, sample_weight, divisor):
    """Σ wᵢ·Lᵢ / divisor: the mean (divisor = Σw) or the sum (divisor = 1) over the batch."""
    if sample_weight is None:
        return tf.reduce_sum(per_sample) / divisor
    return tf.reduce_sum(per_sample * sample_weight) / divisor


# ---- verb 2: gradients -------------------------------------------------------------------


def gradients(net_args, x, t, loss, divisor, sample_weight=None, params_only=False):
    """One tape: the loss, δ = ∂L/∂z, ∂L/∂W, ∂L/∂b and ∂L/∂a of every layer after the input.

    ``net_args`` is (weights, biases, codes, params); ``loss`` a loss code. ``params_only``
    asks the tape for ∂L/∂W and ∂L/∂b alone (a training step needs nothing else).
    """
    weights, biases, codes, params = net_args
    with tf.GradientTape() as tape:
        tape.watch(weights + biases)
        zs, outs = forward(x, weights, biases, codes, params)
        per_sample = per_sample_loss(t, outs[-1], loss)
        total = batch_loss(per_sample, sample_weight, divisor)
    depth = len(weights)
    if params_only:
        grads = tape.gradient(total, weights + biases)
        return {"loss": total, "dW": grads[:depth], "db": grads[depth:]}
    # The tape differentiates with respect to the intermediate z and a tensors too.
    grads = tape.gradient(total, zs + weights + biases + outs[1:])
    return {
        "z": zs,
        "a": outs,
        "per_sample": per_sample,
        "loss": total,
        "delta": grads[:depth],
        "dW": grads[depth : 2 * depth],
        "db": grads[2 * depth : 3 * depth],
        "grad_a": grads[3 * depth :],
    }


def fprime(zs, codes, params):
    """f′(z) of each layer from one separate tape: ∂(Σa)/∂z, elementwise (0 for softmax)."""
    with tf.GradientTape() as tape:
        tape.watch(zs)
        outs = [activate(z, c, p) for z, c, p in zip(zs, codes, params, strict=True)]
    der = tape.gradient(outs, zs)
    return [
        tf.where(tf.equal(c, SOFTMAX_CODE), tf.zeros_like(d), d) if not _is_static(c) else d
        for d, c in zip(der, codes, strict=True)
    ]


def l2_scale(l2, is_weight):
    """Keras's L2 coefficient for every packed parameter, computed once per run: l2 on the
    weights (``is_weight`` marks them), 0 on the biases."""
    return tf.where(is_weight, l2, tf.zeros_like(l2))


def l2_gradient(params, scale):
    """Keras's L2 regulariser l2·ΣW² as its gradient, 2·l2·W (``scale`` from
    :func:`l2_scale`). Added to the data gradient it is the tape's gradient of L + l2·ΣW², to
    the bit."""
    return scale * (2 * params)


# ---- verb 3: update ----------------------------------------------------------------------


def update(params, grads, slots, step, family, hyper):
    """One optimizer step for every parameter: ``FAMILIES[family]`` (see optimizers.py).

    ``slots`` holds two tensors per parameter (unused ones stay as they are). Returns the new
    parameters and slots.
    """

    def branch(rule):
        def run():
            new_params, new_slots = [], []
            for p, (param, grad) in enumerate(zip(params, grads, strict=True)):
                value, state = rule(param, grad, (slots[2 * p], slots[2 * p + 1]), step, hyper)
                new_params.append(value)
                new_slots.extend(state)
            return new_params, new_slots

        return run

    return _select(family, [branch(rule) for rule in FAMILIES.values()])


def penalty(is_weight, code, rate, learning_rate):
    """What :func:`regularize` needs for every packed parameter, computed once per run:
    lr·rate where L1 (resp. L2) applies, else 0, and where an L1 step may kill a weight."""
    scale = learning_rate * rate
    zero = tf.zeros_like(scale)
    l1 = tf.logical_and(is_weight, tf.equal(code, 1))
    l2 = tf.logical_and(is_weight, tf.equal(code, 2))
    return tf.where(l1, scale, zero), tf.where(l2, scale, zero), l1


def regularize(w_old, w_new, dead, penalty):
    """Playground's regularisation step after the gradient step (``nn.ts`` updateWeights).

    R′ is taken at the weight before this update: sign(w) for L1, w for L2, scaled by lr·rate
    (``penalty``: one of the two scales is 0, which leaves the other term exact). A weight
    the L1 step carries across zero is set to 0 and stays dead (never updated again).
    Returns the weight and the dead mask.
    """
    scale_l1, scale_l2, l1 = penalty
    w_reg = w_new - (scale_l1 * tf.sign(w_old) + scale_l2 * w_old)
    crossed = tf.logical_and(l1, w_new * w_reg < 0)
    w = tf.where(crossed, tf.zeros_like(w_reg), w_reg)
    return tf.where(dead, w_old, w), tf.logical_or(dead, crossed)


def learning_rate(hyper):
    return hyper[H["learning_rate"]]
