"""apply / re-apply / edit / drift / destroy against the real engine."""

import socket
import subprocess
import threading
import time

import pytest
from helpers import ROOT, dockerlab, lab_objects, refused_apply

pytestmark = pytest.mark.engine

BRIDGE_LAB = """\
name: x
networks:
  lan:
    subnet: 10.231.0.0/24
    gateway: 10.231.0.1
    ip_range: 10.231.0.128/25
containers:
  a:
    image: busybox
    command: ["sleep", "infinity"]
    networks:
      lan: {ipv4: 10.231.0.10, aliases: [alpha]}
  b:
    image: busybox
    command: sleep infinity
    networks: [lan]
  c:
    image: busybox
    command: ["sleep", "infinity"]
"""


def inspect_lab(client, lab):
    boxes = {c.name: c.attrs for c in client.containers.list(all=True, filters={"label": f"io.dockerlab.lab={lab}"})}
    return boxes


def identity(boxes):
    return {name: (b["Id"], b["State"]["StartedAt"]) for name, b in boxes.items()}


def test_apply_reapply_edit_drift_destroy(make_lab, docker_client):
    path, lab = make_lab(BRIDGE_LAB)
    first = dockerlab("apply", path, ok=True)
    assert "+ network" in first.stdout and "applied 4 steps" in first.stdout

    net = docker_client.api.inspect_network(f"{lab}-lan")
    assert net["Driver"] == "bridge"
    assert net["IPAM"]["Config"] == [{"Subnet": "10.231.0.0/24", "Gateway": "10.231.0.1", "IPRange": "10.231.0.128/25"}]
    assert net["Labels"]["io.dockerlab.lab"] == lab
    boxes = inspect_lab(docker_client, lab)
    a = boxes[f"{lab}-a"]["NetworkSettings"]["Networks"][f"{lab}-lan"]
    assert a["IPAddress"] == "10.231.0.10" and "alpha" in a["Aliases"]
    b = boxes[f"{lab}-b"]["NetworkSettings"]["Networks"]
    assert list(b) == [f"{lab}-lan"], "a container given networks is not also on the default bridge"
    assert b[f"{lab}-lan"]["IPAddress"].startswith("10.231.0.1"), "dynamic addresses come from the ip_range"
    assert list(boxes[f"{lab}-c"]["NetworkSettings"]["Networks"]) == ["bridge"]
    assert all(x["State"]["Running"] for x in boxes.values())
    before = identity(boxes)

    again = dockerlab("apply", path, ok=True)
    assert "no changes" in again.stdout
    assert dockerlab("plan", path, "--detailed-exitcode").returncode == 0
    assert identity(inspect_lab(docker_client, lab)) == before, "a no-op apply must not touch containers"

    # the smallest right change: a new static IP and alias reconnect a, nothing is recreated
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("ipv4: 10.231.0.10, aliases: [alpha]", "ipv4: 10.231.0.11, aliases: [alpha, a1]"))
    plan = dockerlab("plan", path, "--json", ok=True)
    assert '"action": "reconnect"' in plan.stdout and plan.stdout.count('"action"') == 1
    dockerlab("apply", path, ok=True)
    boxes = inspect_lab(docker_client, lab)
    a = boxes[f"{lab}-a"]["NetworkSettings"]["Networks"][f"{lab}-lan"]
    assert a["IPAddress"] == "10.231.0.11" and {"alpha", "a1"} <= set(a["Aliases"])
    assert identity(boxes) == before
    assert "no changes" in dockerlab("apply", path, ok=True).stdout

    # drift: a hand disconnect and a stopped container; plan shows it, apply repairs it
    docker_client.api.disconnect_container_from_network(f"{lab}-b", f"{lab}-lan")
    docker_client.api.stop(f"{lab}-c", timeout=0)
    drift = dockerlab("plan", path, "--detailed-exitcode")
    assert drift.returncode == 2
    assert "connect" in drift.stdout and "start" in drift.stdout
    status = dockerlab("status", path, ok=True)
    assert "DRIFT" in status.stdout
    dockerlab("apply", path, ok=True)
    boxes = inspect_lab(docker_client, lab)
    assert f"{lab}-lan" in boxes[f"{lab}-b"]["NetworkSettings"]["Networks"]
    assert boxes[f"{lab}-c"]["State"]["Running"]
    assert "in sync" in dockerlab("status", path, ok=True).stdout

    # a changed subnet recreates the network only; containers stay and are reconnected
    ids = {n: i for n, (i, _) in identity(boxes).items()}
    with open(path, "w") as f:
        f.write(text.replace("10.231.0.", "10.232.0."))
    out = dockerlab("apply", path, ok=True).stdout
    assert "-/+ network" in out and "subnet 10.231.0.0/24 -> 10.232.0.0/24" in out
    boxes = inspect_lab(docker_client, lab)
    assert {n: b["Id"] for n, b in boxes.items()} == ids
    assert boxes[f"{lab}-a"]["NetworkSettings"]["Networks"][f"{lab}-lan"]["IPAddress"] == "10.232.0.10"

    # a lab network someone removed comes back
    docker_client.api.remove_container(f"{lab}-b", force=True)
    assert "+ container" in dockerlab("apply", path, ok=True).stdout

    # destroy works from the lab name alone, and leaves nothing
    done = dockerlab("destroy", "--lab", lab, ok=True)
    assert "removed 5 objects" in done.stdout  # with the ledger of the containers it reconnected (core.labels)
    assert lab_objects(docker_client, lab) == []
    assert "nothing to remove" in dockerlab("destroy", path, ok=True).stdout


def test_removed_entries_go_and_renamed_ones_come(make_lab, docker_client):
    path, lab = make_lab(BRIDGE_LAB)
    dockerlab("apply", path, ok=True)
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("  c:\n", "  d:\n"))
    out = dockerlab("apply", path, ok=True).stdout
    assert f"- container {lab}-c" in out and f"+ container {lab}-d" in out
    names = sorted(lab_objects(docker_client, lab))
    assert names == sorted([f"/{lab}-a", f"/{lab}-b", f"/{lab}-d", f"{lab}-lan"])
    dockerlab("destroy", path, ok=True)


def test_foreign_objects_are_never_touched(make_lab, docker_client):
    path, lab = make_lab(BRIDGE_LAB)
    foreign = docker_client.networks.create(f"{lab}-lan", driver="bridge", check_duplicate=True)
    try:
        stderr = refused_apply(docker_client, path, lab)
        assert f"network '{lab}-lan' already exists and was not made by dockerlab" in stderr
        docker_client.networks.get(foreign.id)  # still there
        dockerlab("destroy", "--lab", lab, ok=True)
        docker_client.networks.get(foreign.id)  # destroy works by label, not by name
    finally:
        foreign.remove()


@pytest.mark.parametrize("listener", ["nothing", "not an engine"])
def test_no_engine_is_one_clear_message(tmp_path, labs_dir, listener):
    path = tmp_path / "none.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        if listener == "not an engine":  # accepts, then closes without an HTTP answer
            server.bind(str(path))
            server.listen()
            threading.Thread(target=lambda: server.accept()[0].close(), daemon=True).start()
        out = dockerlab("plan", str(labs_dir / "user-bridge.yaml"), env={"DOCKER_HOST": f"unix://{path}"})
    assert out.returncode == 1
    assert out.stderr.startswith(f"dockerlab: no Docker engine answers at unix://{path}")
    assert len(out.stderr.strip().splitlines()) == 1


def test_an_engine_that_never_answers_is_named_as_hung(tmp_path, labs_dir):
    """Issue 8, defect 13: accepts, reads, never answers; said after the timeout, not as 'start one'."""
    path = tmp_path / "hung.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        held = []
        threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
        start = time.monotonic()
        out = dockerlab("plan", str(labs_dir / "user-bridge.yaml"),
                        env={"DOCKER_HOST": f"unix://{path}", "DOCKERLAB_TIMEOUT": "1"})
    assert time.monotonic() - start < 10
    assert out.returncode == 1
    assert out.stderr == (f"dockerlab: read engine version: the engine at unix://{path} stopped answering (no reply "
                          "in 1 s); it may be hung or overloaded: `docker info` tells, and DOCKERLAB_TIMEOUT sets how "
                          "long dockerlab waits\n")


def test_bad_file_is_one_clear_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncontainers:\n  a: {image: busybox, netwroks: [lan]}\n")
    out = dockerlab("apply", str(bad))
    assert out.returncode == 1
    assert "bad.yaml:3: containers.a.netwroks: unknown key 'netwroks' (did you mean 'networks'?)" in out.stderr


def test_image_that_cannot_be_pulled_is_a_clear_error(make_lab, docker_client):
    # a registry on loopback that does not exist: no traffic leaves the machine
    path, lab = make_lab("name: x\ncontainers:\n  a: {image: '127.0.0.1:5999/dlt-missing:1'}\n")
    stderr = refused_apply(docker_client, path, lab)
    assert "image '127.0.0.1:5999/dlt-missing:1' is not on this engine and pulling it failed" in stderr
    assert "not done: create container" in stderr


def test_network_joined_by_a_stranger_after_the_plan_is_named_and_left_alone(make_lab, docker_client):
    from dockerlab.errors import EngineError
    from dockerlab.host.host import Host

    path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.236.0.0/24}\n")
    dockerlab("apply", path, ok=True)
    stranger = docker_client.containers.run("busybox", ["sleep", "infinity"], name=f"{lab}-stranger",
                                            network=f"{lab}-lan", detach=True)
    try:
        with pytest.raises(EngineError) as caught:
            Host.from_env().engine.remove_network(f"{lab}-lan", f"{lab}-lan")
        assert f"containers outside the lab joined it after the plan was made: {lab}-stranger" in str(caught.value)
        stranger.reload()
        assert list(stranger.attrs["NetworkSettings"]["Networks"]) == [f"{lab}-lan"], "the stranger is untouched"
    finally:
        stranger.remove(force=True)
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_a_stopped_lab_starts_again_with_its_static_addresses(make_lab, docker_client):
    """Issue 21, C12: stopped (by hand, or by an engine restart), dynamic containers must not start first and
    take the static ones' addresses, or every apply fails the same way."""
    path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.97.8.0/24}\ncontainers:\n"
                         + "".join(f"  s{i}: {{image: busybox, command: [sleep, infinity],"
                                   f" networks: {{lan: {{ipv4: 10.97.8.{i + 1}}}}}}}\n" for i in (1, 2))
                         + "".join(f"  d{i}: {{image: busybox, command: [sleep, infinity], networks: [lan]}}\n"
                                   for i in (1, 2, 3, 4)))
    dockerlab("apply", path, ok=True)
    for box in docker_client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"}):
        box.stop(timeout=0)
    out = dockerlab("apply", path, ok=True)
    assert out.stdout.count("started container") == 6, out.stdout
    statics = {docker_client.api.inspect_container(f"{lab}-s{i}")["NetworkSettings"]["Networks"][f"{lab}-lan"]
               ["IPAddress"] for i in (1, 2)}
    assert statics == {"10.97.8.2", "10.97.8.3"}
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)


def test_a_lab_starts_again_with_its_static_addresses_after_an_engine_restart(make_lab, docker_client):
    """Issue 21, C12: after a real engine restart (every container stopped as the engine went) the next apply
    starts the lab, static addresses first. Only an engine these scripts started is restarted."""
    command = "[sh, -c, 'trap \"exit 0\" TERM; while sleep 1; do :; done']"  # ends on TERM: a quick shutdown
    path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.97.9.0/24}\ncontainers:\n"
                         + "".join(f"  d{i}: {{image: busybox, command: {command}, networks: [lan]}}\n"
                                   for i in range(1, 9))
                         + "".join(f"  s{i}: {{image: busybox, command: {command},"
                                   f" networks: {{lan: {{ipv4: 10.97.9.{i + 1}}}}}}}\n" for i in range(1, 5)))
    dockerlab("apply", path, ok=True)
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup-engine.sh"), "restart"], capture_output=True,
                          text=True, timeout=180)
    if done.returncode == 3:
        dockerlab("destroy", path, ok=True)
        pytest.skip(f"the engine was not restarted: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert not docker_client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"}), "the restart stopped all"
    out = dockerlab("apply", path, ok=True)
    assert out.stdout.count("started container") == 12, out.stdout
    statics = {docker_client.api.inspect_container(f"{lab}-s{i}")["NetworkSettings"]["Networks"][f"{lab}-lan"]
               ["IPAddress"] for i in range(1, 5)}
    assert statics == {f"10.97.9.{i + 1}" for i in range(1, 5)}
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)


def test_a_removal_already_in_progress_is_waited_for_not_failed(docker_client):
    """Issue 21, C13: a destroy right after a SIGKILLed one meets removals the engine still runs ("removal of
    container ... is already in progress"); each is waited for. Two removals race here, twelve times."""
    import contextlib

    import docker.errors

    from dockerlab.host.host import Host

    engine = Host.from_env().engine
    engine.sdk.load()
    for i in range(12):
        name = f"dlt-rmrace-{i}"
        docker_client.containers.run("busybox", ["sleep", "infinity"], name=name, detach=True,
                                     labels={"io.dockerlab.lab": "dlt-rmrace"})

        def other(name: str = name) -> None:
            with contextlib.suppress(docker.errors.APIError):  # the race went the other way: dockerlab's was first
                docker_client.api.remove_container(name, force=True, v=True)
        racer = threading.Thread(target=other)
        racer.start()
        engine.remove_container(name, name)
        racer.join()
        assert not docker_client.containers.list(all=True, filters={"name": f"^{name}$"})


def test_a_membership_redone_and_then_undone_is_seen(make_lab, docker_client):
    """An alias changed by a live reconnect and then changed back: the container's created label says the
    first alias again, so only inspecting it shows the second is still there (a staged lab walked back)."""
    text = ("name: x\nnetworks:\n  n: {subnet: 10.77.76.0/24}\n"
            "containers:\n  a: {image: busybox, command: [sleep, infinity], networks: {n: {aliases: [x1]}}}\n")
    path, lab = make_lab(text)
    dockerlab("apply", path, ok=True)
    for alias in ("x2", "x1"):
        with open(path, "w") as f:
            f.write(text.replace("name: x", f"name: {lab}").replace("x1", alias))
        out = dockerlab("apply", path, ok=True)
        assert f"reconnect {lab}-n (alias {alias})" in out.stdout, out.stdout
    aliases = docker_client.api.inspect_container(f"{lab}-a")["NetworkSettings"]["Networks"][f"{lab}-n"]["Aliases"]
    assert "x1" in aliases and "x2" not in aliases
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    ledger = docker_client.networks.get(f"{lab}-dockerlab-redone").attrs
    box = docker_client.api.inspect_container(f"{lab}-a")["Id"]
    assert ledger["ConfigOnly"] and ledger["Labels"]["io.dockerlab.redone"] == box[:12]
    dockerlab("destroy", path, ok=True)
