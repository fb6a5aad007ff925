"""The plans of a lab's hosts joined into one, with the steps that wait across hosts: a worker's container joins
an overlay after the manager made it, and the manager removes one after the workers' containers left it. Pure."""

from __future__ import annotations

from dataclasses import replace

from dockerlab.core import scheduler
from dockerlab.core.model import Lab
from dockerlab.core.placement import manager, swarm_networks
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step, making_network, on_host, step_id

A, K = Action, Kind


def merge(lab: Lab, plans: dict[str, Plan], swarm_steps: list[Step], mode: Mode, notes: list[str]) -> Plan:
    """One plan from the host plans: ids qualified by host, with the steps that wait across hosts."""
    boss = manager(lab)
    # a swarm that ends takes its networks with it, also those a node long gone still holds: not removed apart
    ending = any(s.kind is K.SWARM and s.action is A.REMOVE and s.host == boss for s in swarm_steps)
    gone = [s for s in plans[boss].steps if s.kind is K.NETWORK and s.scope == "swarm"] if ending else []
    if gone:
        swarm_steps = [replace(s, detail=f"{s.detail}, and its networks with it "
                                         f"({', '.join(sorted(g.name for g in gone))})") if s.host == boss else s
                       for s in swarm_steps]
    steps = [*swarm_steps]
    dropped = {g.id for g in gone}  # what waited for them waits for the swarm's end (_Across)
    for key, plan in plans.items():
        steps += [replace(s, host=key, after=tuple(on_host(key, a) for a in s.after
                                                   if not (key == boss and a in dropped)))
                  for s in plan.steps if not (key == boss and s in gone)]
    joins = _Across(lab, steps)
    steps = [replace(s, after=tuple(sorted({*s.after, *joins.of(s)}))) for s in steps]
    ordered = scheduler.order(steps, key=lambda s: s.id, deps=lambda s: s.after)
    all_notes = [f"{f'host {k}: ' if k else ''}{n}" for k, p in plans.items() for n in p.notes] + notes
    return Plan(lab.name, tuple(ordered), mode, tuple(all_notes))


class _Across:
    """What a step waits for on other hosts."""

    def __init__(self, lab: Lab, steps: list[Step]) -> None:
        self.overlays = swarm_networks(lab)
        self.boss = manager(lab)
        self.ids = {s.id for s in steps}
        self.swarm = {s.host: s.id for s in steps if s.kind is K.SWARM and s.action is not A.REMOVE}
        self.leaving = [s for s in steps if s.kind is K.CONTAINER
                        and (s.action.takes_down or s.action is A.DISCONNECT)]
        self.leaves = {s.id for s in steps if s.kind is K.SWARM and s.action is A.REMOVE}
        self.leave_of = {s.host: s.id for s in steps if s.kind is K.SWARM and s.action is A.REMOVE}
        # a config-only network that a swarm network takes settings from goes after it: after the host leaves the
        # swarm (which takes the swarm's networks with it), else after the manager removed it
        self.held = {s.id for s in steps if s.kind is K.NETWORK and s.action is A.REMOVE and s.networks}
        self.on_hosts: dict[str, list[str]] = {}
        for s in steps:
            if s.kind is not K.SWARM:
                self.on_hosts.setdefault(s.host, []).append(s.id)
        self.lab = lab

    def of(self, step: Step) -> set[str]:
        if step.kind is K.SWARM:
            return self._swarm(step)
        joined = {self.swarm[step.host]} if step.host in self.swarm else set()
        if step.id in self.held:
            after = {step_id(K.NETWORK, A.REMOVE, n, host=self.boss) for n in step.networks} & self.ids
            return after | ({self.leave_of[step.host]} if step.host in self.leave_of else set())
        if step.kind is K.NETWORK and (step.name in self.overlays or step.scope == "swarm"):
            if step.action is not A.CREATE:
                joined |= {s.id for s in self.leaving if s.host != step.host}
            return joined
        if step.kind is K.CONTAINER and self._joins_overlay(step):
            if step.host != self.boss:
                joined |= {i for n in self.overlays for i in making_network(n, self.boss)} & self.ids
            return joined
        return set()

    def _swarm(self, step: Step) -> set[str]:
        if step.action is A.CONNECT:
            return {self.swarm[self.boss]} if self.boss in self.swarm else set()
        if step.action is not A.REMOVE:
            return set()
        # leaving comes last: a worker after its own steps; the manager after everything else
        if step.host != self.boss:
            return set(self.on_hosts.get(step.host, ())) - self.held
        return {i for ids in self.on_hosts.values() for i in ids} - self.held | (self.leaves - {step.id})

    def _joins_overlay(self, step: Step) -> bool:
        if step.network:
            return step.network in self.overlays
        spec = self.lab.container(step.key or "")
        return bool(spec and step.action.builds and any(self.lab.docker_network_name(a.network) in self.overlays
                                                        for a in spec.attachments))
