"""What made a sweep's results: package and library versions, git commit, machine, start time."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from importlib import metadata
from pathlib import Path

LIBRARIES = ("numpy", "numba", "pandas", "pyarrow", "mesa", "SALib", "dask", "distributed")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> tuple[str | None, bool | None]:
    """The commit of the source tree this package runs from, and whether it has local changes."""
    src = Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None, None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src"], cwd=src,
                                capture_output=True, text=True, timeout=30)
        return head.stdout.strip(), bool(status.stdout.strip()) if status.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None, None


def session_info() -> dict:
    """Versions, commit and start time of this sweep session (written to sweep.json)."""
    commit, dirty = git_commit()
    return {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "package_version": _version("bp_sim"), "git_commit": commit, "git_local_changes": dirty,
            "python": platform.python_version(), "host": platform.node(),
            **{name.lower(): _version(name) for name in LIBRARIES}}
