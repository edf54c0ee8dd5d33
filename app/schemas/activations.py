"""GET /api/v1/activations and /activations/{name}/curve: response models and builders."""

from pydantic import BaseModel, Field

from app.core.jsonsafe import FiniteTracker
from app.core.mathml import latex_to_mathml
from app.engine.activations import ACTIVATIONS, Activation, BoundActivation
from app.engine.autodiff import CURVE_NOTES, vanishing_intervals
from app.schemas.common import NullableVector, WarningOut


class ActivationInfo(BaseModel):
    name: str
    params: dict[str, float]
    formula: str = Field(description="LaTeX of f")
    derivative: str = Field(description="LaTeX of f′")
    formula_mathml: str
    derivative_mathml: str
    elementwise: bool
    curve_note: str | None = None


class CurveResponse(BaseModel):
    name: str
    params: dict[str, float]
    dtype: str
    x: NullableVector
    y: NullableVector
    dy: NullableVector | None
    d2y: NullableVector | None
    unconnected: list[str] = Field(description="fields the tape answered None for (sent as null)")
    threshold: float
    vanishing: list[list[float]] = Field(
        description="[from, to] runs of x where |f′(x)| < threshold (the gradient vanishes)"
    )
    note: str | None = None
    warnings: list[WarningOut]


def activation_info(spec: Activation) -> dict:
    return {
        "name": spec.name,
        "params": spec.params,
        "formula": spec.formula,
        "derivative": spec.derivative,
        "formula_mathml": latex_to_mathml(spec.formula),
        "derivative_mathml": latex_to_mathml(spec.derivative),
        "elementwise": spec.elementwise,
        "curve_note": CURVE_NOTES.get(spec.name),
    }


def all_activations() -> list[dict]:
    return [activation_info(spec) for spec in ACTIVATIONS.values()]


def curve_response(act: BoundActivation, curve: dict, dtype: str, threshold: float) -> dict:
    js = FiniteTracker()
    x = curve["x"].numpy().astype(float)
    dy = None if curve["dy"] is None else curve["dy"].numpy().astype(float)
    response = {
        "name": act.name,
        "params": act.params,
        "dtype": dtype,
        **{key: js(curve[key], key) for key in ("x", "y", "dy", "d2y")},
        "unconnected": curve["unconnected"],
        "threshold": threshold,
        "vanishing": vanishing_intervals(x, dy, threshold),
        "note": CURVE_NOTES.get(act.name),
        "warnings": [],
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response
