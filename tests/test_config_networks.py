"""Config-only networks and the networks that take their settings (config_from): planned, ordered and
compared as Docker makes them (it copies the settings and the labels, and names the driver null). Pure."""

import pytest
from fakes import box_api, net_api
from test_placement import plan_for

from dockerlab.core.observed import Membership, Observed
from dockerlab.core.placement import slice_for
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.ownership import ConflictError
from dockerlab.plan.planner import make_plan
from dockerlab.plan.steps import Action, Kind, Mode

LAB = """
name: cf
networks:
  settings: {config_only: true, parent: eth1, subnet: 10.77.20.0/24, gateway: 10.77.20.1}
  lan: {driver: macvlan, config_from: settings}
containers:
  c1: {image: busybox, networks: {lan: {ipv4: 10.77.20.10}}}
"""


def live(lab):
    return Observed(tuple(net_api(lab, n.key) for n in lab.networks),
                    tuple(box_api(lab, c.key) for c in lab.containers))


def steps(plan):
    return {(s.kind, s.action, s.name): s for s in plan.steps}


def test_the_network_has_its_settings_in_the_model():
    lan = parse_lab(LAB, "lab.yaml").network("lan")
    assert lan.config_from == "cf-settings" and lan.parent == "eth1"
    assert [str(p.subnet) for p in lan.pools] == ["10.77.20.0/24"]


def test_a_config_only_network_is_made_before_the_network_that_takes_its_settings():
    plan = make_plan(parse_lab(LAB, "lab.yaml"), Observed((), ()))
    made = steps(plan)
    lan = made[Kind.NETWORK, Action.CREATE, "cf-lan"]
    assert made[Kind.NETWORK, Action.CREATE, "cf-settings"].id in lan.after


def test_as_docker_made_them_nothing_differs():
    """Docker names the driver null and gives the network the config network's labels: neither is drift."""
    lab = parse_lab(LAB, "lab.yaml")
    assert make_plan(lab, live(lab)).steps == ()


def test_a_changed_setting_takes_its_network_down_first_and_makes_it_again_after():
    before = parse_lab(LAB, "lab.yaml")
    lab = parse_lab(LAB.replace("gateway: 10.77.20.1", "gateway: 10.77.20.254"), "lab.yaml")
    made = steps(make_plan(lab, live(before)))
    settings = made[Kind.NETWORK, Action.RECREATE, "cf-settings"]
    lan = made[Kind.NETWORK, Action.RECREATE, "cf-lan"]
    assert settings.networks == ("cf-lan",) and settings.members == (("cf-c1", "cf-lan"),)
    assert lan.attached == () and settings.id in lan.after
    assert lan.causes == ("cf-settings, whose settings it takes, is made anew",)
    assert lan.id in made[Kind.CONTAINER, Action.CONNECT, "cf-c1"].after


def test_a_config_only_network_goes_after_the_networks_that_took_its_settings():
    before = parse_lab(LAB, "lab.yaml")
    lab = parse_lab("name: cf\n", "lab.yaml")
    made = steps(make_plan(lab, live(before)))
    assert made[Kind.NETWORK, Action.REMOVE, "cf-lan"].id in made[Kind.NETWORK, Action.REMOVE, "cf-settings"].after


def test_a_network_made_with_settings_of_its_own_is_made_anew():
    before = parse_lab(LAB.replace("{driver: macvlan, config_from: settings}",
                                   "{driver: macvlan, parent: eth1, subnet: 10.77.20.0/24}")
                       .replace("{config_only: true,", "{config_only: true, driver: macvlan,"), "lab.yaml")
    lab = parse_lab(LAB, "lab.yaml")
    lan = steps(make_plan(lab, live(before)))[Kind.NETWORK, Action.RECREATE, "cf-lan"]
    assert lan.causes[0] == "settings from (its own) -> cf-settings"


def test_a_config_only_network_taken_for_a_plain_one_is_made_anew():
    lab = parse_lab(LAB, "lab.yaml")
    observed = live(lab)
    plain = net_api(lab, "settings", ConfigOnly=False, Driver="macvlan")
    observed = Observed((plain, *observed.networks[1:]), observed.containers)
    made = steps(make_plan(lab, observed))
    assert made[Kind.NETWORK, Action.RECREATE, "cf-settings"].causes == ("settings only",)


SWARM = """
name: sw
hosts:
  a: {docker_host: "unix:///run/a.sock", address: 10.9.0.1}
  b: {docker_host: "unix:///run/b.sock", address: 10.9.0.2}
swarm: {form: true}
networks:
  settings:
    config_only: true
    driver: macvlan
    parent: eth1
    subnet: 10.77.57.0/24
    per_host: {a: {ip_range: 10.77.57.64/27}, b: {ip_range: 10.77.57.96/27, parent: eth2}}
  lan: {driver: macvlan, config_from: settings, scope: swarm, attachable: true}
containers:
  x: {image: busybox, host: a, networks: [lan]}
  y: {image: busybox, host: b, networks: [lan]}
"""


def test_each_host_makes_its_own_settings_and_the_manager_the_network_across_them():
    lab = parse_lab(SWARM, "sw.yaml")
    a, b = slice_for(lab, "a"), slice_for(lab, "b")
    assert {n.key for n in a.networks} == {"settings", "lan"} and [n.key for n in b.networks] == ["settings"]
    held_a, held_b = a.network("settings"), b.network("settings")
    assert (str(held_a.pools[0].ip_range), held_a.parent) == ("10.77.57.64/27", "eth1")
    assert (str(held_b.pools[0].ip_range), held_b.parent) == ("10.77.57.96/27", "eth2")


def test_a_worker_makes_its_settings_before_its_container_joins_the_network_across_the_swarm():
    plan = plan_for(parse_lab(SWARM, "sw.yaml"))
    by_id = {s.id: s for s in plan.steps}
    assert "b/network:create:sw-settings" in by_id["b/container:create:sw-y"].after
    assert "a/network:create:sw-settings" in by_id["a/network:create:sw-lan"].after


def test_on_destroy_a_hosts_settings_go_after_the_swarm_that_took_them_ends():
    lab = parse_lab(SWARM, "sw.yaml")
    settings = {k: net_api(slice_for(lab, k), "settings") for k in "ab"}
    # as measured: the manager lists the network across the swarm with no labels, no settings; a worker's engine
    # has it too once a container joined, made with the worker's settings (and their labels)
    live = {"a": Observed((settings["a"], net_api(lab, "lan", Scope="swarm", Labels=None, Options=None)), ()),
            "b": Observed((settings["b"], net_api(lab, "lan", Scope="swarm")), (), swarm_manager=False)}
    boss = Membership(state="active", node="n1", manager=True, cluster="c", formed_by="sw")
    seen = {"a": boss, "b": Membership(state="active", node="n2", managers=("n1",))}
    plan = plan_for(parse_lab("name: sw\nhosts: {a: {address: 10.9.0.1}, b: {address: 10.9.0.2, "
                              "docker_host: 'unix:///run/b.sock'}}\nswarm: {form: true}\n", "sw.yaml"),
                    seen, Mode.DESTROY, live)
    ids = [s.id for s in plan.steps]
    assert ids.index("b/swarm:remove:swarm") < ids.index("b/network:remove:sw-settings")
    assert ids.index("a/swarm:remove:swarm") < ids.index("a/network:remove:sw-settings")
    assert "its networks with it (sw-lan)" in next(s for s in plan.steps if s.id == "a/swarm:remove:swarm").detail


def test_a_network_someone_made_from_the_labs_settings_is_not_the_labs():
    """Docker copies the config-only network's labels into it; only the users the lab named are the lab's."""
    lab = parse_lab(LAB, "lab.yaml")
    theirs = net_api(lab, "lan", Name="theirs", Id="id-theirs")
    observed = live(lab)
    plan = make_plan(parse_lab("name: cf\n", "lab.yaml"),
                     Observed((*observed.networks, theirs), observed.containers), mode=Mode.DESTROY)
    removed = {s.name for s in plan.steps if s.action is Action.REMOVE}
    assert removed == {"cf-lan", "cf-c1"}, "theirs stays, and so does the network whose settings it takes"
    assert "kept network cf-settings: networks outside the lab take its settings (theirs)" in plan.notes[0]


def test_a_changed_setting_stops_before_any_change_when_a_container_outside_the_lab_is_on_a_user():
    before = parse_lab(LAB, "lab.yaml")
    outsider = box_api(before, "c1", Names=["/outsider"], Id="id-outsider", Labels={})
    observed = live(before)
    lab = parse_lab(LAB.replace("gateway: 10.77.20.1", "gateway: 10.77.20.254"), "lab.yaml")
    with pytest.raises(ConflictError, match="containers outside the lab use them: outsider"):
        make_plan(lab, Observed(observed.networks, (*observed.containers, outsider)))


def test_a_changed_setting_beside_a_dropped_user_and_a_remade_container_has_an_order():
    """settings made anew take down both users, the one the file dropped too: nothing waits in a circle."""
    two = LAB.replace("  lan: {driver: macvlan, config_from: settings}",
                      "  lan: {driver: macvlan, config_from: settings}\n"
                      "  old-settings: {config_only: true, driver: macvlan, parent: eth2, subnet: 10.77.21.0/24}\n"
                      "  old: {driver: macvlan, config_from: old-settings}")
    two = two.replace("networks: {lan: {ipv4: 10.77.20.10}}", "networks: {lan: {ipv4: 10.77.20.10}, old: {}}")
    before = parse_lab(two, "lab.yaml")
    lab = parse_lab(LAB.replace("gateway: 10.77.20.1", "gateway: 10.77.20.254").replace("image: busybox",
                                                                                       "image: alpine"), "lab.yaml")
    plan = make_plan(lab, live(before))
    ids = [s.id for s in plan.steps]
    assert ids.index("network:recreate:cf-settings") < ids.index("network:recreate:cf-lan")
    assert ids.index("network:remove:cf-old") < ids.index("network:remove:cf-old-settings")


def test_a_changed_setting_a_dropped_user_of_it_and_a_remade_container_on_both_have_an_order():
    before = parse_lab("""
name: cy
networks:
  settings: {config_only: true, driver: bridge, bridge: {mtu: 1400}}
  lan: {config_from: settings}
  old: {config_from: settings}
containers:
  c1: {image: busybox, networks: [lan, old]}
""", "lab.yaml")
    lab = parse_lab("""
name: cy
networks:
  settings: {config_only: true, driver: bridge, bridge: {mtu: 1300}}
  lan: {config_from: settings}
containers:
  c1: {image: alpine, networks: [lan]}
""", "lab.yaml")
    made = steps(make_plan(lab, live(before)))
    settings = made[Kind.NETWORK, Action.RECREATE, "cy-settings"]
    assert settings.networks == ("cy-lan", "cy-old"), "the dropped user goes down with it"
    assert (Kind.NETWORK, Action.REMOVE, "cy-old") in made


def test_a_hosts_settings_under_a_swarm_network_are_refused_before_any_change():
    from dockerlab.plan.preflight import _settings_under_swarm

    lab = parse_lab(SWARM, "sw.yaml")
    worker = slice_for(lab, "b")
    live = Observed((net_api(worker, "settings"), net_api(lab, "lan", Scope="swarm")), (), swarm_manager=False)
    changed = slice_for(parse_lab(SWARM.replace("10.77.57.96/27", "10.77.57.128/27"), "sw.yaml"), "b")
    problems = list(_settings_under_swarm(make_plan(changed, live), live))
    assert problems == ["network settings: the swarm-scoped network sw-lan takes its settings, which cannot change "
                        "under it: `dockerlab destroy` the lab, then apply it again"]


def test_a_new_prefix_renames_settings_and_users_in_an_order():
    before = parse_lab(LAB, "lab.yaml")
    lab = parse_lab(LAB.replace("name: cf\n", "name: cf\nprefix: new-\n"), "lab.yaml")
    ids = [s.id for s in make_plan(lab, live(before)).steps]
    assert ids.index("network:remove:cf-lan") < ids.index("network:remove:cf-settings")
    assert ids.index("network:create:new-settings") < ids.index("network:create:new-lan")


def test_the_users_in_another_order_change_nothing_and_a_new_user_makes_the_settings_anew():
    text = """
name: cf
networks:
  settings: {config_only: true, driver: bridge, bridge: {mtu: 1400}}
  a: {config_from: settings}
  b: {config_from: settings}
"""
    before = parse_lab(text, "lab.yaml")
    swapped = parse_lab(text.replace("  a: {config_from: settings}\n  b: {config_from: settings}",
                                     "  b: {config_from: settings}\n  a: {config_from: settings}"), "lab.yaml")
    assert make_plan(swapped, live(before)).steps == ()
    grown = parse_lab(text + "  c: {config_from: settings}\n", "lab.yaml")
    made = steps(make_plan(grown, live(before)))
    assert made[Kind.NETWORK, Action.RECREATE, "cf-settings"].causes == (
        "cf-c will take its settings: the lab's only when it names them",)
