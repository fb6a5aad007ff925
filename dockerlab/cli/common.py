"""What the commands share: the FILE argument, and a lab file read with the hosts it names."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from dockerlab.errors import DockerlabError
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host

FILE = click.argument("file", type=click.Path(dir_okay=False))


if TYPE_CHECKING:
    _FloatParam = click.ParamType[float]
else:
    _FloatParam = click.ParamType  # generic at run time only from click 8.2


class _Seconds(_FloatParam):
    """A number of seconds from 0 to an hour: never negative, nan or infinite."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (seconds > 0 if self.positive else seconds >= 0) or not seconds <= 3600:  # nan fails both
            self.fail(f"{value!r} is not {'more than 0 and at most' if self.positive else 'between 0 and'} 3600 "
                      "seconds", param, ctx)
        return seconds

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive


SECONDS, DURATION = _Seconds(), _Seconds(positive=True)


def load(path: str) -> Lab:
    from dockerlab.labfile.load import load_lab

    return load_lab(path)


def hosts_of(lab: Lab | None = None) -> dict[str, Host]:
    from dockerlab.host.host import Host

    return Host.of(lab) if lab else {"": Host.from_env()}


def addresses(hosts: dict[str, Host]) -> dict[str, str]:
    """Each host's key and engine address, as plans are printed with them."""
    return {key: host.address for key, host in hosts.items()}


def lab_and_hosts(path: str) -> tuple[Lab, dict[str, Host]]:
    lab = load(path)
    return lab, hosts_of(lab)


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


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """dockerlab's version, the engines it is tested on, and the engine DOCKER_HOST names, if one answers."""
    if not value or ctx.resilient_parsing:
        return
    from importlib.metadata import version

    from dockerlab.core.capabilities import TESTED_ON
    from dockerlab.host.host import Host

    tested = ", ".join(f"Docker {release} (API {api})" for release, api in TESTED_ON)
    host = Host.from_env()
    try:
        engine = host.engine.describe()
    except DockerlabError as exc:
        engine = str(exc)
    say(f"dockerlab {version('dockerlab')}, tested on {tested}\nengine: {engine}")
    ctx.exit()
