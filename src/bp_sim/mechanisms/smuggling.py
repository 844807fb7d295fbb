"""Mechanism 6: the smuggling market: fees, capacity and risk per leg.

Fees rise with enforcement on the leg (Gathmann 2008; UNODC 2018) and with demand beyond the
smugglers' capacity; disrupting networks (PG1.1, PG1.2) cuts capacity, which lengthens waits
at hubs and raises fees. Enforcement also raises the chance of interception and pushes people
to riskier crossings, raising the death risk (deaths per crossing need not fall). Revenue is
counted in the population kernel when fees are paid. Runs once a week on the edge arrays.
"""

from __future__ import annotations

import numpy as np


def update_market(p, base_fee, base_enforcement, base_death, enforcement, capacity_mult, rescue,
                  smuggled, demand_persons, edge_cost, edge_intercept, edge_death, edge_depart):
    """Set this week's fee, interception, death risk and departure chance on every leg.

    demand_persons: people ready to depart on each leg last week (persons, not agents);
    rescue: search-and-rescue effort per leg (0..1), which cuts the death risk.
    Arrays are per edge; results are written in place into the last four.
    """
    extra_enf = np.maximum(enforcement - base_enforcement, 0.0)
    capacity = p.smuggler_capacity_weekly * capacity_mult
    pressure = np.where(capacity > 0, demand_persons / np.maximum(capacity, 1e-9), np.inf)
    excess = np.clip(pressure - 1.0, 0.0, p.fee_demand_cap)
    fee = base_fee * np.exp(p.fee_enforcement_slope * (enforcement - base_enforcement)) * (
        1.0 + p.fee_demand_slope * excess
    )
    edge_cost[:] = np.where(smuggled, fee, base_fee)
    edge_intercept[:] = np.clip(p.intercept_max * enforcement, 0.0, 1.0)
    survival_help = 1.0 - p.rescue_effect * rescue  # search and rescue (PG5.6)
    edge_death[:] = np.clip(base_death * (1.0 + p.death_enforcement_slope * extra_enf) * survival_help, 0.0, 1.0)
    share = np.where(pressure > 1.0, 1.0 / np.maximum(pressure, 1e-9), 1.0)
    edge_depart[:] = np.where(smuggled, p.hub_departure_weekly * share, 1.0)
