"""The one exception the engine raises for input it cannot use."""


class SpecError(ValueError):
    """Input that is well-typed but wrong (shape, range, limit).

    ``loc`` points at the offending field as a path, e.g. ``("weights", 1)``; ``source``
    says where that path starts ("body", or "query" for a query parameter). The web layer
    turns it into a 422 with ``loc = [source, *loc]``: the one way the app reports a bad field
    it could only judge after parsing.
    """

    def __init__(self, loc: tuple | list, msg: str, kind: str = "value_error", source="body"):
        super().__init__(msg)
        self.loc = tuple(loc)
        self.msg = msg
        self.kind = kind
        self.source = source
