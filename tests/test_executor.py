"""The executor's own logic against a fake engine: a failed reconnect puts the old membership back. No engine."""

import pytest
from fakes import FakeEngine

from dockerlab.core.capabilities import Capabilities
from dockerlab.core.observed import Observed, container_from_api, network_from_api
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.planner import make_plan
from dockerlab.run.executor import Executor, run_steps

LAB = "name: t\nprefix: ''\nnetworks:\n  lan: {subnet: 10.1.0.0/24}\ncontainers:\n  a: {image: busybox, " \
      "networks: {lan: {ipv4: 10.1.0.5}}}\n"


def live(lab_text):
    from dockerlab.core import labels as L

    lab = parse_lab(lab_text, "t.yaml")
    spec, net = lab.container("a"), lab.network("lan")
    network = network_from_api({"Name": "lan", "Id": "n1", "Driver": "bridge", "Labels": L.network_labels(lab, net),
                                "IPAM": {"Config": [{"Subnet": "10.1.0.0/24"}]}})
    box = container_from_api({"Id": "c1", "Names": ["/a"], "Image": "busybox", "State": "running",
                              "Labels": L.container_labels(lab, spec), "NetworkSettings": {"Networks": {"lan": {
                                  "IPAMConfig": {"IPv4Address": "10.1.0.5"}, "IPAddress": "10.1.0.5"}}}})
    return Observed((network,), (box,))


def test_a_failed_reconnect_puts_the_old_membership_back():
    observed = live(LAB)
    lab = parse_lab(LAB.replace("10.1.0.5", "10.1.0.6"), "t.yaml")
    plan = make_plan(lab, observed)
    assert [(s.action.word, s.name) for s in plan.steps] == [("reconnect", "a")]
    engine = FakeEngine(refuse="10.1.0.6")
    outcome = run_steps({"": Executor(engine, lab, report=lambda *a: None)}, plan)
    # by the live container's id, not by a name that could be someone else's by then
    assert engine.calls == [("disconnect", "c1", "lan"), ("connect", "c1", "lan", "10.1.0.6"),
                            ("connect", "c1", "lan", "10.1.0.5")]
    ((step, error),) = outcome.failed
    assert error == ("connect a to lan: that static IP is taken; container a is back on lan as it was "
                     "(lan (10.1.0.5))")


@pytest.mark.parametrize("version,one_at_a_time", [("1.41", True), ("1.49", False)])
def test_endpoint_serialisation_follows_the_capability_table(version, one_at_a_time):
    engine = FakeEngine(refuse="10.1.0.6")
    engine.caps = Capabilities(version)
    executor = Executor(engine, parse_lab(LAB, "t.yaml"), report=lambda *a: None)
    assert executor.one_endpoint_at_a_time is one_at_a_time
