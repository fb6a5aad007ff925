"""Why a check came out otherwise (learn/diagnose), and the one table of what a check can expect. Pure."""

import pytest

from dockerlab.core.expect import By, Expect, Probe
from dockerlab.labfile.load import parse_lab
from dockerlab.labfile.schema import lab_schema
from dockerlab.learn.diagnose import MACVLAN_HOST, NO_DNS, cause

LAB = """\
name: d
networks:
  a: {subnet: 10.60.0.0/24}
  b: {subnet: 10.61.0.0/24}
  mv: {driver: macvlan, parent: p0, subnet: 10.62.0.0/24}
containers:
  one: {image: busybox, networks: [a]}
  two: {image: busybox, networks: [b]}
  old: {image: busybox, networks: [bridge]}
  old2: {image: busybox, networks: [bridge]}
  mac: {image: busybox, networks: [mv]}
checks:
  - {from: one, to: two}
  - {from: old, to: old2, by: name}
  - {from: host, to: mac}
  - {from: one, to: two, expect: unreachable}
  - {from: old, to: old2, expect: resolves}
"""


@pytest.fixture
def lab():
    return parse_lab(LAB, "d.yaml")


@pytest.mark.parametrize(("index", "got", "says"), [
    (0, "unreachable", "one is on a, two on b: they share no network, and Docker keeps networks apart"),
    (1, "unreachable", f"old {NO_DNS}"),
    (2, "unreachable", MACVLAN_HOST),
    (3, "reachable", None),  # expected to be cut off and was not: no cause is known
    (4, "unresolvable", f"old {NO_DNS}"),
    (0, "error", None),
])
def test_a_known_confusion_is_named(lab, index, got, says):
    assert cause(lab, lab.checks[index], got) == says


def test_host_access_is_the_way_in_to_macvlan(lab):
    fixed = parse_lab(LAB.replace("subnet: 10.62.0.0/24}", "subnet: 10.62.0.0/24, host_access: {address: 10.62.0.9}}"),
                      "d.yaml")
    assert cause(fixed, fixed.checks[2], "unreachable") is None


def test_the_schema_names_exactly_the_expectations_of_the_table():
    check = lab_schema()["$defs"]["check"]["properties"]
    assert check["expect"]["enum"] == [e.value for e in Expect]
    assert set(check["by"]["enum"]) == {b.value for b in By}


def test_each_expectation_has_its_opposite_on_the_same_probe():
    for probe in Probe:
        assert len([e for e in Expect if e.probe is probe]) == 2, probe


def test_every_expectation_can_be_found():
    from dockerlab.core.expect import Got

    assert all(Got(e.value).meets(e) for e in Expect)
    assert not Got.TOO_SLOW.meets(Expect.REACHABLE)
