"""Mechanism 14: host-society attitudes and discrimination.

Each destination has an attitude index (0 hostile .. 1 welcoming) that relaxes towards its
baseline, is lowered by sudden arrivals relative to the migrant population already there
(narratives of crisis), and raised by campaigns and balanced narratives (PG6.4-PG6.8).
Discrimination in hiring falls as attitudes improve and where anti-discrimination law is
enforced (PG6.5).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from bp_sim.states import State

_LIVING_STATES = int(State.DEAD_MISSING)  # state codes below it are the living
_TRANSIT_REGULAR = int(State.TRANSIT_REGULAR)  # passing through: not part of the population there
_TRANSIT_SMUGGLED = int(State.TRANSIT_SMUGGLED)


@njit(cache=True)
def update_attitudes(p_arr, attitude, campaign, anti_discrimination, arrivals_persons, stock_persons,
                     discrimination) -> None:
    """Advance attitudes one week and set discrimination; arrays per node, updated in place.
    p_arr: the one-element parameter array the kernels read."""
    p = p_arr[0]
    for n in range(attitude.shape[0]):
        surge = arrivals_persons[n] / max(stock_persons[n], 1.0)
        target = min(max(p.attitude_baseline + p.campaign_attitude_effect * campaign[n], 0.0), 1.0)
        moved = attitude[n] + (p.attitude_relax_weekly * (target - attitude[n]) - p.attitude_arrival_effect * surge)
        attitude[n] = min(max(moved, 0.0), 1.0)
        discrimination[n] = p.discrimination_max * (1.0 - attitude[n]) * (1.0 - anti_discrimination[n])


@njit(cache=True)
def host_migrant_stock(stock, arrivals, origin_nodes, out) -> np.ndarray:
    """The migrant population already at each node before this week's arrivals, in persons: the
    living people away from their origin who are not passing through (any state but the two in
    transit), counted at the end of the week, less the people who arrived this week (all of whom
    are in that count: an arrival is the person's one transition of the week).
    stock: (origins, nodes, states) persons at the end of the week; arrivals: (nodes,) persons;
    out: (nodes,), written in place and returned (no allocation a week)."""
    out[:] = 0.0
    for o in range(stock.shape[0]):
        for n in range(stock.shape[1]):
            if n == origin_nodes[o]:
                continue
            living = 0
            for s in range(_LIVING_STATES):
                if s != _TRANSIT_REGULAR and s != _TRANSIT_SMUGGLED:
                    living += stock[o, n, s]
            out[n] += living
    for n in range(out.shape[0]):
        out[n] = max(out[n] - arrivals[n], 0.0)
    return out


class Attitudes:
    """The weekly attitudes adapter and its state: `attitude` per node (0 hostile .. 1 welcoming),
    kept between weeks. Reads this week's arrivals and stock (`model.this_week`: the surge is the
    arrivals over the migrants who were there before them) and the node settings
    `narrative_campaign` and `anti_discrimination` (settings.csv, `argument:attitudes`)."""

    def __init__(self, model) -> None:
        self.attitude = np.full(model.net.n_nodes, model.p_base.attitude_baseline)
        self._arrivals = np.zeros(model.net.n_nodes)  # this week's arrivals in persons (reused)
        self._present = np.zeros(model.net.n_nodes)  # the migrants there before them (reused)

    def step(self, model, t: int) -> None:
        """Attitudes move with this week's arrivals and campaigns; discrimination follows."""
        w, node, tot = model.world, model.in_force["node"], model.this_week
        self._arrivals[:] = tot.arrivals
        host_migrant_stock(tot.stock, tot.arrivals, w.origin_node, self._present)
        update_attitudes(model.p_arr, self.attitude, node["narrative_campaign"], node["anti_discrimination"],
                         self._arrivals, self._present, w.discrimination)
