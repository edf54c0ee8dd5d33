"""English and Simplified Chinese strings for the pages.

Each ``*.json`` file here holds ``{"en": {key: text}, "zh": {key: text}}`` for one page
(``common.json`` for the layout); keys are namespaced by file name, e.g. ``network.title``.
A test checks that every key exists in both languages.
"""

import json
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).parent


@lru_cache
def catalog() -> dict[str, dict[str, str]]:
    """All strings, ``{lang: {"page.key": text}}``."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            for key, text in data.get(lang, {}).items():
                merged[lang][f"{path.stem}.{key}"] = text
    return merged


def translate(key: str, lang: str) -> str:
    strings = catalog()
    return strings.get(lang, {}).get(key) or strings[DEFAULT_LANGUAGE].get(key, key)


def page_strings(lang: str, *prefixes: str) -> dict[str, str]:
    """The strings of some pages, for a page's JavaScript (``{"network.title": ...}``)."""
    wanted = tuple(f"{p}." for p in prefixes)
    return {k: v for k, v in catalog()[lang].items() if k.startswith(wanted)}


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """?lang= wins, then the cookie, then the browser's Accept-Language."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return choice
    if accept and accept.strip().lower().startswith("zh"):
        return "zh"
    return DEFAULT_LANGUAGE
