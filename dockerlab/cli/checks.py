"""`dockerlab check` and `apply --check`: the lab's checks run, as a table or JSON, with a ticker meanwhile."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from dockerlab.errors import DockerlabError
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host


def run_checks_of(lab: Lab, hosts: dict[str, Host], as_json: bool) -> None:
    """Run the lab's checks, print the table (or JSON); exit 1 when one fails."""
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
    if as_json:
        say(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        say(checks_text(lab.name, results))
    if not all(r.passed for r in results):
        sys.exit(1)
