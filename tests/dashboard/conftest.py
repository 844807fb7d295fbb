"""A real dashboard server (`bp-sim dashboard` in a subprocess) and a headless system Chromium driving it.

The server runs with HTTP(S)_PROXY pointing at a closed local port, so if it ever tried to fetch
an asset from the internet (Solara's CDN fallback) the page would get an error, which the tests see.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

AGENTS = 20_000  # small runs: the browser tests are about the page, not the numbers
# Last-resort deadline for every state the browser tests wait for (the server started, the page
# drawn, a week shown...): generous, so that a busy machine is slow, never failed. Not a measure.
GUARD_S = int(os.environ.get("BP_SIM_TEST_GUARD_S", 600))  # lower it only to debug a test quickly
GUARD_MS = GUARD_S * 1000  # Playwright counts in milliseconds


def _browser_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


# The server's first act (Linux): ask the kernel for SIGTERM when the test process goes, however it
# goes, so a killed test run never leaves a server holding its port; then run `bp-sim` as usual.
SERVER_MAIN = ("import contextlib, ctypes, runpy, signal, sys\n"
               "with contextlib.suppress(OSError, AttributeError):\n"
               "    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, <linux/prctl.h>\n"
               "sys.argv = ['bp-sim', *sys.argv[1:]]\n"
               "runpy.run_module('bp_sim.cli', run_name='__main__')\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dashboard_url(dashboard_server):
    return dashboard_server[0]


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory):
    """(url, path of the server's log) of a dashboard server running for the whole session."""
    port = _free_port()
    env = dict(os.environ, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1,localhost")
    log = (tmp_path_factory.mktemp("dashboard") / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", SERVER_MAIN, "dashboard", "--port", str(port),
                             "--agents", str(AGENTS)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + GUARD_S  # the server compiles the engine first (a minute or so, cold)
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dashboard server did not start (exit {proc.poll()}); log in {log.name}")
        time.sleep(0.5)  # polling interval
    yield url, log.name
    proc.terminate()
    try:
        proc.wait(timeout=10)  # seconds; no test depends on it: a server slow to stop is killed
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dashboard extra")
    path = _browser_path()
    if path is None:
        pytest.skip("no system Chromium (apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, url):
    """A fresh browser session on the dashboard, with every request and failed response recorded;
    every wait in it (for an element, a download, a page load) has the generous GUARD_MS deadline."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, accept_downloads=True)
    context.set_default_timeout(GUARD_MS)
    context.set_default_navigation_timeout(GUARD_MS)
    pg = context.new_page()
    pg.requests = []
    pg.failed = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("requestfailed", lambda r: pg.failed.append(r.url))
    pg.on("response", lambda r: pg.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.goto(url)
    pg.locator(".bp-outcome-panel").wait_for()  # the first results are in
    return context, pg


@pytest.fixture
def page(browser, dashboard_url):
    """A tab on the dashboard, its first results drawn."""
    context, pg = _open(browser, dashboard_url)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser, dashboard_url):
    """Opens more tabs (each its own browser session), closed after the test."""
    contexts = []

    def make():
        context, pg = _open(browser, dashboard_url)
        contexts.append(context)
        return pg

    yield make
    for context in contexts:
        context.close()
