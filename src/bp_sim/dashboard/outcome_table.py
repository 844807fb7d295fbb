"""The outcome panel as data: what the levers changed, how sure we are, and whether it can be told at all.

For each headline outcome: the baseline's total, the scenario's, their difference in persons or
USD and in percent, the 95% interval of the difference paired by seed (common random numbers)
once two replicates are in, and a verdict: welcome, unwelcome, neutral, no clear change, no
change, or "too few simulated people to tell" where an outcome rests on fewer than `MIN_AGENTS`
simulated agents (a "-33% deaths" from 3 agents is one agent fewer, not a finding).

Totals are those of `bp-sim compare` (`outcomes.horizon_totals`: flows summed over the weeks,
stocks averaged). Every number returned is a plain float or None (never NaN or a NumPy scalar),
so `dataclasses.asdict` of any row goes to JSON as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bp_sim.dashboard.results import Results
from bp_sim.dashboard.units import UNIT_OF, amount, percent, scale_for, unit_words
from bp_sim.outcomes import OUTCOME_INDEX, OUTCOME_NAMES, horizon_totals
from bp_sim.stats import mean_ci


@dataclass(frozen=True)
class Headline:
    """A headline outcome, its words, and which way is welcome (+1 more, -1 less, 0 neither)."""

    name: str
    words: str
    welcome: int


# Welcome directions follow the goals of the Call for Action (the scenarios goal1..goal6).
HEADLINES: tuple[Headline, ...] = (
    Headline("irregular_arrivals_europe", "irregular arrivals in Europe", -1),  # goal 1: prevent irregular migration
    Headline("deaths_missing", "deaths and missing", -1),  # lives lost on the routes
    Headline("irregular_departures", "irregular departures", -1),  # goal 1: prevent irregular migration
    Headline("regular_departures", "regular departures", +1),  # goal 2: legal pathways instead of irregular ones
    Headline("remittances_received_usd", "remittances received at origins", +1),  # goal 4: development at origin
    Headline("smuggler_revenue_usd", "smuggler revenue", -1),  # goal 1: counter smuggling (its business model)
    Headline("trafficking_victims", "trafficking victims", -1),  # goal 1: counter trafficking
    Headline("asylum_backlog", "asylum backlog", -1),  # goal 5: protection, claims decided sooner
    # Neither: goal 3 seeks returns of people with no right to stay, but voluntary and dignified
    # ones; more removals is a cost as much as an aim, so the panel does not colour it.
    Headline("returns_forced", "forced returns", 0),
)
HEADLINE_OF = {h.name: h for h in HEADLINES}

# The trade-off view: the five outcomes side by side, in percent against the baseline.
TRADE_OFF = ("deaths_missing", "irregular_arrivals_europe", "regular_departures", "remittances_received_usd",
             "smuggler_revenue_usd")

# "About 30 agents" (the issue asking for this panel): below that a simulated count is a handful
# of agents, and one agent more or less moves it by several percent.
MIN_AGENTS = 30

# What an outcome's agent count rests on, where the outcome is not itself a count of persons
# (persons, detections: the outcome divided by persons per agent is the agent count).
SMUGGLED_LEGS = "smuggled_legs"  # derived each week: smuggler revenue / mean fee per smuggled leg
# Outcomes drawn person by person within a row (ODD 7.5: deaths on a leg, identification of the dead):
# they rest on as many events as persons, whatever the persons per mover.
PERSON_BY_PERSON = frozenset({"deaths_missing", "missing_identified"})
BASIS: dict[str, str | None] = {
    "smuggler_revenue_usd": SMUGGLED_LEGS,  # every dollar is a fee paid for one smuggled leg
    "mean_smuggling_fee_usd": SMUGGLED_LEGS,
    "mean_asylum_wait_weeks": "asylum_decisions",  # the mean of the claims decided
    # Remittances are sent every week by every employed migrant abroad: the diaspora, placed from
    # the UN DESA stocks, a fixed share of all agents (hundreds at 5,000 agents, thousands at the
    # dashboard's 200,000). No outcome counts the senders, so these are not checked (agents None).
    "remittances_sent_usd": None,
    "remittance_fees_usd": None,
    "remittances_received_usd": None,
    "remittances_formal_usd": None,
    "migrant_employment_rate": None,  # a share of the same diaspora
}
_COUNTED = ("persons", "detections")
if any(name not in BASIS and UNIT_OF[name].split("/")[0] not in _COUNTED for name in OUTCOME_NAMES):
    raise RuntimeError("every outcome that is not a count of persons needs a BASIS")

VERDICTS = ("welcome", "unwelcome", "neutral", "no clear change", "too few simulated people to tell", "no change")
_NO_INTERVAL = "no interval yet: one replicate"
_SAME = "the same in every replicate"


@dataclass(frozen=True)
class Change:
    """A paired difference new - old over replicates, its interval, and what it can be said to be."""

    diff: float | None  # mean of the per-replicate differences
    lo: float | None  # 95% paired interval (None with fewer than 2 replicates)
    hi: float | None
    pct: float | None  # diff / |old mean| * 100 (None when the old mean is 0)
    pct_lo: float | None
    pct_hi: float | None
    agents: float | None  # the smaller of the two sides' agent counts (None: not counted)
    too_few: bool
    verdict: str
    text: str  # "-4,200 persons (-3.1%)"
    interval_text: str  # "95%: -6,100 to -2,300 persons"


@dataclass(frozen=True)
class Row:
    """One line of the outcome panel: the scenario against the baseline."""

    name: str
    words: str
    unit: str  # the outcome's unit in OUTCOMES ("persons/week", "USD/week", "persons")
    welcome: int
    replicates: int
    baseline: float | None  # mean total over replicates
    scenario: float | None
    diff: float | None
    diff_lo: float | None
    diff_hi: float | None
    pct: float | None
    pct_lo: float | None
    pct_hi: float | None
    agents: float | None
    too_few: bool
    verdict: str
    baseline_text: str
    scenario_text: str
    diff_text: str
    interval_text: str
    note: str  # what the row rests on: "rests on 1,234 simulated agents"


@dataclass(frozen=True)
class TradeOff:
    """One bar of the trade-off chart: percent change against the baseline, with its interval."""

    name: str
    words: str
    welcome: int
    pct: float | None
    pct_lo: float | None
    pct_hi: float | None
    agents: float | None
    too_few: bool
    verdict: str
    pct_text: str  # "-3.1%"
    interval_text: str  # "95%: -4.5% to -1.7%"


@dataclass(frozen=True)
class PackageRow:
    """One outcome for package A against package B against the baseline (all paired by seed)."""

    name: str
    words: str
    unit: str
    welcome: int
    replicates: int
    baseline: float | None
    a: float | None
    b: float | None
    baseline_text: str
    a_text: str
    b_text: str
    a_vs_baseline: Change
    b_vs_baseline: Change
    b_vs_a: Change  # B - A; its percent is of A's total; "welcome": B does better than A


# ---------------------------------------------------------------------- numbers


def _num(x: float | None) -> float | None:
    """A plain float, or None for a missing or non-finite value."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _window(results: Results, which: str, upto_week: int | None) -> np.ndarray:
    """(replicates, weeks, outcomes) of weeks [0, upto_week) of "scenario" or "baseline"."""
    if upto_week is not None and (isinstance(upto_week, bool) or not isinstance(upto_week, int | np.integer)
                                  or upto_week < 1):
        raise ValueError(f"upto_week must be a whole number of weeks, at least 1 (got {upto_week!r})")
    series = results.stacked(which)
    return series if upto_week is None else series[:, :upto_week]


def _totals(series: np.ndarray) -> np.ndarray:
    """(replicates, outcomes) horizon totals of (replicates, weeks, outcomes)."""
    if len(series) == 0:
        return np.zeros((0, len(OUTCOME_NAMES)))
    return np.stack([horizon_totals(run) for run in series])


def _smuggled_legs(series: np.ndarray, persons_per_agent: float) -> np.ndarray:
    """Smuggled legs in agents per run and week: revenue / mean fee is legs x persons per agent."""
    rev = series[..., OUTCOME_INDEX["smuggler_revenue_usd"]]
    fee = series[..., OUTCOME_INDEX["mean_smuggling_fee_usd"]]
    ok = fee > 0  # NaN (a week with no smuggled leg) compares False
    legs = np.divide(rev, fee, out=np.zeros(rev.shape), where=ok) / persons_per_agent
    return np.rint(legs)  # whole legs (the division only undoes the recorder's products)


def agent_events(outcome: str, values: np.ndarray, persons_per_agent: float) -> float | None:
    """How many simulated agents (or agent events: departures, deaths, legs) `outcome` rests on.

    `values`: weekly outcomes, (weeks, outcomes) of one run or (replicates, weeks, outcomes),
    columns in OUTCOME_NAMES order. The count is that of the outcome's BASIS (itself for counts
    of persons) over the weeks given, in agents, averaged over replicates; None where no outcome
    counts what it rests on (remittances)."""
    series = np.asarray(values, float)
    if series.ndim == 2:
        series = series[None]
    if series.ndim != 3 or series.shape[2] != len(OUTCOME_NAMES):
        raise ValueError(f"values must be (weeks, {len(OUTCOME_NAMES)}) or (replicates, weeks, "
                         f"{len(OUTCOME_NAMES)}) weekly outcomes, not {series.shape}")
    if outcome not in OUTCOME_INDEX:
        raise ValueError(f"unknown outcome {outcome!r}")
    basis = BASIS.get(outcome, outcome)
    if basis is None or series.shape[0] == 0:
        return None
    if basis in PERSON_BY_PERSON:
        persons_per_agent = 1.0  # each person of a row dies (or is identified) on their own: events are persons
    if basis == SMUGGLED_LEGS:
        per_run = _smuggled_legs(series, persons_per_agent).sum(axis=1)
    else:
        per_run = _totals(series)[:, OUTCOME_INDEX[basis]] / persons_per_agent
    if not np.isfinite(per_run).any():
        return None
    return round(float(np.nanmean(per_run)), 6)  # 9.000000000000002 agents (persons / persons per agent) is 9


def _fewest(outcome: str, persons_per_agent: float, *sides: np.ndarray) -> float | None:
    """The smallest agent count among the sides compared (None: not counted)."""
    counts = [agent_events(outcome, s, persons_per_agent) for s in sides]
    known = [c for c in counts if c is not None]
    return min(known) if known else None


# ---------------------------------------------------------------------- words


def _total_text(value: float | None, unit: str) -> str:
    """'12,400 persons', '1.9 bn USD'; a stock's weekly mean says so."""
    text = amount(value, unit, total=True)
    return text if unit.endswith("/week") or value is None else f"{text} (weekly mean)"


def _signed(value: float, unit: str) -> str:
    text = amount(value, unit, total=True)
    return f"+{text}" if value > 0 else text


def _digits(shown: float, wide: bool) -> str:
    return f"{shown:+,.0f}" if wide else f"{shown:+,.1f}"


def _interval_text(lo: float | None, hi: float | None, unit: str) -> str:
    """'95%: -6,100 to -2,300 persons', both ends on one scale."""
    if lo is None or hi is None:
        return _NO_INTERVAL
    if unit == "share":
        return f"95%: {lo:+.2f} to {hi:+.2f}"
    factor, word = scale_for(max(abs(lo), abs(hi)))
    wide = factor == 1.0 or max(abs(lo), abs(hi)) / factor >= 100
    words = f"{word} {unit_words(unit, total=True)}".strip()
    return f"95%: {_digits(lo / factor, wide)} to {_digits(hi / factor, wide)} {words}"


def _pct_interval_text(r: Row) -> str:
    """'95%: -4.5% to -1.7%' of a row's percent change."""
    if r.verdict == "no change":
        return _SAME
    if r.pct_lo is None or r.pct_hi is None:
        return _NO_INTERVAL if r.replicates < 2 else "n/a: none in the baseline"
    return f"95%: {percent(r.pct_lo)} to {percent(r.pct_hi)}"


def _note(agents: float | None, too_few: bool) -> str:
    """What a row rests on: 'rests on 1,234 simulated agents', '... 0.3 ..., fewer than about 30'."""
    if agents is None:
        return "rests on every employed migrant abroad: not counted"
    n = f"{agents:,.0f}" if agents >= 10 or agents == round(agents) else f"{agents:.1f}"
    text = f"rests on {n} simulated agent{'' if n == '1' else 's'}"
    return f"{text}, fewer than about {MIN_AGENTS}" if too_few else text


# ---------------------------------------------------------------------- verdicts


def verdict(diff: float | None, lo: float | None, hi: float | None, welcome: int, *, identical: bool,
            too_few: bool) -> str:
    """One of VERDICTS, in this order: no change, too few, no clear change, neutral, welcome/unwelcome."""
    if identical:
        return "no change"
    if too_few:
        return "too few simulated people to tell"
    if diff is None or diff == 0 or (lo is not None and hi is not None and lo <= 0 <= hi):
        return "no clear change"
    if welcome == 0:
        return "neutral"
    return "welcome" if diff * welcome > 0 else "unwelcome"


def _change(name: str, new: np.ndarray, old: np.ndarray, new_tot: np.ndarray, old_tot: np.ndarray,
            persons_per_agent: float, welcome: int) -> Change:
    """The paired change new - old of one outcome (series (R, weeks, O), totals (R, O))."""
    j = OUTCOME_INDEX[name]
    unit = UNIT_OF[name]
    d, dlo, dhi = (_num(v) for v in mean_ci(new_tot[:, j] - old_tot[:, j]))
    ref = _num(np.nanmean(old_tot[:, j])) if np.isfinite(old_tot[:, j]).any() else None
    scale = 100.0 / abs(ref) if ref else None
    pct, pct_lo, pct_hi = ((v * scale if v is not None and scale else None) for v in (d, dlo, dhi))
    agents = _fewest(name, persons_per_agent, new, old)
    too_few = agents is not None and agents < MIN_AGENTS
    identical = bool(np.array_equal(new[..., j], old[..., j], equal_nan=True))
    v = verdict(d, dlo, dhi, welcome, identical=identical, too_few=too_few)
    if identical:
        text = "no change"
    elif d is None:
        text = "n/a"
    else:
        share = percent(pct) if pct is not None else ("from none" if ref == 0 else "n/a")
        text = f"{_signed(d, unit)} ({share})"
    return Change(diff=d, lo=dlo, hi=dhi, pct=pct, pct_lo=pct_lo, pct_hi=pct_hi, agents=agents, too_few=too_few,
                  verdict=v, text=text, interval_text=_SAME if identical else _interval_text(dlo, dhi, unit))


def _mean(totals: np.ndarray, name: str) -> float | None:
    col = totals[:, OUTCOME_INDEX[name]]
    return _num(np.nanmean(col)) if np.isfinite(col).any() else None


# ---------------------------------------------------------------------- the views


def outcome_rows(results: Results, upto_week: int | None = None) -> list[Row]:
    """The outcome panel: every headline, totals over weeks [0, upto_week) (the whole horizon by
    default), scenario against baseline paired by replicate; [] before the first replicate."""
    s, b = _window(results, "scenario", upto_week), _window(results, "baseline", upto_week)
    if len(s) == 0:
        return []
    st, bt = _totals(s), _totals(b)
    rows = []
    for h in HEADLINES:
        c = _change(h.name, s, b, st, bt, results.persons_per_agent, h.welcome)
        unit = UNIT_OF[h.name]
        base, scen = _mean(bt, h.name), _mean(st, h.name)
        rows.append(Row(name=h.name, words=h.words, unit=unit, welcome=h.welcome, replicates=len(s),
                        baseline=base, scenario=scen, diff=c.diff, diff_lo=c.lo, diff_hi=c.hi, pct=c.pct,
                        pct_lo=c.pct_lo, pct_hi=c.pct_hi, agents=c.agents, too_few=c.too_few, verdict=c.verdict,
                        baseline_text=_total_text(base, unit), scenario_text=_total_text(scen, unit),
                        diff_text=c.text, interval_text=c.interval_text, note=_note(c.agents, c.too_few)))
    return rows


def trade_off(results: Results, upto_week: int | None = None) -> list[TradeOff]:
    """The five TRADE_OFF outcomes in percent against the baseline, for a side-by-side bar chart."""
    rows = {r.name: r for r in outcome_rows(results, upto_week)}
    if not rows:
        return []
    out = []
    for name in TRADE_OFF:
        r = rows[name]
        pct_text = "no change" if r.verdict == "no change" else (percent(r.pct) if r.pct is not None else "n/a")
        out.append(TradeOff(name=name, words=r.words, welcome=r.welcome, pct=r.pct, pct_lo=r.pct_lo, pct_hi=r.pct_hi,
                            agents=r.agents, too_few=r.too_few, verdict=r.verdict, pct_text=pct_text,
                            interval_text=_pct_interval_text(r)))
    return out


def _check_same_baseline(a: Results, b: Results, n: int) -> None:
    """A and B must be paired with the same baseline runs: same horizon, population and seeds."""
    for what in ("start", "weeks", "agents", "persons_per_agent"):
        if getattr(a, what) != getattr(b, what):
            raise ValueError(f"packages A and B differ in {what}: {getattr(a, what)!r} and {getattr(b, what)!r}")
    seeds = [tuple(r.seed for r in runs[:n]) for runs in (a.baseline, b.baseline, a.scenario, b.scenario)]
    if len(set(seeds)) != 1:
        raise ValueError(f"packages A and B are not paired by seed: baseline seeds {seeds[0]} and {seeds[1]}, "
                         f"package seeds {seeds[2]} and {seeds[3]}")


def packages(a: Results, b: Results, upto_week: int | None = None) -> list[PackageRow]:
    """Package A against package B against the baseline, every headline, paired by seed over the
    replicates both have; ValueError if the two are not run against the same baseline seeds."""
    n = min(a.replicates, b.replicates)
    _check_same_baseline(a, b, n)
    if n == 0:
        return []
    base = _window(a, "baseline", upto_week)[:n]
    sa, sb = _window(a, "scenario", upto_week)[:n], _window(b, "scenario", upto_week)[:n]
    bt, at, btt = _totals(base), _totals(sa), _totals(sb)
    ppa = a.persons_per_agent
    rows = []
    for h in HEADLINES:
        unit = UNIT_OF[h.name]
        mb, ma, mbb = _mean(bt, h.name), _mean(at, h.name), _mean(btt, h.name)
        rows.append(PackageRow(name=h.name, words=h.words, unit=unit, welcome=h.welcome, replicates=n,
                               baseline=mb, a=ma, b=mbb, baseline_text=_total_text(mb, unit),
                               a_text=_total_text(ma, unit), b_text=_total_text(mbb, unit),
                               a_vs_baseline=_change(h.name, sa, base, at, bt, ppa, h.welcome),
                               b_vs_baseline=_change(h.name, sb, base, btt, bt, ppa, h.welcome),
                               b_vs_a=_change(h.name, sb, sa, btt, at, ppa, h.welcome)))
    return rows
