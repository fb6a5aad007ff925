"""Observe, diff, act, observe again: the loop behind plan, apply and destroy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .engine import Engine
from .errors import ApplyError
from .executor import DEFAULT_PARALLEL, Executor, Outcome, Report
from .lock import lab_lock
from .model import Lab
from .observed import Observed
from .plan import Plan
from .planner import make_plan, needs_inspect
from .preflight import preflight


@dataclass(frozen=True)
class Result:
    plan: Plan
    outcome: Outcome
    remaining: Plan  # what a fresh plan still wants after the run; empty when converged


def observe(engine: Engine, lab: Lab) -> Observed:
    observed = engine.observe()
    return engine.with_endpoint_details(observed, needs_inspect(lab, observed))


def plan_lab(engine: Engine, lab: Lab, check_host: bool = True) -> tuple[Plan, Observed]:
    observed = observe(engine, lab)
    plan = make_plan(lab, observed, engine.local_images())
    if check_host:
        preflight(lab, plan, observed, engine.swarm_state, engine.is_local)
    return plan, observed


def empty_lab(name: str) -> Lab:
    """The lab with nothing in it: planning towards it removes everything the lab owns."""
    return Lab(name=name, prefix="")


def apply_lab(engine: Engine, lab: Lab, report: Report, on_plan: Callable[[Plan], None] | None = None,
              parallel: int = DEFAULT_PARALLEL) -> Result:
    with lab_lock(lab.name, engine.host):
        plan, _ = plan_lab(engine, lab, check_host=bool(lab.networks or lab.containers))
        if on_plan:
            on_plan(plan)
        outcome = Executor(engine, lab, report, parallel).run(plan) if plan.changes else Outcome()
        remaining = make_plan(lab, observe(engine, lab)) if plan.changes else plan
    if not outcome.ok:
        raise ApplyError(failure_summary(lab, plan, outcome))
    return Result(plan, outcome, remaining)


def failure_summary(lab: Lab, plan: Plan, outcome: Outcome) -> str:
    verb = "apply" if lab.networks or lab.containers else "destroy"
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
