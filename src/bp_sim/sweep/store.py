"""A sweep's folder: one Parquet file per finished run, failures, metadata; resumable.

    DIR/results/<run_id>.parquet   one row per outcome kept: run_id, point_id, replicate, seed,
                                   one column per factor, outcome, value (the dataset is the folder)
    DIR/failures/<run_id>.txt      the error of a run that failed (removed when it later succeeds)
    DIR/sweep.json                 the experiment and each session's versions and counts
    DIR/design.parquet             the design points in design order (what the analysis needs)
    DIR/experiment.toml            the sweep file as given

Every file is written to a hidden temporary name and renamed into place, so a killed process
leaves at most a hidden temporary file, which readers skip (Arrow ignores names starting with
'.') and the next session removes. A lock file keeps two sweeps from writing one folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bp_sim.errors import InputError
from bp_sim.sweep.worker import JobResult

RESULTS, FAILURES = "results", "failures"
META, DESIGN, EXPERIMENT_COPY, LOCK = "sweep.json", "design.parquet", "experiment.toml", ".lock"


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


UMASK = _umask()  # files get the usual permissions (mkstemp alone makes them private)


def _parquet_problem(exc: BaseException) -> str:
    """What is wrong with a file Arrow could not read, in a few words (the path is named beside it)."""
    if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowException):
        return f"unreadable: {exc.strerror or exc}"
    return "not a readable Parquet file"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through `write(tmp)` into a hidden sibling, flush it to disk, then rename over `path`."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~UMASK)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def result_schema(factors: tuple[str, ...]) -> pa.Schema:
    """The columns of every result file (the same in all, so the folder reads as one table)."""
    return pa.schema([("run_id", pa.string()), ("point_id", pa.string()), ("replicate", pa.int64()),
                      ("seed", pa.int64()), *[(name, pa.float64()) for name in factors],
                      ("outcome", pa.string()), ("value", pa.float64())])


class Store:
    """Reads and writes one sweep folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.results = self.root / RESULTS
        self.failures_dir = self.root / FAILURES

    # ------------------------------------------------------------------ the folder
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Create the folder and hold its lock for as long as this sweep writes to it."""
        if self.root.exists() and not self.root.is_dir():
            raise InputError("--out", str(self.root), "a folder path (a file of that name exists)")
        self.results.mkdir(parents=True, exist_ok=True)
        self.failures_dir.mkdir(exist_ok=True)
        with (self.root / LOCK).open("a") as fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = InputError("--out", str(self.root), "a folder that no other running sweep is writing to")
                raise busy from None
            try:
                self._remove_stale_temporaries()
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _remove_stale_temporaries(self) -> None:
        for folder in (self.root, self.results, self.failures_dir):
            for p in folder.glob(".*.tmp-*"):
                p.unlink(missing_ok=True)

    def read_meta(self) -> dict | None:
        """The folder's sweep.json (None if there is none), or an InputError naming it if it is not
        the JSON object bp-sim sweep writes (it writes it atomically, so it is never half written)."""
        path = self.root / META
        if not path.exists():
            return None
        allowed = "the JSON object that bp-sim sweep writes: this is not a sweep's folder, or the file is damaged"
        try:
            meta = json.loads(path.read_bytes().decode("utf-8"))
        except IsADirectoryError:
            raise InputError(str(path), "a folder", allowed) from None
        except OSError as exc:
            raise InputError(str(path), f"unreadable: {exc.strerror or exc}", allowed) from exc
        except UnicodeDecodeError:
            raise InputError(str(path), "binary data, not text", allowed) from None
        except json.JSONDecodeError as exc:
            what = "an empty file" if not exc.doc.strip() else f"not JSON ({exc.msg}, line {exc.lineno})"
            raise InputError(str(path), what, allowed) from None
        if not isinstance(meta, dict):
            raise InputError(str(path), f"a JSON {type(meta).__name__}, not an object", allowed)
        return meta

    def write_meta(self, meta: dict) -> None:
        atomic_write(self.root / META, lambda p: p.write_text(json.dumps(meta, indent=2, default=str)))

    def write_text(self, name: str, text: str) -> None:
        atomic_write(self.root / name, lambda p: p.write_text(text))

    def write_design(self, names: tuple[str, ...], points: np.ndarray, point_ids: list[str]) -> None:
        df = pd.DataFrame(points, columns=list(names))
        df.insert(0, "point_id", point_ids)
        df.insert(0, "point", np.arange(len(df)))
        atomic_write(self.root / DESIGN, lambda p: df.to_parquet(p, index=False))

    def read_design(self) -> pd.DataFrame:
        """The design points, or an InputError naming design.parquet if it is not a Parquet file."""
        path = self.root / DESIGN
        try:
            return pd.read_parquet(path)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(str(path), _parquet_problem(exc),
                             "the design table that bp-sim sweep writes (resume the sweep to write it again)") from None

    # ------------------------------------------------------------------ results
    def finished(self, outcomes: int) -> set[str]:
        """Ids of the runs whose result file is complete; an unreadable one is set aside and rerun."""
        done = set()
        for path in self.results.glob("*.parquet"):
            if path.name.startswith("."):
                continue
            try:
                rows = pq.read_metadata(path).num_rows
            except (OSError, pa.ArrowException):
                rows = -1
            if rows == outcomes:
                done.add(path.stem)
            else:
                aside = path.with_name(f".{path.name}.unreadable")
                os.replace(path, aside)
                sys.stderr.write(f"bp-sim: {path} is not a complete result; set aside as {aside.name}, run again\n")
        return done

    def write_result(self, res: JobResult, factors: tuple[str, ...], outcomes: tuple[str, ...]) -> None:
        """The run's rows (one per outcome) into results/<run_id>.parquet, atomically."""
        n = len(outcomes)
        values = dict(res.run.values)
        columns = {"run_id": [res.run.run_id] * n, "point_id": [res.run.point_id] * n,
                   "replicate": [res.run.replicate] * n, "seed": [res.run.seed] * n,
                   **{name: [values[name]] * n for name in factors},
                   "outcome": list(outcomes), "value": list(res.totals or ())}
        table = pa.Table.from_pydict(columns, schema=result_schema(factors))
        atomic_write(self.results / f"{res.run.run_id}.parquet", lambda p: pq.write_table(table, p))
        (self.failures_dir / f"{res.run.run_id}.txt").unlink(missing_ok=True)

    def write_failure(self, res: JobResult) -> None:
        head = json.dumps({"run_id": res.run.run_id, "replicate": res.run.replicate, "seed": res.run.seed,
                           "values": dict(res.run.values)})
        atomic_write(self.failures_dir / f"{res.run.run_id}.txt", lambda p: p.write_text(f"{head}\n{res.error}\n"))

    def failures(self) -> dict[str, str]:
        """run id -> error text of the runs that failed and have not succeeded since."""
        if not self.failures_dir.is_dir():
            return {}
        return {p.stem: p.read_text() for p in sorted(self.failures_dir.glob("*.txt")) if not p.name.startswith(".")}

    def read_results(self, factors: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The whole dataset: every finished run's rows (an empty frame if none).

        A file in results/ that is not a result file is an InputError naming it: not Parquet (removing
        it, or resuming the sweep, which sets such files aside and reruns them, fixes the folder), or,
        given `factors`, Parquet with other columns than `result_schema(factors)` (move it out).
        """
        files = sorted(p for p in self.results.glob("*.parquet") if not p.name.startswith("."))
        if not files:
            return pd.DataFrame(columns=["run_id", "point_id", "replicate", "seed", "outcome", "value"])
        expected = result_schema(factors) if factors is not None else None
        fix = "a result file written by bp-sim sweep: remove it, or resume the sweep, which sets it aside and reruns it"
        for path in files:
            try:
                schema = pq.read_schema(path)
            except (OSError, pa.ArrowException) as exc:
                raise InputError(str(path), _parquet_problem(exc), fix) from None
            if expected is not None and not schema.equals(expected):
                raise InputError(str(path), f"columns {schema.names}", f"a result file of this sweep, with columns "
                                 f"{expected.names}: move it out of results/")
        try:
            return pq.read_table([str(p) for p in files]).to_pandas()
        except (OSError, pa.ArrowException) as exc:  # a footer that reads but data that does not
            raise InputError(str(self.results), _parquet_problem(exc), fix) from None
