"""What learners look at, for real: the plan as docker commands (run them, then dockerlab finds nothing to
do), diagrams (rendered in headless Chromium), a command or a shell by lab key, and checks that say why."""

from __future__ import annotations

import io
import os
import pathlib
import re
import shutil
import subprocess
import tarfile

import pytest
from helpers import dockerlab, lab_objects
from test_engine_labs import KERNEL_NEEDS, prepared

from dockerlab.host.host import Host

pytestmark = pytest.mark.engine

RUNNABLE = ["default-bridge", "user-bridge", "host", "none", "macvlan", "macvlan-host", "overlay",
            *[pytest.param(name, marks=pytest.mark.kernel) for name in KERNEL_NEEDS]]


def run_commands(text: str) -> None:
    done = subprocess.run(["bash", "-c", text], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{text}\n---\n{done.stdout}{done.stderr}"


def unsupported(name: str) -> bool:
    return name in KERNEL_NEEDS and Host.from_env().facts.kernel_supports(KERNEL_NEEDS[name][0]) is False


@pytest.mark.parametrize("name", RUNNABLE)
def test_the_plan_as_docker_commands_makes_exactly_the_lab(name, labs_dir, make_lab, veth, docker_client, request):
    if unsupported(name):
        pytest.skip(f"{name}: this kernel has {KERNEL_NEEDS[name][1]} (the VM runs it)")
    path, lab = prepared(name, labs_dir, make_lab, veth, request)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "docker network create" in commands or "docker create" in commands
    run_commands(commands)
    assert "no changes" in dockerlab("plan", path, "--detailed-exitcode", ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


CHANGE = """\
name: x
networks:
  a: {subnet: 10.77.60.0/24}
  b: {subnet: 10.77.61.0/24}
containers:
  one: {image: busybox, command: [sleep, infinity], networks: {a: {ipv4: 10.77.60.10, aliases: [first]}}}
  two: {image: busybox, command: [sleep, infinity], networks: [a]}
  three: {image: busybox, command: [sleep, infinity], networks: [b], ports: ["127.0.0.1:18081:80"]}
"""
CHANGED = """\
name: x
networks:
  a: {subnet: 10.77.60.0/24}
  c: {subnet: 10.77.62.0/24, internal: true}
containers:
  one: {image: busybox, command: [sleep, "3600"], networks: {a: {ipv4: 10.77.60.11, aliases: [uno]}}}
  two: {image: busybox, command: [sleep, infinity], networks: {a: {}, c: {ipv4: 10.77.62.5}}}
  four: {image: busybox, command: [sleep, infinity], networks: [c], env: {GREETING: "hello world"}}
"""


def test_the_commands_for_a_change_to_a_running_lab(make_lab, docker_client):
    path, lab = make_lab(CHANGE)
    dockerlab("apply", path, ok=True)
    lab_file = pathlib.Path(path)
    lab_file.write_text(lab_file.read_text().replace(CHANGE.split("\n", 1)[1], CHANGED.split("\n", 1)[1]))
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    for expected in ("docker rm -f", "docker network rm", "docker network connect", "--internal"):
        assert expected in commands, commands
    run_commands(commands)
    assert "no changes" in dockerlab("plan", path, "--detailed-exitcode", ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (make test installs it)")
@pytest.mark.parametrize("name", ["default-bridge", "user-bridge", "host", "none", "macvlan", "macvlan-host",
                                  "macvlan-8021q", "ipvlan", "ipvlan-l3", "overlay", "overlay-2hosts",
                                  "overlay-3hosts"])
def test_the_html_diagram_renders_with_every_node(name, labs_dir, tmp_path):
    from dockerlab.labfile.load import load_lab

    lab = load_lab(str(labs_dir / f"{name}.yaml"))
    page = tmp_path / f"{name}.html"
    page.write_text(dockerlab("graph", str(labs_dir / f"{name}.yaml"), "--format", "html", ok=True).stdout)
    shot = tmp_path / f"{name}.png"
    browser = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    subprocess.run([*browser, f"--screenshot={shot}", "--window-size=1400,1000", page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 5000, "a screenshot with something on it"
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    for key in [n.key for n in lab.networks] + [c.key for c in lab.containers]:
        assert f'data-key="{key}"' in dom, key
    assert not re.search(r"""(src|href|fetch\(|EventSource\()=?["']?(https?:)?//""", page.read_text()), \
        "one file: nothing fetched from elsewhere"


def test_mermaid_and_dot_name_every_object(labs_dir):
    for name in ("user-bridge", "macvlan", "overlay-3hosts"):
        path = str(labs_dir / f"{name}.yaml")
        mermaid = dockerlab("graph", path, ok=True).stdout
        dot = dockerlab("graph", path, "--format", "dot", ok=True).stdout
        assert mermaid.startswith("flowchart LR") and dot.startswith("graph ")
        from dockerlab.labfile.load import load_lab

        for obj in [*load_lab(path).networks, *load_lab(path).containers]:
            assert f"<b>{obj.key}</b>" in mermaid and f'label="{obj.key}' in dot


LIVE = """\
name: x
networks:
  a: {subnet: 10.77.63.0/24}
containers:
  one: {image: busybox, command: [sleep, infinity], networks: {a: {ipv4: 10.77.63.10}}}
  two: {image: busybox, command: [sleep, infinity], networks: [a]}
"""


def test_exec_and_shell_by_lab_key_and_a_live_diagram(make_lab, docker_client):
    path, lab = make_lab(LIVE)
    dockerlab("apply", path, ok=True)
    out = dockerlab("exec", path, "one", "--", "sh", "-c", "hostname -i; exit 7")
    assert out.returncode == 7 and "10.77.63.10" in out.stdout
    shell = subprocess.run(["python", "-m", "dockerlab", "shell", path, "two"], input="echo from-the-shell\nexit 3\n",
                           capture_output=True, text=True, timeout=60, env={**os.environ})
    assert shell.returncode == 3 and "from-the-shell" in shell.stdout
    missing = dockerlab("exec", path, "nine", "--", "true")
    assert missing.returncode == 1 and "has no container 'nine' (its containers: one, two)" in missing.stderr
    docker_client.containers.get(f"{lab}-two").stop(timeout=0)
    stopped = dockerlab("shell", path, "two")
    assert stopped.returncode == 1 and "is exited" in stopped.stderr and "dockerlab apply" in stopped.stderr
    live = dockerlab("graph", path, "--live", ok=True).stdout
    assert "exited" in live and "drift: start: container is exited" in live and "10.77.63.10" in live
    dockerlab("destroy", path, ok=True)


def no_ping_image(client) -> str:
    """An image whose only program is `sleep` (busybox under that name): no ping, nc, nslookup or sh."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        tar.add(busybox, arcname="sleep")
        docker = b'FROM scratch\nCOPY sleep /bin/sleep\nCMD ["/bin/sleep", "infinity"]\n'
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(docker)
        tar.addfile(info, io.BytesIO(docker))
    context.seek(0)
    client.images.build(fileobj=context, custom_context=True, tag="dlt-noping:1", rm=True, forcerm=True)
    return "dlt-noping:1"


WHY = """\
name: x
networks:
  a: {subnet: 10.77.64.0/24}
  b: {subnet: 10.77.65.0/24}
containers:
  plain: {image: IMAGE, networks: [a]}
  other: {image: busybox, command: [sleep, infinity], networks: [b]}
  old: {image: busybox, command: [sleep, infinity]}
  quits: {image: busybox, command: [sleep, "infinity"], networks: [a]}
checks:
  - {name: no ping in the image, from: plain, to: quits, by: name, expect: reachable}
  - {name: apart, from: plain, to: other, expect: reachable}
  - {name: default bridge, from: old, to: plain, by: name, expect: reachable}
"""


def test_checks_probe_images_without_tools_and_say_why(make_lab, docker_client):
    image = no_ping_image(docker_client)
    try:
        path, lab = make_lab(WHY.replace("IMAGE", image))
        dockerlab("apply", path, ok=True)
        out = dockerlab("check", path, "--json")
        import json

        results = {r["name"]: r for r in json.loads(out.stdout)}
        assert results["no ping in the image"]["passed"], results["no ping in the image"]
        assert "they share no network" in results["apart"]["reason"]
        assert "plain is on a, other on b" in results["apart"]["reason"]
        assert "default bridge only, where containers get no DNS by name" in results["default bridge"]["reason"]
        assert docker_client.containers.list(all=True, filters={"name": "dockerlab-probe-"}) == []
        docker_client.containers.get(f"{lab}-quits").kill()
        out = dockerlab("check", path, "--json")
        gone = {r["name"]: r for r in json.loads(out.stdout)}["no ping in the image"]
        assert gone["got"] == "error" and "container quits is exited (exit code 137" in gone["reason"]
        dockerlab("destroy", path, ok=True)
    finally:
        docker_client.images.remove(image, force=True)


MACVLAN_WHY = """\
name: x
networks:
  lan: {driver: macvlan, parent: PARENT, subnet: 10.77.66.0/24}
containers:
  m1: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.77.66.11}}}
checks:
  - {name: host to its macvlan child, from: host, to: m1, expect: reachable, timeout: 1}
"""


def test_a_failing_macvlan_check_names_the_parent_rule(make_lab, veth, docker_client):
    path, lab = make_lab(MACVLAN_WHY.replace("PARENT", veth("dltmw0")))
    dockerlab("apply", path, ok=True)
    import json

    result = json.loads(dockerlab("check", path, "--json").stdout)[0]
    assert not result["passed"] and "docker/docs#22607" in result["reason"] and "host_access" in result["reason"]
    dockerlab("destroy", path, ok=True)


def test_a_probe_that_cannot_run_anywhere_is_an_error_that_says_so(make_lab, docker_client):
    image = no_ping_image(docker_client)
    try:
        path, _ = make_lab(WHY.replace("IMAGE", image))
        dockerlab("apply", path, ok=True)
        out = dockerlab("check", path, "--json", env={"DOCKERLAB_PROBE_IMAGE": "dlt-no-such-probe:1"})
        import json

        result = {r["name"]: r for r in json.loads(out.stdout)}["no ping in the image"]
        assert result["got"] == "error" and "its image lacks it" in result["reason"]
        assert "the probe image 'dlt-no-such-probe:1' must be on the engine" in result["reason"]
        dockerlab("destroy", path, ok=True)
    finally:
        docker_client.images.remove(image, force=True)


def test_a_terminal_gets_a_progress_bar_and_a_pipe_plain_lines(make_lab, docker_client):
    import pty

    many = "name: x\ncontainers:\n" + "".join(f"  c{i}: {{image: busybox, command: [sleep, infinity]}}\n"
                                             for i in range(7))
    path, lab = make_lab(many)
    main, tty = pty.openpty()
    proc = subprocess.run([os.sys.executable, "-m", "dockerlab", "apply", path], stdin=tty, stdout=tty, stderr=tty,
                          env={**os.environ, "NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"}, timeout=120)
    os.close(tty)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    text = shown.decode(errors="replace")
    assert proc.returncode == 0, text
    assert "━" in text and "/7" in text, "a live bar with a count"
    assert "\x1b[3" not in text, "NO_COLOR: no colour codes"
    dockerlab("destroy", path, ok=True)
    piped = dockerlab("apply", path, ok=True).stdout
    assert "━" not in piped and piped.count("ok created") == 7
    dockerlab("destroy", path, ok=True)
