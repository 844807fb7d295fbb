"""Reading a user's files (scenario and sweep TOML) so that a bad file is one `InputError`, never a traceback.

A path may hold a NUL byte, a name longer than the system allows, a symlink loop, a folder, or a
file nobody may read; the bytes may not be UTF-8; the TOML may be invalid or nested so deep that
a recursive reader would overflow the stack. Each of these is told to the user by name.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bp_sim.errors import InputError

T = TypeVar("T")

MAX_NESTING = 32  # tables and arrays inside each other; scenario and sweep files need 4
MAX_FILE_BYTES = 16 * 1024 * 1024  # far above any scenario or sweep file, far below a mistaken data dump
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16", b"\xff\xfe\x00\x00": "UTF-32"}


def existing_file(where: str, name: object, what: str) -> Path:
    """The path of an existing regular file, or an InputError saying why it is not one."""
    text = str(name)
    if "\x00" in text:
        raise InputError(where, text, f"{what} (a path without NUL bytes)")
    p = Path(text)
    try:
        real = p.resolve(strict=True)
        if not real.is_file():
            raise InputError(where, text, f"{what} (this is {'a folder' if real.is_dir() else 'not a regular file'})")
    except RuntimeError:  # Python 3.11 reports a symlink loop so
        raise InputError(where, text, f"{what} (this path is a loop of symbolic links)") from None
    except OSError as exc:
        raise InputError(where, text, f"{what} ({_os_reason(exc)})") from None
    return p


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def read_text(where: str, path: Path) -> str:
    """A file's text, which must be UTF-8 (a byte-order mark is allowed and dropped)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(where, str(path), f"a file this user may read ({_os_reason(exc)})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(where, str(path), f"a text file of at most {MAX_FILE_BYTES // 2**20} MB")
    for bom, name in sorted(_BOMS.items(), key=lambda kv: -len(kv[0])):
        if data.startswith(bom):
            raise InputError(where, f"{path} (a {name} file)", "a UTF-8 text file: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(where, f"{path} (byte {data[exc.start]:#04x} on line {line} is not UTF-8)",
                         "a UTF-8 text file: save it as UTF-8") from None


def bracket_depth(text: str) -> int:
    """How deep `[` and `{` nest in TOML text, outside strings and comments (a scan, no recursion).

    Checked before parsing: Python's TOML reader recurses once per level, so a file nested a
    thousand deep would otherwise end in a RecursionError deep inside it."""
    deepest = depth = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if c == '"' and text[i] == "\\" else 1
            i += len(quote) - 1  # onto the closing quote's last character
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
        i += 1
    return deepest


def read_toml(where: str, path: Path) -> dict:
    """Parse a TOML file (UTF-8, nested at most MAX_NESTING deep)."""
    text = read_text(where, path)
    depth = bracket_depth(text)
    if depth > MAX_NESTING:
        raise InputError(where, f"{path} (nested {depth} deep)", f"TOML with tables and arrays at most {MAX_NESTING} deep")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"{path} (invalid TOML: {exc})", "a valid TOML file") from None
    except RecursionError:
        raise InputError(where, f"{path} (nested too deeply to read)",
                         f"TOML with tables and arrays at most {MAX_NESTING} deep") from None
    except ValueError as exc:  # tomllib lets Python's int() refuse a decimal integer of over 4,300 digits
        limit = sys.get_int_max_str_digits()
        long = re.search(rf"[0-9_]{{{limit + 1},}}", text) if limit else None
        if long is None:
            raise InputError(where, f"{path} (invalid TOML: {exc})", "a valid TOML file") from None
        line = text[: long.start()].count("\n") + 1
        raise InputError(where, f"{path} (an integer of over {limit:,} digits on line {line})",
                         f"a valid TOML file with integers of at most {limit:,} digits") from None
    depth = nesting(raw)
    if depth > MAX_NESTING:
        raise InputError(where, f"{path} (nested {depth} deep)", f"TOML with tables and arrays at most {MAX_NESTING} deep")
    return raw


def nesting(value: object) -> int:
    """How deep tables and arrays sit inside each other (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_checked_toml(where: str, path: str | Path, what: str, parse: Callable[[dict, Path], T]) -> tuple[T, str]:
    """Read a user's TOML file and check it with `parse(raw, path)`: the result and the file's text,
    or one InputError naming the file (missing, unreadable, not TOML, or refused by `parse`)."""
    p = existing_file(where, path, what)
    text = read_text(where, p)
    raw = read_toml(where, p)
    try:
        return parse(raw, p), text
    except InputError as exc:
        raise exc.in_file(p) from None
