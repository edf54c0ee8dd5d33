"""POST /api/v1/loss: a loss of some predictions and ∂loss/∂predictions from the tape."""

import numpy as np
from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.autodiff import loss_gradient
from app.engine.losses import get_loss, prepare_targets
from app.schemas.loss import LossRequest, LossResponse, loss_response
from app.services.lessons import check_abs, check_rows

router = APIRouter(prefix="/api/v1", tags=["loss"])


@router.post("/loss", response_model=LossResponse)
def post_loss(req: LossRequest) -> dict:
    """The batch loss (mean or sum of per-sample losses) and its gradient from GradientTape."""
    settings = get_settings()
    rows = check_rows(
        req.predictions,
        ("body", "predictions"),
        "predictions",
        settings.max_batch,
        settings.max_vector_length,
    )
    predictions = np.asarray(rows, dtype=float)
    loss = get_loss(req.loss)
    targets = prepare_targets(req.targets, loss, predictions.shape[1], predictions.shape[0])
    for index, value in np.ndenumerate(targets):
        check_abs(float(value), ("body", "targets", *map(int, index)))
    result = loss_gradient(loss, targets, predictions, req.from_logits, req.reduction, req.dtype)
    return loss_response(result, targets, req.dtype)
