"""Optimizers as pure update rules on tensors, written as Keras 3 writes them.

``tf.keras.optimizers.SGD/Adam/RMSprop`` keep their state in ``tf.Variable``s that belong to
one optimizer object; a compiled training loop shared by concurrent requests cannot own such
state. So each rule here takes (param, grad, slots) and returns (new param, new slots), with
the same operations in the same order as Keras's ``update_step`` (tests check both against
the Keras objects and against the textbook rules in NumPy). The state is plain tensors, so
it can be returned to the caller and sent back to continue a run exactly.
"""

from collections.abc import Callable
from dataclasses import dataclass

from app.core.tensorflow import tf
from app.engine.errors import SpecError

# Hyper-parameters travel into the compiled loop as one vector, in this order. The
# ``one_minus_*`` entries are computed in Python double precision, as Keras does.
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
)
H = {name: i for i, name in enumerate(HYPER)}


def _sgd(param, grad, slots, step, hp, nesterov):
    lr = hp[H["learning_rate"]]
    if not slots:  # plain gradient descent: W ← W − η·g
        return param - grad * lr, ()
    momentum = hp[H["momentum"]]
    (m,) = slots
    m = m * momentum - grad * lr  # velocity: m ← μ·m − η·g
    if nesterov:
        return param + (m * momentum - grad * lr), (m,)
    return param + m, (m,)


def _adam(param, grad, slots, step, hp, nesterov):
    lr, beta_1, beta_2 = hp[H["learning_rate"]], hp[H["beta_1"]], hp[H["beta_2"]]
    m, v = slots
    # Bias correction folded into the step size (Kingma & Ba, end of section 2).
    alpha = lr * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
    m = m + (grad - m) * hp[H["one_minus_beta_1"]]
    v = v + (tf.square(grad) - v) * hp[H["one_minus_beta_2"]]
    return param - (m * alpha) / (tf.sqrt(v) + hp[H["epsilon"]]), (m, v)


def _rmsprop(param, grad, slots, step, hp, nesterov):
    lr, rho = hp[H["learning_rate"]], hp[H["rho"]]
    velocity = rho * slots[0] + hp[H["one_minus_rho"]] * tf.square(grad)
    increment = (lr * grad) / tf.sqrt(velocity + hp[H["epsilon"]])
    if len(slots) == 1:
        return param - increment, (velocity,)
    momentum = hp[H["momentum"]] * slots[1] + increment
    return param - momentum, (velocity, momentum)


@dataclass(frozen=True)
class Optimizer:
    name: str
    keras: str  # the tf.keras.optimizers class it reproduces
    update: Callable  # (param, grad, slots, step, hp, nesterov) -> (param, slots)
    defaults: dict
    formula: str


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in [
        Optimizer(
            "sgd",
            "SGD",
            _sgd,
            {"learning_rate": 0.03, "momentum": 0.0, "nesterov": False},
            r"W \leftarrow W - \eta\,g",
        ),
        Optimizer(
            "momentum",
            "SGD",
            _sgd,
            {"learning_rate": 0.03, "momentum": 0.9, "nesterov": False},
            r"m \leftarrow \mu m - \eta g;\ W \leftarrow W + m",
        ),
        Optimizer(
            "adam",
            "Adam",
            _adam,
            {"learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
            r"W \leftarrow W - \eta\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}"
            r"\frac{m}{\sqrt{v}+\hat\epsilon}",
        ),
        Optimizer(
            "rmsprop",
            "RMSprop",
            _rmsprop,
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
        }
        return [values[name] for name in HYPER]

    def describe(self) -> dict:
        out = {"name": self.name, "keras": self.rule.keras, "learning_rate": self.learning_rate}
        if self.name in ("sgd", "momentum"):
            out.update(momentum=self.momentum, nesterov=self.nesterov)
        elif self.name == "adam":
            out.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        else:
            out.update(rho=self.rho, momentum=self.momentum, epsilon=self.epsilon)
        return out


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
