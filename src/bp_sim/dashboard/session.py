"""A tab's session on the server: its state kept in the tab's address, its runs asked of the
server's worker, the results handed back to the page, and the Play animation.

Solara hooks only; what they hold is plain data (`PageState`, `Results`), never a model, so
nothing the page draws can be halfway through a week.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, replace

import solara

from bp_sim.dashboard.compute import Job, follow
from bp_sim.dashboard.results import Results
from bp_sim.dashboard.shared import computer, preset, preset_names, server_defaults
from bp_sim.dashboard.state import PageState, from_query, scenario_of, to_query
from bp_sim.memory import release_memory

RELEASE_AFTER_S = 2.0  # seconds after a tab's page is gone before memory is handed back
FRAME_S = 0.25  # seconds between two frames of Play
WEEKS_PER_SECOND = 16  # Play's speed: five years in about 16 s


@dataclass(frozen=True)
class View:
    """What the worker has handed back for the state shown: results by name ("a", "b"), the
    state they belong to, whether more replicates are coming, and an error in words."""

    state: PageState | None = None  # the state being computed (or computed)
    results: dict | None = None
    results_state: PageState | None = None  # the state `results` belong to (an older one while computing)
    computing: bool = False
    error: str | None = None
    first_seconds: float | None = None


def use_page_state() -> solara.Reactive[PageState]:
    """The tab's state, read from its address on first draw and written back on every change
    (so a reload or a bookmark brings it back; each tab has its own address)."""
    router = solara.use_router()
    state = solara.use_reactive(solara.use_memo(lambda: from_query(router.search, server_defaults(),
                                                                   preset_names()), []))

    def write_address():
        query = to_query(state.value)
        if (router.search or "") != query:
            router.push(f"{router.path}?{query}")

    solara.use_effect(write_address, [state.value])
    return state


def submit(owner: str, state: PageState) -> Job:
    """Ask the worker for the runs of `state`."""
    scenarios = {"a": scenario_of(preset(state.preset), state)}
    if state.compare_with and state.compare_with != state.preset:
        scenarios["b"] = scenario_of(preset(state.compare_with), replace(
            state, preset=state.compare_with, moves=(), compare_with=None))
    base = scenario_of(preset("baseline"), replace(state, preset="baseline", moves=(), compare_with=None))
    return computer().submit(owner, scenarios, base, agents=state.agents, seed=state.seed,
                             replicates=state.replicates)


def use_results(state: PageState) -> View:
    """Results for `state`, updated as the worker publishes them; the tab's old job is cancelled
    when the state changes and its jobs forgotten when the tab closes."""
    owner = solara.use_memo(lambda: uuid.uuid4().hex, [])
    view = solara.use_reactive(View())
    job_key = (state.key(), state.replicates, state.compare_with)

    def start():
        try:
            job = submit(owner, state)
        except Exception as exc:  # a preset that cannot run: said on the page
            view.value = View(state=state, error=str(exc))
            return None
        stop = threading.Event()

        def publish(j: Job) -> None:
            if j.results:
                view.value = View(state=state, results=dict(j.results), results_state=state,
                                  computing=not (j.done or j.cancelled), error=j.error, first_seconds=j.first_seconds)
            else:
                view.value = replace(view.value, state=state, computing=not (j.done or j.cancelled), error=j.error)

        old = view.value  # shown until the new runs' first replicate is in
        view.value = View(state=state, results=old.results, results_state=old.results_state, computing=True)
        threading.Thread(target=follow, args=(job, publish, stop.is_set), daemon=True,
                         name=f"bp-sim-follow-{owner[:6]}").start()

        def cleanup():
            stop.set()

        return cleanup

    solara.use_effect(start, [job_key])
    def on_close():
        computer().forget(owner)
        # once the session's close has finished and its objects are unreachable
        timer = threading.Timer(RELEASE_AFTER_S, release_memory)
        timer.current_context = None  # Solara would tie the timer to the closing session
        timer.daemon = True
        timer.start()

    solara.use_effect(lambda: on_close, [])  # cleanup when the tab's page is gone
    return view.value


def use_animation(weeks: int) -> tuple[solara.Reactive[int], solara.Reactive[bool]]:
    """(cursor, playing): the week shown (1..weeks; the whole horizon at first) and whether Play
    runs. Play moves the cursor over computed weeks only, so it can never race a computation."""
    cursor = solara.use_reactive(weeks)
    playing = solara.use_reactive(False)

    def animate(cancel: threading.Event) -> None:
        if not playing.value:
            return
        if cursor.value >= weeks:
            cursor.value = 0
        start, t0 = cursor.value, time.monotonic()
        while not cancel.wait(FRAME_S):
            # by the clock, not by frames: a slow redraw shows fewer frames, never a slower run
            nxt = min(weeks, start + max(1, round((time.monotonic() - t0) * WEEKS_PER_SECOND)))
            cursor.value = max(nxt, cursor.value + 1) if nxt < weeks else weeks
            if cursor.value >= weeks:
                playing.value = False
                return

    solara.use_thread(animate, dependencies=[playing.value, weeks], intrusive_cancel=False)
    return cursor, playing


def shown(results: Results | None, cursor: int) -> int:
    """The weeks the views show: the cursor, within the horizon."""
    if results is None:
        return 0
    return max(0, min(int(cursor), results.weeks))
