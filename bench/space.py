"""Random architectures over the whole space a user can reach, each one never seen before.

Depth 1 to ``max_layers``, widths 1 to ``max_units`` (input layer included), a per-layer
activation from every entry of the registry (leaky ReLU with a random α), every loss with
and without ``from_logits``, both dtypes, both reductions, batch sizes up to ``max_batch``,
every initializer, and for /train every optimizer with random hyper-parameters, batching,
shuffling, both regularisations, L2, frozen biases and XLA. Each run draws from a fresh
seed (time and ``os.urandom``), printed so that a run can be repeated.
"""

import os
import random
import time

from app.core.config import get_settings
from app.engine.activations import ACTIVATIONS
from app.engine.losses import LOSSES
from app.engine.network import INITIALIZERS
from app.engine.optimizers import OPTIMIZERS

ACTIVATION_NAMES = list(ACTIVATIONS)
LOSS_NAMES = list(LOSSES)
DTYPES = ["float32", "float64"]
CLASSIFICATION = ["circle", "xor", "gauss", "spiral"]
REGRESSION = ["plane", "sine"]
WORST_CASE_SHARE = 0.05  # requests at max depth and max width in every layer


def fresh_seed() -> int:
    return int.from_bytes(os.urandom(4), "big") ^ time.time_ns() % 2**32


class Space:
    """Draws architectures from ``seed``; never returns the same signature twice."""

    def __init__(self, seed: int | None = None):
        self.seed = fresh_seed() if seed is None else seed
        self.rng = random.Random(self.seed)
        settings = get_settings()
        self.max_layers, self.max_units = settings.max_layers, settings.max_units
        self.max_batch = settings.max_batch
        self.seen: set[tuple] = set()
        self.depths: dict[int, int] = {}

    # ---- the architecture --------------------------------------------------------------

    def activation(self):
        name = self.rng.choice(ACTIVATION_NAMES)
        if name == "leaky_relu":
            return {"name": name, "alpha": round(self.rng.uniform(0.001, 0.999), 6)}
        return name

    def architecture(
        self, depth: int | None = None, worst: bool | None = None, plane: bool = False
    ) -> dict:
        """layers, activations, loss, from_logits, dtype: a signature not drawn before.

        ``plane``: 2 inputs and 1 or 2 outputs, as a generated 2-D dataset wants."""
        rng = self.rng
        if worst is None:
            worst = rng.random() < WORST_CASE_SHARE
        while True:
            d = self.max_layers if worst else depth or rng.randint(1, self.max_layers)
            if worst:
                layers = [self.max_units] * (d + 1)
            else:
                layers = [rng.randint(1, self.max_units) for _ in range(d + 1)]
            if plane:
                layers[0], layers[-1] = 2, rng.choice([1, 2])
            arch = {
                "layers": layers,
                "activations": [self.activation() for _ in range(d)],
                "loss": rng.choice(LOSS_NAMES),
                "from_logits": rng.random() < 0.5,
                "dtype": rng.choice(DTYPES),
            }
            key = signature(arch)
            if key not in self.seen:
                self.seen.add(key)
                self.depths[d] = self.depths.get(d, 0) + 1
                return arch

    # ---- the numbers ---------------------------------------------------------------------

    def batch(self, worst: bool = False, limit: int | None = None) -> int:
        """Mostly what a lesson sends (1 to 16 rows); 5% up to max_batch, 10% of the worst
        cases at max_batch itself."""
        rng, limit = self.rng, min(limit or self.max_batch, self.max_batch)
        if worst and rng.random() < 0.1:
            return limit
        if rng.random() < 0.05:
            return rng.randint(1, limit)
        return rng.choice([1, 2, rng.randint(1, 16)])

    def data(self, arch: dict, rows: int) -> tuple[list, list]:
        rng, n_in, n_out = self.rng, arch["layers"][0], arch["layers"][-1]
        inputs = [[round(rng.uniform(-3, 3), 4) for _ in range(n_in)] for _ in range(rows)]
        if arch["loss"] == "categorical_crossentropy":  # one-hot rows or class indices
            classes = [rng.randrange(n_out) for _ in range(rows)]
            if rng.random() < 0.5:
                return inputs, classes
            return inputs, [[float(c == k) for k in range(n_out)] for c in classes]
        if arch["loss"] == "binary_crossentropy":
            return inputs, [[float(rng.random() < 0.5) for _ in range(n_out)] for _ in range(rows)]
        return inputs, [[round(rng.uniform(-1, 1), 4) for _ in range(n_out)] for _ in range(rows)]

    def common(self, arch: dict) -> dict:
        return {
            **arch,
            "init": self.rng.choice(INITIALIZERS),
            "seed": self.rng.randint(0, 2**31 - 1),
            "reduction": self.rng.choice(["mean", "sum"]),
            "train_biases": self.rng.random() < 0.8,
        }

    def backprop_body(self, arch: dict | None = None, rows: int | None = None) -> dict:
        arch = arch or self.architecture()
        worst = max(arch["layers"]) == self.max_units and len(arch["layers"]) > self.max_layers
        inputs, targets = self.data(arch, rows or self.batch(worst))
        body = self.common(arch)
        body.update(inputs=inputs, targets=targets, learning_rate=self.rng.uniform(0.001, 1.0))
        return body

    def optimizer(self) -> dict:
        rng = self.rng
        name = rng.choice(list(OPTIMIZERS))
        spec = {"name": name, "learning_rate": round(10 ** rng.uniform(-4, 0), 6)}
        if name in ("sgd", "momentum", "rmsprop") and (name == "momentum" or rng.random() < 0.5):
            spec["momentum"] = round(rng.uniform(0.05, 0.99), 4)
            if name != "rmsprop":
                spec["nesterov"] = rng.random() < 0.5
        if name == "adam":
            spec.update(beta_1=round(rng.uniform(0.5, 0.99), 4), beta_2=rng.uniform(0.9, 0.9999))
        if name in ("adam", "rmsprop"):
            spec["epsilon"] = 10 ** rng.uniform(-8, -3)
        if name == "rmsprop":
            spec["rho"] = round(rng.uniform(0.5, 0.99), 4)
        return spec

    def train_body(self, arch: dict | None = None, steps: int | None = None) -> dict:
        """A /train request: own data (any input width) or a 2-D dataset with its boundary."""
        rng = self.rng
        arch = arch or self.architecture(plane=rng.random() < 0.3)
        body = self.common(arch)
        if arch["layers"][0] == 2 and arch["layers"][-1] <= 2 and rng.random() < 0.8:
            names = CLASSIFICATION if arch["layers"][-1] == 2 else CLASSIFICATION + REGRESSION
            body["dataset"] = {
                "name": rng.choice(names),
                "samples": rng.randint(20, 200),
                "noise": round(rng.uniform(0, 0.5), 3),
                "seed": rng.randint(0, 10**6),
            }
            body["boundary_resolution"] = rng.randint(2, 50)
            body["neuron_grids"] = rng.random() < 0.3
            samples = body["dataset"]["samples"] // 2
        else:
            samples = rng.randint(4, 64)
            body["inputs"], body["targets"] = self.data(arch, samples)
        body.update(
            optimizer=self.optimizer(),
            steps=steps if steps is not None else rng.randint(1, 60),
            batch_size=rng.choice([None, rng.randint(1, max(1, samples - 1))]),
            shuffle=rng.random() < 0.7,
            record_every=rng.choice([None, rng.randint(1, 20)]),
            l2=rng.choice([0.0, round(rng.uniform(0, 0.01), 5)]),
            jit_compile=rng.choice([None, None, None, False, True]),
        )
        if rng.random() < 0.4:
            body["regularization"] = rng.choice(["l1", "l2"])
            body["regularization_rate"] = round(rng.uniform(0, 0.03), 5)
        return body


def signature(arch: dict) -> tuple:
    """What a per-architecture compile cache would key on: widths, activations, loss, dtype."""
    acts = tuple(a if isinstance(a, str) else (a["name"], a["alpha"]) for a in arch["activations"])
    return (tuple(arch["layers"]), acts, arch["loss"], arch["from_logits"], arch["dtype"])
