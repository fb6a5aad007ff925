"""`dockerlab check` on the real engine: a wrong expectation fails with a reason, drift and stopped containers
are said (every lab's own checks pass in test_engine_labs). All traffic stays between the lab's own containers."""

import json
import shutil
import time

import pytest
from helpers import dockerlab
from test_engine_labs import prepared

pytestmark = pytest.mark.engine


def test_a_wrong_expectation_fails_with_a_reason(labs_dir, make_lab, veth, docker_client, request):
    path, lab = prepared("user-bridge", labs_dir, make_lab, veth, request)
    with open(path) as f:
        text = f.read()
    # claim the isolated default-bridge container reaches the user bridge: it must not
    with open(path, "w") as f:
        f.write(text.replace("name: default bridge isolated, from: one, to: three, expect: unreachable",
                             "name: wrong on purpose, from: one, to: three, expect: reachable, timeout: 1"))
    dockerlab("apply", path, ok=True)
    out = dockerlab("check", path)
    assert out.returncode == 1
    row = next(line for line in out.stdout.splitlines() if line.startswith("wrong on purpose"))
    assert "FAIL" in row and "one is on bridge, three on numbers: they share no network" in row
    assert "why:\n  wrong on purpose: one is on bridge" in out.stdout and "(100% packet loss)" in out.stdout
    assert "4 of 5 checks passed" in out.stdout

    # and a check whose container is not running fails with that reason, not a traceback
    docker_client.api.stop(f"{lab}-one", timeout=0)
    out = dockerlab("check", path, "--json")
    assert out.returncode == 1
    failed = [r for r in json.loads(out.stdout) if r["from"] == "one"]
    assert all(r["got"] == "error" and "is exited" in r["reason"] for r in failed)
    dockerlab("destroy", path, ok=True)


def test_isolation_is_seen_when_a_pair_is_split(labs_dir, make_lab, veth, docker_client, request):
    """Turn a reachable pair into an isolated one by hand: the check reports the failure."""
    path, lab = prepared("user-bridge", labs_dir, make_lab, veth, request)
    dockerlab("apply", path, "--check", ok=True)
    docker_client.api.disconnect_container_from_network(f"{lab}-four", f"{lab}-numbers")
    docker_client.api.connect_container_to_network(f"{lab}-four", "bridge")
    out = dockerlab("check", path, "--json")
    assert out.returncode == 1
    by_name = {r["name"]: r for r in json.loads(out.stdout)}
    assert by_name["same bridge by ip"]["passed"] is False
    assert by_name["same bridge by name"]["got"] == "unreachable"
    dockerlab("apply", path, "--check", ok=True)  # apply repairs the drift; the checks pass again
    dockerlab("destroy", path, ok=True)


BY_NAME = """\
name: x
networks:
  n: {subnet: 10.77.70.0/24}
  m: {subnet: 10.77.71.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: [n]}
  b: {image: busybox, command: [sleep, infinity], networks: {n: {ipv4: 10.77.70.12}}}
  c: {image: busybox, command: [sleep, infinity], networks: [m]}
checks:
  - {name: by name, from: a, to: b, by: name}
  - {name: no such name here, from: a, to: c, by: name, expect: unreachable, timeout: 1}
"""


def test_a_check_by_name_is_one_ping_that_docker_dns_resolves(make_lab, docker_client):
    """ping asks Docker's DNS itself: one exec per check, the address it reached shown, and a name Docker's DNS
    does not know on the source's networks said as such."""
    path, lab = make_lab(BY_NAME)
    dockerlab("apply", path, ok=True)
    since = int(time.time()) - 1  # the engine runs on this machine: one clock
    out = dockerlab("check", path, "--json", ok=True)
    results = {r["name"]: r for r in json.loads(out.stdout)}
    assert results["by name"]["passed"] and results["by name"]["how"] == "ping b (10.77.70.12)", results
    far = results["no such name here"]
    assert far["passed"] and far["how"] == "dns c" and "name does not resolve" in far["reason"], far
    events = docker_client.events(since=since, until=int(time.time()) + 1, decode=True,
                                  filters={"container": f"{lab}-a", "type": "container"})
    execs = [e for e in events if e.get("Action", "").startswith("exec_create")]
    assert len(execs) == 2, [e["Action"] for e in execs]  # one per check: no nslookup before the ping
    dockerlab("destroy", path, ok=True)


def test_a_published_port_with_nothing_listening_inside_is_unreachable(make_lab, docker_client):
    """Issue 21, C14: docker-proxy takes the connection on the host whether or not anything listens inside, so
    a reachable port check from the host also reaches the container's own port."""
    path, lab = make_lab("name: x\ncontainers:\n  web: {image: busybox, command: [sleep, infinity],"
                         " ports: ['127.0.0.1:18099:8099']}\n"
                         "checks:\n  - {from: host, to: web, port: 18099, expect: reachable}\n")
    out = dockerlab("apply", path, "--check")
    assert out.returncode == 1 and "nothing answers in the container on" in out.stdout, out.stdout
    assert ":8099 (Connection refused)" in out.stdout
    dockerlab("destroy", path, ok=True)


FROM_HOST = """\
name: x
networks:
  n: {subnet: 10.77.71.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: {n: {ipv4: 10.77.71.10}}}
checks:
  - {name: the host reaches a, from: host, to: a}
  - {name: nor 10.77.71.99, from: host, to: 10.77.71.99, expect: unreachable, timeout: 1}
"""


def test_a_check_from_the_host_pings_with_the_ping_it_finds_and_never_passes_without_one(make_lab, docker_client,
                                                                                         tmp_path):
    """A machine without busybox pings with the system's ping; one with neither says so, and an "unreachable"
    check never passes for want of a tool (it used to: a missing busybox read as no answer)."""
    path, lab = make_lab(FROM_HOST)
    dockerlab("apply", path, ok=True)
    tools = tmp_path / "bin"
    tools.mkdir()
    without = dockerlab("check", path, "--json", env={"PATH": str(tools)})
    assert without.returncode == 1, without.stdout + without.stderr
    results = json.loads(without.stdout)
    assert [r["passed"] for r in results] == [False, False], results
    assert all("has neither busybox nor ping" in r["reason"] for r in results), results
    (tools / "ping").symlink_to(shutil.which("busybox"))  # a ping of its own, as iputils' would be
    found = json.loads(dockerlab("check", path, "--json", env={"PATH": str(tools)}, ok=True).stdout)
    assert [r["passed"] for r in found] == [True, True], found
    assert found[0]["how"] == "ping 10.77.71.10" and "0% packet loss" in found[0]["reason"], found
    dockerlab("destroy", path, ok=True)
