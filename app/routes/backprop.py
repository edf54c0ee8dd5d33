"""POST /api/v1/backprop: one forward and backward pass, every quantity of the δ rule."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.backprop import backprop
from app.engine.losses import get_loss, prepare_targets
from app.engine.network import check_inputs
from app.schemas.backprop import BackpropRequest, BackpropResponse, backprop_response
from app.schemas.common import build_network_from

router = APIRouter(prefix="/api/v1", tags=["backprop"])


@router.post("/backprop", response_model=BackpropResponse)
def post_backprop(req: BackpropRequest) -> dict:
    """Forward values z and a, δ = ∂L/∂z per layer, ∂L/∂W, ∂L/∂b and one SGD step."""
    net = build_network_from(req)
    inputs = check_inputs(req.inputs, net.sizes[0], get_settings().max_batch)
    loss = get_loss(req.loss)
    targets = prepare_targets(req.targets, loss, net.sizes[-1], len(inputs))
    result = backprop(
        net,
        inputs,
        targets,
        loss,
        req.from_logits,
        req.reduction,
        req.learning_rate,
        req.train_biases,
    )
    return backprop_response(net, result, req)
