"""Every command's one line in `dockerlab --help` is whole in an 80-column terminal (click cuts a longer one short
with "..."), and every command's own --help runs. Pure."""

import os
import subprocess
import sys

from dockerlab.cli.main import cli


def test_the_command_list_is_not_cut_short():
    out = subprocess.run([sys.executable, "-m", "dockerlab", "--help"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "80"}, timeout=60).stdout
    listed = out.split("Commands:", 1)[1].splitlines()[1:]
    assert len(listed) == len(cli.commands) and not [line for line in listed if line.endswith("...")], listed


def test_each_command_has_help():
    for name in cli.commands:
        out = subprocess.run([sys.executable, "-m", "dockerlab", name, "--help"], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0 and out.stdout.startswith(f"Usage: dockerlab {name}"), (name, out.stderr)
