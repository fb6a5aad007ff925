"""One Docker host: its address, its engine and the facts of the machine it runs on.

The reconciler takes hosts as values: a lab on several engines is several of these, and a test can pass
a fake one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from dockerlab.core.model import Lab
from dockerlab.core.placement import ONE
from dockerlab.engine.address import address_from_env, resolve
from dockerlab.engine.client import Engine
from dockerlab.host.access import HostLinks
from dockerlab.host.facts import HostFacts
from dockerlab.host.shaper import Shaper


@dataclass
class Host:
    address: str
    name: str = ONE  # the lab's key for it
    tls: Any = None  # a Docker context's TLS settings
    facts: HostFacts = field(init=False)

    def __post_init__(self) -> None:
        self.facts = HostFacts(self.address)

    @classmethod
    def from_env(cls) -> Host:
        """The engine DOCKER_HOST names, else the local socket (engine.address reads it)."""
        return cls(address_from_env())

    @classmethod
    def of(cls, lab: Lab) -> dict[str, Host]:
        """The lab's hosts by key; a lab without 'hosts:' is on the one engine DOCKER_HOST names."""
        if not lab.hosts:
            return {ONE: cls.from_env()}
        found = {}
        for spec in lab.hosts:
            address, tls = resolve(spec.docker_host) if spec.docker_host else (address_from_env(), None)
            found[spec.key] = cls(address, spec.key, tls)
        return found

    @property
    def label(self) -> str:
        return f"host {self.name} ({self.address})" if self.name != ONE else f"the engine at {self.address}"

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
    def shaper(self) -> Shaper | None:
        """Impairments: tc in containers' namespaces, entered from this machine, so an engine on it (its pid at
        hand, which Docker Desktop's VM keeps away) and root."""
        return Shaper(self.engine) if self.is_local and self.facts.engine_pid and os.geteuid() == 0 else None

    @cached_property
    def engine(self) -> Engine:
        """Connected on first use, so that commands that need no engine never wait for one."""
        return Engine(self.address, tls=self.tls)
