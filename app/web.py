"""Page rendering: Jinja2 templates, the language choice, and versioned static URLs."""

import hashlib
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.staticfiles import StaticFiles

from app.core.config import get_settings
from app.core.mathml import latex_to_mathml
from app.i18n import LANGUAGES, page_strings, pick_language, translate

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
LONG_CACHE = "public, max-age=31536000, immutable"

# The Plotly bundle each page loads: the smallest official one with the page's trace types
# (static/vendor/plotly/README.md). "basic" = scatter, bar; "cartesian" adds heatmap and
# contour; "full" (the plotly wheel's bundle, 3.7x the gzipped size) only where 3-D is drawn;
# None where nothing is drawn with Plotly (/train draws on canvas).
PLOTLY_BUNDLES = {
    "basic": "vendor/plotly/plotly-basic.min.js",
    "cartesian": "vendor/plotly/plotly-cartesian.min.js",
}
PAGE_PLOTLY = {
    "home": None,
    "docs": None,
    "softmax": "cartesian",
    "train": None,
    "landscape": "full",
}

# The lessons in the notebook's order, then the tools built on them: (path, template, key).
PAGES = [
    ("/", "index.html", "home"),
    ("/chain-rule", "chain_rule.html", "chain_rule"),
    ("/second-order", "second_order.html", "second_order"),
    ("/activations", "activations.html", "activations"),
    ("/softmax", "softmax.html", "softmax"),
    ("/losses", "losses.html", "losses"),
    ("/network", "network.html", "network"),
    ("/train", "train.html", "train"),
    ("/gradient-flow", "gradient_flow.html", "gradient_flow"),
    ("/landscape", "landscape.html", "landscape"),
]


@lru_cache
def _file_version(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: cacheable for a year, new URL when it changes."""
    full = get_settings().static_dir / path
    return f"/static/{path}?v={_file_version(str(full))}"


def vendor_url(name: str) -> str:
    if name == "plotly":
        return f"/vendor/plotly.min.js?v={_file_version(str(PLOTLY_JS))}"
    raise KeyError(name)


def plotly_url(page_key: str) -> str | None:
    """The Plotly bundle for a page (None: the page draws no figure)."""
    bundle = PAGE_PLOTLY.get(page_key, "basic")
    if bundle is None:
        return None
    return vendor_url("plotly") if bundle == "full" else static_url(PLOTLY_BUNDLES[bundle])


class CachedStaticFiles(StaticFiles):
    """Static files with a year-long cache when the URL carries a version (``?v=``)."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["cache-control"] = LONG_CACHE if versioned else "no-cache"
        return response


def available_pages() -> list[tuple[str, str, str]]:
    """The pages whose template exists, in lesson order."""
    folder = get_settings().templates_dir
    return [page for page in PAGES if (folder / page[1]).exists()]


def mathml(latex: str, display: str = "inline") -> Markup:
    """LaTeX rendered to MathML on the server (templates: ``{{ mathml('y = x w + b') }}``)."""
    return Markup(latex_to_mathml(latex, display))


@lru_cache
def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=str(get_settings().templates_dir))
    env.env.globals.update(
        static_url=static_url, vendor_url=vendor_url, plotly_url=plotly_url, mathml=mathml
    )
    return env


def render_page(request: Request, template: str, key: str, **context):
    """Render one page in the request's language; sets the language cookie when chosen."""
    lang = pick_language(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )
    other = "zh" if lang == "en" else "en"
    response = templates().TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "other_lang": other,
            "t": lambda k: translate(k, lang),
            "page_key": key,
            "pages": available_pages(),
            "strings": page_strings(lang, "common", key),
            **context,
        },
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, max_age=31536000, samesite="lax")
    return response
