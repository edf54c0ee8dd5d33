"""Every page in both languages on a phone (390×844), a laptop (1280×800) and a projector
(1920×1080): nothing wider than the viewport, no two labels of a figure on top of each
other, no edge through a label, the toolbar over no label, round axis ticks; on phones a
menu button."""

import pytest

from tests.browser.page_checks import (
    ARROWS_THROUGH_LABELS,
    CASES,
    IDS,
    OVERFLOWING,
    OVERLAPPING_LABELS,
    UNROUND_TICKS,
    open_drawn,
    shared_page,
)

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800), "projector": (1920, 1080)}


@pytest.fixture(scope="module", params=list(VIEWPORTS), ids=list(VIEWPORTS))
def sized_page(request, browser, live_server):
    width, height = VIEWPORTS[request.param]
    phone = request.param == "phone"
    with shared_page(browser, live_server, width, height, has_touch=phone, is_mobile=phone) as page:
        yield page


@pytest.mark.parametrize(("path", "lang"), CASES, ids=IDS)
def test_fits_the_viewport_and_labels_stay_apart(sized_page, path, lang):
    open_drawn(sized_page, path, lang)
    overflow = sized_page.evaluate(OVERFLOWING)
    assert overflow["scrollWidth"] <= overflow["width"], overflow
    assert overflow["elements"] == [], overflow
    assert sized_page.evaluate(OVERLAPPING_LABELS) == []
    assert sized_page.evaluate(ARROWS_THROUGH_LABELS) == []
    assert sized_page.evaluate(UNROUND_TICKS) == []


@pytest.fixture(scope="module")
def phone(browser, live_server):
    with shared_page(browser, live_server, 390, 844, has_touch=True, is_mobile=True) as page:
        yield page


def test_menu_button_folds_the_navigation_on_a_phone(phone):
    phone.goto("/chain-rule?lang=en")
    toggle = phone.locator("#nav-toggle")
    nav = phone.locator("#site-nav")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "site-nav"
    # The header takes little of the first screen while the menu is closed.
    assert phone.locator("#site-header").bounding_box()["height"] < 120
    toggle.tap()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert nav.locator("a").count() == 10
    nav.get_by_text("Softmax").tap()
    phone.wait_for_url("**/softmax")
    assert not phone.locator("#site-nav").is_visible()


def test_menu_button_works_from_the_keyboard(phone):
    phone.goto("/losses?lang=zh")
    toggle = phone.locator("#nav-toggle")
    assert toggle.inner_text().strip() == "菜单"
    toggle.focus()
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    phone.keyboard.press("Tab")  # into the first link
    focused = phone.evaluate("document.activeElement.closest('#site-nav') !== null")
    assert focused
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("#site-nav").is_visible()
    assert phone.evaluate("document.activeElement.id") == "nav-toggle"


def test_no_menu_button_on_a_laptop(browser, live_server):
    with shared_page(browser, live_server, 1280, 800) as page:
        page.goto("/?lang=en")
        assert not page.locator("#nav-toggle").is_visible()
        assert page.locator("#site-nav").is_visible()


@pytest.mark.parametrize(
    ("path", "figure", "target", "words"),
    [
        ("/activations", "act-plot", ".nsewdrag", "Sigmoid"),  # the curve crosses the centre
        ("/softmax", "sm-jacobian", ".nsewdrag", "∂p"),
    ],
)
def test_tap_shows_what_hover_shows(phone, path, figure, target, words):
    """A tap on a figure shows the same label a mouse shows on hover (touch has no hover)."""
    open_drawn(phone, path, "en")
    plot = phone.locator(f"#{figure} {target}").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert phone.locator(f"#{figure} .hoverlayer .hovertext").count() == 0
    phone.touchscreen.tap(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    phone.wait_for_selector(f"#{figure} .hoverlayer .hovertext", timeout=5_000)
    assert words in phone.locator(f"#{figure} .hoverlayer").text_content()
