"""UDP reachability (a part of the checks' runner). A datagram has no answer to wait for, so the proof is read
where it lands: the target's network namespace counts every datagram it receives (/proc/net/snmp, snmp6), on
a port something listens on or not. The sender is busybox `tftp`, which resends for as long as it runs."""

from __future__ import annotations

import contextlib
import re
import socket
import time
from dataclasses import replace

from dockerlab.core.check import Check
from dockerlab.core.expect import Got
from dockerlab.learn.checkresult import CheckError, CheckResult

# the counters of a datagram that reached the namespace: taken by a socket, to a closed port, or dropped there
LISTENED = ("InDatagrams", "InErrors")
CLOSED = ("NoPorts",)


class UdpProbes:
    def _exec(self, check: Check, argv: list[str]) -> tuple[int, str]:
        raise NotImplementedError

    def _published(self, check: Check, port: int) -> tuple[str, int] | None:
        raise NotImplementedError

    def _udp(self, check: Check, address: str) -> CheckResult:
        port = check.port
        assert port is not None
        at_target = replace(check, source=check.target_key)  # what runs in the target, runs as if it were the source
        kind = CLOSED if _closed(self._exec(at_target, ["cat", "/proc/net/udp", "/proc/net/udp6"])[1], port) \
            else LISTENED
        before = self._received(at_target, kind)
        how = f"udp {address}:{port}"
        if check.from_host:
            published = self._published(check, port)  # then the datagram goes to the host's port
            outside = published[0] if published else address
            how = f"udp {outside}:{port}"
            _send_from_here(outside, port, check.timeout)
        else:
            self._exec(check, ["timeout", "-s", "KILL", str(check.seconds), "tftp", "-g", "-r", "dockerlab-probe",
                               "-l", "/dev/null", address, str(port)])
        arrived = self._received(at_target, kind) - before
        if arrived <= 0:
            return CheckResult(check, how, Got.UNREACHABLE, f"no datagram arrived in {check.target_key}")
        where = "to a closed port: the kernel counted it" if kind is CLOSED else "taken by what listens there"
        plural = "s" if arrived > 1 else ""
        return CheckResult(check, how, Got.REACHABLE, f"{arrived} datagram{plural} arrived, {where}")

    def _received(self, at_target: Check, kind: tuple[str, ...]) -> int:
        code, out = self._exec(at_target, ["cat", "/proc/net/snmp", "/proc/net/snmp6"])
        counted = counters(out)
        if code != 0 or not counted:
            raise CheckError(f"cannot read the UDP counters of {at_target.source}: {out.strip()[:80] or code}")
        return sum(counted.get(name, 0) for name in kind)


def counters(text: str) -> dict[str, int]:
    """UDP's counters over both families: /proc/net/snmp's `Udp:` header and value lines, snmp6's `Udp6Name N`."""
    found: dict[str, int] = {}
    rows = [line.split()[1:] for line in text.splitlines() if line.startswith("Udp:")]
    for names, values in zip(rows[::2], rows[1::2], strict=False):
        for name, value in zip(names, values, strict=False):
            found[name] = found.get(name, 0) + int(value)
    for name, value in re.findall(r"^Udp6(\w+)\s+(\d+)$", text, flags=re.M):
        found[name] = found.get(name, 0) + int(value)
    return found


def _closed(sockets: str, port: int) -> bool:
    """No socket of the namespace is bound to the port (/proc/net/udp and udp6: local address:PORT in hex)."""
    return not any(m.group(1) and int(m.group(1), 16) == port
                   for m in re.finditer(r"^\s*\d+:\s+[0-9A-F]+:([0-9A-F]{4})\s", sockets, flags=re.M))


def _send_from_here(address: str, port: int, seconds: float) -> None:
    """Datagrams from the engine's host, a few a second, for as long as the check's timeout."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with contextlib.suppress(OSError):  # refused by an earlier one's ICMP answer, or no route: counted
                sock.sendto(b"dockerlab-probe", (address, port))
            time.sleep(0.2)
