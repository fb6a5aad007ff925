"""Checks of facts about one container (a part of the checks' runner): which interfaces it sees, whether its
interface on a macvlan or ipvlan network has its own MAC or its parent's, and whether it answers ARP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dockerlab.core.check import Check
from dockerlab.core.drivers import driver
from dockerlab.core.expect import Expect, Got
from dockerlab.core.model import Lab, NetworkSpec
from dockerlab.core.observed import ObservedContainer
from dockerlab.learn.checkresult import CheckError, CheckResult

if TYPE_CHECKING:
    from dockerlab.host.host import Host


class FactProbes:
    lab: Lab

    def box(self, key: str) -> ObservedContainer | None:
        raise NotImplementedError

    def host(self, check: Check) -> Host:
        raise NotImplementedError

    def _exec(self, check: Check, argv: list[str]) -> tuple[int, str]:
        raise NotImplementedError

    def _interfaces(self, check: Check) -> CheckResult:
        code, out = self._exec(check, ["ip", "-o", "link"])
        names = sorted({m.split("@")[0] for m in re.findall(r"^\d+:\s*([^:\s]+)", out, flags=re.M)})
        if check.expect is Expect.ONLY_LOOPBACK:
            got = Got.ONLY_LOOPBACK if names == ["lo"] else Got.MORE_INTERFACES
            return CheckResult(check, "ip link", got, ", ".join(names))
        host = self.host(check).facts.interfaces()
        if host is None:
            raise CheckError("cannot read the engine host's interfaces (a remote engine?)")
        got = Got.HOST_INTERFACES if set(names) == host else Got.OWN_INTERFACES
        return CheckResult(check, "ip link", got, ", ".join(names))

    def _parent_link(self, check: Check) -> tuple[NetworkSpec, str | None, str]:
        """The source's interface on its macvlan/ipvlan network: the network, the interface, its `ip -o link`."""
        spec = self.lab.stack(check.source)
        assert spec is not None
        net = next(n for a in spec.attachments if (n := self.lab.network(a.network)) and driver(n.driver).parent)
        box = self.box(spec.key)
        assert box is not None
        ep = box.endpoints.get(net.name)
        if ep is None or ep.ipv4 is None:
            raise CheckError(f"{check.source} has no address on {net.name}")
        _, addrs = self._exec(check, ["ip", "-o", "addr"])
        _, links = self._exec(check, ["ip", "-o", "link"])
        iface = next((m.group(1) for m in re.finditer(r"^\d+:\s*(\S+)\s+inet (\S+)/", addrs, flags=re.M)
                      if m.group(2) == str(ep.ipv4)), None)
        line = next((ln for ln in links.splitlines() if (m := re.match(r"\d+:\s*([^:\s@]+)", ln))
                     and m.group(1) == iface), "")
        return net, iface, line

    def _mac(self, check: Check) -> CheckResult:
        net, iface, line = self._parent_link(check)
        mac = m.group(1) if (m := re.search(r"link/ether (\S+)", line)) else None
        parent = self.host(check).facts.interface_mac(net.parent) if net.parent else None
        if mac is None or parent is None:
            raise CheckError(f"cannot read the MAC of {check.source} ({iface}) or of parent {net.parent}")
        got = Got.PARENT_MAC if mac == parent else Got.OWN_MAC
        return CheckResult(check, f"mac {iface}", got, f"{mac} vs parent {net.parent} {parent}")

    def _arp(self, check: Check) -> CheckResult:
        """ipvlan L3 marks its interfaces NOARP: neighbours are never asked, frames are routed, not bridged."""
        _, iface, line = self._parent_link(check)
        flags = m.group(1).split(",") if (m := re.search(r"<([^>]*)>", line)) else None
        if flags is None:
            raise CheckError(f"cannot read the flags of {check.source}'s interface {iface}")
        return CheckResult(check, f"flags {iface}", Got.NO_ARP if "NOARP" in flags else Got.ARP, ",".join(flags))
