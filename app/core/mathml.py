"""LaTeX → MathML on the server, so formulas render offline (Chromium renders MathML Core)."""

from functools import lru_cache

from latex2mathml.converter import convert


@lru_cache(maxsize=512)
def latex_to_mathml(latex: str, display: str = "inline") -> str:
    """A ``<math>`` element for ``latex``; cached because the formulas are a fixed set."""
    return convert(latex, display=display)
