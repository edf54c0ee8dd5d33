"""Page rendering: Jinja2 templates, the language choice, and versioned static URLs."""

import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import Request
from fastapi.responses import Response
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
# contour (/landscape loads the "gl3d" one later, for its surface only); "full" is the plotly
# wheel's bundle; None where nothing is drawn with Plotly (/train draws on canvas).
PLOTLY_BUNDLES = {
    "basic": "vendor/plotly/plotly-basic.min.js",
    "cartesian": "vendor/plotly/plotly-cartesian.min.js",
    "gl3d": "vendor/plotly/plotly-gl3d.min.js",
}
PAGE_PLOTLY = {
    "home": None,
    "docs": None,
    "softmax": "cartesian",
    "train": None,
    "landscape": "cartesian",
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


@lru_cache(maxsize=8)
def _gzipped(path: str) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def minified_js(path: Path, accept_encoding: str, cache: str) -> Response:
    """A vendored ``.min.js``, gzipped once per process at level 9 (8% smaller than the
    middleware's per-request level 3, and no CPU spent on it again)."""
    headers = {"cache-control": cache, "vary": "accept-encoding"}
    if "gzip" in accept_encoding:
        headers["content-encoding"] = "gzip"
        return Response(_gzipped(str(path)), media_type="text/javascript", headers=headers)
    return Response(path.read_bytes(), media_type="text/javascript", headers=headers)


class CachedStaticFiles(StaticFiles):
    """Static files with a year-long cache when the URL carries a version (``?v=``)."""

    async def get_response(self, path, scope):
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            versioned = b"v=" in scope.get("query_string", b"")
            cache = LONG_CACHE if versioned else "no-cache"
            if path.endswith(".min.js"):
                accept = dict(scope["headers"]).get(b"accept-encoding", b"").decode("latin-1")
                return minified_js(Path(self.lookup_path(path)[0]), accept, cache)
            response.headers["cache-control"] = cache
        return response


_IMPORT = re.compile(r"""^import\b[^"']*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


@lru_cache
def module_preloads(entry: str) -> tuple[str, ...]:
    """The URLs a page module imports, directly or not (``js/pages/x.js`` → ``/static/js/…``),
    for ``<link rel="modulepreload">``: fetched at once instead of one import level at a time."""
    static = get_settings().static_dir.resolve()
    found: list[str] = []
    todo = [static / entry]
    while todo:
        module = todo.pop()
        if not module.is_file():
            continue
        for relative in _IMPORT.findall(module.read_text(encoding="utf-8")):
            target = (module.parent / relative).resolve()
            url = "/static/" + target.relative_to(static).as_posix()
            if url not in found:
                found.append(url)
                todo.append(target)
    return tuple(found)


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
        static_url=static_url,
        vendor_url=vendor_url,
        plotly_url=plotly_url,
        module_preloads=module_preloads,
        mathml=mathml,
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
