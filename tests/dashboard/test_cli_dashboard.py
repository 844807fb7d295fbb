"""`bp-sim dashboard`: bad options stop with one line and exit 2 before any server starts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace

import pytest

from bp_sim.cli import main


@pytest.mark.parametrize(("args", "words"), [(["--agents", "50"], "--agents: got 50"),
                                             (["--port", "70000"], "--port: got 70000"),
                                             (["--port", "x"], "argument --port"),
                                             (["--persons-per-mover", "0"], "--persons-per-mover: got 0"),
                                             (["--persons-per-agent-abroad", "0.5"],
                                              "--persons-per-agent-abroad: got 0.5")])
def test_bad_options_exit_2_with_one_line(args, words):
    r = subprocess.run([sys.executable, "-m", "bp_sim.cli", "dashboard", *args], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr and "Traceback" not in r.stderr


@pytest.fixture
def busy_port():
    """A port that another program (this test) listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture
def no_engine(monkeypatch):
    """Fail the test if the dashboard gets as far as configuring Solara or loading the engine."""
    from bp_sim.dashboard import server

    def must_not_run(*args, **kwargs):
        raise AssertionError("the address should have been refused before this")

    monkeypatch.setattr(server, "configure", must_not_run)
    monkeypatch.setattr(server, "warm_up", must_not_run)


def test_port_in_use_is_refused_before_the_engine_loads(busy_port, no_engine, capsys):
    assert main(["dashboard", "--port", str(busy_port)]) == 2
    err = capsys.readouterr().err
    assert f"--port: got {busy_port}; allowed: a port that no other program uses on 127.0.0.1" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("host", ["nosuch.invalid", "999.1.1.1", "192.0.2.1"])  # 192.0.2.1: TEST-NET, no one's
def test_bad_host_is_refused_before_the_engine_loads(host, no_engine, capsys):
    assert main(["dashboard", "--host", host]) == 2
    err = capsys.readouterr().err
    assert f"--host: got '{host}'; allowed: an address" in err and "of this computer" in err
    assert len(err.strip().splitlines()) == 1


def test_port_in_use_exits_2_with_one_line_from_the_command(busy_port, tmp_path):
    # An empty Numba cache: had the engine been loaded, the command would say it is compiling it.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "empty-cache")}
    r = subprocess.run([sys.executable, "-m", "bp_sim.cli", "dashboard", "--port", str(busy_port)],
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and f"--port: got {busy_port}" in r.stderr
    assert "compiling the engine" not in r.stderr and "Traceback" not in r.stderr


def test_more_agents_than_memory_holds_is_refused_before_the_engine_loads(no_engine, capsys):
    assert main(["dashboard", "--agents", "1000000000000"]) == 2
    err = capsys.readouterr().err
    assert "--agents: got 1000000000000; allowed: at most about" in err and "2 runs at once" in err


def test_rows_finer_than_memory_holds_are_refused_before_the_engine_loads(no_engine, capsys):
    # A row of every person, movers and people abroad alike: more rows than two runs can hold here.
    assert main(["dashboard", "--persons-per-mover", "1", "--agents", "1000000000"]) == 2
    err = capsys.readouterr().err
    assert "allowed: at most about" in err and "2 runs at once" in err


def test_the_servers_resolutions_reach_every_run(monkeypatch):
    from bp_sim.dashboard.server import configure
    from bp_sim.dashboard.shared import preset, server_defaults
    from bp_sim.dashboard.state import scenario_of

    monkeypatch.setattr(os, "environ", dict(os.environ))  # configure() writes the environment
    monkeypatch.setattr("bp_sim.dashboard.server.missing_assets", lambda: [])
    configure(agents=3_000, persons_per_mover=700, persons_per_agent_abroad=2_500)
    state = server_defaults()
    sc = scenario_of(preset("baseline"), state)
    assert (sc.agents, sc.persons_per_mover, sc.persons_per_agent_abroad) == (3_000, 700, 2_500.0)
    assert state.key() != replace(state, persons_per_mover=None).key()  # other resolutions: other runs
