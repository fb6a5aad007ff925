"""`dockerlab check`: prove the connectivity a lab states, with real packets.

Probes run inside the source container with `docker exec` and argument lists (never a shell
string built from lab text). Names are resolved only through Docker's embedded DNS
(127.0.0.11), so a lab check never sends a query to the host's resolvers.
"""

from __future__ import annotations

import math
import re
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from ipaddress import ip_address
from typing import TYPE_CHECKING

from dockerlab.core.check import Check
from dockerlab.core.expect import By, Got, Probe
from dockerlab.core.model import PREDEFINED_NETWORKS
from dockerlab.core.observed import ObservedContainer
from dockerlab.core.waiting import wait_until
from dockerlab.defaults import PARALLEL
from dockerlab.errors import DockerlabError
from dockerlab.learn import pings
from dockerlab.learn.checkresult import CheckError, CheckResult
from dockerlab.learn.diagnose import cause, missing, stopped
from dockerlab.learn.factprobes import FactProbes
from dockerlab.learn.fromhost import ping_here
from dockerlab.learn.stateprobes import StateProbes
from dockerlab.learn.udpprobes import UdpProbes
from dockerlab.plan.ownership import strangers

if TYPE_CHECKING:
    from dockerlab.host.host import Host
    from dockerlab.plan.observe import View

DOCKER_DNS = "127.0.0.11"
RETRY = 1.0  # seconds between the tries of a check with `within`
CANNOT_RUN = (126, 127)  # the shell's and the runtime's "cannot execute" and "not found"


def run_checks(view: View, parallel: int = PARALLEL,
               done: Callable[[CheckResult], None] = lambda result: None) -> list[CheckResult]:
    """Each probe runs on the source container's host; a target's address is read on the target's host.
    done: told of each result as it comes (a progress display)."""
    runner = _Runner(view)
    strangers(view.lab, {key: runner.box(key) for c in view.lab.checks for key in (c.source, c.target_key)})

    def one(check: Check) -> CheckResult:
        result = runner.run(check)
        done(result)
        return result
    # UDP's proof is a counter of the target: after the rest, one at a time per target
    others = [c for c in view.lab.checks if not c.udp]
    by_target: dict[str, list[Check]] = {}
    for c in view.lab.checks:
        if c.udp:
            by_target.setdefault(c.target_key, []).append(c)
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        results = dict(zip(others, pool.map(one, others), strict=True))
        for group in pool.map(lambda checks: [(c, one(c)) for c in checks], by_target.values()):
            results.update(group)
    return [results[c] for c in view.lab.checks]


def _refused(address: str, port: int, timeout: float) -> str | None:
    """Why a TCP connection from this machine fails; None when it is made."""
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def _limit(check: Check) -> int:
    """How long a probe may take in all: its wait, and the pings of a measuring check sent one after another."""
    return check.seconds + math.ceil((check.pings - 1) * pings.INTERVAL)


def _words(text: str, limit: int = 80) -> str:
    line = next((ln.strip() for ln in reversed(text.strip().splitlines()) if ln.strip()), "")
    return line[:limit]


class _Runner(FactProbes, StateProbes, UdpProbes):
    def __init__(self, view: View) -> None:
        self.view, self.lab = view, view.lab

    def box(self, key: str) -> ObservedContainer | None:
        spec = self.lab.container(key)
        return self.view.observed_of(key).container_named(spec.name) if spec else None

    def host(self, check: Check) -> Host:
        """Where a check's probe runs: the source container's host ('host' is only in a lab of one host)."""
        return self.view.site_of(check.source).host

    def run(self, check: Check) -> CheckResult:
        """Once, or (`within`) again each second until it holds or the time is up: the last try's result."""
        tries: list[CheckResult] = []
        start = time.monotonic()

        def holds() -> bool:
            tries.append(self._try(check))
            return tries[-1].passed
        wait_until(holds, check.within or 0, RETRY)
        return replace(tries[-1], seconds=time.monotonic() - start)

    def _try(self, check: Check) -> CheckResult:
        try:
            self._running(check)
            result = self._run(check)
        except CheckError as exc:
            return CheckResult(check, "-", Got.ERROR, str(exc))
        why = None if result.passed else cause(self.lab, check, result.got)
        return replace(result, reason=f"{why} ({result.reason})" if why and result.reason else why or result.reason)

    def _running(self, check: Check) -> None:
        """A check's source, and a target that is a lab container, must run: else say how they ended."""
        for key in (check.source, check.target_key):
            if self.lab.container(key) is None:
                continue
            box = self.box(key)
            if box is None:
                raise CheckError(missing(key))
            if not box.running:
                raise CheckError(stopped(key, box, self.view.site_of(key).host.engine.last_words(box)))

    def _run(self, check: Check) -> CheckResult:
        """By the probe the expectation names (core.expect)."""
        probes: dict[Probe, Callable[[Check], CheckResult]] = {
            Probe.MAC: self._mac, Probe.ARP: self._arp, Probe.INTERFACES: self._interfaces, Probe.DNS: self._dns,
            Probe.REACH: self._reach, Probe.ROUTE: self._route, Probe.LINK: self._link, Probe.ADDRESS: self._holds,
            Probe.SYSCTL: self._sysctl, Probe.RESOLVER: self._resolver}
        return probes[check.expect.probe](check)

    def _dns(self, check: Check) -> CheckResult:
        name = check.target_key
        addresses, reason = self._resolve(check, name)
        got = Got.RESOLVES if addresses else Got.UNRESOLVABLE
        return CheckResult(check, f"dns {name}", got, ", ".join(addresses) if addresses else reason)

    def _reach(self, check: Check) -> CheckResult:
        name = check.target_key
        if check.by is By.NAME and not check.port and not check.family and self._on_docker_dns(check):
            return self._ping(check, name)  # ping asks Docker's DNS itself: one exec, not two
        if check.by is By.NAME:
            addresses, reason = self._resolve(check, name)
            if check.family:
                addresses = [a for a in addresses if ip_address(a).version == check.family]
                reason = reason or f"no IPv{check.family} address in the answer"
            if not addresses:
                return CheckResult(check, f"dns {name}", Got.UNREACHABLE, f"name does not resolve: {reason}")
            address = addresses[0]
        else:
            address = self._address(check)
        if check.port:
            result = self._udp(check, address) if check.udp else self._tcp(check, address)
        else:
            result = self._ping(check, address)
        return replace(result, how=asked(result.how, name, address)) if check.by is By.NAME else result

    # -- addresses

    def _address(self, check: Check) -> str:
        target = check.target or ""
        try:
            return str(ip_address(target))
        except ValueError:
            pass
        key, _, network = target.partition("@")
        spec = self.lab.stack(key)  # a container that shares another's stack has that one's addresses
        box = self.box(spec.key) if spec else None
        if box is None or spec is None:
            raise CheckError(f"target {key} is not on the engine; run `dockerlab apply` first")
        order = [self.lab.docker_network_name(a.network) for a in spec.attachments]
        if network:
            order = [self.lab.docker_network_name(network)]
        elif not check.from_host:
            source_spec = self.lab.stack(check.source)
            assert source_spec is not None
            shared = {self.lab.docker_network_name(a.network) for a in source_spec.attachments}
            order = [n for n in order if n in shared] + [n for n in order if n not in shared]
        if check.from_host and spec.network_mode == "host":
            return "127.0.0.1"
        for name in order:  # IPv4 where it has one (or as `family` says), else IPv6: an IPv6-only network's
            ep = box.endpoints.get(name)
            found = ep and ({4: ep.ipv4, 6: ep.ipv6}[check.family] if check.family else ep.ipv4 or ep.ipv6)
            if found:
                return str(found)
        family = f"IPv{check.family} " if check.family else "IP "
        raise CheckError(f"{key} has no {family}address on {', '.join(order)}")

    def _on_docker_dns(self, check: Check) -> bool:
        """A container on a user-defined network asks Docker's DNS (its resolv.conf says 127.0.0.11)."""
        spec = self.lab.stack(check.source) if not check.from_host else None
        box = self.box(spec.key) if spec else None
        return box is not None and any(net not in PREDEFINED_NETWORKS for net in box.endpoints)

    def _resolve(self, check: Check, name: str) -> tuple[list[str], str]:
        """Through Docker's DNS, or the resolver the check names (a DNS server of the lab: UDP to it)."""
        if check.from_host:
            raise CheckError("the host does not use Docker's DNS; check by ip from the host")
        code, out = self._exec(check, ["nslookup", name, str(check.resolver or DOCKER_DNS)])
        answer = out.split("Name:", 1)[1] if "Name:" in out else ""
        addresses = re.findall(r"Address:\s*([0-9a-fA-F.:]+)", answer)
        if code == 0 and addresses:
            return addresses, ""
        if "refused" in out and check.resolver is None:
            return [], "no Docker DNS in this container (it is on no user-defined network)"
        return [], _words(out) or "no answer"

    # -- probes

    def _exec(self, check: Check, argv: list[str]) -> tuple[int, str]:
        """argv under a hard limit a little past the probe's own timeout."""
        box = self.box(check.source)
        assert box is not None
        engine = self.host(check).engine
        limited = ["timeout", "-s", "KILL", str(_limit(check) + 2), *argv]
        code, out = engine.exec_in(box.id, limited)
        if code not in CANNOT_RUN:
            return code, out
        # the image lacks the tool: the same probe from a container that shares the source's network namespace
        try:
            code, out = engine.probe(box.id, self.lab, limited, _limit(check) + 5)
        except DockerlabError as exc:
            raise CheckError(f"the probe `{argv[0]}` cannot run in container {check.source} (its image lacks it "
                             f"or `timeout`), nor in a probe container beside it: {exc}") from None
        if code in CANNOT_RUN:  # never a result: an isolation lesson would pass with nothing tested
            raise CheckError(f"the probe `{argv[0]}` cannot run in container {check.source} nor in the probe "
                             f"container (exit {code}: {_words(out) or 'no output'})")
        return code, out

    def _ping(self, check: Check, address: str) -> CheckResult:
        args = [*pings.options(check), "-W", str(check.seconds), address]
        if check.from_host:
            code, out = ping_here(args, _limit(check) + 3)
        else:
            code, out = self._exec(check, ["ping", *args])
        went_to = pings.address(address, out)
        if code != 0 and went_to is None:
            why = _words(out) or "no answer"
            return CheckResult(check, f"dns {address}", Got.UNREACHABLE, f"name does not resolve: {why}")
        how = f"ping {went_to or address}" + (f" x{check.pings}" if check.pings > 1 else "")
        if went_to and went_to != address:  # a name that ping resolved itself
            how = asked(how, address, went_to)
        got, reason = pings.verdict(check, code, out)
        return CheckResult(check, how, got, reason or _words(out))

    def _tcp(self, check: Check, address: str) -> CheckResult:
        port = check.port
        assert port is not None
        if check.from_host:
            published = self._published(check, port)
            outside = published[0] if published else address
            if why := _refused(outside, port, check.timeout):
                return CheckResult(check, f"tcp {outside}:{port}", Got.UNREACHABLE, why)
            # docker-proxy takes a connection to a published port whether or not anything listens inside
            if published and (why := _refused(address, published[1], check.timeout)):
                return CheckResult(check, f"tcp {outside}:{port}", Got.UNREACHABLE,
                                   f"the host takes it, but nothing answers in the container on {address}:"
                                   f"{published[1]} ({why})")
            return CheckResult(check, f"tcp {outside}:{port}", Got.REACHABLE, "connected")
        code, out = self._exec(check, ["nc", "-w", str(check.seconds), address, str(port)])
        return CheckResult(check, f"tcp {address}:{port}", Got.REACHABLE if code == 0 else Got.UNREACHABLE,
                           "connected" if code == 0 else _words(out))

    def _published(self, check: Check, port: int) -> tuple[str, int] | None:
        """From the host, a container's published port (of the check's protocol) answers on the host's address:
        that, and the port in the container."""
        spec = self.lab.container(check.target_key)
        for p in spec.ports if spec else ():
            if p.host_port == port and p.protocol == (check.protocol or "tcp"):
                return p.host_ip or "127.0.0.1", p.container_port
        return None


def asked(how: str, name: str, address: str) -> str:
    """A probe of a name as the learner wrote it, and what it resolved to: `ping four (172.28.5.4)`."""
    return f"{how.replace(address, name, 1)} ({address})" if address in how else how
