"""The bodies of the changes an apply makes, as the Engine API takes them (what the SDK's helpers would build,
and what they cannot: an IPv6-only network, a gateway priority). Sent over the local socket or by the SDK."""

from __future__ import annotations

from typing import Any

from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import PREDEFINED_NETWORKS, ContainerSpec, NetworkSpec, Pool


def container_body(spec: ContainerSpec, labels: dict[str, str], mode: str,
                   endpoints: dict[str, dict[str, Any]] | None, mac: str | None) -> dict[str, Any]:
    """A container's create, on network mode `mode`, joined to `endpoints` (Docker name -> endpoint_body)."""
    bindings: dict[str, list[dict[str, str]]] = {}
    for p in spec.ports:
        bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append(
            {"HostIp": p.host_ip or "", "HostPort": str(p.host_port) if p.host_port else ""})
    host: dict[str, Any] = {"NetworkMode": mode, "PortBindings": bindings or None, "CapAdd": list(spec.cap_add) or None,
                            "Dns": [str(a) for a in spec.dns] or None, "DnsSearch": list(spec.dns_search) or None,
                            "DnsOptions": list(spec.dns_options) or None, "Sysctls": dict(spec.sysctls) or None,
                            "ExtraHosts": [f"{k}:{v}" for k, v in sorted(dict(spec.extra_hosts).items())] or None,
                            "PublishAllPorts": spec.publish_all or None}
    exposed: dict[str, dict[str, str]] = {f"{p.container_port}/{p.protocol}": {} for p in (*spec.ports, *spec.expose)}
    body = {"Image": spec.image, "Cmd": list(spec.command) if spec.command is not None else None,
            "Hostname": spec.hostname, "Domainname": spec.domainname,
            "Env": [f"{k}={v}" for k, v in dict(spec.env).items()] or None, "Labels": labels,
            "ExposedPorts": exposed or None,
            "HostConfig": _present(host), "MacAddress": mac,
            "NetworkingConfig": {"EndpointsConfig": endpoints} if endpoints is not None else None}
    return _present(body)


def endpoint_body(att: Attachment, dns_name: str | None, mac: str | None) -> dict[str, Any]:
    """One network's endpoint: the container's lab key is an alias too, so lab checks and users can say
    `ping four`. Only what is said, as the SDK sends it."""
    ipam = _present({"IPv4Address": str(att.ipv4) if att.ipv4 else None,
                     "IPv6Address": str(att.ipv6) if att.ipv6 else None,
                     "LinkLocalIPs": [str(a) for a in att.link_local] or None})
    aliases = list(dict.fromkeys([*att.aliases, *([dns_name] if dns_name else [])])) \
        if att.network not in PREDEFINED_NETWORKS else None
    return _present({"Aliases": aliases or None, "IPAMConfig": ipam or None, "MacAddress": mac,
                     "DriverOpts": att.driver_opts() or None, "GwPriority": att.gw_priority or None})


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def network_body(spec: NetworkSpec, labels: dict[str, str]) -> dict[str, Any]:
    if spec.config_from:  # Docker refuses settings of its own, labels too: it takes the config network's
        return {"Name": spec.name, "Driver": spec.driver, "ConfigFrom": {"Network": spec.config_from},
                "Internal": spec.internal, "Attachable": spec.attachable, "Scope": spec.docker_scope}
    body: dict[str, Any] = {"Name": spec.name, "Driver": spec.driver, "Options": spec.driver_options(),
                            "Internal": spec.internal, "Labels": labels, "EnableIPv6": spec.ipv6,
                            "Attachable": spec.attachable}
    if spec.config_only:
        body["ConfigOnly"] = True
    if spec.scope == "swarm":  # a macvlan or ipvlan network across the swarm
        body["Scope"] = "swarm"
    if not spec.ipv4:  # only then: an engine before 28.0 does not know the field
        body["EnableIPv4"] = False
    if spec.pools or spec.ipam_driver != "default" or spec.ipam_options:
        body["IPAM"] = {"Driver": spec.ipam_driver, "Options": dict(spec.ipam_options),
                        "Config": [_pool(p) for p in spec.pools]}
    return body


def _pool(pool: Pool) -> dict[str, Any]:
    config: dict[str, Any] = {"Subnet": str(pool.subnet)}
    if pool.gateway:
        config["Gateway"] = str(pool.gateway)
    if pool.ip_range:
        config["IPRange"] = str(pool.ip_range)
    if pool.aux_addresses:
        config["AuxiliaryAddresses"] = {k: str(v) for k, v in pool.aux_addresses}
    return config
