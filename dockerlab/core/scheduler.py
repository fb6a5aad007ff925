"""A generic dependency scheduler: put a graph in order, or run it with a bounded pool of threads.

Built on graphlib, after compose 1.x's `parallel_execute(get_deps=...)`: a node runs once everything it
depends on succeeded; a failed node stops its dependants and nothing else; an interrupt lets the nodes in
flight finish and starts no new ones.
"""

from __future__ import annotations

import heapq
import queue
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any, Generic, TypeVar, cast

from dockerlab.errors import DockerlabError

T = TypeVar("T")
Key = Callable[[T], Hashable]
Deps = Callable[[T], Iterable[Hashable]]


class ScheduleError(DockerlabError):
    """The graph cannot be run: a cycle, or a dependency on nothing."""


@dataclass
class Outcome(Generic[T]):
    done: list[T] = field(default_factory=list)
    failed: list[tuple[T, str]] = field(default_factory=list)
    raised: list[Exception] = field(default_factory=list)  # what each failed node raised, in the order of failed
    skipped: list[T] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.interrupted)


class _Graph(Generic[T]):
    def __init__(self, nodes: Sequence[T], key: Key[T], deps: Deps[T]) -> None:
        self.index = {key(n): i for i, n in enumerate(nodes)}
        self.nodes, self.key = nodes, key
        self.sorter: TopologicalSorter[Hashable] = TopologicalSorter()
        for node in nodes:
            wanted = list(deps(node))
            unknown = [d for d in wanted if d not in self.index]
            if unknown:
                raise ScheduleError(f"{key(node)} waits for {', '.join(map(str, unknown))}, which is not planned")
            self.sorter.add(key(node), *wanted)
        try:
            self.sorter.prepare()
        except CycleError as exc:
            raise ScheduleError(f"these steps wait for each other: {' -> '.join(map(str, exc.args[1]))}") from None

    def ready(self) -> list[T]:
        return [self.nodes[i] for i in sorted(self.index[k] for k in self.sorter.get_ready())]

    def done(self, node: T) -> None:
        self.sorter.done(self.key(node))


def order(nodes: Sequence[T], key: Key[T], deps: Deps[T], rank: Callable[[T], Any] = lambda n: 0) -> list[T]:
    """A topological order; among nodes that are ready at once, the lowest rank first, then input order."""
    graph = _Graph(nodes, key, deps)
    heap: list[tuple[Any, int]] = []
    out: list[T] = []

    def push(ready: list[T]) -> None:
        for node in ready:
            heapq.heappush(heap, (rank(node), graph.index[key(node)]))
    push(graph.ready())
    while heap:
        node = nodes[heapq.heappop(heap)[1]]
        out.append(node)
        graph.done(node)
        push(graph.ready())
    return out


def run(nodes: Sequence[T], key: Key[T], deps: Deps[T], work: Callable[[T], None], parallel: int,
        describe: Callable[[Exception], str] = str, halt: Callable[[Exception], bool] = lambda exc: False,
        lane: Callable[[T], Hashable] = lambda node: None) -> Outcome[T]:
    """Run work(node) for every node, at most `parallel` at once in each lane (one lane unless `lane` says:
    a lab's hosts are lanes, so that one host's queue never holds up another's); an exception fails the node,
    and an exception for which `halt` says so starts nothing new in its lane (what runs finishes), as an
    interrupt does in every lane."""
    graph = _Graph(nodes, key, deps)
    outcome: Outcome[T] = Outcome()
    gate = _Gate(max(1, parallel), lane)
    crew = _Crew(work, describe, outcome, halt, lane, gate.closed)
    try:
        crew.start(max(1, parallel) * max(1, len({lane(n) for n in nodes})))
        waiting = crew.give(gate.admit(graph.ready()))
        while waiting:
            node, ok = crew.results.get()
            waiting -= 1
            gate.release(node)
            if ok:
                graph.done(node)
            waiting += crew.give(gate.admit(graph.ready() if ok else []))
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        crew.take_back()
        crew.stop()
    settled = {key(n) for n in outcome.done} | {key(n) for n, _ in outcome.failed}
    outcome.skipped = [n for n in nodes if key(n) not in settled]
    return outcome


class _Gate(Generic[T]):
    """Ready nodes wait here, in order, until their lane has room."""

    def __init__(self, parallel: int, lane: Callable[[T], Hashable]) -> None:
        self.parallel, self.lane = parallel, lane
        self.queues: dict[Hashable, deque[T]] = {}
        self.running: dict[Hashable, int] = {}
        self.closed: set[Hashable] = set()  # lanes where nothing new starts (filled by the crew's workers)

    def admit(self, ready: list[T]) -> list[T]:
        for node in ready:
            self.queues.setdefault(self.lane(node), deque()).append(node)
        out = []
        for lane, waiting in self.queues.items():
            while waiting and self.running.get(lane, 0) < self.parallel and lane not in self.closed:
                out.append(waiting.popleft())
                self.running[lane] = self.running.get(lane, 0) + 1
        return out

    def release(self, node: T) -> None:
        self.running[self.lane(node)] -= 1


_STOP = object()


class _Crew(Generic[T]):
    """Worker threads fed by a queue, rather than a pool: an interrupt may land anywhere in `run` (even inside
    a thread's start), and every node is then either taken by a worker, which finishes and records it, or
    still queued, and never starts."""

    def __init__(self, work: Callable[[T], None], describe: Callable[[Exception], str], outcome: Outcome[T],
                 halt: Callable[[Exception], bool], lane: Callable[[T], Hashable], closed: set[Hashable]) -> None:
        self.work, self.describe, self.outcome, self.halt = work, describe, outcome, halt
        self.lane, self.closed = lane, closed
        self.todo: queue.Queue[T | object] = queue.Queue()
        self.results: queue.Queue[tuple[T, bool]] = queue.Queue()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self, size: int) -> None:
        for i in range(size):
            self.threads.append(threading.Thread(target=self._serve, name=f"dockerlab-{i}"))
            self.threads[-1].start()

    def give(self, nodes: list[T]) -> int:
        for node in nodes:
            self.todo.put(node)
        return len(nodes)

    def take_back(self) -> None:
        """What no worker has started yet stays undone."""
        while True:
            try:
                self.todo.get_nowait()
            except queue.Empty:
                return

    def stop(self) -> None:
        for _ in self.threads:
            self.todo.put(_STOP)
        for thread in self.threads:
            thread.join()

    def _serve(self) -> None:
        while (item := self.todo.get()) is not _STOP:
            node = cast(T, item)
            self.results.put((node, self.lane(node) not in self.closed and self._attempt(node)))

    def _attempt(self, node: T) -> bool:
        try:
            self.work(node)
        except Exception as exc:
            with self.lock:
                self.outcome.failed.append((node, self.describe(exc)))
                self.outcome.raised.append(exc)
                if self.halt(exc):
                    self.closed.add(self.lane(node))
            return False
        with self.lock:
            self.outcome.done.append(node)
        return True
