"""An apply killed at any point leaves only labelled objects; the next apply converges. Locking."""

import os
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT, dockerlab, lab_objects, refused_apply

from dockerlab.host.host import Host
from dockerlab.run.lock import lab_lock

pytestmark = pytest.mark.engine

MANY = "name: x\nnetworks:\n  lan: {subnet: 10.235.0.0/24}\ncontainers:\n" + "".join(
    f"  c{i}: {{image: busybox, command: [sleep, infinity], networks: [lan, bridge]}}\n" for i in range(12))


def snapshot(client, lab: str) -> list[tuple]:
    """(name, lab label, state, networks) of every object named like the lab's: one list call per kind."""
    objects = [(c["Names"][0].lstrip("/"), c["Labels"], (c["State"], *sorted(c["NetworkSettings"]["Networks"])))
               for c in client.api.containers(all=True)]
    objects += [(n["Name"], n["Labels"], ()) for n in client.api.networks()]
    return sorted((name, (labels or {}).get("io.dockerlab.lab"), *state) for name, labels, state in objects
                  if name.startswith(f"{lab}-"))


def settled_snapshot(client, lab: str) -> list[tuple]:
    """The snapshot once the engine has settled: the daemon finishes requests a killed client had already sent."""
    previous, deadline = snapshot(client, lab), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = snapshot(client, lab)
        if current == previous:
            return current
        previous = current
    raise AssertionError(f"the engine kept changing after the apply was killed: {previous}")


@pytest.mark.parametrize("after_steps", [1, 5])
def test_sigkill_mid_apply_then_apply_converges_and_destroy_cleans(make_lab, docker_client, after_steps):
    path, lab = make_lab(MANY)
    proc = subprocess.Popen([sys.executable, "-m", "dockerlab", "apply", path, "--parallel", "2"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    seen = 0
    deadline = time.monotonic() + 60
    while seen < after_steps and time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line.strip().startswith("ok ")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert seen == after_steps, "the apply ended before it could be killed"

    unlabelled = [name for name, label, *_ in settled_snapshot(docker_client, lab) if label != lab]
    assert unlabelled == [], "every object the killed apply made carries the lab's label"

    dockerlab("apply", path, ok=True)
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    assert len(docker_client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"})) == 12
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_sigterm_finishes_the_steps_in_flight_and_says_what_is_left(make_lab, docker_client):
    path, lab = make_lab(MANY)
    proc = subprocess.Popen([sys.executable, "-m", "dockerlab", "apply", path, "--parallel", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    while not proc.stdout.readline().strip().startswith("ok "):
        assert proc.poll() is None, "the apply ended before it could be stopped"
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, "interrupted, as Ctrl-C: 130"
    assert "apply was interrupted" in err and "not done: create container" in err
    assert f"`dockerlab destroy --lab {lab}` removes it" in err
    at_exit = snapshot(docker_client, lab)
    assert settled_snapshot(docker_client, lab) == at_exit, "nothing was left in flight when it exited"
    assert len(at_exit) < 13, "it stopped early instead of finishing the whole plan"
    assert all(label == lab for _, label, *_ in at_exit), "everything it made is labelled"
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_two_applies_of_one_lab_do_not_race(make_lab, docker_client):
    path, lab = make_lab(MANY)
    with lab_lock(lab, Host.from_env().engine.identity):
        stderr = refused_apply(docker_client, path, lab)
    assert f"lab '{lab}' is being changed by dockerlab pid {os.getpid()}" in stderr


def test_an_apply_whose_reader_goes_finishes_its_work_and_says_so_by_its_exit_code(make_lab, docker_client):
    """`dockerlab apply | head -1`: the closed pipe is not a failed step (it used to be: "failed: ... Broken
    pipe" for steps the engine had done), and the exit code is the apply's."""
    path, lab = make_lab(MANY)
    proc = subprocess.Popen([sys.executable, "-m", "dockerlab", "apply", path], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith(f"lab {lab}: plan")
    proc.stdout.close()  # the reader goes, as head does after its line
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert "Broken pipe" not in err and "Traceback" not in err and "Exception ignored" not in err, err
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)
