"""The HTML pages over HTTP: HEAD as well as GET, the home page's curl example names the
address it was served from, /docs keeps the site's header, each page the Plotly it needs."""

import pytest

from app.web import PAGE_PLOTLY, available_pages

PATHS = [path for path, _template, _key in available_pages()] + ["/docs"]


@pytest.mark.parametrize("path", PATHS)
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
    assert "text/html" in head.headers["content-type"]


def test_head_on_a_missing_page_is_404(client):
    assert client.head("/no-such-page").status_code == 404


@pytest.mark.parametrize("host", ["example.test:9000", "10.0.0.7:8080", "teacher-laptop"])
def test_curl_example_names_the_address_the_page_came_from(client, host):
    html = client.get("/?lang=en", headers={"host": host}).text
    assert f"curl -s http://{host}/api/v1/backprop" in html
    assert "127.0.0.1:8000" not in html


def test_docs_keeps_the_site_header_in_both_languages(client):
    english = client.get("/docs?lang=en").text
    assert 'id="site-nav"' in english and 'href="/chain-rule"' in english
    assert '<a href="/docs" aria-current="page">API</a>' in english
    assert 'id="swagger-ui"' in english and "/vendor/swagger/swagger-ui-bundle.js" in english
    chinese = client.get("/docs?lang=zh").text
    assert 'lang="zh-Hans"' in chinese and "API 文档" in chinese


@pytest.mark.parametrize(
    ("path", "bundle"),
    [
        ("/", None),
        ("/docs", None),
        ("/chain-rule", "plotly-basic.min.js"),
        ("/network", "plotly-basic.min.js"),
        ("/softmax", "plotly-cartesian.min.js"),
        ("/train", None),
        ("/landscape", "plotly-cartesian.min.js"),
    ],
)
def test_each_page_loads_the_smallest_plotly_that_draws_it(client, path, bundle):
    html = client.get(path).text
    scripts = [
        s for s in ("plotly-basic.min.js", "plotly-cartesian.min.js", "/vendor/plotly.min.js")
    ]
    loaded = [s for s in scripts if s in html]
    assert loaded == ([bundle] if bundle else [])


def test_only_landscape_names_the_3d_bundle_for_later(client):
    """/landscape loads the 3-D bundle only when it draws its surface (not in <head>)."""
    for path in PATHS:
        assert ("plotly-gl3d.min.js" in client.get(path).text) == (path == "/landscape"), path
    landscape = client.get("/landscape").text
    assert 'data-plotly3d="/static/vendor/plotly/plotly-gl3d.min.js?v=' in landscape
    assert '<script src="/static/vendor/plotly/plotly-gl3d' not in landscape


def test_vendored_bundles_are_served_gzipped_and_cached_for_a_year(client):
    from app.web import PLOTLY_BUNDLES, static_url

    assert set(PAGE_PLOTLY.values()) <= {None, "full", *PLOTLY_BUNDLES}
    for name in PLOTLY_BUNDLES.values():
        response = client.get(static_url(name), headers={"accept-encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert "max-age=31536000" in response.headers["cache-control"]
        assert b"plotly.js" in response.content[:200]
