"""Per-chunk accumulators the population kernel writes, summed in a fixed order afterwards.

The population is cut into a fixed number of chunks that depends only on its size, never on
the thread count. Each chunk writes its own row of every counter (no atomics, no locks), and
rows are summed in chunk order, so float totals are bit-identical whatever the threading.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

# Integer counters, in persons (every row counts its weight).
I_REGULAR_DEPARTURES = 0
I_IRREGULAR_DEPARTURES = 1
I_ASYLUM_APPLICATIONS = 2
I_ARRIVALS_EUROPE = 3
I_DETECTIONS = 4
I_INTERCEPTIONS = 5
I_DEATHS = 6
I_MISSING_IDENTIFIED = 7
I_TRAFFICKED = 8
I_TRAFFICKED_IDENTIFIED = 9
I_RETURNS_VOLUNTARY = 10
I_RETURNS_FORCED = 11
I_REINTEGRATED = 12
I_STRANDED = 13
I_EMPLOYED = 14
I_WORKFORCE = 15
I_DECISIONS = 16
I_RECOGNISED = 17
I_WAIT_WEEKS_DECIDED = 18
I_SMUGGLED_LEGS = 19
I_RESETTLED = 20
I_ONWARD = 21
I_REMIGRATED = 22
I_NEW_ASPIRING = 23
I_REGULAR_DEPARTURES_EUROPE = 24
N_INT = 25

# Money sums, USD (every row counts its persons' money).
M_SMUGGLER_REVENUE = 0
M_REMIT_SENT = 1
M_REMIT_FEES = 2
M_REMIT_RECEIVED = 3
M_REMIT_FORMAL = 4
N_MONEY = 5

# Per-edge counters.
E_CROSSINGS = 0
E_INTERCEPTIONS = 1
E_DEATHS = 2
E_DETECTIONS = 3
N_EDGE = 4

Tally = namedtuple(
    "Tally",
    (
        "ints",  # (C, O, N_INT) int64 persons, by origin
        "money",  # (C, O, N_MONEY) float64 USD, by origin
        "stock",  # (C, O, N, S) int64 persons by origin, node and state at the end of the week
        "edge",  # (C, O, E, N_EDGE) int64 persons by origin, edge and event
        "demand",  # (C, E) int64 persons ready to depart on the edge this week
        "applicants",  # (C, O, N) int64 eligible applicants for regular slots
        "pending",  # (C, A, W) int64 claims pending by weeks waited
        "remit_in",  # (C, O) float64 USD arriving at each origin
        "remit_receivers",  # (C, O) int64 persons at home in households that receive remittances
        "arrivals",  # (C, N) int64 persons arriving to stay at a destination
        "refugees",  # (C, N) int64 registered refugees (resettlement pool)
        "claims",  # (C, O) int64 asylum claims lodged in EU/UK systems, by origin
        "dead",  # (C, O, N) int64 persons dead or missing this week, by origin and the place they set off from
        "returns",  # (C, O, N, 2) int64 persons setting off home, by origin and the place they leave: voluntary, forced
    ),
)


MAX_CHUNKS = 64


def chunk_bounds(n_agents: int, agents_per_chunk: int = 16384, max_chunks: int = MAX_CHUNKS) -> np.ndarray:
    """Chunk edges for n rows: a function of n alone, so results never depend on threads."""
    n_chunks = max(1, min(max_chunks, -(-n_agents // agents_per_chunk)))
    return np.linspace(0, n_agents, n_chunks + 1).astype(np.int64)


def new_tally(n_chunks: int, n_origins: int, n_nodes: int, n_states: int, n_edges: int,
              n_asylum: int, n_wait: int) -> Tally:
    """Allocate accumulators once per run; `collect` zeroes them each week after summing."""
    c = n_chunks
    return Tally(
        ints=np.zeros((c, n_origins, N_INT), np.int64),
        money=np.zeros((c, n_origins, N_MONEY), np.float64),
        stock=np.zeros((c, n_origins, n_nodes, n_states), np.int64),
        edge=np.zeros((c, n_origins, n_edges, N_EDGE), np.int64),
        demand=np.zeros((c, n_edges), np.int64),
        applicants=np.zeros((c, n_origins, n_nodes), np.int64),
        pending=np.zeros((c, max(n_asylum, 1), n_wait), np.int64),
        remit_in=np.zeros((c, n_origins), np.float64),
        remit_receivers=np.zeros((c, n_origins), np.int64),
        arrivals=np.zeros((c, n_nodes), np.int64),
        refugees=np.zeros((c, n_nodes), np.int64),
        claims=np.zeros((c, n_origins), np.int64),
        dead=np.zeros((c, n_origins, n_nodes), np.int64),
        returns=np.zeros((c, n_origins, n_nodes, 2), np.int64),
    )


@njit(cache=True)
def _sum_rows_and_zero(rows: np.ndarray, total: np.ndarray, n_rows: int) -> None:
    """total = rows[0] + rows[1] + ... + rows[n_rows - 1] in chunk order (NumPy's sum over axis 0
    adds rows in the same order: bit-identical), then zero those rows for next week (the rows
    past n_rows were not written)."""
    flat_rows = rows.reshape((rows.shape[0], rows.size // rows.shape[0]))
    flat_total = total.reshape(total.size)
    flat_total[:] = 0
    for c in range(min(n_rows, flat_rows.shape[0])):
        for j in range(flat_rows.shape[1]):
            flat_total[j] += flat_rows[c, j]
            flat_rows[c, j] = 0


@njit(cache=True)
def sum_chunks_into(tally, totals, n_rows) -> None:
    """Every accumulator summed over its first n_rows chunk rows into `totals` (one field each,
    listed in Tally order); those rows are left zeroed, ready for next week."""
    _sum_rows_and_zero(tally.ints, totals.ints, n_rows)
    _sum_rows_and_zero(tally.money, totals.money, n_rows)
    _sum_rows_and_zero(tally.stock, totals.stock, n_rows)
    _sum_rows_and_zero(tally.edge, totals.edge, n_rows)
    _sum_rows_and_zero(tally.demand, totals.demand, n_rows)
    _sum_rows_and_zero(tally.applicants, totals.applicants, n_rows)
    _sum_rows_and_zero(tally.pending, totals.pending, n_rows)
    _sum_rows_and_zero(tally.remit_in, totals.remit_in, n_rows)
    _sum_rows_and_zero(tally.remit_receivers, totals.remit_receivers, n_rows)
    _sum_rows_and_zero(tally.arrivals, totals.arrivals, n_rows)
    _sum_rows_and_zero(tally.refugees, totals.refugees, n_rows)
    _sum_rows_and_zero(tally.claims, totals.claims, n_rows)
    _sum_rows_and_zero(tally.dead, totals.dead, n_rows)
    _sum_rows_and_zero(tally.returns, totals.returns, n_rows)


def new_totals(tally: Tally) -> Tally:
    """Zeroed arrays for one week's totals of `tally` (its shapes without the chunk axis)."""
    return Tally(*(np.zeros(arr.shape[1:], arr.dtype) for arr in tally))


def collect(tally: Tally) -> Tally:
    """This week's totals as a fresh Tally (the chunks' rows summed in chunk order, then zeroed).
    The engine sums into buffers it keeps instead (`SilkRoutesModel.advance_population`)."""
    out = new_totals(tally)
    sum_chunks_into(tally, out, tally.ints.shape[0])
    return out
