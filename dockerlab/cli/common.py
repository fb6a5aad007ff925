"""What the commands share: a lab file read, with the hosts it names and their addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dockerlab.errors import DockerlabError

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host
    from dockerlab.plan.observe import View
    from dockerlab.plan.steps import Plan


def load(path: str) -> Lab:
    from dockerlab.labfile.load import load_lab

    return load_lab(path)


def hosts_of(lab: Lab | None = None) -> dict[str, Host]:
    from dockerlab.core.placement import ONE
    from dockerlab.host.host import Host

    return Host.of(lab) if lab else {ONE: Host.from_env()}


def addresses(hosts: dict[str, Host]) -> dict[str, str]:
    """Each host's key and engine address, as plans are printed with them."""
    return {key: host.address for key, host in hosts.items()}


def lab_and_hosts(path: str, stage: str | None = None, owner: str | None = None) -> tuple[Lab, dict[str, Host]]:
    """owner: the learner's own instance of the lab (--as). A staged lab at `stage`, else at the stage its
    engine has it at, else at its first."""
    lab = load(path)
    hosts = hosts_of(lab)
    if owner is not None:
        lab = instance(lab, hosts, owner)
    return (at(lab, hosts, stage) if lab.stages else lab), hosts


def instance(lab: Lab, hosts: dict[str, Host], owner: str) -> Lab:
    """`owner`'s instance: its subnets moved off any that the engines' other networks hold."""
    from dockerlab.labfile.load import lab_from_data, read_yaml
    from dockerlab.labfile.variants import instance_data, instance_name
    from dockerlab.plan.observe import each_host

    name = instance_name(lab.name, owner)
    seen = each_host(hosts, lambda key, host: host.engine.observe()).values()
    taken = [p.subnet for observed in seen for net in observed.networks if net.lab != name for p in net.pools]
    data = read_yaml(lab.origin)
    assert isinstance(data, dict)  # it was read as a lab just now
    return lab_from_data(instance_data(data, owner, taken), lab.path, lab.origin)


def at(lab: Lab, hosts: dict[str, Host], stage: str | None) -> Lab:
    from dockerlab.labfile.stages import at_stage
    from dockerlab.plan.observe import stage_now

    if stage:
        return at_stage(lab, stage)
    now = stage_now(lab, hosts)
    if now and now not in [s.stage for s in lab.stages]:
        raise DockerlabError(f"lab {lab.name} is at stage {now!r} on the engine, which the file no longer has; "
                             f"`dockerlab apply {lab.path} --stage NAME` moves it to one of "
                             + ", ".join(s.stage for s in lab.stages))
    return at_stage(lab, now or lab.stages[0].stage)


def read_only_plan(hosts: dict[str, Host], lab: Lab, check: bool = True, look_past: bool = True) -> tuple[Plan, View]:
    """The plan that plan and status show. A copy of a lab file, whose lab another file made, is shown as
    `apply --take-over` would make it, with a note (apply itself refuses); not with look_past False (commands
    to paste must never remove another file's objects)."""
    from dockerlab.plan.ownership import AnotherFile
    from dockerlab.printable import say
    from dockerlab.reconcile import plan_lab

    try:
        return plan_lab(hosts, lab, check=check)
    except AnotherFile as exc:
        if not look_past:
            raise
        why = "; ".join(exc.problems)
        say(f"note: {why}\nnote: shown as `dockerlab apply --take-over` would make it; nothing was changed",
            err=True)
        return plan_lab(hosts, lab, take_over=True, check=check)
