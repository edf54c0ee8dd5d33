"""GET /api/v1/catalog: the registries and the limits, for the pages' menus."""

from fastapi import APIRouter

from app.core.config import get_settings
from app.schemas.catalog import Catalog
from app.services.catalog import catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/catalog", response_model=Catalog)
def get_catalog() -> dict:
    """Every activation, loss, optimizer, dataset and input feature with its parameters,
    bounds and labels (en, zh), and the limits from Settings."""
    return catalog(get_settings())
