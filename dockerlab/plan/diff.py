"""What differs between the lab (desired) and the engine (observed), and why. Pure: no engine calls.

Only what the lab file states is compared; values the daemon fills in are never drift.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.addresses import IPNetwork
from dockerlab.core.endpoint import Attachment, from_driver_opts
from dockerlab.core.model import PREDEFINED_NETWORKS, SHARED, ContainerSpec, Lab, NetworkSpec, Pool
from dockerlab.core.observed import Endpoint, Observed, ObservedContainer, ObservedNetwork


def needs_inspect(lab: Lab, observed: Observed, moved: Collection[str] = ()) -> list[str]:
    """Containers whose aliases or MACs may differ from the file, and those that share a network stack and the
    containers they share it with (when each started); only inspect shows them. Those whose created label differs
    from the file, those dockerlab reconnected since (core.labels.REDONE: their label is behind), and those
    `moved` names: a membership made anew since dockerlab last saw the lab in sync (by hand, then)."""
    redone = redone_ids(lab, observed)
    names = list(moved)  # host.endpointids.moved: the lab's own containers already
    for spec in lab.containers:
        obs = observed.container_named(spec.name)
        if obs is None or obs.lab != lab.name:
            continue
        created = obs.created_details()
        if obs.id[:12] in redone or any(created.get(lab.docker_network_name(a.network)) != a.live_details()
                                        for a in spec.attachments):
            names.append(obs.name)
        if shared := lab.shared_stack(spec):
            names += [obs.name, shared]
    return names


def redone_ids(lab: Lab, observed: Observed) -> set[str]:
    """The containers (short ids) whose memberships dockerlab redid after creating them, on this engine."""
    ledger = observed.lab_network(lab.name, L.LEDGER_NETWORK)
    return set(filter(None, ledger.labels.get(L.REDONE, "").split(","))) if ledger else set()


def network_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    """Why a live network differs from its spec; empty when it does not."""
    if spec.config_from or obs.config_from:
        return _borrowed_changes(spec, obs)
    causes = _kind_changes(spec, obs) + _pool_changes(spec, obs)
    for name in ("ipv4", "ipv6", "internal", "attachable", "ipam_driver", "ipam_options"):
        want, have = getattr(spec, name), getattr(obs, name)
        if want != have:
            causes.append(f"{name.replace('ipam_', 'IPAM ')} {_shown(have)} -> {_shown(want)}")
    live = dict(obs.options)
    for key, want in spec.driver_options().items():
        if live.get(key) != want:
            causes.append(f"option {key} {live.get(key, '(unset)')} -> {want}")
    sent = set(filter(None, obs.labels.get(L.OPTIONS, "").split(",")))
    for key in sorted(sent - set(spec.driver_options())):
        if key in live:
            causes.append(f"option {key} {live[key]} -> (unset)")
    if L.user_labels(obs.labels) != dict(spec.labels):
        causes.append("labels changed")
    return causes


def _kind_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    if spec.config_only != obs.config_only:
        return ["settings only" if spec.config_only else "a network of its own, not settings only"]
    if spec.driver != obs.driver and not spec.config_only:  # Docker names a config-only network's driver null
        return [f"driver {obs.driver} -> {spec.driver}"]
    return []


def _borrowed_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    """A network with another's settings (config_from): Docker copied them and its labels; its own are few."""
    if spec.config_from != obs.config_from:
        return [f"settings from {obs.config_from or '(its own)'} -> {spec.config_from or '(its own)'}"]
    causes = [f"scope {obs.scope} -> {spec.docker_scope}"] if spec.docker_scope != obs.scope else []
    return causes + [f"{name} {_shown(getattr(obs, name))} -> {_shown(getattr(spec, name))}"
                     for name in ("driver", "internal", "attachable") if getattr(spec, name) != getattr(obs, name)]


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "{" + _settings(value) + "}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _pool_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    if not spec.pools:
        return []  # the daemon chose the subnet: whatever it chose is right
    want = {p.subnet: p for p in spec.pools}
    have = {p.subnet: p for p in _stated_pools(spec, obs)}
    if set(want) != set(have):
        def text(pools: dict[IPNetwork, Pool]) -> str:
            return ", ".join(str(s) for s in sorted(pools, key=str)) or "(none)"
        return [f"subnet {text(have)} -> {text(want)}"]
    causes = []
    for subnet, pool in want.items():
        live = have[subnet]
        if pool.gateway and pool.gateway != live.gateway:
            causes.append(f"gateway {live.gateway or '(default)'} -> {pool.gateway}")
        if pool.ip_range and pool.ip_range != live.ip_range:
            causes.append(f"ip_range {live.ip_range or '(whole subnet)'} -> {pool.ip_range}")
        if pool.aux_addresses and pool.aux_addresses != live.aux_addresses:
            causes.append("aux_addresses changed")
    return causes


def _stated_pools(spec: NetworkSpec, obs: ObservedNetwork) -> list[Pool]:
    """The live pools the file speaks for: those of the address families it states, and any dockerlab sent.
    The daemon fills in the rest (an IPv4 pool beside an IPv6-only one, a ULA /64 for 'ipv6: true' alone)."""
    if L.SUBNETS not in obs.labels:  # made before dockerlab said what it sent: every pool counts
        return list(obs.pools)
    families = {p.subnet.version for p in spec.pools}
    sent = set(obs.labels[L.SUBNETS].split(","))
    return [p for p in obs.pools if p.subnet.version in families or str(p.subnet) in sent]


def mac_changes(lab: Lab, spec: ContainerSpec, obs: ObservedContainer) -> list[str]:
    """MACs are fixed when an endpoint is made; Docker < 25 sets one only at create, so a change recreates."""
    created = obs.created_details()
    causes = []
    for att in spec.attachments:
        name = lab.docker_network_name(att.network)
        ep = obs.endpoints.get(name)
        have = (ep.mac if ep and ep.mac and att.mac else None) or (created.get(name) or {}).get("mac")
        if att.mac != have and (att.mac or have):
            causes.append(f"mac on {name} {have or 'dynamic'} -> {att.mac or 'dynamic'}")
    return causes


def as_is(att: Attachment, ep: Endpoint, created: dict[str, Any] | None) -> Attachment:
    """A live membership as an Attachment, to put back as it was."""
    interface, sysctls = from_driver_opts(live_driver_opts(ep, created))
    return Attachment(att.network, ep.static_ipv4, ep.static_ipv6,  # type: ignore[arg-type]  # by family
                      live_aliases(ep, created), gw_priority=ep.gw_priority, interface=interface, sysctls=sysctls,
                      link_local=tuple(ip_address(a) for a in live_link_local(ep, created)))


def _live(inspected: Any, created: dict[str, Any] | None, key: str) -> Any:
    """Inspect shows an endpoint's aliases, driver options and link-local addresses; the list call does not,
    and then they are the ones dockerlab made (its created label)."""
    return inspected if inspected is not None else (created or {}).get(key) or ()


def live_aliases(ep: Endpoint, created: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple(_live(ep.aliases, created, "aliases"))


def live_driver_opts(ep: Endpoint, created: dict[str, Any] | None) -> dict[str, str]:
    return dict(_live(ep.driver_opts, created, "driver_opts"))


def live_link_local(ep: Endpoint, created: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple(_live(ep.link_local, created, "link_local"))


def _settings(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


def endpoint_changes(att: Attachment, ep: Endpoint, created: dict[str, Any] | None, key: str = "") -> list[str]:
    """Why a container's membership of one network must be redone (live, without recreating it). key: the
    container's lab key, an alias dockerlab gives it on each user-defined network (`ping four`)."""
    keyed = ep.keyed is not False or not key or att.network in PREDEFINED_NETWORKS
    causes = [] if keyed else [f"alias {key} missing (its lab key)"]
    created = created or {}
    for version, want, have in ((4, att.ipv4, ep.static_ipv4), (6, att.ipv6, ep.static_ipv6)):
        if want is None and have is not None and str(have) != created.get(f"ipv{version}"):
            continue  # the driver reports a dynamic address as configured (overlay does)
        if want != have:
            causes.append(f"ipv{version} {have or 'dynamic'} -> {want or 'dynamic'}")
    have_aliases = live_aliases(ep, created)
    if sorted(att.aliases) != sorted(have_aliases):
        causes.append(f"aliases [{', '.join(sorted(have_aliases))}] -> [{', '.join(sorted(att.aliases))}]")
    return causes + _endpoint_setting_changes(att, ep, created)


def _endpoint_setting_changes(att: Attachment, ep: Endpoint, created: dict[str, Any] | None) -> list[str]:
    """Gateway priority (the list call shows it), interface name, sysctls and link-local addresses (inspect
    shows them; else they are as dockerlab made them)."""
    causes = [f"gw priority {ep.gw_priority} -> {att.gw_priority}"] if ep.gw_priority != att.gw_priority else []
    interface, sysctls = from_driver_opts(live_driver_opts(ep, created))
    if interface != att.interface:
        causes.append(f"interface {interface or 'default'} -> {att.interface or 'default'}")
    if sysctls != att.sysctls:
        causes.append(f"sysctls [{_settings(sysctls)}] -> [{_settings(att.sysctls)}]")
    have_ll = sorted(live_link_local(ep, created))
    want_ll = sorted(str(a) for a in att.link_local)
    if have_ll != want_ll:
        causes.append(f"link-local [{', '.join(have_ll)}] -> [{', '.join(want_ll)}]")
    return causes


def recreate_causes(spec: ContainerSpec, obs: ObservedContainer, lab: Lab, observed: Observed) -> list[str]:
    """Why a container must be made anew; empty when it can stay."""
    if obs.labels.get(L.CONFIG_HASH) == spec.config_hash():
        gone = [n for n in obs.endpoints if n not in PREDEFINED_NETWORKS and observed.network_named(n) is None]
        return [f"its network {n} no longer exists" for n in gone] + mac_changes(lab, spec, obs)
    if obs.image != spec.image and not obs.image.startswith("sha256:"):
        return [f"image {obs.image} -> {spec.image}"]
    if spec.command is not None and obs.command != " ".join(spec.command):
        return [f"command '{obs.command}' -> '{' '.join(spec.command)}'"]
    return ["configuration changed (image, command, env, ports, hostname, domainname, dns, extra_hosts, sysctls, "
            "cap_add, labels or network mode)"]


def network_mode_lost(obs: ObservedContainer, observed: Observed, rebuilt: set[str], kept: set[str]) -> list[str]:
    """Why a container's network mode (the network it was created in, by name or id) will name nothing once the
    plan is done: Docker 28 then refuses to connect or start the container, and a mode cannot be changed.
    rebuilt: networks the plan makes anew (a new id); kept: network names that exist after the plan."""
    mode = obs.network_mode
    if not mode or mode in PREDEFINED_NETWORKS or mode.startswith(SHARED):
        return []
    by_id = next((n for n in observed.networks if len(mode) >= 12 and n.id.startswith(mode)), None)
    if by_id is not None:
        if by_id.name in rebuilt:
            return [f"its network mode is the id of network {by_id.name}, which this plan makes anew"]
        return [] if by_id.name in kept else [f"its network mode is network {by_id.name}, which this plan removes"]
    if mode in kept:
        return []
    fate = "this plan removes" if observed.network_named(mode) else "is gone"
    return [f"its network mode is network {mode}, which {fate}"]


MADE_ANEW, STARTS_AGAIN = "is made anew", "starts again"  # what a plan does to a container, as a reason says


def stack_lost(spec: ContainerSpec, obs: ObservedContainer, lab: Lab, observed: Observed,
               remade: dict[str, str]) -> list[str]:
    """Why a container that shares another's network stack must be made anew: it joined that container by id,
    and a container made anew, or started again, has a new stack. remade: name -> what this plan does to it."""
    shared = lab.shared_stack(spec)
    if shared is None:
        return []
    if shared in remade and (obs.running or remade[shared] == MADE_ANEW):  # a stopped one starts on the new one
        return [f"{shared}, whose network stack it shares, {remade[shared]}"]
    live = observed.container_named(shared)
    if live is None or obs.network_mode != f"{SHARED}{live.id}":
        return [f"the container whose network stack it joined is not {shared} as it is now"]
    if obs.running and live.running and _when(obs.started) < _when(live.started):
        return [f"{shared} started again after it, with a new network stack"]
    return []


def _when(started: str) -> datetime:
    """RFC 3339 as Docker writes it (nanoseconds, trailing zeros dropped): compared as times, not text."""
    fraction = re.sub(r"\.(\d{1,6})\d*", lambda m: "." + m.group(1).ljust(6, "0"), started.replace("Z", "+00:00"))
    return datetime.fromisoformat(fraction) if started else datetime.min.replace(tzinfo=UTC)


def shares_parent(spec: NetworkSpec, old: ObservedNetwork) -> bool:
    return bool(spec.parent) and old.parent == spec.parent


def frees_room_for(spec: NetworkSpec, old: ObservedNetwork) -> bool:
    """A network that must go before `spec` is made: same parent, or an overlapping subnet (erring on the
    side of waiting: it costs a moment, where a wrong guess costs a refusal). A config-only network holds no
    link and no addresses."""
    if spec.config_only or old.config_only:
        return False
    return shares_parent(spec, old) or any(a.subnet.overlaps(b.subnet) for a in spec.pools for b in old.pools)


def user_networks(obs: ObservedContainer) -> tuple[str, ...]:
    return tuple(n for n in obs.endpoints if n not in PREDEFINED_NETWORKS)
