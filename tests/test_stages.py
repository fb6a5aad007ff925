"""Staged labs, faults, learners' instances and grades: the pure parts (merge patches, each stage a whole lab,
instances' moved subnets, the class's CSV). The engine tests (test_engine_teaching.py) walk them for real."""

from ipaddress import ip_network

import pytest
from helpers import ROOT

from dockerlab.core import labels as L
from dockerlab.core.expect import Got
from dockerlab.errors import DockerlabError
from dockerlab.labfile.load import lab_from_data, parse_lab
from dockerlab.labfile.stages import at_stage, merge_patch
from dockerlab.labfile.variants import graded_data, instance_data
from dockerlab.learn.checkresult import CheckResult
from dockerlab.learn.grades import Grade, grades_csv

WALK = (ROOT / "labs" / "bridge-walk.yaml").read_text()


def test_a_merge_patch_merges_maps_removes_nulls_and_replaces_the_rest():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    assert merge_patch(base, {"a": {"y": [3], "z": None}, "b": None, "c": 3}) == {"a": {"x": 1, "y": [3]}, "c": 3}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}  # the stage before is left as it was


def test_each_stage_is_the_one_before_with_its_patch_and_its_own_checks():
    lab = parse_lab(WALK, "walk.yaml")
    assert [s.stage for s in lab.stages] == ["default-bridge", "web", "numbers", "isolation", "dns"]
    assert lab.stage == "default-bridge" and [c.key for c in lab.containers] == ["one", "two"]
    dns = at_stage(lab, "dns")
    assert [c.key for c in dns.containers] == ["one", "two", "web", "three", "four"]
    three = dns.container("three").attachments[0]
    assert (str(three.ipv4), three.aliases) == ("172.28.0.3", ("t3",))  # the patch merged, not replaced
    assert [c.label for c in dns.checks] == ["t3 resolves from four", "four is no name on the default bridge"]
    assert dns.stages == lab.stages and dns.faults == lab.faults
    marker = dns.network(L.STAGE_NETWORK)
    assert marker.config_only and marker.labels == ((L.STAGE, "dns"),) and marker.name == "bridge-walk-dockerlab-stage"
    with pytest.raises(DockerlabError, match="has no stage 'nope'; its stages: default-bridge, web, numbers"):
        at_stage(lab, "nope")


def test_a_fault_is_the_last_stage_broken_and_marked_by_a_digest_not_its_name():
    lab = parse_lab(WALK, "walk.yaml")
    unplugged, typo, stopped = lab.faults
    assert [a.network for a in unplugged.lab.container("four").attachments] == ["bridge"]
    assert typo.lab.container("three").attachments[0].aliases == ("t4",)
    assert stopped.stop == ("three",) and stopped.lab.containers == lab.stages[-1].containers
    marker = stopped.lab.network(L.FAULT_NETWORK)
    assert marker.labels == ((L.FAULT, L.fault_digest("bridge-walk", "three-stopped")),)
    assert "three" not in marker.labels[0][1]
    assert stopped.lab.network(L.STAGE_NETWORK) == lab.stages[-1].network(L.STAGE_NETWORK)  # the stage stays


USER_BRIDGE = {"name": "numbers", "networks": {"numbers": {"subnet": "172.28.0.0/16", "gateway": "172.28.0.1",
                                                           "ip_range": "172.28.5.0/24"}},
               "containers": {"one": {"image": "busybox"},
                              "three": {"image": "busybox", "networks": {"numbers": {"ipv4": "172.28.0.3"}}}},
               "checks": [{"from": "one", "to": "172.28.0.3", "expect": "unreachable"}]}


def test_an_instance_has_its_own_names_and_moves_a_taken_subnet_with_every_address_in_it():
    free = instance_data(USER_BRIDGE, "alice", [ip_network("172.17.0.0/16")])
    assert (free["name"], free["prefix"]) == ("numbers-alice", "alice-numbers-")
    assert free["networks"]["numbers"]["subnet"] == "172.28.0.0/16"  # nothing else holds it: kept
    assert free["containers"]["one"]["labels"] == {L.OWNER: "alice"}
    moved = instance_data(USER_BRIDGE, "bob", [ip_network("172.28.0.0/16"), ip_network("10.128.0.0/16")])
    assert moved["networks"]["numbers"] == {"subnet": "10.129.0.0/16", "gateway": "10.129.0.1",
                                            "ip_range": "10.129.5.0/24", "labels": {L.OWNER: "bob"}}
    assert moved["containers"]["three"]["networks"]["numbers"]["ipv4"] == "10.129.0.3"
    assert moved["checks"][0]["to"] == "10.129.0.3"
    lab = lab_from_data(moved, "u.yaml", "/labs/u.yaml")
    assert lab.container("three").name == "bob-numbers-three" and lab.origin == "/labs/u.yaml"
    with pytest.raises(DockerlabError, match="is not a learner's name"):
        instance_data(USER_BRIDGE, "Bob Smith", [])


def test_a_graded_lab_is_the_students_under_the_exercises_checks():
    exercise = {"checks": [{"name": "c1", "from": "one", "to": "three", "points": 2}]}
    data = graded_data({**USER_BRIDGE, "stages": [{"name": "x"}]}, exercise, "grade01-ann")
    assert (data["name"], data["prefix"], data["checks"]) == ("grade01-ann", "grade01-ann-", exercise["checks"])
    assert "stages" not in data


def test_the_class_csv_has_a_row_per_student_and_a_column_per_check():
    task = parse_lab("name: t\ncontainers:\n  a: {image: busybox}\nchecks:\n"
                     "  - {name: first, from: a, to: 10.0.0.1, points: 3}\n  - {name: second, from: a, to: 10.0.0.2}\n",
                     "t.yaml")
    first, second = task.checks
    grades = [Grade("ann", "ann.yaml", [CheckResult(first, "ping", Got.REACHABLE), CheckResult(second, "ping",
                                                                                                Got.REACHABLE)]),
              Grade("bo, jr", "bo.yaml", [CheckResult(first, "ping", Got.UNREACHABLE), CheckResult(second, "ping",
                                                                                                   Got.REACHABLE)]),
              Grade("cy", "cy.yaml", [CheckResult(c, "-", Got.ERROR, "x") for c in task.checks], "invalid lab file")]
    assert grades_csv(task.checks, grades) == ("student,points,of,first,second,error\nann,4,4,3,1,\n"
                                               '"bo, jr",1,4,0,1,\ncy,0,4,0,0,invalid lab file\n')
