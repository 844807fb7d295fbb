"""A sweep folder's files: a damaged sweep.json stops `bp-sim sweep` with one line naming it; a
damaged result file is set aside on resume and run again."""

from __future__ import annotations

import pytest

from bp_sim.cli import main
from bp_sim.errors import InputError
from bp_sim.sweep.store import Store

from .conftest import write_experiment


@pytest.mark.parametrize(("content", "words"), [
    (b"", "got 'an empty file'"),
    (b"\xff\xfe\x00garbage", "got 'binary data, not text'"),
    (b"{not json}", "got 'not JSON (Expecting property name enclosed in double quotes, line 1)'"),
    (b"[]", "got 'a JSON list, not an object'"),
    (b"null", "got 'a JSON NoneType, not an object'"),
])
def test_sweep_into_a_folder_with_a_damaged_sweep_json_is_refused(tmp_path, capsys, content, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.json").write_bytes(content)
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'sweep.json'}: {words}; allowed: the JSON object that bp-sim sweep writes" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (out / "results").exists()  # refused before the folder was touched
    assert (out / "sweep.json").read_bytes() == content


def test_sweep_into_a_folder_whose_sweep_json_is_a_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "sweep.json").mkdir(parents=True)
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'sweep.json'}: got 'a folder'" in err and "Traceback" not in err


def test_read_meta_of_a_new_folder_is_none(tmp_path):
    assert Store(tmp_path / "new").read_meta() is None
    (tmp_path / "sweep.json").write_text('{"runs": 2}')
    assert Store(tmp_path).read_meta() == {"runs": 2}


def test_finished_sets_aside_a_result_file_that_is_not_parquet(tmp_path, capsys):
    store = Store(tmp_path)
    store.results.mkdir()
    bad = store.results / "r1.parquet"
    bad.write_bytes(b"not parquet")
    assert store.finished(3) == set()
    assert not bad.exists() and (store.results / ".r1.parquet.unreadable").read_bytes() == b"not parquet"
    assert "set aside" in capsys.readouterr().err
    assert store.read_results().empty  # the set-aside file is hidden from readers


def test_read_results_names_a_file_that_is_not_parquet(tmp_path):
    store = Store(tmp_path)
    store.results.mkdir()
    (store.results / "r1.parquet").write_bytes(b"")
    with pytest.raises(InputError, match=r"r1.parquet: got 'not a readable Parquet file'; allowed: .*remove it"):
        store.read_results()
