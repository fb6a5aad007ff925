"""Runs one plan across a lab's hosts: an executor for each host, and the swarm steps, which need two engines
(a join asks the manager for its token)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from dockerlab.core.placement import manager
from dockerlab.core.waiting import wait_until
from dockerlab.engine.client import Engine
from dockerlab.errors import EngineError
from dockerlab.plan.observe import View
from dockerlab.plan.steps import Action, Kind, Plan, Step
from dockerlab.plan.swarm import PORTS
from dockerlab.run.executor import Executor, Outcome, Report, run_steps

GWBRIDGE = "docker_gwbridge"


def run_plan(view: View, plan: Plan, report: Report, parallel: int) -> Outcome:
    swarm = Swarm(view)
    crews = {key: Executor(site.host.engine, site.lab, report, site.host.links, site.host.shaper, swarm.handlers(key))
             for key, site in view.sites.items()}
    return run_steps(crews, plan, parallel)


class Swarm:
    """The swarm steps of each host: init, join, leave."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.boss = manager(view.lab)

    def handlers(self, key: str) -> dict[tuple[Kind, Action], Callable[[Step], None]]:
        return {(Kind.SWARM, Action.CREATE): lambda s: self.init(key),
                (Kind.SWARM, Action.CONNECT): lambda s: self.join(key),
                (Kind.SWARM, Action.REMOVE): lambda s: self.leave(key)}

    def init(self, key: str) -> None:
        self.view.sites[key].host.engine.swarm_init(self.view.lab.address_of(key), self.view.lab.name)

    def join(self, key: str) -> None:
        at = self.view.lab.address_of(self.boss) or ""
        try:
            self.view.sites[key].host.engine.swarm_join(self.view.sites[self.boss].host.engine, at,
                                                        self.view.lab.address_of(key))
        except EngineError as exc:
            raise EngineError(f"host {key} could not join the swarm of host {self.boss} at {at}:2377 ({exc}); the "
                              f"hosts must reach each other on {PORTS}") from None

    def leave(self, key: str) -> None:
        """Swarm mode made docker_gwbridge; once out of the swarm it goes too, as it was before, when its last
        endpoint (the ingress sandbox, removed asynchronously) is gone. One that stays in use (Docker sometimes
        keeps a phantom endpoint on a docker_gwbridge that was there before the swarm) is left to Docker."""
        engine = self.view.sites[key].host.engine
        engine.swarm_leave()
        for net in engine.networks_named(GWBRIDGE):
            wait_until(partial(_removed, engine, net["Id"]), 2, 0.2)


def _removed(engine: Engine, network: str) -> bool:
    try:
        engine.remove_network(network, GWBRIDGE)
        return True
    except EngineError:
        return False
