"""Link impairments: what a container sends on one network, delayed, jittered, lost or rate-limited. Pure.

Applied as one root qdisc on the container's interface for that network (see shaper): tbf when only a rate
is asked (this machine's kernel has tbf but no netem), else netem, which takes a rate too. tc reports times
in ticks, so a time read back may be a microsecond off what was set: values compare with a tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FIELDS = ("delay", "jitter", "loss", "rate")
TIME = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s)")
RATE = re.compile(r"(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)%?")
MICROSECONDS = {"us": 1, "ms": 1_000, "s": 1_000_000}
BITS = {"bit": 1, "kbit": 1_000, "mbit": 1_000_000, "gbit": 1_000_000_000}
MAX_TIME_US = 60_000_000  # a minute: longer is a typo, not a link
TBF_LATENCY = "100ms"  # how long tbf queues a packet before it drops it
MEASURED_PINGS = 10  # a check that bounds round trips or loss pings this many times unless told


@dataclass(frozen=True)
class Link:
    """Impairments of one membership, in exact units: microseconds, percent, bits per second."""

    delay_us: int = 0
    jitter_us: int = 0
    loss: float = 0.0
    rate_bps: int = 0  # 0: no limit

    @property
    def needs_netem(self) -> bool:
        return bool(self.delay_us or self.jitter_us or self.loss)

    def describe(self) -> str:
        bits = []
        if self.delay_us:
            bits.append(f"delay {show_time(self.delay_us)}" + (f" ±{show_time(self.jitter_us)}" if self.jitter_us
                                                               else ""))
        if self.loss:
            bits.append(f"loss {self.loss:g}%")
        if self.rate_bps:
            bits.append(f"rate {show_rate(self.rate_bps)}")
        return ", ".join(bits) or "none"

    def tc_args(self) -> list[str]:
        """The qdisc and its parameters, as `tc qdisc add dev IF root` takes them."""
        rate = show_rate(self.rate_bps)
        if not self.needs_netem:
            burst = max(3200, self.rate_bps // 8 // 50)  # 20 ms of traffic, and two full frames at least
            return ["tbf", "rate", rate, "burst", str(burst), "latency", TBF_LATENCY]
        args = ["netem"]
        if self.delay_us:
            args += ["delay", show_time(self.delay_us)] + ([show_time(self.jitter_us)] if self.jitter_us else [])
        if self.loss:
            args += ["loss", f"{self.loss:g}%"]
        return args + (["rate", rate] if self.rate_bps else [])

    def changes_to(self, other: Link) -> list[str]:
        """What differs, as causes for a plan step ('delay 50ms -> 100ms'). tc keeps times in ticks: what it
        reports may be a microsecond or so off what was set, so each value compares within a little slack."""
        rows: list[tuple[str, float, float, float, Callable[[Any], str]]] = [
            ("delay", self.delay_us, other.delay_us, 2, show_time),
            ("jitter", self.jitter_us, other.jitter_us, 2, show_time),
            ("loss", self.loss, other.loss, 0.001, lambda v: f"{v:g}%"),
            ("rate", self.rate_bps, other.rate_bps, 8, show_rate)]
        return [f"{name} {show(mine) if mine else 'none'} -> {show(theirs) if theirs else 'none'}"
                for name, mine, theirs, slack, show in rows
                if abs(mine - theirs) > max(slack, 0.01 * max(mine, theirs))]


def problems(link: Link) -> list[tuple[str, str]]:
    """What the schema cannot say about one Link: (field, message)."""
    out = [(name, f"{name} {show_time(value)} is more than a minute; a link that slow is a typo")
           for name, value in (("delay", link.delay_us), ("jitter", link.jitter_us)) if value > MAX_TIME_US]
    if link.loss > 100:
        out.append(("loss", f"loss {link.loss:g}% is more than all of the packets; give 0% to 100%"))
    if link.jitter_us and not link.delay_us:
        out.append(("jitter", "jitter varies the delay: set 'delay' too (e.g. delay: 100ms, jitter: 10ms)"))
    if link.rate_bps and link.rate_bps < 8_000:
        out.append(("rate", f"rate {show_rate(link.rate_bps)} is below 8kbit, less than a packet a second"))
    return out


def show_time(us: int) -> str:
    if us % 1_000_000 == 0:
        return f"{us // 1_000_000}s"
    return f"{us / 1000:g}ms" if us >= 1000 else f"{us}us"


def show_rate(bps: int) -> str:
    for unit in ("gbit", "mbit", "kbit"):
        if bps >= BITS[unit]:
            return f"{bps / BITS[unit]:g}{unit}"
    return f"{bps}bit"


def parse_time(text: str) -> int | None:
    return _in_units(TIME, MICROSECONDS, text)


def parse_rate(text: str) -> int | None:
    return _in_units(RATE, BITS, text)


def _in_units(pattern: re.Pattern[str], units: dict[str, int], text: str) -> int | None:
    """'1.5ms' -> 1500 with MICROSECONDS: a number and its unit, in the smallest unit; None if it is neither."""
    match = pattern.fullmatch(text.strip())
    return round(float(match.group(1)) * units[match.group(2)]) if match else None


def parse_percent(raw: str | float) -> float | None:
    match = PERCENT.fullmatch(str(raw).strip())
    return float(match.group(1)) if match else None


def link_from(raw: dict[str, Any]) -> Link | None:
    """An endpoint of the lab file (checked against the schema) as a Link; None when it asks for none."""
    if not any(raw.get(name) is not None for name in FIELDS):
        return None
    return Link(delay_us=parse_time(str(raw.get("delay") or "0us")) or 0,
                jitter_us=parse_time(str(raw.get("jitter") or "0us")) or 0,
                loss=parse_percent(raw.get("loss") or 0) or 0.0,
                rate_bps=parse_rate(str(raw.get("rate") or "0bit")) or 0)


def from_tc(qdisc: dict[str, Any]) -> Link | None:
    """A root qdisc as `tc -j qdisc show` gives it: a Link for netem and tbf, None for any other (no impairment:
    a veth's noqueue, or a qdisc someone else put there)."""
    opts = qdisc.get("options") or {}
    if qdisc.get("kind") == "tbf":
        return Link(rate_bps=int(opts.get("rate", 0)) * 8)
    if qdisc.get("kind") != "netem":
        return None
    delay = opts.get("delay") or {}
    return Link(delay_us=round(float(delay.get("delay", 0)) * 1_000_000),
                jitter_us=round(float(delay.get("jitter", 0)) * 1_000_000),
                loss=round(float((opts.get("loss-random") or {}).get("loss", 0)) * 100, 4),
                rate_bps=int((opts.get("rate") or {}).get("rate", 0)) * 8)
