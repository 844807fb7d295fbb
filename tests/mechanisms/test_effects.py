"""Model-level effects of each mechanism: paired runs (same seed, common random numbers)."""

import numpy as np

from bp_sim.outcomes import OUTCOME_INDEX
from bp_sim.tally import E_CROSSINGS, E_INTERCEPTIONS

from ..conftest import baseline, run, total

AGENTS = 60_000
BACKLOG = OUTCOME_INDEX["asylum_backlog"]
WAIT = OUTCOME_INDEX["mean_asylum_wait_weeks"]
EMPLOYMENT = OUTCOME_INDEX["migrant_employment_rate"]


def pair(change, weeks=104, agents=AGENTS, seed=3):
    return run(baseline(), agents=agents, weeks=weeks, seed=seed), run(change(baseline()), agents=agents,
                                                                         weeks=weeks, seed=seed)


def edge_sum(m, label, col):
    e = m.net.edge_index(label)
    return m.recorder.edges[: m.recorder.steps_done, e, col].sum()


def test_enforcement_on_one_crossing_cuts_it_and_displaces_flow():
    def surge(sc):
        sc.routes = {**sc.routes, "TUR->GRC_EVROS": {"enforcement": 1.0}}
        return sc

    base, more = pair(surge, agents=250_000)
    assert edge_sum(base, "TUR->GRC_EVROS", E_CROSSINGS) + edge_sum(base, "TUR->GRC_EVROS", E_INTERCEPTIONS) > 0
    assert edge_sum(more, "TUR->GRC_EVROS", E_CROSSINGS) < 0.5 * edge_sum(base, "TUR->GRC_EVROS", E_CROSSINGS)
    other = ("TUR->BGR_BORDER", "TUR_AEGEAN->GRC_ISLANDS", "TUR_AEGEAN->ITA_CALABRIA")
    assert sum(edge_sum(more, e, E_CROSSINGS) for e in other) > sum(edge_sum(base, e, E_CROSSINGS) for e in other)
    fee = more.net.edge_index("TUR->GRC_EVROS")
    last = more.recorder.steps_done - 1
    assert more.recorder.edge_fee[last, fee] > base.recorder.edge_fee[last, fee] * 1.1


def test_asylum_capacity_lowers_backlog_and_waiting():
    def scarce(sc):
        sc.parameters = {**sc.parameters, "asylum_capacity_weekly_total": 1000.0}
        return sc

    def ample(sc):
        sc.parameters = {**sc.parameters, "asylum_capacity_weekly_total": 10000.0}
        return sc

    base = run(scarce(baseline()), agents=AGENTS, weeks=104, seed=3)
    more = run(ample(baseline()), agents=AGENTS, weeks=104, seed=3)
    last = more.recorder.steps_done - 1
    assert more.recorder.outcomes[last, BACKLOG] < 0.8 * base.recorder.outcomes[last, BACKLOG]
    assert np.nanmean(more.recorder.outcomes[52:last, WAIT]) < np.nanmean(base.recorder.outcomes[52:last, WAIT])


def test_cheaper_remittances_raise_what_arrives():
    def cheap(sc):
        sc.parameters = {**sc.parameters}
        cor = {}
        for r in base_net_corridors():
            cor[r] = {"remittance_cost_pct": 3.0}
        sc.corridors = cor
        return sc

    base, cheaper = pair(cheap, weeks=52)
    assert total(cheaper, "remittance_fees_usd") < total(base, "remittance_fees_usd")
    assert total(cheaper, "remittances_received_usd") > total(base, "remittances_received_usd")
    assert total(cheaper, "remittances_formal_usd") > 1.05 * total(base, "remittances_formal_usd")


def base_net_corridors():
    from ..conftest import network

    return [f"{r.origin}->{r.destination}" for r in network().corridors.itertuples(index=False)]


def test_reintegration_support_lowers_remigration():
    def support(sc):
        sc.origins = {o: {"reintegration_support": 0.95} for o in ("AFG", "PAK", "BGD", "IRN", "IRQ", "TJK", "UZB")}
        return sc

    def none(sc):
        sc.origins = {o: {"reintegration_support": 0.0} for o in ("AFG", "PAK", "BGD", "IRN", "IRQ", "TJK", "UZB")}
        return sc

    without = run(none(baseline()), agents=AGENTS, weeks=156, seed=5)
    with_support = run(support(baseline()), agents=AGENTS, weeks=156, seed=5)
    assert total(with_support, "reintegrated") > total(without, "reintegrated")
    assert total(with_support, "remigrated") < total(without, "remigrated")


def test_integration_support_raises_employment():
    def support(sc):
        sc.nodes = {d: {"integration_support": 1.0, "anti_discrimination": 1.0}
                    for d in ("DEU", "AUT", "FRA", "ITA", "SWE", "GBR", "GRC", "TUR", "IRN", "PAK")}
        return sc

    base, more = pair(support, weeks=52)
    assert np.nanmean(more.recorder.outcomes[:, EMPLOYMENT]) > np.nanmean(base.recorder.outcomes[:, EMPLOYMENT]) + 0.01


PLACES = ("IRN", "PAK", "TUR", "GRC", "DEU", "ITA", "FRA", "GBR", "AFG_IRN_BORDER", "PAK_IRN_BORDER", "IND")


def test_labour_inspection_lowers_exploitation():
    def inspect(sc):
        sc.nodes = {d: {"labour_inspection": 1.0} for d in PLACES}
        return sc

    base, more = pair(inspect, weeks=104, agents=100_000)
    assert total(more, "trafficking_victims") < 0.6 * total(base, "trafficking_victims")


def test_victim_identification_finds_more_victims():
    def identify(sc):
        sc.nodes = {d: {"victim_identification": 1.0} for d in PLACES}
        sc.parameters = {**sc.parameters, "victim_identification_max": 0.5}
        return sc

    base, more = pair(identify, weeks=104, agents=150_000)
    assert total(more, "trafficking_victims_identified") > 1.2 * total(base, "trafficking_victims_identified")
    assert total(more, "exploited") < total(base, "exploited")


def test_better_reception_in_first_asylum_lowers_onward_movement():
    def reception(sc):
        sc.nodes = {d: {"reception_quality": 1.0} for d in ("IRN", "PAK", "TUR")}
        return sc

    base, more = pair(reception, weeks=52)
    assert total(more, "onward_from_first_asylum") < 0.2 * total(base, "onward_from_first_asylum")


def test_deportation_campaign_raises_forced_returns():
    def campaign(sc):
        sc.nodes = {**sc.nodes, "TUR": {"deportation_weekly": 0.05}}
        return sc

    base, more = pair(campaign, weeks=52)
    assert total(more, "returns_forced") > 1.2 * total(base, "returns_forced")


def test_more_regular_slots_raise_regular_departures():
    def slots(sc):
        sc.corridors = {c: {"regular_slots_mult": 3.0} for c in base_net_corridors()}
        return sc

    base, more = pair(slots, weeks=52)
    assert total(more, "regular_departures") > 1.1 * total(base, "regular_departures")
    assert total(more, "irregular_departures") <= total(base, "irregular_departures")


def test_climate_shock_raises_aspiration_at_origin():
    def flood(sc):
        sc.events = [*sc.events, {"type": "climate_shock", "date": sc.start_date, "place": "BGD", "value": 1.0,
                                  "ramp_weeks": 0, "label": "test flood"}]
        sc.nodes = {**sc.nodes, "BGD": {"climate_resilience": 0.0}}
        return sc

    base, more = pair(flood, weeks=26)
    assert total(more, "new_aspiring") > total(base, "new_aspiring")
