"""What a learner changes by hand on the engine and only inspect shows: seen by status and plan, put right by
apply, while observing a lab nobody touched stays a fixed number of calls."""

import json

import pytest
from helpers import dockerlab

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  n: {subnet: 10.77.77.0/24}
containers:
  four: {image: busybox, command: [sleep, infinity], networks: [n]}
  three: {image: busybox, command: [sleep, infinity], networks: {n: {aliases: [t3]}}}
checks:
  - {name: four by name, from: three, to: four, by: name}
  - {name: t3 by name, from: four, to: t3, by: name}
"""


def test_a_hand_reconnect_that_drops_the_key_alias_is_drift_that_apply_repairs(make_lab, docker_client):
    """The hand repair a learner tries (disconnect, then connect again) loses the alias `four`: status and plan
    say so, apply reconnects it, and `ping four` works again (before, all three said in sync)."""
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    net = f"{lab}-n"
    for box, aliases in ((f"{lab}-four", []), (f"{lab}-three", ["t3"])):  # three keeps t3, loses `three`
        docker_client.api.disconnect_container_from_network(box, net)
        docker_client.api.connect_container_to_network(box, net, aliases=aliases)
    status = dockerlab("status", path, "--detailed-exitcode")
    assert status.returncode == 2, status.stdout + status.stderr
    plan = dockerlab("plan", path, ok=True).stdout
    assert "alias four missing (its lab key)" in plan and "alias three missing (its lab key)" in plan, plan
    assert dockerlab("check", path, "--only", "four by name").returncode == 1
    out = dockerlab("apply", path, "--check")
    assert out.returncode == 0 and "2 of 2 checks passed" in out.stdout, out.stdout + out.stderr
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    aliases = docker_client.api.inspect_container(f"{lab}-three")["NetworkSettings"]["Networks"][net]["Aliases"]
    assert {"three", "t3"} <= set(aliases)
    results = json.loads(dockerlab("check", path, "--json", ok=True).stdout)
    assert all(r["passed"] for r in results), results
    dockerlab("destroy", path, ok=True)
