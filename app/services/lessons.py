"""Checks shared by the lesson endpoints (activations, softmax, loss, autodiff).

Limits come from ``Settings`` and are checked here, before any TensorFlow work starts.
Errors are the engine's ``SpecError`` with the full ``loc`` (``["query", "num"]`` or
``["body", "logits", 2]``) so query parameters and body fields are named alike.
"""

from app.core.config import get_settings
from app.core.mathml import latex_to_mathml
from app.engine.errors import SpecError


def formula(latex: str) -> dict:
    return {"latex": latex, "mathml": latex_to_mathml(latex)}


def invalid(loc: tuple, msg: str) -> SpecError:
    """A 422 naming ``loc`` (the full path, starting with "query" or "body")."""
    return SpecError(loc[1:], msg, source=loc[0])


def check_abs(value: float, loc: tuple) -> float:
    """Reject numbers larger than ``max_abs_value`` in magnitude."""
    limit = get_settings().max_abs_value
    if abs(value) > limit:
        raise invalid(loc, f"|{value:g}| is over the limit of {limit:g}")
    return value


def check_curve(
    start: float, stop: float, num: int, prefix: str, names=("start", "stop", "num")
) -> None:
    """A curve's range and point count within the configured limits."""
    settings = get_settings()
    reach = settings.max_curve_range
    start_name, stop_name, num_name = names
    for name, value in ((start_name, start), (stop_name, stop)):
        if abs(value) > reach:
            raise invalid(
                (prefix, name), f"{name} = {value:g} is outside the allowed range ±{reach:g}"
            )
    if start > stop:
        raise invalid(
            (prefix, stop_name),
            f"{stop_name} ({stop:g}) must not be less than {start_name} ({start:g})",
        )
    if not 1 <= num <= settings.max_curve_points:
        raise invalid(
            (prefix, num_name),
            f"{num_name} = {num} points; a curve has 1 to {settings.max_curve_points} points",
        )


def check_rows(value: list, loc: tuple, what: str, max_rows: int, max_cols: int) -> list:
    """A non-empty rectangular list of rows within the limits, every |number| in range."""
    if not value:
        raise invalid(loc, f"{what} must not be empty")
    if len(value) > max_rows:
        raise invalid(loc, f"{len(value)} rows of {what} is over the limit of {max_rows}")
    width = len(value[0])
    for i, row in enumerate(value):
        if len(row) == 0 or len(row) > max_cols:
            raise invalid((*loc, i), f"each row of {what} needs 1 to {max_cols} values")
        if len(row) != width:
            raise invalid(
                (*loc, i), f"all rows of {what} must have {width} values; row {i} has {len(row)}"
            )
        for j, number in enumerate(row):
            check_abs(number, (*loc, i, j))
    return value


def check_length(value: list, loc: tuple, what: str, max_len: int) -> list:
    """A non-empty vector of at most ``max_len`` numbers, every |number| in range."""
    if not value or len(value) > max_len:
        raise invalid(loc, f"{what} needs 1 to {max_len} values; got {len(value)}")
    for j, number in enumerate(value):
        check_abs(number, (*loc, j))
    return value
