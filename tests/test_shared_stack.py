"""A container that shares another's network stack (network_mode: container:KEY), planned and diagnosed against
fabricated engine state. No engine."""

from dataclasses import replace

import pytest
from fakes import box_api, net_api

from dockerlab.core.expect import Got
from dockerlab.core.observed import Observed
from dockerlab.core.placement import slice_for
from dockerlab.errors import LabFileError
from dockerlab.labfile.load import parse_lab
from dockerlab.learn.diagnose import cause
from dockerlab.plan.planner import make_plan
from dockerlab.plan.steps import Action

LAB = """\
name: s
networks:
  lan: {subnet: 10.5.0.0/24}
  far: {subnet: 10.6.0.0/24}
containers:
  sidecar: {image: busybox, network_mode: "container:web"}
  web: {image: busybox, networks: {lan: {ipv4: 10.5.0.10}}}
  client: {image: busybox, networks: [lan]}
  other: {image: busybox, networks: [far]}
checks:
  - {from: client, to: sidecar}
  - {from: sidecar, to: other}
"""


@pytest.fixture
def lab():
    return parse_lab(LAB, "s.yaml")


def live(lab, **boxes):
    """The lab as made; boxes: key -> fields of its observed container to change."""
    found = {c.key: box_api(lab, c.key) for c in lab.containers}
    return Observed(tuple(net_api(lab, n.key) for n in lab.networks),
                    tuple(replace(box, **boxes.get(key, {})) for key, box in found.items()))


def steps(plan):
    return {(s.name, s.action): s for s in plan.steps}


def test_it_is_made_after_the_container_whose_stack_it_shares(lab):
    plan = make_plan(lab, Observed((), ()))
    order = [s.id for s in plan.steps]
    sidecar, web = steps(plan)[("s-sidecar", Action.CREATE)], steps(plan)[("s-web", Action.CREATE)]
    assert web.id in sidecar.after and order.index(web.id) < order.index(sidecar.id)
    assert sidecar.detail == "busybox; the network stack of s-web"


def test_as_made_it_stays(lab):
    assert not make_plan(lab, live(lab)).changes


def test_it_is_made_anew_when_that_container_is(lab):
    changed = parse_lab(LAB.replace("{lan: {ipv4: 10.5.0.10}}", "{lan: {ipv4: 10.5.0.11}}"), "s.yaml")
    assert ("s-web", Action.RECREATE) not in steps(make_plan(changed, live(lab)))  # a live change: reconnect
    moved = parse_lab(LAB.replace("web: {image: busybox,", "web: {image: busybox, command: [httpd],"), "s.yaml")
    found = steps(make_plan(moved, live(lab)))
    assert found[("s-sidecar", Action.RECREATE)].causes == ("s-web, whose network stack it shares, is made anew",)
    assert found[("s-web", Action.RECREATE)].id in found[("s-sidecar", Action.RECREATE)].after


def test_it_is_made_anew_when_that_container_started_after_it(lab):
    restarted = live(lab, sidecar={"started": "2026-12-02T10:00:00.1Z"}, web={"started": "2026-12-02T10:05:00.1Z"})
    found = steps(make_plan(lab, restarted))
    assert found[("s-sidecar", Action.RECREATE)].causes == ("s-web started again after it, with a new network stack",)
    stopped = live(lab, web={"state": "exited"})
    found = steps(make_plan(lab, stopped))
    assert found[("s-sidecar", Action.RECREATE)].causes == ("s-web, whose network stack it shares, starts again",)
    assert found[("s-web", Action.START)].id in found[("s-sidecar", Action.RECREATE)].after


def test_it_is_made_anew_when_it_joined_another_container(lab):
    strays = live(lab, sidecar={"network_mode": "container:0123456789ab"})
    assert steps(make_plan(lab, strays))[("s-sidecar", Action.RECREATE)].causes == (
        "the container whose network stack it joined is not s-web as it is now",)


def test_a_check_from_or_to_it_is_diagnosed_on_the_networks_it_shares(lab):
    assert cause(lab, lab.checks[0], Got.UNREACHABLE) is None  # client and web share lan
    assert cause(lab, lab.checks[1], Got.UNREACHABLE) == (
        "sidecar is on lan, other on far: they share no network, and Docker keeps networks apart")


OVERLAY = """\
name: t11
hosts:
  h1: {address: 10.233.0.1}
  h2: {docker_host: "unix:///run/dockerlab-h2.sock", address: 10.233.0.2}
swarm: {form: true}
networks:
  my-attachable-multi-host-network: {driver: overlay, attachable: true, subnet: 10.77.60.0/24}
containers:
  e1: {image: busybox, networks: [my-attachable-multi-host-network]}
  e2: {image: busybox, host: h2, networks: [my-attachable-multi-host-network]}
checks:
  - {from: e1, to: e2, by: name}
"""


def test_an_overlay_named_by_key_and_by_its_docker_name_is_one_network():
    """A worker's part of a lab names an overlay by its Docker name (t11-...): one network, not two. And making
    that part leaves the lab as it was (a slice once shared the lab's lookup, and changed it)."""
    lab = parse_lab(OVERLAY, "t11.yaml")
    worker = slice_for(lab, "h2").container("e2")
    assert lab.container("e2").attachments[0].network == "my-attachable-multi-host-network"
    assert worker.attachments[0].network == "t11-my-attachable-multi-host-network"
    mixed = replace(lab, containers=(lab.container("e1"), worker))
    assert cause(mixed, mixed.checks[0], Got.UNREACHABLE) is None


def test_a_stopped_sidecar_starts_after_its_container_and_is_not_made_anew(lab):
    both = live(lab, web={"state": "exited"}, sidecar={"state": "exited"})
    found = steps(make_plan(lab, both))
    assert ("s-sidecar", Action.RECREATE) not in found
    assert found[("s-web", Action.START)].id in found[("s-sidecar", Action.START)].after


def test_times_are_compared_as_times():
    """Docker drops a fraction's trailing zeros: as text .123456789 sorts before .12."""
    lab = parse_lab(LAB, "s.yaml")
    restarted = live(lab, sidecar={"started": "2026-12-02T10:00:00.123456789Z"},
                     web={"started": "2026-12-02T10:00:00.12Z"})
    assert ("s-sidecar", Action.RECREATE) not in steps(make_plan(lab, restarted))


@pytest.mark.parametrize(("check", "says"), [
    ("{from: client, to: sidecar, by: name, expect: unreachable}", "has no name of its own in Docker's DNS"),
    ("{from: client, to: sidecar, expect: resolves}", "has no name of its own in Docker's DNS"),
    ("{from: client, expect: route, to: www.example}", "a route is to an address, a container of this lab"),
])
def test_checks_that_could_not_test_what_they_say_are_refused(check, says):
    with pytest.raises(LabFileError, match=says):
        parse_lab(LAB.replace("checks:\n", f"checks:\n  - {check}\n"), "s.yaml")


def test_checks_follow_the_stack_a_container_shares():
    parse_lab(LAB.replace("checks:\n", "checks:\n  - {from: client, to: sidecar@lan}\n"), "s.yaml")


def test_a_name_check_of_a_sidecar_is_fine_where_something_answers_for_its_name():
    """An alias of its container's, or a DNS server of the lab's asked instead of Docker's."""
    aliased = LAB.replace("web: {image: busybox, networks: {lan: {ipv4: 10.5.0.10}}}",
                          "web: {image: busybox, networks: {lan: {ipv4: 10.5.0.10, aliases: [sidecar]}}}")
    parse_lab(aliased.replace("checks:\n", "checks:\n  - {from: client, to: sidecar, by: name}\n"), "s.yaml")
    parse_lab(LAB.replace("checks:\n", "checks:\n  - {from: client, to: sidecar, expect: resolves,"
                                       " resolver: 10.5.0.53}\n"), "s.yaml")
