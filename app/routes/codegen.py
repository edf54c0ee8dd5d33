"""POST /api/v1/backprop/code: "Show TensorFlow code" for a /backprop request."""

from fastapi import APIRouter

from app.engine.codegen import backprop_script
from app.schemas.backprop import BackpropRequest
from app.schemas.codegen import CodeResponse
from app.services.backprop import prepare_backprop

router = APIRouter(prefix="/api/v1", tags=["backprop"])


@router.post("/backprop/code", response_model=CodeResponse)
def post_backprop_code(req: BackpropRequest) -> dict:
    """A runnable Python script with tf.GradientTape that prints the same numbers as /backprop."""
    net, inputs, _, targets = prepare_backprop(req)
    code = backprop_script(
        net,
        inputs.tolist(),
        targets.tolist(),
        req.loss,
        req.from_logits,
        req.reduction,
        req.learning_rate,
        req.train_biases,
    )
    return {"language": "python", "filename": "backprop.py", "code": code}
