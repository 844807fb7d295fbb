"""The dashboard in a real headless Chromium: offline, whole-horizon results, Play/Pause/Reset that
never race a computation, two tabs at once, a reload that keeps the tab's runs, exports that replay.

Every wait is for a state of the page (a week shown, a table drawn, a button back), with the guard
deadline of conftest; nothing here measures time (benchmarks/dashboard_latency.py does).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from urllib.parse import urlparse

from bp_sim.cli import main
from bp_sim.dashboard.lever_info import lever_info
from bp_sim.levers.catalogue import LEVERS
from bp_sim.scenario import load_scenario

LOCAL = {"127.0.0.1", "localhost"}
BROKEN = ("Traceback", "Error:", "could not be drawn")  # what a stack trace or a failed view shows


def _week(page) -> int:
    return int(re.search(r"Week (\d+) of", page.locator(".bp-week").first.inner_text()).group(1))


def _weeks(page) -> int:
    return int(re.search(r"Week \d+ of (\d+)", page.locator(".bp-week").first.inner_text()).group(1))


def _wait_week_at_least(page, n: int) -> None:
    page.wait_for_function("""(n) => {
        const m = document.querySelector(".bp-week")?.innerText.match(/Week (\\d+) of/);
        return m != null && Number(m[1]) >= n;
    }""", arg=n)


def _settled(page) -> None:
    """Wait until the runs shown are those of the tab's state and every replicate asked for is in
    (no 'computing more')."""
    page.wait_for_function("""() => {
        const status = document.querySelector(".bp-status");
        const set = document.querySelector(".bp-state-set")?.textContent;
        return status != null && !status.classList.contains("bp-computing") && set != null
            && document.querySelector(".bp-results-for")?.textContent === set
            && document.querySelector(".bp-outcome-panel")?.dataset.for === set;
    }""")


def _assert_not_broken(page) -> None:
    text = page.locator("body").inner_text()
    for word in BROKEN:
        assert word not in text, f"page shows {word!r}: {text[:500]}"


def _open_goal(page, goal: int) -> None:
    page.locator(".bp-levers").get_by_text(f"Goal {goal}:").first.click()


def _state_set(page) -> str:
    return page.evaluate("document.querySelector('.bp-state-set')?.textContent")


def _set_slider(page, lever: str, fraction: float) -> None:
    """Click a lever's slider at `fraction` of its length; wait until the page's state has the move."""
    before = _state_set(page)
    slider = page.locator(f".bp-lever-{lever} .v-slider")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    slider.click(position={"x": min(max(2.0, box["width"] * fraction), box["width"] - 2.0), "y": box["height"] / 2})
    page.locator(f".bp-lever-{lever} .bp-lever-state", has_text="set to").wait_for()
    page.wait_for_function("(b) => document.querySelector('.bp-state-set')?.textContent !== b", arg=before)


def _choose(page, select_class: str, title: str) -> None:
    """Pick `title` in a select; wait until the page's state has changed."""
    before = _state_set(page)
    page.locator(f".{select_class}").click()
    page.locator(".v-menu__content.menuable__content__active .v-list-item", has_text=title).first.click()
    page.wait_for_function("(b) => document.querySelector('.bp-state-set')?.textContent !== b", arg=before)


def _diff_cell(page, outcome: str) -> str:
    return page.locator(f".bp-row-{outcome} td").nth(3).inner_text()


def test_page_loads_offline_with_whole_horizon_results_and_explained_levers(page):
    page.locator(".bp-charts canvas").first.wait_for()  # drawn in the browser, from data
    assert _week(page) == _weeks(page) == 260  # the whole horizon at once
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"
    page.wait_for_load_state("networkidle")
    hosts = {urlparse(u).hostname for u in page.requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts and hosts <= LOCAL, f"requests to {hosts - LOCAL}"
    assert page.failed == [], f"failed requests: {page.failed[:5]}"
    for goal in range(1, 7):
        assert page.locator(".bp-levers").get_by_text(f"Goal {goal}:").count() == 1
    assert "set)" not in page.locator(".bp-levers").inner_text()  # drawing the sliders sets no lever
    _open_goal(page, 1)
    lever = page.locator(".bp-lever-smuggling_disruption")
    assert "smuggling_disruption" not in lever.locator(".bp-lever-label").inner_text()  # a plain label
    assert lever.locator(".bp-lever-state").inner_text().startswith("not set: the data's")
    lv = LEVERS["smuggling_disruption"]
    assert lever.locator(".bp-data-tick").count() == 1
    assert (lever.locator(".bp-min").inner_text(), lever.locator(".bp-max").inner_text()) == (f"{lv.low:g}", f"{lv.high:g}")
    lever.locator(".bp-lever-info-button").click()
    info = lever.locator(".bp-lever-info")
    info.wait_for()
    assert "PG1.1" in info.inner_text() and "Assumption" in info.inner_text()
    # rendered on the server, not by Solara's Markdown component, which would ask the server's CDN
    # path for KaTeX (not among the offline assets: a server log error on an offline machine)
    assert info.locator("h3").inner_text() == lever_info("smuggling_disruption").label
    assert info.locator(".solara-markdown").count() == 0
    # same seed, no lever: the baseline against itself has no change
    assert "no change" in page.locator(".bp-row-irregular_arrivals_europe .bp-verdict").inner_text()
    _assert_not_broken(page)


def test_a_lever_move_recomputes_the_whole_horizon_and_the_outcome_panel_says_how_sure(page):
    _settled(page)
    _open_goal(page, 4)
    _set_slider(page, "remittance_cost", 0.0)  # free transfers (PG4.6), from the start
    page.locator(".bp-row-remittances_received_usd .bp-verdict", has_text="welcome").wait_for()
    assert _week(page) == 260  # the whole horizon recomputed, not stepped
    _settled(page)  # every replicate in: a paired interval
    cell = _diff_cell(page, "remittances_received_usd")
    assert cell.startswith("+") and "95%" in cell, cell
    # Deaths rest on persons (each dies on their own within a row of movers): the panel tells, and
    # free transfers pay for more departures, so more deaths on the way.
    rare = page.locator(".bp-row-deaths_missing .bp-verdict").inner_text()
    assert rare in ("unwelcome", "no clear change"), rare
    _assert_not_broken(page)


def test_twenty_play_pause_cycles_reset_during_play_and_no_stack_trace(page):
    _settled(page)
    page.locator(".bp-reset").click()
    page.locator(".bp-week", has_text="Week 0 of").wait_for()
    for _ in range(20):
        before = _week(page)
        if before >= _weeks(page) - 8:  # near the end: start again
            page.locator(".bp-reset").click()
            page.locator(".bp-week", has_text="Week 0 of").wait_for()
            before = 0
        page.locator(".bp-play").click()
        _wait_week_at_least(page, before + 1)
        page.locator(".bp-pause").click()
        page.locator(".bp-play").wait_for()  # the server has taken the pause
        paused = _week(page)
        assert paused > before
        page.locator(".bp-charts canvas").first.wait_for()
        assert _week(page) == paused  # paused means paused
    _assert_not_broken(page)
    # Reset while playing: back to week 0, paused, and Play works again from there
    page.locator(".bp-play").click()
    _wait_week_at_least(page, 1)
    page.locator(".bp-reset").click()
    page.locator(".bp-play").wait_for()
    page.locator(".bp-week", has_text="Week 0 of").wait_for()
    page.locator(".bp-play").click()
    _wait_week_at_least(page, 1)
    page.locator(".bp-pause").click()
    _assert_not_broken(page)


def test_two_tabs_play_at_once_each_with_its_own_state(page, new_page):
    other = new_page()
    _open_goal(other, 1)
    _set_slider(other, "border_enforcement", 1.0)
    for tab in (page, other):
        tab.locator(".bp-reset").click()
        tab.locator(".bp-week", has_text="Week 0 of").wait_for()
    page.locator(".bp-play").click()
    other.locator(".bp-play").click()
    for tab in (page, other):
        _wait_week_at_least(tab, 8)
    for tab in (page, other):
        # Pause if still playing: a tab whose runs were ready may have played to the last week while
        # the other computed (then Play is back by itself). Checked and clicked in one step in the
        # page, so there is no race with playback ending between the check and the click.
        tab.evaluate("() => { const b = document.querySelector('.bp-pause'); if (b) b.click(); }")
        tab.locator(".bp-play").wait_for()
        _assert_not_broken(tab)
    assert "set)" not in page.locator(".bp-levers").inner_text()  # the other tab's lever is not this tab's
    assert "(1 set)" in other.locator(".bp-levers").inner_text()


def test_a_reload_keeps_the_tabs_state_and_runs(page):
    _open_goal(page, 1)
    _set_slider(page, "border_enforcement", 1.0)
    page.wait_for_function("() => location.search.includes('border_enforcement')")
    _settled(page)
    before = _diff_cell(page, "interceptions") if page.locator(".bp-row-interceptions").count() else None
    arrivals = _diff_cell(page, "irregular_arrivals_europe")
    page.reload()
    page.locator(".bp-outcome-panel").wait_for()
    page.get_by_text("Goal 1: Irregular migration, smuggling and trafficking (1 set)").wait_for()
    _settled(page)
    assert _diff_cell(page, "irregular_arrivals_europe") == arrivals  # the same runs, same seeds
    if before is not None:
        assert _diff_cell(page, "interceptions") == before


def test_a_preset_loads_in_one_choice_with_its_title_and_description(page):
    _choose(page, "bp-preset-select", "Goal 1: counter smuggling and trafficking")
    page.get_by_text("Goal 1: Irregular migration, smuggling and trafficking (4 set)").wait_for()
    assert "smuggling" in page.locator(".bp-preset-description").inner_text()
    _open_goal(page, 1)
    assert page.locator(".bp-lever-border_enforcement .bp-lever-state").inner_text().endswith("from Jan 2021")
    _settled(page)
    assert "no change" not in page.locator(".bp-row-irregular_arrivals_europe .bp-verdict").inner_text()


def test_packages_projector_tradeoffs_and_map_draw(page):
    _choose(page, "bp-preset-select", "Package A: enforcement only")
    _choose(page, "bp-compare-select", "Package B: enforcement with legal pathways")
    page.get_by_role("button", name="Package A vs B").click()
    page.locator(".bp-packages canvas").first.wait_for()
    page.get_by_role("button", name="Trade-offs").click()
    page.locator(".bp-tradeoff canvas").first.wait_for()
    page.get_by_role("button", name="Map").click()
    page.locator(".bp-map canvas").first.wait_for()
    page.locator(".bp-projector-switch input").click(force=True)
    page.locator(".bp-projector canvas").first.wait_for()
    _assert_not_broken(page)


def test_exports_replay_the_tabs_run_and_the_page_png_is_wide(page, tmp_path):
    _choose(page, "bp-preset-select", "Goal 2")
    _open_goal(page, 1)
    _set_slider(page, "border_enforcement", 1.0)
    _set_slider(page, "border_enforcement", 0.3)  # the same lever moved twice
    _settled(page)
    with page.expect_download() as dl:
        page.get_by_text("Scenario (TOML)").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    text = path.read_text()
    assert "1. border_enforcement" in text and "2. border_enforcement" in text  # every move recorded
    sc = load_scenario(path)
    assert sc.name == "goal2_legal_pathways_dashboard" and sc.seed == 0 and sc.agents == 20_000
    assert main(["run", str(path), "--years", "0.1", "--agents", "2000", "--out", str(tmp_path / "run"), "--quiet"]) == 0
    with page.expect_download() as dl:
        page.get_by_text("One-page summary (PNG)").click()
    png = tmp_path / "page.png"
    dl.value.save_as(png)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width >= 1600 and height >= 900


def test_the_server_said_nothing_that_looks_like_an_error(page, dashboard_server):
    # after every test above has used the server (pytest runs this file in order); the page fixture
    # makes sure at least one page was served
    page.locator(".bp-outcome-panel").wait_for()
    log = Path(dashboard_server[1]).read_text()
    for word in ("Traceback", "Warning", "Error", "exception"):
        assert word not in log, log[-3000:]
