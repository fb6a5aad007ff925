"""Nothing lost, nothing hijacked (issue 8), on the real engine: each test names the defect it holds shut."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import docker.errors
import pytest
from helpers import ROOT, dockerlab, lab_objects

from dockerlab.core.capabilities import Feature
from dockerlab.host.host import Host
from dockerlab.run.lock import lab_lock

pytestmark = pytest.mark.engine


def sleepers(n: int) -> str:
    """A lab of n containers that sleep."""
    return "name: x\ncontainers:\n" + "".join(f"  c{i}: {{image: busybox, command: [sleep, infinity]}}\n"
                                             for i in range(n))


def running(client, name: str) -> dict:
    box = client.api.inspect_container(name)
    assert box["State"]["Running"], f"{name} is {box['State']['Status']}"
    return box


def second_file(tmp_path, text: str, lab: str):
    """Another lab file that claims the same lab name, somewhere else."""
    other = tmp_path / "elsewhere" / "lab.yaml"
    other.parent.mkdir()
    other.write_text(text.replace("name: x", f"name: {lab}", 1))
    return str(other)


def test_2_two_files_with_one_lab_name_never_remove_each_others_objects(make_lab, docker_client, tmp_path):
    first, lab = make_lab("name: x\nnetworks:\n  n: {}\ncontainers:\n"
                          "  db: {image: busybox, command: [sleep, infinity], networks: [n]}\n")
    second = second_file(tmp_path, f"name: x\nprefix: {lab}-two-\ncontainers:\n"
                         "  web: {image: busybox, command: [sleep, infinity]}\n", lab)
    dockerlab("apply", first, ok=True)
    mine = sorted(lab_objects(docker_client, lab))

    out = dockerlab("apply", second)
    assert out.returncode == 1
    assert f"lab '{lab}' on this engine was made from {os.path.realpath(first)}" in out.stderr
    assert "`dockerlab apply --take-over FILE`" in out.stderr
    planned = dockerlab("plan", second, ok=True)  # read-only: shown as --take-over would make it, with a note
    assert f"- container {lab}-db" in planned.stdout and "note: shown as `dockerlab apply --take-over`" in \
        planned.stderr and sorted(lab_objects(docker_client, lab)) == mine
    out = dockerlab("destroy", second, ok=True)
    assert f"note: kept {lab}-" in out.stdout and f"made from {os.path.realpath(first)}" in out.stdout
    assert sorted(lab_objects(docker_client, lab)) == mine, "neither apply nor destroy of the other file touched them"

    out = dockerlab("apply", second, "--take-over", ok=True)
    assert f"- container {lab}-db" in out.stdout
    assert sorted(lab_objects(docker_client, lab)) == [f"/{lab}-two-web"]
    dockerlab("destroy", second, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_3_removing_a_container_while_making_a_network_loads_the_sdk_once(make_lab, docker_client):
    path, lab = make_lab(sleepers(4))
    dockerlab("apply", path, ok=True)
    with open(path, "w") as f:
        f.write(f"name: {lab}\nnetworks:\n" + "".join(f"  n{i}: {{}}\n" for i in range(4)))
    out = dockerlab("apply", path, ok=True)
    assert "ImportError" not in out.stdout + out.stderr
    dockerlab("destroy", path, ok=True)


def test_4_an_address_a_stranger_holds_is_refused_before_anything_changes(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.237.0.0/24}\ncontainers:\n"
                         "  a: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.237.0.5}}}\n")
    dockerlab("apply", path, ok=True)
    stranger = docker_client.containers.create("busybox", ["sleep", "infinity"], name=f"{lab}-stranger")
    docker_client.api.connect_container_to_network(stranger.id, f"{lab}-lan", ipv4_address="10.237.0.6")
    docker_client.api.disconnect_container_from_network(stranger.id, "bridge")
    stranger.start()
    try:
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("10.237.0.5", "10.237.0.6"))
        out = dockerlab("apply", path)
        assert out.returncode == 1 and "nothing was changed" in out.stderr
        assert f"10.237.0.6 on {lab}-lan is held by container '{lab}-stranger'" in out.stderr
        box = running(docker_client, f"{lab}-a")
        assert box["NetworkSettings"]["Networks"][f"{lab}-lan"]["IPAddress"] == "10.237.0.5", "a is untouched"
    finally:
        stranger.remove(force=True)
    dockerlab("destroy", path, ok=True)


def test_4_a_port_a_stranger_publishes_is_refused_before_anything_changes(make_lab, docker_client):
    path, lab = make_lab("name: x\ncontainers:\n  a: {image: busybox, command: [sleep, infinity], "
                         "ports: ['127.0.0.1:18091:80']}\n")
    stranger = docker_client.containers.run("busybox", ["sleep", "infinity"], name=f"{lab}-stranger", detach=True,
                                            ports={"80/tcp": ("127.0.0.1", 18091)})
    try:
        out = dockerlab("apply", path)
        assert out.returncode == 1
        assert f"host port 18091/tcp is published by container '{lab}-stranger'" in out.stderr
        assert lab_objects(docker_client, lab) == []
    finally:
        stranger.remove(force=True)


def test_4_a_recreate_that_cannot_start_puts_the_old_container_back(make_lab, docker_client):
    path, lab = make_lab("name: x\ncontainers:\n  a: {image: busybox, command: [sleep, infinity], "
                         "ports: ['127.0.0.1:18092:80']}\n")
    dockerlab("apply", path, ok=True)
    before = running(docker_client, f"{lab}-a")["Id"]
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("18092", "18093"))
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", 18093))  # a host process, which no preflight can see
    holder.listen()
    try:
        out = dockerlab("apply", path)
    finally:
        holder.close()
    assert out.returncode == 1, out.stdout
    assert "the new container was removed and the old one put back as it was (running)" in out.stderr
    box = running(docker_client, f"{lab}-a")
    assert box["Id"] == before and box["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1",
                                                                                    "HostPort": "18092"}]}
    assert sorted(lab_objects(docker_client, lab)) == [f"/{lab}-a"], "no parked or half-made container is left"
    dockerlab("apply", path, ok=True)  # the port is free now: the change goes through
    dockerlab("destroy", path, ok=True)


def test_5_two_labs_with_one_prefix_at_once_make_one_network(make_lab, docker_client, tmp_path):
    for round_ in range(3):
        prefix = f"dlt-shared{round_}-"
        paths = [make_lab(f"name: x\nprefix: {prefix}\nnetworks:\n  n: {{}}\n")[0] for _ in range(2)]
        procs = [subprocess.Popen([sys.executable, "-m", "dockerlab", "apply", p], cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for p in paths]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        assert sorted(code for code, _ in results) == [0, 1], results
        err = next(err for code, err in results if code == 1)
        assert "Traceback" not in err and ("appeared after the plan was made" in err or "already exists" in err)
        assert len([n for n in docker_client.api.networks() if n["Name"] == f"{prefix}n"]) == 1
        for p in paths:
            dockerlab("destroy", p, ok=True)


def test_5_a_name_two_networks_share_is_explained_and_destroy_removes_both(make_lab, docker_client):
    """Engines before 25 let two racing creations leave two networks with one name; from 25 on the engine itself
    refuses the second, whatever the client asks (so there, dockerlab creates without its own lock)."""
    path, lab = make_lab("name: x\nnetworks:\n  n: {}\n")
    labels = {"io.dockerlab.lab": lab, "io.dockerlab.key": "n", "io.dockerlab.file": os.path.realpath(path)}
    docker_client.api.create_network(f"{lab}-n", labels=labels, check_duplicate=False)
    if Host.from_env().engine.caps.has(Feature.UNIQUE_NETWORK_NAMES):
        with pytest.raises(docker.errors.APIError, match=f"network with name {lab}-n already exists"):
            docker_client.api.create_network(f"{lab}-n", labels=labels, check_duplicate=False)
        dockerlab("destroy", path, ok=True)
        assert lab_objects(docker_client, lab) == []
        return
    docker_client.api.create_network(f"{lab}-n", labels=labels, check_duplicate=False)
    out = dockerlab("plan", path)
    assert out.returncode == 1 and f"two networks are named '{lab}-n'" in out.stderr
    assert "`dockerlab destroy` removes both" in out.stderr
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_5_the_lock_holds_however_the_socket_is_spelled(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  n: {}\n")
    with lab_lock(lab, Host.from_env().engine.identity):
        out = dockerlab("apply", path, env={"DOCKER_HOST": "unix:///run/../run/docker.sock"})
    assert out.returncode == 1 and f"lab '{lab}' is being changed by dockerlab pid" in out.stderr


@pytest.fixture
def bare_image(docker_client, tmp_path):
    """An image that can sleep and nothing else: no ping, nc, nslookup, ip or timeout."""
    (tmp_path / "ctx" / "bin").mkdir(parents=True)
    shutil.copy("/bin/busybox", tmp_path / "ctx" / "bin" / "sleep")
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM scratch\nCOPY bin /bin\n")
    tag = "dlt-bare:1"
    docker_client.images.build(path=str(tmp_path / "ctx"), tag=tag, rm=True, forcerm=True)
    yield tag
    docker_client.images.remove(tag, force=True)


def test_6_a_probe_that_cannot_run_is_an_error_never_a_result(make_lab, docker_client, bare_image):
    """The image has no tools and no probe container can be had (no such probe image): an error each."""
    path, lab = make_lab(f"name: x\nnetworks:\n  a: {{}}\n  b: {{}}\ncontainers:\n"
                         f"  bare: {{image: '{bare_image}', command: [sleep, infinity], networks: [a]}}\n"
                         "  far: {image: busybox, command: [sleep, infinity], networks: [b]}\n"
                         "checks:\n  - {from: bare, to: far, expect: unreachable}\n"
                         "  - {from: bare, to: far, by: name, expect: unresolvable}\n"
                         "  - {from: bare, expect: only-loopback}\n")
    dockerlab("apply", path, ok=True)
    out = dockerlab("check", path, "--json", env={"DOCKERLAB_PROBE_IMAGE": "dlt-no-probe:1"})
    assert out.returncode == 1
    import json

    results = json.loads(out.stdout)
    assert [r["got"] for r in results] == ["error"] * 3, results
    assert all("cannot run in container bare" in r["reason"] for r in results)
    beside = json.loads(dockerlab("check", path, "--json").stdout)  # with busybox as the probe beside it
    assert [r["got"] for r in beside] == ["unreachable", "unresolvable", "more-interfaces"], beside
    dockerlab("destroy", path, ok=True)


def test_7_a_container_that_exits_at_start_fails_the_apply_and_says_why(make_lab, docker_client):
    path, lab = make_lab("name: x\ncontainers:\n  ok: {image: busybox, command: [sleep, infinity]}\n"
                         "  quitter: {image: busybox, command: [sh, -c, 'echo bye from quitter; exit 3']}\n")
    for _ in range(2):  # and again: never a silent restart on every apply
        out = dockerlab("apply", path)
        assert out.returncode == 1
        assert (f"container {lab}-quitter exited right after it started, with exit code 3; its last output: "
                "bye from quitter") in out.stderr
    assert dockerlab("status", path, "--detailed-exitcode").returncode == 2
    dockerlab("destroy", path, ok=True)


def test_10_a_stranger_on_a_lab_network_keeps_that_network_and_nothing_else(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  lan: {}\n  other: {}\ncontainers:\n"
                         "  a: {image: busybox, command: [sleep, infinity], networks: [lan, other]}\n")
    dockerlab("apply", path, ok=True)
    guest = docker_client.containers.run("busybox", ["sleep", "infinity"], name=f"{lab}-guest",
                                         network=f"{lab}-lan", detach=True)
    try:
        out = dockerlab("destroy", path, ok=True)
        assert f"note: kept network {lab}-lan: containers outside the lab use it ({lab}-guest)" in out.stdout
        assert lab_objects(docker_client, lab) == [f"{lab}-lan"]
        running(docker_client, f"{lab}-guest")
    finally:
        guest.remove(force=True)
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_13_an_engine_that_stops_answering_mid_apply_keeps_the_summary(make_lab, docker_client):
    path, lab = make_lab(sleepers(6))
    daemon = Host.from_env().facts.engine_pid
    assert daemon, "the test engine is local"
    proc = subprocess.Popen([sys.executable, "-m", "dockerlab", "apply", path, "--parallel", "1"], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DOCKERLAB_TIMEOUT": "2"})
    try:
        while not proc.stdout.readline().strip().startswith("ok "):
            assert proc.poll() is None, "the apply ended before the engine could be stopped"
        os.kill(daemon, signal.SIGSTOP)
        started = time.monotonic()
        _, err = proc.communicate(timeout=60)
        waited = time.monotonic() - started
    finally:
        os.kill(daemon, signal.SIGCONT)
    assert proc.returncode == 1 and "Traceback" not in err
    # a read waits 2 s, a change three times as long: whichever was under way when the engine stopped
    assert re.search(r"stopped answering \(no reply in [26] s\)", err) and "done: 1 of 6 steps" in err, err
    assert "not done: create container" in err
    assert waited < 15, "one call waits for the hung engine, not every step"
    dockerlab("apply", path, ok=True)
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_14_an_interrupted_destroy_says_how_to_finish_and_exits_130(make_lab, docker_client):
    path, lab = make_lab(sleepers(8))
    dockerlab("apply", path, ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "dockerlab", "destroy", path, "--parallel", "1"], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not proc.stdout.readline().strip().startswith("ok "):
        assert proc.poll() is None, "the destroy ended before it could be stopped"
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "destroy was interrupted" in err
    assert f"`dockerlab destroy --lab {lab}` again removes it" in err and "apply" not in err
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_15_destroy_of_a_lab_name_that_is_not_here_says_so(docker_client):
    out = dockerlab("destroy", "--lab", "dlt-no-such-lab", ok=True)
    assert "nothing to remove; no object on this engine is labelled 'dlt-no-such-lab'" in out.stdout


def test_15_the_stand_in_image_has_what_busybox_has(make_lab, docker_client):
    path, lab = make_lab("name: x\ncontainers:\n  a: {image: busybox, command: "
                         "[sh, -c, 'echo x > /tmp/f && test -d /root && grep -q ^root: /etc/passwd && sleep 3600']}\n")
    dockerlab("apply", path, ok=True)
    dockerlab("destroy", path, ok=True)
