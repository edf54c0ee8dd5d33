"""Activation functions: a table of TensorFlow functions and their textbook derivatives.

Each entry pairs the TensorFlow op the network uses (``tf_fn``) with independent NumPy
formulas for f and f′ (``np_fn``, ``np_der``) that the textbook δ rule and the tests use
as an oracle, plus LaTeX for display. ``softmax`` has no elementwise f′: its derivative is
the Jacobian p_i(δ_ij − p_j), given by ``softmax_jacobian``.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.errors import SpecError
from app.engine.tf import tf

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(z):
    # 1 / (1 + e^−z) for z ≥ 0 and e^z / (1 + e^z) below, so no exp overflows: with
    # e = e^−|z| both are (1 or e) / (1 + e), the same operations without boolean indexing.
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _sigmoid_der(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _swish_der(z):
    z = np.asarray(z, dtype=float)
    s = _sigmoid(z)
    return s + z * s * (1.0 - s)


def _softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(p: np.ndarray) -> np.ndarray:
    """∂p_i/∂z_j = p_i(δ_ij − p_j) for each row of p: shape (batch, n, n)."""
    p = np.atleast_2d(p)
    return np.einsum("bi,ij->bij", p, np.eye(p.shape[-1])) - np.einsum("bi,bj->bij", p, p)


def _alpha32(alpha: float) -> float:
    """tf.nn.leaky_relu keeps alpha in a 32-bit op attribute, even for float64 tensors."""
    return float(np.float32(alpha))


def _leaky_relu(z, alpha=0.2):
    """tf.nn.leaky_relu. Given α as a tensor (the engine's compiled graphs, where α must not
    be fixed at trace time), its kernel written out: z > 0 ? z : z·α, the same numbers and the
    same first derivative, with α rounded to float32 as the op's attribute rounds it."""
    if isinstance(alpha, int | float):
        return tf.nn.leaky_relu(z, alpha=alpha)
    return tf.where(z > 0, z, z * tf.cast(alpha, z.dtype))


# tf.nn.gelu computes ½·z·erfc(−c·z) with c = 1/√2 cast from a float32 constant, even for
# float64 tensors; the oracle uses the same c so float64 results agree to the last digits.
_GELU_C = float(np.float32(0.7071067811865476))
_erfc = np.vectorize(math.erfc, otypes=[float])


def _gelu(z):
    return 0.5 * z * _erfc(-_GELU_C * z)


def _gelu_der(z):
    return 0.5 * _erfc(-_GELU_C * z) + z * _GELU_C / math.sqrt(math.pi) * np.exp(
        -((_GELU_C * z) ** 2)
    )


@dataclass(frozen=True)
class Activation:
    name: str
    tf_fn: Callable  # (z, **params) -> tensor
    np_fn: Callable  # (z, **params) -> ndarray
    np_der: Callable | None  # f′(z); None for softmax (see softmax_jacobian)
    formula: str  # LaTeX of f
    derivative: str  # LaTeX of f′
    params: dict[str, float] = field(default_factory=dict)
    elementwise: bool = True  # f′ is elementwise (softmax's is a Jacobian)
    # The TensorFlow expression the code generator writes ("Show TensorFlow code"), with
    # the parameters as format fields.
    code: str = ""


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "linear",
            lambda z: tf.identity(z),
            lambda z: np.asarray(z, dtype=float),
            lambda z: np.ones_like(z, dtype=float),
            r"f(z) = z",
            r"f'(z) = 1",
            code="tf.identity",
        ),
        Activation(
            "sigmoid",
            tf.sigmoid,
            _sigmoid,
            _sigmoid_der,
            r"\sigma(z) = \frac{1}{1 + e^{-z}}",
            r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))",
            code="tf.sigmoid",
        ),
        Activation(
            "tanh",
            tf.tanh,
            np.tanh,
            lambda z: 1.0 - np.tanh(z) ** 2,
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
            r"\tanh'(z) = 1 - \tanh^2(z)",
            code="tf.tanh",
        ),
        Activation(
            "relu",
            tf.nn.relu,
            lambda z: np.maximum(z, 0.0),
            # TensorFlow's ReluGrad passes the gradient only where z > 0 (f′(0) = 0).
            lambda z: (np.asarray(z) > 0).astype(float),
            r"\mathrm{ReLU}(z) = \max(0, z)",
            r"\mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
            code="tf.nn.relu",
        ),
        Activation(
            "leaky_relu",
            _leaky_relu,
            lambda z, alpha=0.2: np.where(np.asarray(z) > 0, z, _alpha32(alpha) * np.asarray(z)),
            lambda z, alpha=0.2: np.where(np.asarray(z) > 0, 1.0, _alpha32(alpha)),
            r"f(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}",
            params={"alpha": 0.2},
            code="lambda z: tf.nn.leaky_relu(z, alpha={alpha!r})",
        ),
        Activation(
            "elu",
            tf.nn.elu,
            lambda z: np.where(np.asarray(z) > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z: np.where(np.asarray(z) > 0, 1.0, np.exp(np.minimum(z, 0.0))),
            r"f(z) = \begin{cases} z & z > 0 \\ e^{z} - 1 & z \le 0 \end{cases}",
            r"f'(z) = \begin{cases} 1 & z > 0 \\ e^{z} & z \le 0 \end{cases}",
            code="tf.nn.elu",
        ),
        Activation(
            "selu",
            tf.nn.selu,
            lambda z: (
                SELU_SCALE
                * np.where(np.asarray(z) > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
            ),
            # SeluGrad tests the output < 0, so f′(0) = λ (the z > 0 branch).
            lambda z: (
                SELU_SCALE
                * np.where(np.asarray(z) < 0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)), 1.0)
            ),
            r"f(z) = \lambda \begin{cases} z & z > 0 \\ \alpha (e^{z} - 1) & z \le 0 \end{cases}",
            r"f'(z) = \lambda \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}",
            code="tf.nn.selu",
        ),
        Activation(
            "gelu",
            lambda z: tf.nn.gelu(z, approximate=False),
            _gelu,
            _gelu_der,
            r"f(z) = z\,\Phi(z) = \frac{z}{2}\left(1 + \mathrm{erf}\frac{z}{\sqrt{2}}\right)",
            r"f'(z) = \Phi(z) + z\,\varphi(z)",
            code="lambda z: tf.nn.gelu(z, approximate=False)",
        ),
        Activation(
            "swish",
            tf.nn.silu,
            lambda z: np.asarray(z) * _sigmoid(z),
            _swish_der,
            r"f(z) = z\,\sigma(z)",
            r"f'(z) = \sigma(z) + z\,\sigma(z)\,(1 - \sigma(z))",
            code="tf.nn.silu",
        ),
        Activation(
            "softplus",
            tf.nn.softplus,
            lambda z: np.logaddexp(0.0, z),
            _sigmoid,
            r"f(z) = \ln(1 + e^{z})",
            r"f'(z) = \sigma(z) = \frac{1}{1 + e^{-z}}",
            code="tf.nn.softplus",
        ),
        Activation(
            "softmax",
            lambda z: tf.nn.softmax(z, axis=-1),
            _softmax,
            None,
            r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\frac{\partial p_i}{\partial z_j} = p_i(\delta_{ij} - p_j)",
            elementwise=False,
            code="lambda z: tf.nn.softmax(z, axis=-1)",
        ),
    ]
}


@dataclass(frozen=True)
class BoundActivation:
    """An activation with its parameters filled in, as one layer uses it."""

    spec: Activation
    params: dict[str, float]

    @property
    def name(self) -> str:
        return self.spec.name

    def tf(self, z):
        return self.spec.tf_fn(z, **self.params)

    def np(self, z):
        return self.spec.np_fn(np.asarray(z, dtype=float), **self.params)

    def np_der(self, z):
        return self.spec.np_der(np.asarray(z, dtype=float), **self.params)

    def describe(self) -> dict:
        return {"name": self.name, **self.params}


def bind(name: str, params: dict | None = None, loc: tuple = ("activations",)) -> BoundActivation:
    """Look up an activation by name and merge ``params`` over its defaults."""
    spec = ACTIVATIONS.get(name)
    if spec is None:
        known = ", ".join(ACTIVATIONS)
        raise SpecError(loc, f"unknown activation '{name}'; choose one of: {known}")
    params = dict(params or {})
    unknown = set(params) - set(spec.params)
    if unknown:
        allowed = ", ".join(spec.params) or "none"
        raise SpecError(
            loc, f"activation '{name}' has no parameter {sorted(unknown)}; allowed: {allowed}"
        )
    merged = {**spec.params, **{k: float(v) for k, v in params.items()}}
    return BoundActivation(spec, merged)
