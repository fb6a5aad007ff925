"""`dockerlab labs`: the labs that ship with dockerlab, and `labs copy` to write one out and edit it."""

from __future__ import annotations

import click

from dockerlab.cli.complete import bundled_labs
from dockerlab.printable import say


@click.group(invoke_without_command=True, short_help="The labs that ship with dockerlab; `labs copy` writes one out.")
@click.pass_context
def labs(ctx: click.Context) -> None:
    """The labs that ship with dockerlab, one a line with what it shows; `labs copy NAME` writes one out."""
    if ctx.invoked_subcommand:
        return
    from dockerlab.labfile.bundled import bundled, described

    rows = [(name, described(f)) for name, f in bundled().items()]
    width = max(len(name) for name, _ in rows)
    say("\n".join(f"{name:<{width}}  {text}" for name, text in rows))


@labs.command(name="copy")
@click.argument("name", shell_complete=bundled_labs)
@click.argument("dest", required=False, type=click.Path(dir_okay=False))
def copy(name: str, dest: str | None) -> None:
    """Write the bundled lab NAME to DEST (else NAME.yaml here), to apply and edit; never over a file."""
    from dockerlab.labfile.bundled import copy_out

    say(f"wrote {copy_out(name, dest)}")
