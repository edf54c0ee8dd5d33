"""POST /api/v1/backprop: request and response models."""

from pydantic import BaseModel, Field

from app.schemas.common import (
    Finite,
    LossFields,
    Matrix,
    NetworkSpec,
    NullableMatrix,
    NullableVector,
    WarningOut,
)


class BackpropRequest(NetworkSpec, LossFields):
    inputs: Matrix = Field(..., description="batch × layers[0]", examples=[[[0.05, 0.1]]])
    learning_rate: Finite = Field(0.1, description="step size of the SGD update")
    train_biases: bool = True


class LayerOut(BaseModel):
    index: int
    size: int
    activation: str | None
    activation_params: dict[str, float] = {}
    z: NullableMatrix | None
    a: NullableMatrix
    delta: NullableMatrix | None
    fprime: NullableMatrix | None = Field(
        None, description="f′(z) per sample and unit (null for the input and softmax layers)"
    )
    grad_a: NullableMatrix | None = Field(
        None, description="∂L/∂a per sample and unit (null for the input layer)"
    )


class ParamsOut(BaseModel):
    W: NullableMatrix
    b: NullableVector
    dW: NullableMatrix
    db: NullableVector
    W_next: NullableMatrix
    b_next: NullableVector


class Check(BaseModel):
    max_abs_diff: float | None
    agrees: bool
    method: str
    tolerance: float | None = None
    reason: str | None = None


class BackpropResponse(BaseModel):
    loss: float | None
    per_sample_loss: NullableVector
    layers: list[LayerOut]
    params: list[ParamsOut]
    check: Check
    warnings: list[WarningOut]
    dtype: str
    loss_name: str
    learning_rate: float
