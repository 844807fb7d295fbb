"""Every check of `bp_sim.checks`: inside, outside and at the edges; booleans, NaN, infinity, huge
integers and wrong types refused; each error one InputError naming the key, the value and what is allowed."""

from __future__ import annotations

import datetime as dt
import math
import pickle

import pytest

from bp_sim import checks
from bp_sim.errors import MISSING, InputError

NAN, INF = math.nan, math.inf
HUGE = 10**400  # float(HUGE) overflows: compared exactly, never converted first
NOT_NUMBERS = [True, False, "1", None, [1], {"a": 1}, dt.date(2020, 1, 1)]


def refused(call, *args, where: str = "k", **kwargs) -> InputError:
    """The InputError `call` raises, checked to name the key and to read `KEY: got VALUE; allowed: WHAT`."""
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    err = info.value
    assert err.where == where, err
    assert str(err).startswith(f"{where}: got ") and "; allowed: " in str(err), err
    assert err.allowed.strip(), err
    assert pickle.loads(pickle.dumps(err)).args == err.args  # reaches the CLI from a worker process
    return err


# ------------------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("value", [0, 1, 0.5, -0.0, 1.0])
def test_number_inside_or_at_the_edges_is_a_float(value):
    out = checks.number("k", value, 0, 1)
    assert out == value and type(out) is float


@pytest.mark.parametrize("value", [-1e-12, 1 + 1e-12, -1, 2, NAN, INF, -INF, HUGE, -HUGE, *NOT_NUMBERS])
def test_number_outside_or_not_a_number_is_refused(value):
    err = refused(checks.number, "k", value, 0, 1, "(share)")
    assert err.value is value and err.allowed == "a number in [0, 1] (share)"


def test_number_compares_huge_integers_exactly():
    assert checks.number("k", 2**1000, 0, 1e302) == float(2**1000)
    refused(checks.number, "k", 2**1000 + 1, 0, float(2**1000))  # one above a float bound: outside
    assert checks.number("k", 2**1000, 0, float(2**1000)) == float(2**1000)
    err = refused(checks.number, "k", HUGE, 0, 1e308)
    assert "an integer of 401 digits" in str(err)


def test_number_says_what_is_allowed_in_its_own_words():
    assert refused(checks.number, "a.b", 7, 0, 1, where="a.b").allowed == "a number in [0, 1]"
    assert refused(checks.number, "k", 7, 0, 1, allowed="a share").allowed == "a share"
    assert "got 7; allowed: a number in [0, 1] %" in str(refused(checks.number, "k", 7, 0, 1, "%"))


def test_range_text():
    assert checks.range_text(0, 15, "(%)") == "a number in [0, 15] (%)"
    assert checks.range_text(1e-6, 1e9) == "a number in [1e-06, 1e+09]"
    assert checks.range_text(0, 1, what="numbers") == "numbers in [0, 1]"


@pytest.mark.parametrize(("value", "expected"), [(0, True), (-3.5, True), (HUGE, True), (NAN, True), (INF, True),
                                                 (True, False), (False, False), ("1", False), (None, False)])
def test_is_number_excludes_booleans(value, expected):
    assert checks.is_number(value) is expected


@pytest.mark.parametrize("value", [0, -5, 1.5, 1e308, -1e308, 10**300, 2**1000])
def test_finite_accepts_any_finite_number(value):
    assert checks.finite("k", value) == float(value)


@pytest.mark.parametrize("value", [NAN, INF, -INF, 1.5e308, HUGE, -HUGE, *NOT_NUMBERS])
def test_finite_refuses_nan_inf_too_large_and_non_numbers(value):
    err = refused(checks.finite, "k", value)
    assert err.allowed.startswith("a finite number")
    assert refused(checks.finite, "k", value, "a mean").allowed == "a mean"


@pytest.mark.parametrize("value", [1e-300, 0.5, 3, 1e308, 10**300])
def test_above_accepts_finite_numbers_above_the_bound(value):
    assert checks.above("k", value, 0) == float(value)


@pytest.mark.parametrize("value", [0, 0.0, -0.0, -1, NAN, INF, HUGE, *NOT_NUMBERS])
def test_above_refuses_the_bound_itself_below_nan_inf_and_non_numbers(value):
    assert refused(checks.above, "k", value, 0).allowed == "a finite number above 0"
    assert refused(checks.above, "k", value, 0, "a positive sd").allowed == "a positive sd"


def test_above_compares_exactly():
    refused(checks.above, "k", 2**60, 2**60)
    assert checks.above("k", 2**60 + 1, 2**60) == float(2**60 + 1)
    assert checks.above("k", 1, 0.9999999999999999) == 1.0


def test_ordered_needs_high_above_low():
    checks.ordered("k.high", 0.0, 1e-12)
    for low, high in ((1.0, 1.0), (2.0, 1.0), (NAN, 1.0), (0.0, NAN)):
        err = refused(checks.ordered, "k.high", low, high, where="k.high")
        assert err.value is high and err.allowed == f"a number above low = {low:g}"
    assert refused(checks.ordered, "k.until", 5, 3, "start", where="k.until").allowed == "a number above start = 5"


def test_numbers_is_a_tuple_of_floats_inside_the_range():
    assert checks.numbers("k", [0, 0.5, 1], 0, 1) == (0.0, 0.5, 1.0)
    assert checks.numbers("k", [1], 0, 1) == (1.0,)


@pytest.mark.parametrize("bad", [1.5, -1, NAN, INF, HUGE, True, "0.5", None])
def test_numbers_names_the_first_bad_element(bad):
    err = refused(checks.numbers, "k", [0.5, bad, 2], 0, 1, "(%)")
    assert err.value is bad and err.allowed == "numbers in [0, 1] (%)"


@pytest.mark.parametrize("value", [[], 0.5, "0.5", None, {"a": 1}, (0.5,)])
def test_numbers_needs_a_non_empty_list(value):
    assert refused(checks.numbers, "k", value, 0, 1).allowed == "a non-empty list of numbers in [0, 1]"


def test_numbers_refuses_repeats():
    assert refused(checks.numbers, "k", [0.5, 1, 0.5], 0, 1).allowed == "a list without repeated values"
    refused(checks.numbers, "k", [1, 1.0], 0, 1)  # the same number, written twice


# ----------------------------------------------------------------------------------- whole numbers
@pytest.mark.parametrize("value", [1, 5, 10])
def test_whole_inside_or_at_the_edges(value):
    out = checks.whole("k", value, 1, 10)
    assert out == value and type(out) is int


@pytest.mark.parametrize("value", [0, 11, -1, 1.0, 5.0, NAN, INF, True, False, "5", None, HUGE, -HUGE])
def test_whole_outside_or_not_an_integer_is_refused(value):
    err = refused(checks.whole, "k", value, 1, 10, "a whole number of runs")
    assert err.value is value and err.allowed == "a whole number of runs from 1 to 10"


def test_whole_without_an_upper_bound():
    assert checks.whole("k", HUGE, 0) == HUGE
    assert checks.whole("k", 100, 100) == 100
    assert refused(checks.whole, "k", 99, 100).allowed == "a whole number of at least 100"
    assert refused(checks.whole, "k", True, 0).allowed == "a whole number of at least 0"


def test_whole_compares_huge_integers_exactly():
    assert checks.whole("k", 2**63 - 1, 0, 2**63 - 1) == 2**63 - 1
    refused(checks.whole, "k", 2**63, 0, 2**63 - 1)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), (" 7\n", 7), ("+7", 7), ("-0", 0), ("007", 7),
                                             ("9" * 20, int("9" * 20)), ("\u0663", 3)])
def test_whole_text_reads_digits(text, value):
    assert checks.whole_text("--seed", text, 0) == value


@pytest.mark.parametrize("text", ["", " ", "x", "1.0", "1e3", "1_000", "--5", "5-", "\u00b2", "nan", "inf",
                                  "9" * 21, "9" * 5000, None, 5, True])
def test_whole_text_refuses_anything_but_digits(text):
    err = refused(checks.whole_text, "--seed", text, 0, where="--seed")
    assert err.value is text and err.allowed == "a whole number, written with digits only"


def test_whole_text_checks_the_range_after_reading():
    assert refused(checks.whole_text, "--jobs", "-1", 1, where="--jobs").allowed == "a whole number of at least 1"
    assert refused(checks.whole_text, "--port", "70000", 1, 65535, "a port number", where="--port").value == 70000
    assert checks.whole_text("--n", "123", 1, 200, max_digits=3) == 123
    refused(checks.whole_text, "--n", "1234", 1, max_digits=3, where="--n")


def test_years_from_one_week_to_a_century():
    assert checks.years("y", 1 / 52) == 1 / 52 and checks.years("y", 100) == 100.0
    for bad in (0, 1 / 53, 100.0001, NAN, INF, True, "5", HUGE):
        assert refused(checks.years, "y", bad, where="y").allowed == checks.YEARS_TEXT


# ---------------------------------------------------------------------------------------- text
def test_text_accepts_printable_strings():
    assert checks.text("k", "") == "" and checks.text("k", "Türkiye → Greece") == "Türkiye → Greece"
    assert checks.text("k", "x" * 10, max_chars=10) == "x" * 10


@pytest.mark.parametrize("value", ["a\nb", "a\tb", "a\x00b", "a\x1b", "a\u200bb", "x" * 11, 5, None, True, ["a"]])
def test_text_refuses_control_characters_long_strings_and_non_strings(value):
    err = refused(checks.text, "k", value, max_chars=10)
    assert err.allowed == "a string of at most 10 printable characters (no tabs or newlines)"


def test_text_required_refuses_empty():
    err = refused(checks.text, "k", "", required=True, max_chars=10)
    assert err.allowed == "a non-empty string of at most 10 printable characters (no tabs or newlines)"


def test_multiline_text_allows_newlines_and_tabs_only():
    assert checks.text("k", "line 1\n\tline 2", multiline=True) == "line 1\n\tline 2"
    for bad in ("a\rb", "a\x00b", "x" * 11, 3):
        err = refused(checks.text, "k", bad, max_chars=10, multiline=True)
        assert err.allowed == "a string of at most 10 printable characters (newlines and tabs allowed)"


# ------------------------------------------------------------------------------ tables, arrays, flags
def test_table_array_and_flag():
    assert checks.table("k", {"a": 1}) == {"a": 1} and checks.array("k", []) == []
    assert checks.flag("k", True) is True and checks.flag("k", False) is False
    for bad in ([], "a", 1, None):
        assert refused(checks.table, "k", bad).allowed == "a table"
    for bad in ({}, "a", (1,), None):
        assert refused(checks.array, "k", bad).allowed == "an array"
    assert refused(checks.array, "events", {}, "an array of tables [[events]]", where="events").allowed.endswith("]]")
    for bad in (1, 0, "true", None, NAN):
        assert refused(checks.flag, "k", bad).allowed == "true or false"


@pytest.mark.parametrize("choices", [("grid", "latin"), {"grid": 1, "latin": 2}])
def test_choice_is_one_of_the_names(choices):
    assert checks.choice("k", "latin", choices) == "latin"
    for bad in ("Latin", "", "grid ", 1, None, ["grid"], {"a": 1}, MISSING):  # unhashable values too
        err = refused(checks.choice, "k", bad, choices)
        assert err.allowed == "grid, latin"
    assert "k: got nothing; allowed: grid, latin" in str(refused(checks.choice, "k", MISSING, choices))


def test_known_keys_names_the_first_unknown_key_quoted_if_odd():
    checks.known_keys("t", {"a": 1, "b": 2}, ("a", "b", "c"))
    err = refused(checks.known_keys, "t", {"a": 1, "rate\u200b": 2}, ("a", "rate"), where='t."rate\\u200b"')
    assert err.allowed == "a, rate" and "an unknown key" in str(err)
    assert refused(checks.known_keys, "", {"x": 1}, ("a",), where="x").allowed == "a"


def test_required_returns_the_value_or_names_the_missing_key():
    assert checks.required("t", {"a": 0}, "a", "a number") == 0
    err = refused(checks.required, "t", {}, "a", "a number", where="t.a")
    assert err.value is MISSING and err.allowed == "a number (required)" and "t.a: got nothing" in str(err)
    err = refused(checks.required, "t", {}, "sd", "a number", "required by a normal distribution", where="t.sd")
    assert err.allowed == "a number (required by a normal distribution)"


def test_absent_names_the_first_key_that_is_there():
    checks.absent("t", {"a": 1}, ("b", "c"), "why")
    err = refused(checks.absent, "t", {"c": 3, "b": 2}, ("b", "c"), "a grid runs every combination", where="t.b")
    assert err.value == 2 and err.allowed == "nothing: a grid runs every combination"


# --------------------------------------------------------------------------------------------- dates
@pytest.mark.parametrize("value", [dt.date(2020, 2, 29), "2020-02-29", dt.datetime(2020, 2, 29, 12, 0)])
def test_date_from_a_toml_date_or_iso_text(value):
    assert checks.date("d", value) == dt.date(2020, 2, 29)


def test_date_edges():
    assert checks.date("d", checks.EARLIEST_DATE) == checks.EARLIEST_DATE
    assert checks.date("d", "2150-12-31", latest=checks.LATEST_START) == checks.LATEST_START
    refused(checks.date, "d", "2151-01-01", latest=checks.LATEST_START, where="d")
    refused(checks.date, "d", dt.date(1899, 12, 31), where="d")


@pytest.mark.parametrize("value", ["2021-02-29", "20210101", "2021-1-1", "2021-01-01T00:00", "", 2021, 2021.0, True,
                                   None, dt.time(12, 0), [2021, 1, 1]])
def test_date_refuses_other_forms(value):
    err = refused(checks.date, "d", value, where="d")
    assert err.allowed == "a date YYYY-MM-DD from 1900-01-01 to 2262-01-01"


def test_one_of_lists_names_and_near_legs():
    assert checks.one_of({"b", "a"}) == "one of a, b"
    assert checks.one_of({"TUR->GRC", "TUR->BGR", "IRN->TUR"}, "TUR->X") == "one of TUR->BGR, TUR->GRC"
    assert checks.one_of({"A->B"}, "Z->Q") == "one of A->B"
    long = checks.one_of({f"n{k:03d}" for k in range(50)}, limit=3)
    assert long == "one of n000, n001, n002 ... (50 in all)"


def test_after_needs_a_later_date():
    first = dt.date(2021, 1, 1)
    assert checks.after("k.until", dt.date(2021, 1, 2), first) == dt.date(2021, 1, 2)
    for day in (first, dt.date(2020, 12, 31)):
        err = refused(checks.after, "k.until", day, first, where="k.until")
        assert err.value == day and err.allowed == "a date after 2021-01-01"
