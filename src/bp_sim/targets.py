"""Calibration targets: observed figures, and the model's value for each from a finished run.

`data/targets.csv` holds one row per observed figure used for fitting (2020-2023 only): its
source ids in `public_figures.csv`, the simulated quantity it is compared with (a `metric` below,
with its origin, place or legs and period), the share of the figure the model's people account
for, and an observation error on the log scale with the reason for its size. `simulated` turns a
finished run into the value of any target; `load_targets` reads and checks the table.

Metrics (what the model records, `outcomes.Recorder`):
- `stock`: persons of `origin` living at `place` (one node, or several joined by `+`) in the week
  that holds `period_end` (a stock is a count at a date);
- `claims`: first-time asylum applications in the EU by people of `origin` over the period;
- `detections`: Frontex-style detections on the route `place` (EMR or WBR) over the period;
- `leg_deaths`: dead and missing on the legs `place` (`SRC->DST`, several joined by `;`), among
  people of `origin` if one is given, over the period;
- `origin_deaths`: dead and missing among people of `origin`, on every leg, over the period;
- `remittances`: remittances reaching `origin` through formal channels over the period (USD);
- `fee`: the smuggling fee on the leg `place`, the mean over the period's weeks (USD);
- `returns`: persons of `origin` setting off home from the hosts `place` (nodes joined by `+`),
  voluntary and forced together, over the period (`Recorder.returns`);
- `recognition`: the first-instance recognition rate of `origin`'s claims over the period, in
  percent (positive decisions over all decisions among that origin's people).

`data/validation_targets.csv` has the same columns and holds figures of 2024 only, never fitted
(`load_validation_targets`): `bp-sim validate` holds the posterior predictive against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from bp_sim import tally as T
from bp_sim.errors import InputError
from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.states import State

METRICS = ("stock", "claims", "detections", "leg_deaths", "origin_deaths", "remittances", "fee", "returns",
           "recognition")
ROUTE_DETECTIONS = {"EMR": "detections_emr", "WBR": "detections_wbr"}
FIT_YEARS = (2020, 2023)  # targets are figures of these years only: 2024 is kept for validation
VALIDATION_YEARS = (2024, 2024)  # the validation table's figures: the year after the fitted ones, never fitted
PERCENT = 100.0  # recognition rates are in percent, as published
COLUMNS = ("id", "figure_ids", "metric", "origin", "place", "period_start", "period_end", "observed", "unit", "source",
           "confidence", "observed_share", "share_source", "error_log_sd", "error_why", "mechanism", "parameters")
LIVING = [s for s in State if s != State.DEAD_MISSING]


@dataclass(frozen=True)
class Target:
    """One observed figure and the simulated quantity it is held against."""

    id: str
    figure_ids: str
    metric: str
    origin: str
    place: str
    start: dt.date
    end: dt.date
    observed: float  # the figure as published
    share: float  # the share of it the model's people account for (1: all of it)
    error_log_sd: float  # observation error, standard deviation of log(observed)

    @property
    def expected(self) -> float:
        """The figure the model should reproduce: the published one times the model's share."""
        return self.observed * self.share


def _date(where: str, raw: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise InputError(where, raw, "a date YYYY-MM-DD") from None


def _positive(where: str, raw: object, high: float = np.inf) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = np.nan
    if not (0.0 < value <= high):
        raise InputError(where, raw, f"a number above 0{'' if high == np.inf else f' and at most {high:g}'}")
    return value


def parse_targets(df: pd.DataFrame, source: str, origins: set[str], nodes: set[str], legs: set[str],
                  years: tuple[int, int] = FIT_YEARS) -> list[Target]:
    """Targets from the table's rows, each field checked (errors name the file, the row id and the column);
    every period must lie within `years` (the fitted years unless told otherwise)."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(source, f"columns {list(df.columns)}", f"the columns {', '.join(COLUMNS)}")
    out: list[Target] = []
    seen: set[str] = set()
    for row in df.itertuples(index=False):
        where = f"{source}, target {row.id}"
        if row.id in seen:
            raise InputError(f"{source}, id", row.id, "a new id (each target once)")
        seen.add(row.id)
        if row.metric not in METRICS:
            raise InputError(f"{where}, metric", row.metric, ", ".join(METRICS))
        origin, place = str(row.origin or ""), str(row.place or "")
        if row.metric in ("claims", "origin_deaths", "remittances", "stock", "returns", "recognition") \
                and origin not in origins:
            raise InputError(f"{where}, origin", origin, "an origin of the network: " + ", ".join(sorted(origins)))
        if row.metric == "leg_deaths" and origin and origin not in origins:
            raise InputError(f"{where}, origin", origin, "empty, or an origin of the network")
        if row.metric in ("stock", "returns"):
            bad = [p for p in place.split("+") if p not in nodes]
            if bad:
                raise InputError(f"{where}, place", place, "places of the network joined by +")
        if row.metric == "detections" and place not in ROUTE_DETECTIONS:
            raise InputError(f"{where}, place", place, ", ".join(ROUTE_DETECTIONS))
        if row.metric in ("leg_deaths", "fee"):
            bad = [leg for leg in place.split(";") if leg not in legs]
            if bad or (row.metric == "fee" and ";" in place):
                raise InputError(f"{where}, place", place, "a leg SRC->DST of routes.csv" +
                                 ("" if row.metric == "fee" else " (several joined by ;)"))
        start, end = _date(f"{where}, period_start", row.period_start), _date(f"{where}, period_end", row.period_end)
        if end < start:
            raise InputError(f"{where}, period_end", row.period_end, f"a date from period_start ({start}) on")
        if not (years[0] <= start.year and end.year <= years[1]):
            later = " (later figures are for validation)" if years == FIT_YEARS else " (the validation year)"
            raise InputError(f"{where}, period", f"{start} to {end}",
                             f"a period within {years[0]}-{years[1]}{later}")
        out.append(Target(str(row.id), str(row.figure_ids), row.metric, origin, place, start, end,
                          _positive(f"{where}, observed", row.observed),
                          _positive(f"{where}, observed_share", row.observed_share, 1.0),
                          _positive(f"{where}, error_log_sd", row.error_log_sd, 5.0)))
    return out


def read_table(path=None, bundled: str = "targets.csv") -> tuple[pd.DataFrame, str]:
    """A target table as text columns (the bundled one, `bundled` in bp_sim/data, unless `path` is given)."""
    source = str(path) if path is not None else f"bp_sim/data/{bundled}"
    file = path if path is not None else resources.files("bp_sim") / "data" / bundled
    return pd.read_csv(str(file), keep_default_na=False, dtype=str), source


def _network_names(net) -> tuple[set[str], set[str], set[str]]:
    ids = net.nodes.node_id.to_numpy()
    legs = {f"{ids[s]}->{ids[d]}" for s, d in zip(net.edge_src, net.edge_dst, strict=True)}
    return set(net.origin_index), set(net.node_id), legs


def load_targets(net, path=None) -> list[Target]:
    """The bundled target table (or `path`), checked against the network; 2020-2023 only."""
    df, source = read_table(path)
    return parse_targets(df, source, *_network_names(net))


def load_validation_targets(net, path=None) -> list[Target]:
    """The bundled validation table (data/validation_targets.csv, or `path`): figures of 2024 only."""
    df, source = read_table(path, "validation_targets.csv")
    return parse_targets(df, source, *_network_names(net), years=VALIDATION_YEARS)


def week_rows(start_date: dt.date, steps: int, first: dt.date, last: dt.date) -> np.ndarray:
    """The recorded weeks whose first day lies in [first, last] (a year's sum: the 52 or 53 weeks
    that start in it)."""
    days = np.array([start_date + dt.timedelta(weeks=k) for k in range(steps)])
    return np.flatnonzero((days >= first) & (days <= last))


def simulated(model, target: Target) -> float:
    """The run's value of a target (nan when the run does not cover its period)."""
    rec, net = model.recorder, model.net
    steps = rec.steps_done
    origin = net.origin_index
    if target.metric == "stock":
        rows = week_rows(model.scenario.start_date, steps, target.end - dt.timedelta(days=6), target.end)
        if len(rows) == 0:
            return np.nan
        places = [net.node_id[p] for p in target.place.split("+")]
        return float(rec.stocks[rows[-1], origin[target.origin]][np.ix_(places, LIVING)].sum())
    rows = week_rows(model.scenario.start_date, steps, target.start, target.end)
    if len(rows) == 0 or model.scenario.week_of(target.end) >= steps:
        return np.nan  # the run stops before the week that holds the period's last day
    if target.metric == "claims":
        return float(rec.claims[rows, origin[target.origin]].sum())
    if target.metric == "detections":
        return float(np.nansum(rec.outcomes[rows, OUTCOME_INDEX[ROUTE_DETECTIONS[target.place]]]))
    if target.metric == "origin_deaths":
        return float(np.nansum(rec.origin_outcomes[rows, origin[target.origin], OUTCOME_INDEX["deaths_missing"]]))
    if target.metric == "returns":
        hosts = [net.node_id[p] for p in target.place.split("+")]
        return float(rec.returns[rows, origin[target.origin]][:, hosts].sum())
    if target.metric == "recognition":
        o = origin[target.origin]
        decided = np.nansum(rec.origin_outcomes[rows, o, OUTCOME_INDEX["asylum_decisions"]])
        positive = np.nansum(rec.origin_outcomes[rows, o, OUTCOME_INDEX["asylum_recognised"]])
        return float(PERCENT * positive / decided) if decided > 0 else np.nan
    if target.metric == "remittances":
        return float(np.nansum(rec.origin_outcomes[rows, origin[target.origin],
                                                   OUTCOME_INDEX["remittances_formal_usd"]]))
    edges = [net.edge_index(leg) for leg in target.place.split(";")]
    if target.metric == "fee":
        return float(rec.edge_fee[rows, edges[0]].mean())
    if target.origin:  # leg_deaths among one origin's people
        return float(rec.edges_by_origin[rows][:, origin[target.origin]][:, edges, T.E_DEATHS].sum())
    return float(rec.edges[rows][:, edges, T.E_DEATHS].sum())


def simulated_all(model, targets: list[Target]) -> np.ndarray:
    """Every target's value for a finished run, in the targets' order."""
    return np.array([simulated(model, t) for t in targets], dtype=float)
