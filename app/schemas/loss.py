"""POST /api/v1/loss: a loss and its gradient with respect to the predictions."""

from pydantic import BaseModel, Field

from app.core.jsonsafe import FiniteTracker
from app.engine.autodiff import LossGradient
from app.schemas.common import DType, LossFields, Matrix, NullableMatrix, NullableVector, WarningOut


class LossRequest(LossFields):
    predictions: Matrix = Field(
        ..., description="batch × outputs: the network's outputs (or logits with from_logits)"
    )
    dtype: DType = "float32"


class LossResponse(BaseModel):
    loss: float | None
    per_sample_loss: NullableVector
    gradient: NullableMatrix = Field(description="∂loss/∂predictions from tf.GradientTape")
    targets: NullableMatrix = Field(description="the targets as used (class indices one-hot)")
    dtype: str
    warnings: list[WarningOut]


def loss_response(result: LossGradient, targets, dtype: str) -> dict:
    js = FiniteTracker()
    response = {
        "loss": js.scalar(result.loss, "loss"),
        "per_sample_loss": js(result.per_sample_loss, "per_sample_loss"),
        "gradient": js(result.gradient, "gradient"),
        "targets": js(targets, "targets"),
        "dtype": dtype,
        "warnings": list(result.warnings),
    }
    if (warning := js.warning()) is not None:
        response["warnings"].append(warning)
    return response
