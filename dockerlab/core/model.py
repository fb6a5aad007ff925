"""The lab as dockerlab understands it: typed, normalised, immutable.

Both the lab file and the live engine are turned into these types before anything is
compared, so a comparison never meets two shapes of the same value.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from ipaddress import IPv4Address
from typing import NamedTuple

from dockerlab.core.addresses import IPAddress, IPNetwork, Pairs
from dockerlab.core.check import Check
from dockerlab.core.drivers import driver
from dockerlab.core.endpoint import Attachment
from dockerlab.core.words import Words
from dockerlab.errors import DockerlabError
from dockerlab.printable import shown

LAB_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")  # the schema's pattern for 'name'; a test keeps them equal


def lab_name(name: str) -> str:
    """A lab name given outside a lab file (destroy --lab), checked before it names a lock file or a label."""
    if not LAB_NAME.fullmatch(name):
        raise DockerlabError(f"{shown(repr(name))} is not a lab name (lowercase letters, digits, '-' and '_')")
    return name


PREDEFINED_NETWORKS = ("bridge", "host", "none")
SHARED = "container:"  # a network mode that is another container's network stack (container:NAME)
STANDALONE_NETWORKS = ("host", "none")


@dataclass(frozen=True)
class Pool:
    """One IPAM pool of a network."""

    subnet: IPNetwork
    gateway: IPAddress | None = None
    ip_range: IPNetwork | None = None
    aux_addresses: tuple[tuple[str, IPAddress], ...] = ()

    def describe(self) -> str:
        parts = [str(self.subnet)]
        if self.gateway:
            parts.append(f"gw {self.gateway}")
        if self.ip_range:
            parts.append(f"range {self.ip_range}")
        return " ".join(parts)

    def conflicts_with(self, other: Pool, bridges: bool = False) -> bool:
        """Docker refuses overlapping pools unless each network sets its own ip_range, apart (so that two networks
        never hand out one address); between bridges, its bridge driver refuses any overlap (Docker 28)."""
        if not self.subnet.overlaps(other.subnet):
            return False
        return bridges or not (self.ip_range and other.ip_range and not self.ip_range.overlaps(other.ip_range))


class HostSettings(NamedTuple):
    host: str  # a host key
    parent: str | None
    ip_range: IPNetwork | None


@dataclass(frozen=True)
class NetworkSpec:
    key: str
    name: str
    driver: str = "bridge"
    pools: tuple[Pool, ...] = ()
    ipv6: bool = False
    internal: bool = False
    attachable: bool = False
    options: Pairs = ()
    labels: Pairs = ()
    parent: str | None = None
    mode: str | None = None
    host_access: IPv4Address | None = None  # the host's own address on the network (see core/hostaccess)
    external: bool = False  # someone else's: joined, never made, changed or removed
    ipv4: bool = True  # False: IPv6 only (28.0)
    ipam_driver: str = "default"
    ipam_options: Pairs = ()
    config_only: bool = False  # holds settings for config_from networks (docker network create --config-only)
    config_from: str | None = None  # the Docker name of the config-only network whose settings it takes
    per_host: tuple[HostSettings, ...] = ()  # a config-only network's: what differs on each host
    users: Pairs = ()  # a config-only network's: (key, Docker name) of the lab's networks that take its settings
    scope: str = ""  # as the file says: swarm (one network across the swarm; overlay always is), local or unsaid

    @property
    def spans_hosts(self) -> bool:
        """Swarm-scoped: one network across a lab's hosts; any other is made on each host apart."""
        return driver(self.driver).swarm or self.scope == "swarm"

    @property
    def docker_scope(self) -> str:
        return "swarm" if self.spans_hosts else "local"

    def on(self, host: str) -> NetworkSpec:
        """The network as one host makes it: a config-only network's settings of that host."""
        mine = next((h for h in self.per_host if h.host == host), None)
        if mine is None:
            return self
        first = next((p for p in self.pools if mine.ip_range and p.subnet.version == mine.ip_range.version), None)
        pools = tuple(replace(p, ip_range=mine.ip_range) if p is first else p for p in self.pools)
        return replace(self, parent=mine.parent or self.parent, pools=pools)

    def driver_options(self) -> dict[str, str]:
        """Options as Docker stores them: raw options plus parent and mode."""
        opts = dict(self.options)
        if self.parent:
            opts["parent"] = self.parent
        mode_option = driver(self.driver).mode_option
        if self.mode and mode_option:
            opts[mode_option] = self.mode
        return opts

    def summary(self) -> str:
        if self.config_from:
            return f"{self.driver} with the settings of {self.config_from}" + (" (swarm)" if self.scope == "swarm"
                                                                                else "")
        if self.config_only and not (self.pools or self.parent or self.options):  # a lab's marker: its labels
            return "config-only: " + ", ".join(f"{k}={v}" for k, v in self.labels)
        bits = [f"settings for {self.driver} networks:" if self.config_only else self.driver]
        bits += [p.describe() for p in self.pools]
        if self.parent:
            bits.append(f"parent {self.parent}")
        if self.mode:
            bits.append(f"mode {self.mode}")
        if self.internal:
            bits.append("internal")
        if not self.ipv4:
            bits.append("IPv6 only")
        return " ".join(bits)


@dataclass(frozen=True)
class Port:
    container_port: int
    protocol: str = "tcp"
    host_port: int | None = None
    host_ip: str | None = None

    def __str__(self) -> str:
        host = f"{self.host_ip}:" if self.host_ip else ""
        host += f"{self.host_port}:" if self.host_port else ""
        return f"{host}{self.container_port}/{self.protocol}"


# see config_hash
LATER_FIELDS = ("shares", "domainname", "dns", "dns_search", "dns_options", "extra_hosts", "sysctls", "expose",
                "publish_all")


@dataclass(frozen=True)
class ContainerSpec:
    key: str
    name: str
    image: str
    command: tuple[str, ...] | None = None
    attachments: tuple[Attachment, ...] = (Attachment("bridge"),)  # none when it shares another's stack
    shares: str | None = None  # the key of the lab container whose network stack it joins (container:KEY)
    ports: tuple[Port, ...] = ()
    expose: tuple[Port, ...] = ()  # offered, not published (a host port only with publish_all)
    publish_all: bool = False
    env: Pairs = ()
    hostname: str | None = None
    domainname: str | None = None
    dns: tuple[IPAddress, ...] = ()  # resolvers instead of Docker's (its embedded DNS still answers names)
    dns_search: tuple[str, ...] = ()
    dns_options: tuple[str, ...] = ()
    extra_hosts: Pairs = ()  # /etc/hosts: name -> address or "host-gateway"
    sysctls: Pairs = ()  # net.* settings of its own network namespace
    cap_add: tuple[str, ...] = ()
    labels: Pairs = ()
    host: str = ""  # the key of the host it runs on; "" on a lab of one engine

    @property
    def network_mode(self) -> str:
        """The network the container is created in (the others are connected later), or container:KEY."""
        return f"{SHARED}{self.shares}" if self.shares else self.attachments[0].network

    def config_hash(self) -> str:
        """Hash of everything that can only change by recreating the container."""
        config = asdict(self)
        for volatile in ("key", "attachments", "host"):  # where it runs is not what it is
            config.pop(volatile)
        for later in LATER_FIELDS:  # unset, a field added later leaves the hash of a container made before it
            if not config[later]:
                config.pop(later)
        config["network_mode"] = self.network_mode if self.network_mode in STANDALONE_NETWORKS else ""
        text = json.dumps(config, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class HostSpec:
    """One Docker host of a lab across several."""

    key: str
    docker_host: str | None = None  # None: DOCKER_HOST, else the local socket
    address: str | None = None  # where the other hosts reach this one (swarm advertise address)


@dataclass(frozen=True)
class SwarmSpec:
    manager: str  # a host key
    form: bool = False  # dockerlab may form the swarm (and destroy undoes what it formed)


class Fault(NamedTuple):
    """A breakage for `dockerlab break`: the lab as the fault leaves it, and the containers it stops."""
    name: str
    lab: Lab
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lab:
    name: str
    prefix: str
    networks: tuple[NetworkSpec, ...] = ()
    containers: tuple[ContainerSpec, ...] = ()
    checks: tuple[Check, ...] = ()
    lesson: Words = ()  # what to try and look for, shown after apply
    stage: str = ""  # which of its file's stages this is; "" in a lab without stages
    stages: tuple[Lab, ...] = ()  # the file's stages, in order: each a whole lab (labfile.stages)
    faults: tuple[Fault, ...] = ()
    hosts: tuple[HostSpec, ...] = ()  # empty: one engine, as DOCKER_HOST says
    swarm: SwarmSpec | None = None
    path: str = ""  # as the user named the file
    origin: str = ""  # the file's real path, recorded in labels: which file made an object
    # lookups of this lab's own: not init fields, so that replace() (a host's slice) never shares them
    _networks: dict[str, NetworkSpec] = field(default_factory=dict, init=False, compare=False, repr=False)
    _containers: dict[str, ContainerSpec] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._networks.update({n.key: n for n in self.networks})
        self._containers.update({c.key: c for c in self.containers})

    def network(self, key: str) -> NetworkSpec | None:
        return self._networks.get(key)

    def container(self, key: str) -> ContainerSpec | None:
        return self._containers.get(key)

    def address_of(self, host: str) -> str | None:
        """Where the lab's other hosts reach this one (the swarm's advertise address)."""
        return next((h.address for h in self.hosts if h.key == host), None)

    def membership(self, container_key: str | None, network: str | None) -> Attachment | None:
        """A container's attachment to a network by its Docker name (a step's `network`)."""
        spec = self.container(container_key or "")
        return next((a for a in spec.attachments if self.docker_network_name(a.network) == network), None
                    ) if spec else None

    def creation_order(self, spec: ContainerSpec) -> tuple[Attachment, ...]:
        """A container's networks in the order it joins them, its network mode first: Docker's own network, when
        the file names it first; else the lab's local networks before those that span hosts (Docker 28 may not
        start a container whose mode is an overlay and that joined a bridge beside it)."""
        if not spec.attachments or spec.attachments[0].network in PREDEFINED_NETWORKS:
            return spec.attachments
        return tuple(sorted(spec.attachments, key=lambda a: (a.network in PREDEFINED_NETWORKS,
                                                              self.spans_hosts(a.network))))

    def stack(self, key: str) -> ContainerSpec | None:
        """The container whose network stack `key` uses (its networks, addresses): its own, or the one it shares."""
        spec = self.container(key)
        return self.container(spec.shares) if spec and spec.shares else spec

    def shared_stack(self, spec: ContainerSpec) -> str | None:
        """The Docker name of the container whose network stack `spec` shares (network_mode: container:KEY)."""
        other = self.container(spec.shares or "")
        return other.name if other else None

    def spans_hosts(self, key: str) -> bool:
        """Whether a container's network reference spans hosts: an overlay the lab declares, or one a worker's
        slice names by its Docker name without declaring it (the manager makes it; see placement)."""
        spec = self.network(key)
        return spec.spans_hosts if spec else key not in PREDEFINED_NETWORKS

    def docker_network_name(self, key: str) -> str:
        """A container's network reference as Docker names it."""
        spec = self.network(key)
        return spec.name if spec else key


def with_settings(networks: tuple[NetworkSpec, ...]) -> tuple[NetworkSpec, ...]:
    """A network that takes a config-only network's settings has them in the model too, as Docker copies them:
    its addresses, parent and options are checked and shown as any network's."""
    held = {n.name: n for n in networks if n.config_only}
    networks = tuple(replace(n, users=tuple(sorted((u.key, u.name) for u in networks if u.config_from == n.name)))
                     if n.config_only and not n.users else n for n in networks)  # a host's slice keeps the lab's
    return tuple(replace(n, pools=s.pools, ipv4=s.ipv4, ipv6=s.ipv6, options=s.options, parent=s.parent,
                         mode=s.mode, ipam_driver=s.ipam_driver, ipam_options=s.ipam_options)
                 if n.config_from and (s := held.get(n.config_from)) else n for n in networks)
