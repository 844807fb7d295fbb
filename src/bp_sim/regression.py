"""A stored summary of a small baseline run, to catch unintended changes to the model.

Regenerate on purpose (and say why in the commit) with:
    python -m bp_sim.regression --write
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bp_sim.model import SilkRoutesModel
from bp_sim.outcomes import OUTCOME_NAMES

SUMMARY_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "regression_summary.json"
SETTINGS = {"scenario": "baseline", "agents": 5_000, "weeks": 104, "seed": 12345}


def summary() -> dict:
    """Totals of every outcome over the run of SETTINGS."""
    m = SilkRoutesModel(SETTINGS["scenario"], agents=SETTINGS["agents"], seed=SETTINGS["seed"])
    m.run(SETTINGS["weeks"])
    out = m.recorder.outcomes[: m.recorder.steps_done]
    totals = {name: float(np.nansum(out[:, k])) for k, name in enumerate(OUTCOME_NAMES)}
    return {"settings": SETTINGS, "totals": totals}


def main(argv: list[str]) -> int:
    if "--write" in argv:
        SUMMARY_PATH.parent.mkdir(parents=True, exist_ok=True)
        SUMMARY_PATH.write_text(json.dumps(summary(), indent=2, sort_keys=True) + "\n")
        print(f"wrote {SUMMARY_PATH}")
        return 0
    print(json.dumps(summary(), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
