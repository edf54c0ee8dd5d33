"""Arrays to JSON: nested lists where every non-finite number becomes ``null``.

JSON has no NaN or Infinity; a response that would carry one names it in ``warnings``.
"""

import math

import numpy as np


class FiniteTracker:
    """Converts arrays to lists and remembers which fields held non-finite values."""

    def __init__(self):
        self.non_finite: list[str] = []

    def __call__(self, value, name: str):
        if value is None:
            return None
        arr = np.asarray(value, dtype=float)
        finite = np.isfinite(arr)
        if finite.all():
            return arr.tolist()
        self.non_finite.append(name)
        return _nullify(arr.tolist())

    def scalar(self, value, name: str):
        value = float(value)
        if math.isfinite(value):
            return value
        self.non_finite.append(name)
        return None

    def warning(self) -> dict | None:
        if not self.non_finite:
            return None
        shown = ", ".join(self.non_finite[:12]) + (" …" if len(self.non_finite) > 12 else "")
        return {
            "code": "non_finite",
            "message": "Some values overflowed or are undefined (NaN or ±Infinity) and are sent "
            f"as null: {shown}. Try smaller weights, inputs or learning rate.",
            "fields": self.non_finite,
        }


def _nullify(value):
    """The same nesting with every non-finite float replaced by None."""
    if isinstance(value, list):
        return [_nullify(v) for v in value]
    return value if math.isfinite(value) else None
