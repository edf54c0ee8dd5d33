"""WS /api/v1/train/stream: the client's control messages (see docs/api-v1.md)."""

from typing import Any, Literal

from pydantic import Field

from app.schemas.common import ActivationItem, Finite, StrictModel

FrameUnit = Literal["update", "batch", "epoch"]


class StartMessage(StrictModel):
    """Start (or replace) the run: ``spec`` is a /train request body; its steps are ignored."""

    type: Literal["start"]
    spec: dict[str, Any]
    per_frame: int = Field(1, ge=1, le=1000, description="updates or epochs per played frame")
    frame_unit: FrameUnit = "epoch"


class PlayMessage(StrictModel):
    type: Literal["play"]


class PauseMessage(StrictModel):
    type: Literal["pause"]


class ResetMessage(StrictModel):
    type: Literal["reset"]


class StepMessage(StrictModel):
    type: Literal["step"]
    unit: FrameUnit = "update"
    count: int = Field(1, ge=1, le=1000)


class AckMessage(StrictModel):
    """The client has drawn frame ``seq``: the server sends the next frame only while fewer
    than ``stream_max_in_flight`` frames are unacknowledged."""

    type: Literal["ack"]
    seq: int = Field(..., ge=0)


class SetMessage(StrictModel):
    """Fields to change, applied at the next frame; the weights and iteration stay."""

    type: Literal["set"]
    learning_rate: Finite | None = Field(None, gt=0.0, le=1e4)
    batch_size: int | None = Field(None, ge=1, description="null = full batch")
    noise: Finite | None = Field(None, ge=0.0, le=0.5)
    l2: Finite | None = Field(None, ge=0.0, le=10.0)
    regularization: Literal["l1", "l2"] | None = None
    regularization_rate: Finite | None = Field(None, ge=0.0, le=10.0)
    activations: ActivationItem | list[ActivationItem] | None = None
    train_biases: bool | None = None
    per_frame: int | None = Field(None, ge=1, le=1000)
    frame_unit: FrameUnit | None = None

    def changes(self) -> dict:
        """The fields the message names (``batch_size: null`` means the full batch)."""
        return self.model_dump(include=self.model_fields_set - {"type"})


MESSAGES: dict[str, type[StrictModel]] = {
    "start": StartMessage,
    "play": PlayMessage,
    "pause": PauseMessage,
    "step": StepMessage,
    "set": SetMessage,
    "reset": ResetMessage,
    "ack": AckMessage,
}
