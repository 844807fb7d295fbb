"""What a migrant or cohort can read, and where it counts, during one week of the reference twin.

The engine's kernel reads the `World` arrays and the parameter record and writes counters into
its chunk's row of the `Tally` (in persons). The twin does the same from plain Python values:
once a week the model takes a snapshot of the World as nested lists and of the parameters as a
namespace of floats (NumPy scalars are slow in per-agent Python arithmetic), and hands every
migrant and cohort the one row of its single-chunk tally. Nothing here is per agent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from bp_sim import tally as T
from bp_sim.parameters import as_dict
from bp_sim.world import World


@dataclass(slots=True)
class Week:
    """The week's read-only world, parameters and random source, and the counters to write."""

    t: int  # week number (the engine keys its draws by it; the twin only reports it)
    w: World  # the World with every field as (nested) Python lists: read only
    p: SimpleNamespace  # parameters in force this week, as Python floats
    rng: np.random.Generator  # the model's generator (`model.rng`)
    random: Callable[[], float]  # `rng.random`: one uniform draw in [0, 1) per decision
    tally: T.Tally  # row 0 of the model's single-chunk tally: the counters the kernel writes


def world_snapshot(world: World) -> World:
    """The World with every array turned into Python lists (indexing stays the same)."""
    return World._make(np.asarray(a).tolist() for a in world)


def params_namespace(p: np.record) -> SimpleNamespace:
    """The parameter record (`model.p_arr[0]`) as a namespace of Python floats (`p.name`)."""
    return SimpleNamespace(**as_dict(p))


def make_week(t: int, world: World, p: np.record, rng: np.random.Generator, tally: T.Tally) -> Week:
    """This week's context; `tally` must be a one-chunk tally (its row 0 is handed out)."""
    return Week(t=t, w=world_snapshot(world), p=params_namespace(p), rng=rng, random=rng.random,
                tally=T.Tally(*(arr[0] for arr in tally)))
