"""bp_sim: an agent-based simulator of migration along the Silk Routes.

Public API: `load_scenario`, `SilkRoutesModel`, `run` (in `bp_sim.runner`).

The model and the scenario reader are imported on first use (PEP 562), not with the package:
every `bp_sim.*` import runs this file, and importing the model pulls in Mesa (about 0.3-0.5 s
here), which a command's driver process that only checks inputs and writes reports, and the
`bp-sim levers` listing, do not need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bp_sim import _numba_cache  # noqa: F401  (must come before any compiled function)

if TYPE_CHECKING:
    from bp_sim.model import SilkRoutesModel
    from bp_sim.scenario import Scenario, load_scenario

__all__ = ["Scenario", "SilkRoutesModel", "load_scenario"]
__version__ = "0.1.0"

_LAZY = {"SilkRoutesModel": "bp_sim.model", "Scenario": "bp_sim.scenario", "load_scenario": "bp_sim.scenario"}


def __getattr__(name: str) -> Any:
    """The public names, imported when first asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bp_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
