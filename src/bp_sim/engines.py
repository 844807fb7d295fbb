"""The two implementations of the same rules: the Numba engine and the plain-Mesa reference twin."""

from __future__ import annotations

from bp_sim.errors import InputError
from bp_sim.model import SilkRoutesModel

ENGINES = ("numba", "reference")


def model_class(engine: str) -> type[SilkRoutesModel]:
    """The model class of an engine name (the twin is imported only when asked for)."""
    if engine == "numba":
        return SilkRoutesModel
    if engine == "reference":
        from bp_sim.reference import ReferenceModel

        return ReferenceModel
    raise InputError("--engine", engine, "one of " + ", ".join(ENGINES))
