"""One Docker host: its address, its engine and the facts of the machine it runs on.

The reconciler takes hosts as values: a lab on several engines is several of these, and a test can pass
a fake one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property

from .engine import Engine
from .hostfacts import HostFacts
from .hostlink import HostLinks
from .transport import address_from_env


@dataclass
class Host:
    address: str
    name: str = "default"
    facts: HostFacts = field(init=False)

    def __post_init__(self) -> None:
        self.facts = HostFacts(self.address)

    @classmethod
    def from_env(cls) -> Host:
        """The engine DOCKER_HOST names, else the local socket: the one place that reads DOCKER_HOST."""
        return cls(address_from_env())

    @property
    def is_local(self) -> bool:
        return self.facts.local

    @cached_property
    def links(self) -> HostLinks | None:
        """The host's own interfaces on lab networks: only where the engine's network namespace is at hand (a
        local engine) and may be entered (root)."""
        if not self.is_local or not self.facts.engine_pid or os.geteuid() != 0:
            return None
        return HostLinks(self.facts.engine_pid)

    @cached_property
    def engine(self) -> Engine:
        """Connected on first use, so that commands that need no engine never wait for one."""
        return Engine(self.address)
