"""What one browser tab has set: a preset, the lever moves made on it in order, and the run's seed.

The page is a view of a `PageState`: its results are computed from it (`compute`), its exports
record it (`export`), and it lives in the tab's address (`to_query` / `from_query`), so a reload
or a bookmark brings back the same runs and two tabs never share one.

A lever move sets a lever to a value (or back to the data's setting, value None) from a week of
the run on. Moves are kept in the order they were made; `lever_schedules` turns them into the
lever settings of a scenario, one setting after another, so that `bp-sim run` of the exported
scenario replays the page's run exactly.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from bp_sim import checks
from bp_sim.errors import InputError
from bp_sim.levers.catalogue import LEVERS
from bp_sim.levers.setting import LeverSchedule, LeverSetting, pieces
from bp_sim.scenario import Scenario

MAX_MOVES = 200  # lever moves kept in one tab (a workshop makes tens)
MAX_REPLICATES = 20  # paired replicates the page computes


@dataclass(frozen=True)
class Move:
    """A lever set to `value` (None: back to the data's setting) from week `week` of the run on."""

    lever: str
    value: float | None
    week: int = 0


@dataclass(frozen=True)
class PageState:
    """A tab's settings. `compare_with` is a second preset shown beside (package A against B)."""

    preset: str = "baseline"
    moves: tuple[Move, ...] = ()
    seed: int = 0
    agents: int = 5_000  # the default run's cohorts (validate.DEFAULT_AGENTS)
    replicates: int = 8
    compare_with: str | None = None
    persons_per_mover: int | None = None  # the server's resolution (None: the scenario's, else the default)
    persons_per_agent_abroad: float | None = None

    def with_move(self, move: Move) -> PageState:
        """This state with one more move (the oldest dropped past MAX_MOVES)."""
        check_move(move)
        return replace(self, moves=(*self.moves, move)[-MAX_MOVES:])

    def key(self) -> tuple:
        """What the results depend on: equal keys give equal runs."""
        return (self.preset, self.moves, self.seed, self.agents, self.persons_per_mover,
                self.persons_per_agent_abroad)


def check_move(move: Move) -> None:
    """A known lever, a value inside its range (or None: back to the data) and a week of the run."""
    lv = LEVERS[checks.choice("lever", move.lever, sorted(LEVERS))]
    if move.value is not None:
        checks.number(f"levers.{lv.name}", move.value, lv.low, lv.high, f"({lv.unit})")
    checks.whole(f"levers.{lv.name} week", move.week, 0, None, "a week of the run: a whole number")


def date_of(sc: Scenario, week: int) -> dt.date:
    return sc.start_date + dt.timedelta(weeks=week)


def apply_move(schedule: tuple[LeverSetting, ...], move: Move, sc: Scenario) -> tuple[LeverSetting, ...]:
    """A lever's settings after `move`.

    The setting in force at the move's week, or the next one to come, decides: one that starts
    on or after the move's week keeps its timing (a preset's start and ramp) and takes the new
    value; one already in force ends at the move's week and a new setting starts there. Settings
    after that one are dropped. Back to the data (value None) ends what is in force and drops the rest.
    """
    week = move.week
    at = date_of(sc, week) if week > 0 else None
    kept: list[LeverSetting] = []
    for s in schedule:
        if s.until is not None and sc.week_of(s.until) <= week:  # over before the move
            kept.append(s)
            continue
        if (0 if s.start is None else sc.week_of(s.start)) < week:  # in force at the move: ends there
            kept.append(replace(s, until=at))
            break
        if move.value is not None:  # the next to come keeps its timing, takes the new value
            kept.append(replace(s, value=float(move.value), until=None))
        return tuple(kept)
    if move.value is not None:
        where = schedule[-1].where if schedule else None
        kept.append(LeverSetting(move.lever, float(move.value), at, None, 0, where))
    return tuple(kept)


def lever_schedules(preset: Scenario, moves: tuple[Move, ...]) -> dict[str, LeverSchedule]:
    """The preset's lever settings with every move applied in order (a lever with one setting
    maps to it, one with several to their tuple, in date order)."""
    schedules = {name: pieces(s) for name, s in preset.levers.items()}
    for move in moves:
        schedules[move.lever] = apply_move(schedules.get(move.lever, ()), move, preset)
    return {name: (s[0] if len(s) == 1 else s) for name, s in schedules.items() if s}


def scenario_of(preset: Scenario, state: PageState) -> Scenario:
    """The scenario a tab runs: the preset with its moves, the tab's seed and population."""
    sc = copy.deepcopy(preset)
    sc.levers = lever_schedules(preset, state.moves)
    if state.moves:
        sc.name = f"{preset.name}_dashboard"
        sc.description = (f"{preset.description or preset.name}; levers set in the bp-sim dashboard").strip("; ")
    sc.seed = state.seed
    sc.agents = state.agents
    sc.persons_per_agent = None
    if state.persons_per_mover is not None:
        sc.persons_per_mover = state.persons_per_mover
    if state.persons_per_agent_abroad is not None:
        sc.persons_per_agent_abroad = state.persons_per_agent_abroad
    return sc


# ---------------------------------------------------------------------------- the tab's address
def to_query(state: PageState) -> str:
    """The state as a query string: preset=..&seed=..&reps=..&m=lever:value@week,.. (value '-' for None)."""
    q: dict[str, str] = {"preset": state.preset, "seed": str(state.seed), "reps": str(state.replicates)}
    if state.compare_with:
        q["vs"] = state.compare_with
    if state.moves:
        q["m"] = ",".join(f"{m.lever}:{'-' if m.value is None else repr(float(m.value))}@{m.week}"
                          for m in state.moves)
    return urlencode(q, safe=":@,-")


def from_query(query: str | None, defaults: PageState, presets: list[str]) -> PageState:
    """The state a tab's address asks for; anything unreadable is left at `defaults` (an old or
    edited address still opens the page)."""
    q = {k: v[-1] for k, v in parse_qs(query or "").items()}
    state = defaults
    if q.get("preset") in presets:
        state = replace(state, preset=q["preset"])
    if q.get("vs") in presets:
        state = replace(state, compare_with=q["vs"])
    for key, name, low, top in (("seed", "seed", 0, 2**63 - 1), ("reps", "replicates", 1, MAX_REPLICATES)):
        with contextlib.suppress(InputError):  # a larger number than allowed is read as the largest
            state = replace(state, **{name: min(checks.whole_text(key, q.get(key), low, max_digits=4000), top)})
    moves = []
    for part in q.get("m", "").split(",") if q.get("m") else ():
        try:
            lever, rest = part.split(":", 1)
            value, week = rest.rsplit("@", 1)
            move = Move(lever, None if value == "-" else float(value), int(week))
            check_move(move)
        except (ValueError, InputError):
            continue
        moves.append(move)
    return replace(state, moves=tuple(moves[-MAX_MOVES:]))
