"""`bp-sim run --profile`: the time of every phase of the week, as a table and in run_info.json."""

from __future__ import annotations

import json

from bp_sim.cli import main
from bp_sim.phases import WEEK


def test_profile_prints_every_phase_in_week_order_and_records_it(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", "baseline", "--agents", "2000", "--years", "0.25", "--out", str(out), "--quiet",
                 "--profile"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(k for k, line in enumerate(lines) if line.split()[:2] == ["phase", "seconds"])
    rows = [line.split()[0] for line in lines[header + 2: header + 2 + len(WEEK)]]
    assert rows == [ph.name for ph in WEEK]
    assert lines[header + 2 + len(WEEK)].startswith("all phases")
    info = json.loads((out / "run_info.json").read_text())
    assert list(info["phase_seconds"]) == [ph.name for ph in WEEK]
    assert all(s >= 0.0 for s in info["phase_seconds"].values())
    assert sum(info["phase_seconds"].values()) <= info["seconds_simulation"]


def test_without_profile_no_phase_times_are_kept(tmp_path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", "baseline", "--agents", "2000", "--years", "0.1", "--out", str(out), "--quiet"]) == 0
    assert "phase_seconds" not in json.loads((out / "run_info.json").read_text())
    assert "ms/week" not in capsys.readouterr().out
