"""Impairments live: a rate here (this kernel has tbf), delay and loss in the full-kernel VM (netem). Set at
apply, read back from the kernel, changed in place, repaired after drift, gone with the lab."""

import json
import re
import subprocess
import time

import pytest
from helpers import dockerlab

from dockerlab.host.host import Host
from dockerlab.host.shaper import marks

pytestmark = pytest.mark.engine

RATED = """\
name: x
networks:
  wan: {subnet: 10.93.7.0/24}
containers:
  server:
    image: busybox
    command: [httpd, -f, -p, "8080", -h, /tmp]
    networks:
      wan: {ipv4: 10.93.7.2, rate: 512kbit}
  client:
    image: busybox
    command: [sleep, infinity]
    networks: [wan]
"""


def qdiscs(docker_client, container: str) -> dict[str, dict]:
    """The container's interfaces -> their root qdisc, as the kernel has them."""
    pid = docker_client.api.inspect_container(container)["State"]["Pid"]
    out = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", "tc", "-j", "qdisc", "show"],
                         capture_output=True, text=True, check=True).stdout
    return {q["dev"]: q for q in json.loads(out) if q.get("root") and q["dev"] != "lo"}


def download_seconds(docker_client, lab: str, kib: int = 128) -> float:
    """The client fetches a file from the server: what the server sends is what its rate limits."""
    server, client = f"{lab}-server", f"{lab}-client"
    docker_client.api.exec_start(docker_client.api.exec_create(
        server, ["dd", "if=/dev/zero", "of=/tmp/blob", "bs=1024", f"count={kib}"]))
    run = docker_client.api.exec_create(client, ["wget", "-q", "-O", "/dev/null", "http://10.93.7.2:8080/blob"])
    start = time.monotonic()
    docker_client.api.exec_start(run)
    elapsed = time.monotonic() - start
    assert docker_client.api.exec_inspect(run["Id"])["ExitCode"] == 0, "the download failed"
    return elapsed


def test_a_rate_is_set_read_changed_in_place_repaired_and_removed(make_lab, docker_client):
    path, lab = make_lab(RATED)
    out = dockerlab("apply", path, ok=True)
    assert f"created impairment {lab}-server ({lab}-wan)" in out.stdout
    server = docker_client.api.inspect_container(f"{lab}-server")
    (dev, qdisc), = qdiscs(docker_client, server["Id"]).items()
    assert qdisc["kind"] == "tbf" and qdisc["options"]["rate"] * 8 == 512_000
    assert (marks() / server["Id"]).exists()
    # 128 KiB at 512 kbit/s takes 2 s; without the limit, a few milliseconds
    assert download_seconds(docker_client, lab) > 1.5
    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    status = dockerlab("status", path, ok=True).stdout
    assert re.search(rf"{lab}-server\s+running\s+{lab}-wan\s+10.93.7.2\s.*rate 512kbit\s+ok", status), status

    # a changed value: an update in place, the same container
    with open(path, "w") as f:
        f.write(RATED.replace("512kbit", "2mbit").replace("name: x", f"name: {lab}"))
    plan = dockerlab("plan", path, ok=True).stdout
    assert f"~ impairment {lab}-server on {lab}-wan: rate 2mbit  [rate 512kbit -> 2mbit]" in plan
    dockerlab("apply", path, ok=True)
    assert docker_client.api.inspect_container(f"{lab}-server")["Id"] == server["Id"]
    assert next(iter(qdiscs(docker_client, server["Id"]).values()))["options"]["rate"] * 8 == 2_000_000

    # drift: a hand-made change is seen and repaired
    subprocess.run(["nsenter", f"--net=/proc/{server['State']['Pid']}/ns/net", "tc", "qdisc", "del", "dev", dev,
                    "root"], check=True)
    assert "DRIFT" in dockerlab("status", path, ok=True).stdout
    assert "+ impairment" in dockerlab("plan", path, ok=True).stdout
    dockerlab("apply", path, ok=True)
    assert next(iter(qdiscs(docker_client, server["Id"]).values()))["kind"] == "tbf"

    # a restart gives a new namespace without it: the mark makes the next plan set it again
    docker_client.api.restart(server["Id"], timeout=0)
    assert "+ impairment" in dockerlab("plan", path, ok=True).stdout
    dockerlab("apply", path, ok=True)

    # dropped from the file: removed, and the download is quick again
    with open(path, "w") as f:
        f.write(RATED.replace(", rate: 512kbit", "").replace("name: x", f"name: {lab}"))
    assert "- impairment" in dockerlab("plan", path, ok=True).stdout
    dockerlab("apply", path, ok=True)
    assert next(iter(qdiscs(docker_client, server["Id"]).values()))["kind"] == "noqueue"
    assert download_seconds(docker_client, lab) < 1.0
    assert "no changes" in dockerlab("apply", path, ok=True).stdout

    dockerlab("destroy", path, ok=True)
    assert not (marks() / server["Id"]).exists(), "the mark goes with the container"


def test_a_lab_without_impairments_reads_no_qdisc(make_lab, docker_client, monkeypatch):
    """Observation stays a constant number of calls: nothing is entered for labs that never had impairments."""
    path, lab = make_lab(RATED.replace(", rate: 512kbit", ""))
    dockerlab("apply", path, ok=True)
    calls = []
    import dockerlab.host.shaper as shaper_module
    monkeypatch.setattr(shaper_module, "run_in", lambda *a: calls.append(a) or "[]")
    from dockerlab.labfile.load import load_lab
    from dockerlab.plan.observe import look
    spec = load_lab(path)
    look(spec, {"": Host.from_env()}, swarm=False)
    assert calls == []
    dockerlab("destroy", path, ok=True)


@pytest.mark.kernel
def test_delay_and_loss_are_measured_and_a_delay_changes_in_place(make_lab, docker_client):
    """The lower bounds prove the delay; the upper one is loose: under emulation a busy VM adds its own
    100 ms now and then (measured: 207 ms average for a 100 ms delay right after an apply)."""
    if Host.from_env().facts.kernel_supports("netem") is False:
        pytest.skip("this kernel has no netem: delay and loss run in the full-kernel VM (make test-kernel); "
                    "test_lab_explains_missing_kernel_support[impairments] covers the refusal here")
    text = RATED.replace("rate: 512kbit", "delay: 100ms, loss: 30%") + (
        "checks:\n  - {from: client, to: server, count: 20, min_rtt: 80ms, max_rtt: 1s, min_loss: 5%}\n")
    path, lab = make_lab(text)
    out = dockerlab("apply", path, "--check")
    assert out.returncode == 0, out.stdout + out.stderr
    box = docker_client.api.inspect_container(f"{lab}-server")["Id"]
    netem = next(iter(qdiscs(docker_client, box).values()))
    assert netem["kind"] == "netem" and netem["options"]["delay"]["delay"] == pytest.approx(0.1)

    with open(path, "w") as f:
        f.write(text.replace("delay: 100ms, loss: 30%", "delay: 300ms").replace("min_loss: 5%", "max_loss: 0%")
                .replace("min_rtt: 80ms, max_rtt: 1s", "min_rtt: 250ms").replace("name: x", f"name: {lab}"))
    plan = dockerlab("plan", path, ok=True).stdout
    assert "[delay 100ms -> 300ms; loss 30% -> none]" in plan
    out = dockerlab("apply", path, "--check")
    assert out.returncode == 0, out.stdout + out.stderr
    assert docker_client.api.inspect_container(f"{lab}-server")["Id"] == box, "changed in place"
    dockerlab("destroy", path, ok=True)
