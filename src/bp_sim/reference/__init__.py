"""The plain-Mesa reference twin of the engine: the same per-agent rules, one Mesa agent per person.

`ReferenceModel` (`bp-sim run --engine reference`) is `SilkRoutesModel` with the population
advanced by `Migrant` agents (`migrant.py`) following the rules in the modules named after the
engine's mechanisms (`origin`, `channels`, `movement`, `borders`, `asylum`, `first_asylum`,
`labour`, `remittances`, `returns`, `trafficking`; `dispatch` says which apply in each state),
with the same shared helpers (`common`, `transitions`).
It agrees with the engine statistically, not bit for bit: it draws from `model.rng`.
"""

from bp_sim.reference.migrant import Migrant
from bp_sim.reference.model import ReferenceModel

__all__ = ["Migrant", "ReferenceModel"]
