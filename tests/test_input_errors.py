"""Every class of bad scenario input is one InputError naming the key (and the file), never a traceback.

One test per class found by feeding bp-sim mutated files (issue 10): bytes that are not UTF-8,
integers too long for a float, events that are not an array in a file that extends another,
nesting and `extends` chains deep enough to overflow a recursive reader, paths the system
refuses, unhashable event types, targets naming unknown places, dates outside what the outputs
can hold, shares that add up past one whole, populations larger than the machine's memory.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys

import pytest

from bp_sim.errors import MISSING, InputError, show
from bp_sim.memory import BASE_BYTES, check_fits
from bp_sim.scenario import load_scenario, scenarios_dir
from bp_sim.validate import check_runnable

BASELINE = scenarios_dir() / "baseline.toml"


def write(tmp_path, text: str | bytes, name: str = "s.toml"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def refused(path_or_name, net, pattern: str) -> InputError:
    with pytest.raises(InputError, match=pattern) as info:
        sc = load_scenario(path_or_name, net)
        check_runnable(sc, net, 1000)
    return info.value


# ---------------------------------------------------------------- files and bytes
@pytest.mark.parametrize(("data", "what"), [
    ("[scenario]\nname = 'Türkiye'\n".encode("latin-1"), r"byte 0xfc on line 2 is not UTF-8"),
    ("[scenario]\nname = 'x'\n".encode("utf-16"), r"a UTF-16 file"),
    (bytes(range(256)) * 4, r"not UTF-8"),
])
def test_a_file_that_is_not_utf8_is_named_not_decoded(tmp_path, net, data, what):
    err = refused(write(tmp_path, data), net, what)
    assert "s.toml" in str(err) and "save it as UTF-8" in str(err)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path, net):
    sc = load_scenario(write(tmp_path, "\ufeff[scenario]\nname = 'bom'\n"), net)
    assert sc.name == "bom"


@pytest.mark.parametrize("field", ["[parameters]\nsaving_rate", "[nodes.AFG]\nconflict", "[scenario]\nyears",
                                   "[population]\nagents", "[scenario]\nseed", "[levers]\nremittance_cost"])
def test_an_integer_of_400_digits_is_out_of_range_not_an_overflow(tmp_path, net, field):
    err = refused(write(tmp_path, f"{field} = {'9' * 400}\n"), net, r"got an integer of 400 digits")
    assert "9999999999" not in str(err)  # described, not printed


def test_nan_and_inf_are_never_inside_a_range(tmp_path, net):
    refused(write(tmp_path, "[parameters]\nsaving_rate = nan\n"), net, r"parameters\.saving_rate: got nan")
    refused(write(tmp_path, "[nodes.DEU]\nasylum_capacity_mult = inf\n"), net, r"asylum_capacity_mult: got inf")


def test_arrays_nested_a_thousand_deep_are_refused(tmp_path, net):
    refused(write(tmp_path, "[parameters]\nsaving_rate = " + "[" * 1000 + "]" * 1000 + "\n"), net,
            r"nested (too deeply|\d+ deep)")


def test_an_extends_chain_of_1200_files_is_refused_without_recursion(tmp_path, net):
    for k in range(1200):
        write(tmp_path, f"[scenario]\nextends = 'f{k + 1}.toml'\n" if k < 1199 else "[scenario]\nyears = 1\n", f"f{k}.toml")
    refused(tmp_path / "f0.toml", net, r"scenario\.extends.*a chain of at most 64 files")


@pytest.mark.parametrize(("extends", "why"), [
    ("a\\u0000b.toml", r"NUL"),
    ("x" * 300 + ".toml", r"name too long|names of at most"),
])
def test_extends_with_a_path_the_system_refuses(tmp_path, net, extends, why):
    err = refused(write(tmp_path, f'[scenario]\nextends = "{extends}"\n'), net, rf"scenario\.extends.*({why})")
    assert "s.toml" in str(err)


def test_extends_through_a_symlink_loop(tmp_path, net):
    os.symlink(tmp_path / "loop_b.toml", tmp_path / "loop_a.toml")
    os.symlink(tmp_path / "loop_a.toml", tmp_path / "loop_b.toml")
    refused(write(tmp_path, "[scenario]\nextends = 'loop_a.toml'\n"), net, r"scenario\.extends.*loop")


def test_a_scenario_argument_over_255_bytes(net):
    refused("x" * 300, net, r"scenario: got 'x+' \(300 characters\)|scenario: got 'xx")
    refused("x" * 300 + ".toml", net, r"^scenario: .*(name too long|names of at most)")


# ---------------------------------------------------------------- events and extends
@pytest.mark.parametrize("events", ["events = 5", "[events]\ntype = 'conflict_surge'", "events = 'conflict_surge'"])
def test_events_that_are_not_an_array_are_refused_in_a_child_file_too(tmp_path, net, events):
    child = write(tmp_path, f"{events}\n[scenario]\nextends = '{BASELINE}'\n", "child.toml")
    err = refused(child, net, r"events: got .*allowed: an array of tables \[\[events\]\]")
    assert "child.toml" in str(err) and "events[5]" not in str(err)


@pytest.mark.parametrize("etype", ["['conflict_surge']", "{ a = 1 }"])
def test_an_event_type_that_is_a_list_or_table(tmp_path, net, etype):
    refused(write(tmp_path, f"[[events]]\ntype = {etype}\ndate = 2021-01-01\n"), net, r"events\[0\]\.type: got .*conflict_surge")


@pytest.mark.parametrize(("target", "pattern"), [
    ("nodes.XXX.conflict", r"events\[0\]\.target: got 'XXX'; allowed: one of AFG"),
    ("routes.TUR->NOWHERE.enforcement", r"events\[0\]\.target: got 'TUR->NOWHERE'; allowed: one of TUR->"),
    ("origins.DEU.readmission", r"events\[0\]\.target: got 'DEU'; allowed: one of AFG"),
    ("corridors.AFG->XXX.remittance_cost_pct", r"events\[0\]\.target: got 'AFG->XXX'"),
])
def test_a_parameter_change_naming_an_unknown_place_is_refused_when_read(tmp_path, net, target, pattern):
    text = f"[[events]]\ntype = 'parameter_change'\ndate = 2021-01-01\ntarget = '{target}'\nvalue = 0.5\n"
    refused(write(tmp_path, text), net, pattern)


def test_an_error_in_a_parent_file_names_the_parent(tmp_path, net):
    write(tmp_path, "[nodes.AFG]\nconflict = 3\n", "parent.toml")
    err = refused(write(tmp_path, "[scenario]\nextends = 'parent.toml'\n", "child.toml"), net, r"nodes\.AFG\.conflict: got 3")
    assert str(err).startswith(str(tmp_path / "parent.toml"))


# ---------------------------------------------------------------- dates, shares, population
@pytest.mark.parametrize("day", ["9999-06-01", "0001-01-01", "1899-12-31", "2151-01-01"])
def test_start_dates_the_outputs_cannot_hold_are_refused_before_simulating(tmp_path, net, day):
    refused(write(tmp_path, f"[scenario]\nstart_date = {day}\n"), net, rf"scenario\.start_date: got {day}; allowed: a date "
            r"YYYY-MM-DD from 1900-01-01 to 2150-12-31")


def test_a_date_must_be_written_yyyy_mm_dd(tmp_path, net):
    refused(write(tmp_path, "[scenario]\nstart_date = '20210101'\n"), net,
            r"start_date: got '20210101'; allowed: a date YYYY-MM-DD")
    assert load_scenario(write(tmp_path, "[scenario]\nstart_date = '2021-01-01'\n"), net).start_date == dt.date(2021, 1, 1)


@pytest.mark.parametrize(("pending", "protected"), [(1.0, 1.0), (0.6, 0.6)])
def test_shares_of_one_diaspora_may_not_add_up_past_one(tmp_path, net, pending, protected):
    text = f"[parameters]\ninit_pending_share = {pending}\ninit_protected_share = {protected}\n"
    refused(write(tmp_path, text), net, r"init_pending_share \+ init_protected_share is at most 1")


def test_shares_set_in_two_files_are_checked_together(tmp_path, net):
    write(tmp_path, "[parameters]\ninit_pending_share = 0.6\n", "parent.toml")
    child = write(tmp_path, "[scenario]\nextends = 'parent.toml'\n[parameters]\ninit_protected_share = 0.6\n")
    refused(child, net, r"s\.toml: parameters\.init_protected_share: got 'init_pending_share 0\.6 \+ init_protected_share 0\.6")


def test_an_event_may_not_push_bound_shares_past_one(tmp_path, net):
    text = ("[[events]]\ntype = 'parameter_change'\ndate = 2021-01-01\ntarget = 'parameters.intercept_detain_share'\n"
            "value = 0.9\n")
    refused(write(tmp_path, text), net, r"events\[0\]\.value: .*intercept_pushback_share \+ intercept_detain_share")


def test_the_memory_a_run_needs_is_estimated_before_allocating():
    with pytest.raises(InputError, match=r"--agents: got 500000000; allowed: at most about [\d,]+ rows on this machine: "
                                         r"500,000,000 agents for 260 weeks need about 2\d\.\d GiB, and 8\.0 GiB is available"):
        check_fits("--agents", 500_000_000, 260, 40_000, available=8 * 2**30)
    # With the rows the run will hold at its end (cohorts, people abroad, movers), grown by doubling.
    with pytest.raises(InputError, match=r"at most about [\d,]+ rows on this machine: 1,000 cohorts \(about "
                                         r"200,000,000 rows by the end\)"):
        check_fits("--agents", 1_000, 260, 40_000, available=8 * 2**30, rows=200_000_000)
    check_fits("--agents", 1_000_000, 260, 40_000, available=BASE_BYTES + 2**30)  # fits: no error
    with pytest.raises(InputError, match=r"rows each, 2 runs at once, on this machine: .* GiB in all"):
        check_fits("--agents", 10_000_000, 260, 40_000, processes=2, available=BASE_BYTES + 2**29)


def test_cli_refuses_a_trillion_agents_at_once_with_an_estimate(tmp_path):
    res = subprocess.run([sys.executable, "-m", "bp_sim.cli", "run", "--agents", "1000000000000", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "--agents: got 1000000000000; allowed: at most about" in res.stderr and "GiB is available" in res.stderr
    assert not (tmp_path / "o").exists()


def test_persons_per_agent_in_a_child_replaces_the_inherited_agents(tmp_path, net):
    child = write(tmp_path, f"[scenario]\nextends = '{BASELINE}'\n[population]\npersons_per_agent = 100000\n")
    sc = load_scenario(child, net)
    assert sc.agents is None and sc.persons_per_agent == 100_000
    assert check_runnable(sc, net) < 20_000  # ~660M persons / 100,000, not the baseline's 200,000
    refused(write(tmp_path, "[population]\nagents = 1000\npersons_per_agent = 10\n"), net,
            r"population\.persons_per_agent: got 10; allowed: nothing when population\.agents is set")


# ---------------------------------------------------------------- messages
def test_messages_name_the_key_and_show_the_value_plainly(tmp_path, net):
    refused(write(tmp_path, "[[events]]\ntype = 'conflict_surge'\ndate = 2021-01-01\nplace = 'AFG'\n"), net,
            r"events\[0\]\.value: got nothing; allowed")
    refused(write(tmp_path, "[[events]]\ntype = 'conflict_surge'\nplace = 'AFG'\nvalue = 1\n"), net,
            r"events\[0\]\.date: got nothing; allowed: a date YYYY-MM-DD \(required\)")
    refused(write(tmp_path, "[levers.border_enforcement]\nvalue = 0.5\nstart = 2022-01-01\nuntil = 2021-01-01\n"), net,
            r"levers\.border_enforcement\.until: got 2021-01-01; allowed: a date after 2022-01-01")
    refused(write(tmp_path, "[parameters]\n\"saving_rate \" = 0.1\n"), net, r'parameters\."saving_rate ": got')
    refused(write(tmp_path, "[levers]\n\"remittance_cost\u200b\" = 3\n"), net,
            r'levers\."remittance_cost\\u200b": got an unknown lever')
    err = refused(write(tmp_path, "[[events]]\ntype = 'parameter_change'\ndate = 2021-01-01\n"
                                  "target = 'parameters.saving_rate'\nvalue = 5\n"), net, r"events\[0\]\.value: got 5")
    assert str(err).count("saving_rate") == 0  # the key is the event's value; the range says what is allowed


def test_show_keeps_values_short_and_unambiguous():
    assert show(MISSING) == "nothing" and show(dt.date(2021, 5, 1)) == "2021-05-01" and show(True) == "true"
    deep: list = []
    for _ in range(2000):
        deep = [deep]
    assert len(show(deep)) < 40
    assert show(10**5000) == "an integer of 5,001 digits" and show(10**29) == repr(10**29)
    assert "(5000 characters)" in show("y" * 5000)


def test_input_errors_travel_between_processes_as_themselves():
    err = pickle.loads(pickle.dumps(InputError("levers.x", MISSING, "a number", "s.toml")))
    assert isinstance(err, InputError) and str(err) == "s.toml: levers.x: got nothing; allowed: a number"
    assert err.value is MISSING


def test_nesting_is_measured_before_parsing_and_strings_do_not_count(tmp_path, net):
    from bp_sim.userfiles import bracket_depth

    assert bracket_depth("a = [[1], {b = [2]}]\n[t]\n[[e]]\n") == 3
    assert bracket_depth("a = '[[[[' # [[[[\nb = \"\\\"[[[\"\nc = '''\n[[[\n'''\n") == 0
    inline = "[parameters]\nsaving_rate = " + "{a = " * 40 + "1" + "}" * 40 + "\n"
    refused(write(tmp_path, inline), net, r"nested 40 deep")
    deep_in_text = "[scenario]\ndescription = '" + "[" * 500 + "'\n"
    assert load_scenario(write(tmp_path, deep_in_text), net).description.startswith("[[[")
