"""The package as people install it: a wheel and an sdist built from the tree, the wheel installed into a fresh
virtualenv (and with pipx), and a lab that ships inside it written out, validated, applied, checked and destroyed
against the real engine by the installed command alone."""

import os
import re
import shutil
import subprocess
import sys
import uuid

import pytest
from helpers import ROOT, TEST_LAB_PREFIX

import dockerlab

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheels = list(out.glob(f"dockerlab_net-{dockerlab.__version__}-py3-none-any.whl"))
    assert wheels and list(out.glob(f"dockerlab[-_]net-{dockerlab.__version__}.tar.gz")), list(out.iterdir())
    return wheels[0]


def _run(command, cwd, ok=True, env=None):
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600,
                            env={**os.environ, **(env or {})})
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _a_bundled_lab_end_to_end(command, where):
    """What a new user does first: list, copy one out, validate, apply, check, destroy."""
    assert re.match(rf"dockerlab {re.escape(dockerlab.__version__)}, tested on Docker 20\.10 \(API 1\.41\)",
                    _run([command, "--version"], where).stdout)
    listed = _run([command, "labs"], where).stdout
    assert "user-bridge" in listed and "bridge-walk" in listed
    _run([command, "labs", "copy", "user-bridge"], where)
    lab = where / "user-bridge.yaml"
    name = f"{TEST_LAB_PREFIX}{uuid.uuid4().hex[:6]}"
    lab.write_text(re.sub(r"^name: .*$", f"name: {name}", lab.read_text(), count=1, flags=re.M))
    _run([command, "validate", str(lab)], where)
    try:
        _run([command, "apply", str(lab)], where)
        assert "5 of 5 checks passed" in _run([command, "check", str(lab)], where).stdout
    finally:
        _run([command, "destroy", str(lab)], where)


def test_the_wheel_installs_in_a_fresh_virtualenv_and_runs_a_bundled_lab(wheel, tmp_path, docker_client):
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    _run([str(tmp_path / "venv/bin/pip"), "install", "-q", "--disable-pip-version-check", str(wheel)], tmp_path)
    (tmp_path / "work").mkdir()
    _a_bundled_lab_end_to_end(str(tmp_path / "venv/bin/dockerlab"), tmp_path / "work")


@pytest.mark.skipif(not shutil.which("pipx"), reason="needs pipx (make test installs Debian's)")
def test_pipx_installs_the_wheel_as_the_dockerlab_command(wheel, tmp_path, docker_client):
    env = {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    _run(["pipx", "install", str(wheel)], tmp_path, env=env)
    (tmp_path / "work").mkdir()
    _a_bundled_lab_end_to_end(str(tmp_path / "bin/dockerlab"), tmp_path / "work")
