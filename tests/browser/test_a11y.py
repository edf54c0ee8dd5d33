"""axe-core (axe-playwright-python) on every page in both languages: no serious or critical
violation; and a visible focus ring wherever the keyboard lands."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.page_checks import CASES, IDS, open_drawn, shared_page

pytestmark = pytest.mark.browser

AXE = Axe()
SERIOUS = {"serious", "critical"}


class KnownViolations(AssertionError):
    """Exactly the violations a page is known to have (and nothing else)."""


# Known, from files owned elsewhere (to be fixed there): path -> rule ids. A strict xfail
# fails as soon as the page is fixed, so the mark cannot outlive the problem.
KNOWN: dict[str, set[str]] = {}


def _case(path, lang, case_id):
    if path not in KNOWN:
        return pytest.param(path, lang, id=case_id)
    reason = f"{path}: {sorted(KNOWN[path])} come from its own template"
    mark = pytest.mark.xfail(strict=True, raises=KnownViolations, reason=reason)
    return pytest.param(path, lang, id=case_id, marks=mark)


@pytest.fixture(scope="module")
def laptop(browser, live_server):
    with shared_page(browser, live_server, 1280, 800) as page:
        yield page


@pytest.mark.parametrize(
    ("path", "lang"), [_case(p, lang, i) for (p, lang), i in zip(CASES, IDS, strict=True)]
)
def test_no_serious_axe_violation(laptop, path, lang):
    open_drawn(laptop, path, lang)
    violations = AXE.run(laptop).response["violations"]
    serious = {
        v["id"]: [n["target"] for n in v["nodes"]] for v in violations if v["impact"] in SERIOUS
    }
    if serious and set(serious) == KNOWN.get(path):
        raise KnownViolations(f"{path}: {serious}")
    assert serious == {}


@pytest.mark.parametrize("path", ["/", "/chain-rule", "/landscape", "/docs"])
def test_keyboard_focus_is_visible(laptop, path):
    """Tab through the first stops of a page: each one shows an outline."""
    open_drawn(laptop, path, "en")
    laptop.locator("body").focus()
    seen = []
    for _ in range(8):
        laptop.keyboard.press("Tab")
        ring = laptop.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
              return {tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 30),
                      visible: el.matches(':focus-visible'),
                      outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""
        )
        seen.append(ring)
        assert ring["visible"] and ring["outline"], ring
    assert len({(s["tag"], s["id"], s["text"]) for s in seen}) == 8
