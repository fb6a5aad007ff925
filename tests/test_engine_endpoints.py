"""An endpoint's own settings for real: the default route's network (gw_priority), interface names, one
interface's sysctls and link-local addresses; made, changed live, made the same by the docker commands. On an
engine that would ignore them (before 26.1 / 28.0) they are refused before any change."""

import pathlib
import subprocess

import pytest
from helpers import dockerlab, lab_objects, made_by_its_commands

from dockerlab.core.capabilities import Feature
from dockerlab.host.host import Host

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  left: {subnet: 10.31.1.0/24}
  right: {subnet: 10.31.2.0/24}
containers:
  multi:
    image: busybox
    command: [sleep, infinity]
    networks:
      left: {ipv4: 10.31.1.5, interface: left0, sysctls: {net.ipv4.conf.IFNAME.log_martians: 1}}
      right: {gw_priority: 10, interface: right0, link_local: [169.254.7.7]}
"""


def inside(client, name, *argv):
    return client.containers.get(name).exec_run(list(argv)).output.decode()


@pytest.fixture
def new_enough():
    caps = Host.from_env().engine.caps
    return all(caps.has(f) for f in (Feature.GW_PRIORITY, Feature.ENDPOINT_IFNAME, Feature.ENDPOINT_SYSCTLS))


def test_endpoint_settings_are_made_and_changed_live(make_lab, docker_client, new_enough):
    path, lab = make_lab(LAB)
    if not new_enough:
        out = dockerlab("apply", path)
        assert out.returncode == 1 and "gw_priority: this engine (API" in out.stderr and "Docker 28.0" in out.stderr
        assert lab_objects(docker_client, lab) == []
        return
    dockerlab("apply", path, ok=True)
    box = f"{lab}-multi"
    links = inside(docker_client, box, "ip", "-o", "link")
    assert " left0@" in links and " right0@" in links, links
    assert inside(docker_client, box, "ip", "route").startswith("default via 10.31.2.1 dev right0")
    assert inside(docker_client, box, "cat", "/proc/sys/net/ipv4/conf/left0/log_martians").strip() == "1"
    assert inside(docker_client, box, "cat", "/proc/sys/net/ipv4/conf/right0/log_martians").strip() == "0"
    assert "inet 169.254.7.7/16" in inside(docker_client, box, "ip", "-o", "addr", "show", "right0")
    assert "no changes" in dockerlab("plan", path, ok=True).stdout

    pathlib.Path(path).write_text(pathlib.Path(path).read_text().replace("gw_priority: 10, interface: right0",
                                                                         "interface: right1").replace(
        "interface: left0,", "interface: left0, gw_priority: 5,"))
    out = dockerlab("apply", path, ok=True).stdout
    assert "[gw priority 0 -> 5]" in out and "gw priority 10 -> 0; interface right0 -> right1" in out, out
    assert inside(docker_client, box, "ip", "route").startswith("default via 10.31.1.1 dev left0")
    assert " right1@" in inside(docker_client, box, "ip", "-o", "link")
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_the_plan_as_docker_commands_makes_the_same_endpoints(make_lab, docker_client, new_enough):
    if not new_enough:
        pytest.skip("this engine lacks endpoint settings (26.1/28.0): the refusal is tested beside this")
    path, lab = make_lab(LAB)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "name=" in commands and "--gw-priority 10" in commands
    made_by_its_commands(docker_client, path, lab, commands)


LINK_LOCAL = """\
name: x
networks:
  Left: {subnet: 10.31.3.0/24}
containers:
  b:
    image: busybox
    command: [sleep, infinity]
    networks:
      Left: {link_local: [169.254.7.8]}
"""


def test_a_link_local_address_on_the_first_network_is_made_by_the_commands_on_every_engine(make_lab, docker_client):
    """`docker create --link-local-ip`: a flag 20.10's CLI has, where its --network long form has no such key."""
    path, lab = make_lab(LINK_LOCAL)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "--link-local-ip 169.254.7.8" in commands and "name=" not in commands
    made_by_its_commands(docker_client, path, lab, commands)


def test_capitals_survive_the_docker_commands(make_lab, docker_client, new_enough):
    """The CLI lowers --network's long form: a network with capitals and an interface Lan0 go through connect."""
    if not new_enough:
        pytest.skip("this engine lacks interface names (28.0): the refusal is tested beside this")
    path, lab = make_lab(LINK_LOCAL.replace("Left: {link_local: [169.254.7.8]}", "Left: {interface: Lan0}"))
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "docker network disconnect" in commands
    try:
        done = subprocess.run(["bash", "-c", commands], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert " Lan0@" in inside(docker_client, f"{lab}-b", "ip", "-o", "link")
        assert "no changes" in dockerlab("plan", path, ok=True).stdout
    finally:
        dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []
