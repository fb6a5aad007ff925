"""What a ping says: reached or not, and for a check that bounds them, the average round trip and the share of
pings lost, against the check's bounds. Pure."""

from __future__ import annotations

import re
from ipaddress import ip_address

from dockerlab.core.check import Check
from dockerlab.core.expect import Got
from dockerlab.core.impairment import show_time

INTERVAL = 0.2  # seconds between the pings of a measuring check: the shortest ping allows without flooding
RTT = re.compile(r"min/avg/max(?:/mdev)? = [\d.]+/([\d.]+)/")  # busybox's and iputils' summaries
LOSS = re.compile(r"([\d.]+)% packet loss")
FIRST = re.compile(r"^PING \S+ \(([0-9a-fA-F.:]+)\)", re.M)  # busybox's and iputils' first line


def address(target: str, out: str) -> str | None:
    """Where ping went: the address it names first, or the target when that is one; None for a name that did
    not resolve (ping says so before its first line)."""
    if found := FIRST.search(out):
        return found.group(1)
    try:
        return str(ip_address(target))
    except ValueError:
        return None


def options(check: Check) -> list[str]:
    return ["-c", str(check.pings)] + (["-i", str(INTERVAL)] if check.pings > 1 else [])


def verdict(check: Check, code: int, out: str) -> tuple[Got, str]:
    """(got, reason) from ping's exit code and output; "" for a reason the caller finds in the output."""
    loss, rtt = LOSS.search(out), RTT.search(out)
    if code != 0 or not check.measures:
        return Got.REACHABLE if code == 0 else Got.UNREACHABLE, loss.group(0) if loss else ""
    if not (loss and rtt):
        return Got.ERROR, "ping printed no round-trip summary to measure"
    return measured(check, float(rtt.group(1)), float(loss.group(1)))


def measured(check: Check, avg_ms: float, loss: float) -> tuple[Got, str]:
    seen = f"average round trip {avg_ms:g} ms, {loss:g}% lost of {check.pings}"
    (low_rtt, high_rtt), (low_loss, high_loss) = check.rtt_us, check.loss
    broken: list[tuple[Got, str]] = []
    if low_rtt is not None and avg_ms * 1000 < low_rtt:
        broken.append((Got.TOO_FAST, f"below min_rtt {show_time(low_rtt)}"))
    if high_rtt is not None and avg_ms * 1000 > high_rtt:
        broken.append((Got.TOO_SLOW, f"above max_rtt {show_time(high_rtt)}"))
    if low_loss is not None and loss < low_loss:
        broken.append((Got.TOO_LITTLE_LOSS, f"below min_loss {low_loss:g}%"))
    if high_loss is not None and loss > high_loss:
        broken.append((Got.TOO_LOSSY, f"above max_loss {high_loss:g}%"))
    if not broken:
        return Got.REACHABLE, seen
    return broken[0][0], f"{seen}: " + ", ".join(why for _, why in broken)
