"""A plan that failed or was interrupted: the error that carries it, and what it says (what failed, what was done
and what not, and how to go on). One cause of many failures on a host is said once."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlab.core.model import Lab
from dockerlab.core.scheduler import Outcome
from dockerlab.errors import ApplyError, Unstarted
from dockerlab.plan.steps import Mode, Plan, Step
from dockerlab.printable import shell_word


class PlanFailed(ApplyError):
    """Some steps of a plan failed: the plan and its outcome, for whoever wants more than the message."""

    def __init__(self, lab: Lab, plan: Plan, outcome: Outcome[Step]) -> None:
        super().__init__(failure_text(lab, plan, outcome), outcome.interrupted)
        self.plan, self.outcome = plan, outcome


def failure_text(lab: Lab, plan: Plan, outcome: Outcome[Step]) -> str:
    """What failed, what was done and what not, and how to go on."""
    verb = plan.mode.value
    lines = [f"{verb} was interrupted" if outcome.interrupted else f"{verb} failed", *_failures(outcome)]
    lines.append(f"  done: {len(outcome.done)} of {len(plan.steps)} steps"
                 + (f" ({_some(f'{s.action} {s.name}{s.where}' for s in outcome.done)})" if outcome.done else ""))
    if outcome.skipped:
        lines.append("  not done: " + _some(f"{s.action} {s.kind} {s.name}{s.where}" for s in outcome.skipped))
    again = f"dockerlab destroy {lab.path}" if lab.hosts and lab.path else f"dockerlab destroy --lab {lab.name}"
    if outcome.interrupted and not outcome.failed and len(outcome.done) == len(plan.steps):
        status = f"dockerlab status {shell_word(lab.path)}" if lab.path else "dockerlab status FILE"
        lines.append(f"  every step was done before the interrupt: `{status}` says whether the engine matches the file")
    elif plan.mode is Mode.DESTROY:
        lines.append(f"  what is left is labelled {lab.name!r}: `{again}` again removes it")
    else:
        lines.append(f"  everything made is labelled {lab.name!r}: `dockerlab apply` again finishes the lab, "
                     f"`{again}` removes it")
    return "\n".join(lines)


def _failures(outcome: Outcome[Step]) -> list[str]:
    """One cause of many failures on a host (its engine gone) is said once."""
    alike: dict[tuple[str, str], list[tuple[Step, str]]] = {}
    for (step, error), exc in zip(outcome.failed, outcome.raised, strict=True):
        cause = exc.cause if isinstance(exc, Unstarted) else error
        alike.setdefault((step.host, cause), []).append((step, error))
    lines = []
    for (_, cause), failed in alike.items():
        if len(failed) > 2:
            lines.append(f"  failed{failed[0][0].where}: {len(failed)} steps ({_some(s.name for s, _ in failed)}): "
                         f"{cause}")
            continue
        for step, error in failed:
            what = f"{step.action} {step.kind} {step.name}{step.where}"
            lines.append(f"  failed: {error}" if error.startswith(what) else f"  failed: {what}: {error}")
    return lines


def _some(items: Iterable[str], shown: int = 6) -> str:
    """The first few of a long list, and how many more."""
    every = list(items)
    more = len(every) - shown
    return ", ".join(every[:shown]) + (f", and {more} more" if more > 0 else "")
