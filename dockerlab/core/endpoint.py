"""A container's membership of one network, as declared: its endpoint (addresses, aliases, MAC, the settings
of its interface there) and the impairments of what it sends there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address

from dockerlab.core.addresses import IPAddress, Pairs
from dockerlab.core.impairment import Link

ENDPOINT_IFNAME = "com.docker.network.endpoint.ifname"
ENDPOINT_SYSCTLS = "com.docker.network.endpoint.sysctls"
ONE_INTERFACE = re.compile(r"net\.(?:ipv4|ipv6|mpls)\.(?:conf|neigh)\.([^.]+)\..+")  # a sysctl of one interface


def from_driver_opts(opts: dict[str, str]) -> tuple[str | None, Pairs]:
    """An endpoint's interface name and sysctls, from its driver options (Attachment.driver_opts reversed)."""
    sysctls = (kv.split("=", 1) for kv in opts.get(ENDPOINT_SYSCTLS, "").split(",") if "=" in kv)
    # Docker's CLI lowers the names it is given (IFNAME arrives as ifname); the engine takes both
    return opts.get(ENDPOINT_IFNAME), tuple(sorted((k.replace(".ifname.", ".IFNAME."), v) for k, v in sysctls))


@dataclass(frozen=True)
class Attachment:
    """A container's membership of one network, as declared."""

    network: str  # a key of lab.networks, or a predefined network name
    ipv4: IPv4Address | None = None
    ipv6: IPv6Address | None = None
    aliases: tuple[str, ...] = ()
    mac: str | None = None
    link: Link | None = None  # impairments of what the container sends here: changed live, never at create
    gw_priority: int = 0  # the network of the highest gives the default route (Docker's default: 0)
    interface: str | None = None  # its interface's name here (None: Docker's eth0, eth1, ...)
    sysctls: Pairs = ()  # settings of that interface, IFNAME standing for its name
    link_local: tuple[IPAddress, ...] = ()

    def describe(self) -> str:
        bits = [str(a) for a in (self.ipv4, self.ipv6, self.mac) if a]
        bits += [f"alias {a}" for a in self.aliases]
        bits += [f"gw priority {self.gw_priority}"] if self.gw_priority else []
        bits += [f"interface {self.interface}"] if self.interface else []
        bits += [f"{k}={v}" for k, v in self.sysctls] + [f"link-local {a}" for a in self.link_local]
        return f"{self.network} ({', '.join(bits)})" if bits else self.network

    def live_details(self) -> dict[str, object]:
        """Recorded in a label at create: what the list call hides (aliases, a stopped container's MAC),
        and the static IPs asked for, which some drivers (overlay) report for dynamic addresses too."""
        made: dict[str, object] = {"aliases": list(self.aliases), "mac": self.mac,
                                   "ipv4": str(self.ipv4) if self.ipv4 else None,
                                   "ipv6": str(self.ipv6) if self.ipv6 else None}
        if opts := self.driver_opts():  # later keys only when set: the label of a container made before stays
            made["driver_opts"] = opts
        if self.link_local:
            made["link_local"] = [str(a) for a in self.link_local]
        return made

    def driver_opts(self) -> dict[str, str]:
        """The endpoint's driver options as Docker stores them: its interface name and its sysctls."""
        opts = {ENDPOINT_IFNAME: self.interface} if self.interface else {}
        if self.sysctls:
            opts[ENDPOINT_SYSCTLS] = ",".join(f"{k}={v}" for k, v in self.sysctls)
        return opts
