"""Life-cycle states, legal statuses, channels and flag bits: every code in one place.

The population kernels store these as small integers; this module is the only place that
gives them names, so outputs and docs can translate codes back to words.
"""

from __future__ import annotations

from enum import IntEnum


class State(IntEnum):
    """Where a person is in the migration life cycle."""

    STAYING = 0  # at origin, not (yet) wishing to move
    ASPIRING = 1  # at origin, wishes to move, looking for a channel
    PREPARING = 2  # a channel is chosen; raising money, papers, contacts
    TRANSIT_REGULAR = 3  # travelling with a visa, permit or resettlement slot
    TRANSIT_SMUGGLED = 4  # travelling irregularly (with or without smugglers)
    DETAINED = 5  # intercepted at a border and held
    ASYLUM_PENDING = 6  # claim lodged, waiting for a first-instance decision
    PROTECTED = 7  # refugee or subsidiary protection (incl. registered in first asylum)
    REGULAR_RESIDENT = 8  # resident or worker with a permit
    IRREGULAR_RESIDENT = 9  # at a destination without status (incl. rejected claimants)
    EXPLOITED = 10  # trafficked or in forced labour
    RETURNED = 11  # back at origin, not yet re-established
    REINTEGRATED = 12  # back at origin, re-established with support
    DEAD_MISSING = 13  # died or went missing on the way (absorbing)


N_STATES = len(State)


class Legal(IntEnum):
    """Legal status, separate from the life-cycle state."""

    NATIONAL = 0  # in own country
    VISA = 1  # visa, work or residence permit
    ASYLUM_SEEKER = 2
    REFUGEE = 3  # recognised, or registered refugee in a first-asylum country
    IRREGULAR = 4  # no status
    REJECTED = 5  # claim rejected, removal pending


class Channel(IntEnum):
    """How a person set out, kept for the whole journey."""

    NONE = 0
    REGULAR = 1  # work visa, labour mobility, family, study
    RESETTLEMENT = 2  # resettlement or humanitarian admission
    ASYLUM = 3  # seeking protection, moving irregularly if needed
    IRREGULAR = 4  # economic, with smugglers
    RETURN = 5  # on the way home: returned on their own, removed or deported (in TRANSIT_REGULAR)


# Flag bits (uint8).
FLAG_EMPLOYED = 1
FLAG_STRANDED = 2
FLAG_RETURNEE = 4  # has returned once: re-migration risk without support
FLAG_SUPPORTED = 8  # received reintegration support
FLAG_IDENTIFIED = 16  # victim identified and referred
FLAG_ENTERED_EU = 32  # has entered EU territory irregularly (counted once as an arrival)
FLAG_CLAIMED = 64  # has lodged an asylum claim in an EU/UK system (later claims are not first-time)
FLAG_REMIT_HOUSEHOLD = 128  # lives in a household with a migrant sending money (drawn once, at the start)

# Counter-based random stream ids: one per decision, so that an agent meets the same draw for
# the same decision in every scenario (common random numbers). Grouped by the mechanism that
# draws them; the values key the random streams, so they must never change (a new decision takes
# a new number, never a reserved one).

# Life at the origin and aspiration (mechanisms 1 and 13: `origin`).
D_ASPIRE = 1
D_CLIMATE = 35  # per origin node (node id in the agent slot), in `update_origins`

# Channel choice and preparing (mechanism 2: `channels`).
D_GIVE_UP = 2
D_TRY_REGULAR = 3
D_REGULAR_CORRIDOR = 4
D_REGULAR_SLOT = 5
D_SEEK_ASYLUM = 6
D_GO_IRREGULAR = 7

# Destination choice (`common.choose_destination`, `first_asylum.resettlement_destination`).
D_DESTINATION_BASE = 1000  # + destination index: one Gumbel draw per candidate

# Movement and arrival (mechanism 4: `movement`).
D_DEPART_HUB = 9
D_ROUTE_LEG = 41  # which of a node's efficient legs a traveller takes this week (`common.choose_leg`)
D_LODGE_CLAIM = 16

# Border crossings and detention (mechanism 5: `borders`).
D_INTERCEPT = 10
D_INTERCEPT_OUTCOME = 11
D_DEATH = 12
D_IDENTIFY_BODY = 13
D_REMOVAL = 19
D_DETECTED = 27

# Trafficking and exploitation (mechanism 7: `trafficking`).
D_TRAFFICKED = 14
D_VICTIM_IDENTIFIED = 15

# Asylum decisions (mechanism 8: `asylum`).
D_ASYLUM_DECIDED = 17
D_RECOGNISED = 18

# First asylum: resettlement and onward movement (mechanism 9: `first_asylum`).
D_ONWARD = 24
D_RESETTLE = 25

# Work at destination (mechanism 10: `labour`).
D_JOB = 20

# Return and reintegration (mechanism 12: `returns`).
D_VOLUNTARY_RETURN = 21
D_FORCED_RETURN = 22
D_REINTEGRATE = 23

# The initial population (`population._draw_range`, week 0).
D_INIT_SKILL = 28
D_INIT_SAVINGS = 29
D_INIT_AWARENESS = 30
D_INIT_STATUS = 31
D_INIT_EMPLOYED = 32
D_HOUSEHOLD = 36  # drawn once per cohort or row at the start: does the household receive remittances?

# Cohorts at home (`cohorts.step_cohort`): whether a partial mover forms this week.
D_COHORT_MOVER = 37

# Settled groups abroad (`settled.step_settled`; job losses draw with D_JOB, returns with
# D_VOLUNTARY_RETURN): jobs found, the employed among those who return, a partial returner.
D_SETTLED_JOB_FIND = 38
D_SETTLED_RETURN_EMPLOYED = 39
D_SETTLED_RETURNER = 40

# Reserved: defined but never drawn (ODD section 8, item 9). Kept so that no new decision reuses
# their numbers.
D_DESTINATION = 8
D_RELEASE = 26
D_REPLAN = 33
D_INIT_INCOME = 34
RESERVED_DECISIONS = (D_DESTINATION, D_RELEASE, D_REPLAN, D_INIT_INCOME)
