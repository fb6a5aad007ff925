"""Docker's error texts turned into advice: the pure part."""

import pytest

from dockerlab.engine.explain import busy_network


def test_a_busy_network_is_explained_and_only_stale_endpoints_are_cleared():
    assert busy_network("lan", {"id1": "web", "ep-id2": "gone"}, live={"id1"}).startswith(
        "remove network lan: containers outside the lab joined it after the plan was made: web.")
    assert busy_network("lan", {"ep-id2": "gone", "id3": "old"}, live={"id1"}) == ["gone", "old"]
    assert "a known bug of Docker before 28.1" in busy_network("lan", {}, live={"id1"})


@pytest.mark.parametrize(("text", "kind"), [
    ("error while removing network: network lab-lan id 3f2a has active endpoints", "NetworkInUse"),
    ("rpc error: code = FailedPrecondition desc = network 3f2a is in use by task x", "NetworkInUseByTask"),
    ("container 3f2a is not connected to network lab-lan", "NotConnected"),
    ("attaching to network failed, make sure your network options are correct", "AttachFailed"),
    ("removal of container 3f2a is already in progress", "RemovalInProgress"),
    ("something else entirely", "EngineError"),
])
def test_a_refusal_dockerlab_acts_on_is_told_apart_by_its_type(text, kind):
    from dockerlab.engine.explain import refusal

    error = refusal("do it", text)
    assert type(error).__name__ == kind and str(error).startswith("do it: ")


def test_many_containers_that_failed_alike_are_said_once():
    """The cause is read from the error's type, not parsed back out of its message."""
    from dockerlab.core.model import Lab
    from dockerlab.core.scheduler import Outcome
    from dockerlab.errors import Unstarted
    from dockerlab.plan.steps import Action, Kind, Plan, Step
    from dockerlab.run.failures import failure_text

    steps = [Step(Action.CREATE, Kind.CONTAINER, f"lab-c{i}") for i in range(4)]
    raised = [Unstarted("start container: the engine is gone", s.name) for s in steps]
    outcome = Outcome(failed=[(s, str(e)) for s, e in zip(steps, raised, strict=True)], raised=list(raised))
    text = failure_text(Lab(name="lab", prefix=""), Plan("lab", tuple(steps)), outcome)
    assert "  failed: 4 steps (lab-c0, lab-c1, lab-c2, lab-c3): start container: the engine is gone" in text


def test_an_interrupt_after_the_last_step_does_not_ask_for_another_apply():
    """Ctrl-C that lands once every step is done (during the final look) says so, and where to look."""
    from dockerlab.core.model import Lab
    from dockerlab.core.scheduler import Outcome
    from dockerlab.plan.steps import Action, Kind, Plan, Step
    from dockerlab.run.failures import failure_text

    steps = [Step(Action.CREATE, Kind.CONTAINER, f"lab-c{i}") for i in range(2)]
    done = failure_text(Lab(name="lab", prefix="", path="my lab.yaml"), Plan("lab", tuple(steps)),
                        Outcome(done=list(steps), interrupted=True))
    assert done.splitlines()[0] == "apply was interrupted" and "apply` again" not in done
    assert done.endswith("every step was done before the interrupt: `dockerlab status 'my lab.yaml'` says whether "
                         "the engine matches the file")
    half = failure_text(Lab(name="lab", prefix=""), Plan("lab", tuple(steps)),
                        Outcome(done=steps[:1], skipped=steps[1:], interrupted=True))
    assert "`dockerlab apply` again finishes the lab" in half


def test_hosts_of_the_rig_that_do_not_answer_name_make_hosts():
    from types import SimpleNamespace

    from dockerlab.errors import EngineGone
    from dockerlab.plan.observe import each_host

    def gone(key, host):
        raise EngineGone(f"no Docker engine answers at {host.address}")
    hosts = {k: SimpleNamespace(label=f"host {k}", address=a) for k, a in
             (("h1", "unix:///var/run/docker.sock"), ("h2", "unix:///run/dockerlab-h2.sock"),
              ("h3", "unix:///run/dockerlab-h3.sock"))}
    with pytest.raises(EngineGone) as told:
        each_host(hosts, gone)
    assert str(told.value).endswith("start with `make hosts N=3` in a dockerlab checkout")
    with pytest.raises(EngineGone) as elsewhere:
        each_host({"h1": hosts["h1"]}, gone)
    assert "make hosts" not in str(elsewhere.value)
