"""A plan is data: an ordered list of typed steps, each with its cause and what it waits for.

An action is a type that carries its own symbol and verbs (as Terraform's plans.Action does), so that
rendering, preflight and the executor ask the action instead of comparing strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from dockerlab.core.endpoint import Attachment


class Action(Enum):
    """value: the word in step ids and JSON; symbol: shown in front of a step; past: in progress lines."""

    PULL = ("pull", "+", "pulled")
    CREATE = ("create", "+", "created")
    REMOVE = ("remove", "-", "removed")
    RECREATE = ("recreate", "-/+", "recreated")
    CONNECT = ("connect", "~", "connected")
    DISCONNECT = ("disconnect", "~", "disconnected")
    RECONNECT = ("reconnect", "~", "reconnected")
    START = ("start", "~", "started")
    UPDATE = ("update", "~", "updated")  # changed in place (an impairment)

    def __init__(self, word: str, symbol: str, past: str) -> None:
        self.word, self.symbol, self.past = word, symbol, past

    @property
    def builds(self) -> bool:
        """Makes the object anew, so what the host can do matters (preflight)."""
        return self in (Action.CREATE, Action.RECREATE)

    @property
    def takes_down(self) -> bool:
        """The live object goes away, at least for a while."""
        return self in (Action.REMOVE, Action.RECREATE)

    @property
    def membership(self) -> bool:
        """Acts on one network membership of a container."""
        return self in (Action.CONNECT, Action.DISCONNECT, Action.RECONNECT)

    def __str__(self) -> str:
        return self.word


class Kind(Enum):
    IMAGE = "image"
    NETWORK = "network"
    CONTAINER = "container"
    HOST_LINK = "host-link"  # the host's own macvlan interface on a lab network's parent (see core/hostaccess)
    SWARM = "swarm"  # a host's swarm membership: create = init (manager), connect = join, remove = leave
    IMPAIRMENT = "impairment"  # delay, jitter, loss, rate of what a container sends on one network (see shaper)

    def __str__(self) -> str:
        return self.value


class Mode(Enum):
    """What a plan is for: reaching the file, or removing everything the lab owns."""

    APPLY = "apply"
    DESTROY = "destroy"


A, K = Action, Kind
# Every kind of step there is. Each handler table (the executor's with the swarm's, the plan as docker commands)
# covers exactly these, which a test holds them to; a step of another pair cannot be made.
STEP_KINDS = frozenset({
    (K.IMAGE, A.PULL),
    *((K.NETWORK, a) for a in (A.CREATE, A.REMOVE, A.RECREATE)),
    *((K.CONTAINER, a) for a in (A.CREATE, A.REMOVE, A.RECREATE, A.START, A.CONNECT, A.DISCONNECT, A.RECONNECT)),
    *((K.HOST_LINK, a) for a in (A.CREATE, A.REMOVE, A.RECREATE)),
    *((K.SWARM, a) for a in (A.CREATE, A.CONNECT, A.REMOVE)),
    *((K.IMPAIRMENT, a) for a in (A.CREATE, A.UPDATE, A.REMOVE)),
})


def on_host(host: str, step_id: str) -> str:
    """A step id as the plan of a lab across hosts knows it: one plan, one id space."""
    return f"{host}/{step_id}" if host else step_id


def step_id(kind: Kind, action: Action, name: str, network: str | None = None, instance: str = "",
            host: str = "") -> str:
    """The one way a step's id is made: by its step, and by steps that wait for it."""
    base = f"{kind}:{action}:{name}" + (f"@{instance}" if instance else "")
    return on_host(host, f"{base}:{network}" if network else base)


def making_network(name: str, host: str = "") -> set[str]:
    """The ids a step makes a network under (created, or made anew): what its members wait for."""
    return {step_id(K.NETWORK, a, name, host=host) for a in (A.CREATE, A.RECREATE)}


@dataclass(frozen=True)
class Step:
    action: Action
    kind: Kind
    name: str  # the Docker object's name
    key: str | None = None  # the lab file key, when the lab declares the object
    detail: str = ""  # what, e.g. "bridge 172.28.0.0/16" or "lan (192.168.1.10)"
    causes: tuple[str, ...] = ()  # why, e.g. "subnet 10.1.0.0/24 -> 10.2.0.0/24"
    after: tuple[str, ...] = ()  # ids of steps that must finish first
    docker_id: str | None = None  # the live object, for steps that act on one
    network: str | None = None  # connect/disconnect/reconnect: the Docker network name
    scope: str = "local"  # networks: swarm-scoped ones go away asynchronously
    attached: tuple[str, ...] = ()  # network recreate: the containers on it
    networks: tuple[str, ...] = ()  # container remove/recreate: the user networks it leaves; a config-only
    # network's recreate or remove: the networks that take its settings, removed first
    members: tuple[tuple[str, str], ...] = ()  # a config-only network's recreate: (container, network) on those
    instance: str = ""  # tells apart two steps on objects of one name (two networks Docker let share a name)
    restore: Attachment | None = None  # reconnect: the membership as it is, to put back if the new one fails
    host: str = ""  # the lab's key of the host it runs on; "" on a lab of one engine

    def __post_init__(self) -> None:
        if (self.kind, self.action) not in STEP_KINDS:
            raise ValueError(f"no step {self.action} {self.kind}: see STEP_KINDS")

    @property
    def where(self) -> str:
        """' on h2' in text about a step of a lab across hosts."""
        return f" on {self.host}" if self.host else ""

    @property
    def id(self) -> str:
        return step_id(self.kind, self.action, self.name, self.network, self.instance, self.host)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action.word, "symbol": self.action.symbol, "kind": self.kind.value,
                "name": self.name, "key": self.key, "detail": self.detail, "causes": list(self.causes),
                "after": list(self.after), "params": self._params(), **({"host": self.host} if self.host else {})}

    def _params(self) -> dict[str, Any]:
        """What the executor needs, under the names the JSON plan has always used."""
        params: dict[str, Any] = {}
        if self.docker_id:
            params["id"] = self.docker_id
        if self.kind is Kind.NETWORK and self.docker_id:
            params["scope"] = self.scope
        if self.kind is Kind.NETWORK and self.action is Action.RECREATE:
            params["attached"] = list(self.attached)
            if self.networks:
                params |= {"users": list(self.networks), "members": [list(m) for m in self.members]}
        if self.kind is Kind.CONTAINER and self.action.takes_down:
            params["networks"] = list(self.networks)
        if self.network:
            params["network"] = self.network
        return params


@dataclass(frozen=True)
class Plan:
    lab: str
    steps: tuple[Step, ...] = ()
    mode: Mode = Mode.APPLY
    notes: tuple[str, ...] = ()  # what the plan leaves alone on purpose, and why

    @property
    def changes(self) -> bool:
        return bool(self.steps)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.action.word] = counts.get(step.action.word, 0) + 1
        return {"lab": self.lab, "changes": self.changes, "summary": counts,
                "steps": [s.to_dict() for s in self.steps], "notes": list(self.notes)}

    def on(self, host: str) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.host == host)


def drift_by_object(plan: Plan) -> dict[tuple[Kind, str], list[str]]:
    """What differs from the file, by object: the steps that would fix it (status rows, a diagram's nodes)."""
    drift: dict[tuple[Kind, str], list[str]] = {}
    for step in plan.steps:
        why = step.causes or (f"to {step.action}",)
        label = f"{step.action}: {'; '.join(why)}" if step.action is not Action.CREATE else "missing"
        kind = step.kind
        if kind is Kind.IMPAIRMENT:  # the container's drift: shown on its row, and its node in a diagram
            kind, label = Kind.CONTAINER, f"impairment on {step.network}: {step.action} ({'; '.join(why)})"
        drift.setdefault((kind, step.name), []).append(label)
    return drift
