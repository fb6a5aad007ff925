"""The bridge driver's settings as keys of their own (`bridge:` on a network), each a Docker option: one table
that the builder, validation and the docs' table read."""

from __future__ import annotations

from typing import NamedTuple

from dockerlab.core.model import NetworkSpec


class BridgeKey(NamedTuple):
    key: str  # in the lab file, under bridge:
    option: str  # as Docker stores it
    what: str


_B = "com.docker.network.bridge."
BRIDGE_NAME = _B + "name"
BRIDGE_KEYS = (
    BridgeKey("name", BRIDGE_NAME, "the Linux bridge's name on the host (at most 15 characters)"),
    BridgeKey("mtu", "com.docker.network.driver.mtu", "the MTU of the bridge and its containers' interfaces"),
    BridgeKey("enable_icc", _B + "enable_icc", "whether containers on the bridge reach each other"),
    BridgeKey("masquerade", _B + "enable_ip_masquerade", "whether traffic leaving the host is NATed"),
    BridgeKey("gateway_mode_ipv4", _B + "gateway_mode_ipv4", "nat, nat-unprotected, routed or isolated (IPv4)"),
    BridgeKey("gateway_mode_ipv6", _B + "gateway_mode_ipv6", "nat, nat-unprotected, routed or isolated (IPv6)"),
    BridgeKey("trusted_host_interfaces", _B + "trusted_host_interfaces",
              "host interfaces that may reach the containers' unpublished ports directly"),
)
BY_KEY = {k.key: k for k in BRIDGE_KEYS}


def settings(spec: NetworkSpec) -> list[str]:
    """What a network's file says beyond driver, subnets and parent, in words: for status and graph."""
    opts = dict(spec.options)
    words = [f"{k.key} {opts[k.option]}" for k in BRIDGE_KEYS if k.option in opts]
    words += ["config only"] if spec.config_only else [f"settings of {spec.config_from}"] if spec.config_from else []
    words += ["IPv6 only"] if not spec.ipv4 else []
    words += [f"IPAM {spec.ipam_driver}"] if spec.ipam_driver != "default" else []
    return words + [f"IPAM {k}={v}" for k, v in spec.ipam_options]
