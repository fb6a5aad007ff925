"""The engine's state, read from its list calls and normalised into typed values.

Pure: the engine adapter fetches the raw dicts; this module only reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from ipaddress import ip_address, ip_network
from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.addresses import IPAddress, Pairs
from dockerlab.core.endpoint import Attachment, from_driver_opts
from dockerlab.core.hostaccess import HostLink
from dockerlab.core.impairment import Link
from dockerlab.core.model import NetworkSpec, Pool


class _Labelled:
    """Ownership read from labels: the lab an object belongs to and its key in the lab file."""

    labels: dict[str, str]

    @property
    def lab(self) -> str | None:
        return self.labels.get(L.LAB)

    @property
    def key(self) -> str | None:
        return self.labels.get(L.KEY)


@dataclass(frozen=True)
class ObservedNetwork(_Labelled):
    id: str
    name: str
    driver: str
    scope: str
    pools: tuple[Pool, ...]
    ipv6: bool
    internal: bool
    attachable: bool
    options: Pairs
    labels: dict[str, str] = field(hash=False)
    ipv4: bool = True  # engines before 28.0 do not say: IPv4 is always on there
    ipam_driver: str = "default"
    ipam_options: Pairs = ()
    config_only: bool = False
    config_from: str | None = None  # its config-only network, by name

    @property
    def parent(self) -> str | None:
        """The parent interface of a macvlan or ipvlan network (a config-only one holds it for others)."""
        return None if self.config_only else dict(self.options).get("parent")

    def as_spec(self) -> NetworkSpec:
        """This network as a spec that makes it again as it is (parent and mode stay among the options)."""
        return NetworkSpec(self.key or "", self.name, self.driver, self.pools, self.ipv6, self.internal,
                           self.attachable, self.options, tuple(sorted(L.user_labels(self.labels).items())),
                           ipv4=self.ipv4, ipam_driver=self.ipam_driver, ipam_options=self.ipam_options,
                           config_only=self.config_only, config_from=self.config_from, scope=self.scope)


@dataclass(frozen=True)
class Endpoint:
    static_ipv4: IPAddress | None  # as configured: a stopped container has no live address
    static_ipv6: IPAddress | None
    ipv4: IPAddress | None
    ipv6: IPAddress | None
    mac: str | None  # only while running
    aliases: tuple[str, ...] | None = None  # None: the list call does not say
    gw_priority: int = 0
    driver_opts: dict[str, str] | None = field(default=None, hash=False)  # None: the list call does not say
    link_local: tuple[str, ...] | None = None  # None: the list call does not say
    endpoint_id: str = field(default="", compare=False)  # a new one: the membership was made anew since
    keyed: bool | None = field(default=None, compare=False)  # inspect: the lab key is among its aliases


@dataclass(frozen=True)
class ObservedContainer(_Labelled):
    id: str
    name: str
    state: str
    image: str
    command: str
    endpoints: dict[str, Endpoint] = field(hash=False)
    labels: dict[str, str] = field(hash=False)
    published: tuple[tuple[str, int, str], ...] = ()  # (host IP, host port, protocol) while running
    network_mode: str = ""  # the network it was created in, as named then: a name, a network's id, container:ID
    started: str = ""  # when it last started (RFC 3339, UTC), read by inspect for those that share a stack

    @property
    def running(self) -> bool:
        return self.state == "running"

    def created_details(self) -> dict[str, dict[str, Any]]:
        return _created_details(self.labels)


def _created_details(labels: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Aliases and MACs per network as dockerlab created them (see labels.ENDPOINTS)."""
    try:
        details: dict[str, dict[str, Any]] = json.loads(labels.get(L.ENDPOINTS, "{}"))
        return details
    except ValueError:
        return {}


@dataclass(frozen=True)
class Observed:
    networks: tuple[ObservedNetwork, ...]
    containers: tuple[ObservedContainer, ...]
    host_links: tuple[HostLink, ...] = ()  # on a local engine's host only
    swarm_manager: bool = True  # False on a lab's other hosts: they see swarm networks, the manager owns them
    # container name -> network -> its impairment there (None: none); only containers that were read (see shaper)
    links: dict[str, dict[str, Link | None]] = field(default_factory=dict, compare=False)
    # indexes, so that a plan costs in proportion to the lab, not to its square
    _networks: dict[str, ObservedNetwork] = field(init=False, compare=False, repr=False)
    _containers: dict[str, ObservedContainer] = field(init=False, compare=False, repr=False)
    _members: dict[str, list[ObservedContainer]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "networks", _with_owners(self.networks))
        members: dict[str, list[ObservedContainer]] = {}
        for box in self.containers:
            for network in box.endpoints:
                members.setdefault(network, []).append(box)
        object.__setattr__(self, "_networks", {n.name: n for n in reversed(self.networks)})  # the first one wins
        object.__setattr__(self, "_containers", {c.name: c for c in self.containers})
        object.__setattr__(self, "_members", members)

    def host_link(self, name: str) -> HostLink | None:
        return next((h for h in self.host_links if h.name == name), None)

    def network_named(self, name: str) -> ObservedNetwork | None:
        """Exact name match: the engine's own name filter matches substrings."""
        return self._networks.get(name)

    def container_named(self, name: str) -> ObservedContainer | None:
        return self._containers.get(name)

    def lab_networks(self, lab: str) -> list[ObservedNetwork]:
        return [n for n in self.networks if n.lab == lab and (self.swarm_manager or n.scope != "swarm")]

    def lab_network(self, lab: str, key: str) -> ObservedNetwork | None:
        """The lab's network of this key (its stage, fault or ledger marker among them)."""
        return next((n for n in self.lab_networks(lab) if n.key == key), None)

    def lab_containers(self, lab: str) -> list[ObservedContainer]:
        return [c for c in self.containers if c.lab == lab]

    def attached_to(self, network: str) -> list[ObservedContainer]:
        return list(self._members.get(network, ()))


def _addr(text: str | None) -> IPAddress | None:
    return ip_address(text) if text else None


def _with_owners(networks: tuple[ObservedNetwork, ...]) -> tuple[ObservedNetwork, ...]:
    """A network that takes a config-only network's settings can carry no labels of its own (Docker copies that
    network's, except into a swarm one as the manager lists it). It is the lab's when that network is and names it
    among its users (L.USERS); anyone's network made from the lab's settings stays nobody's."""
    named = {n.name: n for n in networks if n.config_only}
    return tuple(replace(n, labels=_owner(n.name, held.labels))
                 if n.config_from and (held := named.get(n.config_from)) else n for n in networks)


def _owner(name: str, held: dict[str, str]) -> dict[str, str]:
    key = L.users(held).get(name)
    return {L.LAB: held[L.LAB], L.FILE: held.get(L.FILE, ""), L.KEY: key} if key and L.LAB in held else {}


def network_from_api(raw: dict[str, Any]) -> ObservedNetwork:
    ipam = raw.get("IPAM") or {}
    pools = tuple(
        Pool(ip_network(c["Subnet"], strict=False), _addr(c.get("Gateway")),
             ip_network(c["IPRange"], strict=False) if c.get("IPRange") else None,
             tuple(sorted((k, ip_address(v)) for k, v in (c.get("AuxiliaryAddresses") or {}).items())))
        for c in ipam.get("Config") or [] if c.get("Subnet"))
    config_from = (raw.get("ConfigFrom") or {}).get("Network") or None
    labels = {} if config_from else raw.get("Labels") or {}  # Docker's copy of its config network's: see _with_owners
    return ObservedNetwork(
        id=raw["Id"], name=raw["Name"], driver=raw.get("Driver") or "bridge", scope=raw.get("Scope", "local"),
        pools=pools, ipv6=bool(raw.get("EnableIPv6")), internal=bool(raw.get("Internal")),
        attachable=bool(raw.get("Attachable")),
        options=tuple(sorted((k, str(v).lower() if str(v).lower() in ("true", "false") else str(v))
                             for k, v in (raw.get("Options") or {}).items())),
        labels=labels, ipv4=raw.get("EnableIPv4", True) is not False, ipam_driver=ipam.get("Driver") or "default",
        ipam_options=tuple(sorted((str(k), str(v)) for k, v in (ipam.get("Options") or {}).items())),
        config_only=bool(raw.get("ConfigOnly")), config_from=config_from,
    )


def container_from_api(raw: dict[str, Any]) -> ObservedContainer:
    networks = (raw.get("NetworkSettings") or {}).get("Networks") or {}
    endpoints = {name: endpoint_from_api(ep or {}) for name, ep in networks.items()}
    return ObservedContainer(
        id=raw["Id"], name=raw["Names"][0].lstrip("/") if raw.get("Names") else raw["Id"][:12],
        state=raw.get("State", ""), image=raw.get("Image", ""), command=raw.get("Command", ""),
        endpoints=endpoints, labels=raw.get("Labels") or {},
        published=tuple(sorted({(p.get("IP") or "0.0.0.0", int(p["PublicPort"]), p.get("Type") or "tcp")
                                for p in raw.get("Ports") or () if p.get("PublicPort")})),
        network_mode=(raw.get("HostConfig") or {}).get("NetworkMode") or "",
    )


def endpoint_from_api(ep: dict[str, Any], inspected: bool = False) -> Endpoint:
    """inspected: from inspect, which shows driver options and link-local addresses (the list call hides them)."""
    ipam = ep.get("IPAMConfig") or {}
    return Endpoint(
        static_ipv4=_addr(ipam.get("IPv4Address")), static_ipv6=_addr(ipam.get("IPv6Address")),
        ipv4=_addr(ep.get("IPAddress")), ipv6=_addr(ep.get("GlobalIPv6Address")),
        mac=(ep.get("MacAddress") or "").lower() or None,
        aliases=tuple(ep["Aliases"]) if ep.get("Aliases") is not None else None,
        gw_priority=int(ep.get("GwPriority") or 0),
        driver_opts=dict(ep.get("DriverOpts") or {}) if inspected else None,
        link_local=tuple(ipam.get("LinkLocalIPs") or ()) if inspected else None,
        endpoint_id=str(ep.get("EndpointID") or ""),
    )


def inspected_endpoint(raw: dict[str, Any], network: str, key: str | None) -> Endpoint:
    """From an inspected container: its endpoint on a network, with what only inspect shows."""
    ep = (raw["NetworkSettings"]["Networks"] or {}).get(network) or {}
    return replace(endpoint_from_api(ep, inspected=True), aliases=own_aliases(raw, network, key),
                   keyed=key in (ep.get("Aliases") or ()) if key else None)


def own_aliases(raw: dict[str, Any], network: str, key: str | None) -> tuple[str, ...]:
    """From an inspected container: its aliases on a network less those Docker adds itself (short id, hostname)
    and its lab key."""
    noise = {raw["Id"][:12], raw["Config"].get("Hostname"), key}
    ep = (raw["NetworkSettings"]["Networks"] or {}).get(network) or {}
    return tuple(a for a in ep.get("Aliases") or () if a not in noise)


def membership_from_api(raw: dict[str, Any], network: str, endpoint_mac: bool) -> Attachment | None:
    """From an inspected container: its membership of a network as it is (static addresses, aliases, and the MAC
    dockerlab gave it where the engine sets one per endpoint), to put back as it was; None when not on it."""
    ep = (raw["NetworkSettings"]["Networks"] or {}).get(network)
    if ep is None:
        return None
    live = endpoint_from_api(ep, inspected=True)
    mac = (_created_details(raw["Config"].get("Labels") or {}).get(network) or {}).get("mac") if endpoint_mac else None
    interface, sysctls = from_driver_opts(live.driver_opts or {})
    return Attachment(network, live.static_ipv4, live.static_ipv6,  # type: ignore[arg-type]  # by family
                      own_aliases(raw, network, None), mac, gw_priority=live.gw_priority, interface=interface,
                      sysctls=sysctls, link_local=tuple(ip_address(a) for a in live.link_local or ()))


@dataclass(frozen=True)
class Membership:
    """One engine's place in a swarm, from its /info (and, on a manager, the swarm and its nodes)."""

    state: str = "inactive"  # LocalNodeState: inactive, pending, active, error, locked
    node: str = ""
    manager: bool = False
    address: str = ""  # NodeAddr
    cluster: str = ""  # on managers
    managers: tuple[str, ...] = ()  # node ids of the managers this node knows
    formed_by: str = ""  # the lab that formed it, from the swarm spec's labels (managers only)
    down: tuple[tuple[str, str], ...] = ()  # managers: nodes not ready, as (node id, "hostname (address)")
    users: tuple[str, ...] = ()  # managers: services and other labs' swarm networks: others use it

    @property
    def active(self) -> bool:
        return self.state == "active"

    def same_swarm(self, manager: Membership) -> bool:
        if self.manager and manager.manager:
            return bool(self.cluster) and self.cluster == manager.cluster
        return manager.node in self.managers


def membership(info: dict[str, Any], spec: dict[str, Any] | None = None,
               nodes: list[dict[str, Any]] | None = None, users: tuple[str, ...] = ()) -> Membership:
    raw = info.get("Swarm") or {}
    down = tuple((n.get("ID", ""), f"{(n.get('Description') or {}).get('Hostname', n.get('ID', '?'))} "
                                   f"({(n.get('Status') or {}).get('Addr', '?')})")
                 for n in nodes or () if (n.get("Status") or {}).get("State") != "ready")
    return Membership(
        state=raw.get("LocalNodeState") or "inactive", node=raw.get("NodeID") or "",
        manager=bool(raw.get("ControlAvailable")), address=raw.get("NodeAddr") or "",
        cluster=(raw.get("Cluster") or {}).get("ID") or "",
        managers=tuple(m.get("NodeID", "") for m in raw.get("RemoteManagers") or ()),
        formed_by=((spec or {}).get("Spec") or {}).get("Labels", {}).get(L.SWARM_FORMED_BY, "") if spec else "",
        down=down, users=users)
