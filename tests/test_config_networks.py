"""Config-only networks and the networks that take their settings (config_from): planned, ordered and
compared as Docker makes them (it copies the settings and the labels, and names the driver null). Pure."""

from fakes import box_api, net_api
from test_placement import plan_for

from dockerlab.core.observed import Membership, Observed
from dockerlab.core.placement import slice_for
from dockerlab.labfile.load import parse_lab
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
    assert settings.networks == ("cf-lan",) and settings.attached == ("cf-c1",)
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
    assert lan.causes == ("settings from (its own) -> cf-settings",)


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
    assert [n.key for n in a.networks] == ["settings", "lan"] and [n.key for n in b.networks] == ["settings"]
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
            "b": Observed((settings["b"], net_api(lab, "lan", Scope="swarm")), ())}
    boss = Membership(state="active", node="n1", manager=True, cluster="c", formed_by="sw")
    seen = {"a": boss, "b": Membership(state="active", node="n2", managers=("n1",))}
    plan = plan_for(parse_lab("name: sw\nhosts: {a: {address: 10.9.0.1}, b: {address: 10.9.0.2, "
                              "docker_host: 'unix:///run/b.sock'}}\nswarm: {form: true}\n", "sw.yaml"),
                    seen, Mode.DESTROY, live)
    ids = [s.id for s in plan.steps]
    assert ids.index("b/swarm:remove:swarm") < ids.index("b/network:remove:sw-settings")
    assert ids.index("a/swarm:remove:swarm") < ids.index("a/network:remove:sw-settings")
    assert "its networks with it (sw-lan)" in next(s for s in plan.steps if s.id == "a/swarm:remove:swarm").detail
