"""Observe, diff, act, observe again: the loop behind plan, apply and destroy, on one host."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .diff import needs_inspect
from .errors import ApplyError
from .executor import DEFAULT_PARALLEL, Executor, Outcome, Report
from .host import Host
from .lock import lab_lock
from .model import Lab
from .observed import Observed
from .plan import Mode, Plan
from .planner import make_plan
from .preflight import preflight


@dataclass(frozen=True)
class Result:
    plan: Plan
    outcome: Outcome
    remaining: Plan  # what a fresh plan still wants after the run; empty when converged


def observe(host: Host, lab: Lab) -> Observed:
    observed = host.engine.observe()
    return host.engine.with_endpoint_details(observed, needs_inspect(lab, observed))


def plan_lab(host: Host, lab: Lab, mode: Mode = Mode.APPLY) -> tuple[Plan, Observed]:
    observed = observe(host, lab)
    plan = make_plan(lab, observed, host.engine.local_images() if mode is Mode.APPLY else None, mode)
    if mode is Mode.APPLY:
        preflight(lab, plan, observed, host)
    return plan, observed


def apply_lab(host: Host, lab: Lab, report: Report, on_plan: Callable[[Plan], None] | None = None,
              parallel: int = DEFAULT_PARALLEL, mode: Mode = Mode.APPLY) -> Result:
    with lab_lock(lab.name, host.engine.identity):
        plan, _ = plan_lab(host, lab, mode)
        if on_plan:
            on_plan(plan)
        outcome = Executor(host.engine, lab, report, parallel).run(plan) if plan.changes else Outcome()
        remaining = make_plan(lab, observe(host, lab), mode=mode) if plan.changes else plan
    if not outcome.ok:
        raise ApplyError(failure_summary(lab, plan, outcome))
    return Result(plan, outcome, remaining)


def destroy_lab(host: Host, name: str, report: Report, parallel: int = DEFAULT_PARALLEL) -> Result:
    """Remove everything labelled with the lab's name: the plan towards a lab with nothing in it."""
    return apply_lab(host, Lab(name=name, prefix=""), report, parallel=parallel, mode=Mode.DESTROY)


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
    lines.append(f"  everything made is labelled {lab.name!r}: `dockerlab apply` again finishes the lab, "
                 f"`dockerlab destroy --lab {lab.name}` removes it")
    return "\n".join(lines)
