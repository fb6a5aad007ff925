"""The labels that mark what a lab owns. They are dockerlab's only state."""

from __future__ import annotations

import hashlib
import json

from dockerlab.core.model import ContainerSpec, Lab, NetworkSpec

RESERVED_PREFIX = "io.dockerlab."
LAB = "io.dockerlab.lab"
KEY = "io.dockerlab.key"
CONFIG_HASH = "io.dockerlab.config-hash"
OPTIONS = "io.dockerlab.options"  # option keys dockerlab sent, so a removed option is seen
SUBNETS = "io.dockerlab.subnets"  # subnets dockerlab sent: the daemon adds pools of its own (IPv4 to an IPv6 one)
ENDPOINTS = "io.dockerlab.endpoints"  # aliases and MACs as created; the list API hides them
FILE = "io.dockerlab.file"
SWARM_FORMED_BY = "io.dockerlab.swarm-formed-by"  # on a swarm's spec: the lab that formed it
USERS = "io.dockerlab.users"  # a config-only network's: key=name of each network made with its settings, the only
# ones that are the lab's through it (Docker copies its labels into any network made with them)
STAGE = "dockerlab.stage"  # on a staged lab's marker network (STAGE_NETWORK): the stage the lab is at
STAGE_NETWORK = "dockerlab-stage"  # its key: a config-only network, which takes nothing and holds the label
FAULT = "dockerlab.fault"  # on the marker network a fault adds (FAULT_NETWORK): which fault, as a digest
FAULT_NETWORK = "dockerlab-fault"
OWNER = "dockerlab.owner"  # a user label on everything a learner's instance makes (--as): whose it is
# A reconnect leaves the container's ENDPOINTS label saying what it had at create, and only inspect shows what it
# has now: the containers whose memberships dockerlab redid (ids) are kept on this config-only network, so that
# observing stays a few list calls and an inspect for each of those alone.
REDONE = "io.dockerlab.redone"
LEDGER_NETWORK = "dockerlab-redone"
MARKERS = (STAGE_NETWORK, FAULT_NETWORK, LEDGER_NETWORK)  # networks that hold a lab's state, not what it teaches
PROBE = "probe"  # the KEY of a check's throwaway probe container: the lab's to remove, never one of its containers


def marker_names(lab: Lab) -> set[str]:
    """The Docker names of the lab's marker networks."""
    return {f"{lab.prefix}{key}" for key in MARKERS}


def fault_digest(lab: str, fault: str) -> str:
    """What the fault's marker says: not its name, which `docker inspect` would show the learner."""
    return hashlib.sha256(f"{lab}/{fault}".encode()).hexdigest()[:12]


def network_labels(lab: Lab, spec: NetworkSpec) -> dict[str, str]:
    return {**dict(spec.labels), LAB: lab.name, KEY: spec.key, FILE: lab.origin or lab.path,
            OPTIONS: ",".join(sorted(spec.driver_options())), SUBNETS: ",".join(str(p.subnet) for p in spec.pools),
            **({USERS: users_label(spec)} if spec.config_only else {})}


def users_label(spec: NetworkSpec) -> str:
    return ",".join(f"{key}={name}" for key, name in spec.users)


def users(labels: dict[str, str]) -> dict[str, str]:
    """A config-only network's USERS label: Docker name -> key."""
    return {name: key for key, _, name in (u.partition("=") for u in labels.get(USERS, "").split(",") if u)}


def container_labels(lab: Lab, spec: ContainerSpec) -> dict[str, str]:
    return {**dict(spec.labels), LAB: lab.name, KEY: spec.key, FILE: lab.origin or lab.path,
            CONFIG_HASH: spec.config_hash(), ENDPOINTS: endpoints_label(lab, spec)}


def endpoints_label(lab: Lab, spec: ContainerSpec) -> str:
    details = {lab.docker_network_name(a.network): a.live_details() for a in spec.attachments}
    return json.dumps(details, sort_keys=True, separators=(",", ":"))


def user_labels(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if not k.startswith(RESERVED_PREFIX)}
