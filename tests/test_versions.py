"""What differs between engines, decided without one: the version gates (one table), what each engine fills in
on its own (never drift), and the parent rules checked before any change. No engine."""

import pytest
from fakes import FakeHost, live_network

from dockerlab.core import labels as L
from dockerlab.core.capabilities import OPTION_GATES, Capabilities, Feature, option_features
from dockerlab.core.observed import Observed, container_from_api
from dockerlab.errors import DockerlabError
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.planner import make_plan
from dockerlab.plan.preflight import preflight_problems

OLD, NEW = "1.41", "1.51"  # Debian 12's 20.10 and Docker 28.5



def problems(text: str, api: str, observed: Observed | None = None) -> list[str]:
    lab = parse_lab(text, "v.yaml")
    observed = observed or Observed((), ())
    return preflight_problems(lab, make_plan(lab, observed), observed, FakeHost(api=api))


def test_every_gate_names_a_release_and_its_api():
    for feature in Feature:
        assert feature.api.startswith("1.") and feature.release[0].isdigit(), feature
        assert "Docker " + feature.release in (Capabilities("1.12").lacks(feature) or ""), feature
        assert Capabilities(feature.api).lacks(feature) is None, feature
    assert {g.feature for g in OPTION_GATES} <= set(Feature)


@pytest.mark.parametrize(("options", "needs"), [
    ({"com.docker.network.bridge.gateway_mode_ipv4": "routed"}, [Feature.GATEWAY_MODE]),
    ({"com.docker.network.bridge.gateway_mode_ipv6": "isolated"},
     [Feature.GATEWAY_MODE, Feature.GATEWAY_MODE_UNPROTECTED]),
    ({"com.docker.network.bridge.trusted_host_interfaces": "eth1"}, [Feature.TRUSTED_HOST_INTERFACES]),
    ({"com.docker.network.driver.mtu": "1400"}, []),
])
def test_an_option_is_gated_by_its_row(options, needs):
    assert [f for _, f in option_features("bridge", options)] == needs
    assert option_features("macvlan", options) == []  # a bridge option on another driver is not gated


def test_an_option_an_old_engine_would_ignore_is_refused_naming_the_release():
    lab = "name: v\nnetworks:\n  n: {options: {com.docker.network.bridge.gateway_mode_ipv4: routed}}\n"
    assert problems(lab, NEW) == []
    found = problems(lab, OLD)
    assert found == ["network n: com.docker.network.bridge.gateway_mode_ipv4=routed: this engine (API 1.41) "
                     "lacks the bridge gateway modes (gateway_mode_ipv4/_ipv6: nat, routed); Docker 27.0 has it"]


def test_ipvlan_l3s_and_its_flag_need_23():
    lab = ("name: v\nnetworks:\n  n: {driver: ipvlan, parent: p0, mode: l3s, subnet: 10.9.0.0/24,"
           " options: {ipvlan_flag: private}}\n")
    found = problems(lab, OLD)
    assert [p.split(":")[1].strip() for p in found] == ["ipvlan_mode=l3s", "ipvlan_flag=private"]
    assert all("Docker 23.0 has it" in p for p in found)
    assert problems(lab, "1.42") == []


def test_ipv6_without_a_subnet_needs_27_and_validates():
    lab = "name: v\nnetworks:\n  n: {ipv6: true}\n"
    assert problems(lab, "1.46") == []
    assert problems(lab, OLD) == ["network n: 'ipv6: true' without an IPv6 subnet: this engine (API 1.41) lacks an "
                                  "IPv6 subnet of its own choosing for 'ipv6: true' without one; Docker 27.0 has "
                                  "it; give it an IPv6 subnet"]


def test_two_macvlan_networks_on_one_parent_need_27():
    lab = ("name: v\nnetworks:\n  a: {driver: macvlan, parent: p0, subnet: 10.9.0.0/24}\n"
           "  b: {driver: macvlan, parent: p0, subnet: 10.9.1.0/24}\n")
    assert problems(lab, NEW) == []
    assert problems(lab, OLD) == ["network b and network a share the parent interface p0: this engine (API 1.41) "
                                  "lacks several macvlan networks on one parent interface; Docker 27.0 has it"]


def test_a_network_outside_the_lab_on_the_parent_counts():
    other = live_network("theirs", [{"Subnet": "10.8.0.0/24"}], Driver="ipvlan", Options={"parent": "p0"})
    lab = "name: v\nnetworks:\n  a: {driver: macvlan, parent: p0, subnet: 10.9.0.0/24}\n"
    found = problems(lab, NEW, Observed((other,), ()))
    assert found == ["network a and network 'theirs' (not in this lab) share the parent interface p0: ipvlan "
                     "and macvlan networks cannot share a parent: the kernel allows one kind of link on it"]


@pytest.mark.parametrize(("first", "second", "why"), [
    ("ipvlan", "ipvlan", "Docker allows one ipvlan network per parent interface"),
    ("macvlan", "ipvlan", "the kernel allows one kind of link on it"),
])
def test_parents_no_engine_shares_are_refused_at_validate(first, second, why):
    lab = (f"name: v\nnetworks:\n  a: {{driver: {first}, parent: p0, subnet: 10.9.0.0/24}}\n"
           f"  b: {{driver: {second}, parent: p0, subnet: 10.9.1.0/24}}\n")
    with pytest.raises(DockerlabError) as info:
        parse_lab(lab, "v.yaml")
    assert "networks.b.parent: network 'a' has the parent p0 too: " in str(info.value) and why in str(info.value)


def test_the_pools_the_daemon_adds_are_not_drift():
    """An IPv6-only subnet gets an IPv4 pool of the daemon's choosing; 'ipv6: true' alone a ULA /64 (27+)."""
    lab = parse_lab("name: v\nprefix: ''\nnetworks:\n  six: {ipv6: true, subnet: 'fd00:db8:1234::/64'}\n"
                    "  auto: {ipv6: true, subnet: 10.9.0.0/24}\n", "v.yaml")
    six, auto = lab.network("six"), lab.network("auto")
    live = (live_network("six", [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"},
                                 {"Subnet": "fd00:db8:1234::/64"}], L.network_labels(lab, six), EnableIPv6=True),
            live_network("auto", [{"Subnet": "10.9.0.0/24"}, {"Subnet": "fd4e:1f2a:9b3c::/64"}],
                         L.network_labels(lab, auto), EnableIPv6=True))
    assert make_plan(lab, Observed(live, ())).steps == ()


def test_a_subnet_dockerlab_sent_and_the_file_dropped_is_a_change():
    before = parse_lab("name: v\nprefix: ''\nnetworks:\n  n: {ipv6: true, subnet: 10.9.0.0/24,"
                       " pools: [{subnet: 'fd00:1::/64'}]}\n", "v.yaml")
    after = parse_lab("name: v\nprefix: ''\nnetworks:\n  n: {ipv6: true, subnet: 'fd00:1::/64'}\n", "v.yaml")
    live = live_network("n", [{"Subnet": "10.9.0.0/24"}, {"Subnet": "fd00:1::/64"}],
                        L.network_labels(before, before.network("n")), EnableIPv6=True)
    steps = make_plan(after, Observed((live,), ())).steps
    assert [(s.action.word, s.causes) for s in steps] == [
        ("recreate", ("subnet 10.9.0.0/24, fd00:1::/64 -> fd00:1::/64",))]


@pytest.mark.parametrize(("mode", "network", "file_networks", "steps"), [
    ("N" * 64, {"Subnet": "10.8.0.0/24"}, "n: {subnet: 10.9.0.0/24}",  # the network's id; the network made anew
     [("recreate", "network", "subnet 10.8.0.0/24 -> 10.9.0.0/24"),
      ("recreate", "container", "its network mode is the id of network n, which this plan makes anew")]),
    ("N" * 12, {"Subnet": "10.8.0.0/24"}, "n: {subnet: 10.9.0.0/24}",  # a short id, as `docker run` takes one
     [("recreate", "network", "subnet 10.8.0.0/24 -> 10.9.0.0/24"),
      ("recreate", "container", "its network mode is the id of network n, which this plan makes anew")]),
    ("n", {"Subnet": "10.8.0.0/24"}, "n: {subnet: 10.9.0.0/24}",  # by name: it just joins the new one
     [("recreate", "network", "subnet 10.8.0.0/24 -> 10.9.0.0/24"), ("connect", "container", "network recreated")]),
    ("f" * 64, {"Subnet": "10.9.0.0/24"}, "n: {subnet: 10.9.0.0/24}",  # the id of a network long gone
     [("recreate", "container", f"its network mode is network {'f' * 64}, which is gone")]),
])
def test_a_container_whose_network_mode_will_name_nothing_is_made_anew(mode, network, file_networks, steps):
    """Docker 28 refuses to connect or start a container whose network mode names no network, and a mode cannot
    be changed: such a container is made anew. By name, a network made anew is the same network."""
    lab = parse_lab(f"name: v\nprefix: ''\nnetworks:\n  {file_networks}\n"
                    "containers:\n  c: {image: busybox, networks: [n]}\n", "v.yaml")
    live = live_network("n", [network], L.network_labels(lab, lab.network("n")), Id="N" * 64)
    box = container_from_api({
        "Id": "cid", "Names": ["/c"], "Image": "busybox", "Command": "sh", "State": "running",
        "Labels": L.container_labels(lab, lab.container("c")), "HostConfig": {"NetworkMode": mode},
        "NetworkSettings": {"Networks": {"n": {"NetworkID": "N" * 64, "IPAddress": "10.8.0.2"}}}})
    plan = make_plan(lab, Observed((live,), (box,)))
    assert [(s.action.word, s.kind.value, *s.causes) for s in plan.steps] == steps


def test_a_container_whose_network_mode_network_the_plan_removes_is_made_anew():
    lab = parse_lab("name: v\nprefix: ''\nnetworks:\n  m: {subnet: 10.9.1.0/24}\n"
                    "containers:\n  c: {image: busybox, networks: [m]}\n", "v.yaml")
    old = parse_lab("name: v\nprefix: ''\nnetworks:\n  n: {}\n", "v.yaml")
    live = (live_network("n", [], L.network_labels(old, old.network("n")), Id="N" * 64),
            live_network("m", [{"Subnet": "10.9.1.0/24"}], L.network_labels(lab, lab.network("m")), Id="M" * 64))
    box = container_from_api({
        "Id": "cid", "Names": ["/c"], "Image": "busybox", "Command": "sh", "State": "running",
        "Labels": L.container_labels(lab, lab.container("c")), "HostConfig": {"NetworkMode": "n"},
        "NetworkSettings": {"Networks": {"m": {"NetworkID": "M" * 64, "IPAddress": "10.9.1.2"}}}})
    plan = make_plan(lab, Observed(live, (box,)))
    assert sorted((s.action.word, s.kind.value, *s.causes) for s in plan.steps) == [
        ("recreate", "container", "its network mode is network n, which this plan removes"),
        ("remove", "network", "not in the lab file")]


ENDPOINTS = """\
name: v
networks:
  n: {subnet: 10.31.1.0/24}
containers:
  a:
    image: busybox
    networks:
      n: {gw_priority: 5, interface: lan0, sysctls: {net.ipv4.conf.IFNAME.forwarding: 1}}
"""


def test_an_endpoints_own_settings_need_the_release_that_reads_them():
    """An older engine takes them and ignores them: the container would not be what the file says."""
    assert problems(ENDPOINTS, NEW) == []
    assert [p.split(":")[1].strip() for p in problems(ENDPOINTS, "1.45")] == ["gw_priority", "interface"]
    found = problems(ENDPOINTS, OLD)
    assert found[0] == ("container a on n: sysctls: this engine (API 1.41) lacks settings of one interface of a "
                        "container (an endpoint's sysctls); Docker 26.1 has it")
    assert [p.split(":")[1].strip() for p in found] == ["sysctls", "gw_priority", "interface"]


def test_an_ipv6_only_network_needs_28_and_gateway_modes_written_as_keys_are_gated_too():
    lab = ("name: v\nnetworks:\n  n: {ipv6: true, ipv4: false, subnet: 'fd00:1::/64',"
           " bridge: {gateway_mode_ipv6: routed}}\n")
    assert problems(lab, NEW) == []
    assert problems(lab, "1.46") == ["network n: ipv4: false: this engine (API 1.46) lacks IPv6-only networks "
                                     "(ipv4: false); Docker 28.0 has it"]
    assert [p.split(":")[1].strip() for p in problems(lab, OLD)] == [
        "com.docker.network.bridge.gateway_mode_ipv6=routed", "ipv4"]


def test_a_bridge_name_an_interface_of_the_host_has_is_refused():
    """Docker would take the interface (the user's own bridge, say) as the network's."""
    lab = "name: v\nnetworks:\n  n: {bridge: {name: p0}}\n  m: {bridge: {name: br-free}}\n"
    assert problems(lab, NEW) == ["network n: the host has an interface 'p0' that is no Docker network's bridge; "
                                  "Docker would take it as this network's: name the bridge another way"]
    made = Observed((live_network("v-old", Options={"com.docker.network.bridge.name": "p0"}),), ())
    assert problems(lab, NEW, made) == []  # an engine's network has it: Docker says whether it may be shared


def test_a_top_level_eth0_sysctl_is_refused_where_docker_28_refuses_it():
    lab = ("name: v\nnetworks:\n  n: {subnet: 10.31.1.0/24}\ncontainers:\n  a: {image: busybox, networks: [n],"
           " sysctls: {net.ipv4.conf.eth0.rp_filter: 2, net.ipv4.conf.all.rp_filter: 2}}\n")
    assert problems(lab, "1.47") == []  # Docker moves it to the first network's endpoint
    assert problems(lab, NEW) == ["container a: sysctls: net.ipv4.conf.eth0.rp_filter: this engine (API 1.51) "
                                  "refuses a setting of one interface here; write it on its first network: "
                                  "networks: {n: {sysctls: {net.ipv4.conf.IFNAME.rp_filter: ...}}}"]
