"""Checks of a container's own network state, read from `ip`, /proc/sys and resolv.conf as the kernel writes
them: parsed from fixed outputs (a fake exec: pure logic, the engine tests run them live)."""

import pytest

from dockerlab.core.endpoint import Attachment, from_driver_opts
from dockerlab.core.expect import Got
from dockerlab.engine.transport import refused
from dockerlab.errors import EngineError, NetworkNotFound
from dockerlab.labfile.load import parse_lab
from dockerlab.learn.checkresult import CheckError
from dockerlab.learn.stateprobes import StateProbes

LAB = """\
name: s
networks:
  lan: {subnet: 10.9.0.0/24}
containers:
  a: {image: busybox, networks: {lan: {ipv4: 10.9.0.5}}}
  b: {image: busybox, networks: [lan]}
checks:
  - {from: a, expect: route, to: default, via: 10.9.0.1}
  - {from: a, expect: route, to: 10.9.0.7, interface: eth1}
  - {from: a, expect: interface, interface: eth0, mtu: 1400, address: 10.9.0.5}
  - {from: a, expect: address, address: 10.9.0.5}
  - {from: a, expect: sysctl, sysctl: net.ipv4.ip_forward, value: 1}
  - {from: a, expect: resolver, resolver: 10.9.0.53}
  - {from: a, expect: no-interface, interface: eth9}
"""


class Probes(StateProbes):
    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def _exec(self, check, argv):
        self.asked.append(argv)
        return self.answers[" ".join(argv)]

    def _address(self, check):
        return check.target


@pytest.fixture
def checks():
    return parse_lab(LAB, "s.yaml").checks


def test_a_route_is_read_with_its_gateway_and_its_interface(checks):
    probes = Probes({"ip route show default": (0, "default via 10.9.0.1 dev eth0 \n"),
                     "ip route get 10.9.0.7": (0, "10.9.0.7 dev eth0 src 10.9.0.5 uid 0\n    cache\n")})
    assert probes._route(checks[0]).got is Got.ROUTE
    other = probes._route(checks[1])
    assert other.got is Got.NO_ROUTE and "(not on eth1)" in other.reason


def test_no_route_is_the_kernel_saying_so_and_a_killed_probe_is_an_error(checks):
    said = Probes({"ip route get 10.9.0.7": (2, "RTNETLINK answers: Network is unreachable\n")})
    assert said._route(checks[1]).got is Got.NO_ROUTE
    killed = Probes({"ip route get 10.9.0.7": (137, "")})
    with pytest.raises(CheckError, match="ended with 137"):
        killed._route(checks[1])


def test_an_interface_is_read_with_its_mtu_and_addresses(checks):
    addr = "2: eth0    inet 10.9.0.5/24 brd 10.9.0.255 scope global eth0\\       valid_lft forever\n"
    link = "2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP \\    link/ether 02:42\n"
    probes = Probes({"ip -o addr show dev eth0": (0, addr), "ip -o link show dev eth0": (0, link),
                     "ip -o addr show dev eth9": (1, 'Device "eth9" does not exist.\n'),
                     "ip -o addr show": (0, "1: lo    inet 127.0.0.1/8 scope host lo\n" + addr)})
    found = probes._link(checks[2])
    assert found.got is Got.OTHER_INTERFACE and found.reason == "eth0 has mtu 1500, not 1400"
    assert probes._link(checks[6]).got is Got.NO_INTERFACE
    assert probes._holds(checks[3]).got is Got.ADDRESS


def test_a_sysctl_and_a_resolver_are_read_as_the_kernel_and_docker_write_them(checks):
    probes = Probes({"cat /proc/sys/net/ipv4/ip_forward": (0, "1\n"),
                     "cat /etc/resolv.conf": (0, "search lab\nnameserver 127.0.0.11\noptions ndots:0\n")})
    assert probes._sysctl(checks[4]).got is Got.SYSCTL
    assert probes._resolver(checks[5]).got is Got.NO_RESOLVER


def test_an_endpoints_sysctls_come_back_as_the_file_writes_them():
    """The CLI lowers IFNAME (docker/cli); the engine takes both."""
    made = Attachment("lan", interface="lan0", sysctls=(("net.ipv4.conf.IFNAME.forwarding", "1"),))
    assert from_driver_opts(made.driver_opts()) == ("lan0", made.sysctls)
    lowered = {k: v.lower() for k, v in made.driver_opts().items()}
    assert from_driver_opts(lowered) == ("lan0", made.sysctls)


@pytest.mark.parametrize(("message", "kind"), [
    ("network dlt-x-mesh not found", NetworkNotFound),
    ("No such network: dlt-x-mesh", NetworkNotFound),
    ("network not found: 4f2a9c", NetworkNotFound),  # the bridge, macvlan and ipvlan drivers' words
    ("No such container: network-lab-web", EngineError),  # a name with "network" in it is not a network
])
def test_a_404_is_typed_by_the_engines_words(message, kind):
    with pytest.raises(EngineError) as info:
        refused("start container x", 404, message, missing_ok=False)
    assert type(info.value) is kind


def test_an_interface_probe_killed_half_way_is_an_error(checks):
    """The second `ip` (its link) killed at the time limit: not "no interface"."""
    probes = Probes({"ip -o addr show dev eth9": (0, "3: eth9    inet 10.9.0.5/24 scope global eth9\n"),
                     "ip -o link show dev eth9": (137, "")})
    with pytest.raises(CheckError, match="ended with 137"):
        probes._link(checks[6])


def test_a_probe_from_this_machine_that_cannot_start_is_an_error_and_a_slow_one_no_answer():
    """A tool that is not there never reads as "unreachable" (an isolation check would pass untested)."""
    from dockerlab.learn.fromhost import run_here

    with pytest.raises(CheckError, match="cannot run /nonexistent/ping on this machine: No such file"):
        run_here(["/nonexistent/ping", "-c", "1", "10.9.0.5"], 1)
    assert run_here(["sleep", "5"], 0.2) == (1, "no answer in 0.2 s")


def test_a_missing_nsenter_or_ip_names_the_package_to_install(monkeypatch, tmp_path):
    """Issue 27's first hour: a machine without util-linux or iproute2 is told which, not an OSError."""
    from dockerlab.errors import DockerlabError
    from dockerlab.host.facts import answer_in

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DockerlabError, match="this machine has no nsenter; install util-linux"):
        answer_in(1, "ip", "-j", "link", "show")
    (tmp_path / "nsenter").symlink_to("/usr/bin/nsenter")
    with pytest.raises(DockerlabError, match="this machine has no ip; install iproute2"):
        answer_in(1, "ip", "-j", "link", "show")
