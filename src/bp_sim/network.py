"""The Silk Routes network: load and validate the shipped CSVs, build the graph and CSR arrays.

`locations.csv` (nodes), `routes.csv` (directed legs) and `corridors.csv` (origin-destination
pairs: diaspora stocks, remittance costs) live in `bp_sim/data` with a source for every number.
Loading checks the graph and stops with one clear message on the first problem: an unknown
node, a negative distance, a flag outside 0/1, an origin that cannot reach any destination, a corridor
from a node that is not an origin or listed twice, a file that is empty, cut short or not UTF-8.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from bp_sim import checks
from bp_sim.errors import InputError

NODE_COLUMNS = (
    "node_id", "name", "iso3", "kind", "is_origin", "is_destination", "is_first_asylum", "in_eu",
    "asylum_system", "lat", "lon", "population", "gdp_pc_ppp_usd", "unemployment_pct",
    "conflict_intensity", "climate_exposure", "source", "confidence",
)
ROUTE_COLUMNS = (
    "source", "target", "distance_km", "mode", "crosses_border", "death_risk", "smuggling_fee_usd", "enforcement",
    "open_to_irregular", "route_group", "eu_external_entry", "frontex_route", "attempts_counted", "source_ref",
    "confidence",
)
CORRIDOR_COLUMNS = ("origin", "destination", "stock_2015", "stock_2020", "remittance_cost_pct")
FLAG_COLUMNS = ("is_origin", "is_destination", "is_first_asylum", "in_eu", "asylum_system")
MODES = ("land", "sea", "air")
FRONTEX_CODES = {"": 0, "EMR": 1, "WBR": 2, "CMR": 3, "EBR": 4}
# How a place of each scope is named (in scenario files, events and levers' `where`).
PLACE_FORMS = {"node": "a node id of locations.csv", "origin": "an origin node id",
               "edge": "'SRC->DST' naming a leg of routes.csv", "corridor": "'ORIGIN->DESTINATION' of corridors.csv"}


def default_data_dir() -> Path:
    return Path(str(resources.files("bp_sim") / "data"))


@dataclass
class Network:
    """Nodes, legs and corridors as tables, a networkx graph, and CSR arrays for the kernels."""

    nodes: pd.DataFrame
    routes: pd.DataFrame  # sorted by (source index, target index): edge id = row number
    corridors: pd.DataFrame
    graph: nx.DiGraph
    node_id: dict[str, int]
    indptr: np.ndarray  # CSR: legs out of node n are edges indptr[n] .. indptr[n+1]-1
    edge_src: np.ndarray
    edge_dst: np.ndarray
    origin_nodes: list[int] = field(default_factory=list)
    destination_nodes: list[int] = field(default_factory=list)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return len(self.routes)

    def edge_label(self, e: int) -> str:
        r = self.routes.iloc[e]
        return f"{r.source}->{r.target}"

    def edge_index(self, label: str, key: str = "route") -> int:
        """Edge id of 'SOURCE->TARGET' (an InputError under `key` if no such leg)."""
        try:
            src, dst = label.split("->")
            hits = np.flatnonzero((self.edge_src == self.node_id[src]) & (self.edge_dst == self.node_id[dst]))
        except (AttributeError, ValueError, KeyError):
            hits = []
        if len(hits) != 1:
            raise InputError(key, label, PLACE_FORMS["edge"])
        return int(hits[0])

    @cached_property
    def origin_index(self) -> dict[str, int]:
        """Origin node id -> its index among the origins (the row of origin and corridor arrays)."""
        return {self.nodes.node_id.iloc[o]: k for k, o in enumerate(self.origin_nodes)}

    @cached_property
    def europe(self) -> np.ndarray:
        """Per node: EU territory or the UK (the regular pathways to Europe)."""
        return (self.nodes.in_eu.to_numpy() == 1) | (self.nodes.iso3.to_numpy() == "GBR")

    def place_names(self, scope: str) -> set[str]:
        """The names a place of `scope` (node, origin, edge, corridor) may be given by."""
        if scope == "node":
            return set(self.node_id)
        if scope == "origin":
            return set(self.origin_index)
        if scope == "edge":
            return {f"{r.source}->{r.target}" for r in self.routes.itertuples(index=False)}
        if scope == "corridor":
            return {f"{r.origin}->{r.destination}" for r in self.corridors.itertuples(index=False)}
        raise ValueError(f"unknown scope {scope!r}")

    def index_of(self, scope: str, place: str, key: str | None = None) -> int | tuple[int, int]:
        """Where a named place sits in its scope's arrays: a node id, an origin's index, an edge
        id, or a corridor's (origin index, node id). An unknown name is an InputError under `key`
        (default: the scope's table name in scenario files)."""
        where = key or {"node": "nodes", "origin": "origins", "edge": "routes", "corridor": "corridors"}[scope]
        if scope == "edge":
            return self.edge_index(place, where)
        if scope == "corridor":
            o, _, d = place.partition("->") if isinstance(place, str) else ("", "", "")
            if o not in self.origin_index or d not in self.node_id:
                raise InputError(where, place, "'ORIGIN->DESTINATION' with an origin and a node id")
            return (self.origin_index[o], self.node_id[d])
        table = self.origin_index if scope == "origin" else self.node_id
        if place not in table:
            allowed = ("an origin: " + ", ".join(self.origin_index)) if scope == "origin" else PLACE_FORMS["node"]
            raise InputError(where, place, allowed)
        return table[place]


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """The table in `path`, or an InputError naming the file: missing, a folder, unreadable, not
    UTF-8, empty, header only, a row with more or fewer fields than the header, a column missing."""
    name = f"data file {path.name}"
    if path.is_dir():
        raise InputError(name, str(path), "a CSV file (this is a folder)")
    if not path.is_file():
        raise InputError("data file", str(path), "an existing CSV file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(name, f"unreadable: {exc.strerror or exc}", "a CSV file this user may read") from exc
    except UnicodeDecodeError as exc:
        raise InputError(name, f"not UTF-8 text (byte {exc.start})", "a CSV file in UTF-8") from exc
    if not text.strip():
        raise InputError(name, "an empty file", f"a header row ({', '.join(required)}, ...) and data rows")
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        width = len(next(reader))
        for record in reader:
            # pandas fills a short row with blanks and takes a long first row's extra field as an index
            if record and len(record) != width:
                raise InputError(f"{path.name} line {reader.line_num}", f"{len(record)} fields",
                                 f"{width} fields, one per column of the header (a row cut short, or a stray comma?)")
    except csv.Error as exc:
        raise InputError(f"{path.name} line {reader.line_num}", f"unreadable CSV ({exc})",
                         "a valid CSV (every quoted field closed)") from exc
    try:
        df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(name, "unreadable CSV", f"a valid CSV ({exc})") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"{path.name} columns", missing, f"all of {list(required)}")
    if df.empty:
        raise InputError(name, "a header and no data rows", "at least one data row")
    return df


def _check_numeric(df: pd.DataFrame, name: str, col: str, lo: float, hi: float, allow_blank=False):
    """Every value of a column a number in [lo, hi] (`checks.number`; blanks allowed when asked)."""
    values = pd.to_numeric(df[col], errors="coerce")
    for k, (raw, v) in enumerate(zip(df[col], values, strict=True)):
        if pd.isna(v) and allow_blank and (raw is None or (isinstance(raw, float) and np.isnan(raw))):
            continue
        checks.number(f"{name} row {k + 2} column {col}", raw if pd.isna(v) else float(v), lo, hi)
    df[col] = values


def _check_corridors(nodes: pd.DataFrame, corridors: pd.DataFrame) -> None:
    """Each row one (origin, destination) pair: an origin node to a different destination node,
    listed once, with a 2020 stock; every origin in at least one row (a file cut short loses some).

    The model places each row's 2020 stock as that origin's diaspora at the destination and derives
    regular admissions from the 2015-2020 growth, so a row from a node that is not an origin, or to one
    that is not a destination, would be counted against another origin or destination (index -1).
    """
    origins = list(nodes.node_id[nodes.is_origin == 1])
    destinations = set(nodes.node_id[nodes.is_destination == 1])
    for k, row in enumerate(corridors.itertuples(index=False)):
        if row.origin not in origins:
            raise InputError(f"corridors.csv row {k + 2} origin", row.origin,
                             "an origin of locations.csv (is_origin 1): " + ", ".join(origins))
        if row.destination not in destinations or row.destination == row.origin:
            raise InputError(f"corridors.csv row {k + 2} destination", row.destination,
                             "a destination of locations.csv (is_destination 1) other than the origin")
    dup = corridors.duplicated(["origin", "destination"])
    if dup.any():
        k = int(np.flatnonzero(dup)[0])
        raise InputError(f"corridors.csv row {k + 2}", f"{corridors.origin[k]}->{corridors.destination[k]}",
                         "each corridor (origin, destination) listed once")
    _check_numeric(corridors, "corridors.csv", "stock_2020", 0, 1e9)
    _check_numeric(corridors, "corridors.csv", "stock_2015", 0, 1e9, allow_blank=True)
    _check_numeric(corridors, "corridors.csv", "remittance_cost_pct", 0, 100, allow_blank=True)
    listed = set(corridors.origin)
    for o in origins:
        if o not in listed:
            raise InputError(f"corridors.csv origin {o}", "no corridor row",
                             "at least one row for every origin of locations.csv (is the file cut short?)")


def load_network(data_dir: str | Path | None = None) -> Network:
    """Read, validate and compile the network in `data_dir` (default: the shipped data)."""
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    nodes = _read_csv(base / "locations.csv", NODE_COLUMNS)
    routes = _read_csv(base / "routes.csv", ROUTE_COLUMNS)
    corridors = _read_csv(base / "corridors.csv", CORRIDOR_COLUMNS)

    dup = nodes.node_id[nodes.node_id.duplicated()]
    if len(dup):
        raise InputError("locations.csv node_id", dup.iloc[0], "unique node ids")
    for col in FLAG_COLUMNS:
        _check_numeric(nodes, "locations.csv", col, 0, 1)
        if not nodes[col].isin([0, 1]).all():
            bad = nodes[col][~nodes[col].isin([0, 1])].iloc[0]
            raise InputError(f"locations.csv column {col}", bad, "0 or 1")
        nodes[col] = nodes[col].astype(np.int64)
    _check_numeric(nodes, "locations.csv", "lat", -90, 90)
    _check_numeric(nodes, "locations.csv", "lon", -180, 180)
    _check_numeric(nodes, "locations.csv", "gdp_pc_ppp_usd", 1, 1e6)
    _check_numeric(nodes, "locations.csv", "unemployment_pct", 0, 100)
    _check_numeric(nodes, "locations.csv", "conflict_intensity", 0, 1)
    _check_numeric(nodes, "locations.csv", "climate_exposure", 0, 1)
    _check_numeric(nodes, "locations.csv", "population", 0, 2e9, allow_blank=True)
    for k, row in nodes.iterrows():
        if row.is_origin and not row.population > 0:
            raise InputError(f"locations.csv row {k + 2} population ({row.node_id})", row.population,
                             "a positive number of persons for an origin")
    node_id = {nid: k for k, nid in enumerate(nodes.node_id)}

    for col in ("source", "target"):
        for k, nid in enumerate(routes[col]):
            if nid not in node_id:
                raise InputError(f"routes.csv row {k + 2} {col}", nid, "a node_id of locations.csv")
    _check_numeric(routes, "routes.csv", "distance_km", 0, 30000)
    for k, m in enumerate(routes["mode"]):
        if m not in MODES:
            raise InputError(f"routes.csv row {k + 2} mode", m, "one of " + ", ".join(MODES))
    for col in ("crosses_border", "eu_external_entry", "open_to_irregular", "attempts_counted"):
        _check_numeric(routes, "routes.csv", col, 0, 1)
        routes[col] = routes[col].astype(np.int64)
    _check_numeric(routes, "routes.csv", "death_risk", 0, 1)
    _check_numeric(routes, "routes.csv", "enforcement", 0, 1)
    routes["smuggling_fee_usd"] = routes["smuggling_fee_usd"].fillna(0.0)
    _check_numeric(routes, "routes.csv", "smuggling_fee_usd", 0, 1e6)
    routes["frontex_route"] = routes["frontex_route"].fillna("").astype(str)
    for k, f in enumerate(routes.frontex_route):
        if f not in FRONTEX_CODES:
            raise InputError(f"routes.csv row {k + 2} frontex_route", f, "blank or one of EMR, WBR, CMR, EBR")
    for k, (f, counted) in enumerate(zip(routes.frontex_route, routes.attempts_counted, strict=True)):
        if counted and not f:
            raise InputError(f"routes.csv row {k + 2} attempts_counted", counted,
                             "0 on a leg no Frontex route counts (frontex_route blank)")
    routes["src_i"] = routes.source.map(node_id).astype(np.int64)
    routes["dst_i"] = routes.target.map(node_id).astype(np.int64)
    if (routes.src_i == routes.dst_i).any():
        k = int(np.flatnonzero(routes.src_i == routes.dst_i)[0])
        raise InputError(f"routes.csv row {k + 2}", f"{routes.source[k]}->{routes.target[k]}", "a leg between two different nodes")
    routes = routes.sort_values(["src_i", "dst_i"], kind="stable").reset_index(drop=True)
    if routes.duplicated(["src_i", "dst_i"]).any():
        k = int(np.flatnonzero(routes.duplicated(["src_i", "dst_i"]))[0])
        raise InputError("routes.csv leg", f"{routes.source[k]}->{routes.target[k]}", "each leg listed once")

    for col in ("origin", "destination"):
        for k, nid in enumerate(corridors[col]):
            if nid not in node_id:
                raise InputError(f"corridors.csv row {k + 2} {col}", nid, "a node_id of locations.csv")
    _check_corridors(nodes, corridors)

    graph = nx.DiGraph()
    for row in nodes.itertuples(index=False):
        graph.add_node(row.node_id, **row._asdict())
    for row in routes.itertuples(index=False):
        graph.add_edge(row.source, row.target, **row._asdict())

    origin_nodes = [int(k) for k in np.flatnonzero(nodes.is_origin.to_numpy())]
    destination_nodes = [int(k) for k in np.flatnonzero(nodes.is_destination.to_numpy())]
    if not origin_nodes:
        raise InputError("locations.csv is_origin", 0, "at least one origin")
    dest_names = {nodes.node_id.iloc[d] for d in destination_nodes}
    for o in origin_nodes:
        name = nodes.node_id.iloc[o]
        reach = nx.descendants(graph, name)
        if not (reach & (dest_names - {name})):
            raise InputError(f"network: origin {name}", "no path to any destination",
                             "every origin connected by routes to at least one destination")

    n = len(nodes)
    edge_src = routes.src_i.to_numpy(np.int64)
    edge_dst = routes.dst_i.to_numpy(np.int64)
    indptr = np.zeros(n + 1, np.int64)
    np.add.at(indptr, edge_src + 1, 1)
    indptr = np.cumsum(indptr)
    return Network(nodes, routes, corridors, graph, node_id, indptr, edge_src, edge_dst,
                   origin_nodes, destination_nodes)
