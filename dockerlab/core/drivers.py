"""Docker's network drivers and the kernel features behind them: one table, read everywhere else.

Adding a driver means adding a row here (and its name to the schema's enum, which a test keeps in line).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KernelFeature:
    """A link type (or qdisc: netem) the engine's host kernel must be able to make."""

    link_type: str  # as `ip link add ... type X` names it
    name: str  # for people
    module: str  # what `modprobe` loads


KERNEL = {f.link_type: f for f in (
    KernelFeature("macvlan", "macvlan", "macvlan"),
    KernelFeature("ipvlan", "ipvlan", "ipvlan"),
    KernelFeature("vlan", "802.1q VLAN", "8021q"),
    KernelFeature("dummy", "dummy interface", "dummy"),
    KernelFeature("netem", "netem (network emulator qdisc)", "sch_netem"),  # a qdisc, not a link: see host/facts
    KernelFeature("esp", "IPsec ESP with AES-GCM (an encrypted overlay's)", "-a esp4 xfrm_user gcm"),
)}


@dataclass(frozen=True)
class Driver:
    name: str
    modes: tuple[str, ...] = ()  # the first is Docker's default
    mode_option: str | None = None  # the driver option that carries the mode
    parent: bool = False  # takes a parent interface (missing: Docker makes a dummy one)
    swarm: bool = False  # needs a swarm manager to create
    kernel: KernelFeature | None = None  # containers cannot join without it
    attachable: bool = False  # 'attachable' means something (swarm-scoped networks)
    host_access: bool = False  # the host can be given an interface of its own on the parent (see core/hostaccess)

    def describe_modes(self) -> str:
        return ", ".join(self.modes)


DRIVERS = {d.name: d for d in (
    Driver("bridge"),
    Driver("macvlan", modes=("bridge", "vepa", "private", "passthru"), mode_option="macvlan_mode", parent=True,
           kernel=KERNEL["macvlan"], host_access=True),
    Driver("ipvlan", modes=("l2", "l3", "l3s"), mode_option="ipvlan_mode", parent=True, kernel=KERNEL["ipvlan"]),
    Driver("overlay", swarm=True, attachable=True),
)}


def driver(name: str) -> Driver:
    """The row for a driver name; an unknown name (a plugin, or read from the engine) gets an empty row."""
    return DRIVERS.get(name) or Driver(name)


def parent_drivers() -> tuple[str, ...]:
    return tuple(d.name for d in DRIVERS.values() if d.parent)


def parent_clash(first: str, second: str) -> str | None:
    """Why networks of these two drivers cannot share a parent interface on any engine; None where they can
    (macvlan beside macvlan, from Docker 27: see capabilities.Feature.MACVLAN_SHARED_PARENT)."""
    if first != second:
        return f"{first} and {second} networks cannot share a parent: the kernel allows one kind of link on it"
    if first == "ipvlan":
        return "Docker allows one ipvlan network per parent interface"
    return None


def kernel_missing(link_type: str, what: str) -> str:
    feature = KERNEL[link_type]
    return (f"the kernel of the engine's host has no {feature.name} support, so {what}. "
            f"Load it with `modprobe {feature.module}` where the kernel ships it, or run this lab on a host that "
            "has it")
