"""Playground's URL state: parsed and written as src/state.ts does, with JavaScript's
number rules, and every setting that does not reach the run named in a note."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.errors import SpecError
from app.engine.playground import Limits, import_link
from app.engine.playground.state import (
    PROPS,
    hash_of,
    js_number_string,
    js_to_number,
    parse_hash,
    playground_url,
    serialize,
)

# What Playground itself writes on a first load with seed 0.12345 (all of PROPS but the nulls).
DEFAULT_HASH = (
    "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&"
    "regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345&showTestData=false&"
    "discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&"
    "ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&"
    "problem=classification&initZero=false&hideText=false"
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.03", 0.03), (" 10 ", 10.0), ("1e-3", 0.001), (".5", 0.5), ("5.", 5.0), ("0x1F", 31.0)],
)
def test_js_to_number_reads_what_unary_plus_reads(text, value):
    assert js_to_number(text) == value


@pytest.mark.parametrize("text", ["abc", "1_000", "inf", "nan", "1e", "0x", "--1", "1,5"])
def test_js_to_number_gives_nan_where_javascript_does(text):
    assert math.isnan(js_to_number(text))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.03, "0.03"),
        (10.0, "10"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (1e21, "1e+21"),
        (123456789012345680000.0, "123456789012345680000"),
        (-2.5, "-2.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-0.0, "0"),
    ],
)
def test_js_number_string_is_javascripts_string_of_a_number(value, text):
    assert js_number_string(value) == text


def test_hash_of_takes_a_link_a_hash_or_bare_state():
    assert hash_of("https://playground.tensorflow.org/#seed=1&x=true") == "seed=1&x=true"
    assert hash_of("#seed=1") == "seed=1"
    assert hash_of("seed=1&noise=5") == "seed=1&noise=5"
    assert hash_of("https://playground.tensorflow.org/") == ""
    assert hash_of("#seed=a b") == "seed=a%20b"  # as location.hash gives it
    assert hash_of("#seed=0.1\n23&x=tr\tue") == "seed=0.123&x=true"  # pasted across lines


def test_defaults_are_state_ts_defaults_and_serialize_gives_playgrounds_own_hash():
    state, notes = parse_hash("#seed=0.12345")
    assert notes == []
    assert state["networkShape"] == [4, 2] and state["learningRate"] == 0.03
    assert state["dataset"] == "circle" and state["regularization"] is None
    assert serialize(state) == DEFAULT_HASH
    assert playground_url(state) == "https://playground.tensorflow.org/#" + DEFAULT_HASH


def test_parsing_follows_state_ts():
    state, _ = parse_hash(
        "#x=False&y=&noise=5&noise=7&networkShape=&batchSize=3&seed=0.5=9&problem=regression"
    )
    assert state["x"] is True  # anything but "false" is true
    assert state["y"] is True  # an empty value keeps the default
    assert state["noise"] == 7  # the last one wins
    assert state["networkShape"] == []  # "networkShape=" means no hidden layer
    assert state["seed"] == "0.5"  # split("=") keeps the second piece only
    assert state["problem"] == "regression"


def test_every_prop_round_trips():
    state, _ = parse_hash(
        "#activation=relu&regularization=L1&batchSize=30&dataset=xor&regDataset=reg-gauss&"
        "learningRate=0.003&regularizationRate=0.001&noise=35&networkShape=8,1,3&seed=abc&"
        "percTrainData=70&x=false&xTimesY=true&sinY=true&initZero=true&problem=regression"
    )
    again, notes = parse_hash(serialize(state))
    assert notes == [] and again == state
    assert {p.name for p in PROPS} >= {"activation", "initZero", "cosY", "problem"}


def test_notes_name_what_does_not_reach_the_run():
    _, notes = parse_hash(
        "#seed=1&discretize=true&cosX=true&activation=softsign&noise=95&tutorial=t&"
        "stepButton_hide=true&favourite=3"
    )
    by_field = {n["field"]: n["message"] for n in notes}
    assert "only changes how Playground's page looks" in by_field["discretize"]
    assert "no cos input" in by_field["cosX"]
    assert "keeps its default tanh" in by_field["activation"]
    assert "Playground uses 50" in by_field["noise"]
    assert "tutorial" in by_field and "stepButton_hide" in by_field
    assert "not a Playground setting" in by_field["favourite"]


def test_hidden_feature_inputs_are_not_inputs():
    state, notes = parse_hash("#seed=1&xTimesY=true&xTimesY_hide=true")
    assert state["hidden_inputs"] == ["xTimesY"] and notes == []


@pytest.mark.parametrize(
    ("hash_", "field", "words"),
    [
        ("#learningRate=abc", "learningRate", "not a finite number"),
        ("#networkShape=4,x", "networkShape", "'x' is not a finite number"),
        ("#networkShape=4,0", "networkShape", "at least 1"),
        ("#batchSize=2.5", "batchSize", "whole number"),
        ("#regularizationRate=-1", "regularizationRate", "at least 0"),
        ("#noise=Infinity", "noise", "not a finite number"),
    ],
)
def test_values_that_would_break_the_run_are_errors_naming_the_field(hash_, field, words):
    with pytest.raises(SpecError) as caught:
        parse_hash(hash_)
    assert caught.value.loc == ("url", field)
    assert words in caught.value.msg


VALUES = ["", "0", "-1", "1e400", "NaN", "0x10", "2.5", "true", "false", "a b", "\ud800", "7,7"]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.dictionaries(
        st.sampled_from([p.name for p in PROPS] + ["x_hide", "other"]),
        st.sampled_from(VALUES) | st.text(max_size=6),
        max_size=8,
    )
)
def test_any_link_gives_a_run_or_an_error_naming_a_setting(pairs):
    link = "#" + "&".join(f"{name}={value}" for name, value in pairs.items())
    try:
        body = import_link(link, Limits(max_layers=8, max_units=64))
    except SpecError as error:
        assert error.loc[0] == "url" and error.msg
        return
    assert len(body["dataset"]["points"]) >= 1
    assert all(math.isfinite(v) for p in body["dataset"]["points"] for v in p)
    assert all(math.isfinite(v) for w in body["weights"] for row in w for v in row)
    assert len(body["layers"]) == len(body["weights"]) + 1
