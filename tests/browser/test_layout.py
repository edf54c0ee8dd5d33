"""The shared layout and home page in a real browser, in both languages."""

import pytest

pytestmark = pytest.mark.browser


def test_home_lists_lessons_in_english(page):
    page.goto("/?lang=en")
    assert page.locator("h1").inner_text() == "Learn backpropagation by watching it"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("link[rel=icon]").count() == 1


def test_language_switch_goes_to_chinese_and_sticks(page):
    page.goto("/?lang=en")
    page.click("#lang-switch")
    page.wait_for_url("**lang=zh**")
    assert page.locator("h1").inner_text() == "看着反向传播发生，学会它"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.goto("/")  # the cookie remembers the choice, with no ?lang= in the URL
    assert page.locator("h1").inner_text() == "看着反向传播发生，学会它"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "链式法则" in page.locator("#site-nav").inner_text()


def test_api_docs_load_offline_under_the_site_header(page):
    page.goto("/docs?lang=en")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "Backprop Visualizer API" in page.locator(".swagger-ui .info").inner_text()
    # The site's header stays, so there is a way back to the lessons.
    page.locator("#site-nav").get_by_text("Chain rule").click()
    page.wait_for_url("**/chain-rule")
    assert page.locator("h1").inner_text() == "The chain rule with GradientTape"


def test_home_curl_example_uses_the_served_address(page, live_server):
    page.goto("/?lang=en")
    assert (
        page.locator("#home-curl").inner_text().startswith(f"curl -s {live_server}/api/v1/backprop")
    )
