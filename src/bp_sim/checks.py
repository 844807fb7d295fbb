"""Checks of single values read from a user's file or the command line: numbers in a range, whole
numbers, text, dates, tables, names from a list, keys that must (or must not) be there.

One home for the checks that scenario files, sweep files, parameters, levers, the dashboard and the
command line share, so every one of them treats the same input the same way: a boolean is not a
number, NaN and infinity are never inside a range, an integer of 400 digits is compared exactly
(never turned into a float first, which overflows), and a date is written YYYY-MM-DD. Each raises
one `InputError` naming the key, the value and what is allowed; each returns the value checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from numbers import Integral

from bp_sim.errors import MISSING, InputError, Note, path

# Dates a scenario may use. The outputs' date columns and plots go through pandas, whose
# timestamps end in April 2262; a start before 2150 leaves room for the longest horizon (100 years).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_START = dt.date(2150, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_FINITE = 1e308  # the largest size a "finite number" may have (a float holds up to about 1.8e308)
_WHOLE_TEXT = re.compile(r"[+-]?\d+")  # \d: the decimal digits int() reads


def range_text(lo: float, hi: float, unit: str = "", what: str = "a number") -> str:
    """'a number in [lo, hi] unit'."""
    return f"{what} in [{lo:g}, {hi:g}]" + (f" {unit}" if unit else "")


def is_number(value: object) -> bool:
    """An int or float, not a bool (TOML's true/false are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(where: str, value: object, lo: float, hi: float, unit: str = "", allowed: str | None = None) -> float:
    """A number inside [lo, hi] (NaN never is), as a float."""
    if not is_number(value) or not lo <= value <= hi:  # int vs float compares exactly, whatever its size
        raise InputError(where, value, allowed or range_text(lo, hi, unit))
    return float(value)


def finite(where: str, value: object, allowed: str | None = None) -> float:
    """A finite number (an int of any size is one if it fits a float; inf and NaN are not), as a float."""
    return number(where, value, -MAX_FINITE, MAX_FINITE, allowed=allowed or f"a finite number (of size at most {MAX_FINITE:g})")


def above(where: str, value: object, bound: float, allowed: str | None = None) -> float:
    """A finite number strictly above `bound`, as a float."""
    if not is_number(value) or not bound < value <= MAX_FINITE:
        raise InputError(where, value, allowed or f"a finite number above {bound:g}")
    return float(value)


def ordered(where: str, low: float, high: float, low_name: str = "low") -> None:
    """A range that is not empty: `high` (the value at `where`) above `low`."""
    if not low < high:
        raise InputError(where, high, f"a number above {low_name} = {low:g}")


def numbers(where: str, value: object, lo: float, hi: float, unit: str = "") -> tuple[float, ...]:
    """A non-empty list of numbers inside [lo, hi], none repeated, as floats (a bad one is named)."""
    each = range_text(lo, hi, unit, "numbers")
    if not isinstance(value, list) or not value:
        raise InputError(where, value, f"a non-empty list of {each}")
    for v in value:
        if not is_number(v) or not lo <= v <= hi:
            raise InputError(where, v, each)
    if len(set(value)) != len(value):
        raise InputError(where, value, "a list without repeated values")
    return tuple(float(v) for v in value)


def whole(where: str, value: object, lo: int, hi: int | None = None, what: str = "a whole number") -> int:
    """An integer inside [lo, hi] (no upper bound when hi is None); a NumPy integer counts, a bool not."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo or (hi is not None and value > hi):
        raise InputError(where, value, f"{what} from {lo} to {hi}" if hi is not None else f"{what} of at least {lo}")
    return int(value)


def whole_text(where: str, value: object, lo: int, hi: int | None = None, what: str = "a whole number",
               max_digits: int = 20) -> int:
    """A whole number written in digits (a command-line option), inside [lo, hi]. More than
    `max_digits` digits is a typo, refused before it is read."""
    written = value.strip() if isinstance(value, str) else ""
    if not _WHOLE_TEXT.fullmatch(written) or len(written.lstrip("+-")) > max_digits:
        raise InputError(where, value, f"{what}, written with digits only")
    return whole(where, int(written), lo, hi, what)


def text(where: str, value: object, *, required: bool = False, max_chars: int = 2000, multiline: bool = False) -> str:
    """A string of printable characters (a name or label, shown in reports and plot titles);
    `multiline`: newlines and tabs allowed too (a description)."""
    shown = value.replace("\n", "").replace("\t", "") if multiline and isinstance(value, str) else value
    if not isinstance(value, str) or (required and not value) or len(value) > max_chars or not shown.isprintable():
        what = "a non-empty string" if required else "a string"
        extra = "newlines and tabs allowed" if multiline else "no tabs or newlines"
        raise InputError(where, value, f"{what} of at most {max_chars} printable characters ({extra})")
    return value


def table(where: str, value: object) -> dict:
    """A TOML table."""
    if not isinstance(value, dict):
        raise InputError(where, value, "a table")
    return value


def array(where: str, value: object, allowed: str = "an array") -> list:
    """A TOML array."""
    if not isinstance(value, list):
        raise InputError(where, value, allowed)
    return value


def flag(where: str, value: object) -> bool:
    """A TOML boolean."""
    if not isinstance(value, bool):
        raise InputError(where, value, "true or false")
    return value


def choice(where: str, value: object, choices: Collection[str]) -> str:
    """One of a few names (a design, a distribution, an event type), all of which are listed."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(where, value, ", ".join(choices))
    return value


def known_keys(where: str, given: dict, allowed) -> None:
    """Every key of `given` is one of `allowed` (the first that is not is named, quoted if odd)."""
    for k in given:
        if k not in allowed:
            raise InputError(path(where, k), Note("an unknown key"), ", ".join(allowed))


def required(where: str, given: dict, name: str, allowed: str, why: str = "required") -> object:
    """The value of a key that must be there (`why`: what requires it)."""
    if name not in given:
        raise InputError(path(where, name), MISSING, f"{allowed} ({why})")
    return given[name]


def absent(where: str, given: dict, names: Iterable[str], why: str) -> None:
    """None of `names` is a key of `given` (the first that is is named): 'nothing: why'."""
    for name in names:
        if name in given:
            raise InputError(path(where, name), given[name], f"nothing: {why}")


def date(where: str, value: object, earliest: dt.date = EARLIEST_DATE, latest: dt.date = dt.date(2262, 1, 1)) -> dt.date:
    """A TOML date, or a string written YYYY-MM-DD, inside [earliest, latest]."""
    allowed = f"a date YYYY-MM-DD from {earliest.isoformat()} to {latest.isoformat()}"
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(where, value, allowed) from None
    else:
        raise InputError(where, value, allowed)
    if not earliest <= day <= latest:
        raise InputError(where, value, allowed)
    return day


def after(where: str, day: dt.date, first: dt.date) -> dt.date:
    """A date after `first` (an end after its start)."""
    if not day > first:
        raise InputError(where, day, f"a date after {first.isoformat()}")
    return day


def one_of(valid, given: object = None, limit: int = 40) -> str:
    """'one of A, B, ...' for a set of names; for a leg or corridor 'X->Y' whose X is known, only
    the names starting with 'X->' (the likely fix), so the list stays readable."""
    names = sorted(valid)
    if isinstance(given, str) and "->" in given:
        near = [n for n in names if n.startswith(given.partition("->")[0] + "->")]
        names = near or names
    shown = ", ".join(names[:limit])
    return "one of " + shown + (f" ... ({len(names)} in all)" if len(names) > limit else "")


YEARS_TEXT = "a number of years from 1/52 (one week) to 100"


def years(where: str, value: object) -> float:
    """A horizon in years: one week to a century."""
    return number(where, value, 1 / 52, 100, allowed=YEARS_TEXT)
