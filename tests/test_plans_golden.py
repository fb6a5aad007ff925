"""Plan goldens, as netlab keeps its topology tests: each tests/plans/NAME.yaml is a lab file, NAME.before.yaml
(when there is one) the lab as the engine has it (fabricated: each object as the engine's API would list it once
made; `x-stopped` names containers stopped by hand), and NAME.plan the exact plan dockerlab shows, the same
plan as docker commands, and what `status` shows. Pure: make_plan and the three texts, no engine.

After a deliberate change: DOCKERLAB_GOLDEN_UPDATE=1 make unit, then read the diff of the .plan files.
"""

import os
import pathlib

import pytest
import yaml
from fakes import FakeView, box_api, net_api

from dockerlab.cli.as_docker import plan_commands
from dockerlab.cli.render import plan_text
from dockerlab.cli.status import status_of, status_text
from dockerlab.core.observed import Observed
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.planner import make_plan

PLANS = pathlib.Path(__file__).resolve().parent / "plans"
CASES = sorted(p for p in PLANS.glob("*.yaml") if not p.name.endswith(".before.yaml"))
WHERE = {"": "unix:///var/run/docker.sock"}


def live(before: pathlib.Path) -> Observed:
    if not before.exists():
        return Observed((), ())
    stopped = set(yaml.safe_load(before.read_text()).get("x-stopped", ()))
    lab = parse_lab(before.read_text(), "lab.yaml")
    return Observed(tuple(net_api(lab, n.key) for n in lab.networks),
                    tuple(box_api(lab, c.key, "exited" if c.key in stopped else "running") for c in lab.containers))


def test_there_are_cases():
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_the_plan_is_exactly_the_golden_one(case: pathlib.Path):
    lab = parse_lab(case.read_text(), "lab.yaml")
    observed = live(case.with_suffix(".before.yaml"))
    plan = make_plan(lab, observed)
    shown = (f"{plan_text(plan, WHERE)}\n\n# as docker commands\n{plan_commands(lab, plan, WHERE)}\n\n# status\n"
             f"{status_text(status_of(FakeView(lab, observed), plan))}\n")
    golden = case.with_suffix(".plan")
    if os.environ.get("DOCKERLAB_GOLDEN_UPDATE"):
        golden.write_text(shown)
    assert golden.exists(), f"no {golden.name}: run with DOCKERLAB_GOLDEN_UPDATE=1 and read what it wrote"
    assert shown == golden.read_text()


def test_commands_without_dockerlabs_labels_keep_the_files_own():
    lab = parse_lab("name: t\nnetworks:\n  n: {labels: {team: red}}\ncontainers:\n"
                    "  a: {image: busybox, networks: [n], labels: {role: web}}\n", "lab.yaml")
    plan = make_plan(lab, Observed((), ()))
    full, plain = plan_commands(lab, plan, WHERE), plan_commands(lab, plan, WHERE, labels=False)
    assert "io.dockerlab.lab=t" in full and "io.dockerlab." not in plain
    assert "--label team=red" in plain and "--label role=web" in plain
    assert "# without dockerlab's labels" in plain and plain.count("docker ") == full.count("docker ")
