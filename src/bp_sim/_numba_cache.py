"""Point Numba's on-disk cache at a folder keyed by a hash of this package's source.

Numba invalidates a cached function only when its own file changes, not when a function it
calls (in another module) changes, so an edited mechanism could run with a stale compiled
kernel. Keying the cache folder by the whole package's source makes any edit start a fresh
cache. A user's own NUMBA_CACHE_DIR is respected. Imported first by `bp_sim/__init__.py`,
before any function is compiled.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

# Subpackages no compiled function imports (plain Python): editing them keeps the cache.
PYTHON_ONLY = frozenset({"reference", "sweep", "levers", "dashboard"})


def source_hash() -> str:
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] in PYTHON_ONLY:
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def configure() -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bp_sim" / "numba"
    numba.config.CACHE_DIR = str(base / source_hash())


configure()
