"""POST /api/v1/autodiff/*: the notebook's chain-rule and second-order cells."""

from typing import Literal

from pydantic import BaseModel, Field

from app.core.jsonsafe import FiniteTracker
from app.engine.autodiff import FUNCTIONS
from app.schemas.common import DType, Finite, NullableVector, StrictModel, WarningOut
from app.schemas.lessons import Formula
from app.services.lessons import formula

FunctionName = Literal[tuple(FUNCTIONS)]  # type: ignore[valid-type]


class ChainRuleRequest(StrictModel):
    """The notebook's values by default: x = 1, w1 = 2, b1 = 1, w2 = 2, b2 = 1."""

    x: Finite = 1.0
    w1: Finite = 2.0
    b1: Finite = 1.0
    w2: Finite = 2.0
    b2: Finite = 1.0
    dtype: DType = "float32"


class ChainRuleResponse(BaseModel):
    y1: float | None = Field(description="x·w1 + b1")
    y2: float | None = Field(description="y1·w2 + b2")
    dy2_dy1: float | None
    dy1_dw1: float | None
    product: float | None = Field(description="dy2_dy1 × dy1_dw1")
    dy2_dw1: float | None = Field(description="straight from the tape; equals product")
    dy1_db1: float | None
    dy2_dw2: float | None
    dy2_db1: float | None
    dy2_db2: float | None
    dtype: str
    warnings: list[WarningOut]


class SecondOrderRequest(StrictModel):
    """The notebook's values by default: x = 3, w = 1, b = 2, y = x·w + b."""

    x: Finite = 3.0
    w: Finite = 1.0
    b: Finite = 2.0
    function: FunctionName = "linear"
    dtype: DType = "float32"


class SecondOrderResponse(BaseModel):
    function: str
    y: float | None
    dy_dw: float | None
    dy_db: float | None
    d2y_dw2: float | None = Field(description="null when the tape answers None")
    unconnected: list[str]
    dtype: str
    warnings: list[WarningOut]


class SecondOrderCurveRequest(StrictModel):
    x: Finite = 3.0
    b: Finite = 2.0
    function: FunctionName = "square"
    w_start: Finite = -3.0
    w_stop: Finite = 3.0
    num: int = Field(121, description="points, as tf.linspace(w_start, w_stop, num)")
    dtype: DType = "float32"


class SecondOrderCurveResponse(BaseModel):
    function: str
    w: NullableVector
    y: NullableVector
    dy_dw: NullableVector | None
    d2y_dw2: NullableVector | None
    unconnected: list[str]
    dtype: str
    warnings: list[WarningOut]


class FunctionInfo(BaseModel):
    name: str
    formula: Formula
    first: Formula
    second: Formula


def function_list() -> list[dict]:
    return [
        {
            "name": f.name,
            "formula": formula(f.formula),
            "first": formula(f.first),
            "second": formula(f.second),
        }
        for f in FUNCTIONS.values()
    ]


def tape_response(values: dict, names: tuple[str, ...], **extra) -> dict:
    """Tensors to JSON numbers (None stays null); non-finite values named in ``warnings``."""
    js = FiniteTracker()
    response = {name: js(values[name], name) for name in names}
    response.update(extra, warnings=[])
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response
