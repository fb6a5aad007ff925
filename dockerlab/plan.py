"""A plan is data: an ordered list of steps, each with its cause and what it waits for."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# action -> the symbol shown in front of a step, as terraform does
SYMBOLS = {"pull": "+", "create": "+", "remove": "-", "recreate": "-/+", "connect": "~", "disconnect": "~",
           "reconnect": "~", "start": "~"}


@dataclass(frozen=True)
class Step:
    id: str
    action: str  # pull | create | remove | recreate | connect | disconnect | reconnect | start
    kind: str  # image | network | container
    name: str  # the Docker object's name
    key: str | None = None  # the lab file key, when the lab declares the object
    detail: str = ""  # what, e.g. "bridge 172.28.0.0/16" or "lan (192.168.1.10)"
    causes: tuple[str, ...] = ()  # why, e.g. "subnet 10.1.0.0/24 -> 10.2.0.0/24"
    after: tuple[str, ...] = ()  # ids of steps that must finish first
    params: dict[str, Any] = field(default_factory=dict, compare=False)  # for the executor

    @property
    def network(self) -> str:
        """For connect/disconnect/reconnect: the Docker network name."""
        return self.params["network"]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["causes"] = list(self.causes)
        data["after"] = list(self.after)
        return data


@dataclass(frozen=True)
class Plan:
    lab: str
    steps: tuple[Step, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.steps)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for step in self.steps:
            counts[step.action] = counts.get(step.action, 0) + 1
        return {"lab": self.lab, "changes": self.changes, "summary": counts,
                "steps": [s.to_dict() for s in self.steps]}
