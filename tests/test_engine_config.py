"""Issue 23, item 8: config-only networks and the networks that take their settings (config_from), on the real
engine: made in order, nothing to do the second time, a changed setting carried through the network that takes
it with its containers back on, the docker commands make the same lab, and destroy leaves nothing."""

import subprocess
import uuid
from ipaddress import ip_address, ip_network

import pytest
from helpers import dockerlab, lab_objects, made_by_its_commands

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  settings: {config_only: true, driver: macvlan, parent: PARENT, subnet: 10.97.50.0/24, ip_range: 10.97.50.64/26}
  lan: {driver: macvlan, config_from: settings}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.97.50.10}}}
  b: {image: busybox, command: [sleep, infinity], networks: [lan]}
checks:
  - {from: a, to: b, expect: reachable}
"""


@pytest.fixture
def lab_file(make_lab, veth):
    return make_lab(LAB.replace("PARENT", veth(f"dlt{uuid.uuid4().hex[:5]}")))


def address(client, container, network):
    return client.api.inspect_container(container)["NetworkSettings"]["Networks"][network]["IPAddress"]


def test_a_changed_setting_is_carried_through_the_network_that_takes_it(lab_file, docker_client):
    path, lab = lab_file
    dockerlab("apply", path, "--check", ok=True)
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    assert ip_address(address(docker_client, f"{lab}-b", f"{lab}-lan")) in ip_network("10.97.50.64/26")
    with open(path, "r+") as handle:
        text = handle.read().replace("10.97.50.64/26", "10.97.50.128/26")
        handle.seek(0), handle.write(text), handle.truncate()
    out = dockerlab("apply", path, "--check", ok=True).stdout
    assert f"-/+ network {lab}-lan " in out and "whose settings it takes, is made anew" in out, out
    assert ip_address(address(docker_client, f"{lab}-b", f"{lab}-lan")) in ip_network("10.97.50.128/26"), \
        "b is back, with an address of the new range"
    assert address(docker_client, f"{lab}-a", f"{lab}-lan") == "10.97.50.10"
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_the_docker_commands_make_the_same_lab(lab_file, docker_client):
    path, lab = lab_file
    made_by_its_commands(docker_client, path, lab, dockerlab("plan", "--as", "docker", path, ok=True).stdout)


SETTINGS_ONLY = """\
name: x
networks:
  settings: {config_only: true, driver: bridge, bridge: {mtu: 1400}}
  lan: {config_from: settings}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: [lan]}
checks:
  - {from: a, expect: interface, interface: eth0, mtu: 1400}
"""


def test_a_network_someone_made_from_the_labs_settings_is_never_removed(make_lab, docker_client):
    """Docker copies the lab's labels into it; the lab keeps its settings while it is there, and says so."""
    path, lab = make_lab(SETTINGS_ONLY)
    dockerlab("apply", path, "--check", ok=True)
    theirs = f"dlt-theirs-{uuid.uuid4().hex[:6]}"
    subprocess.run(["docker", "network", "create", "--config-from", f"{lab}-settings", theirs], check=True,
                   capture_output=True)  # the SDK has no config_from
    try:
        assert docker_client.api.inspect_network(theirs)["Labels"]["io.dockerlab.lab"] == lab, "as Docker does"
        assert "no changes" in dockerlab("apply", path, ok=True).stdout
        out = dockerlab("destroy", path, ok=True)
        assert f"kept network {lab}-settings: networks outside the lab take its settings ({theirs})" in out.stdout
        assert docker_client.api.inspect_network(theirs)["Name"] == theirs
        assert sorted(n.name for n in lab_networks(docker_client, lab)) == sorted([f"{lab}-settings", theirs])
    finally:
        docker_client.api.remove_network(theirs)
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def lab_networks(client, lab):
    return client.networks.list(filters={"label": f"io.dockerlab.lab={lab}"})
