"""An apply killed at any point leaves only labelled objects; the next apply converges. Locking."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, dockerlab, lab_objects

from dockerlab.lock import lab_lock

pytestmark = pytest.mark.engine

MANY = "name: x\nnetworks:\n  lan: {subnet: 10.235.0.0/24}\ncontainers:\n" + "".join(
    f"  c{i}: {{image: busybox, command: [sleep, infinity], networks: [lan, bridge]}}\n" for i in range(12))


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

    names = {c.name for c in docker_client.containers.list(all=True)} | {
        n.name for n in docker_client.networks.list()}
    ours = [n for n in names if n.startswith(f"{lab}-")]
    assert sorted(o.lstrip("/") for o in lab_objects(docker_client, lab)) == sorted(ours), \
        "every object the killed apply made carries the lab's label"

    dockerlab("apply", path, ok=True)
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    assert len(docker_client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"})) == 12
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_two_applies_of_one_lab_do_not_race(make_lab, docker_client):
    path, lab = make_lab(MANY)
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    with lab_lock(lab, host):
        out = dockerlab("apply", path)
    assert out.returncode == 1
    assert f"lab '{lab}' is being changed by dockerlab pid {os.getpid()}" in out.stderr
    assert lab_objects(docker_client, lab) == []
