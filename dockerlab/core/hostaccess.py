"""Host access to a macvlan network: a macvlan interface of the host's own on the same parent.

A macvlan parent does not pass frames between itself and its macvlan children, so the host cannot reach
its own macvlan containers; a second macvlan interface on the host, in bridge mode, can. dockerlab makes
it (named `dlh-` + a hash of lab and network, marked with an alias naming both and the lab file), gives it the
address the lab asks for and routes the containers' range through it. It touches no interface without its alias
(and file), but for a macvlan one with its exact name and parent and no alias at all: made by an interrupted run
(the alias is set just after).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from dockerlab.core.model import Lab, NetworkSpec

ALIAS_PREFIX = "dockerlab:"


@dataclass(frozen=True)
class HostLink:
    """One host access interface, wanted (from the lab) or found (on the engine's host)."""

    name: str
    alias: str  # dockerlab:<lab>:<network key>:<a hash of the lab file>
    parent: str
    address: IPv4Address | None
    routes: tuple[IPv4Network, ...]
    mode: str = "bridge"
    kind: str = "macvlan"  # the link type found: an interface of our name of another type is not ours

    @property
    def lab(self) -> str | None:
        return self._marks()[0]

    @property
    def key(self) -> str | None:
        """The lab network it serves."""
        return self._marks()[1]

    @property
    def file(self) -> str | None:
        """The mark of the lab file that made it; None on one made before files were marked (nobody's now)."""
        parts = self.alias.split(":")
        return parts[3] if len(parts) == 4 else None

    def _marks(self) -> tuple[str | None, str | None]:
        parts = self.alias.split(":")
        return (parts[1], parts[2]) if len(parts) in (3, 4) and self.alias.startswith(ALIAS_PREFIX) else (None, None)

    def belongs_to(self, lab: Lab, want: HostLink | None = None) -> bool:
        """The one ownership rule for host interfaces: marked with the lab's name and file (a lab by name only
        takes any file's); unmarked, only one of the very name and parent the lab wants. Always a macvlan one."""
        if self.kind != "macvlan":
            return False
        if not self.alias:
            return want is not None and (self.name, self.parent) == (want.name, want.parent)
        return self.lab == lab.name and (not lab.origin or self.file == _file_mark(lab))

    def describe(self) -> str:
        routes = ", ".join(str(r) for r in self.routes)
        return f"macvlan {self.mode} on {self.parent}, {self.address}, route {routes}"


def _file_mark(lab: Lab) -> str:
    return hashlib.sha256((lab.origin or lab.path).encode()).hexdigest()[:8]


def alias(lab: Lab, key: str) -> str:
    return f"{ALIAS_PREFIX}{lab.name}:{key}:{_file_mark(lab)}"


def wanted(lab: Lab, spec: NetworkSpec) -> HostLink | None:
    if spec.host_access is None or spec.parent is None:
        return None
    digest = hashlib.sha256(f"{lab.name}/{spec.key}".encode()).hexdigest()[:8]
    pool = next(p for p in spec.pools if spec.host_access in p.subnet)
    route = pool.ip_range or pool.subnet
    assert isinstance(route, IPv4Network)
    return HostLink(f"dlh-{digest}", alias(lab, spec.key), spec.parent, spec.host_access, (route,))


def changes(want: HostLink, have: HostLink) -> list[str]:
    if not have.alias:  # made, then interrupted before it was marked: ours, by its name
        return ["left half-made by an interrupted run"]
    causes = [f"{what} {old} -> {new}" for what, old, new in (
        ("parent", have.parent, want.parent), ("mode", have.mode, want.mode), ("address", have.address, want.address))
        if old != new]
    if set(want.routes) - set(have.routes):
        causes.append(f"routes [{', '.join(map(str, have.routes))}] -> [{', '.join(map(str, want.routes))}]")
    return causes


def making(link: HostLink) -> list[list[str]]:
    """The `ip` calls that make a host access interface, in order (also shown by `plan --as docker`)."""
    return [["link", "add", link.name, "link", link.parent, "type", "macvlan", "mode", link.mode],
            ["link", "set", "dev", link.name, "alias", link.alias],
            ["addr", "add", f"{link.address}/32", "dev", link.name],
            ["link", "set", "dev", link.name, "up"],
            *(["route", "add", str(route), "dev", link.name] for route in link.routes)]
