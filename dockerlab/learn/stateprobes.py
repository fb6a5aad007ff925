"""Checks of one container's own network state (a part of the checks' runner): its route to an address, an
interface by name, an address it holds, a setting of its network namespace, its resolvers. Each reads what the
kernel says inside the container, so a lesson is proved where it lives."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dockerlab.core.check import Check
from dockerlab.core.expect import DEFAULT_ROUTE, Got
from dockerlab.errors import DockerlabError
from dockerlab.host.facts import answer_in
from dockerlab.learn.checkresult import CheckError, CheckResult

if TYPE_CHECKING:
    from dockerlab.host.host import Host


class StateProbes:
    def _exec(self, check: Check, argv: list[str]) -> tuple[int, str]:
        raise NotImplementedError

    def host(self, check: Check) -> Host:
        raise NotImplementedError

    def _ip(self, check: Check, *args: str) -> tuple[int, str]:
        """`ip ARGS` in the source container, or in the engine's own namespace for `from: host`."""
        if not check.from_host:
            return self._exec(check, ["ip", *args])
        pid = self.host(check).facts.engine_pid
        if pid is None:
            raise CheckError("the engine's host cannot be looked into from here (a remote engine, or not root)")
        try:
            return answer_in(pid, "ip", *args)
        except DockerlabError as exc:
            raise CheckError(f"the engine's host could not be asked: {exc}") from None

    def _address(self, check: Check) -> str:
        raise NotImplementedError

    def _route(self, check: Check) -> CheckResult:
        if check.target == DEFAULT_ROUTE:
            code, out = self._ip(check, "route", "show", "default")
            how = "ip route show default"
        else:
            address = self._address(check)
            code, out = self._ip(check, "route", "get", address)
            how = f"ip route get {address}"
        _answered(check, code, out)
        line = next((ln.strip() for ln in out.splitlines() if ln.strip()), "") if code == 0 else ""
        if not line or "unreachable" in line:
            return CheckResult(check, how, Got.NO_ROUTE, _first(out) or "no route")
        via = m.group(1) if (m := re.search(r"\bvia (\S+)", line)) else None
        dev = m.group(1) if (m := re.search(r"\bdev (\S+)", line)) else None
        if check.via is not None and via != str(check.via):
            return CheckResult(check, how, Got.NO_ROUTE, f"{line} (not via {check.via})")
        if check.interface is not None and dev != check.interface:
            return CheckResult(check, how, Got.NO_ROUTE, f"{line} (not on {check.interface})")
        return CheckResult(check, how, Got.ROUTE, line)

    def _link(self, check: Check) -> CheckResult:
        name = check.interface or ""
        code, out = self._ip(check, "-o", "addr", "show", "dev", name)
        _answered(check, code, out)
        link = ""
        if code == 0:
            code, link = self._ip(check, "-o", "link", "show", "dev", name)
            _answered(check, code, link)
        how = f"ip link {name}"
        if code != 0 or not link.strip():
            return CheckResult(check, how, Got.NO_INTERFACE, _first(out) or f"no interface {name}")
        mtu = int(m.group(1)) if (m := re.search(r"\bmtu (\d+)", link)) else None
        if check.mtu is not None and mtu != check.mtu:
            return CheckResult(check, how, Got.OTHER_INTERFACE, f"{name} has mtu {mtu}, not {check.mtu}")
        held = _addresses(out)
        if check.address is not None and str(check.address) not in held:
            return CheckResult(check, how, Got.OTHER_INTERFACE,
                               f"{name} holds {', '.join(held) or 'no address'}, not {check.address}")
        return CheckResult(check, how, Got.INTERFACE, f"{name} mtu {mtu}; {', '.join(held) or 'no address'}")

    def _holds(self, check: Check) -> CheckResult:
        code, out = self._ip(check, "-o", "addr", "show", *(["dev", check.interface] if check.interface else []))
        if code != 0:
            raise CheckError(f"cannot read the addresses of {check.source}: {_first(out) or f'exit {code}'}")
        held = _addresses(out)
        got = Got.ADDRESS if str(check.address) in held else Got.NO_ADDRESS
        where = f" on {check.interface}" if check.interface else ""
        return CheckResult(check, f"ip addr{where}", got, ", ".join(held) or "no address")

    def _sysctl(self, check: Check) -> CheckResult:
        """The key is whole dotted words (the schema's pattern): its path has no '..' and no other root."""
        key = check.sysctl or ""
        code, out = self._exec(check, ["cat", "/proc/sys/" + key.replace(".", "/")])
        if code != 0:
            raise CheckError(f"{key} cannot be read in {check.source}: {_first(out) or f'exit {code}'}")
        value = " ".join(out.split())
        got = Got.SYSCTL if value == check.value else Got.SYSCTL_DIFFERS
        return CheckResult(check, f"sysctl {key}", got, f"{key} = {value}")

    def _resolver(self, check: Check) -> CheckResult:
        code, out = self._exec(check, ["cat", "/etc/resolv.conf"])
        if code != 0:
            raise CheckError(f"cannot read /etc/resolv.conf of {check.source}: {_first(out) or f'exit {code}'}")
        servers = re.findall(r"^\s*nameserver\s+(\S+)", out, flags=re.M)
        got = Got.RESOLVER if str(check.resolver) in servers else Got.NO_RESOLVER
        return CheckResult(check, "resolv.conf", got, "nameservers " + (", ".join(servers) or "none"))


def _answered(check: Check, code: int, out: str) -> None:
    """`ip` says no with 1 or 2 (no such device, no route); anything else is a probe that did not run through
    (killed at its time limit): an error, never the negative result."""
    if code not in (0, 1, 2):
        raise CheckError(f"`ip` in {check.source} ended with {code}: {_first(out) or 'no output'}")


def _addresses(out: str) -> list[str]:
    return re.findall(r"\binet6? ([0-9a-fA-F.:]+)/", out)


def _first(out: str) -> str:
    return next((ln.strip() for ln in out.splitlines() if ln.strip()), "")[:120]
