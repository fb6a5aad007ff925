"""A class's grades from an exercise's checks, each student's results: the terminal summary, CSV and JSON. Pure."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from dockerlab.core.check import Check
from dockerlab.learn.checkresult import CheckResult


@dataclass(frozen=True)
class Grade:
    student: str  # the file's name without .yaml
    file: str
    results: list[CheckResult] = field(default_factory=list)  # one per check of the exercise, in its order
    error: str = ""  # why the lab could not be applied at all (then every check has no points)

    def points(self) -> int:
        return sum(r.worth for r in self.results if r.passed)


def most(checks: tuple[Check, ...]) -> int:
    return sum(1 if c.points is None else c.points for c in checks)


def grades_csv(checks: tuple[Check, ...], grades: list[Grade]) -> str:
    """A row per student: the points, the most there were, each check's points, and any error."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "points", "of", *(c.label for c in checks), "error"])
    for g in grades:
        each = {r.check.label: r.worth if r.passed else 0 for r in g.results}
        writer.writerow([g.student, g.points(), most(checks), *(each.get(c.label, 0) for c in checks), g.error])
    return out.getvalue()


def grades_json(checks: tuple[Check, ...], grades: list[Grade]) -> str:
    return json.dumps([{"student": g.student, "file": g.file, "points": g.points(), "of": most(checks),
                        "error": g.error, "checks": [r.to_dict() for r in g.results]} for g in grades], indent=2)
