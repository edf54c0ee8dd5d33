"""A third, independent implementation of one backprop step: scalar loops in ``decimal``.

No NumPy, no TensorFlow, no matrices: each neuron's net input, output, error term and weight
update is written out as the worked examples do by hand, in 40-digit decimal arithmetic.
Used to check published worked examples beyond the digits they print.
"""

from decimal import Decimal, getcontext

getcontext().prec = 40
ONE = Decimal(1)


def D(x) -> Decimal:
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(x)


def sigmoid(z: Decimal) -> Decimal:
    return ONE / (ONE + (-z).exp())


def softplus(z: Decimal) -> Decimal:
    return (ONE + z.exp()).ln()


ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (ONE - sigmoid(z))),
    "softplus": (softplus, sigmoid),
    "linear": (lambda z: z, lambda z: ONE),
}


def step(weights, biases, activations, inputs, targets, loss, reduction, lr, train_biases=True):
    """One SGD step on a batch. weights[l][j][k] connects unit j of layer l to unit k of l+1.

    loss: "half_sse" (½Σ(o−t)²) or "sse" (Σ(o−t)²), summed over outputs; reduction over the
    batch "sum" or "mean". Returns (loss, dW, db, new_weights, new_biases) as Decimals.
    """
    W = [[[D(w) for w in row] for row in layer] for layer in weights]
    B = [[D(b) for b in layer] for layer in biases]
    n_layers = len(W)
    total = Decimal(0)
    dW = [[[Decimal(0) for _ in row] for row in layer] for layer in W]
    dB = [[Decimal(0) for _ in layer] for layer in B]
    scale = ONE / len(inputs) if reduction == "mean" else ONE
    factor = {"half_sse": ONE, "sse": Decimal(2)}[loss]
    for x, t in zip(inputs, targets, strict=True):
        outs, nets = [[D(v) for v in x]], []
        for layer in range(n_layers):
            f = ACTIVATIONS[activations[layer]][0]
            net = [
                sum(outs[-1][j] * W[layer][j][k] for j in range(len(outs[-1]))) + B[layer][k]
                for k in range(len(B[layer]))
            ]
            nets.append(net)
            outs.append([f(z) for z in net])
        err = [outs[-1][k] - D(t[k]) for k in range(len(t))]
        total += sum(e * e for e in err) * (factor / 2) * scale
        # error term of each output unit, then back through the layers
        fprime = ACTIVATIONS[activations[-1]][1]
        delta = [factor * err[k] * fprime(nets[-1][k]) * scale for k in range(len(err))]
        for layer in reversed(range(n_layers)):
            for j in range(len(outs[layer])):
                for k in range(len(delta)):
                    dW[layer][j][k] += outs[layer][j] * delta[k]
            for k in range(len(delta)):
                dB[layer][k] += delta[k]
            if layer:
                fprime = ACTIVATIONS[activations[layer - 1]][1]
                delta = [
                    fprime(nets[layer - 1][j])
                    * sum(W[layer][j][k] * delta[k] for k in range(len(delta)))
                    for j in range(len(outs[layer]))
                ]
    lr = D(lr)
    new_W = [
        [
            [w - lr * g for w, g in zip(row, grow, strict=True)]
            for row, grow in zip(lw, lg, strict=True)
        ]
        for lw, lg in zip(W, dW, strict=True)
    ]
    new_B = [
        [b - lr * g if train_biases else b for b, g in zip(lb, lg, strict=True)]
        for lb, lg in zip(B, dB, strict=True)
    ]
    return total, dW, dB, new_W, new_B
