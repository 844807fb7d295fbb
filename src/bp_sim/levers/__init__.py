"""Policy levers: the Call for Action's 37 actions tied to settings of the model.

`catalogue` reads the lever definitions (`data/levers.csv`) and the action-to-lever table
(`data/actions.csv`); `setting` turns a scenario's `[levers]` table into dated, phased
`policy.Change`s, so the model applies every lever in one place (`policy.Policy.current`).
"""

from bp_sim.levers.catalogue import ACTIONS, LEVERS, Lever, catalogue_table
from bp_sim.levers.setting import LeverSetting, lever_changes, parse_levers

__all__ = ["ACTIONS", "LEVERS", "Lever", "LeverSetting", "catalogue_table", "lever_changes", "parse_levers"]
