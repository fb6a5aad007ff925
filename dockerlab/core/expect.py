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

    @property
    def fact(self) -> bool:
        """About one container alone: no 'to'."""
        return self in (Probe.MAC, Probe.ARP, Probe.INTERFACES)

    @property
    def on_parent(self) -> bool:
        """About the interface on a macvlan or ipvlan network: the container needs one."""
        return self in (Probe.MAC, Probe.ARP)


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
