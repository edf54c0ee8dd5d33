"""TF Playground's URL state: one table of its properties, parsed and written as
``src/state.ts`` does (``deserializeState`` / ``serialize``), with JavaScript's number rules.

Parsing never guesses: a value Playground would ignore is ignored here too, and said in a
note; a value that would break Playground's run (not a number, no training data) is an
error that names the property.
"""

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from app.engine.errors import SpecError

HIDE_SUFFIX = "_hide"
PLAYGROUND_URL = "https://playground.tensorflow.org/"


@dataclass(frozen=True)
class Prop:
    """One entry of state.ts's ``PROPS``: name, type, default, and what it changes."""

    name: str
    kind: str  # "object" (a key of ``choices``), "number", "string", "boolean", "numbers"
    default: Any
    choices: tuple[str, ...] = ()
    low: float | None = None  # bounds for the run we build (Playground's UI has its own)
    high: float | None = None
    integer: bool = False
    note: str = ""  # said when the property is set but changes nothing we compute


DISPLAY = "only changes how Playground's page looks; the run is the same"
INPUTS = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")  # playground.ts, in order
NO_COS = "Playground's page has no cos input (its INPUTS table lacks it), so its network ignores it"

# state.ts PROPS, in its order (serialize writes them in this order).
PROPS: tuple[Prop, ...] = (
    Prop("activation", "object", "tanh", ("relu", "tanh", "sigmoid", "linear")),
    Prop("regularization", "object", None, ("none", "L1", "L2")),
    Prop("batchSize", "number", 10, low=1, integer=True),
    Prop("dataset", "object", "circle", ("circle", "xor", "gauss", "spiral")),
    Prop("regDataset", "object", "reg-plane", ("reg-plane", "reg-gauss")),
    Prop("learningRate", "number", 0.03, low=0, high=1e4),
    Prop("regularizationRate", "number", 0, low=0, high=10),
    Prop("noise", "number", 0),
    Prop("networkShape", "numbers", [4, 2], low=1, integer=True),
    Prop("seed", "string", None),
    Prop("showTestData", "boolean", False, note=DISPLAY),
    Prop("discretize", "boolean", False, note=DISPLAY + " (the heatmap is drawn in two colours)"),
    Prop("percTrainData", "number", 50),
    Prop("x", "boolean", True),
    Prop("y", "boolean", True),
    Prop("xTimesY", "boolean", False),
    Prop("xSquared", "boolean", False),
    Prop("ySquared", "boolean", False),
    Prop("cosX", "boolean", False, note=NO_COS),
    Prop("sinX", "boolean", False),
    Prop("cosY", "boolean", False, note=NO_COS),
    Prop("sinY", "boolean", False),
    Prop("collectStats", "boolean", False, note="Playground's statistics collection is not shown"),
    Prop("tutorial", "string", None, note="Playground's tutorial text is not shown here"),
    Prop("problem", "object", "classification", ("classification", "regression")),
    Prop("initZero", "boolean", False),
    Prop("hideText", "boolean", False, note=DISPLAY),
)
PROP = {p.name: p for p in PROPS}


def note(field: str, message: str) -> dict:
    return {"field": field, "message": message}


# ---- JavaScript numbers -----------------------------------------------------------------

_DECIMAL = re.compile(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
_RADIX = {"0x": 16, "0o": 8, "0b": 2}


def js_to_number(text: str) -> float:
    """``+text`` in JavaScript: trimmed, "" is 0, hex/octal/binary literals, else NaN."""
    text = text.strip()
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    base = _RADIX.get(text[:2].lower())
    if base is not None:
        try:
            return float(int(text[2:], base))
        except ValueError:
            return math.nan
        except OverflowError:
            return math.inf
    return math.nan


def js_number_string(value: float) -> str:
    """``String(value)`` in JavaScript (ECMAScript Number::toString), e.g. 1e-7 → "1e-7"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(float(value)))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k, n = len(digits), len(digits) + exponent  # value = 0.digits × 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


# ---- Parsing ----------------------------------------------------------------------------


def hash_of(url: str) -> str:
    """The ``#…`` part of a Playground link as ``location.hash`` gives it (without "#").

    A bare ``name=value&…`` string is taken as the hash itself. Characters a browser
    percent-encodes in a fragment (space, quotes, <, >, `, non-ASCII) are encoded the same way.
    """
    url = url.strip().encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # as USVString
    url = re.sub(r"[\t\n\r]", "", url)  # the URL parser drops ASCII tabs and newlines
    if "#" in url:
        text = url.split("#", 1)[1]
    elif "=" in url and not re.match(r"[a-z]+://", url, re.I):
        text = url
    else:
        text = ""
    return quote(text, safe="!#$%&'()*+,-./:;=?@[\\]^_{|}~")


def parse_hash(text: str) -> tuple[dict, list[dict]]:
    """The state a Playground page deserialises from ``text`` (a link or its hash), and
    notes on every setting that does not reach the run."""
    stripped = text.strip()
    if not re.match(r"[a-z][a-z0-9+.-]*://", stripped, re.I) and not (
        "#" in stripped or "=" in stripped
    ):
        raise SpecError(
            ("url",),
            "this is not a TF Playground link: paste the page's address "
            "(https://playground.tensorflow.org/#activation=tanh&…) or the part after #",
        )
    pairs: dict[str, str | None] = {}
    for item in hash_of(text).split("&"):
        name, *rest = item.split("=")
        pairs[name] = rest[0] if rest else None  # JS: [name, value] = split("=")
    state = {p.name: (list(p.default) if p.kind == "numbers" else p.default) for p in PROPS}
    notes: list[dict] = []
    for prop in PROPS:
        raw = pairs.get(prop.name)
        if raw is None or (prop.kind != "numbers" and raw.strip() == ""):
            continue
        state[prop.name] = _read(prop, raw, notes)
        if prop.note and state[prop.name] not in (False, None):
            notes.append(note(prop.name, f"{prop.name}={raw}: {prop.note}"))
    hidden = set()
    for name, raw in pairs.items():
        if name.endswith(HIDE_SUFFIX) and len(name) > len(HIDE_SUFFIX):
            control = name[: -len(HIDE_SUFFIX)]
            if raw == "true" and control in INPUTS:
                hidden.add(control)  # playground.ts deletes it from INPUTS: not an input
            elif raw == "true":
                notes.append(note(name, f"{name}=true hides a control on Playground's page"))
        elif name and name not in PROP:
            notes.append(note(name, f"'{name}' is not a Playground setting; ignored"))
    state["hidden_inputs"] = sorted(hidden)
    _clamp_noise(state, notes)
    return state, notes


def _read(prop: Prop, raw: str, notes: list[dict]):
    if prop.kind == "object":
        if raw in prop.choices:
            return None if raw == "none" else raw
        default = prop.default if prop.default is not None else "none"
        notes.append(
            note(
                prop.name,
                f"{prop.name}={raw} is not one of {', '.join(prop.choices)}: "
                f"Playground keeps its default {default}, and so does this run",
            )
        )
        return prop.default
    if prop.kind == "string":
        return raw
    if prop.kind == "boolean":
        return raw != "false"  # as state.ts: anything but "false" is true
    if prop.kind == "numbers":
        pieces = [] if raw.strip() == "" else raw.split(",")
        return [_checked(prop, js_to_number(piece), piece) for piece in pieces]
    return _checked(prop, js_to_number(raw), raw)


def _checked(prop: Prop, value: float, raw: str) -> float:
    loc = ("url", prop.name)
    if not math.isfinite(value):
        raise SpecError(loc, f"{prop.name}={raw}: '{raw}' is not a finite number")
    if prop.integer and value != int(value):
        raise SpecError(loc, f"{prop.name}={raw}: expected a whole number")
    if prop.low is not None and value < prop.low:
        raise SpecError(loc, f"{prop.name}={raw}: must be at least {js_number_string(prop.low)}")
    if prop.high is not None and value > prop.high:
        raise SpecError(loc, f"{prop.name}={raw}: must be at most {js_number_string(prop.high)}")
    return int(value) if prop.integer else value


def _clamp_noise(state: dict, notes: list[dict]) -> None:
    """playground.ts makeGUI: noise above 80 becomes 50 and below 0 becomes 0."""
    noise = state["noise"]
    clamped = 50 if noise > 80 else 0 if noise < 0 else noise
    if clamped != noise:
        notes.append(
            note("noise", f"noise={js_number_string(noise)}: Playground uses {clamped} instead")
        )
        state["noise"] = clamped


# ---- Writing ----------------------------------------------------------------------------


def serialize(state: dict) -> str:
    """state.ts ``serialize``: every property with a value, in PROPS order, as a hash."""
    parts = []
    for prop in PROPS:
        value = state.get(prop.name, prop.default)
        if value is None:
            continue  # state.ts skips missing values (regularization none, no tutorial)
        if prop.kind == "numbers":
            text = ",".join(js_number_string(v) for v in value)
        elif prop.kind == "boolean":
            text = "true" if value else "false"
        elif prop.kind == "number":
            text = js_number_string(value)
        else:
            text = str(value)
        parts.append(f"{prop.name}={text}")
    return "&".join(parts)


def playground_url(state: dict) -> str:
    return PLAYGROUND_URL + "#" + serialize(state)
