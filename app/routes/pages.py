"""The HTML pages: one template each, all drawn from the API's JSON in the browser."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from app.core.config import get_settings
from app.web import LONG_CACHE, PAGES, PLOTLY_JS, minified_js, render_page

router = APIRouter(include_in_schema=False)


def _page_route(template: str, key: str):
    async def page(request: Request) -> HTMLResponse:
        if not (get_settings().templates_dir / template).exists():
            raise HTTPException(404, "page not found")
        return render_page(request, template, key)

    page.__name__ = f"page_{key}"
    return page


# HEAD too: uptime checks and `curl -I` ask for the headers only.
for _path, _template, _key in PAGES:
    router.add_api_route(_path, _page_route(_template, _key), methods=["GET", "HEAD"])


@router.get("/vendor/plotly.min.js")
async def plotly_js(request: Request) -> Response:
    return minified_js(PLOTLY_JS, request.headers.get("accept-encoding", ""), LONG_CACHE)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    icon = get_settings().static_dir / "favicon.svg"
    return FileResponse(
        icon, media_type="image/svg+xml", headers={"cache-control": "max-age=86400"}
    )
