"""POST /api/v1/playground/import and /export: request and response models."""

from pydantic import BaseModel, Field

from app.schemas.common import StrictModel


class ImportRequest(StrictModel):
    url: str = Field(
        ...,
        min_length=1,
        max_length=10_000,
        description="a TF Playground link, or just its #… part",
        examples=["https://playground.tensorflow.org/#dataset=spiral&seed=0.12345"],
    )


class Unsupported(BaseModel):
    field: str = Field(..., description="the Playground setting or /train field concerned")
    message: str


class ImportResponse(BaseModel, extra="allow"):
    """A /train request body (layers, activations, weights, biases, dataset with points, …)."""

    layers: list[int]
    dataset: dict
    unsupported: list[Unsupported]


class ExportResponse(BaseModel):
    url: str = Field(..., description="the TF Playground link")
    unsupported: list[Unsupported] = Field(..., description="what the link cannot reproduce")
