"""The plain-Mesa reference twin of the engine: the same rules, one Mesa agent per row and per cohort.

`ReferenceModel` (`bp-sim run --engine reference`) is `SilkRoutesModel` with the population
advanced by Mesa agents in the engine's two resolutions: a `Cohort` (`cohort.py`) for each cohort
of people at home, its week the rules of `cohorts` (aspiration, giving up, leaving in movers of
`persons_per_mover` persons), and a `Migrant` (`migrant.py`) for each row of people who move or
live abroad, following the rules in the modules named after the engine's mechanisms (`origin`,
`channels`, `movement`, `borders`, `asylum`, `first_asylum`, `labour`, `remittances`, `returns`,
`trafficking`; `dispatch` says which apply in each state), with the same shared helpers
(`common`, `transitions`). Every count is in persons: a row counts its `weight`.
It agrees with the engine statistically, not bit for bit: it draws from `model.rng`.
"""

from bp_sim.reference.cohort import Cohort
from bp_sim.reference.migrant import Migrant
from bp_sim.reference.model import ReferenceModel

__all__ = ["Cohort", "Migrant", "ReferenceModel"]
