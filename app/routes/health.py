"""GET /healthz: ready once TensorFlow is imported and warmed up."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.engine.tf import is_warm, tf

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    tensorflow: str


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}})
async def healthz():
    """Async on purpose: probes answer at once, never queued behind computations."""
    if not is_warm():
        return JSONResponse({"status": "starting", "tensorflow": tf.__version__}, status_code=503)
    return {"status": "ok", "tensorflow": tf.__version__}
