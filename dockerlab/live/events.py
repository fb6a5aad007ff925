"""What happens to a lab, as `dockerlab events` and the live view tell it: Docker's events of the lab's own
containers and networks, and drift as it appears and is repaired. Pure: the engine's events come in as JSON.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.model import Lab
from dockerlab.plan.steps import Plan, drift_by_object
from dockerlab.printable import shown

# the events asked of the engine (Docker's own words): a container's life, a network's and its memberships
WANTED: dict[str, tuple[str, ...]] = {
    "container": ("create", "start", "restart", "kill", "die", "stop", "pause", "unpause", "oom", "rename",
                  "destroy"),
    "network": ("create", "destroy", "connect", "disconnect"),
}


@dataclass(frozen=True)
class LabEvent:
    at: float  # unix seconds
    what: str  # container, network, drift, repaired, stage, fault
    name: str  # a container's or network's Docker name; the stage's; the object that drifted
    action: str  # Docker's word (start, die, connect, ...), or what the drift is
    host: str = ""
    network: str = ""  # of connect and disconnect: the network's Docker name
    address: str = ""  # the container's address there
    exit_code: int | None = None
    signal: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}

    def line(self) -> str:
        """One line for a terminal, every value made printable."""
        clock = time.strftime("%H:%M:%S", time.localtime(self.at)) + f".{int(self.at * 1000) % 1000:03d}"
        where = f" [{self.host}]" if self.host else ""
        return shown(f"{clock}{where} {self.what} {self.name} {self._said()}")

    def _said(self) -> str:
        if self.action in ("connect", "disconnect"):
            return f"{self.action} {self.network}" + (f" {self.address}" if self.address else "")
        if self.action == "die" and self.exit_code is not None:
            return f"die (exit {self.exit_code})"
        if self.action == "kill" and self.signal:
            return f"kill (signal {self.signal})"
        return self.action


@dataclass
class Known:
    """What the lab has on a host, as last observed: container ids -> names (a network event names a container
    by id alone), and its networks' names (a network event carries no labels), with those its other stages and
    faults would make."""

    containers: dict[str, str]
    networks: set[str]
    addresses: dict[tuple[str, str], str]  # (container id, network name) -> its address there

    def saw(self, event: LabEvent, actor: str) -> None:
        """What an event adds: a container or network the lab made since it was observed."""
        if event.action == "create" and event.what == "container":
            self.containers[actor] = event.name
        elif event.action == "create":
            self.networks.add(event.name)

    def belongs(self, lab: Lab, network: str) -> bool:
        return network in self.networks or network in {n.name for n in lab.networks}


def lab_event(raw: dict[str, Any], lab: Lab, known: Known, host: str = "") -> LabEvent | None:
    """One of the engine's events as the lab's, or None when it is not about the lab."""
    kind, action = raw.get("Type"), str(raw.get("Action") or "")
    actor = raw.get("Actor") or {}
    attrs: dict[str, str] = actor.get("Attributes") or {}
    at = int(raw.get("timeNano") or 0) // 1_000_000 / 1000 or float(raw.get("time") or time.time())  # ms
    if kind == "container" and action in WANTED["container"] and attrs.get(L.LAB) == lab.name:
        code = attrs.get("exitCode")
        return LabEvent(at, "container", attrs.get("name", ""), action, host,
                        exit_code=int(code) if code and code.lstrip("-").isdigit() else None,
                        signal=attrs.get("signal", "") if action == "kill" else "")
    if kind != "network" or action not in WANTED["network"]:
        return None
    network = attrs.get("name", "")
    member = str(attrs.get("container") or "")
    if network in L.marker_names(lab):  # the lab's state: told as stage and fault events
        return None
    if not (known.belongs(lab, network) or member in known.containers):
        return None
    if action in ("connect", "disconnect"):
        return LabEvent(at, "container", known.containers.get(member, member[:12]), action, host, network)
    return LabEvent(at, "network", network, action, host)


def drift_pairs(lab: Lab, plan: Plan) -> frozenset[tuple[str, str]]:
    """What differs from the file: (object, the step that would fix it), the lab's markers left out."""
    markers = L.marker_names(lab)
    return frozenset((name, why) for (_, name), whys in drift_by_object(plan).items() if name not in markers
                     for why in whys)


def drift_events(before: set[tuple[str, str]], after: set[tuple[str, str]], at: float,
                 host: str = "") -> list[LabEvent]:
    """(object, what differs) pairs that appeared, then those that went: drift and its repair."""
    return ([LabEvent(at, "drift", name, why, host) for name, why in sorted(after - before)]
            + [LabEvent(at, "repaired", name, why, host) for name, why in sorted(before - after)])
