"""What a check can expect, in one table: each expectation with the probe that proves it. The schema's enum,
the validation rules, the probes that run and the diagnosis all ask here."""

from __future__ import annotations

from enum import Enum, StrEnum


class Probe(Enum):
    """How a check finds out."""

    REACH = "reach"  # ping, or a TCP connection to a port
    DNS = "dns"  # Docker's DNS alone
    MAC = "mac"  # the container's MAC against its parent's
    ARP = "arp"  # the interface's ARP flag
    INTERFACES = "interfaces"  # which interfaces the container sees
    ROUTE = "route"  # the container's route to an address (ip route get), or its default route
    LINK = "link"  # one interface of the container, by name: there, its MTU, an address on it
    ADDRESS = "address"  # an address the container holds
    SYSCTL = "sysctl"  # a setting of its network namespace (/proc/sys/net)
    RESOLVER = "resolver"  # a nameserver of its /etc/resolv.conf

    @property
    def fact(self) -> bool:
        """About one container alone ('to' only for a route's destination)."""
        return self not in (Probe.REACH, Probe.DNS)

    @property
    def on_host_too(self) -> bool:
        """A fact the engine's host has as well (`from: host`): a sub-interface Docker made, a route, an address."""
        return self in (Probe.ROUTE, Probe.LINK, Probe.ADDRESS)

    @property
    def fields(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The check fields its expectations need, and those they may have (see FIELDS)."""
        return FIELDS.get(self, ((), ()))

    @property
    def on_parent(self) -> bool:
        """About the interface on a macvlan or ipvlan network: the container needs one."""
        return self in (Probe.MAC, Probe.ARP)


# a probe -> (the check fields its expectations need, those they may have); the fields are Check's
FIELDS: dict[Probe, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Probe.REACH: ((), ("family", "protocol")),
    Probe.DNS: ((), ("resolver",)),  # a resolver of the lab to ask instead of Docker's DNS
    Probe.ROUTE: (("target",), ("via", "interface", "family")),
    Probe.LINK: (("interface",), ("mtu", "address")),
    Probe.ADDRESS: (("address",), ("interface",)),
    Probe.SYSCTL: (("sysctl", "value"), ()),
    Probe.RESOLVER: (("resolver",), ()),
}
PROBE_FIELDS = tuple(dict.fromkeys(f for needs, may in FIELDS.values() for f in (*needs, *may) if f != "target"))
DEFAULT_ROUTE = "default"  # a route check's `to` for the default route


class Expect(Enum):
    """value: the word in the lab file and in results; probe: what proves it."""

    probe: Probe

    REACHABLE = ("reachable", Probe.REACH)
    UNREACHABLE = ("unreachable", Probe.REACH)
    RESOLVES = ("resolves", Probe.DNS)
    UNRESOLVABLE = ("unresolvable", Probe.DNS)
    OWN_MAC = ("own-mac", Probe.MAC)
    PARENT_MAC = ("parent-mac", Probe.MAC)
    ARP = ("arp", Probe.ARP)
    NO_ARP = ("no-arp", Probe.ARP)
    ONLY_LOOPBACK = ("only-loopback", Probe.INTERFACES)
    HOST_INTERFACES = ("host-interfaces", Probe.INTERFACES)
    ROUTE = ("route", Probe.ROUTE)
    NO_ROUTE = ("no-route", Probe.ROUTE)
    INTERFACE = ("interface", Probe.LINK)
    NO_INTERFACE = ("no-interface", Probe.LINK)
    ADDRESS = ("address", Probe.ADDRESS)
    NO_ADDRESS = ("no-address", Probe.ADDRESS)
    SYSCTL = ("sysctl", Probe.SYSCTL)
    SYSCTL_DIFFERS = ("sysctl-differs", Probe.SYSCTL)
    RESOLVER = ("resolver", Probe.RESOLVER)
    NO_RESOLVER = ("no-resolver", Probe.RESOLVER)

    def __new__(cls, word: str, probe: Probe) -> Expect:
        member = object.__new__(cls)
        member._value_ = word
        member.probe = probe
        return member

    @classmethod
    def of(cls, word: str) -> Expect:
        """The expectation a lab file names (the schema allows no other word)."""
        return next(e for e in cls if e.value == word)

    @property
    def outcomes(self) -> tuple[Expect, Expect]:
        """The two answers its probe can give (a learner's choice when predicting): this and its opposite."""
        pair = [e for e in Expect if e.probe is self.probe]
        assert len(pair) == 2, pair  # every probe proves one thing or its opposite
        return pair[0], pair[1]

    @property
    def gets_through(self) -> bool:
        """Expects traffic or a name to get through: a failure may have a known cause (diagnose)."""
        return self in (Expect.REACHABLE, Expect.RESOLVES)

    def __str__(self) -> str:
        return str(self.value)


class Got(StrEnum):
    """What a check found: an expectation's word when it found that, else what it found instead."""

    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"
    RESOLVES = "resolves"
    UNRESOLVABLE = "unresolvable"
    OWN_MAC = "own-mac"
    PARENT_MAC = "parent-mac"
    ARP = "arp"
    NO_ARP = "no-arp"
    ONLY_LOOPBACK = "only-loopback"
    MORE_INTERFACES = "more-interfaces"
    HOST_INTERFACES = "host-interfaces"
    OWN_INTERFACES = "own-interfaces"
    ROUTE = "route"
    NO_ROUTE = "no-route"
    INTERFACE = "interface"
    NO_INTERFACE = "no-interface"
    OTHER_INTERFACE = "other-interface"  # there, but with another MTU, or without the address
    ADDRESS = "address"
    NO_ADDRESS = "no-address"
    SYSCTL = "sysctl"
    SYSCTL_DIFFERS = "sysctl-differs"
    RESOLVER = "resolver"
    NO_RESOLVER = "no-resolver"
    TOO_FAST = "too-fast"  # pings got through, but outside the bounds the check sets
    TOO_SLOW = "too-slow"
    TOO_LITTLE_LOSS = "too-little-loss"
    TOO_LOSSY = "too-lossy"
    ERROR = "error"  # the check could not be carried out

    def meets(self, expect: Expect) -> bool:
        return str(self) == str(expect)


class By(Enum):
    """How a check names its target: by address, or by name through Docker's DNS."""

    IP = "ip"
    NAME = "name"

    def __str__(self) -> str:
        return self.value
