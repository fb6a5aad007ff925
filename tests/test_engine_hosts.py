"""Labs across hosts, for real: more engines in network namespaces on this machine (scripts/hosts.sh), one
swarm that dockerlab forms and undoes, overlay networks that carry pings between the engines.

The rig is taken down before (an interrupted earlier run) and after; a swarm the machine's engine is in
that no test lab formed is never touched: the tests then skip, saying why.
"""

from __future__ import annotations

import os
import re
import subprocess

import docker
import pytest
from helpers import ROOT, TEST_LAB_PREFIX, dockerlab, leave_test_swarm, swarm_former

pytestmark = pytest.mark.engine
HOSTS = ROOT / "scripts" / "hosts.sh"
SOCKETS = {"h1": None, "h2": "unix:///run/dockerlab-h2.sock", "h3": "unix:///run/dockerlab-h3.sock"}


def _rig(*args: str) -> None:
    done = subprocess.run(["bash", str(HOSTS), *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _not_a_foreign_swarm(client: docker.DockerClient) -> None:
    """The tests form their own swarm: the machine's engine must be in none (or one a test left)."""
    leave_test_swarm(client)
    if swarm_former(client) is not None:
        why = "the machine's engine is in a swarm no test formed; the tests across hosts would change it"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def rig(docker_client):
    if os.geteuid() != 0:
        pytest.skip("the rig of engines in network namespaces needs root")
    _not_a_foreign_swarm(docker_client)
    had_gwbridge = bool(docker_client.api.networks(names=["docker_gwbridge"]))
    _rig("down")
    _rig("up", "3")
    clients = {k: docker.DockerClient(base_url=s) if s else docker_client for k, s in SOCKETS.items()}
    try:
        yield clients
    finally:
        leave_test_swarm(docker_client)
        _rig("down")
        if not had_gwbridge:
            for net in docker_client.api.networks(names=["docker_gwbridge"]):
                docker_client.api.remove_network(net["Id"])


@pytest.fixture(autouse=True)
def _each_test_undone(rig):
    """What a failed test left (a swarm, a lab's objects) goes after it, so that one failure does not fail the
    tests after it. The rig's own engines (h2, h3) are the tests' alone: they leave any swarm."""
    yield
    leave_test_swarm(rig["h1"])
    for key, client in rig.items():
        if key != "h1" and client.info()["Swarm"]["LocalNodeState"] != "inactive":
            client.swarm.leave(force=True)
        for box in client.containers.list(all=True, filters={"label": "io.dockerlab.lab"}):
            if box.labels["io.dockerlab.lab"].startswith(TEST_LAB_PREFIX):
                box.remove(force=True)
        # those that take a config-only network's settings first: Docker keeps that one while they are
        for net in sorted(client.networks.list(filters={"label": "io.dockerlab.lab"}),
                          key=lambda n: bool(n.attrs.get("ConfigOnly"))):
            if net.attrs["Labels"]["io.dockerlab.lab"].startswith(TEST_LAB_PREFIX):
                net.remove()


def lab_copy(tmp_path, name: str, lab: str) -> str:
    text = (ROOT / "labs" / f"{name}.yaml").read_text()
    text = re.sub(r"^name: .*$", f"name: {lab}", text, count=1, flags=re.M)
    path = tmp_path / f"{lab}.yaml"
    path.write_text(text)
    return str(path)


def left_on(client: docker.DockerClient, lab: str) -> list[str]:
    label = {"label": f"io.dockerlab.lab={lab}"}
    return ([c.name for c in client.containers.list(all=True, filters=label)]
            + [n.name for n in client.networks.list(filters=label)])


@pytest.mark.parametrize("name, hosts", [("overlay-2hosts", 2), ("overlay-3hosts", 3), ("macvlan-swarm", 2)])
def test_a_lab_across_hosts_applies_converges_checks_and_goes(rig, tmp_path, name, hosts):
    lab = f"{TEST_LAB_PREFIX}{name}"
    path = lab_copy(tmp_path, name, lab)
    applied = dockerlab("apply", path, ok=True)
    assert applied.stdout.count("ok swarm") == hosts, applied.stdout  # init, then a join for each other host
    assert f"its {hosts} hosts match the file" in applied.stdout
    again = dockerlab("apply", path, ok=True)
    assert "no changes" in again.stdout and "ok " not in again.stdout
    dockerlab("plan", path, "--detailed-exitcode", ok=True)
    checked = dockerlab("check", path, ok=True)
    assert re.search(r"(\d+) of \1 checks passed", checked.stdout), checked.stdout
    status = dockerlab("status", path, "--detailed-exitcode", ok=True)
    assert all(f"h{k} " in status.stdout for k in range(1, hosts + 1)), status.stdout
    listed = dockerlab("ls", path, ok=True)
    assert len(re.findall(rf"^{lab} +1/1 ", listed.stdout, flags=re.M)) == hosts, listed.stdout
    gone = dockerlab("destroy", path, ok=True)
    assert "the swarm ends" in gone.stdout
    for key, client in list(rig.items())[:hosts]:
        assert left_on(client, lab) == [], key
        assert client.info()["Swarm"]["LocalNodeState"] == "inactive", key
        assert not client.api.networks(names=["docker_gwbridge"]) or key == "h1", key


TWO = """\
name: x
hosts:
  h1: {address: 10.233.0.1}
  h2: {docker_host: "SOCKET", address: 10.233.0.2}
swarm: {form: FORM}
networks:
  mesh: {driver: overlay, attachable: true, subnet: 10.77.54.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: [mesh]}
  b: {image: IMAGE, command: [sleep, infinity], host: h2, networks: [mesh]}
"""


def two(make_lab, socket="unix:///run/dockerlab-h2.sock", form="true", image="busybox"):
    return make_lab(TWO.replace("SOCKET", socket).replace("FORM", form).replace("IMAGE", image))


def test_a_host_that_does_not_answer_stops_everything_before_any_change(rig, make_lab):
    path, lab = two(make_lab, socket="unix:///run/dockerlab-h9.sock")
    out = dockerlab("apply", path)
    assert out.returncode == 1
    assert "host h2 (unix:///run/dockerlab-h9.sock) does not answer" in out.stderr
    assert "nothing was changed on any host" in out.stderr
    assert left_on(rig["h1"], lab) == [] and rig["h1"].info()["Swarm"]["LocalNodeState"] == "inactive"


def test_a_swarm_the_lab_may_not_form_is_asked_for(rig, make_lab):
    path, lab = two(make_lab, form="false")
    out = dockerlab("apply", path)
    assert out.returncode == 1 and "nothing was changed" in out.stderr
    assert "the swarm state of host h1 is 'inactive'" in out.stderr and "swarm: {form: true}" in out.stderr
    assert left_on(rig["h1"], lab) == []


def test_a_host_failing_mid_apply_says_what_was_done_where(rig, make_lab):
    """h2 lacks the image and no registry answers: h1's part is made, h2's container is not; the summary says
    which host failed, what was done and what was not, and destroy removes it all (and the swarm)."""
    rig["h1"].images.get("busybox").tag("dlt-only-on-h1", "1")
    try:
        path, lab = two(make_lab, image="dlt-only-on-h1:1")
        out = dockerlab("apply", path)
        assert out.returncode == 1, out.stdout
        assert "failed: pull image dlt-only-on-h1:1 on h2" in out.stderr
        assert "not done: create container " in out.stderr and f"{lab}-b on h2" in out.stderr
        assert left_on(rig["h1"], lab), "h1's part was made"
        dockerlab("destroy", path, ok=True)
        for key in ("h1", "h2"):
            assert left_on(rig[key], lab) == [] and rig[key].info()["Swarm"]["LocalNodeState"] == "inactive"
    finally:
        rig["h1"].images.remove("dlt-only-on-h1:1")


def test_a_docker_context_names_a_host(rig, make_lab, tmp_path):
    """docker_host may name a Docker context (kept here in a config directory of the test's own)."""
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text("{}")
    env = {"DOCKER_CONFIG": str(config)}
    made = subprocess.run(["docker", "context", "create", "dlt-h2", "--docker", f"host={SOCKETS['h2']}"],
                          capture_output=True, text=True, env={**os.environ, **env})
    assert made.returncode == 0, made.stderr
    path, _ = two(make_lab, socket="dlt-h2")
    planned = dockerlab("plan", path, env=env, ok=True)
    assert f"on host h2 ({SOCKETS['h2']}):" in planned.stdout
    path, _ = two(make_lab, socket="dlt-nosuch")
    out = dockerlab("plan", path, env=env)
    assert out.returncode == 1 and "docker_host 'dlt-nosuch' is neither an address" in out.stderr


def test_the_plan_as_docker_commands_makes_a_lab_across_hosts(rig, tmp_path):
    """The commands form the swarm (without dockerlab's label: the CLI cannot set one), make the overlay on the
    manager and each host's part with `docker -H`; then dockerlab finds nothing to do. The swarm is the test's
    to undo: dockerlab leaves alone a swarm it did not form."""
    lab = f"{TEST_LAB_PREFIX}cmds"
    path = lab_copy(tmp_path, "overlay-2hosts", lab)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "swarm join --token" in commands and "-H unix:///run/dockerlab-h2.sock" in commands
    try:
        done = subprocess.run(["bash", "-c", commands], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, commands + done.stderr
        assert "no changes" in dockerlab("plan", path, "--detailed-exitcode", ok=True).stdout
        gone = dockerlab("destroy", path, ok=True)
        assert "swarm" not in gone.stdout, "a swarm dockerlab did not form stays"
        for key in ("h1", "h2"):
            assert left_on(rig[key], lab) == [], key
    finally:
        for key in ("h2", "h1"):
            if rig[key].info()["Swarm"]["LocalNodeState"] == "active":
                rig[key].swarm.leave(force=True)
