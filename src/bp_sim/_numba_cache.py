"""Point Numba's on-disk cache at a folder keyed by a hash of this package's source.

Numba invalidates a cached function only when its own file changes, not when a function it
calls (in another module) changes, so an edited mechanism could run with a stale compiled
kernel. Keying the cache folder by the source of every module compiled code depends on
(found from the imports, not listed by hand) makes any such edit start a fresh cache, while
an edit to plain-Python code (the CLI, scenario files, reports) keeps it. A user's own
NUMBA_CACHE_DIR is respected. Imported first by `bp_sim/__init__.py`, before any function is
compiled.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
from pathlib import Path

import numba

COMPILED = re.compile(r"^\s*@(?:njit|rule|inline_rule)\b|\bnjit\(", re.MULTILINE)


def _imported_modules(tree: ast.AST, package: str) -> set[str]:
    """Dotted names of this package's modules imported anywhere in a module (local imports too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == package)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == package:
            if node.module != package:  # the package's __init__ only gathers names for users
                found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # `from bp_sim import tally`
    return found


def compiled_sources(root: Path) -> list[Path]:
    """The files compiled code depends on: every module defining a compiled function, and every
    package module those import, transitively. Plain-Python modules (the CLI, scenario files,
    sweeps, reports) are left out, so editing them keeps the cache."""
    package = root.name
    files = {".".join((package, *p.relative_to(root).with_suffix("").parts)).removesuffix(".__init__"): p
             for p in root.rglob("*.py")}
    todo = [m for m, p in files.items() if COMPILED.search(p.read_text(encoding="utf-8"))]
    keep: set[str] = set()
    while todo:
        module = todo.pop()
        if module in keep or module not in files:
            continue
        keep.add(module)
        todo.extend(_imported_modules(ast.parse(files[module].read_text(encoding="utf-8")), package))
    return sorted(files[m] for m in keep)


def source_hash() -> str:
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in compiled_sources(root):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bp_sim" / "numba"
    numba.config.CACHE_DIR = str(base / source_hash())


configure()
