"""The CI recipes users copy (docs/ci/): their own steps, read from the files, run here against the real engine
with dockerlab installed from this tree in place of the package index: apply, check with JUnit output, and the
destroy that runs whatever happened, also after a check that fails."""

import os
import re
import subprocess
import sys
import uuid
from xml.etree import ElementTree as ET

import pytest
import yaml
from helpers import ROOT, TEST_LAB_PREFIX, lab_objects

pytestmark = pytest.mark.engine
INSTALLS = re.compile(r"^(pipx|pip) install dockerlab-net==[0-9.]+$")  # the package index: here, this tree's venv


def github_steps() -> tuple[list[str], list[str]]:
    """The job's run steps: those while all goes well, and those that run always."""
    job = yaml.safe_load((ROOT / "docs/ci/github-actions.yml").read_text())["jobs"]["lab"]
    steps = [s for s in job["steps"] if "run" in s]
    return ([s["run"] for s in steps if "if" not in s], [s["run"] for s in steps if s.get("if") == "always()"])


def gitlab_steps() -> tuple[list[str], list[str]]:
    job = yaml.safe_load((ROOT / "docs/ci/gitlab-ci.yml").read_text())["network-lab"]
    return job["script"], job["after_script"]


def _run_job(steps: tuple[list[str], list[str]], lab: str, work) -> tuple[bool, list[str]]:
    """The steps in a shell each, as a runner does: a failing one stops the rest, then the always ones run."""
    env = {**os.environ, "LAB": lab, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    failed, ran = False, []
    for command in steps[0]:
        if INSTALLS.match(command):
            continue
        ran.append(command)
        if subprocess.run(["bash", "-ec", command], cwd=work, env=env, timeout=300).returncode:
            failed = True
            break
    for command in steps[1]:
        ran.append(command)
        assert subprocess.run(["bash", "-ec", command], cwd=work, env=env, timeout=300).returncode == 0
    return not failed, ran


@pytest.mark.parametrize("recipe", [github_steps, gitlab_steps])
def test_a_recipe_applies_checks_with_junit_and_always_destroys(recipe, tmp_path, docker_client):
    assert all(INSTALLS.match(c) for c in recipe()[0][:1]), "the first step installs dockerlab"
    name = f"{TEST_LAB_PREFIX}{uuid.uuid4().hex[:6]}"
    lab = tmp_path / "labs" / "user-bridge.yaml"
    lab.parent.mkdir()
    lab.write_text(re.sub(r"^name: .*$", f"name: {name}", (ROOT / "labs/user-bridge.yaml").read_text(), count=1,
                          flags=re.M))
    ok, ran = _run_job(recipe(), "labs/user-bridge.yaml", tmp_path)
    assert ok and any("destroy" in c for c in ran)
    cases = ET.parse(tmp_path / "lab-checks.xml").getroot().iter("testcase")
    assert len(list(cases)) == 5 and lab_objects(docker_client, name) == []
    # a lab whose check fails: the job fails at check, and destroy still runs
    lab.write_text(lab.read_text().replace("expect: unreachable", "expect: reachable", 1))
    ok, ran = _run_job(recipe(), "labs/user-bridge.yaml", tmp_path)
    assert not ok and ran[-1].startswith("dockerlab destroy") and lab_objects(docker_client, name) == []
    failures = ET.parse(tmp_path / "lab-checks.xml").getroot().iter("failure")
    assert len(list(failures)) == 1
