"""The one exception the engine raises for input it cannot use."""


class SpecError(ValueError):
    """Input that is well-typed but wrong (shape, range, limit).

    ``loc`` points at the offending field as a path, e.g. ``("weights", 1)``;
    the web layer turns it into a 422 with ``loc = ["body", *loc]``.
    """

    def __init__(self, loc: tuple | list, msg: str, kind: str = "value_error"):
        super().__init__(msg)
        self.loc = tuple(loc)
        self.msg = msg
        self.kind = kind
