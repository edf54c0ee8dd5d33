"""GET /healthz: ready once TensorFlow is imported and warmed up."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.core.tensorflow import is_warm, tf

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz():
    if not is_warm():
        return JSONResponse({"status": "starting", "tensorflow": tf.__version__}, status_code=503)
    return {"status": "ok", "tensorflow": tf.__version__}
