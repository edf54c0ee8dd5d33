"""Optimizers as pure update rules on tensors, written as Keras 3 writes them.

``tf.keras.optimizers.SGD/Adam/RMSprop`` keep their state in ``tf.Variable``s that belong to
one optimizer object; a compiled training loop shared by concurrent requests cannot own such
state. So each rule here takes (param, grad, slots) and returns (new param, new slots), with
the same operations in the same order as Keras's ``update_step`` (tests check both against
the Keras objects and against the textbook rules in NumPy). The state is plain tensors, so
it can be returned to the caller and sent back to continue a run exactly.
"""

from dataclasses import dataclass

from app.engine.errors import SpecError
from app.engine.tf import tf

# Hyper-parameters travel into the compiled graphs as one vector, in this order. The
# ``one_minus_*`` entries are computed in Python double precision, as Keras does; ``nesterov``
# is 0 or 1.
HYPER = (
    "learning_rate",
    "momentum",
    "beta_1",
    "beta_2",
    "epsilon",
    "rho",
    "one_minus_beta_1",
    "one_minus_beta_2",
    "one_minus_rho",
    "nesterov",
)
H = {name: i for i, name in enumerate(HYPER)}


@dataclass(frozen=True)
class Bound:
    """The values a hyper-parameter may take: low < v (or ≤), v < high (or ≤)."""

    low: float
    high: float
    low_inclusive: bool
    high_inclusive: bool

    def describe(self) -> dict:
        return {
            "min": self.low,
            "max": self.high,
            "min_inclusive": self.low_inclusive,
            "max_inclusive": self.high_inclusive,
        }


# The one list of every optimizer hyper-parameter's bounds (the API's models read it).
BOUNDS = {
    "learning_rate": Bound(0.0, 1e4, False, True),
    "momentum": Bound(0.0, 1.0, True, False),
    "beta_1": Bound(0.0, 1.0, True, False),
    "beta_2": Bound(0.0, 1.0, True, False),
    "epsilon": Bound(0.0, 1.0, False, True),
    "rho": Bound(0.0, 1.0, True, False),
}


def _hp(hp, name):
    """One hyper-parameter from the vector (or from the last axis of a stack of vectors), or
    from the list of its entries that a loop unstacks once rather than slicing every step."""
    if isinstance(hp, list | tuple):
        return hp[H[name]]
    return hp[..., H[name]]


# Each rule takes (param, grad, (slot_0, slot_1), step, hp) and returns (param, slots): the
# operations of Keras 3's ``update_step``, in its order. Plain SGD is the momentum rule with
# μ = 0 (m ← 0·m − η·g = −η·g exactly, so W + m = W − η·g to the last bit); RMSprop without
# momentum likewise (its momentum slot becomes the increment itself).


def _sgd(param, grad, slots, step, hp):
    lr, momentum = _hp(hp, "learning_rate"), _hp(hp, "momentum")
    m = slots[0] * momentum - grad * lr  # velocity: m ← μ·m − η·g
    nesterov = param + (m * momentum - grad * lr)
    return tf.where(_hp(hp, "nesterov") > 0, nesterov, param + m), (m, slots[1])


def _adam(param, grad, slots, step, hp):
    lr, beta_1, beta_2 = _hp(hp, "learning_rate"), _hp(hp, "beta_1"), _hp(hp, "beta_2")
    m, v = slots
    # Bias correction folded into the step size (Kingma & Ba, end of section 2).
    alpha = lr * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
    m = m + (grad - m) * _hp(hp, "one_minus_beta_1")
    v = v + (tf.square(grad) - v) * _hp(hp, "one_minus_beta_2")
    return param - (m * alpha) / (tf.sqrt(v) + _hp(hp, "epsilon")), (m, v)


def _rmsprop(param, grad, slots, step, hp):
    lr, rho = _hp(hp, "learning_rate"), _hp(hp, "rho")
    velocity = rho * slots[0] + _hp(hp, "one_minus_rho") * tf.square(grad)
    increment = (lr * grad) / tf.sqrt(velocity + _hp(hp, "epsilon"))
    momentum = _hp(hp, "momentum") * slots[1] + increment
    return param - momentum, (velocity, momentum)


# The update rules, by family; a family's index is its code inside the graphs.
FAMILIES = {"sgd": _sgd, "adam": _adam, "rmsprop": _rmsprop}
FAMILY_CODE = {name: i for i, name in enumerate(FAMILIES)}


@dataclass(frozen=True)
class Optimizer:
    name: str
    keras: str  # the tf.keras.optimizers class it reproduces
    family: str  # its update rule in FAMILIES
    # The API's slot names, in the order of the rule's two slots.
    slots: tuple[str, ...]
    defaults: dict
    formula: str


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in [
        Optimizer(
            "sgd",
            "SGD",
            "sgd",
            ("momentum",),
            {"learning_rate": 0.03, "momentum": 0.0, "nesterov": False},
            r"W \leftarrow W - \eta\,g",
        ),
        Optimizer(
            "momentum",
            "SGD",
            "sgd",
            ("momentum",),
            {"learning_rate": 0.03, "momentum": 0.9, "nesterov": False},
            r"m \leftarrow \mu m - \eta g;\ W \leftarrow W + m",
        ),
        Optimizer(
            "adam",
            "Adam",
            "adam",
            ("m", "v"),
            {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
            r"W \leftarrow W - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}"
            r"\frac{m}{\sqrt{v}+\hat\epsilon}",
        ),
        Optimizer(
            "rmsprop",
            "RMSprop",
            "rmsprop",
            ("velocity", "momentum"),
            {"learning_rate": 0.01, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7},
            r"v \leftarrow \rho v + (1-\rho) g^2;\ "
            r"W \leftarrow W - \frac{\eta\,g}{\sqrt{v+\epsilon}}",
        ),
    ]
}


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer with its hyper-parameters filled in."""

    name: str
    learning_rate: float
    momentum: float = 0.0
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-7
    rho: float = 0.9
    nesterov: bool = False

    @property
    def rule(self) -> Optimizer:
        return OPTIMIZERS[self.name]

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The state each parameter carries, named as in Keras."""
        if self.name in ("sgd", "momentum"):
            return ("momentum",) if self.momentum > 0 else ()
        if self.name == "adam":
            return ("m", "v")
        return ("velocity", "momentum") if self.momentum > 0 else ("velocity",)

    @property
    def family_code(self) -> int:
        return FAMILY_CODE[self.rule.family]

    def slot_index(self, name: str) -> int:
        """Which of the rule's two slots holds the API's slot ``name``."""
        return self.rule.slots.index(name)

    def hyper_vector(self) -> list[float]:
        values = {
            "learning_rate": self.learning_rate,
            "momentum": self.momentum,
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "rho": self.rho,
            "one_minus_beta_1": 1 - self.beta_1,
            "one_minus_beta_2": 1 - self.beta_2,
            "one_minus_rho": 1 - self.rho,
            "nesterov": 1.0 if self.nesterov else 0.0,
        }
        return [values[name] for name in HYPER]

    def describe(self) -> dict:
        # The hyper-parameters this optimizer takes: its registry entry's defaults.
        params = {name: getattr(self, name) for name in self.rule.defaults}
        return {"name": self.name, "keras": self.rule.keras, **params}


def make_optimizer(name: str, **given) -> OptimizerConfig:
    """An optimizer config from a name and the hyper-parameters the caller gave (None = default)."""
    rule = OPTIMIZERS.get(name)
    if rule is None:
        raise SpecError(
            ("optimizer", "name"),
            f"unknown optimizer '{name}'; choose one of: " + ", ".join(OPTIMIZERS),
        )
    values = {**rule.defaults, **{k: v for k, v in given.items() if v is not None}}
    if values.get("nesterov") and name not in ("sgd", "momentum"):
        raise SpecError(("optimizer", "nesterov"), "nesterov applies to sgd/momentum only")
    if name == "momentum" and values["momentum"] <= 0:
        raise SpecError(("optimizer", "momentum"), "the momentum optimizer needs momentum > 0")
    if values.get("nesterov") and values.get("momentum", 0) <= 0:
        raise SpecError(("optimizer", "nesterov"), "nesterov needs momentum > 0")
    fields = OptimizerConfig.__dataclass_fields__
    return OptimizerConfig(name=name, **{k: v for k, v in values.items() if k in fields})
