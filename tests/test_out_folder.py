"""`--out` never destroys a user's files: only a folder bp-sim wrote for the same command is replaced.

And every way an output folder can be unusable (a file in the way, a name too long, the current
folder, a full or read-only disk) is one message and exit 2, checked before the simulation.
Killed runs leave no temporaries that later runs keep; SIGTERM and SIGHUP clean up like Ctrl-C;
a symlink as --out leaves nothing behind; folders get the umask's permissions.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bp_sim import atomic
from bp_sim.atomic import HOST, MARKER, atomic_dir, check_out, remove_stale_temporaries
from bp_sim.cli import main
from bp_sim.errors import InputError

SMALL = ["--years", "0.1", "--agents", "1000", "--quiet"]


def run_cli(*args: str, out: Path) -> int:
    return main(["run", *SMALL, *args, "--out", str(out)])


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bp_sim.cli", *args], capture_output=True, text=True, cwd=cwd)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- what may be replaced
def test_a_users_own_folder_is_refused_and_left_as_it_was(tmp_path, capsys):
    project = tmp_path / "my_project"
    (project / "notes").mkdir(parents=True)
    (project / "thesis.tex").write_text("years of work")
    (project / "notes" / "a.txt").write_text("more")
    before = snapshot(project)
    assert run_cli(out=project) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "'notes'" in err and "not written by bp-sim" in err and "Nothing was replaced" in err
    assert snapshot(project) == before


def test_a_folder_of_earlier_runs_is_not_replaced(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert run_cli(out=runs / "a") == 0 and run_cli(out=runs / "b") == 0
    before = snapshot(runs)
    assert run_cli(out=runs) == 2
    assert "it holds 'a' and was not written by bp-sim" in capsys.readouterr().err
    assert snapshot(runs) == before


def test_its_own_output_is_replaced_and_marked(tmp_path):
    out = tmp_path / "run"
    assert run_cli(out=out) == 0
    record = json.loads((out / MARKER).read_text())
    assert record["kind"] == "run" and "timeseries.parquet" in record["files"] and "run_info.json" in record["files"]
    first = (out / "run_info.json").stat().st_mtime_ns
    assert run_cli("--seed", "5", out=out) == 0
    assert json.loads((out / "run_info.json").read_text())["seed"] == 5 and (out / "run_info.json").stat().st_mtime_ns >= first


def test_its_own_output_with_a_users_file_added_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    assert run_cli(out=out) == 0
    (out / "my_analysis.ipynb").write_text("{}")
    assert run_cli(out=out) == 2
    assert "'my_analysis.ipynb', which bp-sim did not write" in capsys.readouterr().err
    assert (out / "my_analysis.ipynb").exists() and (out / "timeseries.parquet").exists()


def test_an_output_of_another_command_is_refused(tmp_path):
    out = tmp_path / "o"
    with atomic_dir(out, "compare") as tmp:
        (tmp / "summary.csv").write_text("x")
    with pytest.raises(InputError, match=r"holds the output of `bp-sim compare`"):
        check_out(out, "run")


def test_an_empty_folder_may_be_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert run_cli(out=out) == 0 and (out / "timeseries.parquet").exists()


def test_a_sweep_folder_is_never_replaced_by_run_or_analyse(tmp_path, capsys):
    from tests.sweep.conftest import write_experiment

    sweep = tmp_path / "sweep"
    assert main(["sweep", str(write_experiment(tmp_path, replicates=1, agents=500, years=2 / 52)), "--out", str(sweep),
                 "--workers", "1", "--quiet"]) == 0
    before = snapshot(sweep)
    assert run_cli(out=sweep) == 2
    for target in (sweep, sweep / "results", sweep / "results" / "new", sweep / "failures" / "x"):
        assert main(["analyse", str(sweep), "--out", str(target)]) == 2, target
    err = capsys.readouterr().err
    assert "was not written by bp-sim" in err and "a folder outside" in err and "Traceback" not in err
    assert snapshot(sweep) == before
    assert main(["analyse", str(sweep)]) == 0 and main(["analyse", str(sweep)]) == 0  # its own analysis: replaced


# ---------------------------------------------------------------- paths that cannot be written
@pytest.mark.parametrize(("name", "why"), [
    ("", r"a folder path \(not empty"),
    (".", r"a folder of its own"),
    ("..", r"a folder of its own"),
    ("x" * 300, r"names of at most 255 bytes"),
    ("a_file/run", r"is a file"),
    ("a_file", r"a file of that name exists"),
])
def test_unusable_out_paths_are_refused_before_simulating(tmp_path, name, why):
    (tmp_path / "a_file").write_text("mine")
    res = cli("run", *SMALL, "--out", name, cwd=tmp_path)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "week" not in res.stderr  # refused before the first simulated week
    assert len(res.stderr.strip().splitlines()) == 1
    assert re.search(why, res.stderr), res.stderr
    assert (tmp_path / "a_file").read_text() == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_place_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="not writable"):
            check_out(locked / "run", "run")
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_or_read_only_disk_is_exit_2_and_the_earlier_output_survives(tmp_path, monkeypatch, capsys, code):
    out = tmp_path / "run"
    assert run_cli(out=out) == 0
    before = snapshot(out)

    def full(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    assert run_cli(out=out) == 2
    err = capsys.readouterr().err
    assert f"a folder with room and permission to write ({os.strerror(code)})" in err and "nothing was replaced" in err
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the temporary is gone


def test_a_figure_that_fails_loses_no_data(tmp_path, monkeypatch, capsys):
    import bp_sim.runner as runner

    def broken(*_args, **_kwargs):
        raise ValueError("x and y must have same first dimension")

    monkeypatch.setattr(runner, "plot_network_flows", broken)
    out = tmp_path / "run"
    assert run_cli(out=out) == 0
    assert "network_flows.png could not be drawn" in capsys.readouterr().err
    info = json.loads((out / "run_info.json").read_text())
    assert "network_flows.png" in info["figures_not_drawn"] and (out / "timeseries.parquet").exists()
    assert (out / "outcomes.png").exists() and not (out / "network_flows.png").exists()


@pytest.mark.parametrize("name", ["$$", r"cost $\frac$", "50$ or $100"])
def test_a_scenario_name_with_dollars_is_drawn_as_written(tmp_path, capsys, name):
    sc = tmp_path / "s.toml"
    sc.write_text(f"[scenario]\nname = {json.dumps(name)}\n")
    out = tmp_path / "run"
    assert main(["run", str(sc), *SMALL, "--out", str(out)]) == 0
    assert "could not be drawn" not in capsys.readouterr().err
    assert "figures_not_drawn" not in json.loads((out / "run_info.json").read_text())


# ---------------------------------------------------------------- temporaries, signals, links, modes
def test_temporaries_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "run"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)  # a process that has exited
    stale = tmp_path / f".run.partial-{HOST}-{dead_pid}-abc123"
    stale_old = tmp_path / f".run.old-{HOST}-{dead_pid}-def456"
    live = tmp_path / f".run.partial-{HOST}-{os.getpid()}-ghi789"  # a running process: left alone
    other_host = tmp_path / f".run.partial-otherhost-{dead_pid}-jkl012"  # may be another node's: left alone
    for folder in (stale, stale_old, live, other_host):
        folder.mkdir()
        (folder / "timeseries.parquet").write_text("half")
    assert run_cli(out=out) == 0
    assert not stale.exists() and not stale_old.exists() and live.exists() and other_host.exists()


def test_a_run_killed_while_swapping_folders_gets_its_old_output_back(tmp_path):
    out = tmp_path / "run"
    dead_pid = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                  text=True).stdout)
    old = tmp_path / f".run.old-{HOST}-{dead_pid}-abc123" / "replaced"
    old.mkdir(parents=True)
    (old / "timeseries.parquet").write_text("earlier")
    assert remove_stale_temporaries(out)
    assert (out / "timeseries.parquet").read_text() == "earlier" and not old.parent.exists()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_like_ctrl_c(tmp_path, sig):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "bp_sim.cli", "run", "--years", "100", "--agents", "20000",
                             "--out", str(out)], stderr=subprocess.PIPE, text=True)
    seen = ""
    while "week" not in seen:  # a state: the simulation has started (100 years cannot be done by then)
        char = proc.stderr.read(1)
        assert char, f"bp-sim ended before simulating: {seen}"
        seen += char
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait() == 128 + sig and "interrupted" in rest and "Traceback" not in rest
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_symlink_as_out_replaces_its_target_and_leaves_nothing_behind(tmp_path):
    real = tmp_path / "real"
    assert run_cli(out=real) == 0
    link = tmp_path / "latest"
    link.symlink_to(real)
    assert run_cli("--seed", "9", out=link) == 0
    assert link.is_symlink() and json.loads((real / "run_info.json").read_text())["seed"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "real"]


def test_output_folders_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "run"
        assert run_cli(out=out) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o755
        assert stat.S_IMODE((out / "timeseries.parquet").stat().st_mode) == 0o644
    finally:
        os.umask(old)


def test_the_marker_lists_every_file_of_nested_outputs(tmp_path):
    out = tmp_path / "a"
    with atomic_dir(out, "analysis") as tmp:
        (tmp / "plots").mkdir()
        (tmp / "plots" / "x.png").write_bytes(b"png")
        (tmp / "points.csv").write_text("x")
    assert atomic.not_replaceable(out, "analysis") is None
    (out / "plots" / "mine.png").write_bytes(b"mine")
    assert "plots/mine.png" in atomic.not_replaceable(out, "analysis")


def _workers(pid: int) -> list[int]:
    """Process ids of the multiprocessing workers whose parent is `pid` (Linux /proc; the
    resource tracker, which exits by itself when its command does, is not one)."""
    kids = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and b"spawn_main" in (stat_file.parent / "cmdline").read_bytes():
                kids.append(int(stat_file.parent.name))
    return kids


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_sigterm_stops_compare_and_its_workers_at_once(tmp_path):
    out = tmp_path / "cmp"
    proc = subprocess.Popen([sys.executable, "-m", "bp_sim.cli", "compare", "baseline", "legal_pathways", "--reps", "500",
                             "--jobs", "2", "--agents", "20000", "--years", "1", "--out", str(out)],
                            stderr=subprocess.PIPE, text=True)
    seen = ""
    while "runs 1/" not in seen:  # a state: the workers are running (1,000 runs are far from done)
        char = proc.stderr.read(1)
        assert char, f"compare ended early: {seen}"
        seen += char
    workers = _workers(proc.pid)
    assert len(workers) == 2, "compare --jobs 2 runs its runs in two worker processes"
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    assert proc.wait() == 128 + signal.SIGTERM and "interrupted" in rest and "Traceback" not in rest
    # Terminated before the command returned, not left to finish the runs they held.
    assert not [pid for pid in workers if _running(pid)]
    assert not out.exists()
