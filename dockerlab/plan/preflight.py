"""Checks against the engine's host before any change, so that a lab the host cannot run
stops with an explanation instead of leaving half a lab behind."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dockerlab.core import hostaccess
from dockerlab.core.addresses import IPAddress
from dockerlab.core.bridge import BRIDGE_NAME
from dockerlab.core.capabilities import Capabilities, Feature, endpoint_features, option_features
from dockerlab.core.drivers import driver, kernel_missing, parent_clash
from dockerlab.core.endpoint import ONE_INTERFACE
from dockerlab.core.model import Lab, NetworkSpec, Port
from dockerlab.core.observed import Observed, ObservedContainer
from dockerlab.errors import DockerlabError
from dockerlab.plan.steps import Action, Kind, Plan
from dockerlab.printable import shell_word

if TYPE_CHECKING:
    from dockerlab.host.host import Host


class PreflightError(DockerlabError):
    pass


def preflight_problems(lab: Lab, plan: Plan, observed: Observed, host: Host) -> list[str]:
    """What stops the plan on this host; the swarm a lab needs is the swarm module's to check."""
    specs = [spec for s in plan.steps if s.kind is Kind.NETWORK and s.action.builds
             if (spec := lab.network(s.key or "")) is not None]
    holding = [s for s in specs if not s.config_only]  # a config-only network holds settings, no addresses
    problems = list(_overlaps(plan, observed, holding)) + list(_held(lab, plan, observed))
    problems += list(_engine_support(host.engine.caps, specs)) + list(_parents(host.engine.caps, lab, plan, observed))
    problems += list(_host_access(lab, plan, host)) + list(_impairments(lab, plan, host))
    problems += list(_external(lab, observed)) + list(_endpoint_support(host.engine.caps, lab))
    problems += list(_settings_under_swarm(plan, observed))
    if host.is_local:
        interfaces = host.facts.interfaces()
        problems += list(_bridge_names(specs, observed, interfaces))
        for spec in specs:  # a network with another's settings: that one's parent is checked, as this host has it
            problems += list(_host_support(host, spec, interfaces)) if not spec.config_from else []
    where = f"{host.name}: " if host.name else ""
    return [where + p for p in problems]


def _external(lab: Lab, observed: Observed) -> Iterator[str]:
    """An external network is joined as it is: it must be there, and it must not be the lab's own."""
    used = {a.network for c in lab.containers for a in c.attachments}
    for spec in (n for n in lab.networks if n.external and n.key in used):
        found = observed.network_named(spec.name)
        if found is None:
            yield (f"network {spec.key} is external, and the engine has no network '{spec.name}': make it first "
                   f"(`docker network create {shell_word(spec.name)}`), or drop 'external' to let the lab make it")
        elif found.lab == lab.name:
            yield (f"network {spec.key} is external, but '{spec.name}' was made by this lab; drop 'external', or "
                   "`dockerlab destroy` the lab first")


def _host_access(lab: Lab, plan: Plan, host: Host) -> Iterator[str]:
    """The host's own interface on a macvlan network: a local engine and root, and an address and route the
    host's other interfaces do not hold."""
    building = [s for s in plan.steps if s.kind is Kind.HOST_LINK and s.action.builds]
    links = host.links
    if building and links is None:
        yield ("host access (a host interface on a macvlan network) is made in the engine's own network namespace: "
               "it needs a local engine and root")
        return
    for step in building:
        spec = lab.network(step.key or "")
        want = hostaccess.wanted(lab, spec) if spec else None
        if want is not None and links is not None:
            yield from (f"network {step.key}: host access: {why}" for why in links.clashes(want))


def _engine_support(caps: Capabilities, specs: list[NetworkSpec]) -> Iterator[str]:
    """Options and modes an older engine would ignore (so the lab would mean something else) or refuse late."""
    for spec in specs:
        for option, feature in option_features(spec.driver, spec.driver_options()):
            if why := caps.lacks(feature):
                yield f"network {spec.key}: {option}: {why}"
        if not spec.ipv4 and (why := caps.lacks(Feature.IPV6_ONLY)):
            yield f"network {spec.key}: ipv4: false: {why}"
        if spec.ipv6 and all(p.subnet.version == 4 for p in spec.pools) and (
                why := caps.lacks(Feature.IPV6_AUTO_SUBNET)):
            yield f"network {spec.key}: 'ipv6: true' without an IPv6 subnet: {why}; give it an IPv6 subnet"


def _endpoint_support(caps: Capabilities, lab: Lab) -> Iterator[str]:
    """Endpoint settings an older engine would ignore: the container would not be what the file says; and a
    setting of eth0 written for the whole container, which Docker 28 refuses."""
    for box in lab.containers:
        for key, _ in box.sysctls if caps.has(Feature.ENDPOINT_SYSCTLS_ONLY) else ():
            if (m := ONE_INTERFACE.fullmatch(key)) and m.group(1) == "eth0" and box.attachments:
                yield (f"container {box.key}: sysctls: {key}: this engine (API {caps.api_version}) refuses a setting "
                       f"of one interface here; write it on its first network: networks: {{"
                       f"{box.attachments[0].network}: {{sysctls: {{{key.replace('.eth0.', '.IFNAME.')}: ...}}}}}}")
        for att in box.attachments:
            for field, feature in endpoint_features(att):
                if why := caps.lacks(feature):
                    yield f"container {box.key} on {att.network}: {field}: {why}"


def _parents(caps: Capabilities, lab: Lab, plan: Plan, observed: Observed) -> Iterator[str]:
    """Networks that would share a parent interface once the plan is done: the lab's and any others there."""
    going = {s.name for s in plan.steps if s.kind is Kind.NETWORK and s.action is Action.REMOVE}
    ours = {n.name for n in lab.networks}
    on_parent: dict[str, list[tuple[str, str]]] = {}  # parent -> (who, driver)
    for net in observed.networks:
        if net.name not in going | ours and net.parent:
            on_parent.setdefault(net.parent, []).append((f"network '{net.name}' (not in this lab)", net.driver))
    for spec in lab.networks:
        if spec.parent and driver(spec.driver).parent and not spec.config_only:
            on_parent.setdefault(spec.parent, []).append((f"network {spec.key}", spec.driver))
    for parent, users in on_parent.items():
        for (first, a), (second, b) in itertools.pairwise(users):
            why = parent_clash(a, b) or (caps.lacks(Feature.MACVLAN_SHARED_PARENT) if a == b == "macvlan" else None)
            if why:
                yield f"{second} and {first} share the parent interface {parent}: {why}"


def _settings_under_swarm(plan: Plan, observed: Observed) -> Iterator[str]:
    """A config-only network cannot be made anew while a swarm-scoped network has its settings on this host: the
    swarm's network stays while the swarm knows it."""
    for step in plan.steps:
        if step.kind is Kind.NETWORK and step.action is Action.RECREATE:
            held = [n.name for n in observed.networks if n.config_from == step.name and n.scope == "swarm"]
            if held:
                yield (f"network {step.key}: the swarm-scoped network {', '.join(held)} takes its settings, which "
                       "cannot change under it: `dockerlab destroy` the lab, then apply it again")


def _impairments(lab: Lab, plan: Plan, host: Host) -> Iterator[str]:
    setting = [s for s in plan.steps if s.kind is Kind.IMPAIRMENT and s.action is not Action.REMOVE]
    if setting and host.shaper is None:
        yield ("impairments (delay, jitter, loss, rate) are set with tc inside the containers' network namespaces, "
               "entered from the engine's machine: they need a local engine and root")
        return
    netem = sorted({s.key or s.name for s in setting if (a := lab.membership(s.key, s.network)) and a.link
                    and a.link.needs_netem})
    if netem and host.facts.kernel_supports("netem") is False:
        yield (f"container {', '.join(netem)}: " + kernel_missing("netem", "delay, jitter and loss cannot be set")
               + " (a rate alone needs only tbf)")


def _overlaps(plan: Plan, observed: Observed, specs: list[NetworkSpec]) -> Iterator[str]:
    going = {s.name for s in plan.steps if s.kind is Kind.NETWORK and s.action.takes_down}
    others = [n for n in observed.networks if n.name not in going | {s.name for s in specs} and not n.config_only]
    for spec in specs:
        for pool in spec.pools:
            for net in others:
                for live in net.pools:
                    if pool.conflicts_with(live, spec.driver == net.driver == "bridge"):
                        yield (f"network {spec.key}: subnet {pool.subnet} overlaps {live.subnet} of network "
                               f"'{net.name}' on this engine; pick a free subnet or remove '{net.name}'")


def _held(lab: Lab, plan: Plan, observed: Observed) -> Iterator[str]:
    """Static addresses and host ports the plan wants that a container it does not change holds: checked
    before anything is torn down, so that a change cannot fail halfway for that."""
    changing = {s.name for s in plan.steps if s.kind is Kind.CONTAINER and (s.action.takes_down or s.action.membership)}
    held = _Holders([c for c in observed.containers if c.name not in changing])
    for step in plan.steps:
        spec = lab.container(step.key or "") if step.kind is Kind.CONTAINER else None
        if spec is None or not (step.action.builds or step.action in (Action.CONNECT, Action.RECONNECT)):
            continue
        for att in spec.attachments:
            network = lab.docker_network_name(att.network)
            wanted: list[IPAddress] = [a for a in (att.ipv4, att.ipv6) if a] if step.network in (None, network) else []
            for addr in wanted:
                if (holder := held.addresses.get((network, addr))) not in (None, spec.name):
                    yield (f"container {spec.key}: {addr} on {network} is held by container '{holder}', which this "
                           "plan does not change; free it, or give another address")
        for port in spec.ports if step.action.builds else ():
            for holder in held.publishing(port, spec.name):
                yield (f"container {spec.key}: host port {port.host_port}/{port.protocol} is published by "
                       f"container '{holder}', which this plan does not change; choose another host port")


class _Holders:
    """Who holds which address and host port: indexed once, so the check costs in proportion to the lab."""

    def __init__(self, boxes: list[ObservedContainer]) -> None:
        self.addresses: dict[tuple[str, IPAddress], str] = {}
        self.ports: dict[tuple[int, str], list[tuple[str, str]]] = {}  # (port, protocol) -> [(host IP, holder)]
        for box in boxes:
            for network, ep in box.endpoints.items():
                for addr in [a for a in (ep.ipv4, ep.ipv6, ep.static_ipv4, ep.static_ipv6) if a is not None]:
                    self.addresses[network, addr] = box.name
            for ip, number, proto in box.published if box.running else ():
                self.ports.setdefault((number, proto), []).append((ip, box.name))

    def publishing(self, port: Port, other_than: str) -> list[str]:
        return [holder for ip, holder in self.ports.get((port.host_port or 0, port.protocol), ())
                if holder != other_than and _ips_meet(ip, port.host_ip)]


def _ips_meet(live: str, wanted: str | None) -> bool:
    anywhere = ("0.0.0.0", "::", "", None)
    return live in anywhere or wanted in anywhere or live == wanted


def _bridge_names(specs: list[NetworkSpec], observed: Observed, interfaces: set[str] | None) -> Iterator[str]:
    """Docker takes a host interface of the name asked for as the network's bridge: never one that is not a Docker
    network's (the user's own bridge, say)."""
    dockers = {dict(n.options).get(BRIDGE_NAME) for n in observed.networks}
    for spec in specs:
        name = dict(spec.options).get(BRIDGE_NAME)
        if name and interfaces is not None and name in interfaces and name not in dockers:
            yield (f"network {spec.key}: the host has an interface '{name}' that is no Docker network's bridge; "
                   "Docker would take it as this network's: name the bridge another way")


def _host_support(host: Host, spec: NetworkSpec, interfaces: set[str] | None) -> Iterator[str]:
    row = driver(spec.driver)
    where = f"network {spec.key}"
    if row.kernel and host.facts.kernel_supports(row.kernel.link_type) is False:
        yield f"{where}: " + kernel_missing(row.kernel.link_type, f"containers cannot join {row.name} networks")
    if "encrypted" in dict(spec.options) and row.swarm and host.facts.kernel_supports("esp") is False:
        yield f"{where}: " + kernel_missing("esp", "Docker would make the encrypted overlay and then drop its "
                                                   "traffic; drop 'encrypted' or run the lab where the kernel has it")
    if not row.parent:
        return
    if not spec.parent:
        if host.facts.kernel_supports("dummy") is False:
            yield (f"{where}: without 'parent' Docker makes a dummy interface, but "
                   + kernel_missing("dummy", "give the network a 'parent' interface instead"))
        return
    base, dot, _vlan = spec.parent.partition(".")
    if interfaces is None or spec.parent in interfaces:
        return
    if not dot:
        yield (f"{where}: parent interface '{spec.parent}' does not exist on the engine's host "
               f"(it has: {', '.join(sorted(interfaces))}). Make one for the lab, e.g. a veth pair: "
               f"`ip link add {spec.parent} type veth peer name {spec.parent[:10]}-peer`; the host's uplink "
               "would put the lab's containers on your real LAN")
    elif base not in interfaces:
        yield f"{where}: '{spec.parent}' is a VLAN of '{base}', which does not exist on the engine's host"
    elif host.facts.kernel_supports("vlan") is False:
        yield (f"{where}: '{spec.parent}' is an 802.1q sub-interface that Docker would create, but "
               + kernel_missing("vlan", f"'{spec.parent}' cannot be made"))
