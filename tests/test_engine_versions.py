"""What changed between Docker 20.10 and 28, held on whichever engine runs (`make test ENGINE=20|28`): a changed
network never leaves its containers stranded, the pools the daemon adds are not drift, and what an older engine
would ignore is refused before any change."""

import docker.errors
import pytest
from helpers import dockerlab, lab_objects

from dockerlab.core.capabilities import Feature
from dockerlab.host.host import Host

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  lan: {subnet: 10.97.0.0/24, ip_range: 10.97.0.128/25}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.97.0.10, aliases: [alpha]}}}
  b: {image: busybox, command: [sleep, infinity], networks: [lan]}
checks:
  - {from: b, to: alpha, by: name, expect: reachable}
  - {from: a, to: b, expect: reachable}
"""


@pytest.fixture
def make_lab(make_lab):
    """Each lab a test makes is destroyed after it, passed or not: the next test's subnets are free."""
    made = []

    def write(text: str) -> tuple[str, str]:
        made.append(make_lab(text))
        return made[-1]
    yield write
    for path, _ in made:
        dockerlab("destroy", path)


def caps():
    return Host.from_env().engine.caps


def memberships(client, lab: str) -> dict[str, tuple[str, list[str]]]:
    found = {}
    for box in client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"}):
        ep = box.attrs["NetworkSettings"]["Networks"].get(f"{lab}-lan") or {}
        found[box.name] = ((ep.get("IPAMConfig") or {}).get("IPv4Address"), sorted(ep.get("Aliases") or []))
    return found


def test_a_network_made_anew_takes_its_containers_along(make_lab, docker_client, tmp_path):
    """Docker 28 refused the reconnect when the containers' network mode was the old network's id."""
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    file = tmp_path / f"{lab}.yaml"
    file.write_text(file.read_text().replace("10.97.0.", "10.97.1."))
    out = dockerlab("apply", path, "--check", ok=True)
    assert "recreated network" in out.stdout and "2 of 2 checks passed" in out.stdout, out.stdout
    assert "no changes" in dockerlab("plan", path, ok=True).stdout


def test_a_container_made_on_the_old_networks_id_is_made_anew(make_lab, docker_client, tmp_path):
    """As an earlier dockerlab made them: network mode by id. Docker 28 cannot connect such a container to the
    network made anew, so the plan recreates it instead."""
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    old = docker_client.api.inspect_container(f"{lab}-b")
    net_id = docker_client.api.inspect_network(f"{lab}-lan")["Id"]
    docker_client.api.remove_container(old["Id"], force=True)
    made = docker_client.api.create_container(
        "busybox", ["sleep", "infinity"], name=f"{lab}-b", labels=old["Config"]["Labels"],
        host_config=docker_client.api.create_host_config(network_mode=net_id))
    docker_client.api.start(made["Id"])
    file = tmp_path / f"{lab}.yaml"
    file.write_text(file.read_text().replace("10.97.0.", "10.97.1."))
    plan = dockerlab("plan", path, ok=True).stdout
    assert f"its network mode is the id of network {lab}-lan" in plan, plan
    out = dockerlab("apply", path, "--check", ok=True)
    assert "2 of 2 checks passed" in out.stdout, out.stdout
    assert docker_client.api.inspect_container(f"{lab}-b")["HostConfig"]["NetworkMode"] == f"{lab}-lan"


def test_a_network_the_engine_refuses_to_make_anew_is_put_back_as_it_was(make_lab, docker_client, tmp_path):
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    before = memberships(docker_client, lab)
    file = tmp_path / f"{lab}.yaml"
    good = file.read_text()
    file.write_text(good.replace("ip_range: 10.97.0.128/25}", "ip_range: 10.97.0.128/25,"
                                 " options: {com.docker.network.driver.mtu: abc}}"))
    out = dockerlab("apply", path)
    assert out.returncode == 1 and "failed to parse com.docker.network.driver.mtu value: abc" in out.stderr
    assert f"network {lab}-lan was made again as it was, with {lab}-a, {lab}-b back on it" in out.stderr, out.stderr
    assert memberships(docker_client, lab) == before
    file.write_text(good)
    assert "no changes" in dockerlab("plan", path, ok=True).stdout, "put back with its labels: the lab's own again"
    assert "2 of 2 checks passed" in dockerlab("check", path, ok=True).stdout


def test_a_network_of_only_an_ipv6_subnet_settles_in_one_apply(make_lab, docker_client):
    """The daemon adds an IPv4 pool of its own choosing: that is not drift."""
    path, lab = make_lab("name: x\nnetworks:\n  six: {ipv6: true, subnet: 'fd00:db8:97::/64'}\ncontainers:\n"
                         "  a: {image: busybox, command: [sleep, infinity],"
                         " networks: {six: {ipv6: 'fd00:db8:97::10'}}}\n"
                         "  b: {image: busybox, command: [sleep, infinity], networks: [six]}\n"
                         "checks:\n  - {from: b, to: 'fd00:db8:97::10', expect: reachable}\n")
    out = dockerlab("apply", path, "--check", ok=True)
    assert "1 of 1 checks passed" in out.stdout, out.stdout
    pools = [c["Subnet"] for c in docker_client.api.inspect_network(f"{lab}-six")["IPAM"]["Config"]]
    assert "fd00:db8:97::/64" in pools and len(pools) == 2, pools
    assert dockerlab("plan", path, "--detailed-exitcode").returncode == 0


def test_ipv6_without_a_subnet_is_the_engines_to_choose_or_refused_before_any_change(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  auto: {ipv6: true, subnet: 10.97.2.0/24}\n")
    if not caps().has(Feature.IPV6_AUTO_SUBNET):
        out = dockerlab("apply", path)
        assert out.returncode == 1 and "'ipv6: true' without an IPv6 subnet" in out.stderr, out.stderr
        assert "Docker 27.0 has it" in out.stderr and "nothing was changed" in out.stderr
        assert lab_objects(docker_client, lab) == []
        return
    dockerlab("apply", path, ok=True)
    pools = [c["Subnet"] for c in docker_client.api.inspect_network(f"{lab}-auto")["IPAM"]["Config"]]
    assert any(":" in p for p in pools), f"the engine gave it an IPv6 subnet: {pools}"
    assert dockerlab("plan", path, "--detailed-exitcode").returncode == 0


def test_an_option_this_engine_would_ignore_is_refused_naming_the_release(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  n: {options: {com.docker.network.bridge.gateway_mode_ipv4: "
                         "nat-unprotected}}\n")
    out = dockerlab("apply", path)
    if caps().has(Feature.GATEWAY_MODE_UNPROTECTED):
        assert out.returncode == 0, out.stderr
        opts = docker_client.api.inspect_network(f"{lab}-n")["Options"]
        assert opts["com.docker.network.bridge.gateway_mode_ipv4"] == "nat-unprotected"
        return
    assert out.returncode == 1 and "Docker 28.0 has it" in out.stderr and "nothing was changed" in out.stderr
    assert lab_objects(docker_client, lab) == []


def test_the_engine_keeps_network_names_unique_from_25(docker_client):
    """Why dockerlab takes no lock of its own to create a network there."""
    name = "dlt-unique-name"
    docker_client.api.create_network(name, labels={"io.dockerlab.lab": "dlt-unique"})
    try:
        if caps().has(Feature.UNIQUE_NETWORK_NAMES):
            with pytest.raises(docker.errors.APIError, match="already exists"):
                docker_client.api.create_network(name, check_duplicate=False, labels={"io.dockerlab.lab": "dlt-u"})
        else:
            docker_client.api.create_network(name, check_duplicate=False, labels={"io.dockerlab.lab": "dlt-unique"})
            assert len([n for n in docker_client.api.networks() if n["Name"] == name]) == 2
    finally:
        for net in [n for n in docker_client.api.networks() if n["Name"] == name]:
            docker_client.api.remove_network(net["Id"])


def test_version_and_status_name_the_engine_and_its_api(make_lab, docker_client):
    server = docker_client.version()
    engine = f"Docker {server['Version']} (API {server['ApiVersion']})"
    out = dockerlab("--version", ok=True).stdout
    assert "tested on Docker 20.10 (API 1.41), Docker 28.5 (API 1.51)" in out and f"engine: {engine} at " in out
    gone = dockerlab("--version", env={"DOCKER_HOST": "unix:///nonexistent.sock"}, ok=True).stdout
    assert "engine: no Docker engine answers at unix:///nonexistent.sock" in gone
    path, _ = make_lab("name: x\nnetworks:\n  n: {}\n")
    assert f"engine: {engine} at " in dockerlab("status", path).stdout
    assert dockerlab("status", path, "--json").stdout.count(f'"api": "{server["ApiVersion"]}"') == 1


def test_a_container_on_dockers_bridge_first_joins_its_other_networks_with_its_macs(make_lab, docker_client):
    """Created on all its networks at once where the engine can (API 1.44+): Docker's bridge as the network mode
    still leaves the others to be joined, and its MAC is set on that endpoint."""
    path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.97.3.0/24}\ncontainers:\n"
                         "  a: {image: busybox, command: [sleep, infinity],"
                         " networks: {bridge: {mac: '02:42:0a:61:03:0a'}, lan: {ipv4: 10.97.3.10}}}\n"
                         "  b: {image: busybox, command: [sleep, infinity], networks: [lan, bridge]}\n")
    dockerlab("apply", path, ok=True)
    a = docker_client.api.inspect_container(f"{lab}-a")
    assert a["HostConfig"]["NetworkMode"] == "bridge"
    nets = a["NetworkSettings"]["Networks"]
    assert sorted(nets) == ["bridge", f"{lab}-lan"] and nets[f"{lab}-lan"]["IPAddress"] == "10.97.3.10"
    assert nets["bridge"]["MacAddress"] == "02:42:0a:61:03:0a"
    b = docker_client.api.inspect_container(f"{lab}-b")
    assert b["HostConfig"]["NetworkMode"] == f"{lab}-lan" and sorted(b["NetworkSettings"]["Networks"]) == [
        "bridge", f"{lab}-lan"]
    assert dockerlab("plan", path, "--detailed-exitcode").returncode == 0
