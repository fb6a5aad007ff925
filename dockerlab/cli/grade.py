"""`dockerlab grade`: a teacher's exercise (its checks and points) over each student's lab file in a folder,
one at a time under a lab name of its own: applied, checked, destroyed. A class summary, and CSV, JSON and JUnit."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dockerlab.errors import DockerlabError, LabFileError
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.learn.checkresult import CheckResult
    from dockerlab.learn.grades import Grade

REPORT = click.Path(dir_okay=False, writable=True)


@click.command(short_help="Grade a class's lab files by an exercise's checks.")
@click.argument("exercise", type=click.Path(dir_okay=False))
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--csv", "csv_file", type=REPORT, help="Write a row per student to FILE.")
@click.option("--json", "json_file", type=REPORT, help="Write every result to FILE as JSON.")
@click.option("--junit", "junit_file", type=REPORT, help="Write FILE as JUnit XML: a suite per student.")
def grade(exercise: str, folder: str, csv_file: str | None, json_file: str | None, junit_file: str | None) -> None:
    """Grade each lab file in FOLDER (*.yaml) by EXERCISE's checks and points."""
    from dockerlab.cli.common import load
    from dockerlab.labfile.load import read_yaml
    from dockerlab.learn.grades import grades_csv, grades_json
    from dockerlab.learn.junit import junit_xml

    task = load(exercise)
    if not task.checks:
        raise DockerlabError(f"exercise {exercise} has no checks to grade by; add a 'checks:' section")
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise DockerlabError(f"no lab files (*.yaml) in {folder}")
    task_data = read_yaml(exercise)
    assert isinstance(task_data, dict)  # it was read as a lab just now
    grades = [_graded(task, task_data, path, i) for i, path in enumerate(files, 1)]
    say(summary_text(task.name, task, grades))
    reports: list[tuple[str | None, Callable[[], str]]] = [
        (csv_file, lambda: grades_csv(task.checks, grades)), (json_file, lambda: grades_json(task.checks, grades)),
        (junit_file, lambda: junit_xml([(g.student, g.results) for g in grades]))]
    for name, text in reports:
        if name:
            Path(name).write_text(text(), encoding="utf-8")


def summary_text(exercise: str, task: Lab, grades: list[Grade]) -> str:
    from dockerlab.cli.render import table
    from dockerlab.learn.grades import most

    best = most(task.checks)
    rows = [[g.student, f"{g.points()}/{best}", f"{sum(r.passed for r in g.results)}/{len(task.checks)}",
             g.error or ", ".join(r.check.label for r in g.results if not r.passed) or "-"] for g in grades]
    mean = sum(g.points() for g in grades) / len(grades)
    return "\n".join([table(rows, ["STUDENT", "POINTS", "CHECKS", "FAILED"]),
                      f"exercise {exercise}: {len(grades)} students, mean {mean:.1f} of {best} points"])


def _graded(task: Lab, task_data: dict[str, object], path: Path, number: int) -> Grade:
    from dataclasses import replace

    from dockerlab.cli.applying import applied
    from dockerlab.cli.common import hosts_of
    from dockerlab.learn.checks import run_checks
    from dockerlab.learn.grades import Grade
    from dockerlab.plan.observe import look
    from dockerlab.reconcile import Options, destroy_lab

    student = path.stem
    name = f"{task.name}-{number:02d}-{re.sub(r'[^a-z0-9_-]+', '-', student.lower())}"[:63].rstrip("-_")
    try:
        lab, unfit = _lab_of(task_data, path, name)
    except DockerlabError as exc:
        return Grade(student, str(path), _errors(task, range(len(task.checks)), _last_line(exc)), "invalid lab file")
    hosts = hosts_of(lab)
    try:
        applied(lab, hosts, Options(), quiet=True)
        ran = run_checks(look(lab, hosts, swarm=False)) if lab.checks else []
        kept = [i for i in range(len(task.checks)) if i not in unfit]
        found = {i: replace(r, check=task.checks[i]) for i, r in zip(kept, ran, strict=True)}
        found |= {i: _errors(task, [i], why)[0] for i, why in unfit.items()}
        return Grade(student, str(path), [found[i] for i in range(len(task.checks))])
    except DockerlabError as exc:
        return Grade(student, str(path), _errors(task, range(len(task.checks)), str(exc).splitlines()[0]),
                     "could not be applied")
    finally:
        destroy_lab(hosts, lab, report=lambda step, seconds, error: None)


def _lab_of(task_data: dict[str, object], path: Path, name: str) -> tuple[Lab, dict[int, str]]:
    """The student's lab (valid as they wrote it) under the exercise's checks; a check that does not fit it (a
    container it lacks) is left out, with why, and scores nothing: its index -> why."""
    from dockerlab.labfile.load import lab_from_data, load_lab, read_yaml
    from dockerlab.labfile.variants import graded_data

    try:
        load_lab(str(path))  # its own problems, at its own lines
    except LabFileError as exc:
        if not all(p.path.startswith("checks") for p in exc.problems):  # its own checks are not what is graded
            raise
    origin = os.path.realpath(path)
    data = read_yaml(str(path))
    assert isinstance(data, dict)
    raws = list(task_data.get("checks") or [])  # type: ignore[call-overload]
    unfit: dict[int, str] = {}
    while True:
        kept = [i for i in range(len(raws)) if i not in unfit]
        try:
            return lab_from_data(graded_data(data, {"checks": [raws[i] for i in kept]}, name), str(path), origin), unfit
        except LabFileError as exc:
            at = {int(m.group(1)): p.message for p in exc.problems if (m := re.match(r"checks\[(\d+)\]", p.path))}
            if not at or len(at) < len(exc.problems):  # the lab itself does not hold together
                raise
            unfit |= {kept[k]: f"does not fit this lab: {why}" for k, why in at.items()}


def _last_line(exc: Exception) -> str:
    return str(exc).splitlines()[-1].strip()


def _errors(task: Lab, which: range | list[int], why: str) -> list[CheckResult]:
    from dockerlab.core.expect import Got
    from dockerlab.learn.checkresult import CheckResult

    return [CheckResult(task.checks[i], "-", Got.ERROR, why) for i in which]
