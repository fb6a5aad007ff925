"""Text for people: plans, step results, status tables. No logic beyond layout."""

from __future__ import annotations

import difflib
import json
import textwrap
from collections import Counter
from typing import TYPE_CHECKING, Any

from dockerlab.core import labels as L
from dockerlab.core.expect import Got
from dockerlab.core.observed import Observed, ObservedContainer, ObservedNetwork
from dockerlab.core.words import say_in
from dockerlab.learn.checkresult import score
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step
from dockerlab.printable import counted, shown

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.learn.checkresult import CheckResult


def step_line(step: Step) -> str:
    what = f"{step.kind} {step.name}"
    if step.kind is Kind.SWARM:
        what = f"swarm: {step.detail}"
    elif step.action.membership:
        what += f": {step.action} {step.detail}"
    elif step.kind is Kind.IMPAIRMENT:
        what += f" on {step.network}: {step.detail}"
    elif step.action is Action.START:
        what += ": start"
    elif step.detail:
        what += f" ({step.detail})"
    if step.causes:
        what += f"  [{'; '.join(step.causes)}]"
    return shown(f"{step.action.symbol:>3} {what}")


def plan_text(plan: Plan, where: dict[str, str]) -> str:
    """where: each host's key and address; a lab on one engine has one, keyed ""."""
    notes = [f"note: {n}" for n in plan.notes]
    one = len(where) == 1 and "" in where
    place = f"the engine at {where['']}" if one else f"hosts {', '.join(where)}"
    if not plan.changes:
        what = "nothing to remove" if plan.mode is Mode.DESTROY else "no changes"
        verb = "matches" if one else "match"
        return "\n".join([f"lab {plan.lab}: {what}; {place} {verb} the file.", *notes])
    counts = Counter(s.action.word for s in plan.steps)
    summary = ", ".join(f"{n} to {action}" for action, n in counts.items())
    if one:
        body = [step_line(s) for s in plan.steps]
    else:
        body = [line for key, address in where.items() if plan.on(key)
                for line in [f"on host {key} ({address}):", *("  " + step_line(s) for s in plan.on(key))]]
    return "\n".join([f"lab {plan.lab}: plan on {place.removeprefix('the engine at ')}", *body,
                      f"plan: {summary}", *notes])


def destroy_text(plan: Plan, removed: int, after: list[Observed] | None) -> str:
    """`after`: the hosts' state when there was nothing to remove, to tell a typo from a clean engine."""
    lines = [f"lab {plan.lab}: removed {counted(removed, 'object')}" if plan.changes else
             f"lab {plan.lab}: nothing to remove"]
    objects = [o for seen in after or () for o in [*seen.networks, *seen.containers]]
    if after is not None and not any(o.lab == plan.lab for o in objects):
        labs = sorted({o.lab for o in objects if o.lab})
        close = difflib.get_close_matches(plan.lab, labs, n=1)
        lines[0] += (f"; no object on this engine is labelled '{plan.lab}'"
                     + (f": did you mean {close[0]}?" if close else "")
                     + f" (labs here: {', '.join(labs) or 'none'}; `dockerlab ls` lists them)")
    return "\n".join(lines + [f"note: {n}" for n in plan.notes])


def done_line(step: Step, seconds: float, error: str | None) -> str:
    where = step.where
    if error:
        return shown(f"  ! {step.kind} {step.name}{where}: {step.action} failed: {error}")
    if step.kind is Kind.SWARM:
        return shown(f"  ok swarm{where}: {step.detail} in {seconds:.1f}s")
    return shown(f"  ok {step.action.past} {step.kind} {step.name}" + (
        f" ({step.network})" if step.network else "") + f"{where} in {seconds:.1f}s")


def validated_text(path: str, lab: Lab) -> str:
    """What a valid file holds: a staged lab's counts are its last stage's."""
    whole = lab.stages[-1] if lab.stages else lab
    parts = [counted(sum(n.key not in L.MARKERS for n in whole.networks), "network"),
             counted(len(whole.containers), "container"), counted(len(whole.checks), "check"),
             *([counted(len(lab.stages), "stage")] if lab.stages else []),
             *([counted(len(lab.faults), "fault")] if lab.faults else [])]
    return f"{path}: ok (lab {lab.name}: {', '.join(parts)})"


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2)


def table(rows: list[list[str]], header: list[str]) -> str:
    cells = [[shown(str(c)) for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def labs_text(observed: Observed, where: str = "") -> str:
    labs: dict[str, dict[str, Any]] = {}
    objects: list[ObservedNetwork | ObservedContainer] = [*observed.networks, *observed.containers]
    for obj in objects:
        if obj.lab and obj.key != L.PROBE:  # a probe an interrupted check left is not one of the lab's containers
            entry = labs.setdefault(obj.lab, {"nets": 0, "boxes": 0, "running": 0, "file": "", "owner": ""})
            entry["file"] = entry["file"] or obj.labels.get(L.FILE, "")
            entry["owner"] = entry["owner"] or obj.labels.get(L.OWNER, "")
            if isinstance(obj, ObservedNetwork):
                entry["nets"] += obj.key not in L.MARKERS
            else:
                entry["boxes"] += 1
                entry["running"] += obj.running
    if not labs:
        return f"no dockerlab labs on {where or 'this engine'}"
    owners = any(e["owner"] for e in labs.values())  # a column only where a learner's instance is
    rows = [[name, *([e["owner"] or "-"] if owners else []), f"{e['running']}/{e['boxes']}", str(e["nets"]),
             e["file"] or "-"] for name, e in sorted(labs.items())]
    return (f"{where}:\n" if where else "") + table(rows, ["LAB", *(["OWNER"] if owners else []), "RUNNING",
                                                           "NETWORKS", "FILE"])


def checks_text(lab: str, results: list[CheckResult]) -> str:
    rows = [[r.check.label, r.check.source, r.check.target or "-", r.how, str(r.check.expect), str(r.got),
             r.verdict, _clip(r.reason)] for r in results]
    passed = sum(r.passed for r in results)
    grid = table(rows, ["CHECK", "FROM", "TO", "HOW", "EXPECT", "GOT", "RESULT", "REASON"])
    why = [f"  {r.check.label}: {r.reason}" for r in results
           if not r.passed and len(r.reason) > CLIP]  # the whole reason where the table cut it
    # a check that could not run says why in its reason: the lesson's hint is for one that ran and came out otherwise
    hints = [f"  {r.check.label}: {say_in(r.check.hint)}" for r in results
             if not r.passed and r.check.hint and r.got is not Got.ERROR]
    warned = sum(not r.passed and not r.fails_run for r in results)
    summary = f"lab {lab}: {passed} of {len(results)} checks passed" + (f" ({warned} warned)" if warned else "")
    points = score(results)
    return "\n".join([grid, *(["", "why:", *why] if why else []), *(["", "hints:", *hints] if hints else []),
                      summary, *([f"score: {points[0]} of {points[1]} points"] if points else [])])


def lesson_text(lab: Lab) -> str:
    """A lab's lesson, in the language spoken; '' when it has none."""
    return "lesson:\n" + textwrap.indent(say_in(lab.lesson), "  ") if lab.lesson else ""  # say() escapes it


CLIP = 70  # the widest reason in the checks table


def _clip(text: str, width: int = CLIP) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
