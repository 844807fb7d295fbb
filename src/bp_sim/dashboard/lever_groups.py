"""Levers grouped by the six priority goals of the Call for Action, with the actions they stand for.

The dashboard shows one block per goal; in it, one control per lever, labelled with the action ids
and short titles of that goal's actions tied to the lever. A lever tied to actions of two goals
(information on regular channels: PG1.4 and PG2.6) appears under both and is one setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from bp_sim.dashboard.lever_info import slider_step
from bp_sim.levers.catalogue import ACTIONS, LEVERS, Lever

GOAL_TITLES = {
    1: "Irregular migration, smuggling and trafficking",
    2: "Legal migration and mobility",
    3: "Return, readmission and reintegration",
    4: "Migration and development",
    5: "International protection",
    6: "Integration and non-discrimination",
}


@dataclass(frozen=True)
class LeverEntry:
    """One lever as shown under one goal: the lever and the goal's actions it stands for."""

    lever: Lever
    actions: tuple[tuple[str, str], ...]  # (action id, short title)

    @property
    def label(self) -> str:
        return "; ".join(f"{aid} {title}" for aid, title in self.actions)

    @property
    def step(self) -> float:
        """Slider step: a hundredth of the range, rounded to 1, 2 or 5 times a power of ten."""
        return slider_step(self.lever.low, self.lever.high)


@dataclass(frozen=True)
class GoalGroup:
    goal: int
    title: str
    entries: tuple[LeverEntry, ...]


def goal_groups() -> list[GoalGroup]:
    """The six goals in order, each with its levers in order of first action."""
    groups = []
    for goal, title in GOAL_TITLES.items():
        by_lever: dict[str, list[tuple[str, str]]] = {}
        for a in ACTIONS.itertuples(index=False):
            if int(a.priority_goal) != goal:
                continue
            for name in a.levers.split(";"):
                by_lever.setdefault(name, []).append((a.action_id, a.short_title))
        entries = tuple(LeverEntry(LEVERS[name], tuple(acts)) for name, acts in by_lever.items())
        groups.append(GoalGroup(goal, title, entries))
    return groups
