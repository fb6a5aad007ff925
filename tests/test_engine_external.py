"""Issue 23, item 3: a network the lab does not own (Compose's `external: true`), such as a CI job's. The lab's
containers join it, with a static address too; it is never made, changed or removed, and a missing one stops the
plan before any change."""

import uuid

import pytest
from helpers import dockerlab, lab_objects, made_by_its_commands

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  job: {external: true, name: NAME}
  own: {subnet: 10.97.41.0/24}
containers:
  a:
    image: busybox
    command: [sleep, infinity]
    networks: {job: {ipv4: 10.97.40.10}, own: {}}
  b: {image: busybox, command: [sleep, infinity], networks: [job]}
checks:
  - {from: b, to: a@job, expect: reachable}
"""


@pytest.fixture
def job_network(docker_client):
    """The CI job's network: made by hand, no dockerlab label."""
    name = f"dlt-job-{uuid.uuid4().hex[:6]}"
    net = docker_client.networks.create(name, ipam={"Config": [{"Subnet": "10.97.40.0/24"}]})
    yield name
    net.remove()


def test_a_lab_joins_an_external_network_and_leaves_it_as_it_was(make_lab, docker_client, job_network):
    path, lab = make_lab(LAB.replace("NAME", job_network))
    out = dockerlab("apply", path, "--check", ok=True)
    assert f"network {job_network}" not in out.stdout and f"+ network {lab}-own" in out.stdout, out.stdout
    job = docker_client.api.inspect_network(job_network)
    assert {c["Name"] for c in job["Containers"].values()} == {f"{lab}-a", f"{lab}-b"}
    assert docker_client.api.inspect_container(f"{lab}-a")["NetworkSettings"]["Networks"][job_network][
        "IPAddress"] == "10.97.40.10"
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    assert "external (not the lab's)" in dockerlab("status", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []
    after = docker_client.api.inspect_network(job_network)
    assert after["Id"] == job["Id"] and not after["Containers"] and not after.get("Labels"), "left as it was"


def test_a_missing_external_network_stops_the_plan_before_any_change(make_lab, docker_client):
    path, lab = make_lab(LAB.replace("NAME", "dlt-job-nosuch"))
    out = dockerlab("apply", path)
    assert out.returncode == 1 and "network job is external, and the engine has no network 'dlt-job-nosuch'" \
        in out.stderr and "nothing was changed" in out.stderr, out.stderr
    assert lab_objects(docker_client, lab) == []


def test_the_plan_as_docker_commands_joins_it_and_makes_nothing_of_it(make_lab, docker_client, job_network):
    path, lab = make_lab(LAB.replace("NAME", job_network))
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert job_network not in commands.split("network create", 1)[1].split("\n")[0] and "network connect" in commands
    made_by_its_commands(docker_client, path, lab, commands)
