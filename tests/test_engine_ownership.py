"""One ownership rule for every command (issue 21, class B): exec, shell, check and capture act only on what the
lab made, as plan and destroy do; an object with the lab's label but no file label is nobody's."""

import uuid

import pytest
from helpers import dockerlab

pytestmark = pytest.mark.engine


@pytest.fixture
def stranger(docker_client):
    """A container made by hand, with a name a lab with prefix '' can ask for; removed after the test."""
    made = []

    def make(labels: dict | None = None) -> str:
        name = f"dlt-hand-{uuid.uuid4().hex[:6]}"
        docker_client.containers.run("busybox", ["sleep", "infinity"], name=name, detach=True, labels=labels or {})
        made.append(name)
        return name
    yield make
    for name in made:
        docker_client.api.remove_container(name, force=True)


def lab_naming(make_lab, key: str) -> tuple[str, str]:
    return make_lab(f"name: x\nprefix: ''\ncontainers:\n  {key}: {{image: busybox, command: [sleep, infinity]}}\n"
                    f"checks:\n  - {{from: {key}, to: 127.0.0.1, expect: reachable}}\n")


def test_exec_shell_check_and_capture_leave_a_stranger_alone(make_lab, stranger, docker_client):
    key = stranger()
    path, lab = lab_naming(make_lab, key)
    out = dockerlab("exec", path, key, "--", "touch", "/tmp/dlt-touched")
    assert out.returncode == 1 and f"container {key} ({key})" in out.stderr and "not made by dockerlab" in out.stderr
    assert docker_client.containers.get(key).exec_run(["test", "-e", "/tmp/dlt-touched"]).exit_code == 1
    assert "not made by dockerlab" in dockerlab("shell", path, key).stderr
    out = dockerlab("check", path)
    assert out.returncode == 1 and "the checks stop here" in out.stderr and "nothing was run in them" in out.stderr
    assert "not made by dockerlab" in dockerlab("capture", path, key, "--count", "1").stderr


def test_a_lab_label_put_on_by_hand_makes_nothing_the_labs(make_lab, stranger, docker_client, tmp_path):
    lab = f"dlt-{uuid.uuid4().hex[:6]}"
    key = stranger(labels={"io.dockerlab.lab": lab})  # no file label: not made by any lab file
    path = tmp_path / "lab.yaml"
    path.write_text(f"name: {lab}\nprefix: ''\ncontainers:\n  {key}: {{image: busybox, command: [sleep, infinity]}}\n")
    out = dockerlab("apply", str(path))
    assert out.returncode == 1 and "no file label: dockerlab did not make it" in out.stderr, out.stderr
    other = tmp_path / "other.yaml"
    other.write_text(f"name: {lab}\nprefix: ''\n")
    gone = dockerlab("destroy", str(other), ok=True)
    assert f"kept {key}: labelled '{lab}' by hand, with no file label" in gone.stdout, gone.stdout
    assert docker_client.containers.get(key).status == "running"
    gone = dockerlab("destroy", "--lab", lab, ok=True)  # by name alone too: nobody's is not the lab's
    assert f"kept {key}: labelled '{lab}' by hand" in gone.stdout, gone.stdout
    assert docker_client.containers.get(key).status == "running"
    assert "labelled with the lab's name by hand" in dockerlab("exec", str(path), key, "--", "true").stderr


def test_a_probe_an_interrupted_check_left_is_not_counted_and_goes_with_the_lab(make_lab, docker_client):
    """Issue 21, E19: a SIGKILLed check leaves its probe container; `ls` does not count it, destroy removes it."""
    path, lab = make_lab("name: x\ncontainers:\n  a: {image: busybox, command: [sleep, infinity]}\n")
    dockerlab("apply", path, ok=True)
    from dockerlab.core import labels as L
    from dockerlab.labfile.load import load_lab

    origin = load_lab(path).origin  # the labels inside.probe gives a probe
    docker_client.containers.run("busybox", ["sleep", "infinity"], name=f"{lab}-probe-left", detach=True,
                                 labels={L.LAB: lab, L.KEY: L.PROBE, L.FILE: origin})
    assert "no changes" not in dockerlab("plan", path, ok=True).stdout, "the lab's to remove, not a stranger"
    row = next(ln for ln in dockerlab("ls", ok=True).stdout.splitlines() if ln.startswith(lab))
    assert row.split()[1] == "1/1", row
    dockerlab("destroy", path, ok=True)
    assert not docker_client.containers.list(all=True, filters={"label": f"{L.LAB}={lab}"})
