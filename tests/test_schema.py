"""Every name the model declares is used: World fields, counter slots, decision ids, parameters,
settings and base arrays.

Read from the source (nothing is run), like `test_import_cycles`:

- a World field (`world.WORLD_FIELDS`) must be read by a rule, a weekly update or the
  initialisation (`RULE_FILES`, both engines): `w.FIELD` / `world.FIELD` / `model.world.FIELD` /
  `wk.w.FIELD` used as a value. Writing one (`w.FIELD[...] = ...`, `+=`, `settings.write_into_world`)
  is not a read, so a field only built (`build.py`) or only written is unused. A field passed to a
  function counts as read (the reader cannot tell an output argument from an input);
- a counter (the `I_*`, `M_*`, `E_*` slots and the arrays of `tally.Tally`) must be named by an
  outcome or another consumer of the week's tallies (`COUNTER_CONSUMERS`);
- a decision id (`states.D_*`) must be drawn (named in the arguments of a `uniform`, `normal`,
  `binomial` or `gumbel` call anywhere in the package) or listed in `states.RESERVED_DECISIONS`, and
  a reserved id must not be drawn;
- a parameter of `data/parameters.csv` must be read somewhere in the package (`p.NAME`,
  `getattr(p, "NAME")`), be the default of a setting (`param:NAME` in `settings.csv`) or be the field
  a lever of `levers.csv` moves;
- a setting of `data/settings.csv` must be consumed: the World field of a `world`/`world:FIELD` row
  read as above, an `argument:MECHANISM` row read by that mechanism's adapter
  (`mechanisms/MECHANISM.py`: `node["NAME"]`, `edge["NAME"]`, `origin["NAME"]`, `corridor["NAME"]`
  or `in_force[...]["NAME"]`);
- a base array of `build.build_world` must be read (`model.base["NAME"]`) or be the `data` default of
  a setting of that name (`settings.base_values` reads it from the base arrays).

A name kept on purpose although unused goes in that check's allow-list, with the reason. Each check
is also run on a small made-up source or table with one unused name, to show it can fail.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from bp_sim.tally import Tally
from bp_sim.world import WORLD_FIELDS

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "bp_sim"
DATA = PACKAGE / "data"

# Where World fields are read: the engine's rules and weekly updates, its twin's rules, and the
# initialisation (`population.initial_population` draws each person's household from
# `remit_households`). settings.py only writes the World (`write_into_world`).
RULE_FILES = ("mechanisms/*.py", "kernel.py", "phases.py", "settings.py", "population.py", "reference/*.py")
# Who reads the week's tallies: the outcomes (`weekly_outcomes`, `Recorder`: `Recorder.record` keeps
# the returns by origin and host), the edge-flow writer (`runner.edge_flows` writes `Recorder.edges`
# by E_* slot), the model (`model.add_dead` adds the week's dead by origin and place to the stock of
# the dead), and the adapters that read last week's (quotas: applicants, queue, remittances,
# refugees; smuggling: demand; diasporas: stock) or this week's (attitudes: arrivals, stock) tallies.
COUNTER_CONSUMERS = ("outcomes.py", "runner.py", "model.py", "mechanisms/quotas.py", "mechanisms/smuggling.py",
                     "mechanisms/diasporas.py", "mechanisms/attitudes.py")
# rng.uniform, rng.normal, rng.binomial (counts within a row or cohort: D_DEATH, D_IDENTIFY_BODY,
# the cohorts' D_ASPIRE ...), mechanisms.common.gumbel
DRAW_FUNCTIONS = ("uniform", "normal", "binomial", "gumbel")
SLOT = re.compile(r"[IME]_[A-Z0-9_]+")
DECISION = re.compile(r"D_[A-Z0-9_]+")

# Allow-lists: name -> why it is kept although the check finds it unused. Empty: nothing is.
ALLOWED_WORLD_FIELDS: dict[str, str] = {}
ALLOWED_COUNTERS: dict[str, str] = {}
ALLOWED_PARAMETERS: dict[str, str] = {}
ALLOWED_SETTINGS: dict[str, str] = {}
ALLOWED_BASE_ARRAYS: dict[str, str] = {}


# ------------------------------------------------------------------ reading the source
def trees(*patterns: str) -> dict[str, ast.Module]:
    """The parsed modules matching the patterns (relative to src/bp_sim), by relative path."""
    out = {}
    for pattern in patterns:
        for f in sorted(PACKAGE.glob(pattern)):
            out[f.relative_to(PACKAGE).as_posix()] = ast.parse(f.read_text(encoding="utf-8"), str(f))
    assert out, f"no source files match {patterns}"
    return out


def parse(source: str) -> dict[str, ast.Module]:
    """A made-up module, for the tests that show a check can fail."""
    return {"made_up.py": ast.parse(source)}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _walk(modules: Mapping[str, ast.Module]) -> Iterable[ast.AST]:
    for tree in modules.values():
        yield from ast.walk(tree)


def _named(node: ast.AST) -> str | None:
    """The name a Name or an Attribute ends in (`x` for `x`, `b` for `a.b`)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _written(modules: Mapping[str, ast.Module]) -> set[int]:
    """ids of the `x.f` nodes that are written through a subscript: `x.f[...] = ...`, `x.f[...] += ...`."""
    out: set[int] = set()
    for node in _walk(modules):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for part in ast.walk(target):
                    if isinstance(part, ast.Subscript) and isinstance(part.ctx, ast.Store):
                        inner = part.value
                        while isinstance(inner, ast.Subscript):
                            inner = inner.value
                        out.add(id(inner))
    return out


def _is_world(node: ast.AST) -> bool:
    """`w`, `world`, `model.world`, `wk.w`: what the rules and adapters call the World."""
    return _named(node) in ("w", "world")


def world_reads(modules: Mapping[str, ast.Module]) -> set[str]:
    """World fields read as a value (`w.FIELD`, `model.world.FIELD`), not only written into."""
    written = _written(modules)
    return {node.attr for node in _walk(modules)
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and _is_world(node.value)
            and id(node) not in written}


def names_used(modules: Mapping[str, ast.Module]) -> set[str]:
    """Every name and attribute named as a value (`I_X`, `T.I_X`, `tot.stock`)."""
    return {_named(node) for node in _walk(modules)
            if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load)}


def drawn_decisions(modules: Mapping[str, ast.Module]) -> set[str]:
    """Decision ids named in the arguments of a random draw (`uniform(seed, i, t, D_X)`,
    `gumbel(seed, i, t, D_BASE + k)`)."""
    out = set()
    for node in _walk(modules):
        if isinstance(node, ast.Call) and _named(node.func) in DRAW_FUNCTIONS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                out |= {name for part in ast.walk(arg) if (name := _named(part)) and DECISION.fullmatch(name)}
    return out


def parameter_reads(modules: Mapping[str, ast.Module], settings_rows: Iterable[Mapping[str, str]],
                    lever_rows: Iterable[Mapping[str, str]]) -> set[str]:
    """Parameters read: `p.NAME`, `getattr(p, "NAME")`, a setting's default `param:NAME`, a lever's field."""
    out = {node.attr for node in _walk(modules) if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)}
    for node in _walk(modules):
        if (isinstance(node, ast.Call) and _named(node.func) == "getattr" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            out.add(node.args[1].value)
    out |= {row["default"].removeprefix("param:") for row in settings_rows if row["default"].startswith("param:")}
    out |= {row["field"] for row in lever_rows if row["scope"] == "param"}
    return out


def _key(node: ast.Subscript) -> str | None:
    s = node.slice
    return s.value if isinstance(s, ast.Constant) and isinstance(s.value, str) else None


def adapter_setting_reads(module: ast.Module) -> set[str]:
    """Settings an adapter reads: `node["NAME"]` (edge, origin, corridor) or `in_force[...]["NAME"]`."""
    out = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and (key := _key(node)):
            holder = node.value
            if _named(holder) in ("node", "origin", "edge", "corridor") or (
                    isinstance(holder, ast.Subscript) and _named(holder.value) == "in_force"):
                out.add(key)
    return out


def base_reads(modules: Mapping[str, ast.Module]) -> set[str]:
    """Base arrays read: `model.base["NAME"]`, `base["NAME"]`."""
    return {key for node in _walk(modules)
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _named(node.value) == "base"
            and (key := _key(node))}


def base_keys(build: ast.Module) -> list[str]:
    """The keys of the base-array dict `build_world` returns (`base = {...}`)."""
    for node in ast.walk(build):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                and any(_named(t) == "base" for t in node.targets)):
            return [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
    raise AssertionError("build_world has no `base = {...}`")


def module_constants(module: ast.Module, pattern: re.Pattern) -> list[str]:
    """Names assigned at module level that match `pattern` (`I_REGULAR_DEPARTURES = 0`)."""
    return [t.id for node in module.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name) and pattern.fullmatch(t.id)]


def reserved_decisions(states: ast.Module) -> list[str]:
    """The names listed in `RESERVED_DECISIONS = (D_A, D_B, ...)`."""
    for node in states.body:
        if isinstance(node, ast.Assign) and any(_named(t) == "RESERVED_DECISIONS" for t in node.targets):
            return [e.id for e in node.value.elts if isinstance(e, ast.Name)]
    raise AssertionError("states.py has no RESERVED_DECISIONS")


# ------------------------------------------------------------------ the checks
def unused_world_fields(fields: Iterable[str], rules: Mapping[str, ast.Module]) -> list[str]:
    return sorted(set(fields) - world_reads(rules))


def unused_counters(slots: Iterable[str], arrays: Iterable[str], consumers: Mapping[str, ast.Module]) -> list[str]:
    used = names_used(consumers)
    return sorted(set(slots) - used) + [f"Tally.{a}" for a in sorted(set(arrays) - used)]


def undrawn_decisions(ids: Iterable[str], reserved: Iterable[str], modules: Mapping[str, ast.Module]) -> list[str]:
    """Ids neither drawn nor reserved, then ids reserved yet drawn (marked so)."""
    drawn, reserved = drawn_decisions(modules), set(reserved)
    return sorted(set(ids) - drawn - reserved) + [f"{d} (reserved, yet drawn)" for d in sorted(drawn & reserved)]


def unused_parameters(names: Iterable[str], modules: Mapping[str, ast.Module], settings_rows: list[dict],
                      lever_rows: list[dict]) -> list[str]:
    return sorted(set(names) - parameter_reads(modules, settings_rows, lever_rows))


def unconsumed_settings(settings_rows: Iterable[Mapping[str, str]], rules: Mapping[str, ast.Module],
                        adapters: Mapping[str, ast.Module]) -> list[str]:
    """`scope.name (why)` for each setting nobody reads; `adapters` by mechanism name."""
    read = world_reads(rules)
    out = []
    for row in settings_rows:
        kind, _, target = row["reaches"].partition(":")
        label = f"{row['scope']}.{row['name']}"
        if kind == "world":
            field = target or row["name"]
            if field not in read:
                out.append(f"{label} (World field {field} read by no rule)")
        elif target not in adapters:
            out.append(f"{label} (no adapter mechanisms/{target}.py)")
        elif row["name"] not in adapter_setting_reads(adapters[target]):
            out.append(f"{label} (not read by mechanisms/{target}.py)")
    return out


def unused_base_arrays(keys: Iterable[str], modules: Mapping[str, ast.Module],
                       settings_rows: Iterable[Mapping[str, str]]) -> list[str]:
    data_defaults = {row["name"] for row in settings_rows if row["default"] == "data"}
    return sorted(set(keys) - base_reads(modules) - data_defaults)


def _unexcused(found: list[str], allowed: Mapping[str, str]) -> list[str]:
    return [name for name in found if name.split(" ")[0] not in allowed]


def _stale(found: list[str], allowed: Mapping[str, str], declared: Iterable[str]) -> list[str]:
    """Allow-list entries that are no longer declared, or no longer unused."""
    found_names = {name.split(" ")[0] for name in found}
    return sorted(name for name in allowed if name not in set(declared) or name not in found_names)


# ------------------------------------------------------------------ the package as it is
def _settings_rows() -> list[dict[str, str]]:
    return read_csv(DATA / "settings.csv")


def _adapters() -> dict[str, ast.Module]:
    return {Path(name).stem: tree for name, tree in trees("mechanisms/*.py").items()}


def test_the_readers_see_what_they_should() -> None:
    """On the real source, each reader finds uses it must find (a reader finding nothing would pass
    every check for nothing)."""
    rules = trees(*RULE_FILES)
    read = world_reads(rules)
    assert {"decide_prob", "edge_frontex", "remit_households", "origin_node"} <= read  # rule, phase, initialisation, adapter
    used = names_used(trees(*COUNTER_CONSUMERS))
    # outcome, edge-flow writer, adapters, the model's stock of the dead, the recorder's returns
    assert {"I_DECISIONS", "E_CROSSINGS", "demand", "applicants", "dead", "returns"} <= used
    drawn = drawn_decisions(trees("**/*.py"))
    assert {"D_ASPIRE", "D_CLIMATE", "D_DESTINATION_BASE", "D_INIT_SKILL", "D_COHORT_MOVER"} <= drawn
    assert {"D_DEATH", "D_IDENTIFY_BODY"} <= drawn  # binomial counts within a row
    assert "narrative_campaign" in adapter_setting_reads(_adapters()["attitudes"])
    assert "regular_slots" in base_reads(trees("**/*.py"))


def test_every_world_field_is_read_by_a_rule() -> None:
    found = unused_world_fields(WORLD_FIELDS, trees(*RULE_FILES))
    assert not _unexcused(found, ALLOWED_WORLD_FIELDS), (
        f"World fields read by no rule, weekly update or the initialisation: {_unexcused(found, ALLOWED_WORLD_FIELDS)}")
    assert not _stale(found, ALLOWED_WORLD_FIELDS, WORLD_FIELDS), "stale entries in ALLOWED_WORLD_FIELDS"


def test_every_counter_reaches_an_outcome() -> None:
    slots = module_constants(trees("tally.py")["tally.py"], SLOT)
    assert len(slots) > 30
    found = unused_counters(slots, Tally._fields, trees(*COUNTER_CONSUMERS))
    assert not _unexcused(found, ALLOWED_COUNTERS), (
        f"counters no outcome or other consumer reads: {_unexcused(found, ALLOWED_COUNTERS)}")
    assert not _stale(found, ALLOWED_COUNTERS, [*slots, *(f"Tally.{a}" for a in Tally._fields)]), (
        "stale entries in ALLOWED_COUNTERS")


def test_every_decision_id_is_drawn_or_reserved() -> None:
    states = trees("states.py")["states.py"]
    ids, reserved = module_constants(states, DECISION), reserved_decisions(states)
    assert len(ids) > 30 and set(reserved) <= set(ids)
    found = undrawn_decisions(ids, reserved, trees("**/*.py"))
    assert not found, f"decision ids never drawn and not in states.RESERVED_DECISIONS: {found}"


def test_every_parameter_is_read() -> None:
    names = [row["name"] for row in read_csv(DATA / "parameters.csv")]
    found = unused_parameters(names, trees("**/*.py"), _settings_rows(), read_csv(DATA / "levers.csv"))
    assert not _unexcused(found, ALLOWED_PARAMETERS), (
        f"parameters of parameters.csv read nowhere in src/bp_sim: {_unexcused(found, ALLOWED_PARAMETERS)}")
    assert not _stale(found, ALLOWED_PARAMETERS, names), "stale entries in ALLOWED_PARAMETERS"


def test_every_setting_is_consumed() -> None:
    rows = _settings_rows()
    found = unconsumed_settings(rows, trees(*RULE_FILES), _adapters())
    assert not _unexcused(found, ALLOWED_SETTINGS), f"settings.csv rows nobody reads: {_unexcused(found, ALLOWED_SETTINGS)}"
    labels = [f"{row['scope']}.{row['name']}" for row in rows]
    assert not _stale(found, ALLOWED_SETTINGS, labels), "stale entries in ALLOWED_SETTINGS"


def test_every_base_array_is_read() -> None:
    keys = base_keys(trees("build.py")["build.py"])
    assert "income_week" in keys
    found = unused_base_arrays(keys, trees("**/*.py"), _settings_rows())
    assert not _unexcused(found, ALLOWED_BASE_ARRAYS), (
        f"base arrays of build_world nobody reads: {_unexcused(found, ALLOWED_BASE_ARRAYS)}")
    assert not _stale(found, ALLOWED_BASE_ARRAYS, keys), "stale entries in ALLOWED_BASE_ARRAYS"


# ------------------------------------------------------------------ each check can fail
def test_the_world_check_reports_a_field_only_written() -> None:
    rules = parse(
        "def rule(pop, i, w, model, wk):\n"
        "    w.written[:] = 1.0\n"
        "    w.bumped[i] += 1\n"
        "    model.world.also_written[i, 0] = w.read_by_rule[i]\n"
        "    update(model.world.passed)\n"
        "    return wk.w.read_by_twin[0] + other.unrelated[0]\n"
    )
    fields = ("written", "bumped", "also_written", "read_by_rule", "passed", "read_by_twin", "unrelated")
    assert unused_world_fields(fields, rules) == ["also_written", "bumped", "unrelated", "written"]


def test_the_counter_check_reports_a_slot_and_an_array_nobody_reads() -> None:
    consumers = parse("row = tot.ints[T.I_SEEN] + ints[I_ALSO_SEEN] + tot.money[M_SEEN]\n")
    assert unused_counters(["I_SEEN", "I_ALSO_SEEN", "M_SEEN", "E_UNSEEN"], ["ints", "money", "claims"],
                           consumers) == ["E_UNSEEN", "Tally.claims"]


def test_the_decision_check_reports_an_id_never_drawn_and_a_reserved_one_drawn() -> None:
    modules = parse(
        "u = uniform(seed, i, t, D_DRAWN)\n"
        "g = gumbel(seed, i, t, S.D_BASE + k)\n"
        "z = normal(seed, i, 0, D_RESERVED_BUT_DRAWN)\n"
        "k = binomial(seed, key, t, D_COUNTED, n, prob)\n"
        "x = other(D_NOT_A_DRAW)\n"
    )
    ids = ["D_DRAWN", "D_BASE", "D_RESERVED", "D_RESERVED_BUT_DRAWN", "D_COUNTED", "D_NOT_A_DRAW"]
    assert undrawn_decisions(ids, ["D_RESERVED", "D_RESERVED_BUT_DRAWN"], modules) == [
        "D_NOT_A_DRAW", "D_RESERVED_BUT_DRAWN (reserved, yet drawn)"]


def test_the_parameter_check_reports_a_parameter_read_nowhere() -> None:
    modules = parse("h = p.read_as_attribute * getattr(params, 'read_by_getattr')\nnames = ('only_a_string',)\n")
    settings_rows = [{"scope": "node", "name": "x", "default": "param:default_x", "reaches": "world"}]
    lever_rows = [{"scope": "param", "field": "moved_by_lever"}, {"scope": "node", "field": "not_a_parameter"}]
    names = ["read_as_attribute", "read_by_getattr", "default_x", "moved_by_lever", "only_a_string", "not_a_parameter"]
    assert unused_parameters(names, modules, settings_rows, lever_rows) == ["not_a_parameter", "only_a_string"]


def test_the_setting_check_reports_settings_nobody_reads() -> None:
    rules = parse("def rule(w, i):\n    w.read_field[i] = w.kept[i]\n")
    adapters = {"quotas": ast.parse("def step(model):\n    f(model.in_force['node']['used'], corridor['also_used'])\n")}
    rows = [
        {"scope": "node", "name": "kept", "reaches": "world"},
        {"scope": "node", "name": "renamed", "reaches": "world:kept"},
        {"scope": "node", "name": "read_field", "reaches": "world"},  # only written
        {"scope": "node", "name": "used", "reaches": "argument:quotas"},
        {"scope": "corridor", "name": "also_used", "reaches": "argument:quotas"},
        {"scope": "node", "name": "ignored", "reaches": "argument:quotas"},
        {"scope": "edge", "name": "orphan", "reaches": "argument:nowhere"},
    ]
    assert unconsumed_settings(rows, rules, adapters) == [
        "node.read_field (World field read_field read by no rule)",
        "node.ignored (not read by mechanisms/quotas.py)",
        "edge.orphan (no adapter mechanisms/nowhere.py)",
    ]


def test_the_base_array_check_reports_an_array_nobody_reads() -> None:
    build = ast.parse("def build_world():\n    base = {'read': a, 'data_default': b, 'dead': c}\n    return base\n")
    keys = base_keys(build)
    modules = parse("x = model.base['read']\n")
    rows = [{"scope": "node", "name": "data_default", "default": "data", "reaches": "world"}]
    assert unused_base_arrays(keys, modules, rows) == ["dead"]


@pytest.mark.parametrize("allowed, found, declared, stale", [
    ({"kept": "why"}, ["kept"], ["kept"], []),
    ({"kept": "why"}, [], ["kept"], ["kept"]),  # used again: the entry must go
    ({"gone": "why"}, ["gone"], [], ["gone"]),  # no longer declared
])
def test_an_allow_list_entry_must_still_be_needed(allowed, found, declared, stale) -> None:
    assert _stale(found, allowed, declared) == stale
    assert _unexcused([*found, "other"], allowed) == ["other"]
