"""Trafficking, exploitation and identification (twin of `mechanisms.trafficking`, mechanism 7).

People in transit and people without status at destinations fall into exploitation with a
weekly risk that debt raises and labour inspection lowers. Victims work off debt; each week
one draw decides whether they are identified and referred (protected where there is a
protection system, otherwise assisted home), escape (travellers go on their way, others stay
without status), or stay exploited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bp_sim import tally as T
from bp_sim.reference.returns import VOLUNTARY, count_return
from bp_sim.reference.transitions import (
    grant_protection,
    lose_job,
    send_home,
    set_out_irregular,
    stay_without_status,
)
from bp_sim.states import FLAG_IDENTIFIED, FLAG_STRANDED, State

if TYPE_CHECKING:
    from types import SimpleNamespace

    from bp_sim.reference.migrant import Migrant
    from bp_sim.reference.week import Week


def debt_vulnerability(p: SimpleNamespace, debt: float) -> float:
    """1 with no debt, rising towards 1 + trafficking_debt_effect as debt grows."""
    return 1.0 + p.trafficking_debt_effect * debt / (debt + p.debt_reference_usd)


def maybe_exploited(m: Migrant, wk: Week, base_hazard: float) -> bool:
    """Apply the weekly exploitation risk; True if the person became a victim. A victim loses
    their job, and a traveller's journey (with its stranding) is over: FLAG_STRANDED is cleared."""
    p = wk.p
    h = base_hazard * debt_vulnerability(p, m.debt) * (1.0 - p.inspection_effect * wk.w.labour_inspection[m.location])
    if wk.random() < h:
        m.state = State.EXPLOITED
        lose_job(m)
        m.flags &= ~FLAG_STRANDED
        wk.tally.ints[m.origin_index, T.I_TRAFFICKED] += m.weight
        return True
    return False


def step_exploited(m: Migrant, wk: Week) -> None:
    """EXPLOITED: identified and referred, escaped, or still exploited (debt is worked off).

    An escaped victim who was exploited on the way (a destination set, elsewhere) travels on
    towards it; one exploited where they live stays there without status."""
    w, p, ints = wk.w, wk.p, wk.tally.ints[m.origin_index]
    node = m.location
    m.income = 0.0
    m.debt = max(0.0, m.debt - p.exploitation_debt_payoff_weekly)
    ident = p.victim_identification_floor + (1.0 - p.victim_identification_floor) * w.victim_identification[node]
    u = wk.random()
    if u < p.victim_identification_max * ident:
        ints[T.I_TRAFFICKED_IDENTIFIED] += m.weight
        m.flags |= FLAG_IDENTIFIED
        m.debt = 0.0
        if w.asylum_index[node] >= 0 or w.is_first_asylum[node]:
            grant_protection(m)
        else:
            count_return(m, wk, VOLUNTARY)
            send_home(m)
            ints[T.I_RETURNS_VOLUNTARY] += m.weight
    elif u > 1.0 - p.exploitation_escape_weekly:
        if m.destination >= 0 and m.destination != node:
            set_out_irregular(m)  # exploited on the way: the journey resumes from here
        else:
            stay_without_status(m)  # exploited where they live: stay there without status
