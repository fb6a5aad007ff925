"""An apply as the commands show it (apply, next, break): the plan, each step as it finishes, the lab's lesson."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockerlab.cli.common import addresses
from dockerlab.cli.progress import Ticker
from dockerlab.errors import DockerlabError
from dockerlab.printable import counted, say

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host
    from dockerlab.plan.steps import Plan, Step
    from dockerlab.reconcile import Options


def applied(lab: Lab, hosts: dict[str, Host], options: Options, quiet: bool = False) -> None:
    """quiet: nothing printed (break makes its fault without showing it)."""
    from dockerlab.cli.render import done_line, lesson_text, plan_text, step_line
    from dockerlab.reconcile import apply_lab

    ticker = Ticker()

    def report(step: Step, seconds: float, error: str | None) -> None:
        if not quiet:
            ticker.line(done_line(step, seconds, error))

    def planned(p: Plan) -> None:
        if not quiet:
            say(plan_text(p, addresses(hosts)))
            ticker.start(len(p.steps), f"lab {lab.name}")
    try:
        result = apply_lab(hosts, lab, report=report,
                           on_plan=planned, options=options)
    finally:
        ticker.stop()
    if result.remaining.changes:
        raise DockerlabError("the lab did not converge; still to do:\n"
                             + "\n".join(step_line(s) for s in result.remaining.steps))
    if quiet:
        return
    if result.plan.changes:
        where = "the engine matches" if len(hosts) == 1 else f"its {len(hosts)} hosts match"
        stage = f" at stage {lab.stage}" if lab.stage else ""
        say(f"lab {lab.name}: applied {counted(len(result.outcome.done), 'step')}; {where} the file{stage}")
    if lab.lesson:
        say(lesson_text(lab))
