"""The commands of labs that teach: `next` (a staged lab, one stage on once its checks pass) and `break` (a fault
laid over the healthy lab, its symptom shown, never its cause)."""

from __future__ import annotations

import random
import secrets
import sys
from typing import TYPE_CHECKING

import click

from dockerlab.cli.applying import applied
from dockerlab.cli.checks import run_checks_of
from dockerlab.cli.common import lab_and_hosts
from dockerlab.cli.complete import FAULTS
from dockerlab.cli.params import AS, FILE
from dockerlab.errors import DockerlabError
from dockerlab.printable import say

if TYPE_CHECKING:
    from dockerlab.core.model import Fault, Lab
    from dockerlab.host.host import Host


@click.command(name="next", short_help="Check the stage a staged lab is at; if all pass, go on.")
@FILE
@AS
def next_stage(file: str, owner: str | None) -> None:
    """A staged lab: run the checks of the stage it is at; once all pass, bring it to the next stage."""
    from dockerlab.labfile.stages import at_stage
    from dockerlab.plan.observe import stage_now
    from dockerlab.reconcile import Options

    lab, hosts = lab_and_hosts(file, owner=owner)
    if not lab.stages:
        raise DockerlabError(f"lab {lab.name} has no stages; `dockerlab check {file}` runs its checks")
    if stage_now(lab, hosts) is None:
        raise DockerlabError(f"lab {lab.name} is at no stage yet: `dockerlab apply {file}` brings it to its first, "
                             f"{lab.stages[0].stage}")
    names = [s.stage for s in lab.stages]
    here = names.index(lab.stage)
    results = run_checks_of(lab, hosts, as_json=False) if lab.checks else []
    if any(r.fails_run for r in results):
        say(f"lab {lab.name}: stage {lab.stage} is not done yet; `dockerlab next {file}` again once its checks pass")
        sys.exit(1)
    if here == len(names) - 1:
        say(f"lab {lab.name}: stage {lab.stage} was its last ({len(names)} of {len(names)}): all done")
        return
    say(f"lab {lab.name}: stage {lab.stage} done; on to stage {names[here + 1]} ({here + 2} of {len(names)})")
    applied(at_stage(lab, names[here + 1]), hosts, Options())


@click.command(name="break", short_help="Lay one of the lab's faults over it, for a learner to find.")
@FILE
@click.argument("name", required=False, shell_complete=FAULTS)
@click.option("--seed", help="Choose the fault from this seed: the same seed gives the same fault.")
@click.option("--reveal", is_flag=True, help="Say which fault the lab has now, and what it changed.")
@AS
def break_lab(file: str, name: str | None, seed: str | None, reveal: bool, owner: str | None) -> None:
    """Lay a fault of the lab's over it (NAME, or one the seed picks, else one at random), and show which checks
    now fail. Find the cause and repair it by hand; `dockerlab check` says when it is fixed, `apply` repairs it."""
    lab, hosts = lab_and_hosts(file, owner=owner)
    if not lab.faults:
        raise DockerlabError(f"lab {lab.name} has no faults; add a 'faults:' section to {file}")
    if lab.stages and lab.stage != lab.stages[-1].stage:
        raise DockerlabError(f"lab {lab.name}'s faults break its last stage, {lab.stages[-1].stage}; it is at "
                             f"{lab.stage} (`dockerlab apply {file} --stage {lab.stages[-1].stage}`)")
    if reveal:
        say(_revealed(lab, hosts))
        return
    fault = _chosen(lab, name, seed)
    _lay(lab, hosts, fault)
    failing = [r.check.label for r in run_checks_of(lab, hosts, as_json=None) if not r.passed]
    if not failing:
        raise DockerlabError(f"fault {fault.name} of lab {lab.name} made no check fail: the lab cannot teach it; "
                             f"`dockerlab apply {file}` repairs it")
    say(f"lab {lab.name} is broken: {len(failing)} of {len(lab.checks)} checks fail now:\n  "
        + "\n  ".join(failing) + f"\nfind out why, and repair it; `dockerlab check {file}` says when it is fixed")


def _chosen(lab: Lab, name: str | None, seed: str | None) -> Fault:
    if name is not None:
        found = next((f for f in lab.faults if f.name == name), None)
        if found is None:
            raise DockerlabError(f"lab {lab.name} has no fault {name!r}; its faults: "
                                 + ", ".join(f.name for f in lab.faults))
        return found
    # a string seed gives the same choice in every Python (random seeds str through SHA-512)
    return random.Random(f"{lab.name}:{seed}" if seed is not None else secrets.token_hex()).choice(lab.faults)


def _lay(lab: Lab, hosts: dict[str, Host], fault: Fault) -> None:
    from dockerlab.plan.observe import look
    from dockerlab.reconcile import Options

    applied(fault.lab, hosts, Options(), quiet=True)
    view = look(fault.lab, hosts, swarm=False)
    for key in fault.stop:
        spec = fault.lab.container(key)
        assert spec is not None  # validation holds stop to the fault's containers
        box = view.observed_of(key).container_named(spec.name)
        if box and box.running:
            view.site_of(key).host.engine.stop(box.id, spec.name)


def _revealed(lab: Lab, hosts: dict[str, Host]) -> str:
    from dockerlab.core import labels as L
    from dockerlab.plan.observe import marked

    digest = marked(lab, hosts, L.FAULT_NETWORK, L.FAULT)
    if digest is None:
        return f"lab {lab.name} has no fault laid (or it was repaired by `dockerlab apply`)"
    fault = next((f for f in lab.faults if L.fault_digest(lab.name, f.name) == digest), None)
    if fault is None:
        return f"lab {lab.name} has a fault this file does not know; `dockerlab apply` repairs it"
    return f"lab {lab.name} has the fault {fault.name}: " + _what(lab, fault)


def _what(lab: Lab, fault: Fault) -> str:
    """What the fault changed: the containers and networks it made otherwise, and those it stopped."""
    from dockerlab.core import labels as L

    nets = [n.key for n in fault.lab.networks if n != lab.network(n.key) and n.key not in L.MARKERS]
    nets += [f"{n.key} (removed)" for n in lab.networks if fault.lab.network(n.key) is None]
    boxes = [c.key for c in fault.lab.containers if c != lab.container(c.key)]
    boxes += [f"{c.key} (removed)" for c in lab.containers if fault.lab.container(c.key) is None]
    parts = [f"network {', '.join(nets)} made otherwise than the file says" if nets else "",
             f"container {', '.join(boxes)} made otherwise than the file says" if boxes else "",
             f"container {', '.join(fault.stop)} stopped" if fault.stop else ""]
    return "; ".join(p for p in parts if p)
