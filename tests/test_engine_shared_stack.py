"""Container networks for real (labs/container-network.yaml): a sidecar on web's network stack is made after it,
made anew with it and after it restarts, and the plan as docker commands makes the same."""

import json
import pathlib
import re

import pytest
from helpers import ROOT, dockerlab, lab_objects, made_by_its_commands

pytestmark = pytest.mark.engine
LAB = (ROOT / "labs" / "container-network.yaml").read_text()


def passed(path):
    return [r["name"] for r in json.loads(dockerlab("check", path, "--json", ok=True).stdout) if r["passed"]]


def test_a_sidecar_joins_web_and_follows_it_when_it_is_made_anew_or_restarts(make_lab, docker_client):
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    web, sidecar = (docker_client.api.inspect_container(f"{lab}-{k}") for k in ("web", "sidecar"))
    assert sidecar["HostConfig"]["NetworkMode"] == f"container:{web['Id']}"
    assert sidecar["NetworkSettings"]["Networks"] == {}
    assert len(passed(path)) == 4

    docker_client.api.restart(web["Id"], timeout=1)  # by hand: the sidecar is left on a stack that is gone
    out = dockerlab("apply", path, ok=True).stdout
    assert f"-/+ container {lab}-sidecar" in out and "started again after it" in out, out
    assert len(passed(path)) == 4

    pathlib.Path(path).write_text(pathlib.Path(path).read_text().replace('"-h", "/etc"', '"-h", "/tmp"'))
    out = dockerlab("apply", path, ok=True).stdout
    assert re.search(rf"recreated container {lab}-web.*\n.*recreated container {lab}-sidecar", out), out
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    assert len(passed(path)) == 4
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_the_plan_as_docker_commands_makes_the_same_shared_stack(make_lab, docker_client):
    path, lab = make_lab(LAB)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert f"--network container:{lab}-web" in commands
    made_by_its_commands(docker_client, path, lab, commands)


def test_what_docker_refuses_beside_a_shared_stack_is_refused_before_any_change(make_lab, docker_client):
    """Docker refuses a hostname (dns, ports, ...) beside container:NAME only once web is made: refused first."""
    path, lab = make_lab(LAB.replace("network_mode: container:web", "network_mode: container:web\n    hostname: x"))
    out = dockerlab("apply", path)
    assert out.returncode == 1 and "'hostname' belongs to the network stack" in out.stderr
    assert lab_objects(docker_client, lab) == []
