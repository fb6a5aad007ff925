"""Carries out a plan: independent steps in parallel, each after the steps it waits for."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from . import labels as L
from .engine import Engine
from .errors import ApplyError, DockerlabError
from .model import Lab
from .plan import Plan, Step

DEFAULT_PARALLEL = 8  # the engine, not the client, is the bottleneck past this (see bench/)
# Before Docker 28.1 (API 1.49) a network's endpoint count can go wrong when several of its endpoints are deleted
# at once; the network then cannot be removed until the daemon restarts (moby#42119; here 2 of 10 parallel destroys
# of 40 containers on 2 networks, 0 of 10 with this). On such engines endpoints leave a network one at a time.
COUNTS_ENDPOINTS_SAFELY = "1.49"


@dataclass
class Outcome:
    done: list[Step] = field(default_factory=list)
    failed: list[tuple[Step, str]] = field(default_factory=list)
    skipped: list[Step] = field(default_factory=list)
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.interrupted)


Report = Callable[[Step, float, str | None], None]


class Executor:
    def __init__(self, engine: Engine, lab: Lab, report: Report, parallel: int = DEFAULT_PARALLEL) -> None:
        self.engine, self.lab, self.report = engine, lab, report
        self.parallel = max(1, parallel)
        self.lock = threading.Lock()
        self.network_locks: dict[str, threading.Lock] = {}
        self.one_endpoint_at_a_time = not engine.at_least(COUNTS_ENDPOINTS_SAFELY)

    def run(self, plan: Plan) -> Outcome:
        outcome = Outcome()
        pending = list(plan.steps)
        settled: dict[str, bool] = {}  # step id -> succeeded
        running: dict[Future, Step] = {}
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="dockerlab") as pool:
            try:
                while pending or running:
                    for step in list(pending):
                        if any(settled.get(dep) is False for dep in step.after):
                            pending.remove(step)
                            outcome.skipped.append(step)
                            settled[step.id] = False
                        elif all(dep in settled for dep in step.after) and len(running) < self.parallel:
                            pending.remove(step)
                            running[pool.submit(self._timed, step)] = step
                    if not running:  # only reachable if a dependency names no step: do not spin
                        outcome.skipped += pending
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        step = running.pop(future)
                        error = future.result()
                        settled[step.id] = error is None
                        (outcome.done.append(step) if error is None else outcome.failed.append((step, error)))
            except KeyboardInterrupt:
                outcome.interrupted = True
                outcome.skipped += pending
                wait(running)
                for future, step in running.items():
                    error = future.result()
                    (outcome.done.append(step) if error is None else outcome.failed.append((step, error)))
        return outcome

    def _timed(self, step: Step) -> str | None:
        start = time.monotonic()
        try:
            getattr(self, f"_{step.kind}_{step.action}")(step)
            error = None
        except DockerlabError as exc:
            error = str(exc)
        except Exception as exc:  # a bug or an SDK surprise: report it with the step, keep going
            error = f"{type(exc).__name__}: {exc}"
        with self.lock:
            self.report(step, time.monotonic() - start, error)
        return error

    # -- images

    def _image_pull(self, step: Step) -> None:
        self.engine.pull(step.name)

    # -- networks

    def _network_create(self, step: Step) -> None:
        spec = self.lab.network(step.key or "")
        assert spec is not None
        self.engine.create_network(spec, L.network_labels(self.lab, spec))

    def _network_remove(self, step: Step) -> None:
        self.engine.remove_network(step.params["id"], step.name, step.params.get("scope", "local"))

    def _network_recreate(self, step: Step) -> None:
        for container in step.params["attached"]:
            self._leave(container, step.name)
        self._network_remove(step)
        self._network_create(step)

    # -- containers

    def _container_create(self, step: Step) -> None:
        spec = self.lab.container(step.key or "")
        assert spec is not None
        names = {n.key: n.name for n in self.lab.networks}
        cid = self.engine.create_container(spec, L.container_labels(self.lab, spec), names)
        try:
            for att in spec.attachments[1:]:
                self.engine.connect(cid, self.lab.docker_network_name(att.network), att, spec.key)
            self.engine.start(cid, spec.name)
        except DockerlabError as exc:
            raise ApplyError(f"{exc} (container {spec.name} was created but not started; apply again "
                             "after fixing this, or destroy the lab)") from None

    def _container_recreate(self, step: Step) -> None:
        self._container_remove(step)
        self._container_create(step)

    def _container_remove(self, step: Step) -> None:
        if self.one_endpoint_at_a_time:
            for network in step.params.get("networks", ()):
                self._leave(step.params["id"], network)
        self.engine.remove_container(step.params["id"], step.name)

    def _leave(self, container: str, network: str) -> None:
        with self._turn_on(network):
            self.engine.disconnect(container, network)

    def _turn_on(self, network: str) -> AbstractContextManager:
        """On older engines endpoints leave a network one at a time (see COUNTS_ENDPOINTS_SAFELY)."""
        if not self.one_endpoint_at_a_time:
            return nullcontext()
        with self.lock:
            return self.network_locks.setdefault(network, threading.Lock())

    def _container_start(self, step: Step) -> None:
        self.engine.start(step.params["id"], step.name)

    def _container_connect(self, step: Step) -> None:
        spec = self.lab.container(step.key or "")
        assert spec is not None
        att = next(a for a in spec.attachments if self.lab.docker_network_name(a.network) == step.network)
        self.engine.connect(step.name, step.network, att, spec.key)

    def _container_disconnect(self, step: Step) -> None:
        self._leave(step.name, step.network or "")

    def _container_reconnect(self, step: Step) -> None:
        self._container_disconnect(step)
        self._container_connect(step)
