"""Checks against the engine's host before any change, so that a lab the host cannot run
stops with an explanation instead of leaving half a lab behind."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import hostfacts
from .errors import DockerlabError
from .explain import kernel_missing
from .model import Lab, NetworkSpec
from .observed import Observed
from .plan import Plan


class PreflightError(DockerlabError):
    pass


def preflight(lab: Lab, plan: Plan, observed: Observed, swarm_state: Callable[[], tuple[str, bool]],
              local: bool) -> None:
    building = [lab.network(s.key or "") for s in plan.steps
                if s.kind == "network" and s.action in ("create", "recreate")]
    specs = [n for n in building if n is not None]
    problems = list(_overlaps(lab, plan, observed, specs))
    if any(n.driver == "overlay" for n in specs):
        state, manager = swarm_state()
        if not manager:
            problems.append(
                f"overlay networks ({', '.join(n.key for n in specs if n.driver == 'overlay')}) need a swarm "
                f"manager, and this engine's swarm state is '{state}'. Turn swarm mode on with "
                "`docker swarm init --advertise-addr <an address of this host>` and apply again")
    if local:
        interfaces = hostfacts.engine_interfaces(hostfacts.docker_host())
        for spec in specs:
            problems += list(_host_support(spec, interfaces))
    if problems:
        raise PreflightError(f"lab '{lab.name}' cannot be applied on this engine; nothing was changed:\n  "
                             + "\n  ".join(problems))


def _overlaps(lab: Lab, plan: Plan, observed: Observed, specs: list[NetworkSpec]) -> Iterator[str]:
    going = {s.name for s in plan.steps if s.kind == "network" and s.action in ("remove", "recreate")}
    building = {s.name for s in specs}
    others = [n for n in observed.networks if n.name not in going | building]
    for spec in specs:
        for pool in spec.pools:
            for net in others:
                for live in net.pools:
                    if pool.subnet.overlaps(live.subnet) and not (pool.ip_range and live.ip_range):
                        yield (f"network {spec.key}: subnet {pool.subnet} overlaps {live.subnet} of network "
                               f"'{net.name}' on this engine; pick a free subnet or remove '{net.name}'")


def _host_support(spec: NetworkSpec, interfaces: set[str] | None) -> Iterator[str]:
    if spec.driver not in ("macvlan", "ipvlan"):
        return
    where = f"network {spec.key}"
    if spec.driver == "ipvlan" and hostfacts.kernel_supports("ipvlan") is False:
        yield f"{where}: " + kernel_missing("ipvlan", "ipvlan", "containers cannot join an ipvlan network")
    if spec.driver == "macvlan" and hostfacts.kernel_supports("macvlan") is False:
        yield f"{where}: " + kernel_missing("macvlan", "macvlan", "containers cannot join a macvlan network")
    if not spec.parent:
        if hostfacts.kernel_supports("dummy") is False:
            yield (f"{where}: without 'parent' Docker makes a dummy interface, but "
                   + kernel_missing("dummy interface", "dummy", "give the network a 'parent' interface instead"))
        return
    base, dot, _vlan = spec.parent.partition(".")
    if interfaces is not None and spec.parent not in interfaces:
        if not dot:
            yield (f"{where}: parent interface '{spec.parent}' does not exist on the engine's host "
                   f"(it has: {', '.join(sorted(interfaces))}). Name one of those, or make one, e.g. a veth pair: "
                   f"`ip link add {spec.parent} type veth peer name {spec.parent[:10]}-peer`")
        elif base not in interfaces:
            yield f"{where}: '{spec.parent}' is a VLAN of '{base}', which does not exist on the engine's host"
        elif hostfacts.kernel_supports("vlan") is False:
            yield (f"{where}: '{spec.parent}' is an 802.1q sub-interface that Docker would create, but "
                   + kernel_missing("802.1q VLAN", "8021q", f"'{spec.parent}' cannot be made"))
