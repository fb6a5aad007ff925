"""Desired (the lab) vs observed (the engine) -> a plan of typed steps in dependency order. Pure.

What differs and why is decided in `diff`; this module turns differences into steps, says what each
step waits for, and lets the scheduler put them in order.
"""

from __future__ import annotations

from dataclasses import replace

from dockerlab.core import hostaccess, scheduler
from dockerlab.core import labels as L
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import STANDALONE_NETWORKS, ContainerSpec, Lab, NetworkSpec
from dockerlab.core.observed import Observed, ObservedContainer, ObservedNetwork
from dockerlab.plan.dependencies import Dependencies
from dockerlab.plan.diff import (
    MADE_ANEW,
    STARTS_AGAIN,
    as_is,
    endpoint_changes,
    network_changes,
    network_mode_lost,
    recreate_causes,
    stack_lost,
    user_networks,
)
from dockerlab.plan.ownership import Claims, ConflictError, claims, outside_users
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step

A, K = Action, Kind
# Among steps that are ready together, what frees names, addresses and endpoints goes first.
RANK = {(K.IMAGE, A.PULL): 0, (K.CONTAINER, A.REMOVE): 0, (K.CONTAINER, A.DISCONNECT): 0,
        (K.NETWORK, A.REMOVE): 1}


def make_plan(lab: Lab, observed: Observed, images: set[str] | None = None, mode: Mode = Mode.APPLY,
              take_over: bool = False) -> Plan:
    """images: the engine's local image names; None skips the image check. In DESTROY mode `lab` is empty.
    take_over: objects another file with this lab name made become this file's (they are made anew)."""
    owned = claims(lab, observed, mode, take_over)
    builder = _Builder(lab, observed, owned)
    if images is not None:
        builder.images(images)
    builder.networks()
    builder.host_links()
    builder.containers()
    builder.impairments()
    builder.removals()
    return Plan(lab.name, builder.ordered(), mode, tuple(owned.notes))


class _Builder:
    def __init__(self, lab: Lab, observed: Observed, owned: Claims) -> None:
        self.lab, self.observed, self.owned = lab, observed, owned
        self.steps: list[Step] = []
        self.rebuilt_networks: set[str] = set()  # Docker names of networks created or recreated
        self.taken_down: set[str] = set()  # networks a change of their config-only network removes first

    def add(self, step: Step) -> None:
        self.steps.append(step)

    def images(self, local: set[str]) -> None:
        for image in sorted({c.image for c in self.lab.containers}):
            if not ({image, f"{image}:latest", f"docker.io/library/{image}"} & local):
                self.add(Step(A.PULL, K.IMAGE, image, detail="not on this engine"))

    def networks(self) -> None:
        """Config-only networks first: one made anew takes the networks that use its settings with it."""
        ours = [n for n in self.lab.networks if not n.external]  # someone else's: joined as it is
        for spec in sorted(ours, key=lambda n: n.config_from is not None):
            obs = self.observed.network_named(spec.name)
            if obs is None:
                self.add(Step(A.CREATE, K.NETWORK, spec.name, spec.key, spec.summary()))
                self.rebuilt_networks.add(spec.name)
            elif causes := self._taken_over(obs.id) + network_changes(spec, obs) + self._settings_changes(spec, obs):
                self._recreate_network(spec, obs, tuple(causes))

    def _recreate_network(self, spec: NetworkSpec, obs: ObservedNetwork, causes: tuple[str, ...]) -> None:
        """A config-only network takes the lab's networks that use its settings down first (their own steps, or
        their removal, follow): their containers leave them, and none may be outside the lab."""
        users = self._users(spec) if spec.config_only else ()
        self.taken_down |= set(users)
        attached = () if spec.name in self.taken_down else tuple(c.name for c in self.observed.attached_to(obs.name))
        members = tuple((c.name, n) for n in users for c in self.observed.attached_to(n))
        strangers = [c.name for n in users for c in self.observed.attached_to(n) if c.lab != self.lab.name]
        if theirs := outside_users(self.lab, self.observed, spec.name) if spec.config_only else []:
            raise ConflictError(f"the plan stops here:\n  network '{spec.name}' must be made anew, but networks "
                                f"outside the lab take its settings: {', '.join(theirs)}; remove them (docker "
                                "network rm)")
        if strangers:
            raise ConflictError(f"the plan stops here:\n  network '{spec.name}' must be made anew, and with it "
                                f"{', '.join(users)}, which take its settings; containers outside the lab use them: "
                                f"{', '.join(strangers)}; disconnect them (docker network disconnect)")
        self.add(Step(A.RECREATE, K.NETWORK, spec.name, spec.key, spec.summary(), causes,
                      docker_id=obs.id, scope=obs.scope, attached=attached, networks=users, members=members))
        self.rebuilt_networks.add(spec.name)

    def _settings_changes(self, spec: NetworkSpec, obs: ObservedNetwork) -> list[str]:
        """A network made anew with its config-only network; a config-only network whose users changed (only
        those it names are the lab's)."""
        if spec.config_from in self.rebuilt_networks:
            return [f"{spec.config_from}, whose settings it takes, is made anew"]
        new = sorted({name for _, name in spec.users} - set(L.users(obs.labels))) if spec.config_only else []
        if new:  # a user the label does not name would be nobody's
            return [f"{', '.join(new)} will take its settings: the lab's only when it names them"]
        return []

    def _users(self, spec: NetworkSpec) -> tuple[str, ...]:
        """The lab's live networks that take a config-only network's settings: Docker keeps it while they are."""
        return tuple(sorted(n.name for n in self.owned.networks if n.config_from == spec.name))

    def host_links(self) -> None:
        """The host's own interface on each network that asks for host access; none left of those that no
        longer do."""
        wanted = {w.name: (n.key, w) for n in self.lab.networks if (w := hostaccess.wanted(self.lab, n))}
        for name, (key, want) in wanted.items():
            have = self.observed.host_link(name)
            if have is None:
                self.add(Step(A.CREATE, K.HOST_LINK, name, key, want.describe(), ("host access",)))
            elif causes := hostaccess.changes(want, have):
                self.add(Step(A.RECREATE, K.HOST_LINK, name, key, want.describe(), tuple(causes)))
        for have in self.observed.host_links:
            if have.alias and have.belongs_to(self.lab) and have.name not in wanted:
                self.add(Step(A.REMOVE, K.HOST_LINK, have.name, have.key, have.describe(),
                              ("no host access in the lab file",)))

    def containers(self) -> None:
        """Those that share another's network stack last: what the plan does to that one decides their fate."""
        kept = self._kept()
        for spec in sorted(self.lab.containers, key=lambda c: c.shares is not None):
            obs = self.observed.container_named(spec.name)
            if obs is None:
                self.add(self._container_step(A.CREATE, spec))
            elif causes := (self._taken_over(obs.id) + recreate_causes(spec, obs, self.lab, self.observed)
                            + network_mode_lost(obs, self.observed, self.rebuilt_networks, kept)
                            + stack_lost(spec, obs, self.lab, self.observed, self._remade() if spec.shares else {})):
                self.add(replace(self._container_step(A.RECREATE, spec, tuple(causes)), docker_id=obs.id,
                                 networks=user_networks(obs)))
            else:
                self._converge(spec, obs)

    def _remade(self) -> dict[str, str]:
        """Containers this plan makes anew or starts: name -> what it does, as a reason reads it."""
        return {s.name: MADE_ANEW if s.action.builds else STARTS_AGAIN for s in self.steps
                if s.kind is K.CONTAINER and (s.action.builds or s.action is A.START)}

    def _kept(self) -> set[str]:
        """The network names that exist once the plan is done: the lab's, those its containers name (a worker's
        overlays), and every live one it does not remove."""
        wanted = {n.name for n in self.lab.networks}
        named = {self.lab.docker_network_name(a.network) for c in self.lab.containers for a in c.attachments}
        going = {n.name for n in self.owned.networks if self._goes(n, wanted)}
        return wanted | named | {n.name for n in self.observed.networks if n.name not in going}

    def _goes(self, net: ObservedNetwork, wanted: set[str]) -> bool:
        """An owned network the plan removes: not in the file, and not kept for containers outside the lab."""
        return net.name not in wanted and net.id not in self.owned.kept

    def _taken_over(self, docker_id: str) -> list[str]:
        origin = self.owned.taken_over.get(docker_id)
        return [f"taken over from {origin}"] if origin else []

    def _container_step(self, action: Action, spec: ContainerSpec, causes: tuple[str, ...] = ()) -> Step:
        shared = self.lab.shared_stack(spec)
        detail = f"{spec.image}; " + (f"the network stack of {shared}" if shared else
                                      ", ".join(self._describe(a) for a in spec.attachments))
        return Step(action, K.CONTAINER, spec.name, spec.key, detail, causes)

    def _describe(self, att: Attachment) -> str:
        return replace(att, network=self.lab.docker_network_name(att.network)).describe()

    def _converge(self, spec: ContainerSpec, obs: ObservedContainer) -> None:
        """A container that stays: fix its network memberships live, then start it."""
        if spec.network_mode not in STANDALONE_NETWORKS:
            created = obs.created_details()
            wanted = {self.lab.docker_network_name(a.network): a for a in spec.attachments}
            for name in sorted(set(obs.endpoints) - set(wanted)):
                self._member_step(A.DISCONNECT, spec, obs, name, (f"{name} is not in the lab file",))
            for name, att in wanted.items():
                ep = obs.endpoints.get(name)
                if ep is None:
                    self._member_step(A.CONNECT, spec, obs, name, ("not connected",), att)
                elif name in self.rebuilt_networks:
                    self._member_step(A.CONNECT, spec, obs, name, ("network recreated",), att)
                elif causes := endpoint_changes(att, ep, created.get(name), spec.key):
                    self._member_step(A.RECONNECT, spec, obs, name, tuple(causes), att,
                                      as_is(att, ep, created.get(name)))
        if not obs.running:
            self.add(Step(A.START, K.CONTAINER, spec.name, spec.key, causes=(f"container is {obs.state or 'stopped'}",),
                          docker_id=obs.id))

    def _member_step(self, action: Action, spec: ContainerSpec, obs: ObservedContainer, network: str,
                     causes: tuple[str, ...], att: Attachment | None = None, restore: Attachment | None = None) -> None:
        """By the live container's id: the name checked as the lab's could be another container's by then."""
        detail = self._describe(att) if att else network
        self.add(Step(action, K.CONTAINER, spec.name, spec.key, detail, causes, network=network, restore=restore,
                      docker_id=obs.id))

    def impairments(self) -> None:
        """Each membership's impairment as the file says, set live: on an interface this plan makes (a container
        made, started or joined anew has none) or on one that stays, as read."""
        fresh = {(s.name, s.network) for s in self.steps if s.kind is K.CONTAINER
                 and (s.action.builds or s.action in (A.START, A.CONNECT, A.RECONNECT))}
        for spec in self.lab.containers:
            read = self.observed.links.get(spec.name) or {}
            for att in spec.attachments if spec.network_mode not in STANDALONE_NETWORKS else ():
                network = self.lab.docker_network_name(att.network)
                new = bool({(spec.name, None), (spec.name, network)} & fresh)
                have = None if new else read.get(network)
                live = None if new else self.observed.container_named(spec.name)
                on = (spec, network, live.id if live else None)
                if have is None and att.link:
                    cause = "on the interface this plan makes" if new else "not set"
                    self._impair(A.CREATE, on, att.link.describe(), (cause,))
                elif have is not None and att.link is None:
                    self._impair(A.REMOVE, on, have.describe(), ("not in the lab file",))
                elif have is not None and att.link and (causes := have.changes_to(att.link)):
                    self._impair(A.UPDATE, on, att.link.describe(), tuple(causes))

    def _impair(self, action: Action, on: tuple[ContainerSpec, str, str | None], detail: str,
                causes: tuple[str, ...]) -> None:
        """on: the container, the network and the live container's id (None: one this plan makes)."""
        spec, network, docker_id = on
        self.add(Step(action, K.IMPAIRMENT, spec.name, spec.key, detail, causes, network=network, docker_id=docker_id))

    def removals(self) -> None:
        wanted = {c.name for c in self.lab.containers}
        for obs in self.owned.containers:
            if obs.name not in wanted:
                self.add(Step(A.REMOVE, K.CONTAINER, obs.name, obs.key, causes=("not in the lab file",),
                              docker_id=obs.id, networks=user_networks(obs)))
        wanted = {n.name for n in self.lab.networks}
        named: set[str] = set()
        for net in self.owned.networks:
            if net.key == L.LEDGER_NETWORK and self.lab.containers:  # the lab's state, written after its runs
                continue
            if self._goes(net, wanted):
                again = net.name in named  # a second network of one name: tell the steps apart by id
                named.add(net.name)
                users = tuple(sorted(n.name for n in self.observed.networks if n.config_from == net.name))
                self.add(Step(A.REMOVE, K.NETWORK, net.name, net.key, causes=("not in the lab file",),
                              docker_id=net.id, scope=net.scope, instance=net.id[:12] if again else "",
                              networks=users))

    def ordered(self) -> tuple[Step, ...]:
        """Steps with their dependencies, listed in an order that respects them."""
        deps = Dependencies(self.lab, self.observed, self.steps)
        steps = [replace(s, after=tuple(sorted(deps.of(s)))) for s in self.steps]
        return tuple(scheduler.order(steps, key=lambda s: s.id, deps=lambda s: s.after,
                                     rank=lambda s: RANK.get((s.kind, s.action), 2)))
