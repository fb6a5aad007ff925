"""`check --predict`: the learner's predictions, asked on the terminal one check at a time or read from a file,
before any check runs; the score after."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from dockerlab.errors import DockerlabError
from dockerlab.printable import shown

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.learn.predict import Predictions, Scored


def predictions_of(lab: Lab, filename: str | None) -> Predictions:
    from dockerlab.labfile.load import read_yaml
    from dockerlab.learn.predict import read_predictions

    if filename:
        return read_predictions(lab, read_yaml(filename), filename)
    if not sys.stdin.isatty():
        raise DockerlabError("--predict asks one question per check on a terminal; without one, give "
                             "--predictions FILE (a map of each check's name to its answer)")
    return _ask(lab)


def _ask(lab: Lab) -> Predictions:
    from dockerlab.learn.predict import question

    click.echo(f"lab {shown(lab.name)}: what will each check find? ({len(lab.checks)} questions)")
    said = {}
    for i, check in enumerate(lab.checks, 1):
        answers = [str(e) for e in check.expect.outcomes]
        word = click.prompt(f"{i}. {shown(question(check))}", type=click.Choice(answers), show_choices=False,
                            prompt_suffix=" ")
        said[check.label] = next(e for e in check.expect.outcomes if str(e) == word)
    return said


def score_text(verdicts: list[Scored]) -> str:
    counted = [v for v in verdicts if v.counted]
    right = sum(v.right for v in counted)
    lines = [f"predictions: {right} of {len(counted)} right"
             + (f" ({len(verdicts) - len(counted)} checks could not run)" if len(counted) < len(verdicts) else "")]
    wrong = [v for v in counted if not v.right]
    lines += ["wrong:"] * bool(wrong) + [f"  {v.result.check.label}: you said {v.said}, it was {v.found}"
                                         + (f": {v.why}" if v.why else "") for v in wrong]
    return "\n".join(lines)
