"""Observe, diff, act, observe again: the loop behind plan, apply and destroy, on one host."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from .defaults import PARALLEL, SETTLE
from .diff import needs_inspect
from .errors import ApplyError, DockerlabError
from .executor import Executor, Outcome, Report
from .host import Host
from .lock import lab_lock
from .model import Lab
from .observed import Observed
from .plan import Action, Kind, Mode, Plan
from .planner import make_plan
from .preflight import preflight


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


def observe(host: Host, lab: Lab) -> Observed:
    observed = host.engine.observe()
    if host.links is not None:  # `ip` calls in the engine's network namespace
        observed = replace(observed, host_links=host.links.observe())
    return host.engine.with_endpoint_details(observed, needs_inspect(lab, observed))


def plan_lab(host: Host, lab: Lab, mode: Mode = Mode.APPLY, take_over: bool = False) -> tuple[Plan, Observed]:
    observed = observe(host, lab)
    plan = make_plan(lab, observed, host.engine.local_images() if mode is Mode.APPLY else None, mode, take_over)
    if mode is Mode.APPLY:
        preflight(lab, plan, observed, host)
    return plan, observed


def apply_lab(host: Host, lab: Lab, report: Report, on_plan: Callable[[Plan], None] | None = None,
              options: Options = Options(), mode: Mode = Mode.APPLY) -> Result:
    with lab_lock(lab.name, host.engine.identity):
        plan, _ = plan_lab(host, lab, mode, options.take_over)
        if on_plan:
            on_plan(plan)
        if not plan.changes:
            return Result(plan, Outcome(), plan)
        outcome = Executor(host.engine, lab, report, options.parallel, host.links).run(plan)
        if not outcome.ok:  # said before anything else is asked of an engine that may have gone
            raise ApplyError(failure_summary(lab, plan, outcome), outcome.interrupted)
        started = _started(plan) if mode is Mode.APPLY else set()
        if started:
            time.sleep(options.settle)
        observed = observe(host, lab)
        _alive(host, lab, started, observed)
        remaining = make_plan(lab, observed, mode=mode, take_over=options.take_over)
    return Result(plan, outcome, remaining)


def destroy_lab(host: Host, name: str, report: Report, options: Options = Options(), origin: str = "") -> Result:
    """Remove what the lab owns: the plan towards a lab with nothing in it. With `origin` (a lab file's real
    path) only what that file made; without, everything labelled with the lab's name."""
    return apply_lab(host, Lab(name=name, prefix="", origin=origin), report, options=options, mode=Mode.DESTROY)


def _started(plan: Plan) -> set[str]:
    return {s.name for s in plan.steps if s.kind is Kind.CONTAINER and (s.action.builds or s.action is Action.START)}


def _alive(host: Host, lab: Lab, started: set[str], observed: Observed) -> None:
    """Containers this run started must still run after the settle time: else say how each ended."""
    dead = [c for c in observed.containers if c.name in started and c.lab == lab.name and not c.running]
    if dead:
        raise DockerlabError("\n".join(host.engine.how_it_ended(c) for c in dead))


def failure_summary(lab: Lab, plan: Plan, outcome: Outcome) -> str:
    verb = plan.mode.value
    lines = [f"{verb} was interrupted" if outcome.interrupted else f"{verb} failed"]
    for step, error in outcome.failed:
        what = f"{step.action} {step.kind} {step.name}"
        lines.append(f"  failed: {error}" if error.startswith(what) else f"  failed: {what}: {error}")
    lines.append(f"  done: {len(outcome.done)} of {len(plan.steps)} steps"
                 + (f" ({', '.join(f'{s.action} {s.name}' for s in outcome.done[:6])}"
                    f"{', ...' if len(outcome.done) > 6 else ''})" if outcome.done else ""))
    if outcome.skipped:
        lines.append(f"  not done: {', '.join(f'{s.action} {s.kind} {s.name}' for s in outcome.skipped)}")
    if plan.mode is Mode.DESTROY:
        lines.append(f"  what is left is labelled {lab.name!r}: `dockerlab destroy --lab {lab.name}` again removes it")
    else:
        lines.append(f"  everything made is labelled {lab.name!r}: `dockerlab apply` again finishes the lab, "
                     f"`dockerlab destroy --lab {lab.name}` removes it")
    return "\n".join(lines)
