"""The command line: parse, call, print. Exit 0 ok, 1 error, 2 changes pending (plan --detailed-exitcode)."""

from __future__ import annotations

import json
import signal
import sys
from typing import TYPE_CHECKING

import click

from dockerlab import defaults
from dockerlab.cli.bundled import labs
from dockerlab.cli.checks import check, run_checks_of
from dockerlab.cli.common import addresses, hosts_of, lab_and_hosts, load, read_only_plan
from dockerlab.cli.complete import STAGES
from dockerlab.cli.grade import grade
from dockerlab.cli.live import events, view
from dockerlab.cli.look import capture, graph, run_in, shell
from dockerlab.cli.params import AS, FILE, SECONDS
from dockerlab.cli.teach import break_lab, next_stage
from dockerlab.cli.version import show_version
from dockerlab.core.words import speak
from dockerlab.errors import DockerlabError
from dockerlab.printable import reader_gone, say

if TYPE_CHECKING:
    pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
              help="Show the version, the engines it is tested on, and the engine it would use.")
@click.option("--lang", metavar="LANG", expose_value=False, callback=lambda c, p, v: speak(v),
              help="The language of lessons and hints (en, ja, ...): else DOCKERLAB_LANG, else the locale's.")
def cli() -> None:
    """Declarative Docker network labs: networks and containers from a YAML file,
    reconciled against the live engine."""


@cli.command(short_help="Check lab files: schema and meaning, no engine needed.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check lab files against the schema and for meaning; no engine needed."""
    from dockerlab.cli.render import validated_text

    errors = []
    for path in files:
        try:
            lab = load(path)
        except DockerlabError as exc:
            errors.append(str(exc))
            continue
        say(validated_text(path, lab))
    if errors:
        raise DockerlabError("\n".join(errors))


@cli.command()
@FILE
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--as", "form", type=click.Choice(["docker"]), help="Print the plan as docker commands to paste.")
@click.option("--no-labels", is_flag=True, help="With --as docker: without dockerlab's labels, to read.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error.")
@click.option("--stage", shell_complete=STAGES, help="A staged lab: the plan to that stage (else to the one it is at).")
def plan(file: str, as_json: bool, form: str | None, no_labels: bool, detailed_exitcode: bool,
         stage: str | None) -> None:
    """Show what apply would do, step by step."""
    from dockerlab.cli.as_docker import plan_commands
    from dockerlab.cli.render import plan_json, plan_text

    lab, hosts = lab_and_hosts(file, stage)
    the_plan, _ = read_only_plan(hosts, lab, look_past=not form)
    where = addresses(hosts)
    text = plan_commands(lab, the_plan, where, labels=not no_labels) if form else plan_text(the_plan, where)
    say(plan_json(the_plan) if as_json else text)
    if detailed_exitcode and the_plan.changes:
        sys.exit(2)


STEPS_AT_ONCE = click.IntRange(1, 256)
PARALLEL = click.option("--parallel", default=defaults.PARALLEL, show_default=True, type=STEPS_AT_ONCE,
                        help="Steps run at once.")


@cli.command(short_help="Make the engine match the lab file, step by step.")
@FILE
@PARALLEL
@click.option("--check", "then_check", is_flag=True, help="Run the lab's checks after applying.")
@click.option("--take-over", is_flag=True, help="Make objects another file with this lab name made this file's.")
@click.option("--settle", default=defaults.SETTLE, show_default=True, type=SECONDS,
              help="Seconds new containers must keep running.")
@click.option("--stage", shell_complete=STAGES,
              help="A staged lab: the stage to bring the engine to (else the one it is at).")
@AS
def apply(file: str, parallel: int, then_check: bool, take_over: bool, settle: float, stage: str | None,
          owner: str | None) -> None:
    """Make the engine match the lab file; prints the plan, then each step as it finishes."""
    from dockerlab.cli.applying import applied
    from dockerlab.reconcile import Options

    lab, hosts = lab_and_hosts(file, stage, owner)
    applied(lab, hosts, Options(parallel, take_over, settle))
    if then_check and any(r.fails_run for r in run_checks_of(lab, hosts, as_json=False)):
        sys.exit(1)


@cli.command(short_help="Remove every container and network the lab owns.")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--lab", "lab_name", help="Destroy by lab name, without the file: all it owns, from any file.")
@click.option("--parallel", default=defaults.DESTROY_PARALLEL, show_default=True, type=STEPS_AT_ONCE,
              help="Steps run at once.")
@AS
def destroy(file: str | None, lab_name: str | None, parallel: int, owner: str | None) -> None:
    """Remove every container and network the lab owns, found by its labels."""
    from dockerlab.cli.render import destroy_text, done_line
    from dockerlab.labfile.load import lab_to_destroy
    from dockerlab.reconcile import Options, destroy_lab

    if bool(file) == bool(lab_name):
        raise DockerlabError("destroy takes a lab FILE or --lab NAME (one of them)")
    lab = lab_to_destroy(file, lab_name, owner)
    hosts = hosts_of(lab)
    result = destroy_lab(hosts, lab, report=lambda s, t, e: say(done_line(s, t, e)), options=Options(parallel))
    say(destroy_text(result.plan, len(result.outcome.done),
                            None if result.plan.changes else [h.engine.observe() for h in hosts.values()]))


@cli.command(short_help="The lab as the engine has it, drift marked.")
@FILE
@click.option("--json", "as_json", is_flag=True, help="Print status as JSON.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 in sync, 2 with drift, 1 on error.")
@AS
def status(file: str, as_json: bool, detailed_exitcode: bool, owner: str | None) -> None:
    """Each network and container of the lab as the engine has it, with drift marked."""
    from dockerlab.cli.status import status_of, status_text

    lab, hosts = lab_and_hosts(file, owner=owner)
    plan, view = read_only_plan(hosts, lab, check=False)
    status = status_of(view, plan)
    say(json.dumps(status.to_dict(), indent=2) if as_json else status_text(status))
    if detailed_exitcode and not status.in_sync:
        sys.exit(2)


@cli.command(name="ls", short_help="Every dockerlab lab on the engine (or a lab file's hosts).")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def list_labs(file: str | None) -> None:
    """Every dockerlab lab on the engine, or on each host a lab FILE names."""
    from dockerlab.cli.render import labs_text

    hosts = hosts_of(load(file) if file else None)
    say("\n".join(labs_text(h.engine.observe(), h.label if len(hosts) > 1 else "") for h in hosts.values()))


for command in (check, next_stage, break_lab, grade, run_in, shell, graph, capture, events, view, labs):
    cli.add_command(command)


def _stop_gracefully(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # as Ctrl-C: finish the steps in flight, start no new ones, say what is left


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_gracefully)  # CI runners and `timeout` send SIGTERM
    try:
        cli.main(prog_name="dockerlab", standalone_mode=False)  # `python -m dockerlab` too: its usage, its completion
    except click.exceptions.Abort:
        say("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(1)
    except DockerlabError as exc:
        say(f"dockerlab: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        say("dockerlab: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:  # output no one reads any more (`graph | head`): as other tools, 128 + SIGPIPE
        reader_gone(sys.stdout)
        sys.exit(141)
