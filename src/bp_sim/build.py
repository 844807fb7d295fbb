"""Compile the network, the parameters and the scenario's settings into the kernels' arrays.

Produces the `World` (what the population kernel reads) and the base arrays: the values the
network's data give (base income, conflict, fees, enforcement, death risk, regular slots), among
them the defaults of the settings whose default is `data` in `settings.csv`. Derived quantities are computed here, once, with
the formula in the docstring of each helper.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from bp_sim.network import FRONTEX_CODES, Network
from bp_sim.world import N_INFO_LEVELS, WAIT_BUCKETS, World

TEMPORARY_LABOUR_GROUPS = {"GULF", "RUSSIA"}


def price_level(p, gdp_pc_ppp: np.ndarray) -> np.ndarray:
    """USD per PPP dollar: low below the threshold, high above (Penn effect, an assumption)."""
    return np.where(gdp_pc_ppp < p.price_level_threshold_gdp, p.price_level_low, p.price_level_high)


def recognition_rates(net: Network) -> np.ndarray:
    """Per-origin first-instance recognition rate (EUAA figures, see data/recognition.csv)."""
    df = pd.read_csv(str(resources.files("bp_sim") / "data" / "recognition.csv"))
    rate = dict(zip(df.origin, df.recognition_rate, strict=True))
    return np.array([rate.get(net.nodes.node_id.iloc[o], 0.0) for o in net.origin_nodes])


def edge_weeks(p, routes: pd.DataFrame) -> np.ndarray:
    """Travel time of each leg: land by distance at the irregular overland speed; sea and air 1+."""
    land = np.ceil(routes.distance_km.to_numpy() / p.land_km_per_week)
    weeks = np.where(routes["mode"].to_numpy() == "land", land, p.air_travel_weeks)
    return np.maximum(weeks, 1).astype(np.int16)


def home_edges(net, weeks: np.ndarray) -> np.ndarray:
    """(origins, nodes): the first leg of the fastest way home from each node to each origin, by
    travel time over every leg (return, deportation and pushback legs included; of equal ways the
    first found in leg order), -1 at the origin itself or where no way leads home."""
    n = net.n_nodes
    out = np.full((len(net.origin_nodes), n), -1, np.int16)
    for k, o in enumerate(net.origin_nodes):
        best = np.full(n, np.inf)
        best[o] = 0.0
        for _ in range(n):  # Bellman-Ford on 40 nodes: plain and exact
            changed = False
            for e in range(net.n_edges):
                a, b = net.edge_src[e], net.edge_dst[e]
                if best[b] + weeks[e] < best[a]:
                    best[a] = best[b] + weeks[e]
                    out[k, a] = e
                    changed = True
            if not changed:
                break
        out[k, o] = -1
    return out


def edge_fares(p, routes: pd.DataFrame) -> np.ndarray:
    """Fare of a leg used without a smuggler: distance times the mode's USD per km."""
    per_km = routes["mode"].map({"land": p.fare_usd_per_km_land, "air": p.fare_usd_per_km_air,
                                 "sea": p.fare_usd_per_km_sea}).to_numpy()
    return routes.distance_km.to_numpy() * per_km


def regular_slots_per_week(net: Network, p, return_weekly: np.ndarray) -> np.ndarray:
    """Regular admissions per week by (origin, destination), derived from UN DESA stocks.

    slots/yr = max(0, (stock2020 - stock2015) / 5) + stock2020 x (52 x weekly return rate),
    i.e. net growth plus replacement of those who return (return rates are assumptions).
    Corridors from conflict origins to first-asylum countries get none (refugee movements);
    from conflict origins elsewhere only `regular_share_refugee_corridors` of it.
    """
    n_o, n = len(net.origin_nodes), net.n_nodes
    slots = np.zeros((n_o, n))
    oindex = {o: k for k, o in enumerate(net.origin_nodes)}
    nodes = net.nodes
    for r in net.corridors.itertuples(index=False):
        o, d = net.node_id[r.origin], net.node_id[r.destination]
        if o not in oindex or o == d:
            continue
        s20 = float(r.stock_2020) if pd.notna(r.stock_2020) else 0.0
        s15 = float(r.stock_2015) if pd.notna(r.stock_2015) else s20
        per_year = max(0.0, (s20 - s15) / 5.0) + s20 * 52.0 * return_weekly[d]
        conflict_origin = nodes.conflict_intensity.iloc[o] >= p.init_refugee_conflict_threshold
        if conflict_origin and nodes.is_first_asylum.iloc[d]:
            per_year = 0.0
        elif conflict_origin:
            per_year *= p.regular_share_refugee_corridors
        slots[oindex[o], d] = per_year / 52.0
    return slots


def build_world(net: Network, p) -> tuple[World, dict]:
    """The World arrays at their base values, and the extra base arrays the model keeps."""
    nodes, routes = net.nodes, net.routes
    n, n_e = net.n_nodes, net.n_edges
    n_o = len(net.origin_nodes)
    gdp = nodes.gdp_pc_ppp_usd.to_numpy(float)
    income_week = gdp * price_level(p, gdp) / 52.0

    origin_index = np.full(n, -1, np.int16)
    origin_index[net.origin_nodes] = np.arange(n_o)
    asylum_nodes = np.flatnonzero(nodes.asylum_system.to_numpy())
    asylum_index = np.full(n, -1, np.int16)
    asylum_index[asylum_nodes] = np.arange(len(asylum_nodes))
    dest_nodes = np.array(net.destination_nodes, np.int16)
    dest_index = np.full(n, -1, np.int16)
    dest_index[dest_nodes] = np.arange(len(dest_nodes))

    entry = np.zeros(n, np.uint8)
    entered = {int(d) for d, flag in zip(routes.dst_i, routes.eu_external_entry, strict=True) if flag}
    for r in routes.itertuples(index=False):
        if r.src_i in entered and asylum_index[r.dst_i] >= 0 and r.crosses_border == 0:
            entry[r.dst_i] = 1

    europe = net.europe
    temporary = np.zeros(n, bool)
    for r in routes.itertuples(index=False):
        if r.route_group in TEMPORARY_LABOUR_GROUPS:
            temporary[net.node_id[r.target]] = True
    temporary |= nodes.iso3.to_numpy() == "IND"
    return_weekly = np.where(temporary, p.return_temporary_weekly, p.return_settled_weekly)

    stock = np.zeros((n_o, n))
    oindex = {o: k for k, o in enumerate(net.origin_nodes)}
    remit_cost = np.full((n_o, n), p.remit_cost_reference)
    for r in net.corridors.itertuples(index=False):
        o, d = net.node_id[r.origin], net.node_id[r.destination]
        if o in oindex:
            stock[oindex[o], d] = float(r.stock_2020) if pd.notna(r.stock_2020) else 0.0
            if pd.notna(r.remittance_cost_pct):
                remit_cost[oindex[o], d] = float(r.remittance_cost_pct) / 100.0
    # The 2020 network pull; from week 1 the weekly phase `diasporas` moves both with the simulated
    # stock (in place) unless `living_diaspora` is 0. remit_households stays at this 2020 value.
    network_share = stock / np.maximum(stock.sum(axis=1, keepdims=True), 1.0)
    population = nodes.population.to_numpy(float)
    diaspora_ratio = stock.sum(axis=1) / population[net.origin_nodes]

    recognition = np.zeros((n_o, n))
    recognition[:, asylum_nodes] = recognition_rates(net)[:, None]

    slots = regular_slots_per_week(net, p, return_weekly)
    base_fee = routes.smuggling_fee_usd.to_numpy(float)
    fares = edge_fares(p, routes)
    weeks = edge_weeks(p, routes)
    smuggled = base_fee > 0
    frontex = routes.frontex_route.map(FRONTEX_CODES).to_numpy(np.uint8)
    world = World(
        is_origin=nodes.is_origin.to_numpy(np.uint8),
        origin_index=origin_index,
        is_first_asylum=nodes.is_first_asylum.to_numpy(np.uint8),
        entry_country=entry,
        europe=europe.astype(np.uint8),
        asylum_index=asylum_index,
        dest_index=dest_index,
        income_week=income_week.copy(),
        conflict=nodes.conflict_intensity.to_numpy(float).copy(),
        climate_exposure=nodes.climate_exposure.to_numpy(float),
        shock_severity=np.zeros(n),
        aspiration=np.zeros(n),
        unemployment=nodes.unemployment_pct.to_numpy(float) / 100.0,
        discrimination=np.zeros(n),
        deportation_weekly=np.zeros(n),
        reception_quality=np.zeros(n),
        registration_rate=np.zeros(n),
        resettle_prob=np.zeros(n),
        labour_inspection=np.zeros(n),
        integration_support=np.zeros(n),
        victim_identification=np.zeros(n),
        forensic_capacity=np.zeros(n),
        campaign_intensity=np.zeros(n),
        regular_info=np.zeros(n),
        skill_threshold=np.where(europe, p.skill_threshold_high, p.skill_threshold_low),
        regular_cost=np.where(europe, p.regular_cost_far_usd, p.regular_cost_near_usd),
        return_weekly=return_weekly,
        origin_node=np.array(net.origin_nodes, np.int16),
        readmission=np.zeros(n_o),
        reintegration_support=np.zeros(n_o),
        remit_per_person_week=np.zeros(n_o),
        diaspora_ratio=diaspora_ratio,
        remit_households=np.minimum(1.0, p.household_size * diaspora_ratio),
        recognition=recognition,
        slot_prob=np.ones((n_o, n)),
        regular_cdf=np.zeros((n_o, n)),
        network_share=network_share,
        remit_formal=np.zeros((n_o, n)),  # set every week (quotas adapter: update_remittance_factors)
        remit_mean_cost=np.zeros((n_o, n)),
        remit_volume=np.zeros((n_o, n)),
        remit_cost=remit_cost.copy(),
        dest_appeal=np.zeros((n_o, len(dest_nodes))),  # set every week (phases.destination_appeal)
        decide_prob=np.zeros((max(len(asylum_nodes), 1), WAIT_BUCKETS)),
        edge_src=net.edge_src.astype(np.int16),
        edge_dst=net.edge_dst.astype(np.int16),
        edge_weeks=weeks,
        edge_fare=fares,
        home_edge=home_edges(net, weeks),
        edge_border=routes.crosses_border.to_numpy(np.uint8),
        edge_eu_entry=routes.eu_external_entry.to_numpy(np.uint8),
        edge_frontex=frontex,
        edge_attempts_counted=routes.attempts_counted.to_numpy(np.uint8),
        edge_cost=np.where(smuggled, base_fee, fares),
        edge_smuggled=smuggled.astype(np.uint8),
        edge_intercept=np.zeros(n_e),
        edge_death=routes.death_risk.to_numpy(float).copy(),
        edge_depart=np.ones(n_e),
        edge_open=routes.open_to_irregular.to_numpy(np.uint8).copy(),
        node_out_start=net.indptr.astype(np.int32),
        dest_nodes=dest_nodes,
        next_edge=np.full((N_INFO_LEVELS, len(dest_nodes), n), -1, np.int32),
        edge_share=np.zeros((N_INFO_LEVELS, len(dest_nodes), n_e)),
        money_to_go=np.full((N_INFO_LEVELS, len(dest_nodes), n), np.inf),
        cost_to_border=np.zeros((N_INFO_LEVELS, len(dest_nodes), n)),
    )
    base = {
        "income_week": income_week,
        "conflict": nodes.conflict_intensity.to_numpy(float),
        "fee": np.where(smuggled, base_fee, fares),
        "enforcement": routes.enforcement.to_numpy(float),
        "death": routes.death_risk.to_numpy(float),
        "open": routes.open_to_irregular.to_numpy(float),
        "remittance_cost_pct": remit_cost * 100.0,  # the corridor setting's default (settings.csv: percent)
        "regular_slots": slots,
    }
    return world, base
