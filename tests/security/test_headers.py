"""Security headers on pages, API, static files and errors; pages carry no inline code.

The Content-Security-Policy allows scripts only from the app itself (no 'unsafe-inline', no
'unsafe-eval', no outside origin) and forbids framing; every response also says nosniff and
no-referrer. The HTML is checked too, because a CSP only helps if the pages obey it.
"""

import re
from html.parser import HTMLParser

import pytest

from app.web import available_pages, static_url, vendor_url

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_secure_headers(response):
    where = f"{response.request.method} {response.request.url.path}"
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}={response.headers.get(name)}"
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"], f"{where}: script-src {csp['script-src']}"
    assert csp["default-src"] == ["'self'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["object-src"] == ["'none'"], where
    assert csp["base-uri"] == ["'self'"], where
    for directive, sources in csp.items():
        for source in sources:
            # Only the app itself (and data:/blob: for Plotly's images); never another origin.
            assert source in {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}, (
                f"{where}: {directive} allows {source}"
            )
            if source == "'unsafe-inline'":
                assert directive == "style-src", f"{where}: {directive} allows inline code"


def page_paths() -> list[str]:
    return [path for path, _template, _key in available_pages()]


def test_every_page_sends_the_security_headers(client):
    for path in [*page_paths(), "/docs"]:
        for lang in ("en", "zh"):
            response = client.get(path, params={"lang": lang})
            assert response.status_code == 200, path
            assert_secure_headers(response)


def test_api_and_errors_send_the_security_headers(client):
    responses = [
        client.get("/healthz"),
        client.get("/openapi.json"),
        client.post("/api/v1/backprop", json={"layers": [1, 1], "inputs": [[1]], "targets": [[0]]}),
        client.post("/api/v1/backprop", json={"layers": "nope"}),  # 422
        client.get("/no-such-page"),  # 404
        client.delete("/api/v1/backprop"),  # 405
        client.post(
            "/api/v1/backprop",
            content=b"[" * 2_000_000,
            headers={"content-type": "application/json"},
        ),  # 413
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 422, 404, 405, 413]
    for response in responses:
        assert_secure_headers(response)


def test_static_files_send_headers_and_long_cache_only_when_versioned(client):
    versioned = [static_url("css/site.css"), static_url("js/api.js"), vendor_url("plotly")]
    for url in versioned:
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200, url
        assert_secure_headers(response)
        cache = response.headers["cache-control"]
        assert "max-age=31536000" in cache and "immutable" in cache, f"{url}: {cache}"
    plain = client.get("/static/css/site.css")
    assert plain.headers["cache-control"] == "no-cache"
    big = client.get(vendor_url("plotly"), headers={"accept-encoding": "gzip"})
    assert big.headers.get("content-encoding") == "gzip"
    assert big.headers["content-type"].startswith("text/javascript")


def test_javascript_is_served_with_a_javascript_type(client):
    response = client.get(static_url("js/api.js"))
    assert response.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }


class _Audit(HTMLParser):
    """Collects what a CSP of script-src 'self' would block or what would leave the app."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.outside_urls: list[str] = []
        self._script_type: str | None = None
        self._script_has_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if name in {"src", "href", "action", "formaction", "srcset", "poster", "data"}:
                if value and re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", value, re.I):
                    if not value.lower().startswith(("data:", "blob:", "mailto:")):
                        self.outside_urls.append(f"<{tag} {name}={value}>")
                if value and value.strip().lower().startswith("javascript:"):
                    self.handlers.append(f"<{tag} {name}=javascript:>")
        if tag == "script":
            self._script_type = (attrs.get("type") or "text/javascript").lower()
            self._script_has_src = "src" in attrs

    def handle_data(self, data):
        if self._script_type is not None and data.strip():
            if self._script_type != "application/json" and not self._script_has_src:
                self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_type = None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_have_no_inline_code_and_no_outside_urls(client, lang):
    for path in [*page_paths(), "/docs"]:
        audit = _Audit()
        audit.feed(client.get(path, params={"lang": lang}).text)
        assert not audit.inline_scripts, f"{path}: inline <script> code {audit.inline_scripts}"
        assert not audit.handlers, f"{path}: inline event handlers {audit.handlers}"
        assert not audit.outside_urls, f"{path}: outside URLs {audit.outside_urls}"


def test_no_javascript_evaluates_strings():
    """Nothing user-supplied can be evaluated if no script can evaluate a string at all."""
    from app.core.config import get_settings

    forbidden = re.compile(
        r"\beval\s*\(|\bnew\s+Function\s*\(|document\.write\s*\(|"
        r"set(Timeout|Interval)\s*\(\s*[\"'`]"
    )
    scripts = sorted((get_settings().static_dir / "js").rglob("*.js"))
    assert scripts
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in scripts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert not offenders, offenders
