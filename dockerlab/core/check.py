"""A check of the lab file: what one end should observe of another, typed."""

from __future__ import annotations

from dataclasses import dataclass

from dockerlab.core.addresses import IPAddress
from dockerlab.core.expect import By, Expect
from dockerlab.core.impairment import MEASURED_PINGS
from dockerlab.core.words import Words

HOST = "host"  # a check's end that is the engine's host, not a container


@dataclass(frozen=True)
class Check:
    source: str
    target: str | None = None
    by: By | None = None  # None: by ip
    expect: Expect = Expect.REACHABLE
    port: int | None = None
    protocol: str | None = None  # of port: tcp (None too) or udp
    name: str | None = None
    timeout: float = 2.0
    line: int = 0
    count: int | None = None  # pings, as the file says
    rtt_us: tuple[int | None, int | None] = (None, None)  # bounds on the average round trip: min, max
    loss: tuple[float | None, float | None] = (None, None)  # bounds on the share of pings lost, percent
    # facts about the source container (core.expect.FIELDS says which expectation reads which)
    family: int | None = None  # 4 or 6: the address of a container to use (None: IPv4 where it has one)
    via: IPAddress | None = None  # the gateway of a route
    interface: str | None = None
    mtu: int | None = None
    address: IPAddress | None = None
    sysctl: str | None = None  # net.ipv4.ip_forward
    value: str | None = None
    resolver: IPAddress | None = None
    # for teaching and CI: a hint shown when it fails, what it is worth, a warning that fails nothing, a retry
    hint: Words = ()
    points: int | None = None  # None: one, when a lab counts points at all
    warn: bool = False  # `level: warn`
    within: float | None = None  # seconds it may take to come true: retried until then

    @property
    def label(self) -> str:
        """How the learner knows it: its name, else where it is in the file."""
        return self.name or f"line {self.line}"

    @property
    def measures(self) -> bool:
        """A reachable check that bounds round trips or loss: it pings several times and reads the summary."""
        return any(v is not None for v in (*self.rtt_us, *self.loss))

    @property
    def pings(self) -> int:
        """Pings sent: the file's count, else several for a check that measures, else one."""
        return self.count or (MEASURED_PINGS if self.measures else 1)

    @property
    def udp(self) -> bool:
        """Its port is UDP's: proved by the target's counters (learn.udpprobes), not by an answer."""
        return self.protocol == "udp"

    @property
    def seconds(self) -> int:
        """Its timeout as busybox's probes take it (ping -W, nc -w, timeout): whole seconds, at least one."""
        return max(1, round(self.timeout))

    @property
    def from_host(self) -> bool:
        """Sent from the engine's host (`from: host`), not from a container."""
        return self.source == HOST

    @property
    def to_host(self) -> bool:
        return self.target == HOST

    @property
    def target_key(self) -> str:
        """The container part of `to` (KEY in KEY@NETWORK), or the whole of an address or name."""
        return (self.target or "").partition("@")[0]
