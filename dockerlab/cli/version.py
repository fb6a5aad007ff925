"""`dockerlab --version`: dockerlab's version, the engines it is tested on, and the engine in use."""

from __future__ import annotations

import click

from dockerlab.errors import DockerlabError
from dockerlab.printable import say


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """dockerlab's version, the engines it is tested on, and the engine DOCKER_HOST names, if one answers."""
    if not value or ctx.resilient_parsing:
        return
    from dockerlab import __version__
    from dockerlab.core.capabilities import TESTED_ON
    from dockerlab.host.host import Host

    tested = ", ".join(f"Docker {release} (API {api})" for release, api in TESTED_ON)
    host = Host.from_env()
    try:
        engine = host.engine.describe()
    except DockerlabError as exc:
        engine = str(exc)
    say(f"dockerlab {__version__}, tested on {tested}\nengine: {engine}")
    ctx.exit()
