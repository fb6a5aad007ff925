"""The host's own interfaces, read and changed with `ip` argument lists in the engine's network namespace: the
host access interfaces of macvlan networks (what they are and whose: core.hostaccess), and the host's addresses
and routes that preflight compares them with."""

from __future__ import annotations

import json
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, ip_address, ip_interface, ip_network

from dockerlab.core.hostaccess import ALIAS_PREFIX, HostLink, making
from dockerlab.core.model import Lab
from dockerlab.errors import DockerlabError
from dockerlab.host.facts import ip_in
from dockerlab.printable import shown


class HostLinks:
    """Reads and changes host access interfaces in the engine's network namespace, with `ip` argument lists."""

    def __init__(self, engine_pid: int | None) -> None:
        self.pid = engine_pid

    def _ip(self, *args: str) -> str:
        return ip_in(self.pid, *args)

    def observe(self) -> tuple[HostLink, ...]:
        """Every macvlan interface of the host that carries a dockerlab alias, and any named like ours."""
        links = json.loads(self._ip("-j", "-d", "addr", "show") or "[]")
        routes = json.loads(self._ip("-j", "route", "show") or "[]")
        found = []
        for link in links:
            if not (link.get("ifalias", "").startswith(ALIAS_PREFIX) or link.get("ifname", "").startswith("dlh-")):
                continue
            address = next((ip_address(a["local"]) for a in link.get("addr_info", ()) if a.get("family") == "inet"),
                           None)
            mine = tuple(ip_network(r["dst"]) for r in routes if r.get("dev") == link["ifname"] and "/" in r["dst"])
            found.append(HostLink(link["ifname"], link.get("ifalias", ""), link.get("link") or "?",
                                  address if isinstance(address, IPv4Address) else None,
                                  tuple(r for r in mine if isinstance(r, IPv4Network)),
                                  ((link.get("linkinfo") or {}).get("info_data") or {}).get("mode", "?"),
                                  (link.get("linkinfo") or {}).get("info_kind", "?")))
        return tuple(found)

    def addresses(self) -> list[tuple[str, IPv4Interface]]:
        """Every IPv4 address of the host's interfaces, with its interface."""
        links = json.loads(self._ip("-j", "addr", "show") or "[]")
        found = [(link["ifname"], ip_interface(f"{a['local']}/{a['prefixlen']}")) for link in links
                 for a in link.get("addr_info", ()) if a.get("family") == "inet"]
        return [(name, iface) for name, iface in found if isinstance(iface, IPv4Interface)]

    def routes(self) -> list[tuple[str, IPv4Network]]:
        """Every IPv4 route of the host but the default one, with its interface."""
        found = [(str(r.get("dev", "?")), ip_network(r["dst"], strict=False))
                 for r in json.loads(self._ip("-j", "route", "show") or "[]") if r.get("dst", "default") != "default"]
        return [(dev, dst) for dev, dst in found if isinstance(dst, IPv4Network)]

    def clashes(self, want: HostLink) -> list[str]:
        """Why the host cannot take this interface: its address already on another interface (the host would
        hold it twice), or a route it adds overlapping one the host has (traffic would move). A route inside the
        parent's own subnet is how host access works where the parent has an address there: an ip_range."""
        found = [f"the host already has {want.address} on {name}" for name, iface in self.addresses()
                 if name != want.name and iface.ip == want.address]
        for dev, dst in self.routes():
            for route in want.routes:
                if dev == want.name or not route.overlaps(dst):
                    continue
                if dev == want.parent and route != dst and route.subnet_of(dst):
                    continue
                found.append(f"{dev} already routes {dst}, which overlaps {route}"
                             + ("; give the containers an ip_range inside the subnet, which the host's interface "
                                "then routes instead" if dev == want.parent else
                                "; choose a subnet the host does not use"))
        return found

    def create(self, link: HostLink) -> None:
        first, *rest = making(link)
        self._ip(*first)
        try:
            for args in rest:
                self._ip(*args)
        except DockerlabError as exc:
            self._ip("link", "del", link.name)  # nothing half-made: the routes and address go with it
            raise DockerlabError(f"host access {link.name}: {exc} (set an ip_range for the containers when the "
                                 "parent has an address of its own in the subnet)") from None

    def remove(self, name: str, lab: Lab, want: HostLink | None) -> None:
        """Only an interface that is still the lab's, as read just now."""
        current = next((link for link in self.observe() if link.name == name), None)
        if current is None:
            return
        if not current.belongs_to(lab, want):
            raise DockerlabError(f"interface {name} is not lab {lab.name}'s (alias '{shown(current.alias)}', "
                                 f"{current.kind}); left alone")
        self._ip("link", "del", name)
