import builtins
import io
import os
import shutil
from pathlib import Path

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


# ------------------------------------------------------------------ broken or odd files: one message naming the file
DATA_FILES = ("locations.csv", "routes.csv", "corridors.csv")


@pytest.mark.parametrize("name", DATA_FILES)
def test_empty_file_is_named(tmp_path, name):
    d = _copy_data(tmp_path)
    (d / name).write_bytes(b"")
    with pytest.raises(InputError, match=rf"data file {name}: got 'an empty file'; allowed: a header row"):
        load_network(d)


@pytest.mark.parametrize("name", DATA_FILES)
def test_header_only_file_is_refused(tmp_path, name):
    d = _copy_data(tmp_path)
    path = d / name
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match=rf"data file {name}: got 'a header and no data rows'; allowed: at least one"):
        load_network(d)


@pytest.mark.parametrize("name", DATA_FILES)
def test_folder_in_place_of_a_file_is_named(tmp_path, name):
    d = _copy_data(tmp_path)
    (d / name).unlink()
    (d / name).mkdir()
    with pytest.raises(InputError, match=rf"data file {name}: .*allowed: a CSV file \(this is a folder\)"):
        load_network(d)


def test_bytes_that_are_not_utf8_are_named(tmp_path):
    d = _copy_data(tmp_path)
    path = d / "routes.csv"
    path.write_bytes(path.read_bytes().replace(b"land", "länd".encode("latin-1"), 1))
    with pytest.raises(InputError, match=r"data file routes.csv: got 'not UTF-8 text \(byte \d+\)'; allowed: .*UTF-8"):
        load_network(d)


def test_unreadable_file_is_named(tmp_path, monkeypatch):
    d = _copy_data(tmp_path)
    real_open = io.open

    def refuse_locations(file, *args, **kwargs):
        if Path(str(file)).name == "locations.csv":
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    # chmod 000 does not stop root, so the refusal is simulated where any reader opens the file
    monkeypatch.setattr(builtins, "open", refuse_locations)
    monkeypatch.setattr(io, "open", refuse_locations)
    with pytest.raises(InputError, match="data file locations.csv: got 'unreadable: Permission denied'; allowed: a CSV"):
        load_network(d)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_file_without_read_permission_is_named(tmp_path):
    d = _copy_data(tmp_path)
    (d / "routes.csv").chmod(0)
    with pytest.raises(InputError, match="data file routes.csv: got 'unreadable: Permission denied'"):
        load_network(d)


@pytest.mark.parametrize("name", DATA_FILES)
def test_last_row_cut_short_is_refused(tmp_path, name):
    d = _copy_data(tmp_path)
    path = d / name
    lines = path.read_text().splitlines()
    lines[-1] = lines[-1][:12]  # a file cut off in its last line: pandas would fill the rest with blanks
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"{name} line {len(lines)}: got '\d fields'; allowed: \d+ fields, one per"):
        load_network(d)


def test_extra_field_in_the_first_row_is_refused(tmp_path):
    d = _copy_data(tmp_path)
    path = d / "corridors.csv"
    lines = path.read_text().splitlines()
    lines[1] = "XX," + lines[1]  # pandas would silently take the first column as an index
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"corridors.csv line 2: got '10 fields'; allowed: 9 fields"):
        load_network(d)


def test_unclosed_quote_is_refused(tmp_path):
    d = _copy_data(tmp_path)
    path = d / "corridors.csv"
    path.write_text(path.read_text() + 'UZB,DEU,1,2,3,"cut off\n')
    with pytest.raises(InputError, match=r"corridors.csv.*unreadable CSV.*quoted field|corridors.csv.*EOF inside"):
        load_network(d)


# ------------------------------------------------------------------ corridors: what the model assumes of each row
def _edit_corridors(d, fn):
    path = d / "corridors.csv"
    df = pd.read_csv(path, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def test_corridor_from_a_node_that_is_not_an_origin_is_refused(tmp_path):
    d = _copy_data(tmp_path)

    def from_turkey(df):
        df.loc[0, "origin"] = "TUR"  # would be placed as the last origin's diaspora (origin index -1)
        return df

    _edit_corridors(d, from_turkey)
    with pytest.raises(InputError, match=r"corridors.csv row 2 origin: got 'TUR'; allowed: an origin .*is_origin 1.*AFG"):
        load_network(d)


def test_corridor_to_a_node_that_is_not_a_destination_is_refused(tmp_path):
    d = _copy_data(tmp_path)

    def to_border(df):
        df.loc[3, "destination"] = "AFG_IRN_BORDER"
        return df

    _edit_corridors(d, to_border)
    with pytest.raises(InputError, match=r"corridors.csv row 5 destination: got 'AFG_IRN_BORDER'; allowed: a dest"):
        load_network(d)


def test_duplicate_corridor_is_refused(tmp_path):
    d = _copy_data(tmp_path)
    _edit_corridors(d, lambda df: pd.concat([df, df.iloc[[2]]], ignore_index=True))
    with pytest.raises(InputError, match=r"corridors.csv row 73: got 'AFG->TUR'; allowed: each corridor .* once"):
        load_network(d)


def test_origin_without_corridor_is_refused(tmp_path):
    d = _copy_data(tmp_path)
    _edit_corridors(d, lambda df: df[df.origin != "UZB"])  # e.g. the end of the file lost
    with pytest.raises(InputError, match=r"corridors.csv origin UZB: got 'no corridor row'; allowed: at least one row"):
        load_network(d)


@pytest.mark.parametrize(("col", "value"), [("stock_2015", -5), ("stock_2020", -5), ("stock_2020", ""),
                                            ("stock_2015", "many")])
def test_bad_stock_is_refused(tmp_path, col, value):
    d = _copy_data(tmp_path)

    def set_stock(df):
        df[col] = df[col].astype(object)
        df.loc[1, col] = value
        return df

    _edit_corridors(d, set_stock)
    with pytest.raises(InputError, match=rf"corridors.csv row 3 column {col}: got .*; allowed: a number in \[0, "):
        load_network(d)


def test_shipped_corridors_follow_the_rules(net):
    assert not net.corridors.duplicated(["origin", "destination"]).any()
    origins = set(net.nodes.node_id[net.nodes.is_origin == 1])
    assert set(net.corridors.origin) == origins
    assert net.corridors.stock_2020.notna().all() and (net.corridors.stock_2020 >= 0).all()
