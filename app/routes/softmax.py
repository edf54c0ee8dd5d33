"""POST /api/v1/softmax: probabilities and their Jacobian from tf.GradientTape."""

import numpy as np
from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.autodiff import softmax_jacobian_tape
from app.schemas.softmax import SoftmaxRequest, SoftmaxResponse, softmax_response
from app.services.lessons import check_length, check_rows, invalid

router = APIRouter(prefix="/api/v1", tags=["softmax"])


@router.post("/softmax", response_model=SoftmaxResponse)
def post_softmax(req: SoftmaxRequest) -> dict:
    """p = softmax(z) and ∂p_i/∂z_j = p_i(δ_ij − p_j), the latter from the tape."""
    settings = get_settings()
    loc = ("body", "logits")
    batched = bool(req.logits) and isinstance(req.logits[0], list)
    if batched:
        rows = check_rows(req.logits, loc, "logits", settings.max_batch, settings.max_vector_length)
    else:
        rows = [check_length(req.logits, loc, "logits", settings.max_vector_length)]
    entries = len(rows) * len(rows[0]) ** 2
    if entries > settings.max_jacobian_entries:
        raise invalid(
            loc,
            f"{len(rows)} rows of {len(rows[0])} logits make a Jacobian of {entries} numbers; "
            f"the limit is {settings.max_jacobian_entries} (use fewer rows)",
        )
    result = softmax_jacobian_tape(np.asarray(rows, dtype=float), req.dtype)
    return softmax_response(result, batched, req.dtype)
