"""Checks of single values read from a user's file: numbers in a range, whole numbers, text, dates, tables.

One home for the checks that scenario files, sweep files and the command line share, so every
one of them treats the same input the same way: a boolean is not a number, NaN is never inside
a range, an integer of 400 digits is compared exactly (never turned into a float first, which
overflows), and a date is written YYYY-MM-DD. Each raises one `InputError` naming the key.
"""

from __future__ import annotations

import datetime as dt
import re

from bp_sim.errors import MISSING, InputError, Note, path

# Dates a scenario may use. The outputs' date columns and plots go through pandas, whose
# timestamps end in April 2262; a start before 2150 leaves room for the longest horizon (100 years).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_START = dt.date(2150, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def range_text(lo: float, hi: float, unit: str = "") -> str:
    return f"a number in [{lo:g}, {hi:g}]" + (f" {unit}" if unit else "")


def is_number(value: object) -> bool:
    """An int or float, not a bool (TOML's true/false are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number(where: str, value: object, lo: float, hi: float, unit: str = "", allowed: str | None = None) -> float:
    """A number inside [lo, hi] (NaN never is), as a float."""
    if not is_number(value) or not lo <= value <= hi:  # int vs float compares exactly, whatever its size
        raise InputError(where, value, allowed or range_text(lo, hi, unit))
    return float(value)


def whole(where: str, value: object, lo: int, hi: int, what: str = "a whole number") -> int:
    """An integer inside [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InputError(where, value, f"{what} from {lo} to {hi}")
    return value


def text(where: str, value: object, *, required: bool = False, max_chars: int = 2000) -> str:
    """A string of printable characters (a name or label, shown in reports and plot titles)."""
    if not isinstance(value, str) or (required and not value) or len(value) > max_chars or not value.isprintable():
        what = "a non-empty string" if required else "a string"
        raise InputError(where, value, f"{what} of at most {max_chars} printable characters (no tabs or newlines)")
    return value


def table(where: str, value: object) -> dict:
    """A TOML table."""
    if not isinstance(value, dict):
        raise InputError(where, value, "a table")
    return value


def known_keys(where: str, given: dict, allowed) -> None:
    """Every key of `given` is one of `allowed` (the first that is not is named, quoted if odd)."""
    for k in given:
        if k not in allowed:
            raise InputError(path(where, k), Note("an unknown key"), ", ".join(allowed))


def required(where: str, given: dict, name: str, allowed: str) -> object:
    """The value of a key that must be there."""
    if name not in given:
        raise InputError(path(where, name), MISSING, f"{allowed} (required)")
    return given[name]


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
