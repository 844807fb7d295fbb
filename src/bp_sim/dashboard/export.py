"""A tab's scenario as TOML that replays the page's run (the one-page PNG is in `page_png`).

The TOML is the resolved scenario (no `extends`) with the tab's seed and population and every
lever move made on the page, in order, as the settings one after another of `[[levers.X]]`
(and listed in the header), so `bp-sim run FILE` runs the page's scenario week for week.
"""

from __future__ import annotations

import tomli_w

from bp_sim.dashboard.shared import preset
from bp_sim.dashboard.state import PageState, date_of, scenario_of


def move_lines(state: PageState) -> list[str]:
    """Every lever move of the tab, in order: '3. border_enforcement = 0.9 from 2021-01-01'."""
    sc = preset(state.preset)
    out = []
    for k, m in enumerate(state.moves, 1):
        when = "the start" if m.week == 0 else date_of(sc, m.week).isoformat()
        what = "back to the data's setting" if m.value is None else f"= {m.value:g}"
        out.append(f"{k}. {m.lever} {what} from {when}")
    return out


def scenario_toml(state: PageState) -> str:
    """The tab's scenario as TOML text that `bp-sim run` accepts and that replays the page's run."""
    sc = scenario_of(preset(state.preset), state)
    head = [f"# Exported from the bp-sim dashboard: preset {state.preset}, seed {state.seed}, {state.agents:,} agents.",
            "# Run it with: bp-sim run THIS_FILE.toml  (the same weeks as the page's first replicate)"]
    if state.moves:
        head.append(f"# Lever moves made on the page, in order ({len(state.moves)}):")
        head += [f"#   {line}" for line in move_lines(state)]
    return "\n".join(head) + "\n" + tomli_w.dumps(sc.to_toml_dict())


def toml_filename(state: PageState) -> str:
    return f"{scenario_of(preset(state.preset), state).name}.toml"
