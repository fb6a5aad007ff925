"""Golden tests for what users read: each tests/errors/NAME.yaml is a bad lab file, NAME.log the exact
message `dockerlab validate` prints for it (as netlab keeps tests/errors). No engine.

After a deliberate change of wording: DOCKERLAB_GOLDEN_UPDATE=1 make unit, then read the diff of the .log files.
"""

import os
import pathlib

import pytest
from helpers import ROOT, dockerlab

ERRORS = ROOT / "tests" / "errors"
CASES = sorted(ERRORS.glob("*.yaml"))


def test_there_are_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("lab", CASES, ids=[p.stem for p in CASES])
def test_message_is_exactly_the_golden_one(lab: pathlib.Path):
    out = dockerlab("validate", str(lab.relative_to(ROOT)))
    assert out.returncode == 1 and out.stdout == ""
    golden = lab.with_suffix(".log")
    if os.environ.get("DOCKERLAB_GOLDEN_UPDATE"):
        golden.write_text(out.stderr)
    assert golden.exists(), f"no {golden.name}: run with DOCKERLAB_GOLDEN_UPDATE=1 and read what it wrote"
    assert out.stderr == golden.read_text()
