"""POST /api/v1/backprop/code: the request is /backprop's, the answer a runnable script."""

from typing import Literal

from pydantic import BaseModel, Field


class CodeResponse(BaseModel):
    language: Literal["python"] = "python"
    filename: str = Field("backprop.py", description="a name to save the script under")
    code: str = Field(..., description="a script using tf.GradientTape that prints JSON")
