"""bp_sim: an agent-based simulator of migration along the Silk Routes.

Public API: `load_scenario`, `SilkRoutesModel`, `run` (in `bp_sim.runner`).
"""

from bp_sim import _numba_cache  # noqa: F401  (must come before any compiled function)
from bp_sim.model import SilkRoutesModel
from bp_sim.scenario import Scenario, load_scenario

__all__ = ["Scenario", "SilkRoutesModel", "load_scenario"]
__version__ = "0.1.0"
