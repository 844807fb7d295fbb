"""Policy settings that change over time: base values plus dated, phased changes.

Levers and scheduled events (a conflict surge, a border closure, a deportation campaign, a
parameter changed from a date with a ramp) become `Change`s. Each week `Policy.current(t)`
returns every setting as it stands that week: the base value moved towards each active change
by the share of its ramp completed. This is the one place where settings change over time;
kernels only read the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SCOPES = ("node", "edge", "origin", "corridor", "param")


@dataclass(frozen=True)
class Change:
    """Move `scope.name[index]` to `value` (mode 'set') or by a factor (mode 'scale')."""

    scope: str
    name: str
    index: tuple | int | None
    value: float
    start: int  # first week (step) in force
    ramp_weeks: int = 0  # weeks to reach the full change; 0 = at once
    end: int | None = None  # first week no longer in force; None = until the end
    mode: str = "set"
    label: str = ""

    def weight(self, t: int) -> float:
        """How much of the change is in force in week t (0..1)."""
        if t < self.start or (self.end is not None and t >= self.end):
            return 0.0
        if self.ramp_weeks <= 0:
            return 1.0
        return min(1.0, (t - self.start + 1) / self.ramp_weeks)


@dataclass
class Policy:
    """Base settings per scope and the list of changes to apply over time."""

    base: dict[str, dict[str, np.ndarray]]
    params: dict[str, float]
    changes: list[Change] = field(default_factory=list)
    # The last answer and the weights it was made with: most weeks no change moves, so the same
    # settings are returned again (the caller only reads them) and it can tell nothing changed.
    _last: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def current(self, t: int) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
        """Settings in force in week t (fresh arrays only where a change is active; the same
        objects as the last call when no change's weight differs from then). Read-only."""
        weights = tuple(ch.weight(t) for ch in self.changes)
        if self._last is not None and self._last[0] == weights:
            return self._last[1]
        answer = self._settings(t)
        self._last = (weights, answer)
        return answer

    def _settings(self, t: int) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
        arrays = {scope: dict(fields) for scope, fields in self.base.items()}
        params = dict(self.params)
        copied: set[tuple[str, str]] = set()
        for ch in self.changes:
            wgt = ch.weight(t)
            if wgt <= 0.0:
                continue
            if ch.scope == "param":
                old = params[ch.name]
                params[ch.name] = moved(old, ch, wgt)
                continue
            key = (ch.scope, ch.name)
            if key not in copied:
                arrays[ch.scope][ch.name] = arrays[ch.scope][ch.name].copy()
                copied.add(key)
            arr = arrays[ch.scope][ch.name]
            arr[ch.index] = moved(arr[ch.index], ch, wgt)
        return arrays, params


def moved(old, ch: Change, wgt: float):
    """A setting `old` moved by change `ch` at weight `wgt` (the share of its ramp done)."""
    if ch.mode == "scale":
        return old * (1.0 + wgt * (ch.value - 1.0))
    return old + wgt * (ch.value - old)
