"""The error boundary shows a sentence in place of a failed view; the one-page PNG is wide and complete."""
# ruff: noqa: N802  (Solara components are named like classes)

from __future__ import annotations

import copy
import struct

import ipyvuetify as v
import solara

from bp_sim.dashboard.compute import Computer, follow
from bp_sim.dashboard.page_png import PAGE_DPI, PAGE_INCHES, lever_lines, page_png
from bp_sim.dashboard.shared import preset, shared_network
from bp_sim.dashboard.state import Move, PageState, scenario_of
from bp_sim.dashboard.views import Guarded


@solara.component
def Broken(n: int):
    raise ValueError(f"boom {n}")


@solara.component
def Fine(n: int):
    solara.Text(f"fine {n}")


def test_a_failing_view_becomes_a_message_and_a_working_one_is_drawn_as_it_is():
    _, rc = solara.render(Guarded("Charts", Broken, n=3), handle_error=False)
    (alert,) = rc.find(v.Alert).widgets
    text = " ".join(alert.children)
    assert "could not be drawn" in text and "boom 3" in text and "Traceback" not in text
    _, rc = solara.render(Guarded("Charts", Fine, n=4), handle_error=False)
    assert rc.find(v.Alert).widgets == [] and rc.find(v.Html, children=["fine 4"]).widgets


def test_the_one_page_png_is_at_least_1600_px_wide_and_lists_every_lever_setting():
    state = PageState(preset="goal1_smuggling_trafficking", agents=2_000, replicates=2).with_move(
        Move("border_enforcement", 0.3, 120))
    sc = scenario_of(preset(state.preset), state)
    short = copy.deepcopy(sc)
    short.years = 1.0
    base = copy.deepcopy(scenario_of(preset("baseline"), state))
    base.years = 1.0
    job = Computer(shared_network()).submit("tab", {"a": short}, base, agents=2_000, seed=0, replicates=2)
    follow(job, lambda j: None, lambda: False, poll_s=0.2)
    png = page_png(state, job.results, upto=30)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (PAGE_INCHES[0] * PAGE_DPI, PAGE_INCHES[1] * PAGE_DPI) and width >= 1600
    lines = lever_lines(state)
    assert len(lines) == 5  # four preset levers, border enforcement in two pieces
    assert any("border_enforcement = 0.3 from 2022-04-20" in line for line in lines), lines
