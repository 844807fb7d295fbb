"""Numbers as a room reads them: "1.9 bn USD a week", "12,400 persons", "-3.1%".

Outcome units come from `outcomes.OUTCOMES` ("persons/week", "USD/week", "share", ...); each is
given words and a scale (thousand, million, billion) chosen from the size of the numbers shown.
"""

from __future__ import annotations

import math

from bp_sim.outcomes import OUTCOMES

UNIT_OF = {name: unit for name, unit, _ in OUTCOMES}
SCALES = ((1e9, "bn"), (1e6, "million"), (1e3, "thousand"))


def unit_words(unit: str, total: bool = False) -> str:
    """'persons/week' -> 'persons a week' ('persons' for a total over weeks); 'USD/week' -> 'USD a week'."""
    base, _, per = unit.partition("/")
    if per == "week" and not total:
        return f"{base} a week"
    return base


def scale_for(peak: float) -> tuple[float, str]:
    """(divisor, word) for numbers up to `peak`: (1e9, 'bn') for 1.9e9, (1.0, '') below ten thousand."""
    peak = abs(peak) if math.isfinite(peak) else 0.0
    for factor, word in SCALES:
        if peak >= 10 * factor or (factor >= 1e6 and peak >= factor):
            return factor, word
    return 1.0, ""


def scaled_unit(unit: str, peak: float, total: bool = False) -> tuple[float, str]:
    """(divisor, axis label) for an outcome's numbers: (1e9, 'bn USD a week')."""
    factor, word = scale_for(peak)
    words = unit_words(unit, total)
    if unit == "share":
        return 1.0, "share"
    return factor, f"{word} {words}".strip()


def amount(value: float, unit: str, total: bool = True) -> str:
    """One number with its unit: '1.9 bn USD', '12,400 persons', '0.42 (share)'."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if unit == "share":
        return f"{value:.2f} (share)"
    factor, word = scale_for(value)
    shown = value / factor
    digits = f"{shown:,.0f}" if factor == 1.0 or abs(shown) >= 100 else f"{shown:,.1f}"
    return f"{digits} {word} {unit_words(unit, total)}".replace("  ", " ")


def percent(p: float) -> str:
    """'+12%', '-3.1%', 'n/a' (no baseline to divide by)."""
    if p is None or not math.isfinite(p):
        return "n/a"
    return f"{p:+.1f}%" if abs(p) < 10 else f"{p:+.0f}%"
