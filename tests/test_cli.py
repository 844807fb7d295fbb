import json
import subprocess
import sys

import pandas as pd

from bp_sim.cli import main
from bp_sim.outcomes import OUTCOME_NAMES

REQUIRED = {"regular_departures", "irregular_departures", "asylum_applications", "irregular_arrivals_europe",
            "border_detections", "interceptions", "deaths_missing", "missing_identified", "smuggler_revenue_usd",
            "mean_smuggling_fee_usd", "trafficking_victims", "trafficking_victims_identified",
            "remittances_sent_usd", "remittance_fees_usd", "remittances_received_usd", "asylum_backlog",
            "mean_asylum_wait_weeks", "returns_voluntary", "returns_forced", "reintegrated",
            "migrant_employment_rate", "stranded_in_transit"}


def test_run_end_to_end_writes_every_output(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--years", "0.5", "--agents", "5000", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(ts) == 26 and set(ts.columns) >= REQUIRED and set(OUTCOME_NAMES) <= set(ts.columns)
    flows = pd.read_parquet(out / "edge_flows.parquet")
    assert {"step", "edge", "crossings", "interceptions", "deaths", "fee_usd"} <= set(flows.columns)
    stocks = pd.read_parquet(out / "node_stocks.parquet")
    assert stocks.groupby("step").persons.sum().round(-3).nunique() == 1  # persons conserved each week
    info = json.loads((out / "run_info.json").read_text())
    assert info["agents"] == 5000 and info["steps"] == 26 and info["engine"] == "numba"
    assert (out / "outcomes.png").stat().st_size > 10_000 and (out / "network_flows.png").stat().st_size > 10_000
    again = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "bp_sim.cli", "run", str(out / "scenario.toml"), "--years", "0.5",
                    "--agents", "5000", "--out", str(again), "--quiet"], check=True)
    pd.testing.assert_frame_equal(ts, pd.read_parquet(again / "timeseries.parquet"))  # resolved scenario replays


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "bp_sim.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_bad_scenario_exits_2_with_one_message_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[parameters]\nsaving_rate = 7\n")
    out = tmp_path / "out"
    res = _cli("run", str(bad), "--out", str(out))
    assert res.returncode == 2
    assert "parameters.saving_rate" in res.stderr and "7" in res.stderr and "[0, 1]" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_bad_arguments_exit_2(tmp_path):
    for args in (("run", "--agents", "many"), ("run", "--years", "0"), ("run", "no_such_scenario"),
                 ("run", str(tmp_path / "missing.toml"))):
        res = _cli(*args, "--out", str(tmp_path / "x"))
        assert res.returncode == 2, args
        assert "Traceback" not in res.stderr and "error" in res.stderr


def test_failed_run_keeps_previous_outputs(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "--years", "0.1", "--agents", "2000", "--out", str(out), "--quiet"]) == 0
    before = (out / "timeseries.parquet").read_bytes()
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nyears = -1\n")
    assert main(["run", str(bad), "--out", str(out), "--quiet"]) == 2
    assert (out / "timeseries.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_compare_end_to_end_writes_summary_and_report(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "remittances_sdg", "--reps", "2", "--years", "1.5", "--agents", "20000",
                 "--jobs", "2", "--out", str(out), "--quiet"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns[:8]) == ["scenario", "outcome", "mean", "ci_low", "ci_high", "diff_vs_baseline",
                                         "diff_ci_low", "diff_ci_high"]
    assert set(summary.scenario) == {"baseline", "remittances_sdg"} and set(summary.outcome) >= REQUIRED
    base = summary[summary.scenario == "baseline"]
    assert (base.diff_vs_baseline.fillna(0) == 0).all()
    fees = summary[(summary.scenario == "remittances_sdg") & (summary.outcome == "remittance_fees_usd")].iloc[0]
    assert fees.diff_ci_high < 0  # cheaper remittances: fees fall in every replicate
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 4 and set(runs.seed) == {0, 1}
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 4 * 78
    report = (out / "report.md").read_text()
    assert "remittances_sdg" in report and "remittance_cost" in report
    assert (out / "differences.png").stat().st_size > 10_000 and (out / "timeseries.png").stat().st_size > 10_000


def test_levers_lists_all_actions_as_table_and_json(capsys):
    assert main(["levers", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["action_id"] for r in rows} == {f"PG{g}.{n}" for g, k in ((1, 5), (2, 6), (3, 6), (4, 6), (5, 6), (6, 8))
                                             for n in range(1, k + 1)}
    assert main(["levers", "--goal", "4"]) == 0
    text = capsys.readouterr().out
    assert "PG4.6" in text and "remittance_cost" in text and "PG1.1" not in text


def test_bad_lever_in_scenario_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers]\nremittance_cost = 40\n")
    res = _cli("run", str(bad), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "levers.remittance_cost" in res.stderr and "[0, 15]" in res.stderr
    bad.write_text("[levers]\nremitance_cost = 3\n")
    res = _cli("run", str(bad), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "remitance_cost" in res.stderr and "remittance_cost" in res.stderr
