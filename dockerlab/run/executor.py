"""Carries out a plan: on each engine an executor, whose handlers are one per (kind, action); the scheduler runs
the steps in dependency order, independent steps in parallel, `parallel` at a time on each engine."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext

from dockerlab.core import hostaccess, scheduler
from dockerlab.core import labels as L
from dockerlab.core.capabilities import Feature
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import PREDEFINED_NETWORKS, ContainerSpec, Lab
from dockerlab.core.observed import ObservedNetwork
from dockerlab.defaults import PARALLEL
from dockerlab.engine.seam import EngineChanges
from dockerlab.errors import ApplyError, DockerlabError, EngineError, EngineGone, NameTaken, Unstarted
from dockerlab.host.access import HostLinks
from dockerlab.host.shaper import Shaper
from dockerlab.plan.steps import STEP_KINDS, Action, Kind, Plan, Step
from dockerlab.run.lock import engine_lock

Outcome = scheduler.Outcome[Step]
Report = Callable[[Step, float, str | None], None]
Handler = Callable[[Step], None]


class _Made(DockerlabError):
    """Made, then not connected or started: the cause, and the container (by id) to remove or report."""

    def __init__(self, cause: str, container: str) -> None:
        super().__init__(cause)
        self.cause, self.container = cause, container


def run_steps(crews: dict[str, Executor], plan: Plan, parallel: int = PARALLEL) -> Outcome:
    """Each step on the executor of its host (crews by host key; "" on a lab of one engine). A host whose engine
    stops answering starts nothing more; the others go on."""
    return scheduler.run(plan.steps, key=lambda s: s.id, deps=lambda s: s.after, work=lambda s: crews[s.host].timed(s),
                         parallel=parallel, describe=describe, halt=lambda exc: isinstance(exc, EngineGone),
                         lane=lambda s: s.host)


def describe(exc: Exception) -> str:
    """A user's error as it is; anything else is a bug or an SDK surprise: say what it was."""
    return str(exc) if isinstance(exc, DockerlabError) else f"{type(exc).__name__}: {exc}"


class Executor:
    def __init__(self, engine: EngineChanges, lab: Lab, report: Report, links: HostLinks | None = None,
                 shaper: Shaper | None = None, more: dict[tuple[Kind, Action], Handler] | None = None) -> None:
        """more: handlers of steps that need more than this engine (the swarm's: a join asks the manager)."""
        self.engine, self.lab, self.report, self.links, self.shaper = engine, lab, report, links, shaper
        self.lock = threading.Lock()
        self.network_locks: dict[str, threading.Lock] = {}
        self.network_ids: dict[str, str] = {}  # Docker name -> id of networks made in this run
        # Engines that lose count of endpoints deleted at once: endpoints leave a network one at a time.
        self.one_endpoint_at_a_time = not engine.caps.has(Feature.SAFE_ENDPOINT_COUNT)
        # a handler per kind of step this engine runs alone, by name: _<kind>_<action> (a test holds the set)
        self.handlers: dict[tuple[Kind, Action], Handler] = {
            (kind, action): getattr(self, f"_{kind.name.lower()}_{action.word}")
            for kind, action in STEP_KINDS if kind is not Kind.SWARM} | (more or {})

    def timed(self, step: Step) -> None:
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

    def _image_pull(self, step: Step) -> None:
        self.engine.pull(step.name)

    # -- networks

    def _network_create(self, step: Step) -> None:
        """Where the engine does not keep names unique, one creation at a time per engine after a fresh look:
        Docker's own duplicate check races there."""
        spec = self.lab.network(step.key or "")
        assert spec is not None
        unique = self.engine.caps.has(Feature.UNIQUE_NETWORK_NAMES)
        with nullcontext() if unique else engine_lock(self.engine.identity, "networks"):
            if not unique and (taken := self.engine.networks_named(spec.name)):
                owner = (taken[0].get("Labels") or {}).get(L.LAB)
                raise NameTaken(spec.name, owner)
            network_id = self.engine.create_network(spec, L.network_labels(self.lab, spec))
        with self.lock:
            self.network_ids[spec.name] = network_id

    def _network(self, name: str) -> str:
        """A network by id once this run made it: a name could have been taken by then."""
        with self.lock:
            return self.network_ids.get(name, name)

    def _network_remove(self, step: Step) -> None:
        self.engine.remove_network(step.docker_id or step.name, step.name, step.scope)

    def _network_recreate(self, step: Step) -> None:
        """If the change fails halfway, the network is put back as it was (made again, if it went) with its
        containers back on it, so that a failed change never leaves the lab worse."""
        before = self.engine.network(step.docker_id or step.name)
        if before is None:  # its config-only network's change took it down
            return self._network_create(step)
        members = {c: self.engine.membership(c, step.name) for c in step.attached}
        left: dict[str, Attachment] = {}
        removed, gone = False, list[str]()  # gone: the networks that take its settings, removed
        try:
            self._take_down(step, gone)
            for container in step.attached:
                self._leave(container, step.name)
                if (att := members[container]) is not None:
                    left[container] = att
            self._network_remove(step)
            removed = True
            self._network_create(step)
        except EngineGone:
            raise  # nothing can be put back on an engine that does not answer
        except DockerlabError as exc:
            users = f"; {', '.join(gone)}, which took its settings, went first and are gone" if gone else ""
            raise ApplyError(f"{exc}; {self._put_back(step.name, before if removed else None, left)}{users}"
                             ) from None

    def _take_down(self, step: Step, gone: list[str]) -> None:
        """Networks that take a config-only network's settings, removed (their containers off them) before it
        is made anew: Docker keeps it while they are."""
        for container, network in step.members:
            self._leave(container, network)
        for network in step.networks:
            self.engine.remove_network(network, network)
            gone.append(network)

    def _put_back(self, name: str, gone: ObservedNetwork | None, left: dict[str, Attachment]) -> str:
        """The network made again as it was (if it went) and the containers that left it back on it; says what
        could not be put back."""
        if gone is not None:
            try:
                self.engine.create_network(gone.as_spec(), gone.labels)
            except DockerlabError as exc:
                members = f", and so are the memberships of {', '.join(sorted(left))}" if left else ""
                return (f"network {name} could not be made again as it was ({exc}): it is gone{members}; "
                        "`dockerlab apply` makes them once the cause is fixed")
        back, failed = [], []
        for container, att in sorted(left.items()):
            try:
                self.engine.connect(container, name, att, None)
                back.append(container)
            except DockerlabError as exc:
                failed.append(f"{container} ({exc})")
        said = f"network {name} was {'made again' if gone else 'left'} as it was"
        said += f", with {', '.join(back)} back on it" if back else ""
        return said + (f"; not put back on it: {'; '.join(failed)}" if failed else "")

    # -- the host's own interfaces

    def _host_links(self) -> HostLinks:
        if self.links is None:
            raise EngineError("host access needs the engine's network namespace: a local engine, as root")
        return self.links

    def _host_link_create(self, step: Step) -> None:
        spec = self.lab.network(step.key or "")
        want = hostaccess.wanted(self.lab, spec) if spec else None
        assert want is not None
        self._host_links().create(want)

    def _host_link_remove(self, step: Step) -> None:
        spec = self.lab.network(step.key or "")
        self._host_links().remove(step.name, self.lab, hostaccess.wanted(self.lab, spec) if spec else None)

    def _host_link_recreate(self, step: Step) -> None:
        self._host_link_remove(step)
        self._host_link_create(step)

    # -- impairments

    def _impairment_create(self, step: Step) -> None:
        self._impair(step)

    _impairment_update = _impairment_remove = _impairment_create

    def _impair(self, step: Step) -> None:
        if self.shaper is None:
            raise EngineError("impairments are set with tc in the container's network namespace: they need a local "
                              "engine and root")
        att = self.lab.membership(step.key, step.network)
        link = att.link if att and step.action is not Action.REMOVE else None
        self.shaper.apply(step.docker_id or step.name, step.network or "", link, step.name)

    # -- containers

    def _container_create(self, step: Step) -> None:
        try:
            self._make_container(step)
        except _Made as exc:
            raise Unstarted(exc.cause, step.name) from None

    def _make_container(self, step: Step) -> None:
        spec = self.lab.container(step.key or "")
        assert spec is not None
        names = {a.network: self.lab.docker_network_name(a.network) for a in spec.attachments}
        joined = self._at_create(spec)
        cid = self.engine.create_container(spec, L.container_labels(self.lab, spec), names, joined,
                                           self.lab.shared_stack(spec))
        try:
            for att in (a for a in spec.attachments if a not in joined):
                self.engine.connect(cid, self._network(names[att.network]), att, spec.key, spec.name)
            self.engine.start(cid, spec.name)
        except DockerlabError as exc:
            raise _Made(str(exc), cid) from None

    def _at_create(self, spec: ContainerSpec) -> tuple[Attachment, ...]:
        """The networks a container is created on, its network mode first (Lab.creation_order). Where the engine
        takes several, all its user-defined networks; else, or when its mode is Docker's own network, the first."""
        order = self.lab.creation_order(spec)
        if not order:  # it shares another container's network stack
            return ()
        if order[0].network in PREDEFINED_NETWORKS or not self.engine.caps.has(Feature.CREATE_ON_ALL_NETWORKS):
            return (spec.attachments[0],)  # as 20.10 has always been given them
        return tuple(a for a in order if a.network not in PREDEFINED_NETWORKS)

    def _container_recreate(self, step: Step) -> None:
        """The old container is parked (stopped, renamed) until the new one runs; if it cannot, the old one is
        put back as it was, so that a failed change never leaves the lab worse."""
        assert step.docker_id is not None
        parked = f"{step.name}-old-{step.docker_id[:8]}"
        with self._turns_on(step.networks):  # stopping deletes its endpoints
            was_running = self.engine.park(step.docker_id, parked)
        try:
            self._make_container(step)
        except _Made as exc:
            self.engine.remove_container(exc.container, step.name)
            self.engine.unpark(step.docker_id, step.name, was_running)
            raise ApplyError(f"{exc.cause}; the new container was removed and the old one put back as it was"
                             f"{' (running)' if was_running else ''}") from None
        except DockerlabError as exc:
            self.engine.unpark(step.docker_id, step.name, was_running)
            raise ApplyError(f"{exc}; container {step.name} was put back as it was") from None
        self._container_remove(step)

    def _container_start(self, step: Step) -> None:
        self.engine.start(step.docker_id or step.name, step.name)

    def _container_remove(self, step: Step) -> None:
        container = step.docker_id or step.name
        if self.one_endpoint_at_a_time:
            for network in step.networks:
                self._leave(container, network, step.name)
        self.engine.remove_container(container, step.name)
        if self.shaper is not None and step.docker_id:
            self.shaper.forget(step.docker_id)

    def _leave(self, container: str, network: str, label: str = "") -> None:
        with self._turn_on(network):
            self.engine.disconnect(container, network, label)

    def _turn_on(self, network: str) -> AbstractContextManager[object]:
        """On engines that lose count of parallel endpoint deletes, endpoints leave a network one at a time."""
        if not self.one_endpoint_at_a_time:
            return nullcontext()
        with self.lock:
            return self.network_locks.setdefault(network, threading.Lock())

    def _turns_on(self, networks: tuple[str, ...]) -> ExitStack:
        stack = ExitStack()
        for network in sorted(networks):  # one order for everyone: no deadlock
            stack.enter_context(self._turn_on(network))
        return stack

    def _container_connect(self, step: Step) -> None:
        att = self.lab.membership(step.key, step.network)
        assert att is not None and step.network is not None and step.key is not None
        self.engine.connect(step.docker_id or step.name, self._network(step.network), att, step.key, step.name)

    def _container_disconnect(self, step: Step) -> None:
        self._leave(step.docker_id or step.name, step.network or "", step.name)

    def _container_reconnect(self, step: Step) -> None:
        """Leave and join again with the new address or aliases; if the join fails, join as before."""
        self._container_disconnect(step)
        try:
            self._container_connect(step)
        except DockerlabError as exc:
            if step.restore is None or step.network is None:
                raise
            self.engine.connect(step.docker_id or step.name, step.network, step.restore, step.key or step.name,
                                step.name)
            raise ApplyError(f"{exc}; container {step.name} is back on {step.network} as it was "
                             f"({step.restore.describe()})") from None
