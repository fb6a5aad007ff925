"""Observe, diff, act, observe again: the loop behind plan, apply and destroy, on a lab's hosts."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace

from dockerlab.core import labels as L
from dockerlab.core.model import Lab, NetworkSpec
from dockerlab.core.observed import Observed
from dockerlab.core.placement import manager
from dockerlab.defaults import DESTROY_PARALLEL, PARALLEL, SETTLE
from dockerlab.errors import DockerlabError
from dockerlab.host import endpointids
from dockerlab.host.host import Host
from dockerlab.plan.diff import redone_ids
from dockerlab.plan.merge import merge
from dockerlab.plan.observe import View, connect, look
from dockerlab.plan.planner import make_plan
from dockerlab.plan.preflight import PreflightError, preflight_problems
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step
from dockerlab.plan.swarm import forming_steps, needs_swarm, undoing_steps
from dockerlab.privatedir import private_dir
from dockerlab.run.across_hosts import run_plan
from dockerlab.run.executor import Outcome, Report
from dockerlab.run.failures import PlanFailed
from dockerlab.run.lock import lab_lock


@dataclass(frozen=True)
class Options:
    parallel: int = PARALLEL
    take_over: bool = False  # objects another file with this lab name made become this file's
    settle: float = SETTLE


@dataclass(frozen=True)
class Result:
    plan: Plan
    outcome: Outcome
    remaining: Plan  # what a fresh plan still wants after the run; empty when converged


def plan_lab(hosts: dict[str, Host], lab: Lab, mode: Mode = Mode.APPLY, take_over: bool = False,
             check: bool = True) -> tuple[Plan, View]:
    """check: preflight too, and stop when the lab cannot be applied (status only wants the difference)."""
    view = look(lab, hosts, swarm=_reads_swarm(lab, mode))
    return _plan(view, mode, take_over, check), view


def _reads_swarm(lab: Lab, mode: Mode) -> bool:
    return needs_swarm(lab) if mode is Mode.APPLY else bool(lab.swarm and lab.swarm.form)


def _plan(view: View, mode: Mode, take_over: bool, check: bool = False) -> Plan:
    """One plan over the hosts; with `check`, preflight too (images, swarm, what each host can do)."""
    lab, boss = view.lab, manager(view.lab)
    plans = {key: make_plan(site.lab, view.observed[key],
                            site.host.engine.local_images() if check and mode is Mode.APPLY else None, mode,
                            take_over) for key, site in view.sites.items()}
    if mode is Mode.APPLY:
        swarm_steps, problems = forming_steps(lab, boss, view.swarm) if view.swarm else ([], [])
        notes: list[str] = []
    else:
        swarm_steps, notes = undoing_steps(lab, boss, view.swarm)
        problems = []
    plan = merge(lab, plans, swarm_steps, mode, notes)
    if check and mode is Mode.APPLY:
        for key, site in view.sites.items():
            problems += preflight_problems(site.lab, replace(plan, steps=plan.on(key)), view.observed[key], site.host)
        if problems:
            where = "these hosts" if len(view.sites) > 1 else "this engine"
            raise PreflightError(f"lab '{lab.name}' cannot be applied on {where}; nothing was changed:\n  "
                                 + "\n  ".join(problems))
    return plan


def apply_lab(hosts: dict[str, Host], lab: Lab, report: Report, on_plan: Callable[[Plan], None] | None = None,
              options: Options = Options(), mode: Mode = Mode.APPLY) -> Result:
    private_dir()  # where the locks go: one that is not private stops this before any engine is asked
    connect(hosts)
    with ExitStack() as locks:
        for host in sorted(hosts.values(), key=lambda h: h.engine.identity):  # one order: no deadlock
            locks.enter_context(lab_lock(lab.name, host.engine.identity))
        plan, view = plan_lab(hosts, lab, mode, options.take_over)
        if on_plan:
            on_plan(plan)
        if not plan.changes:
            _in_sync(lab, mode, view)
            return Result(plan, Outcome(), plan)
        last_start = [0.0]

        def noted(step: Step, seconds: float, error: str | None) -> None:
            if _starts(step):
                last_start[0] = time.monotonic()
            report(step, seconds, error)
        outcome = run_plan(view, plan, noted, options.parallel)
        if not outcome.ok:  # said before anything else is asked of an engine that may have gone
            raise PlanFailed(lab, plan, outcome)
        if mode is Mode.APPLY:
            _note_redone(view, plan)
        started = {s.name for s in plan.steps if _starts(s)} if mode is Mode.APPLY else set()
        if started:  # each container it started runs `settle` after its own start: the last one sets the wait
            time.sleep(max(0.0, last_start[0] + options.settle - time.monotonic()))
        return Result(plan, outcome, _look_again(hosts, lab, mode, options, started))


def _look_again(hosts: dict[str, Host], lab: Lab, mode: Mode, options: Options, started: set[str]) -> Plan:
    """What is left to do after a run: nothing, unless a container it started has died since (said) or the
    engine changed under it."""
    view = look(lab, hosts, swarm=_reads_swarm(lab, mode))
    for key, site in view.sites.items():
        _alive(site.host, lab, started, view.observed[key])
    remaining = _plan(view, mode, options.take_over)
    if not remaining.changes:
        _in_sync(lab, mode, view)
    return remaining


def _in_sync(lab: Lab, mode: Mode, view: View) -> None:
    """The engines match the file: their endpoint ids are the lab's as it should be (host.endpointids)."""
    if mode is Mode.DESTROY:
        endpointids.forget(lab.name)
    else:
        endpointids.record(lab.name, view.observed.values())


def destroy_lab(hosts: dict[str, Host], lab: Lab, report: Report,
                options: Options = Options(DESTROY_PARALLEL)) -> Result:
    """Remove what the lab owns on its hosts: the plan towards a lab with nothing in it. With the lab's origin (a
    lab file's real path) only what that file made; without, everything labelled with the lab's name. A swarm
    the lab formed is left, if nothing else uses it."""
    empty = Lab(name=lab.name, prefix="", origin=lab.origin, hosts=lab.hosts, swarm=lab.swarm)
    return apply_lab(hosts, empty, report, options=options, mode=Mode.DESTROY)


def _note_redone(view: View, plan: Plan) -> None:
    """The containers this run reconnected join each host's ledger of those whose created label is behind
    (core.labels.REDONE); the ledger is made anew only when that set changes."""
    for key, site in view.sites.items():
        ids = {s.docker_id[:12] for s in plan.on(key) if s.action is Action.RECONNECT and s.docker_id}
        observed = view.observed[key]
        have = redone_ids(site.lab, observed)
        keep = (have & {c.id[:12] for c in observed.containers}) | ids
        if not ids or keep == have:
            continue
        spec = NetworkSpec(key=L.LEDGER_NETWORK, name=f"{site.lab.prefix}{L.LEDGER_NETWORK}", config_only=True,
                           labels=((L.REDONE, ",".join(sorted(keep))),))
        if old := observed.lab_network(site.lab.name, L.LEDGER_NETWORK):
            site.host.engine.remove_network(old.id, old.name)
        site.host.engine.create_network(spec, L.network_labels(site.lab, spec))


def _starts(step: Step) -> bool:
    return step.kind is Kind.CONTAINER and (step.action.builds or step.action is Action.START)


def _alive(host: Host, lab: Lab, started: set[str], observed: Observed) -> None:
    """Containers this run started must still run after the settle time: else say how each ended."""
    dead = [c for c in observed.containers if c.name in started and c.lab == lab.name and not c.running]
    if dead:
        raise DockerlabError("\n".join(host.engine.how_it_ended(c) for c in dead))
