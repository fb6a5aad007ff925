"""Labs that teach, on the real engine: the lesson after apply in the language asked, hints and points of failed
checks, a warning that fails nothing, a check retried until it holds, --only, JUnit, and a predict run scored
from a predictions file. All traffic stays between the lab's own containers."""

import json
import os
import pty
import re
import select
import sys
from xml.etree import ElementTree as ET

import pytest
from helpers import dockerlab
from test_engine_labs import prepared

pytestmark = pytest.mark.engine

TAUGHT = """\
name: x
lesson: {en: "Ping b from a.", ja: "aからbへpingを送ってみよう。"}
networks:
  n: {subnet: 10.77.72.0/24}
  m: {subnet: 10.77.73.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: [n]}
  b: {image: busybox, command: [sleep, infinity], networks: [n]}
  c: {image: busybox, command: [sleep, infinity], networks: [m]}
  late: {image: busybox, command: [sh, -c, "sleep 3; exec httpd -f -p 80 -h /etc"], networks: [n]}
checks:
  - {name: neighbours, from: a, to: b, by: name, points: 2}
  - {name: wrong on purpose, from: a, to: c, timeout: 1, points: 3,
     hint: {en: "Which networks is c on?", ja: "cはどのネットワークにいますか。"}}
  - {name: a warning, from: a, to: c, timeout: 1, level: warn}
  - {name: the server comes up, from: a, to: late, port: 80, within: 15s}
"""


def test_lesson_hints_points_warnings_and_retries(make_lab, tmp_path):
    path, lab = make_lab(TAUGHT)
    out = dockerlab("--lang", "ja", "apply", path, "--check")
    assert out.returncode == 1, out.stdout + out.stderr  # the wrong check fails the run; the warning does not
    assert "lesson:\n  aからbへpingを送ってみよう。\n" in out.stdout
    table = out.stdout.split("CHECK ", 1)[1].splitlines()
    rows = {name: next(ln for ln in table if ln.startswith(name)) for name in ("neighbours", "wrong", "a warning")}
    assert "pass" in rows["neighbours"] and "ping b (10.77.72." in rows["neighbours"]  # as asked, as resolved
    assert "FAIL" in rows["wrong"] and " warn " in rows["a warning"]
    assert "hints:\n  wrong on purpose: cはどのネットワークにいますか。" in out.stdout
    assert out.stdout.rstrip().splitlines()[-2:] == [f"lab {lab}: 2 of 4 checks passed (1 warned)",
                                                     "score: 3 of 7 points"]

    out = dockerlab("check", path, "--only", "the server comes up,a warning", "--json",
                    "--junit", str(tmp_path / "junit.xml"), env={"DOCKERLAB_LANG": "en"})
    assert out.returncode == 0, out.stdout + out.stderr  # a failed warning alone fails nothing
    assert [(r["name"], r["passed"], r["level"]) for r in json.loads(out.stdout)] == [
        ("a warning", False, "warn"), ("the server comes up", True, "fail")]
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (lab, "2", "0")
    assert suite.find("testcase[@name='a warning']/system-out").text.startswith("warning: a -> c: ping 10.77.73.")

    out = dockerlab("check", path, "--only", "nope")
    assert out.returncode == 1 and out.stderr == (
        f"dockerlab: lab {lab} has no check named 'nope'; its checks: a warning, neighbours, the server comes up, "
        "wrong on purpose\n")
    dockerlab("destroy", path, ok=True)


def test_a_check_with_within_is_tried_until_it_holds(make_lab):
    """The server starts 3 s after its container: tried once, right after apply, the check fails; with within,
    it is tried again until it passes."""
    path, _ = make_lab(TAUGHT)
    dockerlab("apply", path, ok=True)
    out = dockerlab("check", path, "--only", "the server comes up", "--json", ok=True)
    assert json.loads(out.stdout)[0]["passed"]
    dockerlab("destroy", path, ok=True)
    once, _ = make_lab(TAUGHT.replace(", within: 15s", ""))
    dockerlab("apply", once, ok=True)
    out = dockerlab("check", once, "--only", "the server comes up", "--json")
    assert out.returncode == 1 and json.loads(out.stdout)[0]["got"] == "unreachable"
    dockerlab("destroy", once, ok=True)


def test_a_predict_run_is_scored_from_a_predictions_file(labs_dir, make_lab, veth, request, tmp_path):
    path, lab = prepared("user-bridge", labs_dir, make_lab, veth, request)
    dockerlab("apply", path, ok=True)
    predictions = tmp_path / "predictions.yaml"
    predictions.write_text("same bridge by ip: reachable\nsame bridge by name: unreachable\n"
                           "alias resolves: resolves\ndefault bridge isolated: reachable\n"
                           "no Docker DNS on the default bridge: unresolvable\n")
    out = dockerlab("check", path, "--predictions", str(predictions), env={"DOCKERLAB_LANG": "en"}, ok=True)
    tail = out.stdout.split(f"lab {lab}: 5 of 5 checks passed\n", 1)[1].splitlines()
    assert tail[:2] == ["predictions: 3 of 5 right", "wrong:"]
    assert tail[2].startswith("  same bridge by name: you said unreachable, it was reachable")
    assert re.match(r"  default bridge isolated: you said reachable, it was unreachable: one is on bridge, three on "
                    r"numbers: they share no network", tail[3]), tail
    out = dockerlab("check", path, "--predict")  # no terminal here: it says how to give predictions instead
    assert out.returncode == 1 and "give --predictions FILE" in out.stderr
    asked = on_a_terminal(["check", path, "--predict"], ["reachable", "unreachable", "resolves", "reachable",
                                                         "unresolvable"])
    assert "1. three -> four: reachable or unreachable? " in asked  # where it looks, not what the lab expects
    assert "5. one -> four: resolves or unresolvable? " in asked and "predictions: 3 of 5 right" in asked, asked
    dockerlab("destroy", path, ok=True)


def on_a_terminal(argv: list[str], answers: list[str]) -> str:
    """The command under a pseudo-terminal, each answer typed once its question is asked; all it printed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its stdin and stdout the terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "dockerlab", *argv], {**os.environ, "DOCKERLAB_LANG": "en"})
    seen, typed = "", 0
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"no output for 60 s; so far: {seen}"
        try:
            chunk = os.read(fd, 4096).decode(errors="replace")
        except OSError:  # the command ended: the terminal is gone
            break
        if not chunk:
            break
        seen += chunk
        if typed < len(answers) and seen.rstrip().endswith("?"):
            os.write(fd, (answers[typed] + "\n").encode())
            typed += 1
    os.waitpid(pid, 0)
    return seen.replace("\r\n", "\n")


def test_a_staged_lab_is_walked_forward_and_back(labs_dir, make_lab, veth, request, docker_client):
    path, lab = prepared("bridge-walk", labs_dir, make_lab, veth, request)
    out = dockerlab("apply", path, env={"DOCKERLAB_LANG": "en"}, ok=True)
    assert "the engine matches the file at stage default-bridge\nlesson:\n  one and two are on" in out.stdout
    assert "stage: default-bridge (1 of 5: default-bridge, web, numbers, isolation, dns)" in dockerlab(
        "status", path, ok=True).stdout
    for here, then in [("default-bridge", "web"), ("web", "numbers"), ("numbers", "isolation"),
                       ("isolation", "dns")]:
        out = dockerlab("next", path, ok=True)
        assert f"stage {here} done; on to stage {then}" in out.stdout, out.stdout
    out = dockerlab("next", path, ok=True)
    assert "stage dns was its last (5 of 5): all done" in out.stdout
    assert sorted(c.name for c in docker_client.containers.list(filters={"label": f"io.dockerlab.lab={lab}"})) == [
        f"{lab}-{k}" for k in ("four", "one", "three", "two", "web")]

    out = dockerlab("apply", path, "--stage", "default-bridge", ok=True)  # back: minimal changes as always
    removed = sorted(re.findall(r"^\s+- (\w+ [\w-]+)", out.stdout, flags=re.M))
    assert removed == [f"container {lab}-four", f"container {lab}-three", f"container {lab}-web",
                       f"network {lab}-numbers"], out.stdout
    assert "no changes" in dockerlab("apply", path, ok=True).stdout  # at its stage: nothing to do
    # a stage whose checks fail is not left
    docker_client.api.stop(f"{lab}-two", timeout=0)
    out = dockerlab("next", path)
    assert out.returncode == 1 and "stage default-bridge is not done yet" in out.stdout
    out = dockerlab("apply", path, "--stage", "nope")
    assert out.returncode == 1 and "has no stage 'nope'; its stages: default-bridge, web" in out.stderr
    dockerlab("destroy", path, ok=True)
    assert docker_client.networks.list(filters={"label": f"io.dockerlab.lab={lab}"}) == []


FAULTED = ["bridge-walk", "user-bridge", "default-bridge"]


@pytest.mark.parametrize("name", FAULTED)
def test_every_fault_makes_a_check_fail_and_apply_repairs_it(name, labs_dir, make_lab, veth, request):
    """A fault shows its symptom (the checks that fail), never its cause; --reveal names it; apply repairs it."""
    path, lab = prepared(name, labs_dir, make_lab, veth, request)
    stage = ["--stage", "dns"] if name == "bridge-walk" else []
    dockerlab("apply", path, *stage, "--check", ok=True)
    faults = re.findall(r"^  - name: ([\w-]+)$", (labs_dir / f"{name}.yaml").read_text().split("\nfaults:")[1],
                        flags=re.M)
    assert faults
    for fault in faults:
        out = dockerlab("break", path, fault, ok=True)
        assert f"lab {lab} is broken:" in out.stdout and "checks fail now:" in out.stdout, out.stdout
        assert fault not in out.stdout  # the symptom, not the cause
        assert dockerlab("check", path).returncode == 1
        assert f"has the fault {fault}:" in dockerlab("break", path, "--reveal", ok=True).stdout
        dockerlab("apply", path, ok=True)
        dockerlab("check", path, ok=True)
        assert "has no fault laid" in dockerlab("break", path, "--reveal", ok=True).stdout
    seeded = [dockerlab("break", path, "--seed", "7", ok=True).stdout for _ in range(2)]
    assert seeded[0] == seeded[1]  # the same seed, the same fault (and so the same symptom)
    dockerlab("destroy", path, ok=True)


EXERCISE = """\
name: exercise
networks:
  lan: {subnet: 10.77.74.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: [lan]}
  b: {image: busybox, command: [sleep, infinity], networks: {lan: {aliases: [db]}}}
checks:
  - {name: a reaches b, from: a, to: b, points: 2}
  - {name: db resolves, from: a, to: db, expect: resolves, points: 3}
  - {name: b has lan, from: b, expect: interface, interface: eth0}
"""


NO_LAN = ("CLASS/cy.yaml:3: containers.a.networks.lan: no network 'lan' in this lab; declare it under "
          "'networks' or use one of: bridge, host, none")
NO_DB = ("does not fit this lab: 'db' is neither a container nor an alias in this lab; for a DNS name outside the lab "
         "write it fully qualified, e.g. web.example")
JUNIT = f"""<?xml version='1.0' encoding='utf-8'?>
<testsuites tests="9" failures="4">
  <testsuite name="ann" tests="3" failures="0" errors="0" skipped="0" time="T">
    <testcase classname="ann" name="a reaches b" time="T" />
    <testcase classname="ann" name="db resolves" time="T" />
    <testcase classname="ann" name="b has lan" time="T" />
  </testsuite>
  <testsuite name="bo" tests="3" failures="1" errors="0" skipped="0" time="T">
    <testcase classname="bo" name="a reaches b" time="T" />
    <testcase classname="bo" name="db resolves" time="T">
      <failure message="{NO_DB}" type="error">a -&gt; db: -; expected resolves, got error</failure>
    </testcase>
    <testcase classname="bo" name="b has lan" time="T" />
  </testsuite>
  <testsuite name="cy" tests="3" failures="3" errors="0" skipped="0" time="T">
    <testcase classname="cy" name="a reaches b" time="T">
      <failure message="{NO_LAN}" type="error">a -&gt; b: -; expected reachable, got error</failure>
    </testcase>
    <testcase classname="cy" name="db resolves" time="T">
      <failure message="{NO_LAN}" type="error">a -&gt; db: -; expected resolves, got error</failure>
    </testcase>
    <testcase classname="cy" name="b has lan" time="T">
      <failure message="{NO_LAN}" type="error">b -&gt; -: -; expected interface, got error</failure>
    </testcase>
  </testsuite>
</testsuites>
"""


def test_grade_scores_a_folder_of_submissions(make_lab, tmp_path):
    exercise, name = make_lab(EXERCISE)
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ann.yaml").write_text(EXERCISE.replace("name: exercise", "name: ann"))  # right
    (folder / "bo.yaml").write_text(EXERCISE.replace("name: exercise", "name: bo").replace("aliases: [db]",
                                                                                         "aliases: [dbx]"))  # partly
    (folder / "cy.yaml").write_text("name: cy\ncontainers:\n  a: {image: busybox, networks: [lan]}\n")  # broken
    out = dockerlab("grade", exercise, str(folder), "--csv", str(tmp_path / "g.csv"), "--junit",
                    str(tmp_path / "g.xml"), "--json", str(tmp_path / "g.json"), ok=True)
    assert (tmp_path / "g.csv").read_text() == ("student,points,of,a reaches b,db resolves,b has lan,error\n"
                                                "ann,6,6,2,3,1,\nbo,3,6,2,0,1,\ncy,0,6,0,0,0,invalid lab file\n")
    assert out.stdout.splitlines()[-1] == f"exercise {name}: 3 students, mean 3.0 of 6 points"
    suites = ET.parse(tmp_path / "g.xml").getroot().findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [
        ("ann", "3", "0"), ("bo", "3", "1"), ("cy", "3", "3")]
    failure = suites[1].find("testcase[@name='db resolves']/failure")  # bo's lab has no db: the check cannot be
    assert failure.get("type") == "error" and "does not fit this lab: 'db' is neither" in failure.get("message")
    assert "no network 'lan'" in suites[2].find("testcase/failure").get("message")
    junit = re.sub(r'time="[0-9.]+"', 'time="T"', (tmp_path / "g.xml").read_text()).replace(str(folder), "CLASS")
    assert junit == JUNIT
    graded = json.loads((tmp_path / "g.json").read_text())
    assert [(g["student"], g["points"]) for g in graded] == [("ann", 6), ("bo", 3), ("cy", 0)]
    out = dockerlab("ls", ok=True)  # each was destroyed after its grading (under the exercise's name, numbered)
    assert f"{name}-0" not in out.stdout


def test_three_learners_have_instances_of_one_lab_side_by_side(labs_dir, make_lab, veth, request, docker_client):
    path, lab = prepared("user-bridge", labs_dir, make_lab, veth, request)
    learners = ["alice", "bob", "carol"]
    for who in learners:
        dockerlab("apply", path, "--as", who, "--check", ok=True)
    subnets = {who: docker_client.networks.get(f"{who}-{lab}-numbers").attrs["IPAM"]["Config"][0]["Subnet"]
               for who in learners}
    assert len(set(subnets.values())) == 3, subnets  # never the same range twice
    assert "no changes" in dockerlab("apply", path, "--as", "bob", ok=True).stdout  # its own subnet again
    listed = dockerlab("ls", ok=True).stdout
    for who in learners:
        assert re.search(rf"^{lab}-{who}\s+{who}\s+3/3\s+1\s", listed, flags=re.M), listed
    dockerlab("destroy", path, "--as", "bob", ok=True)
    assert not docker_client.containers.list(all=True, filters={"label": f"io.dockerlab.lab={lab}-bob"})
    for who in ("alice", "carol"):
        dockerlab("check", path, "--as", who, ok=True)
        dockerlab("destroy", path, "--as", who, ok=True)
