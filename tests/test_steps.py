"""One declaration of the kinds of step (STEP_KINDS): every handler table covers exactly it, and no other step
can be made. Pure: the tables are built with fakes, nothing runs."""

import inspect

import pytest
from fakes import FakeEngine, FakeView

from dockerlab.cli.as_docker import Writer
from dockerlab.engine.seam import EngineChanges
from dockerlab.labfile.load import parse_lab
from dockerlab.plan.steps import STEP_KINDS, Action, Kind, Step, making_network, step_id
from dockerlab.run.across_hosts import Swarm
from dockerlab.run.executor import Executor

LAB = parse_lab("name: t\n")


def test_the_executor_with_the_swarm_handles_every_kind_of_step_and_no_other():
    crew = Executor(FakeEngine(), LAB, report=lambda *a: None, more=Swarm(FakeView(LAB)).handlers(""))
    assert set(crew.handlers) == STEP_KINDS


def test_the_plan_as_docker_commands_writes_every_kind_of_step_and_no_other():
    assert set(Writer(LAB, {}).handlers) == STEP_KINDS


def test_a_step_of_no_declared_kind_cannot_be_made():
    with pytest.raises(ValueError, match="no step start network"):
        Step(Action.START, Kind.NETWORK, "n")


def test_step_ids_are_made_in_one_place():
    step = Step(Action.CONNECT, Kind.CONTAINER, "a", network="lan", host="h2")
    assert step.id == step_id(Kind.CONTAINER, Action.CONNECT, "a", "lan", host="h2") == "h2/container:connect:a:lan"
    assert making_network("lan", "h1") == {"h1/network:create:lan", "h1/network:recreate:lan"}


def test_the_fake_engine_is_what_the_executor_sees_of_an_engine():
    """The executor's tests run on a fake that has every member of the seam, with the same parameters."""
    members = {n for n in dir(EngineChanges) if not n.startswith("_")}
    assert members <= set(dir(FakeEngine))
    for name in members - {"caps", "identity"}:
        ours, theirs = inspect.signature(getattr(FakeEngine, name)), inspect.signature(getattr(EngineChanges, name))
        assert list(ours.parameters) == list(theirs.parameters), name
