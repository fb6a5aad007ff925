"""Host access to a macvlan network (issue 14), on the real engine's host: the interface dockerlab makes,
its drift and repair, its removal, and the interfaces it must never touch."""

import json
import pathlib
import subprocess

import pytest
from helpers import dockerlab, lab_objects

from dockerlab.core import hostaccess
from dockerlab.labfile.load import load_lab

pytestmark = pytest.mark.engine

LAB = """name: x
networks:
  lan:
    driver: macvlan
    parent: PARENT
    subnet: 10.77.14.0/24
    ip_range: 10.77.14.128/25
    host_access: {address: 10.77.14.254}
containers:
  m1: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.77.14.131}}}
checks:
  - {from: host, to: m1, expect: reachable}
  - {from: m1, to: 10.77.14.254, expect: reachable}
"""


def ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


def link(name: str) -> dict | None:
    found = json.loads(ip("-j", "-d", "addr", "show", "dev", name).stdout or "[]")
    return found[0] if found else None


@pytest.fixture
def host_lab(make_lab, veth, docker_client):
    path, lab = make_lab(LAB.replace("PARENT", veth("dlthl0")))
    full = load_lab(path)
    name = hostaccess.wanted(full, full.network("lan")).name
    yield path, lab, name
    dockerlab("destroy", path)
    ip("link", "del", name)  # whatever a failed test left


def test_life_cycle_plan_apply_drift_repair_destroy(host_lab, docker_client):
    path, lab, name = host_lab
    plan = dockerlab("plan", path, ok=True).stdout
    assert f"+ host-link {name} (macvlan bridge on dlthl0, 10.77.14.254, route 10.77.14.128/25)  [host access]" \
        in plan
    dockerlab("apply", path, "--check", ok=True)
    made = link(name)
    assert made["ifalias"] == hostaccess.alias(load_lab(path), "lan") and made["link"] == "dlthl0"
    assert made["ifalias"].startswith(f"dockerlab:{lab}:lan:"), "the alias names the lab, the network and the file"
    assert made["linkinfo"]["info_kind"] == "macvlan" and made["linkinfo"]["info_data"]["mode"] == "bridge"
    assert [a["local"] for a in made["addr_info"] if a["family"] == "inet"] == ["10.77.14.254"]
    assert "10.77.14.128/25 dev " + name in ip("route", "show").stdout
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    status = dockerlab("status", path, ok=True).stdout
    assert next(ln for ln in status.splitlines() if ln.startswith(name)).split() == [
        name, "lan", "10.77.14.254", "dlthl0", "ok"]

    ip("addr", "flush", "dev", name)  # drift: changed by hand
    ip("addr", "add", "10.77.14.250/32", "dev", name)
    out = dockerlab("plan", path, "--detailed-exitcode")
    assert out.returncode == 2 and f"-/+ host-link {name}" in out.stdout and "address 10.77.14.250 -> 10.77.14.254" \
        in out.stdout
    dockerlab("apply", path, "--check", ok=True)
    ip("link", "del", name)  # drift: deleted by hand
    assert f"+ host-link {name}" in dockerlab("plan", path, ok=True).stdout
    dockerlab("apply", path, "--check", ok=True)

    dockerlab("destroy", path, ok=True)
    assert link(name) is None and lab_objects(docker_client, lab) == []


def test_an_interface_of_that_name_that_is_not_ours_is_refused_and_left_alone(host_lab, docker_client):
    path, lab, name = host_lab
    ip("link", "add", name, "link", "dlthl0", "type", "macvlan", "mode", "bridge")
    ip("link", "set", "dev", name, "alias", "somebody else's")
    out = dockerlab("apply", path)
    assert out.returncode == 1
    assert f"interface {name} on the engine's host is not this lab's (alias 'somebody else's', macvlan)" in out.stderr
    assert lab_objects(docker_client, lab) == [], "the plan stopped before any change"
    dockerlab("destroy", path, ok=True)
    assert link(name)["ifalias"] == "somebody else's", "destroy leaves it alone too"


def test_host_access_dropped_from_the_file_removes_the_interface(host_lab, docker_client):
    path, lab, name = host_lab
    dockerlab("apply", path, ok=True)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("    host_access: {address: 10.77.14.254}\n", "").split("checks:")[0])
    out = dockerlab("apply", path, ok=True)
    assert f"- host-link {name}" in out.stdout and "[no host access in the lab file]" in out.stdout
    assert link(name) is None


def test_an_interface_an_interrupted_run_left_unmarked_is_repaired(host_lab, docker_client):
    """The alias is set just after the interface is made: a kill in between leaves it with our name only."""
    path, lab, name = host_lab
    ip("link", "add", name, "link", "dlthl0", "type", "macvlan", "mode", "bridge")
    out = dockerlab("apply", path, "--check", ok=True)
    assert f"-/+ host-link {name}" in out.stdout and "left half-made by an interrupted run" in out.stdout
    assert link(name)["ifalias"] == hostaccess.alias(load_lab(path), "lan")
    dockerlab("destroy", path, ok=True)
    assert link(name) is None


def test_destroy_of_another_file_with_the_lab_name_keeps_the_interface(host_lab, docker_client, tmp_path):
    """Issue 21, B7: the interface's alias names the file that made it, as containers' and networks' labels do."""
    path, lab, name = host_lab
    dockerlab("apply", path, ok=True)
    copy = tmp_path / "copy.yaml"
    copy.write_text(pathlib.Path(path).read_text())
    out = dockerlab("destroy", str(copy), ok=True)
    assert "host-link" not in out.stdout and link(name) is not None, out.stdout
    assert "no changes" in dockerlab("plan", path, ok=True).stdout


def test_a_veth_with_the_interfaces_name_is_never_taken_for_a_half_made_one(host_lab, docker_client):
    """Issue 21, B8: unmarked, only a macvlan interface of the very name and parent is ours."""
    path, lab, name = host_lab
    ip("link", "add", name, "type", "veth", "peer", "name", f"{name}p")
    try:
        out = dockerlab("apply", path)
        assert out.returncode == 1 and f"interface {name} on the engine's host is not this lab's" in out.stderr
        assert link(name)["linkinfo"]["info_kind"] == "veth", "left as it was"
    finally:
        ip("link", "del", name)


@pytest.mark.parametrize(("address", "says"), [
    ("10.77.14.254/24", "the host already has 10.77.14.254 on dlthl0p"),
    ("10.77.14.130/25", "dlthl0p already routes 10.77.14.128/25, which overlaps 10.77.14.128/25"),
    ("10.77.14.200/26", "dlthl0p already routes 10.77.14.192/26, which overlaps 10.77.14.128/25"),  # a part of it
    ("10.77.9.1/21", "dlthl0p already routes 10.77.8.0/21, which overlaps 10.77.14.128/25")])  # around it
def test_host_access_an_interface_of_the_host_already_holds_is_refused_before_any_change(host_lab, docker_client,
                                                                                       address, says):
    """Issue 21, B10: the host would have held the address twice, or the subnet's route (or a part of it) would
    have moved."""
    path, lab, name = host_lab
    ip("addr", "add", address, "dev", "dlthl0p")
    try:
        out = dockerlab("apply", path)
        assert out.returncode == 1 and f"network lan: host access: {says}" in out.stderr, out.stderr
        assert "nothing was changed" in out.stderr and link(name) is None
        assert lab_objects(docker_client, lab) == []
    finally:
        ip("addr", "del", address, "dev", "dlthl0p")
