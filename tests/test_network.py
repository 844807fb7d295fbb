import shutil

import pandas as pd
import pytest

from bp_sim.errors import InputError
from bp_sim.network import default_data_dir, load_network

REQUIRED = {"AFG", "PAK", "BGD", "IRN", "IRQ", "TJK", "UZB", "AFG_IRN_BORDER", "AFG_PAK_BORDER",
            "IRN_TUR_BORDER", "TUR", "TUR_AEGEAN", "GRC_ISLANDS", "GRC_EVROS", "GRC", "MKD", "SRB",
            "HUN_ENTRY", "HRV_ENTRY", "BLR", "DEU", "AUT", "FRA", "ITA", "SWE", "GBR", "SAU", "ARE",
            "QAT", "RUS", "IND"}


def test_shipped_network_is_complete(net):
    assert len(net.nodes) >= 35
    assert set(net.nodes.node_id) >= REQUIRED
    assert net.graph.number_of_nodes() == len(net.nodes)
    assert net.graph.number_of_edges() == len(net.routes)
    # CSR: edges out of each node are contiguous and sorted by source.
    for n in range(net.n_nodes):
        assert (net.edge_src[net.indptr[n]:net.indptr[n + 1]] == n).all()
    sea = net.routes[net.routes["mode"] == "sea"]
    land = net.routes[(net.routes["mode"] == "land") & (net.routes.crosses_border == 1)]
    assert sea.death_risk.max() > land.death_risk.max()
    for col in ("source_ref", "confidence"):
        assert (net.routes[col].astype(str).str.len() > 0).all()
    assert (net.nodes.source.astype(str).str.len() > 0).all()


def _copy_data(tmp_path):
    d = tmp_path / "data"
    shutil.copytree(default_data_dir(), d)
    return d


def _edit(path, fn):
    df = pd.read_csv(path, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)


def test_unknown_node_in_routes_is_named(tmp_path):
    d = _copy_data(tmp_path)
    _edit(d / "routes.csv", lambda df: df.__setitem__("target", df.target.where(df.index != 3, "ATLANTIS")))
    with pytest.raises(InputError, match="routes.csv row 5 target.*ATLANTIS.*node_id"):
        load_network(d)


def test_negative_distance_is_rejected(tmp_path):
    d = _copy_data(tmp_path)
    _edit(d / "routes.csv", lambda df: df.__setitem__("distance_km", df.distance_km.where(df.index != 0, -5)))
    with pytest.raises(InputError, match="distance_km.*-5"):
        load_network(d)


def test_origin_without_path_to_destination_is_rejected(tmp_path):
    d = _copy_data(tmp_path)

    path = d / "routes.csv"
    df = pd.read_csv(path, keep_default_na=False)
    df[df.source != "TJK"].to_csv(path, index=False)
    with pytest.raises(InputError, match="origin TJK.*no path"):
        load_network(d)


def test_missing_file_is_named(tmp_path):
    d = _copy_data(tmp_path)
    (d / "corridors.csv").unlink()
    with pytest.raises(InputError, match="corridors.csv"):
        load_network(d)
