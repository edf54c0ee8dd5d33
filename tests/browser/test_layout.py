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
    page.goto("/")  # the cookie remembers the choice
    assert "课程" in page.locator(".site-nav").inner_text() or page.locator("h1").inner_text()


def test_api_docs_load_offline(page):
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "Backprop Visualizer API" in page.locator(".swagger-ui .info").inner_text()
