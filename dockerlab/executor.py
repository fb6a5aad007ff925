"""Carries out a plan on one engine: each (kind, action) has one handler; the scheduler runs them in
dependency order, independent steps in parallel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from . import labels as L
from . import scheduler
from .capabilities import Feature
from .engine import Engine
from .errors import ApplyError, DockerlabError
from .model import Lab
from .plan import Action, Kind, Plan, Step

DEFAULT_PARALLEL = 8  # the engine, not the client, is the bottleneck past this (see bench/)

Outcome = scheduler.Outcome[Step]
Report = Callable[[Step, float, str | None], None]
Handler = Callable[[Step], None]


def describe(exc: Exception) -> str:
    """A user's error as it is; anything else is a bug or an SDK surprise: say what it was."""
    return str(exc) if isinstance(exc, DockerlabError) else f"{type(exc).__name__}: {exc}"


class Executor:
    def __init__(self, engine: Engine, lab: Lab, report: Report, parallel: int = DEFAULT_PARALLEL) -> None:
        self.engine, self.lab, self.report = engine, lab, report
        self.parallel = max(1, parallel)
        self.lock = threading.Lock()
        self.network_locks: dict[str, threading.Lock] = {}
        # Engines that lose count of endpoints deleted at once: endpoints leave a network one at a time.
        self.one_endpoint_at_a_time = not engine.caps.has(Feature.SAFE_ENDPOINT_COUNT)
        self.handlers: dict[tuple[Kind, Action], Handler] = {
            (Kind.IMAGE, Action.PULL): lambda s: self.engine.pull(s.name),
            (Kind.NETWORK, Action.CREATE): self._network_create,
            (Kind.NETWORK, Action.REMOVE): self._network_remove,
            (Kind.NETWORK, Action.RECREATE): self._network_recreate,
            (Kind.CONTAINER, Action.CREATE): self._container_create,
            (Kind.CONTAINER, Action.REMOVE): self._container_remove,
            (Kind.CONTAINER, Action.RECREATE): self._container_recreate,
            (Kind.CONTAINER, Action.START): lambda s: self.engine.start(s.docker_id or s.name, s.name),
            (Kind.CONTAINER, Action.CONNECT): self._container_connect,
            (Kind.CONTAINER, Action.DISCONNECT): self._container_disconnect,
            (Kind.CONTAINER, Action.RECONNECT): self._container_reconnect,
        }

    def run(self, plan: Plan) -> Outcome:
        return scheduler.run(plan.steps, key=lambda s: s.id, deps=lambda s: s.after, work=self._timed,
                             parallel=self.parallel, describe=describe)

    def _timed(self, step: Step) -> None:
        start = time.monotonic()
        error = None
        try:
            self.handlers[step.kind, step.action](step)
        except Exception as exc:
            error = describe(exc)
            raise
        finally:
            with self.lock:
                self.report(step, time.monotonic() - start, error)

    # -- networks

    def _network_create(self, step: Step) -> None:
        spec = self.lab.network(step.key or "")
        assert spec is not None
        self.engine.create_network(spec, L.network_labels(self.lab, spec))

    def _network_remove(self, step: Step) -> None:
        self.engine.remove_network(step.docker_id or step.name, step.name, step.scope)

    def _network_recreate(self, step: Step) -> None:
        for container in step.attached:
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
        container = step.docker_id or step.name
        if self.one_endpoint_at_a_time:
            for network in step.networks:
                self._leave(container, network)
        self.engine.remove_container(container, step.name)

    def _leave(self, container: str, network: str) -> None:
        with self._turn_on(network):
            self.engine.disconnect(container, network)

    def _turn_on(self, network: str) -> AbstractContextManager[object]:
        """On engines that lose count of parallel endpoint deletes, endpoints leave a network one at a time."""
        if not self.one_endpoint_at_a_time:
            return nullcontext()
        with self.lock:
            return self.network_locks.setdefault(network, threading.Lock())

    def _container_connect(self, step: Step) -> None:
        spec = self.lab.container(step.key or "")
        assert spec is not None and step.network is not None
        att = next(a for a in spec.attachments if self.lab.docker_network_name(a.network) == step.network)
        self.engine.connect(step.name, step.network, att, spec.key)

    def _container_disconnect(self, step: Step) -> None:
        self._leave(step.name, step.network or "")

    def _container_reconnect(self, step: Step) -> None:
        self._container_disconnect(step)
        self._container_connect(step)
