"""Output folders: checked before any work, written atomically, and never a user's own folder replaced.

`check_out` runs before a simulation starts: the path must be a folder bp-sim may create or
replace. A folder that exists may be replaced only if bp-sim wrote it for the same command (its
`.bp-sim-output.json` lists every file in it, and nothing else is there) or it is empty; any
other folder (a project folder, `runs/` holding earlier runs, a sweep, the current folder) is
refused with a message saying what to do. `atomic_dir` then writes into a hidden temporary
sibling, moved into place only when everything succeeded, so a failed or interrupted command
leaves neither a half-written folder nor a damaged earlier one. Temporaries that a killed
bp-sim left behind (named with their host and process id) are removed by the next write.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bp_sim.errors import InputError

MARKER = ".bp-sim-output.json"
KINDS = ("run", "compare", "analysis", "validation")
MAX_NAME_BYTES = 255  # longest file name on Linux and macOS file systems
# Errors from writing that mean "this place cannot take the output", told as bad --out input.
WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.ENAMETOOLONG}
HOST = socket.gethostname().replace("-", "_") or "host"  # '-' separates the parts of a temporary's name


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def _refuse(key: str, out: object, why: str) -> InputError:
    return InputError(key, str(out), why)


def check_out(out: str | Path, kind: str, key: str = "--out") -> Path:
    """The folder to write a `kind` output to (a symlink is followed), or an InputError saying
    why this path may not be written or replaced. Nothing is created."""
    text = str(out)
    if not text.strip() or "\x00" in text:
        raise _refuse(key, out, "a folder path (not empty, no NUL bytes)")
    long = [part for part in Path(text).parts if len(os.fsencode(part)) > MAX_NAME_BYTES]
    if long:
        raise _refuse(key, out, f"names of at most {MAX_NAME_BYTES} bytes (one part has {len(os.fsencode(long[0]))})")
    try:
        target = Path(text).resolve()
        cwd = Path.cwd().resolve()
    except (OSError, RuntimeError) as exc:
        raise _refuse(key, out, f"a folder path that can be resolved ({exc})") from None
    if target == cwd or target in cwd.parents or target == Path.home().resolve():
        raise _refuse(key, out, "a folder of its own (not the current folder, one above it, or your home folder)")
    if target.exists() and not target.is_dir():
        raise _refuse(key, out, "a folder path (a file of that name exists)")
    ancestor = target.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _refuse(key, out, f"a path whose parents are folders ({ancestor} is a file)")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise _refuse(key, out, f"a folder in a place this user may write to ({ancestor} is not writable)")
    if target.is_dir():
        why = not_replaceable(target, kind)
        if why:
            raise _refuse(key, out, f"a new folder, or one that `bp-sim {_command(kind)}` wrote: {why}. Nothing was "
                          f"replaced; choose another {key}, or move or delete that folder yourself")
    return target


def _command(kind: str) -> str:
    return {"analysis": "analyse"}.get(kind, kind)


def not_replaceable(folder: Path, kind: str) -> str | None:
    """Why bp-sim may not replace this folder with a `kind` output (None: it may)."""
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        return f"it cannot be listed ({exc.strerror})"
    if not entries:
        return None
    marker = folder / MARKER
    if MARKER not in entries:
        return f"it holds {entries[0]!r} and was not written by bp-sim"
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        wrote, files = record["kind"], set(record["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"its {MARKER} is not one bp-sim wrote"
    if wrote != kind:
        return f"it holds the output of `bp-sim {_command(wrote)}`"
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_dir() and not p.is_symlink():
            if any(f.startswith(rel + "/") for f in files):
                continue
            return f"it holds the folder {rel!r}, which bp-sim did not write"
        if rel != MARKER and rel not in files:
            return f"it holds {rel!r}, which bp-sim did not write"
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the hidden temporaries of `target` that a bp-sim process on this host left when it
    was killed (its process is gone). Those of running processes, or of other hosts sharing the
    file system, are left alone."""
    removed = []
    for kind in ("partial", "old"):
        for p in target.parent.glob(f".{target.name}.{kind}-{HOST}-*-*"):
            pid = p.name.rsplit("-", 2)[-2]
            if pid.isdigit() and not _pid_alive(int(pid)):
                if kind == "old" and (p / "replaced").is_dir() and not target.exists():
                    os.replace(p / "replaced", target)  # killed between moving the old folder out and the new in
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _write_marker(folder: Path, kind: str) -> None:
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    record = {"kind": kind, "written_by": "bp-sim", "files": files,
              "note": "bp-sim may replace this folder whole, as long as it holds only these files"}
    (folder / MARKER).write_text(json.dumps(record, indent=1), encoding="utf-8")


def _write_error(out: str | Path, key: str, exc: OSError) -> InputError:
    return InputError(key, str(out), f"a folder with room and permission to write ({exc.strerror or exc}); "
                      "nothing was replaced")


@contextlib.contextmanager
def atomic_dir(out: str | Path, kind: str, key: str = "--out") -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces `out` (checked with `check_out`), on
    failure it is removed and `out` is as it was."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    target = check_out(out, kind, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{HOST}-{os.getpid()}-", dir=target.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; outputs get the usual permissions
    except OSError as exc:
        raise _write_error(out, key, exc) from None
    try:
        yield tmp
        _write_marker(tmp, kind)
        if target.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{HOST}-{os.getpid()}-", dir=target.parent))
            os.replace(target, backup / "replaced")
            os.replace(tmp, target)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in WRITE_ERRNOS:
            raise _write_error(out, key, exc) from None
        raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
