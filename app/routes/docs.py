"""Interactive API docs at /docs, served from the app (Swagger UI from a wheel, no CDN)."""

import importlib.util
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from app.web import render_page

# Swagger UI 5 (OpenAPI 3.1) ships in the swagger-ui-py wheel; only its files are used.
SWAGGER_DIR = Path(importlib.util.find_spec("swagger_ui").submodule_search_locations[0]) / "static"
swagger_files = StaticFiles(directory=SWAGGER_DIR)
router = APIRouter(include_in_schema=False)


@router.api_route("/docs", methods=["GET", "HEAD"])
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI inside the site's layout (header, language switch, way back)."""
    return render_page(request, "docs.html", "docs")
