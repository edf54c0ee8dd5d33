"""POST /api/v1/softmax: logits in, probabilities and the tape's Jacobian out."""

from pydantic import BaseModel, Field

from app.core.jsonsafe import FiniteTracker
from app.schemas.common import (
    DType,
    Finite,
    NullableMatrix,
    NullableVector,
    StrictModel,
    WarningOut,
)


class SoftmaxRequest(StrictModel):
    logits: list[Finite] | list[list[Finite]] = Field(
        ..., description="one vector z, or a batch of rows", examples=[[2.0, 1.0, 0.1]]
    )
    dtype: DType = "float32"


class SoftmaxResponse(BaseModel):
    probabilities: NullableVector | NullableMatrix
    jacobian: NullableMatrix | list[NullableMatrix] = Field(
        description="∂p_i/∂z_j from tape.jacobian (one n×n matrix per row for a batch)"
    )
    dtype: str
    warnings: list[WarningOut]


def softmax_response(result: dict, batched: bool, dtype: str) -> dict:
    js = FiniteTracker()
    probabilities = result["probabilities"].numpy()
    jacobian = result["jacobian"].numpy()
    if not batched:
        probabilities, jacobian = probabilities[0], jacobian[0]
    response = {
        "probabilities": js(probabilities, "probabilities"),
        "jacobian": js(jacobian, "jacobian"),
        "dtype": dtype,
        "warnings": [],
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response
