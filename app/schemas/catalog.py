"""GET /api/v1/catalog: every registry entry and the limits, as the pages build menus."""

from pydantic import BaseModel


class Labels(BaseModel):
    en: str
    zh: str


class Param(BaseModel, extra="allow"):
    """A parameter: its default and bounds (``min``/``max``, inclusive or not)."""

    name: str
    default: float | bool | None


class Entry(BaseModel, extra="allow"):
    """One registry entry: its name (the API's value), labels and what else a page needs."""

    name: str
    labels: Labels
    params: list[Param] = []


class Catalog(BaseModel):
    activations: list[Entry]
    losses: list[Entry]
    optimizers: list[Entry]
    datasets: list[Entry]
    features: list[Entry]
    initializers: list[Entry]
    dtypes: list[Entry]
    regularizations: list[Entry]
    limits: dict[str, float | int]
