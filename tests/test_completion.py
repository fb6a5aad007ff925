"""Shell completion: click's scripts for bash, zsh and fish, and what they complete from the lab file on the
command line (container keys, networks, check names, stages, faults, bundled labs). The bash script runs in a real
bash; nothing here reaches an engine (DOCKER_HOST names none)."""

import os
import shlex
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT

LABS = ROOT / "labs"


def complete(*words: str, shell: str = "bash") -> list[str]:
    """What dockerlab offers for the last word (an empty one: after a space)."""
    line = shlex.join(["dockerlab", *words])
    env = {**os.environ, "_DOCKERLAB_COMPLETE": f"{shell}_complete", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words))}
    out = subprocess.run([sys.executable, "-m", "dockerlab"], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    return [item.split(",", 1)[1] for item in out.stdout.splitlines() if item.startswith("plain,")]


@pytest.mark.parametrize("words, offered", [
    (("ev",), ["events"]),
    (("exec", str(LABS / "user-bridge.yaml"), ""), ["four", "one", "three"]),
    (("capture", str(LABS / "user-bridge.yaml"), "th"), ["three", "three@numbers"]),
    (("check", str(LABS / "user-bridge.yaml"), "--only", "same"),  # quoted: bash pastes a completion as it is
     ["'same bridge by ip'", "'same bridge by name'"]),
    (("check", str(LABS / "user-bridge.yaml"), "--only", "alias resolves,def"),
     ["'alias resolves,default bridge isolated'"]),
    (("apply", str(LABS / "bridge-walk.yaml"), "--stage", ""),
     ["default-bridge", "web", "numbers", "isolation", "dns"]),
    (("break", str(LABS / "user-bridge.yaml"), ""), ["four-on-the-default-bridge", "alias-typo", "three-stopped"]),
    (("labs", "copy", "macvlan"), ["macvlan", "macvlan-8021q", "macvlan-host", "macvlan-swarm"]),
    (("exec", "/nonexistent.yaml", ""), []),  # not a lab: nothing, and no error
])
def test_completion_offers_what_the_lab_file_has(words, offered):
    assert complete(*words) == offered


def test_options_complete_too():
    assert "--only" in subprocess.run(
        [sys.executable, "-m", "dockerlab"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "_DOCKERLAB_COMPLETE": "bash_complete", "COMP_WORDS": "dockerlab check lab.yaml --on",
             "COMP_CWORD": "3"}).stdout


def test_the_bash_script_completes_in_a_real_bash(tmp_path):
    script = subprocess.run([sys.executable, "-m", "dockerlab"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "_DOCKERLAB_COMPLETE": "bash_source"}).stdout
    assert "complete -o nosort -F _dockerlab_completion dockerlab" in script
    shim = tmp_path / "dockerlab"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m dockerlab \"$@\"\n")
    shim.chmod(0o755)
    lab = LABS / "user-bridge.yaml"
    run = (f'{script}\nCOMP_WORDS=(dockerlab shell {lab} f); COMP_CWORD=3; _dockerlab_completion dockerlab; '
           'echo "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", run], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}"})
    assert out.stdout.split() == ["four"], out.stderr


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_the_zsh_and_fish_scripts_are_made(shell):
    script = subprocess.run([sys.executable, "-m", "dockerlab"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "_DOCKERLAB_COMPLETE": f"{shell}_source"}).stdout
    assert "_DOCKERLAB_COMPLETE" in script and f"{shell}_complete" in script
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed: its script was made, not run")
    checked = subprocess.run([shell, "-n"] if shell == "zsh" else [shell, "--no-execute"], input=script,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
