"""The one exception type for bad input: the CLI turns it into a message and exit code 2."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a user: a scenario key, a value out of range, a missing file, a broken graph.

    The message names the key, the value and what is allowed, so the user can fix it.
    """

    def __init__(self, where: str, value: object, allowed: str) -> None:
        self.where = where
        self.value = value
        self.allowed = allowed
        super().__init__(f"{where}: got {value!r}; allowed: {allowed}")
