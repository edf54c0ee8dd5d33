"""GET /api/v1/network/config: what the /network page may offer (limits, names, presets)."""

from pydantic import BaseModel, Field


class Limits(BaseModel):
    max_layers: int = Field(..., description="layers after the input layer")
    max_units: int = Field(..., description="units in any one layer, input layer included")
    max_batch: int
    max_abs_value: float


class Preset(BaseModel):
    id: str
    spec: dict = Field(..., description="a complete /api/v1/backprop request")


class NetworkConfig(BaseModel):
    limits: Limits
    activations: list[str]
    activation_params: dict[str, dict[str, float]]
    losses: list[str]
    initializers: list[str]
    dtypes: list[str]
    presets: list[Preset]
