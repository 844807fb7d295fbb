"""Every per-place setting, declared once (`data/settings.csv`), and how each reaches the kernels.

A setting is a number a scenario, an event or a lever may give per node, origin, leg (edge) or
corridor. Its row says its unit, its allowed range, its default (a number, a parameter of
`parameters.csv`, or `data`: the value in the network's own data files) and which way the
compiled code reads it:

- `world` (or `world:FIELD`): copied into the World field of that name each week it changes
  (`write_into_world`); two are converted on the way (`remit_cost` is a share, not a percent;
  `edge_open` is 1 above one half);
- `argument:MECHANISM`: handed to that mechanism's weekly aggregate update as an array.

Scenario validation (`scenario`), the lever catalogue (`levers.catalogue`), the policy's base
values (`policy_build`) and the World update all read this table, so a new setting is one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

SCOPES = ("node", "origin", "edge", "corridor")
TABLE_OF_SCOPE = {"node": "nodes", "origin": "origins", "edge": "routes", "corridor": "corridors"}
SCOPE_OF_TABLE = {table: scope for scope, table in TABLE_OF_SCOPE.items()}
ARGUMENT_READERS = ("origin", "smuggling", "quotas", "attitudes")  # mechanisms handed settings as arrays


@dataclass(frozen=True)
class Setting:
    """One settable per-place field: where it lives, its unit and range, its default, its reader."""

    scope: str  # node, origin, edge or corridor
    name: str
    unit: str
    low: float
    high: float
    default: str  # a number, 'param:NAME' or 'data'
    reaches: str  # 'world', 'world:FIELD' or 'argument:MECHANISM'
    description: str

    @property
    def world_field(self) -> str | None:
        """The World field the kernels read it from, or None when it is a kernel argument."""
        kind, _, target = self.reaches.partition(":")
        return (target or self.name) if kind == "world" else None

    @property
    def reader(self) -> str | None:
        """The mechanism whose weekly update takes it as an argument, or None."""
        kind, _, target = self.reaches.partition(":")
        return target if kind == "argument" else None

    @property
    def default_parameter(self) -> str | None:
        kind, _, name = self.default.partition(":")
        return name if kind == "param" else None

    def to_world(self, values: np.ndarray):
        """The values as the World holds them (a percent becomes a share; open is above one half)."""
        if self.world_field == "remit_cost":
            return values / 100.0
        if self.world_field == "edge_open":
            return values > 0.5
        return values


def _read_settings() -> dict[tuple[str, str], Setting]:
    df = pd.read_csv(str(resources.files("bp_sim") / "data" / "settings.csv"), keep_default_na=False)
    out: dict[tuple[str, str], Setting] = {}
    for r in df.itertuples(index=False):
        s = Setting(r.scope, r.name, r.unit, float(r.low), float(r.high), str(r.default), r.reaches, r.description)
        kind = s.reaches.partition(":")[0]
        problem = (
            "scope" if s.scope not in SCOPES
            else "range" if not s.low < s.high
            else "reaches" if kind not in ("world", "argument") or (kind == "argument" and s.reader not in ARGUMENT_READERS)
            else "default" if not (s.default == "data" or s.default.startswith("param:") or _is_float(s.default))
            else "duplicate" if (s.scope, s.name) in out
            else ""
        )
        if problem:
            raise ValueError(f"settings.csv: {s.scope}.{s.name} has an invalid {problem}")
        out[(s.scope, s.name)] = s
    return out


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


SETTINGS: dict[tuple[str, str], Setting] = _read_settings()
WORLD_SETTINGS: tuple[Setting, ...] = tuple(s for s in SETTINGS.values() if s.world_field is not None)


def of_scope(scope: str) -> dict[str, Setting]:
    """The settings of one scope, by name, in table order."""
    return {s.name: s for s in SETTINGS.values() if s.scope == scope}


def ranges(scope: str) -> dict[str, tuple[float, float]]:
    """name -> (low, high) of one scope's settings: what a scenario may write."""
    return {name: (s.low, s.high) for name, s in of_scope(scope).items()}


def base_values(scope: str, shape: tuple[int, ...], params: Mapping[str, float] | object,
                data: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each setting of `scope` at its default, as a fresh float array of `shape`.

    `params` is the parameter record (attribute access); `data` holds, by setting name, the
    values the network's data give the settings whose default is `data` (`build.build_world`).
    """
    out: dict[str, np.ndarray] = {}
    for name, s in of_scope(scope).items():
        if s.default == "data":
            out[name] = np.array(data[name], dtype=float)  # a copy: the base values stay as built
        elif s.default_parameter is not None:
            out[name] = np.full(shape, float(getattr(params, s.default_parameter)))
        else:
            out[name] = np.full(shape, float(s.default))
    return out


def write_into_world(world, arrays: Mapping[str, Mapping[str, np.ndarray]]) -> None:
    """Copy the settings in force that the kernels read from the World into it, in place."""
    for s in WORLD_SETTINGS:
        getattr(world, s.world_field)[:] = s.to_world(arrays[s.scope][s.name])


def arguments_for(reader: str) -> tuple[Setting, ...]:
    """The settings one mechanism's weekly update is handed as arrays (for docs and tests)."""
    return tuple(s for s in SETTINGS.values() if s.reader == reader)
