"""The scheduler on its own: order, the parallel limit, failure propagation, interrupts, cycles. No engine."""

import os
import signal
import threading
import time

import pytest

from dockerlab.core import scheduler
from dockerlab.core.scheduler import ScheduleError

# node -> what it waits for
GRAPH = {"net": [], "a": ["net"], "b": ["net"], "c": ["a"], "lone": []}


def deps(node):
    return GRAPH[node]


def same(node):
    return node


class Recorder:
    """A fake engine: records start and end of each node, fails the ones it is told to."""

    def __init__(self, fail=(), seconds=0.0):
        self.fail, self.seconds = set(fail), seconds
        self.events, self.lock = [], threading.Lock()
        self.running = self.most = 0

    def __call__(self, node):
        with self.lock:
            self.events.append(("start", node))
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
            self.events.append(("end", node))
        if node in self.fail:
            raise RuntimeError(f"{node} broke")


def test_order_respects_dependencies_and_ranks_ties():
    out = scheduler.order(list(GRAPH), same, deps, rank=lambda n: 0 if n == "lone" else 1)
    assert out.index("net") < out.index("a") < out.index("c") and out.index("net") < out.index("b")
    assert out[0] == "lone", "among ready nodes the lowest rank goes first"
    assert scheduler.order(list(GRAPH), same, deps) == ["net", "a", "b", "c", "lone"], "ties keep input order"


def test_run_starts_a_node_only_after_its_dependencies_ended():
    work = Recorder(seconds=0.01)
    outcome = scheduler.run(list(GRAPH), same, deps, work, parallel=4)
    assert outcome.ok and sorted(outcome.done) == sorted(GRAPH)
    for node, needs in GRAPH.items():
        for need in needs:
            assert work.events.index(("end", need)) < work.events.index(("start", node))


@pytest.mark.parametrize("parallel", [1, 3])
def test_parallel_limit_is_never_exceeded_and_is_used(parallel):
    nodes = [f"n{i}" for i in range(9)]
    work = Recorder(seconds=0.05)
    outcome = scheduler.run(nodes, same, lambda n: [], work, parallel=parallel)
    assert outcome.ok
    assert work.most == parallel


def test_a_failure_skips_its_dependants_and_nothing_else():
    work = Recorder(fail={"a"})
    outcome = scheduler.run(list(GRAPH), same, deps, work, parallel=2)
    assert outcome.failed == [("a", "a broke")]
    assert outcome.skipped == ["c"], "only what waits for a, directly or not"
    assert sorted(outcome.done) == ["b", "lone", "net"]
    assert not outcome.ok


def test_describe_formats_the_failure():
    outcome = scheduler.run(["x"], same, lambda n: [], Recorder(fail={"x"}), parallel=1,
                            describe=lambda exc: f"{type(exc).__name__}!")
    assert outcome.failed == [("x", "RuntimeError!")]


def test_interrupt_finishes_what_runs_and_starts_nothing_new():
    started = []

    def work(node):
        started.append(node)
        if node == "net":
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C while a step is in flight
            time.sleep(0.2)

    outcome = scheduler.run(["net", "a", "b"], same, lambda n: ["net"] if n != "net" else [], work, parallel=1)
    assert outcome.interrupted and not outcome.ok
    assert outcome.done == ["net"], "the step in flight finished"
    assert started == ["net"] and outcome.skipped == ["a", "b"]


def test_a_cycle_is_refused_with_its_path():
    with pytest.raises(ScheduleError, match="wait for each other: .*x.*y"):
        scheduler.order(["x", "y"], same, lambda n: {"x": ["y"], "y": ["x"]}[n])
    with pytest.raises(ScheduleError):
        scheduler.run(["x", "y"], same, lambda n: {"x": ["y"], "y": ["x"]}[n], Recorder(), parallel=2)


def test_a_dependency_on_nothing_is_refused():
    with pytest.raises(ScheduleError, match="x waits for ghost, which is not planned"):
        scheduler.order(["x"], same, lambda n: ["ghost"])


def test_a_halting_failure_starts_nothing_new():
    """As when the engine stops answering: every further step would only wait for it in vain."""
    nodes = [f"n{i}" for i in range(6)]
    outcome = scheduler.run(nodes, same, lambda n: [], Recorder(fail={"n0"}, seconds=0.02), parallel=1,
                            halt=lambda exc: "n0" in str(exc))
    assert outcome.failed == [("n0", "n0 broke")]
    assert outcome.done == [] and outcome.skipped == nodes[1:]


def test_each_lane_has_its_own_limit_and_a_full_lane_never_holds_up_another():
    """Lane a has three ready nodes and room for one; lane b's node must run while a's first one still runs
    (a1 waits for b1 to have started: with one shared queue it would wait forever)."""
    b_started = threading.Event()
    running = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0}
    lock = threading.Lock()

    def work(node):
        with lock:
            running[node[0]] += 1
            most[node[0]] = max(most[node[0]], running[node[0]])
        if node == "b1":
            b_started.set()
        elif node == "a1":
            assert b_started.wait(5), "lane b was held up by lane a"
        time.sleep(0.02)
        with lock:
            running[node[0]] -= 1

    outcome = scheduler.run(["a1", "a2", "a3", "b1"], key=same, deps=lambda n: [], work=work, parallel=1,
                            lane=lambda n: n[0])
    assert outcome.ok and len(outcome.done) == 4
    assert most == {"a": 1, "b": 1}


def test_a_halting_failure_closes_its_own_lane_only():
    """A host whose engine went starts nothing more; the other hosts finish their steps. Many halting
    failures at once (every step of the lost host in flight) end the run too: none waits forever."""
    nodes = [f"a{i}" for i in range(8)] + [f"b{i}" for i in range(8)]
    outcome = scheduler.run(nodes, same, lambda n: [], Recorder(fail={f"a{i}" for i in range(8)}, seconds=0.01),
                            parallel=4, halt=lambda exc: str(exc).startswith("a"), lane=lambda n: n[0])
    assert sorted(outcome.done) == [f"b{i}" for i in range(8)]
    assert len(outcome.failed) == 4 and sorted(outcome.skipped) == sorted(set(nodes[:8]) - {n for n, _ in
                                                                                                outcome.failed})
