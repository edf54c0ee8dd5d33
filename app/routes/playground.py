"""POST /api/v1/playground/import and /export: TF Playground links to /train requests and back."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.playground import Limits, export_link, import_link
from app.schemas.common import build_network_from
from app.schemas.playground import ExportResponse, ImportRequest, ImportResponse
from app.schemas.train import TrainRequest

router = APIRouter(prefix="/api/v1/playground", tags=["playground"])


@router.post("/import", response_model=ImportResponse)
def post_import(req: ImportRequest) -> dict:
    """The /train request that starts the run a Playground link starts, plus what differs."""
    settings = get_settings()
    return import_link(req.url, Limits(settings.max_layers, settings.max_units))


@router.post("/export", response_model=ExportResponse)
def post_export(req: TrainRequest) -> dict:
    """The Playground link for a /train request, plus what Playground cannot reproduce."""
    build_network_from(req)  # the same checks as /train: layers, activations, shapes, limits
    return export_link(req.model_dump())
