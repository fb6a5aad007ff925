"""Lab file -> Lab: read, check against the schema, build the typed model, check meaning."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import replace
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

from dockerlab.core.expect import By, Expect
from dockerlab.core.impairment import link_from, parse_percent, parse_time
from dockerlab.core.model import (
    Attachment,
    Check,
    ContainerSpec,
    HostSpec,
    IPAddress,
    IPNetwork,
    Lab,
    NetworkSpec,
    Pairs,
    Pool,
    Port,
    SwarmSpec,
    lab_name,
)
from dockerlab.errors import LabFileError, Problem
from dockerlab.labfile.yamlsource import MAX_BYTES, Path, Source, decode, format_path, load

HOST_GATEWAY = "host-gateway"  # an extra_hosts value: the engine host's gateway address (Docker 20.10 and later)


def load_lab(filename: str) -> Lab:
    """The file is resolved once, before it is read: what is read is what the labels will name as its origin
    (a link swapped while a root run reads it is an error, not one file's content under the other's name)."""
    origin = os.path.realpath(filename)
    try:
        with os.fdopen(os.open(origin, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:  # never a link put there
            raw = handle.read(MAX_BYTES + 1)
            same = os.path.samestat(os.fstat(handle.fileno()), os.lstat(origin))
    except OSError as exc:
        raise LabFileError(filename, [Problem(0, "", f"cannot read the file: {exc.strerror}")]) from None
    if not same or os.path.realpath(filename) != origin:
        raise LabFileError(filename, [Problem(0, "", "the file changed while it was read (a link swapped?); "
                                                     "read it again when nothing is moving it")])
    text, problem = decode(raw)
    if text is None:
        raise LabFileError(filename, [problem] if problem else [])
    return replace(parse_lab(text, filename), origin=origin)


def parse_lab(text: str, filename: str = "<lab>") -> Lab:
    from dockerlab.labfile.meaning import meaning_problems
    from dockerlab.labfile.schema import schema_problems

    source, problems = load(text)
    if source.data is not None and not isinstance(source.data, dict):
        problems.append(Problem(1, "", "a lab file is a map with at least a 'name' key"))
    if problems:
        raise LabFileError(filename, problems)
    problems = schema_problems(source, text)
    if problems:
        raise LabFileError(filename, problems)
    builder = _Builder(source)
    lab = builder.lab(filename)
    problems = builder.problems + meaning_problems(lab, source)
    if problems:
        raise LabFileError(filename, problems)
    return lab


def lab_to_destroy(filename: str | None, name: str | None) -> Lab:
    """What destroy needs: the name, the file that made the objects, and the lab's hosts. A file that no longer
    validates still names its lab (its objects are then looked for on the one engine DOCKER_HOST names)."""
    if not filename:
        return Lab(name=lab_name(name or ""), prefix="")
    try:
        lab = load_lab(filename)
    except LabFileError as exc:
        return Lab(name=_name_despite(filename, exc), prefix="", origin=os.path.realpath(filename))
    return Lab(name=lab.name, prefix="", origin=lab.origin, hosts=lab.hosts, swarm=lab.swarm)


def _name_despite(filename: str, invalid: LabFileError) -> str:
    """The 'name' of a lab file that does not validate, read from its YAML alone: destroy must still work."""
    try:
        with open(filename, "rb") as handle:
            text, _ = decode(handle.read(MAX_BYTES + 1))
        source, _ = load(text or "")
        return str(source.data["name"])
    except (OSError, TypeError, KeyError):
        raise LabFileError(filename, [*invalid.problems, Problem(
            0, "", "cannot read the lab name; use `dockerlab destroy --lab NAME`")]) from None


# [HOST_IP:[HOST_PORT]:]CONTAINER_PORT or HOST_PORT:CONTAINER_PORT, then /PROTOCOL: `docker run -p`'s forms; a port
# may be a range (FIRST-LAST), a host range as long as the container's
_NUMBERS = r"[0-9]+(?:-[0-9]+)?"
PORT = re.compile(rf"(?:(?P<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+):(?P<ip_host>(?:{_NUMBERS})?):|(?P<host>{_NUMBERS}):)?"
                  rf"(?P<container>{_NUMBERS})(?:/(?P<proto>tcp|udp|sctp))?")


class _Builder:
    """Builds the model from schema-valid data; values it cannot parse become problems."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.first_host = next(iter(source.data.get("hosts") or {}), "")  # where containers go by default

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.source.line(path), format_path(path), message))

    def lab(self, filename: str) -> Lab:
        data = self.source.data
        prefix = data.get("prefix", f"{data['name']}-")
        networks = tuple(self.network(k, v or {}, prefix) for k, v in (data.get("networks") or {}).items())
        containers = tuple(self.container(k, v, prefix) for k, v in (data.get("containers") or {}).items())
        checks = tuple(self.check(i, c) for i, c in enumerate(data.get("checks") or []))
        hosts = tuple(HostSpec(k, (v or {}).get("docker_host"), (v or {}).get("address"))
                      for k, v in (data.get("hosts") or {}).items())
        return Lab(name=data["name"], prefix=prefix, networks=networks, containers=containers, checks=checks,
                   hosts=hosts, swarm=self.swarm(), path=filename)

    def swarm(self) -> SwarmSpec | None:
        raw = self.source.data.get("swarm")
        if raw is None:
            return None
        return SwarmSpec(raw.get("manager") or self.first_host, bool(raw.get("form", False)))

    def address(self, path: Path, text: str | None, version: int | None = None) -> IPAddress | None:
        if text is None:
            return None
        try:
            value = ip_address(text)
        except ValueError:
            self.fail(path, f"'{text}' is not an IP address")
            return None
        if version and value.version != version:
            self.fail(path, f"'{text}' is not an IPv{version} address")
            return None
        return value

    def extra_hosts(self, path: Path, raw: dict[str, str]) -> Pairs:
        """name -> an address, or host-gateway (the engine puts its host's gateway address there)."""
        for name, value in raw.items():
            if value != HOST_GATEWAY:
                self.address(path + (name,), value)
        return _pairs(raw)

    def subnet(self, path: Path, text: str | None) -> IPNetwork | None:
        if text is None:
            return None
        try:
            return ip_network(text, strict=True)
        except ValueError:
            try:
                fixed = ip_network(text, strict=False)
                self.fail(path, f"'{text}' has host bits set; the subnet is {fixed}")
            except ValueError:
                self.fail(path, f"'{text}' is not a subnet (write it as address/prefix, e.g. 10.1.0.0/24)")
            return None

    def pool(self, path: Path, raw: dict[str, Any]) -> Pool | None:
        subnet = self.subnet(path + ("subnet",), raw.get("subnet"))
        gateway = self.address(path + ("gateway",), raw.get("gateway"))
        ip_range = self.subnet(path + ("ip_range",), raw.get("ip_range"))
        aux = tuple(sorted((name, self.address(path + ("aux_addresses", name), addr))
                           for name, addr in (raw.get("aux_addresses") or {}).items()))
        if subnet is None:
            return None
        return Pool(subnet, gateway, ip_range, tuple((k, v) for k, v in aux if v))

    def network(self, key: str, raw: dict[str, Any], prefix: str) -> NetworkSpec:
        path: Path = ("networks", key)
        pools = []
        if "subnet" in raw:
            pools.append(self.pool(path, raw))
        else:
            for lonely in ("gateway", "ip_range", "aux_addresses"):
                if lonely in raw:
                    self.fail(path + (lonely,), f"'{lonely}' needs a 'subnet' beside it")
        pools += [self.pool(path + ("pools", i), p) for i, p in enumerate(raw.get("pools") or [])]
        host = self.address(path + ("host_access", "address"), (raw.get("host_access") or {}).get("address"), 4)
        assert host is None or isinstance(host, IPv4Address)
        pools = [_reserve(p, host) for p in pools]
        external = bool(raw.get("external", False))
        return NetworkSpec(
            key=key, name=raw.get("name") or (key if external else prefix + key), driver=raw.get("driver", "bridge"),
            pools=tuple(p for p in pools if p), ipv6=raw.get("ipv6", False),
            internal=raw.get("internal", False), attachable=raw.get("attachable", False),
            options=_pairs(raw.get("options")), labels=_pairs(raw.get("labels")),
            parent=raw.get("parent"), mode=raw.get("mode"), host_access=host, external=external,
        )

    def container(self, key: str, raw: dict[str, Any], prefix: str) -> ContainerSpec:
        path: Path = ("containers", key)
        command = raw.get("command")
        if isinstance(command, str):
            try:
                command = shlex.split(command)
            except ValueError as exc:
                self.fail(path + ("command",), f"cannot split the command into words: {exc}")
                command = [command]
        return ContainerSpec(
            key=key, name=prefix + key, image=raw["image"],
            command=tuple(command) if command is not None else None,
            attachments=self.attachments(path + ("networks",), raw.get("networks")),
            ports=tuple(port for i, p in enumerate(raw.get("ports") or [])
                        for port in self.ports(path + ("ports", i), p)),
            expose=tuple(port for i, p in enumerate(raw.get("expose") or [])
                         for port in self.ports(path + ("expose", i), p)),
            publish_all=bool(raw.get("publish_all", False)),
            env=_pairs(raw.get("env")), hostname=raw.get("hostname"), domainname=raw.get("domainname"),
            dns=tuple(filter(None, (self.address(path + ("dns", i), a) for i, a in enumerate(raw.get("dns") or [])))),
            dns_search=tuple(raw.get("dns_search") or ()), dns_options=tuple(raw.get("dns_options") or ()),
            extra_hosts=self.extra_hosts(path + ("extra_hosts",), raw.get("extra_hosts") or {}),
            sysctls=_pairs(raw.get("sysctls")),
            cap_add=tuple(sorted(set(raw.get("cap_add") or []))), labels=_pairs(raw.get("labels")),
            host=raw.get("host") or self.first_host,
        )

    def attachments(self, path: Path, raw: list[str] | dict[str, Any] | None) -> tuple[Attachment, ...]:
        if not raw:  # no networks: Docker's default bridge, as `docker run` does
            return (Attachment("bridge"),)
        if isinstance(raw, list):
            return tuple(Attachment(n) for n in raw)
        out = []
        for name, endpoint in raw.items():
            endpoint = endpoint or {}
            here = path + (name,)
            ipv4 = self.address(here + ("ipv4",), endpoint.get("ipv4"), 4)
            ipv6 = self.address(here + ("ipv6",), endpoint.get("ipv6"), 6)
            assert ipv4 is None or isinstance(ipv4, IPv4Address)
            assert ipv6 is None or isinstance(ipv6, IPv6Address)
            mac = endpoint.get("mac")
            out.append(Attachment(name, ipv4, ipv6, tuple(endpoint.get("aliases") or ()),
                                  mac.lower() if mac else None, link_from(endpoint)))
        return tuple(out)

    def ports(self, path: Path, raw: str | int) -> list[Port]:
        """One mapping, or a range of them (8000-8002:9000-9002 is three)."""
        match = PORT.fullmatch(str(raw))
        if match is None:
            self.fail(path, f"'{raw}' is not a port: write [HOST_IP:HOST_PORT:]CONTAINER_PORT[/tcp|udp|sctp], "
                            "HOST_PORT:CONTAINER_PORT or HOST_IP::CONTAINER_PORT (an IPv6 host IP in []); a port "
                            "may be a range FIRST-LAST")
            return []
        host, inside = _span(match["host"] or match["ip_host"]), _span(match["container"])
        if not (_port_span(host) and _port_span(inside)):
            self.fail(path, f"'{raw}': ports are numbers from 1 to 65535, a range from the lower to the higher")
            return []
        if host and host[-1] - host[0] != inside[-1] - inside[0]:
            self.fail(path, f"'{raw}': the host range and the container range must be as long")
            return []
        host_ip = match["ip"].strip("[]") if match["ip"] else None
        if host_ip is not None and self.address(path, host_ip) is None:
            return []
        return [Port(n, match["proto"] or "tcp", host[0] + i if host else None, host_ip)
                for i, n in enumerate(range(inside[0], inside[-1] + 1))]

    def check(self, index: int, raw: dict[str, Any]) -> Check:
        def time(key: str) -> int | None:
            return parse_time(raw[key]) if key in raw else None

        def percent(key: str) -> float | None:
            return parse_percent(raw[key]) if key in raw else None
        return Check(source=raw["from"], target=raw.get("to"), by=By(raw["by"]) if "by" in raw else None,
                     expect=Expect.of(raw.get("expect", "reachable")), port=raw.get("port"), name=raw.get("name"),
                     timeout=float(raw.get("timeout", 2.0)), line=self.source.line(("checks", index)),
                     count=raw.get("count"),
                     rtt_us=(time("min_rtt"), time("max_rtt")), loss=(percent("min_loss"), percent("max_loss")))


def _reserve(pool: Pool | None, host: IPv4Address | None) -> Pool | None:
    """The host's address on the network is kept from Docker's allocator as an auxiliary address."""
    if pool is None or host is None or host not in pool.subnet or any(a == host for _, a in pool.aux_addresses):
        return pool
    return replace(pool, aux_addresses=tuple(sorted((*pool.aux_addresses, ("dockerlab-host", host)))))


def _span(text: str | None) -> tuple[int, ...]:
    """'80' -> (80,), '80-82' -> (80, 82), '' or None -> ()."""
    return tuple(int(n) for n in text.split("-")) if text else ()


def _port_span(span: tuple[int, ...]) -> bool:
    """Ports from 1 to 65535, a range from the lower to the higher (no port at all is a span too)."""
    return all(1 <= n <= 65535 for n in span) and list(span) == sorted(span)


def _pairs(raw: dict[str, Any] | None) -> Pairs:
    """A label/option map as sorted string pairs; true and "true" are one value."""
    def text(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)
    return tuple(sorted((str(k), text(v)) for k, v in (raw or {}).items()))
