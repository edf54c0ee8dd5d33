"""Activation functions: the table, and f, f′, f″ over a range from nested GradientTapes."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.engine.activations import ACTIVATIONS, bind
from app.engine.autodiff import activation_curve
from app.engine.errors import SpecError
from app.schemas.activations import (
    ActivationInfo,
    CurveResponse,
    all_activations,
    curve_response,
)
from app.services.lessons import check_abs, check_curve, invalid

router = APIRouter(prefix="/api/v1", tags=["activations"])

FiniteQuery = Annotated[float, Query(allow_inf_nan=False)]


@router.get("/activations", response_model=list[ActivationInfo])
def get_activations() -> list[dict]:
    """Every activation the API knows, with parameters and LaTeX/MathML of f and f′."""
    return all_activations()


@router.get("/activations/{name}/curve", response_model=CurveResponse)
def get_curve(
    name: Annotated[str, Path(description="an activation name from GET /activations")],
    start: FiniteQuery = -6.0,
    stop: FiniteQuery = 6.0,
    num: Annotated[int, Query(description="points, as tf.linspace(start, stop, num)")] = 200,
    alpha: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    dtype: Literal["float32", "float64"] = "float32",
    threshold: Annotated[
        float, Query(gt=0, le=1, allow_inf_nan=False, description="|f′| below this vanishes")
    ] = 0.05,
) -> dict:
    """x = tf.linspace(start, stop, num); y = f(x); dy and d2y from (nested) GradientTapes.

    softmax is vector-valued: its curve is the first component of softmax([z, 0]).
    """
    if name not in ACTIVATIONS:
        raise invalid(
            ("path", "name"),
            f"unknown activation '{name}'; choose one of: " + ", ".join(ACTIVATIONS),
        )
    check_curve(start, stop, num, "query")
    params = {}
    if alpha is not None:
        params["alpha"] = check_abs(alpha, ("query", "alpha"))
    try:
        act = bind(name, params)
    except SpecError as err:
        raise invalid(("query", "alpha"), err.msg) from None
    curve = activation_curve(act, start, stop, num, dtype)
    return curve_response(act, curve, dtype, threshold)
