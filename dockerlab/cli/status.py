"""`dockerlab status`: each object of the lab as its hosts have it, with drift marked, in typed rows; as a table
or as JSON (the rows' fields, with `host` on every row of a lab across hosts)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dockerlab.cli.render import table
from dockerlab.core import hostaccess
from dockerlab.core import labels as L
from dockerlab.core.bridge import settings
from dockerlab.core.endpoint import from_driver_opts
from dockerlab.core.impairment import Link
from dockerlab.core.model import SHARED, Lab
from dockerlab.core.observed import Observed, ObservedContainer
from dockerlab.plan.diff import live_driver_opts
from dockerlab.plan.steps import Action, Kind, Plan, drift_by_object

if TYPE_CHECKING:
    from dockerlab.plan.observe import View


@dataclass
class Row:
    host: str | None = field(default=None, kw_only=True)  # on a lab across hosts: where it is

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        return row if self.host is not None else {k: v for k, v in row.items() if k != "host"}


@dataclass
class NetworkRow(Row):
    name: str
    key: str
    driver: str
    present: bool
    subnets: list[str]
    gateways: list[str]
    parent: str | None
    mode: str | None
    id: str | None
    drift: list[str]
    external: bool = False  # someone else's network that the lab's containers join
    settings: list[str] = field(default_factory=list)  # as the file says them (core.bridge.settings)


@dataclass
class EndpointRow:
    network: str
    ipv4: str | None
    ipv6: str | None
    mac: str | None
    impairment: str | None
    interface: str | None = None  # its name, where the file gives one (as the engine has it)
    gw_priority: int = 0


@dataclass
class ContainerRow(Row):
    name: str
    key: str
    image: str
    state: str
    id: str | None
    networks: list[EndpointRow]
    drift: list[str]


@dataclass
class HostAccessRow(Row):
    name: str
    network: str
    address: str
    parent: str
    present: bool
    drift: list[str]


@dataclass
class ExtraRow(Row):
    """Owned by the lab, not in the file: the plan removes it."""

    kind: str
    name: str


@dataclass
class EngineRow:
    host: str
    engine: str
    version: str
    api: str


@dataclass
class Status:
    lab: str
    in_sync: bool
    engines: list[EngineRow]
    networks: list[NetworkRow] = field(default_factory=list)
    containers: list[ContainerRow] = field(default_factory=list)
    host_access: list[HostAccessRow] = field(default_factory=list)
    not_in_file: list[ExtraRow] = field(default_factory=list)
    stage: str = ""  # a staged lab's: the stage it is at, of `stages`
    stages: list[str] = field(default_factory=list)
    applied: bool = True  # False: nothing of the lab is on its engines

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "in_sync": self.in_sync, "applied": self.applied,
                "engines": [asdict(e) for e in self.engines],
                **({"stage": self.stage, "stages": self.stages} if self.stages else {}),
                **{part: [r.to_dict() for r in getattr(self, part)]
                   for part in ("networks", "containers", "host_access", "not_in_file")}}

    @property
    def across_hosts(self) -> bool:
        return any(r.host is not None for r in [*self.networks, *self.containers])


def status_of(view: View, plan: Plan) -> Status:
    """The lab as its hosts have it; on a lab across hosts every row says its host."""
    engines = [EngineRow(key, site.host.engine.describe(), site.host.engine.release, site.host.engine.caps.api_version)
               for key, site in view.sites.items()]
    status = Status(view.lab.name, not plan.changes, engines, stage=view.lab.stage,
                    stages=[s.stage for s in view.lab.stages],
                    applied=any(o.lab_networks(view.lab.name) or o.lab_containers(view.lab.name)
                                for o in view.observed.values()))
    one = len(view.sites) == 1 and "" in view.sites
    for key, site in view.sites.items():
        rows = _rows(site.lab, view.observed[key], replace(plan, steps=plan.on(key)))
        for part, found in rows.items():
            getattr(status, part).extend(found if one else [replace(r, host=key) for r in found])
    return status


def _rows(lab: Lab, observed: Observed, plan: Plan) -> dict[str, list[Any]]:
    drift = drift_by_object(plan)
    nets = []
    for net in lab.networks:
        if net.key in L.MARKERS:  # the stage line says it
            continue
        found = observed.network_named(net.name)
        pools = found.pools if found else net.pools
        nets.append(NetworkRow(net.name, net.key, found.driver if found and net.external else net.driver,
                               found is not None, [str(p.subnet) for p in pools],
                               [str(p.gateway) for p in (found.pools if found else ()) if p.gateway], net.parent,
                               net.mode, found.id[:12] if found else None, drift.get((Kind.NETWORK, net.name), []),
                               net.external, settings(net)))
    boxes = []
    for box in lab.containers:
        live = observed.container_named(box.name)
        shared = lab.shared_stack(box)  # it has no endpoints: it is on that container's
        endpoints = ([EndpointRow(f"{SHARED}{shared}", None, None, None, None)] if shared else
                     _endpoints(live, observed.links.get(box.name) or {})) if live else []
        boxes.append(ContainerRow(box.name, box.key, box.image, live.state if live else "missing",
                                  live.id[:12] if live else None, endpoints, drift.get((Kind.CONTAINER, box.name), [])))
    links = [HostAccessRow(want.name, net.key, str(want.address), want.parent,
                           observed.host_link(want.name) is not None, drift.get((Kind.HOST_LINK, want.name), []))
             for net in lab.networks if (want := hostaccess.wanted(lab, net))]
    extra = [ExtraRow(s.kind.value, s.name) for s in plan.steps if s.action is Action.REMOVE]
    return {"networks": nets, "containers": boxes, "host_access": links, "not_in_file": extra}


def _endpoints(box: ObservedContainer, links: dict[str, Link | None]) -> list[EndpointRow]:
    created = box.created_details()
    return [EndpointRow(name, str(ep.ipv4 or ep.static_ipv4 or "") or None,
                        str(ep.ipv6 or ep.static_ipv6 or "") or None, ep.mac,
                        link.describe() if (link := links.get(name)) else None,
                        from_driver_opts(live_driver_opts(ep, created.get(name)))[0], ep.gw_priority)
            for name, ep in sorted(box.endpoints.items())]


def status_text(status: Status) -> str:
    head = ["HOST"] if status.across_hosts else []
    parts = [f"lab {status.lab}: " + ("in sync with the file" if status.in_sync else
                                      "DRIFT (dockerlab plan shows the fix)" if status.applied else
                                      "not applied: nothing of it is on the engine (dockerlab apply brings it up)")]
    parts += [f"engine{' ' + e.host if e.host else ''}: {e.engine}" for e in status.engines]
    if status.stages:
        at = status.stages.index(status.stage) + 1
        parts.append(f"stage: {status.stage} ({at} of {len(status.stages)}: {', '.join(status.stages)})")
    said = any(n.settings for n in status.networks)  # a column only where a network has settings
    net_rows = [[*_on(n), n.name, n.driver, ", ".join(n.subnets) or "-", ", ".join(n.gateways) or "-",
                 n.parent or "-", *([", ".join(n.settings) or "-"] if said else []),
                 "; ".join(n.drift) or _presence(n)] for n in status.networks]
    if net_rows:
        parts += ["", table(net_rows, [*head, "NETWORK", "DRIVER", "SUBNET", "GATEWAY", "PARENT",
                                       *(["SETTINGS"] if said else []), "STATE"])]
    impaired = any(ep.impairment for c in status.containers for ep in c.networks)
    box_rows = [row for c in status.containers for row in _container_lines(c, impaired)]
    if box_rows:
        parts += ["", table(box_rows, [*head, "CONTAINER", "STATE", "NETWORK", "IPV4", "IPV6", "MAC",
                                       *(["IMPAIRMENT"] if impaired else []), "DRIFT"])]
    link_rows = [[h.name, h.network, h.address, h.parent, "; ".join(h.drift) or ("ok" if h.present else "missing")]
                 for h in status.host_access]
    if link_rows:
        parts += ["", table(link_rows, ["HOST ACCESS", "NETWORK", "ADDRESS", "PARENT", "STATE"])]
    if status.not_in_file:
        parts += ["", "owned by the lab but not in the file: "
                  + ", ".join(f"{x.kind} {x.name}" for x in status.not_in_file)]
    return "\n".join(parts)


def _container_lines(c: ContainerRow, impaired: bool) -> list[list[str]]:
    """One line per network; the container's name, state and drift on its first."""
    lines = []
    for i, ep in enumerate(c.networks or [EndpointRow("-", None, None, None, None)]):
        first = i == 0
        where = _on(c) if first else [""] * len(_on(c))
        network = ep.network + "".join(f" ({w})" for w in filter(None, (
            ep.interface, f"gw priority {ep.gw_priority}" if ep.gw_priority else "")))
        lines.append([*where, c.name if first else "", c.state if first else "", network, ep.ipv4 or "-",
                      ep.ipv6 or "-", ep.mac or "-", *([ep.impairment or "-"] if impaired else []),
                      ("; ".join(c.drift) or "ok") if first else ""])
    return lines


def _presence(net: NetworkRow) -> str:
    if not net.present:
        return "missing"
    return "external (not the lab's)" if net.external else "ok"


def _on(row: Row) -> list[str]:
    return [row.host] if row.host is not None else []
