"""The lever catalogue: what each lever moves, where, in what unit and range, and why."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

from bp_sim.parameters import SPECS
from bp_sim.settings import SETTINGS

SCOPES = ("node", "origin", "edge", "corridor", "param")
TARGETS = ("", "all_corridors", "corridors_europe", "corridors_other", "origins", "destinations", "asylum_systems",
           "first_asylum", "all_nodes", "eu_entry_legs", "smuggled_legs", "sea_legs")


@dataclass(frozen=True)
class Lever:
    """A policy lever: the model setting it moves, its default targets, unit and allowed range."""

    name: str
    scope: str  # node, origin, edge, corridor or param
    field: str  # the setting (node/origin/edge/corridor field, or parameter name)
    targets: str  # default places it acts on (a selector of `targets.select`)
    mode: str  # 'set' (value replaces the setting) or 'scale' (value multiplies it)
    unit: str
    baseline: str
    low: float
    high: float
    mechanism: str
    evidence: str


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(str(resources.files("bp_sim") / "data" / name), keep_default_na=False)


def _load_levers() -> dict[str, Lever]:
    levers = {}
    for r in _data("levers.csv").itertuples(index=False):
        if r.scope not in SCOPES or r.targets not in TARGETS or r.mode not in ("set", "scale"):
            raise ValueError(f"levers.csv: lever {r.lever} has an invalid scope, targets or mode")
        lever = Lever(r.lever, r.scope, r.field, r.targets, r.mode, r.unit, str(r.baseline),
                      float(r.low), float(r.high), r.mechanism, r.evidence)
        _check_moves_a_setting(lever)
        levers[r.lever] = lever
    return levers


def _check_moves_a_setting(lv: Lever) -> None:
    """A lever moves a setting of `settings.csv` (or a parameter of `parameters.csv`), and a
    lever that sets the value (mode 'set') stays inside the range the setting allows."""
    target = SPECS.get(lv.field) if lv.scope == "param" else SETTINGS.get((lv.scope, lv.field))
    if target is None:
        where = "parameters.csv" if lv.scope == "param" else "settings.csv"
        raise ValueError(f"levers.csv: lever {lv.name} moves {lv.scope}.{lv.field}, which is not in {where}")
    if not lv.low < lv.high or (lv.mode == "set" and not target.low <= lv.low <= lv.high <= target.high):
        raise ValueError(f"levers.csv: lever {lv.name} range [{lv.low:g}, {lv.high:g}] is outside "
                         f"{lv.scope}.{lv.field}'s [{target.low:g}, {target.high:g}]")


LEVERS: dict[str, Lever] = _load_levers()
ACTIONS: pd.DataFrame = _data("actions.csv")
for _levers in ACTIONS.levers:
    for _name in _levers.split(";"):
        if _name not in LEVERS:
            raise ValueError(f"actions.csv names an unknown lever {_name!r}")


def catalogue_table(goal: int | None = None) -> pd.DataFrame:
    """One row per (action, lever): the action, and what its lever moves, how and why."""
    rows = []
    for a in ACTIONS.itertuples(index=False):
        if goal is not None and int(a.priority_goal) != goal:
            continue
        for name in a.levers.split(";"):
            lv = LEVERS[name]
            rows.append({
                "action_id": a.action_id, "priority_goal": int(a.priority_goal), "short_title": a.short_title,
                "lever": name, "moves": f"{lv.scope}.{lv.field}", "targets": lv.targets or "-", "mode": lv.mode,
                "unit": lv.unit, "baseline": lv.baseline, "low": lv.low, "high": lv.high,
                "mechanism": lv.mechanism, "evidence": lv.evidence, "representation": a.representation,
            })
    return pd.DataFrame(rows)
