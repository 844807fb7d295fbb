"""Levers that explain themselves: plain labels, what each direction means, and why, for the page.

The dashboard's sliders would otherwise show raw names and units ("border_enforcement (index 0..1)").
This module gathers, per lever, what a workshop needs to read one:

- `lever_text.csv` (next to this file, shipped with the package): one row per lever of
  `data/levers.csv`, columns `lever,label,more_means,less_means`: a plain label and what moving
  the slider right (`more_means`) or left (`less_means`) does. Where the value runs against the
  policy (smuggling_disruption is the capacity *left*; remittance_cost is what the action lowers),
  the label says so.
- `data/levers.csv` (through `bp_sim.levers.catalogue.LEVERS`): unit, range, mechanism, evidence.
- `data/actions.csv` (`catalogue.ACTIONS`): the Call for Action actions a lever stands for and how
  the model represents each.

`lever_info(name)` gives one `LeverInfo`, `LEVER_INFO` all of them; `describe_value` and
`info_markdown` (and `info_html`, the same as HTML) turn one into text. `preset_infos()` gives the bundled scenarios as menu entries
(title and description, baseline first). Plain Python, no Solara: the page is built elsewhere.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from math import floor, isfinite, log10
from pathlib import Path
from types import MappingProxyType

from markdown_it import MarkdownIt

from bp_sim.errors import InputError
from bp_sim.levers.catalogue import ACTIONS, LEVERS
from bp_sim.scenario import load_scenario, scenarios_dir

TEXT_FILE = "lever_text.csv"
TEXT_COLUMNS = ("lever", "label", "more_means", "less_means")
_ASSUMPTION = re.compile(r"\bassumption\b", re.IGNORECASE)


def slider_step(low: float, high: float) -> float:
    """A slider step for [low, high]: a hundredth of the range, rounded up to 1, 2 or 5 times a power of ten."""
    span = (high - low) / 100.0
    power = 10.0 ** floor(log10(span))
    for m in (1, 2, 5, 10):
        if m * power >= span:
            return m * power
    return 10 * power


@dataclass(frozen=True)
class LeverInfo:
    """One lever as a workshop reads it: label, directions, unit and range, why it acts, and its actions."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    step: float
    more_means: str  # moving the slider right
    less_means: str  # moving the slider left
    mechanism: str
    evidence: str
    assumption: bool  # the evidence says the size or direction (or all) of the effect is assumed
    assumption_note: str  # the part of the evidence that says what is assumed, verbatim ("" when nothing is)
    actions: tuple[tuple[str, str, str], ...]  # (action id, short title, representation)
    baseline: str = ""  # the catalogue's description of the data's value ("routes.csv (0.3-0.9)", "1")


@cache
def _lever_text() -> dict[str, dict[str, str]]:
    """The rows of lever_text.csv by lever, checked to cover exactly the levers of levers.csv."""
    with (resources.files("bp_sim.dashboard") / TEXT_FILE).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != TEXT_COLUMNS:
            raise ValueError(f"{TEXT_FILE}: columns must be {','.join(TEXT_COLUMNS)}")
        rows = {r["lever"]: r for r in reader}
    if set(rows) != set(LEVERS):
        missing, extra = sorted(set(LEVERS) - set(rows)), sorted(set(rows) - set(LEVERS))
        raise ValueError(f"{TEXT_FILE}: levers missing {missing}, unknown {extra}")
    return rows


def assumption_part(evidence: str) -> str:
    """The clauses of an evidence text (split at ';') that say something is an assumption, joined; '' if none.

    'direction: ... (Clemens & Gough 2018); size: assumption' -> 'size: assumption'; a bare
    'assumption' (the whole effect is assumed) stays 'assumption'.
    """
    return "; ".join(p.strip() for p in evidence.split(";") if _ASSUMPTION.search(p))


def assumption_sentence(info: LeverInfo) -> str:
    """What is assumed, in a sentence for the panel; '' when the evidence assumes nothing."""
    if not info.assumption:
        return ""
    if info.assumption_note.lower() == "assumption":
        return "the whole effect, direction and size, is assumed: the catalogue cites no source."
    return f"the evidence says \u201c{info.assumption_note}\u201d: that part is set by the modellers, not measured."


def _actions_of(name: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((a.action_id, a.short_title, a.representation) for a in ACTIONS.itertuples(index=False)
                 if name in a.levers.split(";"))


@cache
def lever_info(name: str) -> LeverInfo:
    """Everything the page shows about one lever; an unknown name raises InputError naming the levers."""
    if name not in LEVERS:
        raise InputError("lever", name, "one of " + ", ".join(LEVERS))
    lv, text = LEVERS[name], _lever_text()[name]
    note = assumption_part(lv.evidence)
    return LeverInfo(name=name, label=text["label"], unit=lv.unit, low=lv.low, high=lv.high,
                     step=slider_step(lv.low, lv.high), more_means=text["more_means"], less_means=text["less_means"],
                     mechanism=lv.mechanism, evidence=lv.evidence, assumption=bool(note), assumption_note=note,
                     actions=_actions_of(name), baseline=lv.baseline)


LEVER_INFO: Mapping[str, LeverInfo] = MappingProxyType({name: lever_info(name) for name in LEVERS})


# ---------------------------------------------------------------- numbers in words

def number(x: float) -> str:
    """A number as a room reads it: '0.79', '4.2', '15', '12,000'; 'n/a' when not finite."""
    if not isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{float(f'{x:.2g}'):g}" if abs(x) >= 1e-4 else f"{x:.1e}"


def _with_unit(unit: str, x: float) -> tuple[str, str]:
    """(number with its short unit, trailing words): (\"50%\", \"of returnees reached\"), (\"2×\", \"regular admissions\")."""
    if unit.startswith("share "):
        return f"{number(100 * x)}%", unit.removeprefix("share ")
    if unit.startswith("percent "):
        return f"{number(x)}%", unit.removeprefix("percent ").replace("of amount", "of the amount")
    if unit.startswith("multiplier of "):
        return f"{number(x)}×", unit.removeprefix("multiplier of ")
    if unit.startswith("index "):
        return number(x), "on a " + unit.removeprefix("index ").replace("..", " to ") + " scale"
    return number(x), unit


def describe_value(info: LeverInfo, value: float, data_value: float | None = None) -> str:
    """A lever's value with its unit in words, and the data's: '0.9 on a 0 to 1 scale (data: 0.79)'."""
    shown, words = _with_unit(info.unit, value)
    text = f"{shown} {words}".strip()
    if data_value is not None:
        text += f" (data: {_with_unit(info.unit, data_value)[0]})"
    return text


def range_text(info: LeverInfo) -> str:
    """The slider's range in words: 'from 0 to 15 (percent of amount sent)'."""
    return f"from {_with_unit(info.unit, info.low)[0]} to {_with_unit(info.unit, info.high)[0]} ({info.unit})"


def _data_text(info: LeverInfo, data_value: float | None) -> str:
    """The data's value: the number given, else the catalogue's; where the data varies by place, where from."""
    try:
        catalogue_value: float | None = float(info.baseline)  # one number for every place
    except ValueError:
        catalogue_value = None  # a description: "routes.csv (0.3-0.9)"
    value = data_value if data_value is not None else catalogue_value
    if value is None:
        return info.baseline or "not known"
    shown = _with_unit(info.unit, value)[0]
    if catalogue_value is not None or not info.baseline:
        return shown
    return f"{shown} on average over the places it acts on; {info.baseline}"


def info_markdown(info: LeverInfo, data_value: float | None = None) -> str:
    """The information panel of one lever, as Markdown: label, directions, range, data, why, and its actions."""
    lines = [
        f"### {info.label}",
        f"`{info.name}`",
        "",
        f"- **Slider right:** {info.more_means}",
        f"- **Slider left:** {info.less_means}",
        f"- **Range:** {range_text(info)}",
        f"- **In the data:** {_data_text(info, data_value)}",
        "",
        f"**Mechanism:** {info.mechanism}",
        "",
        f"**Evidence:** {info.evidence}",
    ]
    if info.assumption:
        lines += ["", f"**Assumption:** {assumption_sentence(info)}"]
    lines += ["", "**Call for Action actions it stands for:**", ""]
    lines += [f"- **{aid}** {title}: {representation}" for aid, title, representation in info.actions]
    return "\n".join(lines) + "\n"


def info_html(info: LeverInfo, data_value: float | None = None) -> str:
    """The information panel as HTML, rendered here rather than by Solara's Markdown component:
    that component always loads KaTeX and Mermaid from the CDN path when it is drawn, and KaTeX is
    not among the offline assets, so an offline server would try the internet for it. Raw HTML in
    the text is escaped (`html` off)."""
    return MarkdownIt("commonmark", {"html": False}).render(info_markdown(info, data_value))


# ---------------------------------------------------------------- presets

@dataclass(frozen=True)
class PresetInfo:
    """A bundled scenario as a menu entry: its name (to load it), a title, and what it does."""

    name: str
    title: str
    description: str


def readable(name: str) -> str:
    """A scenario name made readable, for one without a title: 'goal1_smuggling' -> 'Goal1 smuggling'."""
    words = name.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else name


def _own_title(path: Path) -> bool:
    """Whether the file itself sets a title (one inherited through `extends` would name the parent)."""
    try:
        head = tomllib.loads(path.read_text(encoding="utf-8")).get("scenario")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(head, dict) and "title" in head


CALIBRATED = "calibrated"  # scenarios/calibrated.toml: not a preset, the fitted parameters every preset runs with


def preset_infos(net=None) -> list[PresetInfo]:
    """The bundled scenarios (scenarios/*.toml but the calibrated one), baseline first then by file
    name, each loaded and validated."""
    if net is None:
        from bp_sim.network import load_network

        net = load_network()
    files = sorted((f for f in scenarios_dir().glob("*.toml") if f.stem != CALIBRATED),
                   key=lambda f: (f.stem != "baseline", f.stem))
    infos = []
    for f in files:
        sc = load_scenario(f, net)
        title = sc.title if sc.title and _own_title(f) else readable(f.stem)
        infos.append(PresetInfo(name=f.stem, title=title, description=sc.description))
    return infos
