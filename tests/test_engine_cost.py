"""Reading a lab's live state costs a fixed number of engine API calls, whatever its size; `--help` and
`validate` never import the Docker SDK, and on a local engine neither do a plan, an apply or a destroy."""

import pathlib
import subprocess
import sys

import pytest
from helpers import ROOT, dockerlab, lab_objects

from dockerlab.host.host import Host
from dockerlab.labfile.load import load_lab
from dockerlab.reconcile import plan_lab


def lab_text(n: int) -> str:
    return "name: x\nnetworks:\n  a: {}\n  b: {}\ncontainers:\n" + "".join(
        f"  c{i}: {{image: busybox, command: [sleep, infinity], networks: {{a: {{aliases: [x{i}]}}, b: {{}}}}}}\n"
        for i in range(n))


class CountingReader:
    """Counts every read call the engine makes (the version read happens before it is in place: +1)."""

    def __init__(self, reader):
        self.reader, self.calls = reader, 1

    def __getattr__(self, name):
        call = getattr(self.reader, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return call(*args, **kwargs)
        return counted


def count_plan_requests(path: str) -> int:
    host = Host.from_env()
    host.engine.reader = counter = CountingReader(host.engine.reader)
    plan, _ = plan_lab({"": host}, load_lab(path))
    assert not plan.changes
    assert not host.engine.sdk.loaded, "a plan with nothing to do never needs the Docker SDK"
    return counter.calls


@pytest.mark.engine
def test_plan_costs_the_same_for_5_and_40_containers(make_lab, docker_client):
    counts = {}
    for n in (5, 40):
        path, lab = make_lab(lab_text(n))
        dockerlab("apply", path, ok=True)
        counts[n] = count_plan_requests(path)
        if n == 5:
            assert_plan_runs_without_the_sdk(path)
        dockerlab("destroy", path, ok=True)
    assert counts[5] == counts[40], counts
    assert counts[40] <= 4, counts  # networks, containers, images (+ nothing per object)


def assert_plan_runs_without_the_sdk(path: str) -> None:
    out = imports("plan", path)
    assert "no changes" in out.stdout, out.stdout
    assert "dockerlab.engine.client" in modules(out) and not modules(out) & {"docker", "requests"}, \
        "the no-op plan needs no SDK"


def imports(*argv: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "dockerlab", *argv], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def modules(out: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.engine
def test_an_apply_a_change_and_a_destroy_on_a_local_engine_never_import_the_sdk(make_lab, docker_client):
    """Create, connect, start, disconnect and remove go over the socket: the SDK's import is a tenth of a
    small lab's apply."""
    path, lab = make_lab(lab_text(3))
    first = imports("apply", path)
    assert "applied" in first.stdout and not modules(first) & {"docker", "requests"}, "apply imported the SDK"
    text = pathlib.Path(path).read_text()
    changed = text.replace(", b: {}", "", 1).replace("c1: {image: busybox, command: [sleep, infinity]",
                                                      "c1: {image: busybox, command: [sleep, '3600']")
    pathlib.Path(path).write_text(changed)  # c0 leaves b (a disconnect); c1 is made anew (a remove, a create)
    change = imports("apply", path)
    assert "applied 2 steps" in change.stdout and not modules(change) & {"docker", "requests"}, change.stdout
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    gone = imports("destroy", path)
    assert not modules(gone) & {"docker", "requests"}, "destroy imported the SDK"
    assert lab_objects(docker_client, lab) == []


@pytest.mark.parametrize("argv", [["--help"], ["validate", "labs/user-bridge.yaml"]])
def test_fast_commands_do_not_import_the_docker_sdk(argv):
    code = ("import sys\nfrom dockerlab.cli.main import cli\n"
            f"cli.main({argv!r}, standalone_mode=False)\n"
            "print('SDK' if 'docker' in sys.modules or 'requests' in sys.modules else 'NO-SDK')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("NO-SDK")
