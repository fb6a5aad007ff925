"""The pre-commit hook (.pre-commit-hooks.yaml), run by the pre-commit tool itself on a throwaway repository: a
good lab file passes, a bad one fails with file:line, and a YAML file that is not a lab file is left alone.
pre-commit installs dockerlab from this tree into an environment of its own, as a user's repository would."""

import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable))


@pytest.mark.skipif(not PRE_COMMIT, reason="needs pre-commit (make test installs the dev extras, which have it)")
def test_the_hook_passes_a_good_lab_file_and_fails_a_bad_one_with_file_and_line(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "good.lab.yaml").write_text((ROOT / "labs" / "user-bridge.yaml").read_text())
    (repo / "bad.lab.yaml").write_text("name: bad\ncontainers:\n  a: {image: busybox, networks: [nope]}\n")
    (repo / "other.yaml").write_text("not: a lab\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def hook(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run([PRE_COMMIT, "try-repo", str(ROOT), "dockerlab-validate", "--files", *files],
                              capture_output=True, text=True, cwd=repo, env=env, timeout=600)
    good = hook("good.lab.yaml", "other.yaml")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr
    bad = hook("good.lab.yaml", "bad.lab.yaml")
    assert bad.returncode == 1 and "Failed" in bad.stdout, bad.stdout + bad.stderr
    assert "bad.lab.yaml:3: containers.a.networks.nope: no network 'nope'" in bad.stdout
    assert "good.lab.yaml: ok" in bad.stdout  # every file is told, the good ones too
