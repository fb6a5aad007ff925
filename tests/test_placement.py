"""Labs across hosts, on fabricated data: what goes where, the steps that wait across hosts, and the swarm
steps. No engine."""

import pytest

from dockerlab.core.labels import SWARM_FORMED_BY as FORMED_BY
from dockerlab.core.observed import Membership, Observed, membership, network_from_api
from dockerlab.core.placement import slice_for
from dockerlab.errors import LabFileError
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.merge import merge
from dockerlab.plan.planner import make_plan
from dockerlab.plan.steps import Action, Kind, Mode
from dockerlab.plan.swarm import forming_steps, undoing_steps

LAB = """\
name: two
hosts:
  a: {docker_host: "unix:///run/a.sock", address: 10.9.0.1}
  b: {docker_host: "unix:///run/b.sock", address: 10.9.0.2}
swarm: {form: true}
networks:
  mesh: {driver: overlay, attachable: true, subnet: 10.70.0.0/24}
  lan: {subnet: 10.71.0.0/24}
  spare: {subnet: 10.72.0.0/24}
containers:
  x: {image: busybox, networks: [mesh, lan]}
  y: {image: busybox, host: b, networks: {mesh: {}, lan: {ipv4: 10.71.0.5}}}
  z: {image: busybox, host: a, networks: {lan: {ipv4: 10.71.0.5}}}
"""
NOBODY = {"a": Membership(), "b": Membership()}


def lab():
    return parse_lab(LAB, "two.yaml")


def test_containers_default_to_the_first_host_and_the_swarm_manager_too():
    two = lab()
    assert two.container("x").host == "a" and two.container("y").host == "b"
    assert two.swarm.manager == "a" and two.swarm.form


def test_overlays_live_on_the_manager_other_networks_on_each_host_that_uses_them():
    a, b = slice_for(lab(), "a"), slice_for(lab(), "b")
    assert [n.key for n in a.networks] == ["mesh", "lan", "spare"]  # spare: used nowhere, so on the first host
    assert [n.key for n in b.networks] == ["lan"]
    assert [c.key for c in b.containers] == ["y"]
    assert [att.network for att in b.container("y").attachments] == ["two-mesh", "lan"]  # the overlay by name


def test_a_static_address_on_a_per_host_network_is_per_host():
    """y and z may share 10.71.0.5 on 'lan' while they are on two hosts, not on one."""
    with pytest.raises(LabFileError, match="10.71.0.5 on 'lan' is already given to container 'y'"):
        parse_lab(LAB.replace("z: {image: busybox, host: a", "z: {image: busybox, host: b"), "two.yaml")


def two_hosts():
    return lab()


def plan_for(lab_, seen=NOBODY, mode=Mode.APPLY, observed=None):
    plans = {k: make_plan(slice_for(lab_, k), (observed or {}).get(k, Observed((), ())), mode=mode) for k in "ab"}
    steps, problems = (forming_steps if mode is Mode.APPLY else undoing_steps)(lab_, "a", seen)
    assert not problems or mode is Mode.DESTROY
    return merge(lab_, plans, steps, mode, [])


def test_one_plan_waits_across_hosts():
    plan = plan_for(two_hosts())
    by_id = {s.id: s for s in plan.steps}
    assert "a/swarm:create:swarm" in by_id and "b/swarm:connect:swarm" in by_id
    assert "a/swarm:create:swarm" in by_id["b/swarm:connect:swarm"].after
    assert "a/swarm:create:swarm" in by_id["a/network:create:two-mesh"].after
    y = by_id["b/container:create:two-y"]
    assert {"a/network:create:two-mesh", "b/swarm:connect:swarm", "b/network:create:two-lan"} <= set(y.after)
    assert "b/network:create:two-mesh" not in by_id  # a worker never makes an overlay
    z = by_id["a/container:create:two-z"]
    assert "a/network:create:two-lan" in z.after and "b/network:create:two-lan" not in z.after
    ids = [s.id for s in plan.steps]
    assert all(ids.index(dep) < ids.index(s.id) for s in plan.steps for dep in s.after)


def overlay(on_host):
    return network_from_api({"Name": "two-mesh", "Id": f"m{on_host}", "Driver": "overlay", "Scope": "swarm",
                             "Labels": {"io.dockerlab.lab": "two", "io.dockerlab.key": "mesh",
                                        "io.dockerlab.file": "<lab>"}})


def test_destroy_removes_an_overlay_after_every_host_left_it_then_leaves_the_swarm_it_formed():
    from dockerlab.core.observed import container_from_api

    y = container_from_api({"Id": "cy", "Names": ["/two-y"], "State": "running",
                            "Labels": {"io.dockerlab.lab": "two", "io.dockerlab.key": "y",
                                       "io.dockerlab.file": "<lab>"},
                            "NetworkSettings": {"Networks": {"two-mesh": {}}}})
    boss = Membership(state="active", node="n1", manager=True, cluster="c", formed_by="two")
    seen = {"a": boss, "b": Membership(state="active", node="n2", managers=("n1",))}
    empty = parse_lab("name: two\nhosts: {a: {address: 10.9.0.1}, b: {address: 10.9.0.2, docker_host: 'unix:///run/b.sock'}}\n"
                      "swarm: {form: true}\n")
    observed = {"a": Observed((overlay("a"),), ()), "b": Observed((), (y,))}  # a worker's overlay is not its own
    plan = plan_for(empty, seen, Mode.DESTROY, observed)
    ids = [s.id for s in plan.steps]
    assert ids == ["b/container:remove:two-y", "b/swarm:remove:swarm", "a/swarm:remove:swarm"]
    assert "the swarm ends, and its networks with it (two-mesh)" in plan.steps[2].detail
    kept = Membership(state="active", node="n1", manager=True, cluster="c", formed_by="", users=())
    plan = plan_for(empty, {"a": kept, "b": seen["b"]}, Mode.DESTROY, observed)  # a swarm found stays
    ids = [s.id for s in plan.steps]
    assert ids == ["b/container:remove:two-y", "a/network:remove:two-mesh"]
    assert "b/container:remove:two-y" in plan.steps[1].after


def test_a_swarm_found_formed_is_left_alone_and_one_others_use_is_kept():
    empty = parse_lab("name: two\nhosts: {a: {address: 10.9.0.1}}\nswarm: {form: true}\n")
    found = Membership(state="active", node="n1", manager=True, formed_by="")
    assert undoing_steps(empty, "a", {"a": found}) == ([], [])
    shared = Membership(state="active", node="n1", manager=True, formed_by="two", users=("service web",))
    steps, notes = undoing_steps(empty, "a", {"a": shared})
    assert steps == [] and "kept the swarm this lab formed: service web also use it" in notes[0]


@pytest.mark.parametrize("form, seen, expected", [
    (False, NOBODY, "swarm state of host a is 'inactive'. Turn swarm mode on by hand"),
    (True, {"a": Membership(state="active", node="n1"), "b": Membership()}, "host a is in a swarm but is not a"),
    (True, {"a": Membership(state="active", node="n1", manager=True, cluster="c"),
            "b": Membership(state="active", node="n2", managers=("other",))}, "host b is in another swarm"),
    (False, {"a": Membership(state="active", node="n1", manager=True, cluster="c"), "b": Membership()},
     "host b is not in the swarm of host a"),
    (True, {"a": Membership(state="active", node="n1", manager=True, cluster="c",
                            down=(("n2", "h2 (10.9.0.2)"), ("old", "h2 (10.9.0.2)"))),
            "b": Membership(state="active", node="n2", managers=("n1",))},
     "swarm nodes are down: h2 (10.9.0.2); the hosts must reach each other on 2377/tcp"),
])
def test_what_stops_a_swarm_is_said(form, seen, expected):
    lab_ = two_hosts() if form else parse_lab(LAB.replace("swarm: {form: true}\n", ""))
    _, problems = forming_steps(lab_, "a", seen)
    assert any(expected in p for p in problems), problems


def test_a_swarm_already_formed_needs_no_step():
    seen = {"a": Membership(state="active", node="n1", manager=True, cluster="c"),
            "b": Membership(state="active", node="n2", managers=("n1",))}
    assert forming_steps(two_hosts(), "a", seen) == ([], [])


def test_membership_reads_info_swarm_spec_and_nodes():
    info = {"Swarm": {"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": True, "NodeAddr": "10.9.0.1",
                      "Cluster": {"ID": "c"}, "RemoteManagers": [{"NodeID": "n1", "Addr": "10.9.0.1:2377"}]}}
    nodes = [{"ID": "n2", "Description": {"Hostname": "h2"}, "Status": {"State": "down", "Addr": "10.9.0.2"}}]
    seen = membership(info, {"Spec": {"Labels": {FORMED_BY: "two"}}}, nodes)
    assert seen.active and seen.manager and seen.formed_by == "two" and seen.down == (("n2", "h2 (10.9.0.2)"),)
    assert Membership(state="active", node="n2", managers=("n1",)).same_swarm(seen)


@pytest.mark.parametrize("text, message", [
    ("containers: {x: {image: b, host: c}}", "no host 'c' in this lab (hosts: a, b)"),
    ("swarm: {manager: c}", "swarm.manager: no host 'c' in this lab"),
    ("swarm: {form: true}", "hosts.b: 'swarm: {form: true}' needs an 'address' on each host"),
    ("containers: {x: {image: b}}\nchecks: [{from: host, to: x}]", "'host' is ambiguous in a lab across hosts"),
])
def test_host_mistakes_are_named(text, message):
    with pytest.raises(LabFileError) as info:
        parse_lab(f"name: t\nhosts: {{a: {{address: 10.9.0.1}}, b: {{}}}}\n{text}\n", "t.yaml")
    assert message in str(info.value)


def test_a_lab_on_one_engine_plans_as_before():
    one = parse_lab("name: one\nnetworks: {n: {}}\ncontainers: {c: {image: busybox, networks: [n]}}\n")
    plan = merge(one, {"": make_plan(one, Observed((), ()))}, [], Mode.APPLY, [])
    assert [s.id for s in plan.steps] == ["network:create:one-n", "container:create:one-c"]
    assert all(s.kind is not Kind.SWARM and s.action is not Action.PULL for s in plan.steps)
