"""Dashboard latency and memory as a workshop facilitator meets them: a real `bp-sim dashboard`
server driven by a headless system Chromium (Playwright), on this machine, in one run.

    .venv/bin/python benchmarks/dashboard_latency.py --sessions 50            # 200,000 agents, 5 lever moves (~6 min here)
    .venv/bin/python benchmarks/dashboard_latency.py --busy 2 --sessions 20   # the same beside 2 CPU burners
    .venv/bin/python benchmarks/dashboard_latency.py --agents 20000 --moves 2 --sessions 4   # a quick look

Measured (every wait is for a state of the page, with a last-resort deadline of GUARD_S, --guard;
the only sleeps are polling intervals):

1. server start (process started) to the first page served (HTTP 200), with the Numba cache warm or
   cold, and the server's memory then;
2. a fresh tab: to the first results drawn (`.bp-outcome-panel` present) and to every replicate in
   (settled: no `.bp-computing`, and `.bp-results-for` and the panel's `data-for` equal `.bp-state-set`);
3. a lever move (K times, two levers alternately at new positions, so no run is cached), timed from
   the mouse press in the page by a DOM observer (MOVE_WATCH_JS): to the move taken (`.bp-state-set`
   changed), to the whole page on the new state and computing, to the new runs' first replicate
   shown, to every replicate in; and a tab opened at an address with a new seed and a lever set,
   so neither run of its first pair is cached (the issue's "full 2020-2024 pair in about 2 s");
4. Play from Reset (week 0) to the week shown reaching the horizon: weeks per second on screen, the
   distinct weeks the page showed (frames) and the time between two;
5. the server's resident memory (VmRSS of the server process and any children) before, after each
   session that computes new runs and every 10 sessions, and after S sessions (a new browser
   context each: results, one lever move, every replicate in, closed); the after value once the
   server holds only the first tab's session again (its /resourcez page) and the memory has
   stopped falling. The server is started with SOLARA_KERNEL_CULL_TIMEOUT=--cull-timeout (2s here,
   30s by default in `bp-sim dashboard`) so that closed sessions go in seconds;
6. with --busy N, N CPU burners (`python -c 'while 1: pass'`) run for the whole measurement.

A wait that runs past the deadline is recorded with what the page showed (`hangs`), and the run
goes on. Results: one CSV row per measurement (what, value, unit, agents, busy, note) in
benchmarks/results/dashboard_latency.csv (dashboard_latency_busy.csv with --busy), and a table
printed. The server's log is scanned for tracebacks and every page for script errors and for the
words a stack trace or a failed view shows; all are counted in the CSV. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_AGENTS = 200_000  # the dashboard's default population (bp_sim.dashboard.shared.DASHBOARD_AGENTS)
DEFAULT_MOVES = 5  # lever moves timed in part 3
MAX_MOVES = 20  # distinct (lever, value) pairs in LEVER_MOVES
DEFAULT_SESSIONS = 50  # browser sessions opened and closed in part 5
RSS_EVERY_SESSIONS = 10  # a memory reading after every this many sessions
REPLICATES = 8  # paired replicates a tab asks for (bp_sim.dashboard.shared.DASHBOARD_REPLICATES)
UNCACHED_SEED = 1000  # a seed no earlier part of the run has computed (part 3, the uncached pair)
DEFAULT_CULL_TIMEOUT = "2s"  # SOLARA_KERNEL_CULL_TIMEOUT for the server (bp-sim dashboard's own default: 30s)
GUARD_S = 600  # seconds: last-resort deadline for every state waited for; never a measure
GUARD_MS = GUARD_S * 1000  # Playwright counts in milliseconds
SERVER_POLL_S = 0.1  # seconds between two requests while the server starts
RSS_POLL_S = 1.0  # seconds between two memory readings while closed sessions are dropped
CULL_FALLBACK_MARGIN_S = 30.0  # seconds past the cull timeout: closed sessions taken as dropped if /resourcez cannot say
RSS_STABLE_S = 15.0  # seconds: memory settled when it has not fallen by RSS_STABLE_BYTES over this long
RSS_STABLE_BYTES = 1 << 20  # 1 MiB
STOP_WAIT_S = 10  # seconds a stopped server or burner gets before it is killed
VIEWPORT = {"width": 1600, "height": 1100}  # pixels, as the browser tests
BROKEN = ("Traceback", "Error:", "could not be drawn")  # what a stack trace or a failed view shows on the page
HORIZON_WEEKS = 260  # the presets' horizon, 2020-2024 (read from the page in part 4)
TARGET_PAIR_S = 2.0  # the target: a full 2020-2024 pair in about 2 s at the default size

# Part 3: (lever, its goal block on the page, slider position as a fraction of its length).
# Two levers, each at ten different positions, alternating: every move is a new scenario.
LEVER_MOVES = tuple((lever, goal, round(0.95 - 0.1 * (i // 2), 2))
                    for i, (lever, goal) in enumerate([("border_enforcement", 1), ("remittance_cost", 4)] * 10))
# Part 5: one lever moved in each session, cycling through these positions (the first few
# sessions compute new runs, later ones find them in the worker's cache).
SESSION_LEVER, SESSION_GOAL = "smuggling_disruption", 1
SESSION_FRACTIONS = (0.2, 0.4, 0.6, 0.8)

# The server's first act (Linux): ask for SIGTERM when this process goes, however it goes, so a
# killed benchmark never leaves a server holding its port; then run `bp-sim` as usual.
SERVER_MAIN = ("import contextlib, ctypes, runpy, signal, sys\n"
               "with contextlib.suppress(OSError, AttributeError):\n"
               "    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, <linux/prctl.h>\n"
               "sys.argv = ['bp-sim', *sys.argv[1:]]\n"
               "runpy.run_module('bp_sim.cli', run_name='__main__')\n")
BURNER = ("import contextlib, ctypes, signal\n"
          "with contextlib.suppress(OSError, AttributeError):\n"
          "    ctypes.CDLL(None).prctl(1, signal.SIGTERM)\n"
          "while 1: pass\n")

SETTLED_JS = """() => {
    const status = document.querySelector(".bp-status");
    const set = document.querySelector(".bp-state-set")?.textContent;
    return status != null && !status.classList.contains("bp-computing") && set != null
        && document.querySelector(".bp-results-for")?.textContent === set
        && document.querySelector(".bp-outcome-panel")?.dataset.for === set;
}"""
# A lever move, followed in the page by a DOM observer armed before the click (page clock, ms).
# The page's parts update one by one (the outcome panel can name the new state while the status
# line still shows the old job's), so a state only counts once every part agrees: `pending` is the
# first moment the state set, `.bp-results-for` and the panel's `data-for` all name the new state
# and the status line is that of a job still computing (or without first results yet); `first` and
# `settled` come after it. `early` counts moments before `pending` that already looked settled by
# the browser tests' definition (SETTLED_JS) while the old results were shown. If no pending moment
# is ever seen (runs all cached, answered at once), the move is settled once SETTLED_JS has held
# for STABLE_MS.
STABLE_MS = 1000
MOVE_WATCH_JS = """(before) => {
    const w = {armed: performance.now(), click: null, taken: null, newSet: null, sets: 0, labelled: null,
               pending: null, first: null, settled: null, since: null, early: 0, earlyMs: 0, earlyFrom: null,
               pendingStatus: "", firstStatus: ""};
    const q = (sel) => document.querySelector(sel);
    document.addEventListener("mousedown", () => { if (w.click === null) w.click = performance.now(); }, true);
    const look = () => {
        const now = performance.now();
        const set = q(".bp-state-set")?.textContent, rf = q(".bp-results-for")?.textContent;
        const df = q(".bp-outcome-panel")?.dataset.for, st = q(".bp-status");
        const text = st?.textContent ?? "", computing = st?.classList.contains("bp-computing") ?? false;
        if (set != null && set !== before && set !== w.newSet) {
            w.newSet = set; w.sets += 1;
            if (w.taken === null) w.taken = now;
        }
        if (w.newSet === null) return;
        if (w.labelled === null && df === w.newSet) w.labelled = now;
        const mine = set === w.newSet && rf === w.newSet && df === w.newSet;
        const looksSettled = mine && !computing;
        if (w.pending === null && mine && (computing || !text.includes("First results"))) {
            w.pending = now; w.pendingStatus = text;
        }
        if (w.pending === null && looksSettled) {
            if (w.earlyFrom === null) { w.earlyFrom = now; w.early += 1; }
        } else if (w.earlyFrom !== null) { w.earlyMs += now - w.earlyFrom; w.earlyFrom = null; }
        if (w.pending !== null && w.first === null && mine && text.includes("First results")) {
            w.first = now; w.firstStatus = text;
        }
        if (w.pending !== null && w.settled === null && looksSettled) w.settled = now;
        if (looksSettled) { if (w.since === null) w.since = now; } else w.since = null;
    };
    window.__bpMove = w;
    if (window.__bpMoveObserver) window.__bpMoveObserver.disconnect();
    window.__bpMoveObserver = new MutationObserver(look);
    window.__bpMoveObserver.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}"""
MOVE_DONE_JS = """(stable) => { const w = window.__bpMove;
    return w.settled !== null || (w.since !== null && performance.now() - w.since >= stable); }"""
WEEK_AT_LEAST_JS = """(n) => {
    const m = document.querySelector(".bp-week")?.innerText.match(/Week (\\d+) of/);
    return m != null && Number(m[1]) >= n;
}"""
# Records every distinct week the page shows, with the page's clock, from a DOM observer.
WEEK_RECORDER_JS = """() => {
    window.__bpWeeks = [];
    let last = null;
    const look = () => {
        const m = document.querySelector(".bp-week")?.innerText.match(/Week (\\d+) of/);
        if (m && m[1] !== last) { last = m[1]; window.__bpWeeks.push([performance.now(), Number(m[1])]); }
    };
    look();
    window.__bpObserver = new MutationObserver(look);
    window.__bpObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@dataclass
class Row:
    what: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Run:
    """What one invocation collects."""

    agents: int
    busy: int
    rows: list[Row] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)  # waits that ran past the guard deadline, with the page's state
    broken_pages: list[str] = field(default_factory=list)

    def add(self, what: str, value: float, unit: str, note: str = "") -> None:
        self.rows.append(Row(what, value, unit, note))
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"  {what}: {shown} {unit}{'  (' + note + ')' if note else ''}", flush=True)


# ---------------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def numba_cache_warm() -> bool:
    """Whether the engine's kernels are in Numba's cache (asked in a fresh interpreter)."""
    out = subprocess.run([sys.executable, "-c", "from bp_sim.warmup import engine_cached; print(engine_cached())"],
                         capture_output=True, text=True, timeout=GUARD_S)
    return out.stdout.strip().endswith("True")


def start_server(port: int, agents: int, seed: int, cull_timeout: str, log) -> tuple[subprocess.Popen, float]:
    """`bp-sim dashboard` in a subprocess, offline as in the browser tests; the seconds from the
    process start to the first page served."""
    env = dict(os.environ, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               NO_PROXY="127.0.0.1,localhost", SOLARA_KERNEL_CULL_TIMEOUT=cull_timeout)
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", SERVER_MAIN, "dashboard", "--port", str(port), "--agents", str(agents),
                             "--seed", str(seed)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + GUARD_S
    while True:
        try:
            with urllib.request.urlopen(url, timeout=GUARD_S) as r:
                if r.status == 200:
                    r.read()
                    return proc, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"dashboard server did not start (exit {proc.poll()}); see its log {log.name}")
        time.sleep(SERVER_POLL_S)  # polling interval


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def proc_status(pid: int, key: str) -> int:
    """A number from /proc/<pid>/status (kB fields in bytes), 0 if the process is gone."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                parts = line.split()
                return int(parts[1]) * (1024 if len(parts) > 2 and parts[2] == "kB" else 1)
    return 0


def rss(pid: int) -> int:
    """Resident bytes of the server and any process it started."""
    return sum(proc_status(p, "VmRSS") for p in descendants(pid))


def seconds_of(timeout: str) -> float:
    """'2s', '30s', '5m', '1h' or a number of seconds."""
    m = re.fullmatch(r"\s*([\d.]+)\s*([smhd]?)\s*", timeout)
    if not m:
        raise argparse.ArgumentTypeError(f"--cull-timeout {timeout!r}: a number with s, m, h or d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def sessions_on_server(url: str) -> int:
    """Sessions (Solara virtual kernels) the server holds, from its /resourcez page; -1 if unreadable."""
    try:
        with urllib.request.urlopen(url + "resourcez", timeout=GUARD_S) as r:
            return int(json.load(r)["kernels"]["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return -1


def wait_memory_settled(pid: int, url: str, open_tabs: int, cull_s: float) -> tuple[int, float, int, int]:
    """Wait until the server holds only the sessions of the `open_tabs` tabs still open (closed
    ones dropped), then until its memory has not fallen by RSS_STABLE_BYTES for RSS_STABLE_S:
    (bytes then, seconds waited, lowest bytes seen, sessions then). GUARD_S at most."""
    t0 = time.monotonic()
    readings: list[tuple[float, int]] = []
    dropped_at: float | None = None
    while True:
        now = time.monotonic() - t0
        readings.append((now, rss(pid)))
        held = sessions_on_server(url)
        if dropped_at is None and (held == open_tabs or (held < 0 and now >= cull_s + CULL_FALLBACK_MARGIN_S)):
            dropped_at = now
        window = [b for t, b in readings if t >= now - RSS_STABLE_S]
        if ((dropped_at is not None and now - dropped_at >= RSS_STABLE_S and max(window) - readings[-1][1] < RSS_STABLE_BYTES)
                or now > GUARD_S):
            return readings[-1][1], now, min(b for _, b in readings), held
        time.sleep(RSS_POLL_S)  # polling interval


# ---------------------------------------------------------------------------- the page
class Tab:
    """One browser session on the dashboard (its own context), its script errors recorded."""

    def __init__(self, browser, url: str, run: Run, name: str) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(GUARD_MS)
        self.context.set_default_navigation_timeout(GUARD_MS)
        self.page = self.context.new_page()
        self.name, self.run = name, run
        self.opened: set[int] = set()
        self.first_s: float | None = None  # of the last open(), once the first results are drawn
        self.page.on("pageerror", lambda e: run.page_errors.append(f"{name}: {e}"))
        self.page.on("console", lambda m: run.page_errors.append(f"{name}: console {m.text}") if m.type == "error" else None)
        self.url = url

    def open(self, query: str = "") -> tuple[float, float]:
        """Go to the page: seconds to the first results drawn, and to every replicate in."""
        t0 = time.perf_counter()
        self.first_s = None
        self.page.goto(self.url + (f"?{query}" if query else ""))
        self.page.locator(".bp-outcome-panel").wait_for()
        first = self.first_s = time.perf_counter() - t0
        self.page.wait_for_function(SETTLED_JS)
        return first, time.perf_counter() - t0

    def state_set(self) -> str:
        return self.page.evaluate("document.querySelector('.bp-state-set')?.textContent")

    def status(self) -> str:
        return self.page.locator(".bp-status").inner_text()

    def open_goal(self, goal: int) -> None:
        if goal not in self.opened:  # a second click would close the block
            self.page.locator(".bp-levers").get_by_text(f"Goal {goal}:").first.click()
            self.opened.add(goal)

    def move(self, lever: str, goal: int, fraction: float) -> dict[str, Any]:
        """Click a lever's slider at `fraction` of its length; seconds from the click (the mouse
        press, page clock) to the move taken (state set changed), to the panel naming the new
        state, to the new runs' first replicate shown, to every replicate in (MOVE_WATCH_JS)."""
        self.open_goal(goal)
        before = self.state_set()
        slider = self.page.locator(f".bp-lever-{lever} .v-slider")
        slider.wait_for(state="visible")  # the goal's block has opened
        slider.scroll_into_view_if_needed()
        box = slider.bounding_box()
        position = {"x": min(max(2.0, box["width"] * fraction), box["width"] - 2.0), "y": box["height"] / 2}
        self.page.evaluate(MOVE_WATCH_JS, before)
        slider.click(position=position)
        self.page.wait_for_function(MOVE_DONE_JS, arg=STABLE_MS)
        w = self.page.evaluate("() => { window.__bpMoveObserver.disconnect(); return window.__bpMove; }")
        t0 = w["click"] if w["click"] is not None else w["armed"]

        def since_click(key: str) -> float | None:
            return None if w[key] is None else (w[key] - t0) / 1000

        settled = since_click("settled") if w["settled"] is not None else since_click("since")
        return {"taken": since_click("taken"), "labelled": since_click("labelled"), "pending": since_click("pending"),
                "first": since_click("first"), "settled": settled, "state": w["newSet"], "sets": w["sets"],
                # before a pending moment that never came, a settled page was the answer, not a transient
                "early": w["early"] if w["pending"] is not None else 0,
                "early_ms": w["earlyMs"] if w["pending"] is not None else 0.0, "pending_status": w["pendingStatus"],
                "status": w["firstStatus"] or self.status()}

    def hung(self, what: str) -> None:
        """Record a wait that ran past the guard deadline, with what the page showed then."""
        self.run.hangs.append(f"{what}: not settled within {GUARD_S:g} s; the page: {self.diagnose()}")
        print(f"   HANG {self.run.hangs[-1]}", flush=True)

    def diagnose(self) -> str:
        """What the page shows now, in words (after a wait ran past its deadline)."""
        try:
            d = self.page.evaluate("""() => { const q = (s) => document.querySelector(s); const st = q(".bp-status");
                return {set: q(".bp-state-set")?.textContent, results_for: q(".bp-results-for")?.textContent,
                        panel_for: q(".bp-outcome-panel")?.dataset.for, status: st?.textContent,
                        computing: st?.classList.contains("bp-computing"), week: q(".bp-week")?.innerText,
                        errors: Array.from(document.querySelectorAll(".bp-view-error, .bp-run-error")).map(e => e.innerText)}; }""")
        except Exception as exc:  # the page itself is gone
            return f"page unreadable: {exc}"
        return json.dumps(d)

    def check(self, when: str) -> None:
        """Record it if the page shows a stack trace or a view that could not be drawn."""
        text = self.page.locator("body").inner_text()
        for word in BROKEN:
            if word in text:
                at = text.index(word)
                self.run.broken_pages.append(f"{self.name} {when}: {word!r} in ...{text[max(0, at - 200):at + 300]!r}")

    def close(self) -> None:
        self.context.close()


def server_seconds(status: str) -> str:
    """The server's own 'First results in X s' from the status line, as a note."""
    m = re.search(r"First results (in [\d.]+ s|from runs already made)", status)
    return f"status line: first results {m.group(1)}" if m else f"status line: {status[:80]!r}"


def browser_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("no system Chromium found (apt-get install chromium)")


# ---------------------------------------------------------------------------- the parts
def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def part_moves(tab: Tab, run: Run, moves: int) -> None:
    print(f"3. {moves} lever moves, each a new scenario", flush=True)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    results = []
    for i, (lever, goal, fraction) in enumerate(LEVER_MOVES[:moves]):
        try:
            r = tab.move(lever, goal, fraction)
        except PlaywrightTimeout:
            tab.hung(f"lever move {i + 1} ({lever} at {fraction:.2f} of the slider)")
            continue
        results.append(r)
        print(f"   {lever} at {fraction:.2f} of the slider: taken {fmt(r['taken'])} s, panel named the new state "
              f"{fmt(r['labelled'])} s, whole page on the new state (computing) {fmt(r['pending'])} s, first replicate "
              f"{fmt(r['first'])} s, all {fmt(r['settled'])} s; {server_seconds(r['status'])}", flush=True)
        if r["pending_status"]:
            print(f"     status line while the new runs computed, the old results still shown: {r['pending_status']!r}",
                  flush=True)
        if r["early"]:
            print(f"     {r['early']} moment(s), {r['early_ms']:.0f} ms, looked settled (SETTLED_JS) before the page "
                  "had taken the new job", flush=True)
    tab.check("after the lever moves")
    for name, key, what in (("taken", "taken", "click to the move taken (state set changed)"),
                            ("labelled", "labelled", "click to the outcome panel's data-for naming the new state "
                             "(it does so while still showing the old results)"),
                            ("pending", "pending", "click to the whole page on the new state, computing"),
                            ("first_replicate", "first", "click to the new runs' first replicate shown"),
                            ("all_replicates", "settled", "click to every replicate in (settled)")):
        values = [r[key] for r in results if r[key] is not None]
        if not values:
            run.add(f"lever_move_{name}_median", float("nan"), "s", f"{what}: never seen")
            continue
        note = f"{what}; {len(values)} of {moves} moves: " + " ".join(fmt(v) for v in values)
        run.add(f"lever_move_{name}_median", statistics.median(values), "s", note)
        run.add(f"lever_move_{name}_max", max(values), "s")
    run.add("lever_move_false_settled_moments", sum(r["early"] for r in results), "count",
            f"moments, {sum(r['early_ms'] for r in results):.0f} ms in all over {len(results)} moves, when the page met the "
            "browser tests' settled condition after a move while the previous state's results were still shown")
    run.add("lever_move_extra_state_changes", sum(r["sets"] - 1 for r in results), "count",
            "state set changed more than once for one slider click")


def part_uncached_pair(browser, url: str, run: Run, agents: int) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    print(f"3b. a fresh tab at a new seed ({UNCACHED_SEED}) with a lever set: neither run of a pair cached", flush=True)
    tab = Tab(browser, url, run, "uncached-pair tab")
    try:
        first, settled = tab.open(f"seed={UNCACHED_SEED}&m=border_enforcement:0.8@0")
    except PlaywrightTimeout:
        tab.hung("the uncached-pair tab")
        first, settled = tab.first_s, None
    try:
        if first is not None:
            run.add("uncached_pair_first_results", first, "s",
                    f"page open to the first pair drawn (scenario and baseline both computed); {server_seconds(tab.status())}; "
                    f"target ~{TARGET_PAIR_S:g} s at {DEFAULT_AGENTS:,} agents")
        if settled is not None:
            run.add("uncached_pair_all_replicates", settled, "s", "page open to every replicate in (2 runs per replicate)")
        tab.check("uncached pair settled")
    finally:
        tab.close()


def part_play(tab: Tab, run: Run) -> None:
    print("4. Play from week 0 to the horizon", flush=True)
    page = tab.page
    page.locator(".bp-reset").click()
    page.locator(".bp-week", has_text="Week 0 of").wait_for()
    page.locator(".bp-play").wait_for()
    horizon = int(re.search(r"Week \d+ of (\d+)", page.locator(".bp-week").first.inner_text()).group(1))
    page.evaluate(WEEK_RECORDER_JS)
    t0 = time.perf_counter()
    page.locator(".bp-play").click()
    page.wait_for_function(WEEK_AT_LEAST_JS, arg=horizon)
    seconds = time.perf_counter() - t0
    weeks = page.evaluate("() => { window.__bpObserver.disconnect(); return window.__bpWeeks; }")
    shown = [w for _, w in weeks]
    frames = len({w for w in shown if w > 0})
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(weeks) if a[1] > 0]  # between frames after the first
    steps = [b[1] - a[1] for a, b in itertools.pairwise(weeks)]
    backwards = sum(s < 0 for s in steps)
    run.add("play_seconds_to_horizon", seconds, "s", f"click Play at week 0 to 'Week {horizon} of {horizon}' shown")
    run.add("play_weeks_per_second", horizon / seconds, "weeks/s",
            "on screen; the server's animation: 4 weeks every 0.25 s = 16 weeks/s nominal (session.py)")
    run.add("play_frames", frames, "distinct weeks shown",
            f"of {horizon // 4 + (horizon % 4 > 0)} nominal; week steps seen: {sorted(set(steps))}; "
            f"{backwards} backwards")
    if gaps:
        run.add("play_frame_interval_median", statistics.median(gaps), "ms",
                f"between two weeks shown (page clock); max {max(gaps):.0f} ms")
    tab.check("after Play")


def part_memory(browser, url: str, run: Run, pid: int, sessions: int, cull_s: float, cull_timeout: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from bp_sim.dashboard.compute import CACHE_BYTES

    print(f"5. memory over {sessions} sessions (server started with SOLARA_KERNEL_CULL_TIMEOUT={cull_timeout})", flush=True)
    # settle first: the tab closed in part 3b is dropped after the cull timeout
    before, waited, _, held = wait_memory_settled(pid, url, 1, cull_s)
    threads_before = proc_status(pid, "Threads")
    run.add("rss_before_sessions", before / 2**20, "MiB",
            f"server VmRSS with the first tab open ({held} session held), after {waited:.0f} s for closed tabs to be "
            f"dropped and the memory to stop falling; {threads_before} threads")
    peak, per_session = before, []
    readings: dict[int, int] = {}  # sessions done -> bytes
    early = fallback = 0
    failures = 0
    for i in range(sessions):
        t0 = time.perf_counter()
        tab = Tab(browser, url, run, f"session {i + 1}")
        step = "opening"
        try:
            tab.open()
            step = "moving a lever"
            r = tab.move(SESSION_LEVER, SESSION_GOAL, SESSION_FRACTIONS[i % len(SESSION_FRACTIONS)])
            early += r["early"]
            fallback += r["pending"] is None
            tab.check("settled")
        except PlaywrightTimeout:
            failures += 1
            tab.hung(f"session {i + 1}, {step}")
        finally:
            tab.close()
        per_session.append(time.perf_counter() - t0)
        now = rss(pid)
        peak = max(peak, now)
        if i < len(SESSION_FRACTIONS) or (i + 1) % RSS_EVERY_SESSIONS == 0 or i + 1 == sessions:
            readings[i + 1] = now
            run.add(f"rss_after_{i + 1}_sessions", now / 2**20, "MiB",
                    f"{sessions_on_server(url)} sessions held by the server (closed ones go after {cull_timeout}); "
                    f"{proc_status(pid, 'Threads')} threads" + ("; this session computed new runs"
                                                                 if i < len(SESSION_FRACTIONS) else ""))
    closed_at = rss(pid)
    after, waited, lowest, held = wait_memory_settled(pid, url, 1, cull_s)
    threads_after = proc_status(pid, "Threads")
    run.add("session_seconds_median", statistics.median(per_session), "s",
            f"open, results, one move of {SESSION_LEVER}, every replicate in, close; max {max(per_session):.1f} s; "
            f"slider at {SESSION_FRACTIONS} in turn, so sessions after the first {len(SESSION_FRACTIONS)} find their runs cached")
    run.add("session_hangs", failures, "count",
            f"sessions that did not settle within the guard deadline ({GUARD_S:g} s), closed and counted on as the others")
    run.add("session_false_settled_moments", early, "count",
            f"as lever_move_false_settled_moments, over the {sessions} sessions' moves; {fallback} moves answered "
            f"so fast that the page never showed them computing (settled once it held for {STABLE_MS} ms)")
    run.add("rss_peak_sessions", peak / 2**20, "MiB", "highest reading, read after each session")
    run.add("rss_hwm_server", proc_status(pid, "VmHWM") / 2**20, "MiB", "the server process's VmHWM since its start")
    run.add("rss_after_sessions", after / 2**20, "MiB",
            f"all {sessions} closed: {closed_at / 2**20:.0f} MiB at once; {waited:.0f} s later {held} session held "
            f"and the memory not falling for {RSS_STABLE_S:g} s (lowest {lowest / 2**20:.0f} MiB); {threads_after} threads "
            f"(before: {threads_before})")
    run.add("rss_growth_per_session", (after - before) / sessions / 2**10, "KiB",
            f"(after - before) / {sessions}; the worker's run cache is capped at {CACHE_BYTES / 2**20:.0f} MiB "
            "(bp_sim.dashboard.compute.CACHE_BYTES), so runs kept on purpose are part of the growth, up to that cap")
    first_cached = len(SESSION_FRACTIONS)
    if sessions > first_cached:
        run.add("rss_growth_per_cached_session", (readings[sessions] - readings[first_cached]) / (sessions - first_cached) / 2**10,
                "KiB", f"from after session {first_cached} to after session {sessions}: sessions whose runs were all cached")


def run_bytes(weeks: int) -> int:
    """Bytes of one cached run (`bp_sim.dashboard.results.Run`): weekly outcomes (float64) and three
    per-leg series (float32)."""
    from bp_sim.network import load_network
    from bp_sim.outcomes import OUTCOME_INDEX

    return weeks * (len(OUTCOME_INDEX) * 8 + 3 * load_network().n_edges * 4)


def runs_made(moves: int, sessions: int) -> int:
    """Runs the worker computes (and caches) in one benchmark: the baseline's replicates, each
    move's scenario, the uncached pair's two, the sessions' positions of their lever."""
    return REPLICATES * (1 + moves + 2 + min(sessions, len(SESSION_FRACTIONS)))


def measure(args: argparse.Namespace, run: Run, log) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    cull_s = seconds_of(args.cull_timeout)
    run.add("cores", os.cpu_count() or 1, "cores", f"load average (1 min) at the start {os.getloadavg()[0]:.2f}")
    warm = numba_cache_warm()
    port = free_port()
    print(f"1. server start ({args.agents:,} agents, Numba cache {'warm' if warm else 'cold'})", flush=True)
    server = None
    try:
        server, started = start_server(port, args.agents, args.seed, args.cull_timeout, log)
        log.flush()
        cold = "compiling the engine" in Path(log.name).read_text(errors="replace")
        run.add("server_start_to_first_page", started, "s",
                f"process started to HTTP 200; Numba cache {'cold (compiled)' if cold or not warm else 'warm'}")
        run.add("numba_cache_warm", int(warm and not cold), "bool", "1: kernels loaded from Numba's cache")
        run.add("rss_server_started", rss(server.pid) / 2**20, "MiB",
                "server VmRSS at the first page served (engine loaded, the baseline's first replicate run)")
        url = f"http://127.0.0.1:{port}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path(), args=["--no-sandbox"])
            try:
                print("2. a fresh tab", flush=True)
                tab = Tab(browser, url, run, "first tab")
                try:
                    first, settled = tab.open()
                except PlaywrightTimeout:
                    tab.hung("the first tab")
                    first, settled = tab.first_s, None
                if first is not None:
                    run.add("fresh_tab_first_results", first, "s",
                            f"page open to .bp-outcome-panel; {server_seconds(tab.status())}")
                if settled is not None:
                    run.add("fresh_tab_all_replicates", settled, "s", "page open to settled (baseline: 1 run per replicate)")
                tab.check("opened")
                run.add("rss_after_first_tab", rss(server.pid) / 2**20, "MiB",
                        f"with the first tab's {REPLICATES} baseline replicates computed")
                part_moves(tab, run, args.moves)
                part_uncached_pair(browser, url, run, args.agents)
                part_play(tab, run)
                if args.sessions:
                    part_memory(browser, url, run, server.pid, args.sessions, cull_s, args.cull_timeout)
                tab.check("at the end")
                tab.close()
            finally:
                browser.close()
    finally:
        stop(server)
    made = runs_made(args.moves, args.sessions)
    run.add("worker_cache_runs", made, "runs", f"computed and kept by the worker in this benchmark (counted here), "
            f"{made * run_bytes(HORIZON_WEEKS) / 2**20:.0f} MiB at {run_bytes(HORIZON_WEEKS) / 2**20:.2f} MiB a run "
            f"({HORIZON_WEEKS} weeks); the cache is capped")
    log.flush()
    text = Path(log.name).read_text(errors="replace")
    tracebacks = text.count("Traceback (most recent call last)")
    run.add("server_log_tracebacks", tracebacks, "count", "in the server's log over the whole run")
    run.add("page_script_errors", len(run.page_errors), "count", "uncaught errors and console errors in every tab")
    run.add("pages_showing_errors", len(run.broken_pages), "count", f"pages whose text had one of {BROKEN}")
    run.add("hangs", len(run.hangs), "count", f"waits past the guard deadline ({GUARD_S:g} s), each with the page's state: "
            + " | ".join(run.hangs)[:3000])
    run.add("load_average_end", round(os.getloadavg()[0], 2), "1 min", "")
    if tracebacks:
        print("\nserver log, tracebacks:")
        for block in text.split("Traceback (most recent call last)")[1:6]:
            print("Traceback" + "\n".join(block.splitlines()[:40])[:3000])
    for what in run.page_errors[:10] + run.broken_pages[:10]:
        print(what[:600])


def write(run: Run, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["what", "value", "unit", "agents", "busy", "note"])
        for r in run.rows:
            w.writerow([r.what, round(r.value, 4) if isinstance(r.value, float) else r.value, r.unit, run.agents, run.busy,
                        r.note])


def table(run: Run) -> str:
    width = max(len(r.what) for r in run.rows)
    lines = [f"{'what':<{width}}  {'value':>10}  unit", "-" * (width + 24)]
    for r in run.rows:
        value = f"{r.value:,.2f}" if isinstance(r.value, float) else f"{r.value:,}"
        lines.append(f"{r.what:<{width}}  {value:>10}  {r.unit}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    global GUARD_S, GUARD_MS  # --guard
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--agents", type=int, default=DEFAULT_AGENTS, help="the server's population (default %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="the server's seed (default %(default)s)")
    ap.add_argument("--moves", type=int, default=DEFAULT_MOVES, help=f"lever moves timed, 1-{MAX_MOVES} (default %(default)s)")
    ap.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS, help="browser sessions for the memory part, 0: none "
                    "(default %(default)s)")
    ap.add_argument("--busy", type=int, default=0, help="CPU burners running beside the whole measurement (default 0)")
    ap.add_argument("--cull-timeout", default=DEFAULT_CULL_TIMEOUT,
                    help="SOLARA_KERNEL_CULL_TIMEOUT for the server: how long a closed tab's session is kept "
                         "(default %(default)s; bp-sim dashboard's own is 30s)")
    ap.add_argument("--guard", type=float, default=GUARD_S, help="last-resort deadline in seconds for every wait "
                    "(default %(default)s; lower it only to look at a hang quickly)")
    ap.add_argument("--out", help="CSV path (default benchmarks/results/dashboard_latency.csv, _busy.csv with --busy)")
    ap.add_argument("--server-log", help="keep the server's log here (default: a temporary file, removed)")
    args = ap.parse_args(argv)
    GUARD_S, GUARD_MS = args.guard, args.guard * 1000
    if not 1 <= args.moves <= MAX_MOVES:
        ap.error(f"--moves: 1 to {MAX_MOVES}")
    if args.sessions < 0 or args.busy < 0:
        ap.error("--sessions and --busy: 0 or more")
    seconds_of(args.cull_timeout)
    out = Path(args.out) if args.out else HERE / "results" / ("dashboard_latency_busy.csv" if args.busy else
                                                              "dashboard_latency.csv")
    run = Run(agents=args.agents, busy=args.busy)
    print(f"dashboard latency, {dt.date.today()}, {args.agents:,} agents, {args.busy} CPU burners, "
          f"{os.cpu_count()} cores", flush=True)
    t = time.perf_counter()
    burners: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(args.server_log) if args.server_log else Path(tmp) / "server.log"
        with log_path.open("w") as log:
            try:
                burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(args.busy)]
                measure(args, run, log)
            except BaseException:
                if run.rows:
                    print("\nstopped; measured so far (not written):\n" + table(run))
                raise
            finally:
                for b in burners:
                    with contextlib.suppress(ProcessLookupError):
                        b.send_signal(signal.SIGTERM)
                for b in burners:
                    stop(b)
    write(run, out)
    print()
    print(table(run))
    print(f"total {time.perf_counter() - t:.0f} s; results in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
