"""A lab followed on its hosts: the engine's events of the lab as they come, and, once a burst of them has
passed, the lab observed and planned again (the same few list calls as `status`), which tells its drift, its
stage and whether a fault is laid. `dockerlab events` prints what this yields; `dockerlab view` draws it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.model import Lab
from dockerlab.errors import EngineGone
from dockerlab.host.host import Host
from dockerlab.live.events import WANTED, Known, LabEvent, drift_events, drift_pairs, lab_event
from dockerlab.plan.observe import View, marked_in
from dockerlab.plan.steps import Plan
from dockerlab.run.lock import lab_busy

QUIET = 0.3  # seconds without an event before the lab is looked at again: a burst is read once
_END = object()  # a host's stream has ended (its `until` passed)


@dataclass(frozen=True)
class Snapshot:
    """The lab as last looked at: what the file wants (at the stage the engine has it at) and what is there."""

    lab: Lab
    view: View
    plan: Plan
    stage: str
    fault: bool
    drift: frozenset[tuple[str, str]]  # (object, what differs)
    at: float = field(default_factory=time.time)


class Watch:
    def __init__(self, lab: Lab, hosts: dict[str, Host], since: float | None = None,
                 until: float | None = None) -> None:
        """lab: as its file has it (a staged lab is followed through its stages as the engine moves)."""
        self.base, self.hosts, self.since, self.until = lab, hosts, since, until
        self.stop = threading.Event()
        self.lab = lab
        self.known: dict[str, Known] = {}
        self._every = {n.name for one in (lab, *lab.stages, *(f.lab for f in lab.faults)) for n in one.networks}
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def follow(self, emit: Callable[[LabEvent], None], seen: Callable[[Snapshot], None] = lambda s: None) -> None:
        """Until stop is set (or `until` passes): emit each event of the lab; `seen` each new snapshot."""
        try:
            self._follow(emit, seen)
        finally:
            self.stop.set()  # the streams end too

    def _follow(self, emit: Callable[[LabEvent], None], seen: Callable[[Snapshot], None]) -> None:
        snap = self.look()
        seen(snap)
        for event in drift_events(set(), set(snap.drift), snap.at):
            emit(event)
        for key, host in self.hosts.items():
            threading.Thread(target=self._read, args=(key, host), daemon=True).start()
        ended, last, dirty = 0, 0.0, False
        while not self.stop.is_set() and ended < len(self.hosts):
            try:
                key, raw = self._events.get(timeout=0.1)
            except queue.Empty:
                key, raw = "", None
            if isinstance(raw, Exception):
                raise raw
            if raw is _END:
                ended += 1
            elif raw is not None and (told := self._told(key, raw)):
                emit(told)
                last, dirty = time.monotonic(), True
            if dirty and (time.monotonic() - last >= QUIET or ended == len(self.hosts)) and not self._busy():
                snap, dirty = self._again(snap, emit, seen), False

    def look(self) -> Snapshot:
        from dockerlab.labfile.stages import at_stage
        from dockerlab.reconcile import plan_lab

        plan, view = plan_lab(self.hosts, self.lab, check=False)
        stage = (marked_in(self.lab, view.observed.values(), L.STAGE_NETWORK, L.STAGE) or "") if self.base.stages \
            else ""
        if self.base.stages and (stage or self.base.stages[0].stage) != self.lab.stage:
            self.lab = at_stage(self.base, stage or self.base.stages[0].stage)
            plan, view = plan_lab(self.hosts, self.lab, check=False)
        drift = drift_pairs(self.lab, plan)
        for key, observed in view.observed.items():
            boxes = observed.lab_containers(self.lab.name)
            self.known[key] = Known({c.id: c.name for c in boxes}, self._every | {n.name for n in observed.lab_networks(
                self.lab.name)}, {(c.id, net): str(ep.ipv4 or ep.ipv6 or "") for c in boxes
                                  for net, ep in c.endpoints.items()})
        return Snapshot(self.lab, view, plan, stage or self.lab.stage,
                        bool(marked_in(self.lab, view.observed.values(), L.FAULT_NETWORK, L.FAULT)), drift)

    def _again(self, before: Snapshot, emit: Callable[[LabEvent], None],
               seen: Callable[[Snapshot], None]) -> Snapshot:
        snap = self.look()
        if snap.stage != before.stage:
            emit(LabEvent(snap.at, "stage", snap.stage, "now"))
        if snap.fault != before.fault:
            emit(LabEvent(snap.at, "fault", self.lab.name, "laid" if snap.fault else "gone"))
        for event in drift_events(set(before.drift), set(snap.drift), snap.at):
            emit(event)
        seen(snap)
        return snap

    def _read(self, key: str, host: Host) -> None:
        try:
            for raw in host.engine.events(WANTED, self.since, self.until, self.stop):
                self._events.put((key, raw))
            if self.until is None and not self.stop.is_set():
                raise EngineGone(f"{host.label} closed its event stream: has the engine stopped?")
            self._events.put((key, _END))
        except Exception as exc:  # said by the loop that follows, in the main thread
            self._events.put((key, exc))

    def _told(self, key: str, raw: dict[str, Any]) -> LabEvent | None:
        known = self.known.setdefault(key, Known({}, set(), {}))
        event = lab_event(raw, self.lab, known, key if len(self.hosts) > 1 else "")
        if event is None:
            return None
        actor = raw.get("Actor") or {}
        member = str((actor.get("Attributes") or {}).get("container") or actor.get("ID") or "")
        if event.action == "connect":  # the event has no address: the container's endpoint has
            ep = self.hosts[key].engine.endpoint_of(member, event.network)
            known.addresses[(member, event.network)] = str(ep.ipv4 or ep.ipv6 or "") if ep else ""
        if event.action in ("connect", "disconnect"):
            event = replace(event, address=known.addresses.get((member, event.network), ""))
        known.saw(event, member)
        return event

    def _busy(self) -> bool:
        """A dockerlab command is changing the lab: its drift is judged once it is done."""
        return any(lab_busy(self.lab.name, host.engine.identity) for host in self.hosts.values())
