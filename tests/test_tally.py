"""Tests of the per-chunk tallies (`bp_sim.tally`): chunks cover the population without gaps or
overlaps, and summing the chunks' counters gives exactly the sums of their rows, in chunk order,
leaving the rows zeroed for next week."""

import numpy as np
import pytest

from bp_sim.tally import Tally, chunk_bounds, collect, new_tally, new_totals, sum_chunks_into

SIZES = (0, 1, 7, 100, 16_383, 16_384, 16_385, 50_000, 1_048_576, 1_048_577, 3_000_001)


@pytest.mark.parametrize("n", SIZES)
def test_chunks_cover_every_agent_once_in_order(n):
    bounds = chunk_bounds(n)
    assert bounds.dtype == np.int64 and bounds[0] == 0 and bounds[-1] == n
    assert (np.diff(bounds) >= 0).all()
    covered = np.concatenate([np.arange(bounds[c], bounds[c + 1]) for c in range(len(bounds) - 1)])
    assert np.array_equal(covered, np.arange(n))  # no gap, no overlap
    n_chunks = len(bounds) - 1
    assert 1 <= n_chunks <= 64
    if n > 0:
        assert (np.diff(bounds) > 0).all()  # no empty chunk
        assert np.diff(bounds).max() - np.diff(bounds).min() <= 1  # as even as can be
        assert n_chunks == 64 or np.diff(bounds).max() <= 16_384
    assert np.array_equal(chunk_bounds(n), bounds)  # a function of n alone


def test_chunk_size_and_count_limits_are_kept():
    assert len(chunk_bounds(10, agents_per_chunk=3)) - 1 == 4
    assert len(chunk_bounds(10_000, agents_per_chunk=10, max_chunks=8)) - 1 == 8
    assert chunk_bounds(5, agents_per_chunk=1, max_chunks=64).tolist() == [0, 1, 2, 3, 4, 5]


def filled_tally(rng, chunks=5):
    tally = new_tally(chunks, n_origins=2, n_nodes=3, n_states=4, n_edges=6, n_asylum=2, n_wait=7)
    for k, rows in enumerate(tally):
        if rows.dtype.kind == "f":
            rows[...] = rng.normal(0.0, 10.0 ** (k % 5), rows.shape)
        else:
            rows[...] = rng.integers(0, 1000 * (k + 1), rows.shape)
    return tally


def chunk_order_sums(tally):
    out = []
    for rows in tally:
        total = rows[0].copy()
        for c in range(1, rows.shape[0]):
            total = total + rows[c]
        out.append(total)
    return out


def test_summed_counters_are_exactly_the_sums_of_the_rows_and_the_rows_are_zeroed():
    tally = filled_tally(np.random.default_rng(3))
    expected = chunk_order_sums(tally)
    totals = collect(tally)
    assert isinstance(totals, Tally) and totals._fields == tally._fields
    for name, got, want, rows in zip(Tally._fields, totals, expected, tally, strict=True):
        assert got.shape == rows.shape[1:] and got.dtype == rows.dtype, name
        assert np.array_equal(got, want), name  # exact, field by field (no counter read into another)
        assert not rows.any(), name  # ready for next week


def test_summing_overwrites_last_weeks_totals_and_a_second_week_counts_only_itself():
    rng = np.random.default_rng(8)
    tally = filled_tally(rng)
    totals = new_totals(tally)
    for arr in totals:
        arr[...] = 12345  # last week's numbers
    sum_chunks_into(tally, totals, tally.ints.shape[0])
    second = filled_tally(rng)
    for rows, new in zip(tally, second, strict=True):
        rows[...] = new
    expected = chunk_order_sums(tally)
    sum_chunks_into(tally, totals, tally.ints.shape[0])
    for name, got, want in zip(Tally._fields, totals, expected, strict=True):
        assert np.array_equal(got, want), name


def test_float_sums_are_added_in_chunk_order():
    tally = new_tally(4, 1, 1, 1, 1, 1, 1)
    # In chunk order ((1e16 + 1) - 1e16) + 1 == 1: not the exact sum 2, nor the pairwise sum 0.
    tally.money[:, 0, 0] = [1e16, 1.0, -1e16, 1.0]  # (chunks, origins, N_MONEY)
    # The small ones first: (1 + 1) + 1e16 - 1e16 == 2.
    tally.money[:, 0, 1] = [1.0, 1.0, 1e16, -1e16]
    totals = collect(tally)
    assert totals.money[0, 0] == 1.0 and totals.money[0, 1] == 2.0
