"""No import cycle among the modules of bp_sim, counting every import the code can execute.

The graph is read from the source (no import runs): one edge from a module to each bp_sim
module it imports, at module level or inside a function, so a function-local import cannot
hide a cycle. `from bp_sim.x import y` points at `bp_sim.x.y` when that is a module, else at
`bp_sim.x`. Imports under `if TYPE_CHECKING:` are left out: they are never executed (they name
types for annotations only).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src"

# The package's layers, bottom up (docs/architecture.md, "Imports"): a module imports only from its
# own layer and the ones below. Named by the first part after `bp_sim.` (a subpackage is one name).
LAYERS = (
    ("_numba_cache", "errors", "checks", "states", "rng", "jit", "userfiles", "stats", "atomic", "memory", "stopping"),
    ("network", "parameters", "settings", "policy", "world", "tally"),
    ("levers",),
    ("scenario",),
    ("build", "policy_build", "population", "mechanisms", "kernel", "outcomes", "targets", "invariants"),
    ("phases", "validate"),
    ("model",),
    ("reference", "engines", "warmup", "plots", "procpool", "regression"),
    ("runner", "compare", "sweep", "calibration", "validation", "dashboard", "reports", "cli"),
)


def _modules() -> dict[str, Path]:
    out = {}
    for f in (SRC / "bp_sim").rglob("*.py"):
        parts = list(f.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement outside `if TYPE_CHECKING:` blocks."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> nx.DiGraph:
    mods = _modules()
    graph = nx.DiGraph()
    for name, file in mods.items():
        graph.add_node(name)
        package = name if file.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                if target in mods and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_graph_sees_the_imports_it_should() -> None:
    """The reader finds module-level, function-local and relative-free `from` imports (a graph
    without edges would pass the cycle test for nothing)."""
    graph = import_graph()
    assert graph.number_of_nodes() > 80
    assert graph.has_edge("bp_sim.model", "bp_sim.kernel")  # module level
    assert graph.has_edge("bp_sim.engines", "bp_sim.reference")  # inside a function
    assert graph.has_edge("bp_sim.model", "bp_sim.tally")  # `from bp_sim import tally as T`
    assert not graph.has_edge("bp_sim.reference.migrant", "bp_sim.reference.model")  # under TYPE_CHECKING


def test_no_import_cycle_among_bp_sim_modules() -> None:
    graph = import_graph()
    cycles = sorted((c for c in nx.simple_cycles(graph)), key=len)
    shown = "\n".join(" -> ".join([*c, c[0]]) for c in cycles[:10])
    assert not cycles, f"{len(cycles)} import cycles among bp_sim modules, shortest first:\n{shown}"


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return next((k for k, names in enumerate(LAYERS) if len(parts) > 1 and parts[1] in names), None)


def test_every_module_has_a_layer_and_imports_only_downwards() -> None:
    graph = import_graph()
    unplaced = sorted(m for m in graph.nodes if m != "bp_sim" and _layer(m) is None)
    assert not unplaced, f"modules in no layer of LAYERS (add them where they belong): {unplaced}"
    upward = sorted(f"{a} -> {b}" for a, b in graph.edges if a != "bp_sim" and _layer(b) > _layer(a))
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_the_cycle_check_catches_a_cycle(tmp_path: Path) -> None:
    """The same reading on a two-module package with a function-local import back: one cycle."""
    pkg = tmp_path / "bp_sim"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from bp_sim import b\n")
    (pkg / "b.py").write_text("def f():\n    from bp_sim.a import thing\n    return thing\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        cycles = list(nx.simple_cycles(import_graph()))
    finally:
        SRC = saved
    assert sorted(cycles[0]) == ["bp_sim.a", "bp_sim.b"] and len(cycles) == 1
