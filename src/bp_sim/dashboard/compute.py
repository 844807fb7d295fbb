"""The page's runs, computed in the background: one worker thread for the whole server.

A tab asks for the runs of its state (`Computer.submit`); the worker runs, replicate by
replicate (seed, seed + 1, ...), the baseline and each scenario over the whole horizon and
publishes a fresh `Results` after every replicate, so the first answer comes after one pair of
runs (about a second at the default size) and the intervals fill in after. A new request from
the same tab cancels its old one between two weeks. Runs are cached by what they depend on (the
resolved scenario, population and seed), so the baseline of a seed is computed once for every
tab and a reload, a preset chosen again or a lever moved back costs nothing.

One worker, not one per tab: the engine already uses every core for one run, and tabs take
turns one replicate at a time (the tab with the fewest replicates goes first), so a new lever
move is answered before another tab's eighth replicate.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import tomli_w

from bp_sim.dashboard.results import Results, Run
from bp_sim.dashboard.simulate import marks_of, simulate
from bp_sim.errors import InputError
from bp_sim.memory import release_memory
from bp_sim.network import Network
from bp_sim.scenario import Scenario

CACHE_BYTES = 256 * 2**20  # runs kept for reuse (a 5-year run at 96 legs is ~0.4 MB)


def run_key(sc: Scenario, agents: int, seed: int) -> tuple[str, int, int]:
    """What a run depends on: the scenario's settings (not its name or words), population, seed."""
    d = sc.to_toml_dict()
    head = d["scenario"]
    for words in ("name", "title", "description", "seed"):
        head.pop(words, None)
    d.pop("population", None)
    return tomli_w.dumps(d), int(agents), int(seed)


@dataclass
class Job:
    """The runs one tab asked for: `scenarios` (name -> Scenario) each against `baseline`."""

    owner: str
    scenarios: dict[str, Scenario]
    baseline: Scenario
    agents: int
    seed: int
    replicates: int
    started: float = field(default_factory=time.perf_counter)
    results: dict[str, Results] = field(default_factory=dict)
    error: str | None = None
    done: bool = False
    version: int = 0  # bumped at every publication
    first_seconds: float | None = None  # from submit to the first full pair
    _cancel: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def replicates_done(self) -> int:
        return min((r.replicates for r in self.results.values()), default=0)

    def cancel(self) -> None:
        self._cancel.set()
        self._publish()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the job publishes past version `seen`, is cancelled, or `timeout` s pass."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > seen or self.cancelled or self.done, timeout)
            return self.version

    def _publish(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self.version += 1
            self._changed.notify_all()


class Computer:
    """The server's one worker: takes jobs, runs them a replicate at a time, caches runs."""

    def __init__(self, network: Network, cache_bytes: int = CACHE_BYTES) -> None:
        self.network = network
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple, tuple[Run, float]] = OrderedDict()
        self._jobs: list[Job] = []
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self.runs_computed = 0  # runs actually simulated (not taken from the cache)

    # ------------------------------------------------------------------ asking
    def submit(self, owner: str, scenarios: dict[str, Scenario], baseline: Scenario, *, agents: int, seed: int,
               replicates: int) -> Job:
        """A job for `owner`, replacing (cancelling) the owner's earlier ones."""
        for sc in scenarios.values():
            if sc.start_date != baseline.start_date or sc.weeks != baseline.weeks:
                raise InputError("preset", sc.name, f"a scenario with the baseline's start ({baseline.start_date}) "
                                 f"and horizon ({baseline.weeks} weeks)")
        job = Job(owner, dict(scenarios), baseline, int(agents), int(seed), int(replicates))
        with self._lock:
            for old in self._jobs:
                if old.owner == owner:
                    old.cancel()
            self._jobs = [j for j in self._jobs if not j.cancelled] + [job]
            self._start()
            self._lock.notify_all()
        return job

    def forget(self, owner: str) -> None:
        """The owner has gone (its tab closed): cancel its jobs."""
        with self._lock:
            for job in self._jobs:
                if job.owner == owner:
                    job.cancel()
            self._jobs = [j for j in self._jobs if not j.cancelled]

    def active_jobs(self) -> int:
        with self._lock:
            return sum(not j.cancelled and not j.done for j in self._jobs)

    def cached_bytes(self) -> int:
        with self._lock:
            return sum(run.nbytes for run, _ in self._cache.values())

    # ------------------------------------------------------------------ working
    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, name="bp-sim-compute", daemon=True)
            # Solara gives a thread the kernel (tab) it was made in; the worker serves every tab and
            # must not keep the first one's session alive
            self._thread.current_context = None
            self._thread.start()

    def _next_job(self) -> Job:
        with self._lock:
            while True:
                self._jobs = [j for j in self._jobs if not j.cancelled and not j.done]
                if self._jobs:
                    return min(self._jobs, key=lambda j: j.replicates_done)  # stable: the oldest of equals
                self._lock.wait()

    def _work(self) -> None:
        while True:
            job = self._next_job()
            try:
                self._one_replicate(job)
            except InputError as exc:
                job._publish(error=str(exc), done=True)
            except Exception as exc:  # shown on the page as a message; the worker goes on
                job._publish(error=f"{type(exc).__name__}: {exc}", done=True)
            if job.done or job.cancelled:
                release_memory()  # the job's models are gone: hand their pages back

    def _one_replicate(self, job: Job) -> None:
        rep = job.replicates_done
        seed = job.seed + rep
        base = self._run(job.baseline, job.agents, seed, job)
        if base is None:
            return
        published = dict(job.results)
        for name, sc in job.scenarios.items():
            scen = self._run(sc, job.agents, seed, job)
            if scen is None:
                return
            before = published.get(name)
            if before is None:
                before = Results(name=sc.title or sc.name, start=sc.start_date, weeks=sc.weeks, agents=job.agents,
                                 persons_per_agent=scen[1], scenario=(), baseline=(), marks=marks_of(sc),
                                 replicates_wanted=job.replicates)
            published[name] = replace(before, scenario=(*before.scenario, scen[0]),
                                      baseline=(*before.baseline, base[0]))
        first = job.first_seconds if job.first_seconds is not None else time.perf_counter() - job.started
        job._publish(results=published, first_seconds=first,
                     done=min(r.replicates for r in published.values()) >= job.replicates)

    def _run(self, sc: Scenario, agents: int, seed: int, job: Job) -> tuple[Run, float] | None:
        key = run_key(sc, agents, seed)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        out = simulate(sc, agents, seed, self.network, cancelled=lambda: job.cancelled)
        if out is None:
            return None
        with self._lock:
            self.runs_computed += 1
            self._cache[key] = out
            total = sum(run.nbytes for run, _ in self._cache.values())
            while total > self.cache_bytes and len(self._cache) > 1:
                _, (old, _) = self._cache.popitem(last=False)
                total -= old.nbytes
        return out


def follow(job: Job, on_update: Callable[[Job], None], stop: Callable[[], bool], poll_s: float = 0.5) -> None:
    """Call `on_update(job)` after every publication of `job` until it is done or `stop()` (a tab's
    thread that hands the worker's results to the page)."""
    seen = 0
    while not stop():
        version = job.wait(seen, poll_s)
        if version > seen:
            seen = version
            on_update(job)
        # over only once its last publication has been handed on (it may come while on_update runs)
        if (job.done or job.cancelled) and job.version == seen:
            return
