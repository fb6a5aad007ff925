"""A lab file's containers -> ContainerSpec: networks, ports, names and resolvers, as Docker takes them."""

from __future__ import annotations

import re
import shlex
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from dockerlab.core.addresses import Pairs
from dockerlab.core.endpoint import Attachment
from dockerlab.core.impairment import link_from
from dockerlab.core.model import SHARED, ContainerSpec, Port
from dockerlab.labfile.values import ValueReader, pairs
from dockerlab.labfile.yamlsource import Path

HOST_GATEWAY = "host-gateway"  # an extra_hosts value: the engine host's gateway address (Docker 20.10 and later)

# [HOST_IP:[HOST_PORT]:]CONTAINER_PORT or HOST_PORT:CONTAINER_PORT, then /PROTOCOL: `docker run -p`'s forms; a port
# may be a range (FIRST-LAST), a host range as long as the container's
_NUMBERS = r"[0-9]+(?:-[0-9]+)?"
PORT = re.compile(rf"(?:(?P<ip>\[[0-9a-fA-F:.]+\]|[0-9.]+):(?P<ip_host>(?:{_NUMBERS})?):|(?P<host>{_NUMBERS}):)?"
                  rf"(?P<container>{_NUMBERS})(?:/(?P<proto>tcp|udp|sctp))?")


class ContainerReader(ValueReader):
    """The containers part of the builder."""

    def container(self, key: str, raw: dict[str, Any], prefix: str) -> ContainerSpec:
        path: Path = ("containers", key)
        shares = str(raw["network_mode"]).removeprefix(SHARED) if "network_mode" in raw else None
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
            attachments=() if shares and "networks" not in raw else self.attachments(path + ("networks",),
                                                                                     raw.get("networks")),
            shares=shares,
            ports=tuple(port for i, p in enumerate(raw.get("ports") or [])
                        for port in self.ports(path + ("ports", i), p)),
            expose=tuple(port for i, p in enumerate(raw.get("expose") or [])
                         for port in self.ports(path + ("expose", i), p)),
            publish_all=bool(raw.get("publish_all", False)),
            env=pairs(raw.get("env")), hostname=raw.get("hostname"), domainname=raw.get("domainname"),
            dns=tuple(filter(None, (self.address(path + ("dns", i), a) for i, a in enumerate(raw.get("dns") or [])))),
            dns_search=tuple(raw.get("dns_search") or ()), dns_options=tuple(raw.get("dns_options") or ()),
            extra_hosts=self.extra_hosts(path + ("extra_hosts",), raw.get("extra_hosts") or {}),
            sysctls=pairs(raw.get("sysctls")),
            cap_add=tuple(sorted(set(raw.get("cap_add") or []))), labels=pairs(raw.get("labels")),
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
            link_local = (self.address(here + ("link_local", i), a) for i, a in enumerate(endpoint.get("link_local")
                                                                                          or ()))
            out.append(Attachment(name, ipv4, ipv6, tuple(endpoint.get("aliases") or ()),
                                  mac.lower() if mac else None, link_from(endpoint),
                                  gw_priority=int(endpoint.get("gw_priority") or 0),
                                  interface=endpoint.get("interface"), sysctls=pairs(endpoint.get("sysctls")),
                                  link_local=tuple(filter(None, link_local))))
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

    def extra_hosts(self, path: Path, raw: dict[str, str]) -> Pairs:
        """name -> an address, or host-gateway (the engine puts its host's gateway address there)."""
        for name, value in raw.items():
            if value != HOST_GATEWAY:
                self.address(path + (name,), value)
        return pairs(raw)


def _span(text: str | None) -> tuple[int, ...]:
    """'80' -> (80,), '80-82' -> (80, 82), '' or None -> ()."""
    return tuple(int(n) for n in text.split("-")) if text else ()


def _port_span(span: tuple[int, ...]) -> bool:
    """Ports from 1 to 65535, a range from the lower to the higher (no port at all is a span too)."""
    return all(1 <= n <= 65535 for n in span) and list(span) == sorted(span)
