"""The swarm a lab's overlay networks need: the steps that form it (init on the manager, join the others) or
undo what dockerlab formed, from each host's membership (core.observed). Pure.

Whether dockerlab formed a swarm is recorded in the swarm's own spec labels, so that destroy undoes only what
a lab made and leaves a swarm it found alone.
"""

from __future__ import annotations

from dockerlab.core.model import Lab
from dockerlab.core.observed import Membership
from dockerlab.plan.steps import Action, Kind, Step

PORTS = "2377/tcp (manager), 7946/tcp+udp (gossip) and 4789/udp (VXLAN data)"
NAME = "swarm"


def needs_swarm(lab: Lab) -> bool:
    return any(n.spans_hosts for n in lab.networks)


def swarm_hosts(lab: Lab, manager: str) -> list[str]:
    """The manager, then every host with a container on a swarm network."""
    swarm_nets = {n.key for n in lab.networks if n.spans_hosts}
    joined = [c.host for c in lab.containers if any(a.network in swarm_nets for a in c.attachments)]
    return list(dict.fromkeys([manager, *joined]))


def forming_steps(lab: Lab, manager: str, seen: dict[str, Membership]) -> tuple[list[Step], list[str]]:
    """Steps that bring the lab's hosts into one swarm, or what stops it when the lab may not form one."""
    if not needs_swarm(lab):
        return [], []
    form = bool(lab.swarm and lab.swarm.form)
    how = "" if form else (". Turn swarm mode on by hand (`docker swarm init --advertise-addr <an address of the "
                           "host>`, then `docker swarm join` on the others), or let dockerlab form it: "
                           "`swarm: {form: true}` with an 'address' on each host")
    steps: list[Step] = []
    problems: list[str] = []
    boss = seen[manager]
    if not boss.active:
        if form and boss.state == "inactive":
            steps.append(Step(Action.CREATE, Kind.SWARM, NAME, detail=f"init, advertise {lab.address_of(manager)}",
                              causes=("swarm-scoped networks need a swarm",), host=manager))
        else:
            problems.append(f"swarm-scoped networks need a swarm manager, and the swarm state of {_name(manager)} is "
                            f"'{boss.state}'{how}")
    elif not boss.manager:
        problems.append(f"{_name(manager)} is in a swarm but is not a manager; name a manager host as "
                        "`swarm: {manager: KEY}`, or promote it (`docker node promote`)")
    for key in swarm_hosts(lab, manager)[1:]:
        node = seen[key]
        if node.active and boss.active and node.same_swarm(boss):
            continue
        if node.state == "inactive" and form and (boss.state == "inactive" or boss.manager):
            steps.append(Step(Action.CONNECT, Kind.SWARM, NAME, detail=f"join {_name(manager)} at "
                              f"{lab.address_of(manager)}:2377 as a worker", causes=("swarm-scoped networks span it",),
                              host=key))
        elif node.state == "inactive":
            problems.append(f"host {key} is not in the swarm of {_name(manager)}{how}")
        else:
            problems.append(f"host {key} is in another swarm (state '{node.state}'); `docker swarm leave` it "
                            "there, or make the lab's manager its manager")
    lost = [label for node, label in boss.down if node in {m.node for m in seen.values()}]
    if boss.active and lost:  # a lab host the manager cannot reach (a node that left long ago is not one)
        problems.append(f"swarm nodes are down: {', '.join(lost)}; the hosts must reach each other on {PORTS}")
    return steps, problems


def undoing_steps(lab: Lab, manager: str, seen: dict[str, Membership]) -> tuple[list[Step], list[str]]:
    """Destroy: leave the swarm this lab formed, workers first; a swarm found, or used by others, stays."""
    boss = seen.get(manager)
    if boss is None or not boss.active or boss.formed_by != lab.name:
        return [], []
    if boss.users:
        return [], [f"kept the swarm this lab formed: {', '.join(boss.users)} also use it"]
    workers = [key for key, node in seen.items() if key != manager and node.active and node.same_swarm(boss)]
    cause = (f"formed by lab {lab.name}",)
    steps = [Step(Action.REMOVE, Kind.SWARM, NAME, detail="leave", causes=cause, host=key) for key in workers]
    steps.append(Step(Action.REMOVE, Kind.SWARM, NAME, detail="leave: the swarm ends", causes=cause, host=manager))
    return steps, []


def _name(key: str) -> str:
    return f"host {key}" if key else "this engine"
