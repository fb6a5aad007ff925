"""Desired (the lab) vs observed (the engine) -> a plan. Pure: no engine calls.

Only what the lab file states is compared; values the daemon fills in are never drift.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import labels as L
from .errors import DockerlabError
from .model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, Attachment, ContainerSpec, Lab, NetworkSpec
from .observed import Endpoint, Observed, ObservedContainer, ObservedNetwork
from .plan import Plan, Step


class ConflictError(DockerlabError):
    """The engine holds objects in the way that the lab does not own."""


def make_plan(lab: Lab, observed: Observed, images: set[str] | None = None) -> Plan:
    """images: the engine's local image names; None skips the image check."""
    _refuse_conflicts(lab, observed)
    planner = _Planner(lab, observed)
    if images is not None:
        planner.images(images)
    planner.networks()
    planner.containers()
    planner.removals()
    return Plan(lab.name, planner.ordered())


def needs_inspect(lab: Lab, observed: Observed) -> list[str]:
    """Containers whose aliases or MACs may differ from the file; only inspect shows them."""
    names = []
    for spec in lab.containers:
        obs = observed.container_named(spec.name)
        if obs is None or obs.lab != lab.name:
            continue
        created = obs.created_details()
        if any(created.get(lab.docker_network_name(a.network)) != a.live_details() for a in spec.attachments):
            names.append(obs.name)
    return names


def network_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    """Why a live network differs from its spec; empty when it does not."""
    causes = []
    if spec.driver != obs.driver:
        causes.append(f"driver {obs.driver} -> {spec.driver}")
    causes += _pool_changes(spec, obs)
    for name in ("ipv6", "internal", "attachable"):
        want, have = getattr(spec, name), getattr(obs, name)
        if want != have:
            causes.append(f"{name} {str(have).lower()} -> {str(want).lower()}")
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


def _pool_changes(spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
    if not spec.pools:
        return []  # the daemon chose the subnet: whatever it chose is right
    want = {p.subnet: p for p in spec.pools}
    have = {p.subnet: p for p in obs.pools}
    if set(want) != set(have):
        def text(pools: dict) -> str:
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


def endpoint_changes(att: Attachment, ep: Endpoint, created: dict | None) -> list[str]:
    """Why a container's membership of one network must be redone (live, without recreating it)."""
    causes = []
    created = created or {}
    for version, want, have in ((4, att.ipv4, ep.static_ipv4), (6, att.ipv6, ep.static_ipv6)):
        if want is None and have is not None and str(have) != created.get(f"ipv{version}"):
            continue  # the driver reports a dynamic address as configured (overlay does)
        if want != have:
            causes.append(f"ipv{version} {have or 'dynamic'} -> {want or 'dynamic'}")
    have_aliases = ep.aliases if ep.aliases is not None else tuple(created.get("aliases") or ())
    if sorted(att.aliases) != sorted(have_aliases):
        causes.append(f"aliases [{', '.join(sorted(have_aliases))}] -> [{', '.join(sorted(att.aliases))}]")
    return causes


def _refuse_conflicts(lab: Lab, observed: Observed) -> None:
    problems = []
    for kind, specs, find in (("network", lab.networks, observed.network_named),
                              ("container", lab.containers, observed.container_named)):
        for spec in specs:
            obs = find(spec.name)
            if obs is None or obs.lab == lab.name:
                continue
            owner = f"belongs to lab '{obs.lab}'" if obs.lab else "was not made by dockerlab"
            problems.append(f"{kind} '{spec.name}' already exists and {owner}; dockerlab will not touch it. "
                            f"Remove or rename it, or set another 'prefix' in {lab.path or 'the lab file'}")
    for net in observed.lab_networks(lab.name):
        spec = lab.network(net.key or "")
        if spec is not None and spec.name == net.name and not network_changes(spec, net):
            continue
        strangers = [c.name for c in observed.attached_to(net.name) if c.lab != lab.name]
        if strangers:
            problems.append(f"network '{net.name}' must be removed or recreated, but containers outside the lab "
                            f"use it: {', '.join(strangers)}; disconnect them (docker network disconnect)")
    if problems:
        raise ConflictError("the plan stops here:\n  " + "\n  ".join(problems))


class _Planner:
    def __init__(self, lab: Lab, observed: Observed) -> None:
        self.lab, self.observed = lab, observed
        self.steps: list[Step] = []
        self.rebuilt_networks: set[str] = set()  # Docker names of networks created or recreated

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def images(self, local: set[str]) -> None:
        for image in sorted({c.image for c in self.lab.containers}):
            if not ({image, f"{image}:latest", f"docker.io/library/{image}"} & local):
                self.add(Step(f"image:pull:{image}", "pull", "image", image, detail="not on this engine"))

    def networks(self) -> None:
        for spec in self.lab.networks:
            obs = self.observed.network_named(spec.name)
            if obs is None:
                self.add(Step(f"network:create:{spec.name}", "create", "network", spec.name, spec.key, spec.summary()))
                self.rebuilt_networks.add(spec.name)
            elif causes := network_changes(spec, obs):
                attached = [c.name for c in self.observed.attached_to(obs.name)]
                self.add(Step(f"network:recreate:{spec.name}", "recreate", "network", spec.name, spec.key,
                              spec.summary(), tuple(causes),
                              params={"id": obs.id, "scope": obs.scope, "attached": attached}))
                self.rebuilt_networks.add(spec.name)

    def containers(self) -> None:
        for spec in self.lab.containers:
            obs = self.observed.container_named(spec.name)
            if obs is None:
                self.add(self._container_step("create", spec, ()))
            elif causes := self._recreate_causes(spec, obs):
                self.add(self._container_step("recreate", spec, tuple(causes), _removal(obs)))
            else:
                self._converge(spec, obs)

    def _container_step(self, action: str, spec: ContainerSpec, causes: tuple[str, ...],
                        params: dict | None = None) -> Step:
        detail = f"{spec.image}; " + ", ".join(self._describe(a) for a in spec.attachments)
        return Step(f"container:{action}:{spec.name}", action, "container", spec.name, spec.key, detail, causes,
                    params=params or {})

    def _describe(self, att: Attachment) -> str:
        return replace(att, network=self.lab.docker_network_name(att.network)).describe()

    def _recreate_causes(self, spec: ContainerSpec, obs: ObservedContainer) -> list[str]:
        if obs.labels.get(L.CONFIG_HASH) == spec.config_hash():
            gone = [n for n in obs.endpoints if n not in PREDEFINED_NETWORKS
                    and self.observed.network_named(n) is None]
            return [f"its network {n} no longer exists" for n in gone] + mac_changes(self.lab, spec, obs)
        if obs.image != spec.image and not obs.image.startswith("sha256:"):
            return [f"image {obs.image} -> {spec.image}"]
        if spec.command is not None and obs.command != " ".join(spec.command):
            return [f"command '{obs.command}' -> '{' '.join(spec.command)}'"]
        return ["configuration changed (image, command, env, ports, hostname, cap_add, labels or network mode)"]

    def _converge(self, spec: ContainerSpec, obs: ObservedContainer) -> None:
        """A container that stays: fix its network memberships live, then start it."""
        if spec.network_mode not in STANDALONE_NETWORKS:
            created = obs.created_details()
            wanted = {self.lab.docker_network_name(a.network): a for a in spec.attachments}
            for name in sorted(set(obs.endpoints) - set(wanted)):
                self._member_step("disconnect", spec, name, (f"{name} is not in the lab file",))
            for name, att in wanted.items():
                ep = obs.endpoints.get(name)
                if ep is None:
                    self._member_step("connect", spec, name, ("not connected",), att)
                elif name in self.rebuilt_networks:
                    self._member_step("connect", spec, name, ("network recreated",), att)
                elif causes := endpoint_changes(att, ep, created.get(name)):
                    self._member_step("reconnect", spec, name, tuple(causes), att)
        if not obs.running:
            self.add(Step(f"container:start:{spec.name}", "start", "container", spec.name, spec.key,
                          causes=(f"container is {obs.state or 'stopped'}",), params={"id": obs.id}))

    def _member_step(self, action: str, spec: ContainerSpec, network: str, causes: tuple[str, ...],
                     att: Attachment | None = None) -> None:
        detail = self._describe(att) if att else network
        self.add(Step(f"container:{action}:{spec.name}:{network}", action, "container", spec.name, spec.key,
                      detail, causes, params={"network": network}))

    def removals(self) -> None:
        wanted = {c.name for c in self.lab.containers}
        for obs in self.observed.lab_containers(self.lab.name):
            if obs.name not in wanted:
                self.add(Step(f"container:remove:{obs.name}", "remove", "container", obs.name, obs.key,
                              causes=("not in the lab file",), params=_removal(obs)))
        wanted = {n.name for n in self.lab.networks}
        for net in self.observed.lab_networks(self.lab.name):
            if net.name not in wanted:
                self.add(Step(f"network:remove:{net.name}", "remove", "network", net.name, net.key,
                              causes=("not in the lab file",), params={"id": net.id, "scope": net.scope}))

    def ordered(self) -> tuple[Step, ...]:
        """Steps with their dependencies, listed in an order that respects them."""
        pending = [replace(s, after=tuple(sorted(self._after(s)))) for s in self.steps]
        phase = {"image:pull": 0, "container:remove": 0, "container:disconnect": 0, "network:remove": 1}
        done: list[Step] = []
        finished: set[str] = set()
        while pending:
            ready = [s for s in pending if set(s.after) <= finished] or pending  # no cycles by design
            step = min(ready, key=lambda s: (phase.get(f"{s.kind}:{s.action}", 2), pending.index(s)))
            pending.remove(step)
            done.append(step)
            finished.add(step.id)
        return tuple(done)

    def _after(self, step: Step) -> set[str]:
        if step.kind == "network":
            return self._network_after(step)
        if step.kind == "image":
            return set()
        if step.action in ("remove", "disconnect"):
            return set()
        spec = self.lab.container(step.key or "")
        if spec is None:
            return set()
        own = [s for s in self.steps if s.kind == "container" and s.name == step.name and s is not step]
        if step.action == "start":
            return {s.id for s in own}
        networks = [self.lab.docker_network_name(a.network) for a in spec.attachments]
        if step.action in ("connect", "reconnect"):
            networks = [step.network]
        ids = {s.id for s in self.steps}
        after = {f"network:{a}:{n}" for n in networks for a in ("create", "recreate")} & ids
        after |= {s.id for s in own if s.action == "disconnect"}
        after |= self._static_first(spec, networks)
        if step.action in ("create", "recreate") and f"image:pull:{spec.image}" in ids:
            after.add(f"image:pull:{spec.image}")
        return after

    def _network_after(self, step: Step) -> set[str]:
        """Take lab containers off a network before it goes; free a subnet or parent before reuse."""
        on_it = {c.name for c in self.observed.attached_to(step.name)}
        blocking = {"remove", "disconnect"} | ({"recreate"} if step.action == "remove" else set())
        after = {s.id for s in self.steps if s.kind == "container" and s.name in on_it and s.action in blocking
                 and (s.action != "disconnect" or s.network == step.name)}
        spec = self.lab.network(step.key or "")
        if step.action == "create" and spec is not None:
            for s in self.steps:
                old = self.observed.network_named(s.name) if (s.kind, s.action) == ("network", "remove") else None
                if old and (_shares_parent(spec, old) or any(
                        a.subnet.overlaps(b.subnet) for a in spec.pools for b in old.pools)):
                    after.add(s.id)
        return after

    def _static_first(self, spec: ContainerSpec, networks: list[str]) -> set[str]:
        """A dynamic address must not take one a static container is about to claim."""
        mine = {self.lab.docker_network_name(a.network): a for a in spec.attachments}
        out = set()
        for other in self.steps:
            if other.kind != "container" or other.name == spec.name or other.action not in (
                    "create", "recreate", "connect", "reconnect"):
                continue
            other_spec = self.lab.container(other.key or "")
            assert other_spec is not None
            for att in other_spec.attachments:
                name = self.lab.docker_network_name(att.network)
                if name in networks and (att.ipv4 or att.ipv6) and not (mine[name].ipv4 or mine[name].ipv6) and (
                        other.action in ("create", "recreate") or other.network == name):
                    out.add(other.id)
        return out


def _shares_parent(spec: NetworkSpec, old: ObservedNetwork) -> bool:
    return bool(spec.parent) and dict(old.options).get("parent") == spec.parent


def _removal(obs: ObservedContainer) -> dict[str, Any]:
    """What removing a container needs: its id, and the user networks whose endpoints go with it."""
    return {"id": obs.id, "networks": [n for n in obs.endpoints if n not in PREDEFINED_NETWORKS]}
