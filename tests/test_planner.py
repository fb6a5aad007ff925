"""The planner against fabricated engine state shaped like the real list API. No engine."""

import json

import pytest
from fakes import box_api, net_api

from dockerlab.core import labels as L
from dockerlab.core.observed import Observed, container_from_api, network_from_api
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.ownership import ConflictError
from dockerlab.plan.planner import make_plan
from dockerlab.plan.steps import Action

LAB = """\
name: t
prefix: ""
networks:
  lan:
    subnet: 10.1.0.0/24
    options: {com.docker.network.bridge.enable_icc: true}
  v6net:
    ipv6: true
    subnet: 10.2.0.0/24
    pools: [{subnet: "fd00:0:0:1::/64"}]
containers:
  a:
    image: busybox
    networks: {lan: {ipv4: 10.1.0.5}}
  b:
    image: busybox
    networks: [lan, v6net]
"""


@pytest.fixture
def lab():
    return parse_lab(LAB, "t.yaml")


def in_sync(lab):
    return Observed(tuple(net_api(lab, n.key) for n in lab.networks),
                    tuple(box_api(lab, c.key) for c in lab.containers))


def summary(plan):
    return [(s.action.word, s.kind.value, s.name) for s in plan.steps]


def test_empty_engine_creates_networks_before_containers(lab):
    plan = make_plan(lab, Observed((), ()))
    assert summary(plan) == [("create", "network", "lan"), ("create", "network", "v6net"),
                             ("create", "container", "a"), ("create", "container", "b")]
    b = plan.steps[3]
    assert set(b.after) == {"network:create:lan", "network:create:v6net", "container:create:a"}, \
        "b (dynamic on lan) must wait for a, which claims the static 10.1.0.5"


def test_matching_engine_plans_nothing(lab):
    assert make_plan(lab, in_sync(lab)).steps == ()


def test_daemon_filled_values_are_not_drift(lab):
    observed = in_sync(lab)
    lan = net_api(lab, "lan", IPAM={"Config": [{"Subnet": "10.1.0.0/24", "Gateway": "10.1.0.1"}]},
                  Options={"com.docker.network.bridge.enable_icc": "true", "com.docker.network.driver.mtu": "1500"})
    v6 = net_api(lab, "v6net", IPAM={"Config": [{"Subnet": "fd00:0000:0000:0001::/64", "Gateway": "fd00:0:0:1::1"},
                                               {"Subnet": "10.2.0.0/24", "Gateway": "10.2.0.1"}]})
    observed = Observed((lan, v6), observed.containers)
    assert make_plan(lab, observed).steps == ()


def test_a_changed_subnet_recreates_the_network_and_reconnects(lab):
    observed = in_sync(lab)
    lan = net_api(lab, "lan", IPAM={"Config": [{"Subnet": "10.9.0.0/24"}]})
    plan = make_plan(lab, Observed((lan, observed.networks[1]), observed.containers))
    recreate = plan.steps[0]
    assert (recreate.action.word, recreate.name, recreate.causes) == ("recreate", "lan",
                                                                 ("subnet 10.9.0.0/24 -> 10.1.0.0/24",))
    connects = [s for s in plan.steps if s.action is Action.CONNECT]
    assert {s.name for s in connects} == {"a", "b"}
    assert all("network:recreate:lan" in s.after for s in connects)


@pytest.mark.parametrize("field,value,cause", [
    ("Internal", True, "internal true -> false"),
    ("Driver", "macvlan", "driver macvlan -> bridge"),
    ("Options", {"com.docker.network.bridge.enable_icc": "false"},
     "option com.docker.network.bridge.enable_icc false -> true"),
    ("Labels", {L.LAB: "t", L.KEY: "lan", L.FILE: "t.yaml", L.OPTIONS: "com.docker.network.bridge.enable_icc",
                "x": "y"},
     "labels changed"),
])
def test_each_network_field_really_compared(lab, field, value, cause):
    observed = in_sync(lab)
    lan = net_api(lab, "lan", **{field: value})
    plan = make_plan(lab, Observed((lan, observed.networks[1]), observed.containers))
    assert plan.steps[0].causes == (cause,)


def test_an_option_removed_from_the_file_is_seen(lab):
    lab2 = parse_lab(LAB.replace("    options: {com.docker.network.bridge.enable_icc: true}\n", ""), "t.yaml")
    plan = make_plan(lab2, in_sync(lab))
    assert plan.steps[0].causes == ("option com.docker.network.bridge.enable_icc true -> (unset)",)


def test_prefix_names_are_different_networks(lab):
    stranger = network_from_api({"Name": "lanx", "Id": "zz", "Driver": "bridge", "Labels": {}})
    observed = in_sync(lab)
    assert make_plan(lab, Observed((*observed.networks, stranger), observed.containers)).steps == ()


def test_foreign_objects_with_our_names_stop_the_plan(lab):
    stranger = network_from_api({"Name": "lan", "Id": "zz", "Driver": "bridge", "Labels": {}})
    other = container_from_api({"Id": "c1", "Names": ["/a"], "Labels": {L.LAB: "other"}})
    with pytest.raises(ConflictError) as info:
        make_plan(lab, Observed((stranger,), (other,)))
    text = str(info.value)
    assert "network 'lan' already exists and was not made by dockerlab" in text
    assert "container 'a' already exists and belongs to lab 'other'" in text


def test_foreign_container_on_a_network_to_recreate_stops_the_plan(lab):
    observed = in_sync(lab)
    lan = net_api(lab, "lan", Internal=True)
    guest = container_from_api({"Id": "g", "Names": ["/guest"], "Labels": {},
                                "NetworkSettings": {"Networks": {"lan": {}}}})
    with pytest.raises(ConflictError, match="containers outside the lab use it: guest"):
        make_plan(lab, Observed((lan, observed.networks[1]), (*observed.containers, guest)))


def test_stopped_container_compares_configured_ip_and_is_started(lab):
    observed = in_sync(lab)
    a = box_api(lab, "a", state="exited")
    plan = make_plan(lab, Observed(observed.networks, (a, observed.containers[1])))
    assert summary(plan) == [("start", "container", "a")]


def test_changed_static_ip_reconnects_live(lab):
    lab2 = parse_lab(LAB.replace("10.1.0.5", "10.1.0.6"), "t.yaml")
    plan = make_plan(lab2, in_sync(lab))
    assert [(s.action.word, s.name, s.causes) for s in plan.steps] == [
        ("reconnect", "a", ("ipv4 10.1.0.5 -> 10.1.0.6",))]


def test_hand_disconnect_and_extra_network_are_drift(lab):
    observed = in_sync(lab)
    b = box_api(lab, "b")
    nets = dict(b.endpoints)
    extra = nets.pop("v6net")
    nets["bridge"] = extra
    b2 = type(b)(**{**b.__dict__, "endpoints": nets})
    plan = make_plan(lab, Observed(observed.networks, (observed.containers[0], b2)))
    assert {(s.action.word, s.network) for s in plan.steps} == {("disconnect", "bridge"),
                                                                         ("connect", "v6net")}


def test_changed_image_recreates_container(lab):
    lab2 = parse_lab(LAB.replace("image: busybox\n    networks: [lan", "image: alpine\n    networks: [lan"), "t.yaml")
    plan = make_plan(lab2, in_sync(lab))
    assert [(s.action.word, s.name, s.causes) for s in plan.steps] == [("recreate", "b", ("image busybox -> alpine",))]


def test_objects_not_in_the_file_are_removed_after_their_containers(lab):
    lab2 = parse_lab("name: t\nprefix: ''\n", "t.yaml")
    plan = make_plan(lab2, in_sync(lab))
    assert [s.action for s in plan.steps] == [Action.REMOVE] * 4
    lan = next(s for s in plan.steps if s.name == "lan")
    assert set(lan.after) == {"container:remove:a", "container:remove:b"}


def test_missing_image_is_pulled_first(lab):
    plan = make_plan(lab, in_sync(lab), images=set())
    assert summary(plan)[0] == ("pull", "image", "busybox")
    assert make_plan(lab, in_sync(lab), images={"busybox:latest"}).steps == ()


def test_plan_is_serialisable(lab):
    data = json.loads(json.dumps(make_plan(lab, Observed((), ())).to_dict()))
    assert data["summary"] == {"create": 4}
    assert data["steps"][0]["action"] == "create"



def test_a_stopped_lab_starts_its_static_addresses_first():
    """Dynamic addresses are taken anew at start: a dynamic container started first could take a static one's
    address, and every later apply would fail the same way (issue 21, C12)."""
    lab = parse_lab("name: s\nprefix: ''\nnetworks:\n  lan: {subnet: 10.5.0.0/24}\ncontainers:\n"
                    "  s1: {image: busybox, networks: {lan: {ipv4: 10.5.0.2}}}\n"
                    "  s2: {image: busybox, networks: {lan: {ipv4: 10.5.0.3}}}\n"
                    "  d1: {image: busybox, networks: [lan]}\n  d2: {image: busybox, networks: [lan]}\n", "s.yaml")
    observed = Observed((net_api(lab, "lan"),), tuple(box_api(lab, c.key, state="exited") for c in lab.containers))
    starts = {s.name: set(s.after) for s in make_plan(lab, observed).steps if s.action is Action.START}
    assert starts["s1"] == starts["s2"] == set()
    assert starts["d1"] == starts["d2"] == {"container:start:s1", "container:start:s2"}


def test_starts_never_wait_for_each_other_in_a_circle():
    """Each static on one network and dynamic on the other: neither start waits (graphlib would find a cycle)."""
    lab = parse_lab("name: s\nprefix: ''\nnetworks:\n  a: {subnet: 10.5.1.0/24}\n  b: {subnet: 10.5.2.0/24}\n"
                    "containers:\n  x: {image: busybox, networks: {a: {ipv4: 10.5.1.2}, b: {}}}\n"
                    "  y: {image: busybox, networks: {a: {}, b: {ipv4: 10.5.2.2}}}\n", "s.yaml")
    observed = Observed((net_api(lab, "a"), net_api(lab, "b")),
                        tuple(box_api(lab, c.key, state="exited") for c in lab.containers))
    starts = [s for s in make_plan(lab, observed).steps if s.action is Action.START]
    assert [s.after for s in starts] == [(), ()]


def test_a_lab_where_each_is_static_on_one_network_and_dynamic_on_the_other_can_be_made():
    """It could not before: each create waited for the other's static claim."""
    lab = parse_lab("name: s\nprefix: ''\nnetworks:\n  a: {subnet: 10.5.1.0/24}\n  b: {subnet: 10.5.2.0/24}\n"
                    "containers:\n  x: {image: busybox, networks: {a: {ipv4: 10.5.1.2}, b: {}}}\n"
                    "  y: {image: busybox, networks: {a: {}, b: {ipv4: 10.5.2.2}}}\n", "s.yaml")
    creates = [s for s in make_plan(lab, Observed((), ())).steps if s.action is Action.CREATE and s.kind.value ==
               "container"]
    assert [sorted(s.after) for s in creates] == [["network:create:a", "network:create:b"]] * 2


def test_a_container_dockerlab_reconnected_is_inspected_its_created_label_is_behind():
    """A reconnect leaves the ENDPOINTS label as it was at create: the ledger (core.labels.REDONE) names the
    containers to inspect; the others are read from the list call alone."""
    from dockerlab.core import labels as labels_
    from dockerlab.core.model import NetworkSpec
    from dockerlab.plan.diff import needs_inspect

    lab = parse_lab("name: r\nnetworks:\n  lan: {subnet: 10.1.0.0/24}\ncontainers:\n"
                    "  a: {image: busybox, networks: {lan: {aliases: [x1]}}}\n  b: {image: busybox, networks: [lan]}\n",
                    "r.yaml")
    boxes = tuple(box_api(lab, k) for k in ("a", "b"))
    ledger = NetworkSpec(key=labels_.LEDGER_NETWORK, name="r-dockerlab-redone", config_only=True)
    raw = {"Name": ledger.name, "Id": "id-ledger", "Driver": "null", "Scope": "local", "ConfigOnly": True,
           "IPAM": {"Config": []}, "Labels": {**labels_.network_labels(lab, ledger), labels_.REDONE: "cid-r-b"}}
    nets = (net_api(lab, "lan"),)
    assert needs_inspect(lab, Observed(nets, boxes)) == []
    assert needs_inspect(lab, Observed((*nets, network_from_api(raw)), boxes)) == ["r-b"]


def test_a_membership_made_anew_by_hand_is_inspected_and_a_lost_key_alias_is_drift():
    """`docker network disconnect` and `connect` by hand: the new endpoint id (the list call has it) sends that
    container alone to inspect, and the lab key missing from its aliases there is a reconnect."""
    from dataclasses import replace

    from dockerlab.core.observed import inspected_endpoint
    from dockerlab.host.endpointids import moved
    from dockerlab.plan.diff import needs_inspect

    lab = parse_lab("name: r\nnetworks:\n  lan: {subnet: 10.1.0.0/24}\ncontainers:\n"
                    "  a: {image: busybox, networks: {lan: {aliases: [x1]}}}\n  b: {image: busybox, networks: [lan]}\n"
                    "  c: {image: busybox, networks: [bridge]}\n", "r.yaml")
    nets = (net_api(lab, "lan"),)
    boxes = []
    for key in ("a", "b", "c"):
        box = box_api(lab, key)
        endpoints = {n: replace(ep, endpoint_id=f"ep-{key}") for n, ep in box.endpoints.items()}
        boxes.append(replace(box, endpoints=endpoints))
    observed = Observed(nets, tuple(boxes))
    ids = {f"cid-r-{k}": {n: f"ep-{k}" for n in box.endpoints} for k, box in zip("abc", boxes, strict=True)}
    assert moved("r", observed, ids) == [] and moved("r", observed, {}) == []
    ids["cid-r-b"] = {"r-lan": "ep-before"}
    assert moved("r", observed, ids) == ["r-b"] and needs_inspect(lab, observed, ["r-b"]) == ["r-b"]

    def inspected(key: str, aliases: list[str]) -> dict:
        net = "bridge" if key == "c" else "r-lan"
        return {"Id": f"cid-r-{key}", "Config": {"Hostname": "h"}, "NetworkSettings": {"Networks": {net: {
            "Aliases": aliases, "EndpointID": "ep-new", "IPAddress": "10.1.0.9", "MacAddress": "02:42:0a:01:00:09"}}}}
    keyed = inspected_endpoint(inspected("b", ["b"]), "r-lan", "b")
    bare = inspected_endpoint(inspected("b", []), "r-lan", "b")
    t3_only = inspected_endpoint(inspected("a", ["x1"]), "r-lan", "a")
    default = inspected_endpoint(inspected("c", []), "bridge", "c")
    assert (keyed.keyed, bare.keyed, t3_only.keyed, default.keyed) == (True, False, False, False)

    def plan_with(key: str, ep) -> list[str]:
        box = next(b for b in boxes if b.name == f"r-{key}")
        fixed = [replace(b, endpoints={n: ep for n in b.endpoints}) if b is box else b for b in boxes]
        steps = make_plan(lab, Observed(nets, tuple(fixed))).steps
        return [f"{s.action} {s.name}: {', '.join(s.causes)}" for s in steps]
    assert plan_with("b", keyed) == []
    assert plan_with("b", bare) == ["reconnect r-b: alias b missing (its lab key)"]
    assert plan_with("a", t3_only) == ["reconnect r-a: alias a missing (its lab key)"]
    assert plan_with("c", default) == [], "Docker's default bridge takes no aliases: nothing to miss there"
