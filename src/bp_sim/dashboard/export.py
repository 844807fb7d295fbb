"""Exports of the page: the current charts as PNG, the current lever settings as a scenario TOML.

The TOML is the resolved scenario (no `extends`) with the dashboard's seed and population, so
`bp-sim run FILE` replays the dashboard's scenario run week for week.
"""

from __future__ import annotations

import tomli_w

from bp_sim.dashboard.charts import chart_png
from bp_sim.dashboard.paired import PairedModel


def scenario_toml(paired: PairedModel) -> str:
    """The scenario as set on the page, as TOML text that `bp-sim run` accepts."""
    sc = paired.scenario()
    head = (f"# Exported from the bp-sim dashboard at week {paired.week}: preset {paired.preset_scenario.name}"
            f" with {len(sc.levers)} lever setting(s).\n# Run it with: bp-sim run THIS_FILE.toml\n")
    return head + tomli_w.dumps(sc.to_toml_dict())


def toml_filename(paired: PairedModel) -> str:
    return f"{paired.scenario().name}.toml"


def charts_png(paired: PairedModel) -> bytes:
    """The charts as shown: scenario beside baseline for the weeks run so far."""
    scenario, baseline = paired.series()
    return chart_png(scenario, baseline, paired.preset_scenario.start_date, chart_title(paired))


def chart_title(paired: PairedModel) -> str:
    sc = paired.scenario()
    return (f"Scenario {sc.name} (solid) against the baseline (dashed), same seed {paired.seed}, "
            f"{paired.n_agents:,} agents, week {paired.week}")
