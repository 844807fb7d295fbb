"""The settings table (`data/settings.csv`, `bp_sim.settings`): one row per settable field, read by
scenario validation, the lever catalogue, the policy's base values and the World update."""

from __future__ import annotations

import numpy as np
import pytest

from bp_sim import settings
from bp_sim.build import build_world
from bp_sim.errors import InputError
from bp_sim.levers.catalogue import LEVERS
from bp_sim.parameters import SPECS, make_scalars
from bp_sim.policy_build import base_settings
from bp_sim.scenario import parse_scenario, valid_places
from bp_sim.world import WORLD_FIELDS
from tests.conftest import network


def test_every_row_names_a_real_default_and_reader() -> None:
    for s in settings.SETTINGS.values():
        if s.default_parameter is not None:
            assert s.default_parameter in SPECS, s
            assert s.low <= SPECS[s.default_parameter].value <= s.high, s
        if s.world_field is not None:
            assert s.world_field in WORLD_FIELDS, s


def test_base_values_follow_the_table() -> None:
    net = network()
    p = make_scalars({})
    _, data = build_world(net, p)
    base = base_settings(net, p, data)
    assert set(base) == set(settings.SCOPES)
    for (scope, name), s in settings.SETTINGS.items():
        values = base[scope][name]
        if s.default_parameter is not None:
            assert np.all(values == getattr(p, s.default_parameter)), name
        elif s.default == "data":
            assert np.array_equal(values, data[name]) and values is not data[name], name
        else:
            assert np.all(values == float(s.default)), name
        assert np.all((values >= s.low) & (values <= s.high)), name
    assert base["corridor"]["regular_slots_mult"].shape == (len(net.origin_nodes), net.n_nodes)


def test_write_into_world_converts_percent_and_openness() -> None:
    net = network()
    p = make_scalars({})
    world, data = build_world(net, p)
    base = base_settings(net, p, data)
    base["corridor"]["remittance_cost_pct"][:] = 3.0
    base["edge"]["open"][:] = 0.4
    base["node"]["reception_quality"][:] = 0.7
    settings.write_into_world(world, base)
    assert np.allclose(world.remit_cost, 0.03)
    assert not world.edge_open.any()
    assert np.all(world.reception_quality == 0.7)


def test_scenario_accepts_every_setting_inside_its_range_and_refuses_outside() -> None:
    net = network()
    places = valid_places(net)
    example = {"node": "TUR", "origin": "AFG", "edge": "TUR->GRC_EVROS", "corridor": "AFG->DEU"}
    for (scope, name), s in settings.SETTINGS.items():
        table = settings.TABLE_OF_SCOPE[scope]
        assert example[scope] in places[scope]
        sc = parse_scenario({table: {example[scope]: {name: s.high}}}, places=places)
        assert getattr(sc, table)[example[scope]][name] == s.high
        with pytest.raises(InputError) as err:
            parse_scenario({table: {example[scope]: {name: s.high + 1}}}, places=places)
        assert err.value.where.endswith(f".{name}") and example[scope] in err.value.where


def test_set_levers_stay_inside_their_settings_range() -> None:
    for lv in LEVERS.values():
        if lv.scope == "param":
            continue
        s = settings.SETTINGS[(lv.scope, lv.field)]
        if lv.mode == "set":
            assert s.low <= lv.low < lv.high <= s.high, lv.name


def test_network_resolves_places_in_one_place() -> None:
    net = network()
    assert net.index_of("node", "TUR") == net.node_id["TUR"]
    assert net.index_of("origin", "AFG") == net.origin_index["AFG"]
    assert net.index_of("edge", "TUR->GRC_EVROS") == net.edge_index("TUR->GRC_EVROS")
    assert net.index_of("corridor", "AFG->DEU") == (net.origin_index["AFG"], net.node_id["DEU"])
    for scope, bad in (("node", "ATLANTIS"), ("origin", "TUR"), ("edge", "TUR->DEU"), ("corridor", "TUR->DEU")):
        with pytest.raises(InputError) as err:
            net.index_of(scope, bad, key="here")
        assert err.value.where == "here" and err.value.value == bad
    assert net.europe[net.node_id["GBR"]] and net.europe[net.node_id["DEU"]] and not net.europe[net.node_id["TUR"]]
