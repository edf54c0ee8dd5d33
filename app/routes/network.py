"""GET /api/v1/network/config: limits, registry names and presets for the /network page."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.engine.activations import ACTIVATIONS
from app.engine.losses import LOSSES
from app.engine.network import DTYPES, INITIALIZERS
from app.engine.presets import presets
from app.schemas.network import NetworkConfig

router = APIRouter(prefix="/api/v1", tags=["network"])


@router.get("/network/config", response_model=NetworkConfig)
def get_network_config() -> dict:
    """What a network may be built from: the size limits, the names, and ready-made presets."""
    settings = get_settings()
    return {
        "limits": {
            "max_layers": settings.max_layers,
            "max_units": settings.max_units,
            "max_batch": settings.max_batch,
            "max_abs_value": settings.max_abs_value,
        },
        "activations": list(ACTIVATIONS),
        "activation_params": {name: dict(a.params) for name, a in ACTIVATIONS.items() if a.params},
        "losses": list(LOSSES),
        "initializers": list(INITIALIZERS),
        "dtypes": list(DTYPES),
        "presets": presets(),
    }
