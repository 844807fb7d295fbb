"""Outcomes: their definitions, the weekly recorder, and the output writers.

Each outcome has a name, a unit and a meaning; `weekly_outcomes` computes one row from the
week's summed tallies. The recorder keeps preallocated arrays (one row per week), which is the
faster equal of Mesa's DataCollector for model-level series; node stocks and edge flows are
kept as dense arrays and written in long form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    ("migrant_employment_rate", "share", "employed among migrants living at destinations"),
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


def weekly_outcomes(tot: T.Tally, ppa: float, edge_frontex: np.ndarray) -> np.ndarray:
    """One row of outcomes from a week's summed tallies (agents scaled to persons)."""
    i, m = tot.ints, tot.money
    stock_by_state = tot.stock.sum(axis=(0, 1))
    detections = tot.edge[:, T.E_DETECTIONS]
    legs = i[T.I_SMUGGLED_LEGS]
    row = {
        "regular_departures": i[T.I_REGULAR_DEPARTURES] * ppa,
        "regular_departures_europe": i[T.I_REGULAR_DEPARTURES_EUROPE] * ppa,
        "irregular_departures": i[T.I_IRREGULAR_DEPARTURES] * ppa,
        "asylum_applications": i[T.I_ASYLUM_APPLICATIONS] * ppa,
        "irregular_arrivals_europe": i[T.I_ARRIVALS_EUROPE] * ppa,
        "border_detections": i[T.I_DETECTIONS] * ppa,
        "interceptions": i[T.I_INTERCEPTIONS] * ppa,
        "deaths_missing": i[T.I_DEATHS] * ppa,
        "missing_identified": i[T.I_MISSING_IDENTIFIED] * ppa,
        "smuggler_revenue_usd": m[T.M_SMUGGLER_REVENUE] * ppa,
        "mean_smuggling_fee_usd": m[T.M_SMUGGLER_REVENUE] / legs if legs else np.nan,
        "trafficking_victims": i[T.I_TRAFFICKED] * ppa,
        "trafficking_victims_identified": i[T.I_TRAFFICKED_IDENTIFIED] * ppa,
        "exploited": stock_by_state[State.EXPLOITED] * ppa,
        "remittances_sent_usd": m[T.M_REMIT_SENT] * ppa,
        "remittance_fees_usd": m[T.M_REMIT_FEES] * ppa,
        "remittances_received_usd": m[T.M_REMIT_RECEIVED] * ppa,
        "remittances_formal_usd": m[T.M_REMIT_FORMAL] * ppa,
        "asylum_backlog": stock_by_state[State.ASYLUM_PENDING] * ppa,
        "mean_asylum_wait_weeks": (i[T.I_WAIT_WEEKS_DECIDED] / i[T.I_DECISIONS]) if i[T.I_DECISIONS] else np.nan,
        "asylum_decisions": i[T.I_DECISIONS] * ppa,
        "asylum_recognised": i[T.I_RECOGNISED] * ppa,
        "returns_voluntary": i[T.I_RETURNS_VOLUNTARY] * ppa,
        "returns_forced": i[T.I_RETURNS_FORCED] * ppa,
        "reintegrated": i[T.I_REINTEGRATED] * ppa,
        "remigrated": i[T.I_REMIGRATED] * ppa,
        "migrant_employment_rate": (i[T.I_EMPLOYED] / i[T.I_WORKFORCE]) if i[T.I_WORKFORCE] else np.nan,
        "stranded_in_transit": i[T.I_STRANDED] * ppa,
        "in_transit": (stock_by_state[State.TRANSIT_REGULAR] + stock_by_state[State.TRANSIT_SMUGGLED]
                       + stock_by_state[State.DETAINED]) * ppa,
        "resettled": i[T.I_RESETTLED] * ppa,
        "onward_from_first_asylum": i[T.I_ONWARD] * ppa,
        "new_aspiring": i[T.I_NEW_ASPIRING] * ppa,
        "detections_emr": detections[edge_frontex == 1].sum() * ppa,
        "detections_wbr": detections[edge_frontex == 2].sum() * ppa,
    }
    return np.array([row[name] for name in OUTCOME_NAMES], dtype=np.float64)


@dataclass
class Recorder:
    """Preallocated weekly records: outcomes, stocks by origin/node/state, edge counts."""

    outcomes: np.ndarray  # (steps, n_outcomes) float64
    stocks: np.ndarray  # (steps, O, N, S) int64 agents
    edges: np.ndarray  # (steps, E, N_EDGE) int64 agents
    edge_fee: np.ndarray  # (steps, E) float64 USD
    claims: np.ndarray  # (steps, O) int64 agents: asylum claims by origin
    remit_in: np.ndarray  # (steps, O) float64 USD per agent: remittances arriving by origin
    steps_done: int = 0

    @classmethod
    def allocate(cls, steps: int, n_origins: int, n_nodes: int, n_states: int, n_edges: int) -> Recorder:
        return cls(
            outcomes=np.full((steps, len(OUTCOME_NAMES)), np.nan),
            stocks=np.zeros((steps, n_origins, n_nodes, n_states), np.int64),
            edges=np.zeros((steps, n_edges, T.N_EDGE), np.int64),
            edge_fee=np.zeros((steps, n_edges)),
            claims=np.zeros((steps, n_origins), np.int64),
            remit_in=np.zeros((steps, n_origins)),
        )

    def grow(self, steps: int) -> None:
        """Make room for more weeks when a model is stepped past its planned horizon."""
        extra = steps - self.outcomes.shape[0]
        if extra <= 0:
            return
        self.outcomes = np.vstack([self.outcomes, np.full((extra, self.outcomes.shape[1]), np.nan)])
        self.stocks = np.concatenate([self.stocks, np.zeros((extra, *self.stocks.shape[1:]), np.int64)])
        self.edges = np.concatenate([self.edges, np.zeros((extra, *self.edges.shape[1:]), np.int64)])
        self.edge_fee = np.vstack([self.edge_fee, np.zeros((extra, self.edge_fee.shape[1]))])
        self.claims = np.vstack([self.claims, np.zeros((extra, self.claims.shape[1]), np.int64)])
        self.remit_in = np.vstack([self.remit_in, np.zeros((extra, self.remit_in.shape[1]))])

    def record(self, t: int, row: np.ndarray, tot: T.Tally, edge_cost: np.ndarray) -> None:
        self.grow(t + 1)
        self.outcomes[t] = row
        self.stocks[t] = tot.stock
        self.edges[t] = tot.edge
        self.edge_fee[t] = edge_cost
        self.claims[t] = tot.claims
        self.remit_in[t] = tot.remit_in
        self.steps_done = max(self.steps_done, t + 1)
