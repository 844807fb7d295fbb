"""Mechanism 6: the smuggling market: fees, capacity and risk per leg.

Fees rise with enforcement on the leg (Gathmann 2008; UNODC 2018) and with demand beyond the
smugglers' capacity; disrupting networks (PG1.1, PG1.2) cuts capacity, which lengthens waits
at hubs and raises fees. Enforcement also raises the chance of interception and pushes people
to riskier crossings, raising the death risk (deaths per crossing need not fall). Revenue is
counted in the population kernel when fees are paid. Runs once a week on the edge arrays.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def update_market(p_arr, base_fee, base_enforcement, base_death, enforcement, capacity_mult, rescue,
                  smuggled, demand_persons, edge_cost, edge_intercept, edge_death, edge_depart) -> None:
    """Set this week's fee, interception, death risk and departure chance on every leg.

    p_arr: the one-element parameter array the kernels read; demand_persons: people ready to
    depart on each leg last week (persons, not agents); rescue: search-and-rescue effort per leg
    (0..1), which cuts the death risk; smuggled: whether the leg needs a smuggler. Arrays are per
    edge; results are written in place into the last four. A compiled loop over the legs.
    """
    p = p_arr[0]
    for e in range(base_fee.shape[0]):
        extra_enf = max(enforcement[e] - base_enforcement[e], 0.0)
        capacity = p.smuggler_capacity_weekly * capacity_mult[e]
        pressure = demand_persons[e] / max(capacity, 1e-9) if capacity > 0 else np.inf
        excess = min(max(pressure - 1.0, 0.0), p.fee_demand_cap)
        fee = base_fee[e] * np.exp(p.fee_enforcement_slope * (enforcement[e] - base_enforcement[e])) * (
            1.0 + p.fee_demand_slope * excess
        )
        edge_cost[e] = fee if smuggled[e] else base_fee[e]
        edge_intercept[e] = min(max(p.intercept_max * enforcement[e], 0.0), 1.0)
        survival_help = 1.0 - p.rescue_effect * rescue[e]  # search and rescue (PG5.6)
        death = base_death[e] * (1.0 + p.death_enforcement_slope * extra_enf) * survival_help
        edge_death[e] = min(max(death, 0.0), 1.0)
        share = 1.0 / max(pressure, 1e-9) if pressure > 1.0 else 1.0
        edge_depart[e] = p.hub_departure_weekly * share if smuggled[e] else 1.0


class SmugglingMarket:
    """The weekly market update's adapter. No state of its own: it reads last week's demand
    (`model.last`) and the edge settings `enforcement`, `capacity_mult` and `rescue`
    (settings.csv, `argument:smuggling`)."""

    def __init__(self, model) -> None:
        self._demand = np.zeros(model.net.n_edges)  # last week's demand in persons (0 before week 0; reused)

    def step(self, model, t: int) -> None:
        """Fees, interception, death risk and departure chances on every leg."""
        w, edge = model.world, model.in_force["edge"]
        if model.last is not None:
            self._demand[:] = model.last.demand  # persons
        demand = self._demand
        update_market(model.p_arr, model.base["fee"], model.base["enforcement"], model.base["death"],
                      edge["enforcement"], edge["capacity_mult"], edge["rescue"], w.edge_smuggled, demand,
                      w.edge_cost, w.edge_intercept, w.edge_death, w.edge_depart)
