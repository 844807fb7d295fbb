"""Mechanism 15: living diasporas. The network pull follows the simulated population.

A destination draws an origin's people in proportion to the origin's diaspora there
(`World.network_share`, read by destination choice through `dest_appeal` and by resettlement),
and an origin with more of its people abroad aspires more (`World.diaspora_ratio`, read by the
place part of the aspiration hazard): network effects and chain migration (Massey et al. 1993).
Both start at the 2020 UN DESA stocks (`build.build_world`) and, while `living_diaspora` is on,
follow last week's stock of the simulated population with an exponential memory of
`diaspora_memory_weeks`: arrivals this year raise a destination's pull for the same origin
next year.

Who counts as diaspora of origin o at node n (n not o's own node): people living there,
PROTECTED, REGULAR_RESIDENT, IRREGULAR_RESIDENT and ASYLUM_PENDING. Not counted: travellers
passing through (TRANSIT_*), the DETAINED (held at a border), and the EXPLOITED (trafficking and
forced-labour victims are kept from contact by their exploiters, cannot inform or help new
arrivals, and are often held in transit countries; the 2020 stocks that make the initial
diaspora hold none of them, so week-0 shares equal the 2020 ones up to rounding to whole persons).
At home: STAYING, ASPIRING, PREPARING, RETURNED and REINTEGRATED at the origin's node.

Both are ratios of counts of persons.
`remit_households`, the share of people at home whose household receives remittances, stays at
its 2020 value: it is a fixed draw per person made with the initial population
(`origin.receives_remittances`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.states import State

_DIASPORA = (int(State.PROTECTED), int(State.REGULAR_RESIDENT), int(State.IRREGULAR_RESIDENT),
             int(State.ASYLUM_PENDING))  # living at a node away from their origin
_AT_HOME = (int(State.STAYING), int(State.ASPIRING), int(State.PREPARING), int(State.RETURNED),
            int(State.REINTEGRATED))  # living at their origin


@njit(cache=True)
def memory_weight(memory_weeks: float) -> float:
    """Weight of this week's count in the exponential memory: 1 - exp(-1/memory_weeks) (the old
    value's weight decays with e-folding time `memory_weeks`); 1 (no memory) when it is 0."""
    if memory_weeks <= 0.0:
        return 1.0
    return 1.0 - np.exp(-1.0 / memory_weeks)


@njit(cache=True)
def update_diasporas(p_arr, stock, origin_node, network_share, diaspora_ratio) -> None:
    """Move `network_share` (O, N: o's diaspora at n / all of o's diaspora) and `diaspora_ratio`
    (O: o's diaspora abroad / o's people at home) towards their values in `stock`, in place.

    stock: (O, N, S) persons by origin index, node and state (only ratios are used). An origin
    with no one abroad keeps its shares, one with no one at home its ratio.
    p_arr: the one-element parameter array (`diaspora_memory_weeks`)."""
    a = memory_weight(p_arr[0].diaspora_memory_weeks)
    for o in range(stock.shape[0]):
        home_node = origin_node[o]
        abroad = 0.0
        for n in range(stock.shape[1]):
            if n != home_node:
                for s in _DIASPORA:
                    abroad += stock[o, n, s]
        home = 0.0
        for s in _AT_HOME:
            home += stock[o, home_node, s]
        if abroad > 0.0:
            for n in range(stock.shape[1]):
                there = 0.0
                if n != home_node:
                    for s in _DIASPORA:
                        there += stock[o, n, s]
                network_share[o, n] += a * (there / abroad - network_share[o, n])
        if home > 0.0:
            diaspora_ratio[o] += a * (abroad / home - diaspora_ratio[o])


class Diasporas:
    """The weekly diaspora adapter. No state of its own: the memory is the World's
    `network_share` and `diaspora_ratio` themselves. Reads last week's stock (`model.last`); in
    week 0, and while the parameter `living_diaspora` is 0, it leaves both as they are (from the
    start: the 2020 values; switched off mid-run: frozen where they were)."""

    def __init__(self, model) -> None:
        """Nothing to make: what it keeps between weeks is in the World."""

    def step(self, model, t: int) -> None:
        """This week's network shares and diaspora ratios from last week's stock."""
        if model.last is None or model.p.living_diaspora < 0.5:
            return
        w = model.world
        update_diasporas(model.p_arr, model.last.stock, w.origin_node, w.network_share, w.diaspora_ratio)
