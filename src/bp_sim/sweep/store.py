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
        path = self.root / META
        if not path.is_file():
            return None
        return json.loads(path.read_text())

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
        return pd.read_parquet(self.root / DESIGN)

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

    def read_results(self) -> pd.DataFrame:
        """The whole dataset: every finished run's rows (an empty frame if none)."""
        files = sorted(p for p in self.results.glob("*.parquet") if not p.name.startswith("."))
        if not files:
            return pd.DataFrame(columns=["run_id", "point_id", "replicate", "seed", "outcome", "value"])
        return pd.read_parquet(self.results)
