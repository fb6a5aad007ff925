"""`dockerlab check` and `apply --check`: the lab's checks run, as a table, JSON or JUnit, with a ticker meanwhile."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dockerlab.cli.common import lab_and_hosts
from dockerlab.cli.complete import CHECKS
from dockerlab.cli.params import AS, FILE
from dockerlab.errors import DockerlabError
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host
    from dockerlab.learn.checkresult import CheckResult


@click.command(short_help="Prove the lab's connectivity: ping, TCP, UDP, DNS, facts.")
@FILE
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.option("--only", metavar="NAME,...", shell_complete=CHECKS, help="Run only the checks of these names.")
@click.option("--junit", type=click.Path(dir_okay=False, writable=True),
              help="Write the results to FILE as JUnit XML too (a test case per check), for CI.")
@click.option("--predict", is_flag=True, help="Say what each check will find before it runs; scored after.")
@click.option("--predictions", type=click.Path(dir_okay=False), help="The predictions from FILE, not asked.")
@AS
def check(file: str, as_json: bool, only: str | None, junit: str | None, predict: bool,
          predictions: str | None, owner: str | None) -> None:
    """Prove the connectivity the lab states: ping, TCP, UDP, DNS and interface facts. Exit 1 if a check fails
    (a check of `level: warn` is shown, and fails nothing)."""
    from dockerlab.cli.predicting import predictions_of, score_text
    from dockerlab.learn.predict import scored

    lab, hosts = lab_and_hosts(file, owner=owner)
    lab = only_these(lab, only)
    said = predictions_of(lab, predictions) if predict or predictions else None
    results = run_checks_of(lab, hosts, None if as_json and said is not None else as_json)  # one JSON
    if said is not None:
        verdicts = scored(lab, results, said)
        say(json.dumps([{**v.result.to_dict(), "predicted": str(v.said), "right": v.right} for v in verdicts],
                       indent=2) if as_json else score_text(verdicts))
    if junit:
        from dockerlab.learn.junit import junit_xml

        Path(junit).write_text(junit_xml([(lab.name, results)]), encoding="utf-8")
    if any(r.fails_run for r in results):
        sys.exit(1)


def only_these(lab: Lab, names: str | None) -> Lab:
    """The lab with the checks named (comma-separated) alone; a name it lacks is an error that lists its names."""
    if names is None:
        return lab
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {c.name for c in lab.checks if c.name}
    if unknown := [n for n in wanted if n not in known]:
        raise DockerlabError(f"lab {lab.name} has no check named {', '.join(map(repr, unknown))}; its checks: "
                             + (", ".join(sorted(known)) or "none has a name (give them 'name:')"))
    return replace(lab, checks=tuple(c for c in lab.checks if c.name in wanted))


def run_checks_of(lab: Lab, hosts: dict[str, Host], as_json: bool | None) -> list[CheckResult]:
    """Run the lab's checks and print the table (or JSON; None: nothing): the results, for the caller to judge."""
    from dockerlab.cli.progress import Ticker
    from dockerlab.cli.render import checks_text
    from dockerlab.learn.checks import run_checks
    from dockerlab.plan.observe import look

    if not lab.checks:
        raise DockerlabError(f"lab {lab.name} has no checks; add a 'checks:' section to {lab.path}")
    ticker = Ticker()
    ticker.start(len(lab.checks), f"lab {lab.name}: checks")
    try:
        results = run_checks(look(lab, hosts, swarm=False), done=lambda r: ticker.line(None))
    finally:
        ticker.stop()
    if as_json is not None:
        say(json.dumps([r.to_dict() for r in results], indent=2) if as_json else checks_text(lab.name, results))
    return results
