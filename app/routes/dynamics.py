"""POST /api/v1/gradient-flow and /api/v1/landscape: how gradients behave across layers and
across weight space."""

from fastapi import APIRouter

from app.engine.gradient_flow import gradient_flow
from app.engine.landscape import landscape
from app.schemas.dynamics import (
    GradientFlowRequest,
    GradientFlowResponse,
    LandscapeRequest,
    LandscapeResponse,
)
from app.services.dynamics import (
    gradient_flow_response,
    landscape_response,
    prepare_flow,
    prepare_landscape,
)

router = APIRouter(prefix="/api/v1", tags=["dynamics"])


@router.post("/gradient-flow", response_model=GradientFlowResponse)
def post_gradient_flow(req: GradientFlowRequest) -> dict:
    """Per-layer ‖∂L/∂W‖, ‖δ‖, mean |a| and saturated fraction for each configuration."""
    jobs, inputs, targets, loss = prepare_flow(req)
    results = [
        gradient_flow(
            job.net, inputs, targets, loss, req.from_logits, req.reduction, req.saturation_threshold
        )
        for job in jobs
    ]
    return gradient_flow_response(req, jobs, inputs, results)


@router.post("/landscape", response_model=LandscapeResponse)
def post_landscape(req: LandscapeRequest) -> dict:
    """The loss over two weights (others held), the gradient there, and optimizer paths."""
    job = prepare_landscape(req)
    result = landscape(
        job.fn, job.start, job.values_a, job.values_b, job.optimizers, req.path_steps
    )
    return landscape_response(req, job, result)
