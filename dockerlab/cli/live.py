"""`dockerlab events` and `dockerlab view`: the lab followed as the engine changes it."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import click

from dockerlab.cli.params import AS, FILE, SECONDS
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.live.watch import Watch


def _watch(file: str, owner: str | None, since: float | None = None, until: float | None = None) -> Watch:
    from dockerlab.cli.common import hosts_of, instance, load
    from dockerlab.live.watch import Watch
    from dockerlab.plan.observe import connect

    lab = load(file)
    hosts = hosts_of(lab)
    connect(hosts)  # every host answers before anything is followed
    return Watch(instance(lab, hosts, owner) if owner else lab, hosts, since, until)


@click.command(short_help="Follow the lab's changes and drift as the engine reports them.")
@FILE
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.option("--since", type=SECONDS, metavar="SECONDS", help="Begin with what happened in the last SECONDS.")
@click.option("--for", "duration", type=SECONDS, metavar="SECONDS",
              help="Stop after SECONDS (0: at once: with --since, what a command just did).")
@AS
def events(file: str, as_json: bool, since: float | None, duration: float | None, owner: str | None) -> None:
    """Follow the lab: each change of its containers and networks as the engine reports it (start, die with its
    exit code, connect with the address, ...) and drift as it appears and is repaired; until Ctrl-C."""
    now = time.time()  # from now, not from when the stream is open: nothing in between is missed
    watch = _watch(file, owner, now - (since or 0), now + duration if duration is not None else None)
    if duration is None:
        say(f"dockerlab: following lab {watch.lab.name}; Ctrl-C ends", err=True)
    try:
        watch.follow(lambda e: say(json.dumps(e.to_dict()) if as_json else e.line()))
    except KeyboardInterrupt:  # the way it ends
        watch.stop.set()


@click.command(short_help="Serve a live picture of the lab in the browser.")
@FILE
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The port on 127.0.0.1 (0: a free one).")
@AS
def view(file: str, port: int, owner: str | None) -> None:
    """Serve a live picture of the lab on 127.0.0.1: its networks, containers, addresses and checks, redrawn as
    the engine changes. It opens no browser: open the address it prints. Ctrl-C ends it."""
    from dockerlab.errors import DockerlabError

    try:
        from dockerlab.live.server import serve
    except ImportError as exc:  # aiohttp: a dependency of the package, but a hand-made environment may lack it
        raise DockerlabError(f"dockerlab view needs aiohttp ({exc}): pip install aiohttp") from None
    watch = _watch(file, owner, time.time())
    try:
        serve(watch, watch.hosts, port, lambda url: say(f"dockerlab view: lab {watch.lab.name} at {url} "
                                                       "(Ctrl-C ends it)"))
    except KeyboardInterrupt:
        say("dockerlab view: stopped", err=True)
