"""errors.py: SpecError carries the path, the message, the kind and the source."""

import pytest

from app.engine.errors import SpecError


def test_spec_error_fields():
    err = SpecError(["weights", 1], "wrong shape")
    assert err.loc == ("weights", 1)  # a list becomes a tuple
    assert err.msg == "wrong shape" and str(err) == "wrong shape"
    assert err.kind == "value_error"
    assert err.source == "body"


def test_spec_error_query_source_and_kind():
    err = SpecError(("depth",), "too deep", kind="too_large", source="query")
    assert (err.loc, err.kind, err.source) == (("depth",), "too_large", "query")


def test_spec_error_is_a_value_error():
    with pytest.raises(ValueError, match="bad"):
        raise SpecError((), "bad")
