"""Impairments without an engine: units, the tc arguments, tc's JSON read back (as iproute2 6.1 prints it,
captured from the full-kernel VM and this machine), the plan's steps and the checks' verdicts."""

import pytest
from test_planner import box_api, net_api

from dockerlab.core.check import Check
from dockerlab.core.impairment import Link, from_tc, link_from, parse_percent, parse_rate, parse_time
from dockerlab.core.observed import Observed
from dockerlab.labfile.load import parse_lab
from dockerlab.learn import pings
from dockerlab.plan.planner import make_plan
from dockerlab.plan.steps import Action, Kind

# `tc -j qdisc show` after `tc qdisc add dev lo root netem delay 1.5ms 250us loss 0.5% rate 1mbit`
NETEM = {"kind": "netem", "handle": "8001:", "root": True, "refcnt": 2, "options": {
    "limit": 1000, "delay": {"delay": 0.001499, "jitter": 0.000249, "correlation": 0},
    "loss-random": {"loss": 0.005, "correlation": 0},
    "rate": {"rate": 125000, "packetoverhead": 0, "cellsize": 0, "celloverhead": 0}, "ecn": False, "gap": 0}}
TBF = {"kind": "tbf", "handle": "8001:", "root": True, "refcnt": 2,
       "options": {"rate": 250000, "burst": 16000, "lat": 50000}}
NOQUEUE = {"kind": "noqueue", "handle": "0:", "root": True, "refcnt": 2, "options": {}}


@pytest.mark.parametrize("text, value", [("100ms", 100_000), ("1.5ms", 1_500), ("250us", 250), ("2s", 2_000_000)])
def test_times(text, value):
    assert parse_time(text) == value


@pytest.mark.parametrize("text, value", [("1mbit", 1_000_000), ("512kbit", 512_000), ("1.5gbit", 1_500_000_000),
                                         ("64000bit", 64_000)])
def test_rates(text, value):
    assert parse_rate(text) == value


def test_percent_from_a_number_or_a_string():
    assert parse_percent(5) == 5.0 and parse_percent("0.5%") == 0.5 and parse_percent("x") is None


def test_rate_alone_is_tbf_anything_else_is_netem_with_the_rate_in_it():
    assert Link(rate_bps=1_000_000).tc_args()[:3] == ["tbf", "rate", "1mbit"]
    assert Link(100_000, 10_000, 5, 1_000_000).tc_args() == [
        "netem", "delay", "100ms", "10ms", "loss", "5%", "rate", "1mbit"]
    assert Link(1_500, 250).tc_args() == ["netem", "delay", "1.5ms", "250us"]
    assert Link(loss=30).tc_args() == ["netem", "loss", "30%"]


def test_tbf_burst_holds_a_full_frame_even_at_low_rates():
    args = Link(rate_bps=64_000).tc_args()
    assert int(args[args.index("burst") + 1]) >= 3000


def test_what_tc_reports_reads_back_as_what_was_set():
    link = from_tc(NETEM)
    assert link is not None
    assert link.changes_to(Link(1_500, 250, 0.5, 1_000_000)) == []  # tick rounding is not drift
    assert from_tc(TBF) == Link(rate_bps=2_000_000)
    assert from_tc(NOQUEUE) is None and from_tc({}) is None


def test_changes_say_what_moved():
    assert Link(50_000).changes_to(Link(100_000, loss=1)) == ["delay 50ms -> 100ms", "loss none -> 1%"]


def test_described_for_people():
    assert Link(100_000, 10_000, 5, 1_000_000).describe() == "delay 100ms ±10ms, loss 5%, rate 1mbit"
    assert Link(rate_bps=512_000).describe() == "rate 512kbit"


def test_an_endpoint_without_impairments_has_no_link():
    assert link_from({"ipv4": "10.0.0.2"}) is None
    assert link_from({"loss": 5}) == Link(loss=5.0)


LAB = """\
name: t
prefix: ""
networks:
  lan: {subnet: 10.1.0.0/24}
containers:
  a:
    image: busybox
    networks: {lan: {delay: 100ms, loss: 5%}}
  b:
    image: busybox
    networks: [lan]
"""


def observed(lab, links=None, state="running"):
    return Observed((net_api(lab, "lan"),), (box_api(lab, "a", state), box_api(lab, "b")), links=links or {})


def impairment_steps(plan):
    return [(s.action, s.name, s.network, s.causes) for s in plan.steps if s.kind is Kind.IMPAIRMENT]


def test_a_new_container_is_impaired_after_it_is_made():
    lab = parse_lab(LAB, "t.yaml")
    plan = make_plan(lab, Observed((), ()))
    step = next(s for s in plan.steps if s.kind is Kind.IMPAIRMENT)
    assert (step.action, step.name, step.network, step.detail) == (Action.CREATE, "a", "lan", "delay 100ms, loss 5%")
    assert "container:create:a" in step.after


def test_set_as_the_file_says_is_no_change():
    lab = parse_lab(LAB, "t.yaml")
    assert make_plan(lab, observed(lab, {"a": {"lan": Link(100_000, loss=5)}, "b": {"lan": None}})).steps == ()


def test_drift_is_repaired_live_and_an_impairment_dropped_from_the_file_removed():
    lab = parse_lab(LAB, "t.yaml")
    plan = make_plan(lab, observed(lab, {"a": {"lan": Link(20_000)}, "b": {"lan": Link(rate_bps=1_000_000)}}))
    assert impairment_steps(plan) == [
        (Action.UPDATE, "a", "lan", ("delay 20ms -> 100ms", "loss none -> 5%")),
        (Action.REMOVE, "b", "lan", ("not in the lab file",))]
    assert not [s for s in plan.steps if s.kind is Kind.CONTAINER], "no container is recreated for it"


def test_a_started_container_has_a_new_namespace_so_it_is_impaired_again():
    lab = parse_lab(LAB, "t.yaml")
    plan = make_plan(lab, observed(lab, {"b": {"lan": None}}, state="exited"))
    step = next(s for s in plan.steps if s.kind is Kind.IMPAIRMENT)
    assert step.action is Action.CREATE and "container:start:a" in step.after


BUSYBOX = """PING 10.1.0.3 (10.1.0.3): 56 data bytes
--- 10.1.0.3 ping statistics ---
10 packets transmitted, 8 packets received, 20% packet loss
round-trip min/avg/max = 100.112/104.388/110.020 ms
"""


def measuring(**bounds):
    return Check("a", "b", count=10, rtt_us=(bounds.get("low"), bounds.get("high")),
                 loss=(bounds.get("low_loss"), bounds.get("high_loss")))


def test_pings_within_bounds_pass_and_say_what_was_seen():
    got, reason = pings.verdict(measuring(low=90_000, high=150_000, high_loss=30), 0, BUSYBOX)
    assert (got, reason) == ("reachable", "average round trip 104.388 ms, 20% lost of 10")


@pytest.mark.parametrize("bounds, got", [({"high": 50_000}, "too-slow"), ({"low": 200_000}, "too-fast"),
                                         ({"high_loss": 10}, "too-lossy"), ({"low_loss": 50}, "too-little-loss")])
def test_pings_out_of_bounds_fail_with_the_bound(bounds, got):
    assert pings.verdict(measuring(**bounds), 0, BUSYBOX)[0] == got


def test_a_plain_ping_is_only_reached_or_not():
    assert pings.verdict(Check("a", "b"), 1, "1 packets transmitted, 0 packets received, 100% packet loss") == (
        "unreachable", "100% packet loss")
    assert pings.options(Check("a", "b")) == ["-c", "1"]
    assert pings.options(measuring(high=1)) == ["-c", "10", "-i", "0.2"]


@pytest.mark.parametrize("target, out, expected", [
    ("bc1", "PING bc1 (10.250.0.3): 56 data bytes\n64 bytes from 10.250.0.3: seq=0 ttl=64 time=0.1 ms", "10.250.0.3"),
    ("bc1", "PING bc1 (10.250.0.3) 56(84) bytes of data.\n", "10.250.0.3"),  # iputils
    ("six", "PING six (fd00:7::3): 56 data bytes\n", "fd00:7::3"),
    ("bc9", "ping: bad address 'bc9'\n", None),  # busybox: the name did not resolve
    ("bc9", "ping: bc9: Name or service not known\n", None),  # iputils
    ("10.250.0.9", "ping: sendto: Network unreachable\n", "10.250.0.9"),  # an address never fails to resolve
])
def test_where_a_ping_went(target: str, out: str, expected: str | None) -> None:
    """A check by name pings the name: the address it reached is read from ping's first line."""
    assert pings.address(target, out) == expected


def test_no_impairments_where_the_engine_is_not_on_this_machine(monkeypatch):
    """Where the socket's peer cannot be asked (SO_PEERCRED is Linux's; Docker Desktop on macOS keeps its engine in
    a VM), there is no namespace here to enter: no shaper, so preflight refuses impairments with the reason."""
    import socket

    from dockerlab.host.host import Host

    monkeypatch.delattr(socket, "SO_PEERCRED", raising=False)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    host = Host("unix:///var/run/docker.sock")
    assert host.is_local and host.facts.engine_pid is None and host.shaper is None and host.links is None
