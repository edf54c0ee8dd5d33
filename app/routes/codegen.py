"""POST /api/v1/backprop/code: "Show TensorFlow code" for a /backprop request."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.codegen import backprop_script
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import check_inputs
from app.schemas.backprop import BackpropRequest
from app.schemas.codegen import CodeResponse
from app.schemas.common import build_network_from

router = APIRouter(prefix="/api/v1", tags=["backprop"])


@router.post("/backprop/code", response_model=CodeResponse)
def post_backprop_code(req: BackpropRequest) -> dict:
    """A runnable Python script with tf.GradientTape that prints the same numbers as /backprop."""
    net = build_network_from(req)
    inputs = check_inputs(req.inputs, net.sizes[0], get_settings().max_batch)
    loss = get_loss(req.loss)
    targets = prepare_targets(req.targets, loss, net.sizes[-1], len(inputs))
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
