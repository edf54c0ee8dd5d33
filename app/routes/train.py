"""POST /api/v1/train: many gradient steps in one compiled graph, with history and boundary."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.schemas.train import TrainRequest, TrainResponse
from app.services import training

router = APIRouter(prefix="/api/v1", tags=["train"])


@router.post("/train", response_model=TrainResponse)
def post_train(req: TrainRequest) -> dict:
    """Train with TensorFlow: the whole loop of steps runs inside one compiled graph."""
    return training.http_response(req, get_settings())
