"""Which live objects a plan may touch. Pure.

An object belongs to a lab when its lab label names the lab AND it was made from this lab file (its file
label), so two files that share a lab name never remove each other's objects. Anything else with a name the
lab wants stops the plan; a lab network that containers outside the lab still use is kept, and said so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dockerlab.core import hostaccess
from dockerlab.core import labels as L
from dockerlab.core.model import Lab
from dockerlab.core.observed import Observed, ObservedContainer, ObservedNetwork
from dockerlab.errors import DockerlabError
from dockerlab.plan.diff import network_changes
from dockerlab.plan.steps import Mode
from dockerlab.printable import shell_word, shown

Owned = ObservedNetwork | ObservedContainer


class ConflictError(DockerlabError):
    """The engine holds objects in the way that the lab does not own."""


class AnotherFile(ConflictError):
    """The only conflict: another file with this lab name made the lab's objects (plan may look past it)."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class Claims:
    """The lab's own live objects, and what the plan must leave alone and say."""

    networks: list[ObservedNetwork] = field(default_factory=list)
    containers: list[ObservedContainer] = field(default_factory=list)
    taken_over: dict[str, str] = field(default_factory=dict)  # object id -> the file that made it
    kept: set[str] = field(default_factory=set)  # ids of lab networks that stay though unwanted
    notes: list[str] = field(default_factory=list)


class _Unfiled(str):
    """Told apart by identity: a file label that reads "no lab file" is still a label."""


UNFILED = _Unfiled("no lab file")  # what made_elsewhere says of an object with the lab label and no file label


def made_elsewhere(lab: Lab, obj: Owned) -> str | None:
    """The other lab file that made obj, or UNFILED when none did (a lab label put on by hand); None when this
    one did. A lab by name only (destroy --lab) owns whatever some file of its name made. A relative file label
    (from before files were recorded whole) names no file for sure: another file's, which --take-over adopts."""
    origin = obj.labels.get(L.FILE, "")
    if not origin:
        return UNFILED
    return None if not lab.origin or origin == lab.origin else origin


def not_ours(lab: Lab, obj: Owned) -> str | None:
    """Why a live object of a name the lab uses is not the lab's, or None when it is: the one rule that exec,
    shell, check and capture ask, as plan and destroy do (lab label and file label)."""
    if obj.lab != lab.name:
        return f"lab {shown(obj.lab)}'s" if obj.lab else "not made by dockerlab"
    origin = made_elsewhere(lab, obj)
    if origin is UNFILED:
        return "labelled with the lab's name by hand (no file label): not made by dockerlab"
    return f"made from {shown(origin)}, another file with this lab name" if origin else None


def own_container(lab: Lab, observed: Observed, name: str, key: str, where: str) -> ObservedContainer | None:
    """The lab's container of that name, or None when there is none; an error when the one there is someone
    else's (exec, shell, capture)."""
    box = observed.container_named(name)
    if box is not None and (why := not_ours(lab, box)):
        raise DockerlabError(f"container {key} ({name}) on {where} is not lab {lab.name}'s: {why}; dockerlab acts "
                             "only on what the lab made")
    return box


def strangers(lab: Lab, boxes: dict[str, ObservedContainer | None]) -> None:
    """The checks' containers, by key: an error naming those of the lab's names that are not its own."""
    found = sorted(f"{key} ({box.name}: {why})" for key, box in boxes.items() if box and (why := not_ours(lab, box)))
    if found:
        raise DockerlabError(f"the checks stop here: containers with lab {lab.name}'s names are not its own: "
                             + "; ".join(found) + "; nothing was run in them")


def claims(lab: Lab, observed: Observed, mode: Mode, take_over: bool = False) -> Claims:
    problems = _name_conflicts(lab, observed) if mode is Mode.APPLY else []
    found = Claims()
    elsewhere: dict[str, list[str]] = {}
    objects: list[Owned] = [*observed.lab_networks(lab.name), *observed.lab_containers(lab.name)]
    for obj in objects:
        origin = made_elsewhere(lab, obj)
        if origin is UNFILED:  # nobody's: never taken over, never removed
            if mode is Mode.APPLY:
                problems.append(f"{obj.name} carries lab '{lab.name}''s label but no file label: dockerlab did "
                                "not make it; remove it or its label")
            else:
                found.notes.append(f"kept {obj.name}: labelled '{lab.name}' by hand, with no file label")
            continue
        if origin and not (mode is Mode.APPLY and take_over):
            elsewhere.setdefault(origin, []).append(obj.name)
            continue
        if origin:
            found.taken_over[obj.id] = origin
        if isinstance(obj, ObservedNetwork):
            found.networks.append(obj)
        else:
            found.containers.append(obj)
    for origin, names in elsewhere.items():
        if mode is Mode.APPLY:
            problems.append(f"lab '{lab.name}' on this engine was made from {shown(origin)} ({', '.join(names)}), "
                            f"not from {lab.origin}; two lab files cannot share a lab name. Rename this lab, destroy "
                            f"the other (`dockerlab destroy {shell_word(origin)}`), or take it over on purpose "
                            "(`dockerlab apply --take-over FILE`)")
        else:
            how = (f"`dockerlab destroy {shell_word(origin)}` removes them" if _still_there(origin) else
                   f"that file is gone: `dockerlab destroy --lab {lab.name}` removes them, or "
                   f"`dockerlab apply --take-over {lab.path}` makes them this file's")
            found.notes.append(f"kept {', '.join(names)}: made from {shown(origin)}, another file with this lab name "
                               f"({how})")
    others = len(problems)
    problems += _strangers(lab, observed, found, mode) + _borrowers(lab, observed, found, mode)
    if problems:
        _stop(problems, only_another_file=bool(elsewhere) and mode is Mode.APPLY
              and others == len(problems) == len(elsewhere))
    return found


def _stop(problems: list[str], only_another_file: bool) -> None:
    message = "the plan stops here:\n  " + "\n  ".join(problems)
    raise AnotherFile(message, problems) if only_another_file else ConflictError(message)


def _still_there(origin: str) -> bool:
    return os.path.isabs(origin) and os.path.exists(origin)


def _name_conflicts(lab: Lab, observed: Observed) -> list[str]:
    problems = []
    ours = [n for n in lab.networks if not n.external]  # an external network is someone else's by definition
    for kind, specs, objects in (("network", ours, observed.networks),
                                 ("container", lab.containers, observed.containers)):
        for spec in specs:
            same = [o for o in objects if o.name == spec.name]
            for obj in same:
                if obj.lab != lab.name:
                    owner = f"belongs to lab '{shown(obj.lab)}'" if obj.lab else "was not made by dockerlab"
                    problems.append(f"{kind} '{spec.name}' already exists and {owner}; dockerlab will not touch it. "
                                    f"Remove or rename it, or set another 'prefix' in {lab.path or 'the lab file'}")
            if len(same) > 1 and all(o.lab == lab.name for o in same):
                problems.append(f"two networks are named '{spec.name}' ({', '.join(o.id[:12] for o in same)}), and "
                                "Docker cannot tell them apart by name (two creations raced); `dockerlab destroy` "
                                "removes both, then apply again")
    for net in lab.networks:
        want = hostaccess.wanted(lab, net)
        have = observed.host_link(want.name) if want else None
        if want and have and not have.belongs_to(lab, want):
            problems.append(f"interface {want.name} on the engine's host is not this lab's (alias "
                            f"'{shown(have.alias)}', {have.kind}); dockerlab will not touch it: remove it "
                            f"(`ip link del {want.name}`) if it is left over")
    return problems


def _strangers(lab: Lab, observed: Observed, found: Claims, mode: Mode) -> list[str]:
    """Containers outside the lab on a lab network."""
    return [problem for net in found.networks for problem in _used_by_others(
        lab, found, mode, net, [c.name for c in observed.attached_to(net.name) if c.lab != lab.name],
        "containers outside the lab use it", ("disconnect them (docker network disconnect)",
                                              f"disconnect them (`docker network disconnect {net.name} NAME`)"))]


def _borrowers(lab: Lab, observed: Observed, found: Claims, mode: Mode) -> list[str]:
    """Networks outside the lab made with a config-only network's settings: Docker keeps that network while
    they are."""
    return [problem for net in found.networks if net.config_only for problem in _used_by_others(
        lab, found, mode, net, outside_users(lab, observed, net.name),
        "networks outside the lab take its settings", ("remove them (docker network rm)",
                                                       "remove them (`docker network rm NAME`)"))]


def _used_by_others(lab: Lab, found: Claims, mode: Mode, net: ObservedNetwork, theirs: list[str], by: str,
                    fix: tuple[str, str]) -> list[str]:
    """A lab network others use: one to recreate cannot be; one to remove stays, and the plan says so.
    fix: what to do, in the refusal and in the note."""
    wanted = lab.network(net.key or "") if mode is Mode.APPLY else None
    if not theirs or (wanted is not None and wanted.name == net.name and not network_changes(wanted, net)):
        return []
    if wanted is not None and wanted.name == net.name:
        return [f"network '{net.name}' must be recreated, but {by}: {', '.join(theirs)}; {fix[0]}"]
    found.kept.add(net.id)
    found.notes.append(f"kept network {net.name}: {by} ({', '.join(theirs)}); {fix[1]} and run again")
    return []


def outside_users(lab: Lab, observed: Observed, name: str) -> list[str]:
    """Networks made with the settings of the lab's config-only network `name` that are not the lab's."""
    return [n.name for n in observed.networks if n.config_from == name and n.lab != lab.name]
