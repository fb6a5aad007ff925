"""Impairments live: one root qdisc on a container's interface, set and read with tc in the container's network
namespace, entered from the engine's machine (nsenter). Local engines and root only.

A container dockerlab ever shaped is marked by a file named by its id, so that observing costs calls only for
the containers that declare impairments or had them: the lab file may have dropped them since. A restart
gives a container a new namespace without the qdisc; its mark makes the next plan see that and set it again.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from dockerlab.core.impairment import Link, from_tc
from dockerlab.defaults import PARALLEL
from dockerlab.errors import DockerlabError, EngineError
from dockerlab.host.facts import links_in, run_in
from dockerlab.privatedir import private_dir

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.core.observed import Observed
    from dockerlab.engine.client import Engine


def marks() -> Path:
    """Where a container dockerlab shaped is marked: a file named by its id."""
    return Path(private_dir()) / "shaped"


class _Place(NamedTuple):
    id: str
    pid: int  # 0: not running
    macs: dict[str, str]  # network -> the container's MAC there


class Shaper:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def marked(self) -> set[str]:
        try:
            return set(os.listdir(marks()))
        except (OSError, DockerlabError):  # none yet, or no private directory to keep them in
            return set()

    def observe(self, observed: Observed, lab: Lab) -> Observed:
        """Read the impairments of the lab's running containers that declare some or were ever shaped."""
        declared = {c.name for c in lab.containers if any(a.link for a in c.attachments)}
        running = [c for c in observed.containers if c.running and c.lab == lab.name]
        marked = self.marked() if running else set()
        boxes = [c for c in running if c.name in declared or c.id in marked]
        if not boxes:
            return observed
        with ThreadPoolExecutor(PARALLEL) as pool:
            links = dict(zip((c.name for c in boxes), pool.map(lambda c: self.read(c.id), boxes), strict=True))
        return replace(observed, links=links)

    def read(self, container: str) -> dict[str, Link | None]:
        """Each network the container is on -> the impairment its interface there has (None: none)."""
        place = self._where(container)
        try:
            devices = _devices(place.pid)
            roots = {q.get("dev"): q for q in json.loads(run_in(place.pid, "tc", "-j", "qdisc", "show"))
                     if q.get("root")}
        except (DockerlabError, ValueError):
            return {}  # it ended while being read: the plan starts it, and shapes it afresh
        return {network: from_tc(roots.get(devices.get(mac), {})) for network, mac in place.macs.items()}

    def apply(self, container: str, network: str, link: Link | None, label: str = "") -> None:
        """Replace whatever root qdisc the interface has (netem's `replace` would keep the old values of
        parameters left out) with this impairment, or with none. container: its id (or name); label: its name."""
        place, name = self._where(container), label or container
        pid, device = place.pid, self._device(place.pid, place.macs.get(network), name, network)
        with suppress(DockerlabError):  # nothing to delete: the interface has its default
            run_in(pid, "tc", "qdisc", "del", "dev", device, "root")
        if link is not None:
            try:
                run_in(pid, "tc", "qdisc", "add", "dev", device, "root", *link.tc_args())
            except DockerlabError as exc:
                raise EngineError(f"impair {name} on {network} ({link.describe()}): {exc}") from None
        marks().mkdir(exist_ok=True)
        (marks() / place.id).touch()

    def forget(self, container_id: str) -> None:
        """The container is gone, and its namespace with it."""
        with suppress(OSError, DockerlabError):  # no private directory: nothing was marked there
            (marks() / container_id).unlink(missing_ok=True)

    def _where(self, container: str) -> _Place:
        raw = self.engine.inspect_container(container)
        networks = (raw.get("NetworkSettings") or {}).get("Networks") or {}
        return _Place(str(raw["Id"]), int((raw.get("State") or {}).get("Pid") or 0),
                      {name: (ep.get("MacAddress") or "").lower() for name, ep in networks.items()})

    def _device(self, pid: int, mac: str | None, container: str, network: str) -> str:
        try:
            found = _devices(pid).get(mac or "")
        except (DockerlabError, ValueError) as exc:
            raise EngineError(f"impair {container} on {network}: {exc}") from None
        if found is None:
            raise EngineError(f"impair {container} on {network}: it has no interface with the endpoint's MAC {mac}")
        return found


def _devices(pid: int) -> dict[str, str]:
    """The interfaces in a running container's network namespace, by MAC."""
    if not pid:  # not running: entering pid 0's namespace would be this machine's own
        raise DockerlabError("the container is not running")
    return {str(i.get("address")): str(i["ifname"]) for i in links_in(pid)}
