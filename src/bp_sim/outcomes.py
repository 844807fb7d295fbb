"""Outcomes: their definitions, the weekly recorder, and the output writers.

Each outcome has a name, a unit and a meaning; `weekly_outcomes` computes one row from the
week's summed tallies. An outcome whose unit is "per week" is a flow, every other one (stocks,
rates, means) is averaged over weeks; `horizon_totals` turns a run's weekly rows into one total
per outcome that way. The recorder keeps preallocated arrays (one row per week), which is the
faster equal of Mesa's DataCollector for model-level series; node stocks and edge flows are
kept as dense arrays and written in long form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from bp_sim import tally as T
from bp_sim.states import State

# name, unit, meaning
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("regular_departures", "persons/week", "departures through regular channels"),
    ("regular_departures_europe", "persons/week", "regular departures to the EU and the UK"),
    ("irregular_departures", "persons/week", "irregular departures from origins, first-asylum and EU border countries"),
    ("asylum_applications", "persons/week", "first-time claims in EU/UK asylum systems (a second claim is not counted)"),
    ("irregular_arrivals_europe", "persons/week", "first irregular entries into EU territory"),
    ("border_detections", "detections/week", "detections on Frontex-counted legs (a person can be detected twice)"),
    ("interceptions", "persons/week", "interceptions at any border"),
    ("deaths_missing", "persons/week", "dead and missing on the routes"),
    ("missing_identified", "persons/week", "dead and missing who were identified"),
    ("smuggler_revenue_usd", "USD/week", "fees paid to smugglers"),
    ("mean_smuggling_fee_usd", "USD per leg", "mean fee paid per smuggled leg (NaN in a week with none)"),
    ("trafficking_victims", "persons/week", "people newly trafficked or exploited"),
    ("trafficking_victims_identified", "persons/week", "victims identified and referred"),
    ("exploited", "persons", "people trafficked or exploited at the end of the week"),
    ("remittances_sent_usd", "USD/week", "remittances sent by migrants"),
    ("remittance_fees_usd", "USD/week", "fees paid on remittances, formal and informal"),
    ("remittances_received_usd", "USD/week", "remittances arriving at origins (all channels)"),
    ("remittances_formal_usd", "USD/week", "remittances arriving through formal channels (as officially recorded)"),
    ("asylum_backlog", "persons", "claims pending at first instance at the end of the week"),
    ("mean_asylum_wait_weeks", "weeks", "mean wait of claims decided this week (NaN in a week with none)"),
    ("asylum_decisions", "persons/week", "first-instance decisions"),
    ("asylum_recognised", "persons/week", "positive first-instance decisions"),
    ("returns_voluntary", "persons/week", "voluntary and assisted returns to origin"),
    ("returns_forced", "persons/week", "removals and deportations to origin"),
    ("reintegrated", "persons/week", "returnees re-established with support"),
    ("remigrated", "persons/week", "former returnees leaving again"),
    ("migrant_employment_rate", "share", "employed among migrants living at destinations (NaN in a week with none)"),
    ("stranded_in_transit", "persons", "people in transit who cannot pay for the next leg"),
    ("in_transit", "persons", "people travelling, detained on the way included"),
    ("resettled", "persons/week", "refugees resettled out of first-asylum countries"),
    ("onward_from_first_asylum", "persons/week", "people moving on irregularly from first-asylum and EU border countries"),
    ("new_aspiring", "persons/week", "people starting to wish to migrate"),
    ("detections_emr", "detections/week", "detections on the Eastern Mediterranean route"),
    ("detections_wbr", "detections/week", "detections on the Western Balkans route"),
)
OUTCOME_NAMES = tuple(o[0] for o in OUTCOMES)
OUTCOME_INDEX = {name: k for k, name in enumerate(OUTCOME_NAMES)}
FLOW_OUTCOMES = tuple(name for name, unit, _ in OUTCOMES if unit.endswith("/week"))
IS_FLOW = np.array([unit.endswith("/week") for _, unit, _ in OUTCOMES])  # OUTCOME_NAMES order


def horizon_totals(series: np.ndarray) -> np.ndarray:
    """Flows summed over the horizon; stocks, rates and means averaged over weeks.

    `series` is (weeks, outcomes) in OUTCOME_NAMES order; a NaN week (a mean with nothing to
    average) is left out of its average, and an averaged outcome NaN in every week stays NaN."""
    if series.ndim != 2 or series.shape[1] != len(OUTCOME_NAMES):
        raise ValueError(f"horizon_totals needs a (weeks, {len(OUTCOME_NAMES)}) array of weekly outcomes "
                         f"in OUTCOME_NAMES order, got shape {series.shape}")
    sums = np.nansum(series, axis=0)
    counted = (~np.isnan(series)).sum(axis=0)  # weeks with a value (a mean fee needs a smuggled leg)
    means = np.divide(sums, counted, out=np.full(sums.shape, np.nan), where=counted > 0)
    return np.where(IS_FLOW, sums, means)


# How each outcome comes from a week's summed tallies (in persons and USD): (kind, a, b).
_COUNT, _MONEY, _STATES, _RATIO, _MONEY_PER_COUNT, _DETECTIONS = range(6)


def _states(*states: State) -> int:
    return sum(1 << int(s) for s in states)


_SOURCES: dict[str, tuple[int, int, int]] = {
    "regular_departures": (_COUNT, T.I_REGULAR_DEPARTURES, 0),
    "regular_departures_europe": (_COUNT, T.I_REGULAR_DEPARTURES_EUROPE, 0),
    "irregular_departures": (_COUNT, T.I_IRREGULAR_DEPARTURES, 0),
    "asylum_applications": (_COUNT, T.I_ASYLUM_APPLICATIONS, 0),
    "irregular_arrivals_europe": (_COUNT, T.I_ARRIVALS_EUROPE, 0),
    "border_detections": (_COUNT, T.I_DETECTIONS, 0),
    "interceptions": (_COUNT, T.I_INTERCEPTIONS, 0),
    "deaths_missing": (_COUNT, T.I_DEATHS, 0),
    "missing_identified": (_COUNT, T.I_MISSING_IDENTIFIED, 0),
    "smuggler_revenue_usd": (_MONEY, T.M_SMUGGLER_REVENUE, 0),
    "mean_smuggling_fee_usd": (_MONEY_PER_COUNT, T.M_SMUGGLER_REVENUE, T.I_SMUGGLED_LEGS),
    "trafficking_victims": (_COUNT, T.I_TRAFFICKED, 0),
    "trafficking_victims_identified": (_COUNT, T.I_TRAFFICKED_IDENTIFIED, 0),
    "exploited": (_STATES, _states(State.EXPLOITED), 0),
    "remittances_sent_usd": (_MONEY, T.M_REMIT_SENT, 0),
    "remittance_fees_usd": (_MONEY, T.M_REMIT_FEES, 0),
    "remittances_received_usd": (_MONEY, T.M_REMIT_RECEIVED, 0),
    "remittances_formal_usd": (_MONEY, T.M_REMIT_FORMAL, 0),
    "asylum_backlog": (_STATES, _states(State.ASYLUM_PENDING), 0),
    "mean_asylum_wait_weeks": (_RATIO, T.I_WAIT_WEEKS_DECIDED, T.I_DECISIONS),
    "asylum_decisions": (_COUNT, T.I_DECISIONS, 0),
    "asylum_recognised": (_COUNT, T.I_RECOGNISED, 0),
    "returns_voluntary": (_COUNT, T.I_RETURNS_VOLUNTARY, 0),
    "returns_forced": (_COUNT, T.I_RETURNS_FORCED, 0),
    "reintegrated": (_COUNT, T.I_REINTEGRATED, 0),
    "remigrated": (_COUNT, T.I_REMIGRATED, 0),
    "migrant_employment_rate": (_RATIO, T.I_EMPLOYED, T.I_WORKFORCE),
    "stranded_in_transit": (_COUNT, T.I_STRANDED, 0),
    "in_transit": (_STATES, _states(State.TRANSIT_REGULAR, State.TRANSIT_SMUGGLED, State.DETAINED), 0),
    "resettled": (_COUNT, T.I_RESETTLED, 0),
    "onward_from_first_asylum": (_COUNT, T.I_ONWARD, 0),
    "new_aspiring": (_COUNT, T.I_NEW_ASPIRING, 0),
    "detections_emr": (_DETECTIONS, 1, 0),  # edge_frontex code 1: Eastern Mediterranean
    "detections_wbr": (_DETECTIONS, 2, 0),  # edge_frontex code 2: Western Balkans
}
if tuple(_SOURCES) != OUTCOME_NAMES:
    raise RuntimeError("every outcome needs a source in _SOURCES, in OUTCOMES order")
_SOURCE_TABLE = np.array([_SOURCES[name] for name in OUTCOME_NAMES], np.int64)


@njit(cache=True)
def _fill_outcomes(ints, money, stock, edge, edge_frontex, sources, row, only) -> None:
    """Write one week's outcomes into row, following the sources table: of every origin, or of
    origin index `only` alone (ints, money, stock and edge all have the origin first)."""
    n_origins, n_states = stock.shape[0], stock.shape[2]
    first, last = (0, n_origins) if only < 0 else (only, only + 1)
    by_state = np.zeros(n_states, np.int64)
    counts = np.zeros(ints.shape[1], np.int64)
    sums = np.zeros(money.shape[1])
    for o in range(first, last):
        for n in range(stock.shape[1]):
            for s in range(n_states):
                by_state[s] += stock[o, n, s]
        counts += ints[o]
        sums += money[o]
    for k in range(sources.shape[0]):
        kind, a, b = sources[k, 0], sources[k, 1], sources[k, 2]
        if kind == _COUNT:
            row[k] = counts[a]
        elif kind == _MONEY:
            row[k] = sums[a]
        elif kind == _STATES:
            total = 0
            for s in range(n_states):
                if a & (1 << s):
                    total += by_state[s]
            row[k] = total
        elif kind == _RATIO:
            row[k] = counts[a] / counts[b] if counts[b] else np.nan
        elif kind == _MONEY_PER_COUNT:
            row[k] = sums[a] / counts[b] if counts[b] else np.nan
        else:
            total = 0
            for o in range(first, last):
                for e in range(edge.shape[1]):
                    if edge_frontex[e] == a:
                        total += edge[o, e, T.E_DETECTIONS]
            row[k] = total


def weekly_outcomes(tot: T.Tally, edge_frontex: np.ndarray, origin: int = -1) -> np.ndarray:
    """One row of outcomes (OUTCOME_NAMES order) from a week's summed tallies, in persons: of every
    origin, or of the origin with index `origin` alone."""
    row = np.empty(len(OUTCOME_NAMES))
    _fill_outcomes(tot.ints, tot.money, tot.stock, tot.edge, edge_frontex, _SOURCE_TABLE, row, origin)
    return row


def outcomes_by_origin(tot: T.Tally, edge_frontex: np.ndarray, out: np.ndarray) -> None:
    """out[o] = the week's outcomes of origin index o alone (out: (origins, outcomes))."""
    for o in range(out.shape[0]):
        _fill_outcomes(tot.ints, tot.money, tot.stock, tot.edge, edge_frontex, _SOURCE_TABLE, out[o], o)


@dataclass
class Recorder:
    """Preallocated weekly records: outcomes, stocks by origin/node/state, edge counts."""

    outcomes: np.ndarray  # (steps, n_outcomes) float64
    origin_outcomes: np.ndarray  # (steps, O, n_outcomes) float64: each origin's people alone
    stocks: np.ndarray  # (steps, O, N, S) int64 persons
    edges: np.ndarray  # (steps, E, N_EDGE) int64 persons, all origins
    edges_by_origin: np.ndarray  # (steps, O, E, N_EDGE) int64 persons by origin
    edge_fee: np.ndarray  # (steps, E) float64 USD
    claims: np.ndarray  # (steps, O) int64 persons: asylum claims by origin
    remit_in: np.ndarray  # (steps, O) float64 USD: remittances arriving by origin
    returns: np.ndarray  # (steps, O, N, 2) int64 persons setting off home by origin and host: voluntary, forced
    steps_done: int = 0

    @classmethod
    def allocate(cls, steps: int, n_origins: int, n_nodes: int, n_states: int, n_edges: int) -> Recorder:
        return cls(
            outcomes=np.full((steps, len(OUTCOME_NAMES)), np.nan),
            origin_outcomes=np.full((steps, n_origins, len(OUTCOME_NAMES)), np.nan),
            stocks=np.zeros((steps, n_origins, n_nodes, n_states), np.int64),
            edges=np.zeros((steps, n_edges, T.N_EDGE), np.int64),
            edges_by_origin=np.zeros((steps, n_origins, n_edges, T.N_EDGE), np.int64),
            edge_fee=np.zeros((steps, n_edges)),
            claims=np.zeros((steps, n_origins), np.int64),
            remit_in=np.zeros((steps, n_origins)),
            returns=np.zeros((steps, n_origins, n_nodes, 2), np.int64),
        )

    def grow(self, steps: int) -> None:
        """Make room for more weeks when a model is stepped past its planned horizon."""
        extra = steps - self.outcomes.shape[0]
        if extra <= 0:
            return
        self.outcomes = np.vstack([self.outcomes, np.full((extra, self.outcomes.shape[1]), np.nan)])
        self.origin_outcomes = np.concatenate([self.origin_outcomes,
                                               np.full((extra, *self.origin_outcomes.shape[1:]), np.nan)])
        self.stocks = np.concatenate([self.stocks, np.zeros((extra, *self.stocks.shape[1:]), np.int64)])
        self.edges = np.concatenate([self.edges, np.zeros((extra, *self.edges.shape[1:]), np.int64)])
        self.edges_by_origin = np.concatenate([self.edges_by_origin,
                                               np.zeros((extra, *self.edges_by_origin.shape[1:]), np.int64)])
        self.edge_fee = np.vstack([self.edge_fee, np.zeros((extra, self.edge_fee.shape[1]))])
        self.claims = np.vstack([self.claims, np.zeros((extra, self.claims.shape[1]), np.int64)])
        self.remit_in = np.vstack([self.remit_in, np.zeros((extra, self.remit_in.shape[1]))])
        self.returns = np.concatenate([self.returns, np.zeros((extra, *self.returns.shape[1:]), np.int64)])

    def record(self, t: int, row: np.ndarray, tot: T.Tally, edge_cost: np.ndarray, edge_frontex: np.ndarray) -> None:
        self.grow(t + 1)
        self.outcomes[t] = row
        outcomes_by_origin(tot, edge_frontex, self.origin_outcomes[t])
        self.stocks[t] = tot.stock
        self.edges_by_origin[t] = tot.edge
        tot.edge.sum(axis=0, out=self.edges[t])
        self.edge_fee[t] = edge_cost
        self.claims[t] = tot.claims
        self.remit_in[t] = tot.remit_in
        self.returns[t] = tot.returns
        self.steps_done = max(self.steps_done, t + 1)
