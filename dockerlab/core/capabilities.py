"""What an engine can do, from its API version: every version gate of dockerlab is a row here
(as docker-py's `minimum_version` keeps its gates beside the calls they guard)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

TESTED_ON = (("20.10", "1.41"), ("28.5", "1.51"))  # the engines `make test ENGINE=20|28` runs the suite on


class Gate(NamedTuple):
    api: str  # the first API version that has it
    release: str  # the Docker release that brought that API
    what: str


class Feature(Enum):
    ENDPOINT_MAC = Gate("1.44", "25.0", "a MAC address per network endpoint (before: one MAC, set at create)")
    CREATE_ON_ALL_NETWORKS = Gate("1.44", "25.0", "a container created on all its networks at once (before: one, "
                              "then a connect call for each of the others)")
    UNIQUE_NETWORK_NAMES = Gate("1.44", "25.0", "network names the engine itself keeps unique (before: two racing "
                            "creations could both get one name)")
    SAFE_ENDPOINT_COUNT = Gate("1.49", "28.1", "parallel endpoint deletes keep a network's endpoint count right "
                           "(before: moby/moby#42119, a network that cannot be removed until the daemon restarts)")
    IPVLAN_L3S = Gate("1.42", "23.0", "ipvlan mode l3s")
    IPVLAN_FLAG = Gate("1.42", "23.0", "the ipvlan option ipvlan_flag (20.10 stores it and ignores it)")
    IPV6_AUTO_SUBNET = Gate("1.46", "27.0", "an IPv6 subnet of its own choosing for 'ipv6: true' without one")
    MACVLAN_SHARED_PARENT = Gate("1.46", "27.0", "several macvlan networks on one parent interface")
    GATEWAY_MODE = Gate("1.46", "27.0", "the bridge gateway modes (gateway_mode_ipv4/_ipv6: nat, routed)")
    GATEWAY_MODE_UNPROTECTED = Gate("1.48", "28.0", "the bridge gateway modes nat-unprotected and isolated")
    TRUSTED_HOST_INTERFACES = Gate("1.50", "28.2", "the bridge option trusted_host_interfaces")
    IPV6_ONLY = Gate("1.48", "28.0", "IPv6-only networks (ipv4: false)")
    ENDPOINT_SYSCTLS_ONLY = Gate("1.48", "28.0", "a top-level sysctl of eth0 (the engine refuses it: it belongs on "
                                 "the first network's endpoint)")
    ENDPOINT_SYSCTLS = Gate("1.45", "26.1", "settings of one interface of a container (an endpoint's sysctls)")
    GW_PRIORITY = Gate("1.48", "28.0", "a network's priority for the container's default gateway (gw_priority)")
    ENDPOINT_IFNAME = Gate("1.48", "28.0", "naming the container's interface on a network (interface)")

    def __init__(self, api: str, release: str, what: str) -> None:
        self.api, self.release, self.what = api, release, what


@dataclass(frozen=True)
class OptionGate:
    """A network option (or one of its values) that an older engine stores and ignores, or refuses late."""

    driver: str
    option: str  # as Docker stores it (a mode is its driver's mode option)
    values: tuple[str, ...]  # empty: any value
    feature: Feature


_BRIDGE = "com.docker.network.bridge."
OPTION_GATES = (
    *(OptionGate("bridge", _BRIDGE + f"gateway_mode_ipv{v}", (), Feature.GATEWAY_MODE) for v in (4, 6)),
    *(OptionGate("bridge", _BRIDGE + f"gateway_mode_ipv{v}", ("nat-unprotected", "isolated"),
                 Feature.GATEWAY_MODE_UNPROTECTED) for v in (4, 6)),
    OptionGate("bridge", _BRIDGE + "trusted_host_interfaces", (), Feature.TRUSTED_HOST_INTERFACES),
    OptionGate("ipvlan", "ipvlan_mode", ("l3s",), Feature.IPVLAN_L3S),
    OptionGate("ipvlan", "ipvlan_flag", (), Feature.IPVLAN_FLAG),
)


# an endpoint's settings (Attachment fields) that an older engine ignores
ENDPOINT_GATES = (("sysctls", Feature.ENDPOINT_SYSCTLS), ("gw_priority", Feature.GW_PRIORITY),
                  ("interface", Feature.ENDPOINT_IFNAME))


def endpoint_features(endpoint: object) -> list[tuple[str, Feature]]:
    """The gated settings an endpoint sets, with what they need."""
    return [(field, feature) for field, feature in ENDPOINT_GATES if getattr(endpoint, field)]


def option_features(driver: str, options: dict[str, str]) -> list[tuple[str, Feature]]:
    """The options (as `key=value`) of a network that need a feature, each with it."""
    return [(f"{gate.option}={options[gate.option]}", gate.feature) for gate in OPTION_GATES
            if gate.driver == driver and gate.option in options
            and (not gate.values or options[gate.option] in gate.values)]


def _number(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Capabilities:
    api_version: str

    def has(self, feature: Feature) -> bool:
        return _number(self.api_version) >= _number(feature.api)

    def lacks(self, feature: Feature) -> str | None:
        """None when the engine has the feature; else a sentence naming the Docker release that brings it."""
        if self.has(feature):
            return None
        return f"this engine (API {self.api_version}) lacks {feature.what}; Docker {feature.release} has it"
