"""Models shared by the lesson endpoints (activations, softmax, loss, autodiff)."""

from pydantic import BaseModel


class Formula(BaseModel):
    latex: str
    mathml: str
