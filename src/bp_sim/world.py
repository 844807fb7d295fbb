"""The small arrays the kernels read: node, origin, corridor, edge and route tables.

`World` is a namedtuple of NumPy arrays so that Numba compiles attribute access to plain array
loads. Everything here is sized by the network (tens of nodes, ~100 edges), never by the
population; the model rewrites these arrays once a week (levers, events, markets, queues) and
the population kernel only reads them.
"""

from __future__ import annotations

from collections import namedtuple

N_INFO_LEVELS = 3  # perceived-risk buckets of the awareness scale (low, middle, high)
WAIT_BUCKETS = 156  # asylum queue histogram: weeks waited, the last bucket holds 155+

WORLD_FIELDS = (
    # --- nodes (N) ---
    "is_origin",  # uint8
    "origin_index",  # int16, -1 if not an origin
    "is_first_asylum",  # uint8
    "entry_country",  # uint8, EU asylum system at the external border (secondary movements start here)
    "europe",  # uint8, EU territory or the UK (regular pathways to Europe)
    "asylum_index",  # int16, -1 if no asylum system counted in EU/UK statistics
    "dest_index",  # int16, -1 if not a destination
    "income_week",  # float64, USD per person-week earned at the node, this week
    "conflict",  # float64, 0..1 conflict intensity this week
    "climate_exposure",  # float64, 0..1
    "shock_severity",  # float64, 0..1 climate shock felt this week (0 none; resilience lowers it)
    "aspiration",  # float64, weekly aspiration hazard at an origin before personal factors
    "unemployment",  # float64, share 0..1
    "discrimination",  # float64, 0..1, from attitudes
    "deportation_weekly",  # float64, hazard of forced return for people without status
    "reception_quality",  # float64, 0..1 reception and registration in first asylum
    "registration_rate",  # float64, 0..1 share of arriving refugees registered
    "resettle_prob",  # float64, weekly chance a registered refugee is resettled out
    "labour_inspection",  # float64, 0..1
    "integration_support",  # float64, 0..1
    "victim_identification",  # float64, 0..1
    "forensic_capacity",  # float64, 0..1
    "campaign_intensity",  # float64, 0..1 risk-awareness campaigns at origins
    "regular_info",  # float64, 0..1 information on regular channels at origins
    "skill_threshold",  # float64, 0..1 skill a regular slot at the node demands
    "regular_cost",  # float64, USD a regular move to the node costs (fees, fare, recruitment)
    "return_weekly",  # float64, weekly hazard of voluntary return of permit holders
    # --- origins (O) ---
    "origin_node",  # int16, node id of origin o
    "readmission",  # float64, 0..1 cooperation on readmission and travel documents
    "reintegration_support",  # float64, 0..1 share of returnees reached by support
    "remit_per_person_week",  # float64, USD arriving this week per person at home in a receiving household
    "diaspora_ratio",  # float64, emigrants abroad / population at home (2020, then living: mechanisms.diasporas)
    "remit_households",  # float64, share of people at home living in a household that receives remittances
    # --- origin x node (O, N) ---
    "recognition",  # float64, first-instance recognition rate
    "slot_prob",  # float64, chance an eligible applicant gets a regular slot this week
    "regular_cdf",  # float64, cumulative choice of regular corridor by slots
    "network_share",  # float64, diaspora of origin o at node / all its diaspora (2020, then living: mechanisms.diasporas)
    "remit_formal",  # float64 (origins, nodes): share sent formally at this week's cost (remittances)
    "remit_mean_cost",  # float64 (origins, nodes): mean cost of a dollar sent, formal and informal
    "remit_volume",  # float64 (origins, nodes): what is sent relative to the reference cost's amount
    "remit_cost",  # float64, share of amount sent lost to fees (formal channel)
    # --- origin x destination (O, D) ---
    "dest_appeal",  # float64, this week's utility of destination d to people of origin o before cost and draws
    # --- asylum queues (A, W) ---
    "decide_prob",  # float64, chance a claim waiting w weeks is decided this week
    # --- edges (E) ---
    "edge_src",  # int16
    "edge_dst",  # int16
    "edge_weeks",  # int16, travel time in weeks
    "edge_fare",  # float64, USD fare of the leg without a smuggler (what a returnee pays)
    "home_edge",  # int16 (origins, nodes): first leg of the fastest way home, -1 at home or none
    "edge_border",  # uint8, crosses an international border
    "edge_eu_entry",  # uint8, enters EU territory from outside
    "edge_frontex",  # uint8, 0 none, 1 EMR, 2 WBR, 3 CMR, 4 EBR (Frontex route counted)
    "edge_attempts_counted",  # uint8, intercepted attempts count as detections too (repeat attempts inflate Frontex's figure)
    "edge_cost",  # float64, USD paid to use the leg (smuggling fee or fare)
    "edge_smuggled",  # uint8, the leg needs a smuggler for people without papers
    "edge_intercept",  # float64, chance of interception per crossing
    "edge_death",  # float64, chance of death or going missing per crossing
    "edge_depart",  # float64, weekly chance of finding a departure (capacity, weather)
    "edge_open",  # uint8, 0 when closed
    "node_out_start",  # int32 (N + 1), the legs leaving node n are start[n] .. start[n + 1] - 1 (edges sorted by source)
    # --- routes (K, D, N) and destinations (D) ---
    "dest_nodes",  # int16, node id of destination d
    "next_edge",  # int32, (K, D, N) next edge towards d (the least generalised cost), -1 unreachable
    "edge_share",  # float64, (K, D, E) share of travellers at the leg's start, bound for d, who take it
    "money_to_go",  # float64, (K, D, N) USD still to pay towards d along level k's own path
    "cost_to_border",  # float64, (K, D, N) USD to pay up to and including the first border on that path
)

World = namedtuple("World", WORLD_FIELDS)
