"""What each step of a plan waits for: networks before their members, frees before claims, a shared network
stack before the containers that join it."""

from __future__ import annotations

from dockerlab.core.model import ContainerSpec, Lab, NetworkSpec
from dockerlab.core.observed import Observed
from dockerlab.plan.diff import frees_room_for
from dockerlab.plan.steps import Action, Kind, Step, making_network, step_id

A, K = Action, Kind


class Dependencies:
    """What each step waits for: networks before their members, frees before claims."""

    def __init__(self, lab: Lab, observed: Observed, steps: list[Step]) -> None:
        self.lab, self.observed, self.steps = lab, observed, steps
        self.ids = {s.id for s in steps}
        self.by_container: dict[str, list[Step]] = {}
        self.claims: dict[str, list[Step]] = {}  # network -> steps that claim a static address on it
        for step in steps:
            if step.kind is K.CONTAINER:
                self.by_container.setdefault(step.name, []).append(step)
            for network in self._static_claims(step):
                self.claims.setdefault(network, []).append(step)

    def of(self, step: Step) -> set[str]:
        if step.kind is K.NETWORK:
            return self._network(step)
        if step.kind is K.IMPAIRMENT:  # on the interface its container's steps make
            return {s.id for s in self.by_container.get(step.name, ())}
        if step.kind is K.HOST_LINK:  # on its network's parent, which Docker may make (a VLAN sub-interface)
            net = self.lab.network(step.key or "")
            return making_network(net.name) & self.ids if net else set()
        spec = self.lab.container(step.key or "") if step.kind is K.CONTAINER else None
        if spec is None or step.action in (A.REMOVE, A.DISCONNECT):
            return set()
        own = [s for s in self.by_container[step.name] if s is not step]
        if step.action is A.START:  # a stopped container's dynamic address is taken anew when it starts
            return {s.id for s in own} | self._stack_first(spec) | self._static_first(
                spec, [self.lab.docker_network_name(a.network) for a in spec.attachments])
        return self._joining(step, spec, own) | (self._stack_first(spec) if step.action.builds else set())

    def _stack_first(self, spec: ContainerSpec) -> set[str]:
        """A container that shares another's network stack is made and started after that one runs."""
        shared = self.lab.shared_stack(spec)
        return {s.id for s in self.by_container.get(shared or "", ()) if s.action.builds or s.action is A.START}

    def _joining(self, step: Step, spec: ContainerSpec, own: list[Step]) -> set[str]:
        """A container joining networks: after they exist, its own disconnects, and static claims there."""
        networks = [step.network] if step.network else [self.lab.docker_network_name(a.network)
                                                        for a in spec.attachments]
        after = {i for n in networks for i in making_network(n)} & self.ids
        after |= self._settings_made(networks)
        after |= {s.id for s in own if s.action is A.DISCONNECT}
        after |= self._static_first(spec, networks)
        pull = step_id(K.IMAGE, A.PULL, spec.image)
        if step.action.builds and pull in self.ids:
            after.add(pull)
        return after

    def _settings_made(self, networks: list[str]) -> set[str]:
        """A network that takes a config-only network's settings is made with them when a container first joins
        it on a worker of the swarm: that host's config-only networks first."""
        declared = {n.name: n for n in self.lab.networks}
        if all(n in declared and not declared[n].config_from for n in networks):
            return set()
        held = [n.name for n in self.lab.networks if n.config_only]
        return {i for name in held for i in making_network(name)} & self.ids

    def _network(self, step: Step) -> set[str]:
        """Take lab containers off a network before it goes; free a subnet or parent before reuse."""
        on_it = {c.name for c in self.observed.attached_to(step.name)}
        blocking = {A.REMOVE, A.DISCONNECT} | ({A.RECREATE} if step.action is A.REMOVE else set())
        after = {s.id for s in self.steps if s.kind is K.CONTAINER and s.name in on_it and s.action in blocking
                 and (s.action is not A.DISCONNECT or s.network == step.name)}
        spec = self.lab.network(step.key or "")
        return after | self._settings_first(step, spec) | self._room_first(step, spec)

    def _settings_first(self, step: Step, spec: NetworkSpec | None) -> set[str]:
        """A config-only network before the networks that take its settings; one that goes, after they went or
        took another's (one made anew takes them down itself)."""
        if step.action is not A.REMOVE:  # (a removal's key may be that of another network the file has now)
            return making_network(spec.config_from) & self.ids if spec and spec.config_from else set()
        users = {n.name for n in self.observed.networks if n.config_from == step.name}
        return {s.id for s in self.steps if s.kind is K.NETWORK and s.action in (A.REMOVE, A.RECREATE)
                        and s.name in users}

    def _room_first(self, step: Step, spec: NetworkSpec | None) -> set[str]:
        """Free a subnet or parent before reuse."""
        after: set[str] = set()
        if step.action is A.CREATE and spec is not None:
            for s in self.steps:
                old = self.observed.network_named(s.name) if (s.kind, s.action) == (K.NETWORK, A.REMOVE) else None
                if old and frees_room_for(spec, old):
                    after.add(s.id)
        return after

    def _static_claims(self, step: Step) -> list[str]:
        """The networks on which a step gives its container a static address."""
        spec = self.lab.container(step.key or "") if step.kind is K.CONTAINER else None
        if spec is None or not (step.action.builds or step.action in (A.CONNECT, A.RECONNECT, A.START)):
            return []
        names = [self.lab.docker_network_name(a.network) for a in spec.attachments if a.ipv4 or a.ipv6]
        return names if step.action.builds or step.action is A.START else [n for n in names if n == step.network]

    def _static_first(self, spec: ContainerSpec, networks: list[str]) -> set[str]:
        """A dynamic address must not take one a static container is about to claim. A container that claims a
        static address anywhere waits for none: two such could wait for each other, a cycle no order solves."""
        if any(a.ipv4 or a.ipv6 for a in spec.attachments):
            return set()
        mine = {self.lab.docker_network_name(a.network): a for a in spec.attachments}
        dynamic = [n for n in networks if not (mine[n].ipv4 or mine[n].ipv6)]
        return {other.id for n in dynamic for other in self.claims.get(n, ()) if other.name != spec.name}
