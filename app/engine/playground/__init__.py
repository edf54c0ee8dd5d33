"""TF Playground parity: its seeded ``Math.random``, its datasets and initial weights, and
its links (``#activation=…&seed=…``) to and from /train requests. Pure Python."""

from app.engine.playground.convert import Limits, export_link, import_link

__all__ = ["Limits", "export_link", "import_link"]
