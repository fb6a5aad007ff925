"""Commands for looking inside a lab: a command or a shell in a container by its lab key, a packet capture on
one of its networks, and diagrams."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import click

from dockerlab.cli.common import lab_and_hosts
from dockerlab.cli.complete import CONTAINERS, TARGETS
from dockerlab.cli.params import AS, DURATION, FILE
from dockerlab.errors import DockerlabError
from dockerlab.printable import say


@click.command(name="exec", context_settings={"ignore_unknown_options": True},
               short_help="Run a command in one of the lab's containers.")
@FILE
@click.argument("key", shell_complete=CONTAINERS)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@AS
def run_in(file: str, key: str, command: tuple[str, ...], owner: str | None) -> None:
    """Run COMMAND in the lab's container KEY (after `--`); its exit code is dockerlab's."""
    _enter(file, key, list(command), owner)


@click.command()
@FILE
@click.argument("key", shell_complete=CONTAINERS)
@AS
def shell(file: str, key: str, owner: str | None) -> None:
    """An interactive shell in the lab's container KEY."""
    _enter(file, key, ["sh"], owner)


def _enter(file: str, key: str, argv: list[str], owner: str | None) -> None:
    from dockerlab.plan.ownership import own_container

    lab, hosts = lab_and_hosts(file, owner=owner)
    spec = lab.container(key)
    if spec is None:
        keys = ", ".join(c.key for c in lab.containers) or "none"
        raise DockerlabError(f"lab {lab.name} has no container '{key}' (its containers: {keys})")
    host = hosts[spec.host]
    box = own_container(lab, host.engine.observe(), spec.name, key, host.label)
    if box is None or not box.running:
        state = f"is {box.state}" if box else "does not exist"
        raise DockerlabError(f"container {key} ({spec.name}) {state} on {host.label}; `dockerlab apply {file}` "
                             "starts it")
    docker = shutil.which("docker")
    if docker:  # the CLI gives a terminal, signals and the exit code as they are
        tty = ["-i", "-t"] if sys.stdin.isatty() and sys.stdout.isatty() else ["-i"]
        os.execv(docker, [docker, "-H", host.address, "exec", *tty, box.id, *argv])
    code, out = host.engine.exec_in(box.id, argv)  # no CLI: no terminal, output when done
    click.echo(out, nl=False)
    sys.exit(code)


@click.command()
@FILE
@click.option("--format", "form", type=click.Choice(["mermaid", "dot", "html"]), default="mermaid",
              show_default=True)
@click.option("--live", is_flag=True, help="Addresses as the engine has them, drift marked.")
def graph(file: str, form: str, live: bool) -> None:
    """A diagram of the lab: networks, containers, addresses. HTML is one file (the live view's page, drawn
    once), which fetches nothing."""
    from dockerlab.learn import graph as draw

    if live:
        from dockerlab.reconcile import plan_lab

        lab, hosts = lab_and_hosts(file)
        plan, view = plan_lab(hosts, lab, check=False)
    else:
        from dockerlab.labfile.load import load_lab

        whole = load_lab(file)
        lab, plan, view = (whole.stages[-1] if whole.stages else whole), None, None  # a staged lab: all of it
    if form == "html":
        from dockerlab.live.picture import picture
        from dockerlab.live.static import self_contained

        click.echo(self_contained(picture(lab, view, plan)))  # lab text inside is JSON, every byte escaped
        return
    shown = draw.diagram(lab, view.observed if view else None, plan)
    say({"mermaid": draw.mermaid, "dot": draw.dot}[form](shown))


@click.command(short_help="Capture the lab's packets with tcpdump.")
@FILE
@click.argument("target", shell_complete=TARGETS)
@click.argument("expression", nargs=-1, type=click.UNPROCESSED)
@click.option("-w", "--write", metavar="FILE", help="Write pcap to FILE; '-': to stdout (| wireshark -k -i -).")
@click.option("-c", "--count", type=click.IntRange(1), help="Stop after this many packets.")
@click.option("--duration", type=DURATION, help="Stop after this many seconds.")
@AS
def capture(file: str, target: str, expression: tuple[str, ...], write: str | None, count: int | None,
            duration: float | None, owner: str | None) -> None:
    """Packets of the lab with tcpdump: TARGET is a network (its bridge), a container KEY or KEY@NETWORK (its
    interface there); a capture filter may follow `--`, e.g. `-- icmp`."""
    from dockerlab.learn.capture import open_pcap, tap, tcpdump

    lab, hosts = lab_and_hosts(file, owner=owner)
    spec = lab.container(target.partition("@")[0])
    where = tap(lab, hosts[spec.host] if spec else next(iter(hosts.values())), target)
    say(f"capture: {where.how}", err=True)
    argv = tcpdump(where, write, count, duration, expression)
    out = open_pcap(write) if write and write != "-" else None
    sys.stdout.flush()
    capturing = subprocess.Popen(argv, stdout=out)  # Ctrl-C reaches it too: it ends, says its count, and goes
    try:
        code = capturing.wait()
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: tcpdump ends as on Ctrl-C; 130, as every dockerlab command
        capturing.send_signal(signal.SIGINT)
        try:
            capturing.wait(timeout=5)
        except subprocess.TimeoutExpired:
            capturing.kill()
        code = 130
    sys.exit(code)
