"""The one exception type for bad input: the CLI turns it into a message and exit code 2.

Every message reads `KEY: got VALUE; allowed: WHAT`, and names the file when the key is in one.
Keys and values are shown so that a typo is visible: a key with a stray space or an invisible
character is quoted with the character escaped, a missing value reads "nothing", a date reads
YYYY-MM-DD, and a huge or deeply nested value (or a very long key) is shortened rather than printed whole.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import reprlib


class _Missing:
    """The value of a required key that is not there."""

    def __repr__(self) -> str:
        return "nothing"

    def __reduce__(self) -> str:
        return "MISSING"  # unpickles as this module's one instance


MISSING = _Missing()


class Note(str):
    """A description standing in for a value ("an unknown key"), shown without quotes."""

    __slots__ = ()

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*(?:->[A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*)?")
_SHORT = reprlib.Repr()
_SHORT.maxlevel = 3  # a value nested 1,000 deep prints as [[[...]]], never recursing that far
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 8
_SHORT.maxstring = 120
_SHORT.maxother = 120
MAX_DIGITS_SHOWN = 30  # a longer integer is described by its length
MAX_KEY_CHARS = 120  # a longer key (a paragraph pasted as a table name) is shown by its start and length


def key(name: object) -> str:
    """A key or place name as a message shows it: plain names as they are, anything else quoted
    with invisible characters escaped (`"rate\\u200b"`, `"rate "`), so a typo shows; a very long
    one by its start and its length, like a long value."""
    text = str(name)
    if len(text) > MAX_KEY_CHARS:
        return json.dumps(text[:MAX_KEY_CHARS]) + f"... ({len(text):,} characters)"
    return text if _PLAIN_KEY.fullmatch(text) else json.dumps(text)


def path(where: str, name: object) -> str:
    """`where.name`, the name shown with `key` (a top-level name when where is empty)."""
    return f"{where}.{key(name)}" if where else key(name)


def show(value: object) -> str:
    """A value as a message shows it (short, unambiguous)."""
    if value is MISSING or value is None:
        return "nothing"
    if isinstance(value, Note):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS_SHOWN:
        digits = int((abs(value).bit_length() - 1) * math.log10(2)) + 1  # str() refuses ints over 4,300 digits
        digits += abs(value) >= 10**digits
        return f"an integer of {digits:,} digits"
    if isinstance(value, str):
        return repr(value) if len(value) <= _SHORT.maxstring else repr(value[: _SHORT.maxstring]) + f" ({len(value)} characters)"
    return _SHORT.repr(value)


class InputError(ValueError):
    """Bad input from a user: a scenario key, a value out of range, a missing file, a broken graph.

    The message names the key, the value and what is allowed, so the user can fix it; `file`,
    when set, is the file the key was read from. Picklable, so an error raised in a worker
    process reaches the CLI as itself.
    """

    def __init__(self, where: str, value: object, allowed: str, file: str | None = None) -> None:
        self.where = where
        self.value = value
        self.allowed = allowed
        self.file = file
        head = f"{file}: " if file and not where.startswith(str(file)) else ""
        super().__init__(f"{head}{where}: got {show(value)}; allowed: {allowed}")

    def __reduce__(self):
        return (InputError, (self.where, _picklable(self.value), self.allowed, self.file))

    def in_file(self, file: object) -> InputError:
        """The same error, saying which file it is in (unchanged when it already says so)."""
        if self.file is not None:
            return self
        return InputError(self.where, self.value, self.allowed, str(file))


def _picklable(value: object) -> object:
    import pickle

    try:
        pickle.dumps(value)
    except Exception:  # anything that cannot travel is sent as its text
        return show(value)
    return value
