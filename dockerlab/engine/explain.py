"""Docker's error texts turned into what went wrong, for which lab object, and what to do."""

from __future__ import annotations

from typing import Any

from dockerlab import errors
from dockerlab.core.drivers import DRIVERS, driver, kernel_missing
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import ContainerSpec, NetworkSpec
from dockerlab.errors import EngineError

START_ENGINE = "start one (`sudo systemctl start docker`, or `make engine` in a dockerlab checkout)"


def explain_connection_error(exc: Exception, host: str) -> str:
    text = str(exc)
    if "Permission denied" in text or "PermissionError" in text:
        return (f"permission denied on the Docker socket ({host}): run as root, or add your user to the "
                "'docker' group (sudo usermod -aG docker $USER, then log in again)")
    if "timed out" in text.lower() or "timeout" in text.lower():  # it took the connection and said nothing
        return (f"the engine at {host} does not answer: it took the connection but sent no reply in time; it may "
                "be hung, overloaded or not a Docker engine (`docker -H ADDRESS info` tells)")
    return f"no Docker engine answers at {host}: {START_ENGINE}, or point DOCKER_HOST at a running engine"


NETWORK_IN_USE = "the engine still counts endpoints on the network"


def busy_network(label: str, endpoints: dict[str, str], live: set[str]) -> list[str] | str:
    """Why a network cannot be removed: stale endpoint names to clear, or the message for the user.

    `endpoints`: container id -> endpoint name, as network inspect shows them; `live`: ids of existing containers.
    """
    users = sorted(name for cid, name in endpoints.items() if cid in live)
    if users:
        return (f"remove network {label}: containers outside the lab joined it after the plan was made: "
                f"{', '.join(users)}. Disconnect them (`docker network disconnect {label} NAME`) and run again")
    if endpoints:
        return sorted(endpoints.values())
    return (f"remove network {label}: the engine still counts an endpoint on it that belongs to no container "
            "(a lost count, a known bug of Docker before 28.1: moby/moby#42119). Restarting the Docker daemon "
            "clears it; then run the command again")


# Docker's words for the refusals dockerlab acts on -> their type; the one place that reads them.
_KINDS: list[tuple[str, type[EngineError]]] = [
    ("has active endpoints", errors.NetworkInUse),
    ("in use by task", errors.NetworkInUseByTask),
    ("configuration network", errors.SettingsInUse),
    ("is not connected", errors.NotConnected),
    ("attaching to network failed", errors.AttachFailed),
    ("already in progress", errors.RemovalInProgress),
]


def refusal(what: str, text: str, subject: Any = None) -> EngineError:
    """The engine's refusal as an error of its kind, with a message that says what to do."""
    low = text.lower()
    kind = next((k for needle, k in _KINDS if needle in low), EngineError)
    return kind(explain_api_error(what, text, subject))


def explain_api_error(what: str, text: str, subject: Any = None) -> str:
    low = text.lower()
    for needle, explain in _RULES:
        if needle in low:
            message = explain(subject, text)
            if message:
                return f"{what}: {message}"
    return f"{what}: Docker says: {text}"


def _parent(subject: Any) -> str:
    return subject.parent if isinstance(subject, NetworkSpec) and subject.parent else "?"


def _vlan(subject: Any, text: str) -> str | None:
    parent = _parent(subject)
    if "invalid subinterface vlan name" in text.lower():
        return (f"parent interface '{parent}' does not exist on the engine's host (Docker's own message about "
                "'subinterface vlan names' is misleading). Name an interface that exists (see `ip link`), or "
                f"make one, e.g. a veth pair: `ip link add {parent} type veth peer name {parent[:10]}-peer`")
    return kernel_missing("vlan", f"Docker cannot create the sub-interface '{parent}'")


def _not_supported(subject: Any, text: str) -> str | None:
    if isinstance(subject, NetworkSpec) and driver(subject.driver).parent and not subject.parent:
        return kernel_missing("dummy", f"a {subject.driver} network without 'parent' cannot be made; give it a "
                                       "parent interface")
    if isinstance(subject, NetworkSpec) and (feature := driver(subject.driver).kernel):
        return kernel_missing(feature.link_type, f"containers cannot join {subject.driver} networks")
    if isinstance(subject, NetworkSpec | ContainerSpec | Attachment):  # which network's driver is not known here
        needs = " or ".join(f"{d.kernel.name} (`modprobe {d.kernel.module}`)" for d in DRIVERS.values() if d.kernel)
        return f"the kernel of the engine's host lacks what this network's driver needs: {needs}"
    return None


def _swarm(subject: Any, text: str) -> str:
    return ("overlay networks need swarm mode, and this engine is not a swarm manager. Turn it on with "
            "`docker swarm init --advertise-addr <an address of this host>` (and `docker swarm leave --force` "
            "to turn it off again)")




_RULES: list[tuple[str, Any]] = [
    ("invalid subinterface vlan name", _vlan),
    ("vlan link", _vlan),
    ("operation not supported", _not_supported),
    ("not a swarm manager", _swarm),
    ("pool overlaps", lambda s, t: "its subnet overlaps another network's on this engine; pick a free subnet "
                                   "(`docker network inspect` shows which subnets are taken)"),
    ("already using parent interface", lambda s, t: f"another macvlan/ipvlan network already uses parent "
                                                   f"'{_parent(s)}' ({t}); this engine allows one per parent"),
    ("address already in use", lambda s, t: "that static IP is taken by another container on the network; "
                                            "give dynamic containers an ip_range that excludes static addresses"),
    ("port is already allocated", lambda s, t: f"a published host port is in use by another process or container "
                                               f"({t}); choose another host port"),
    ("already in use", lambda s, t: f"the name is taken ({t}); another run may have made it; run apply again"),
    ("already exists", lambda s, t: f"{errors.NAME_APPEARED} ({t})" if isinstance(s, NetworkSpec) else None),
    ("has active endpoints", lambda s, t: NETWORK_IN_USE),
    ("pull access denied", lambda s, t: "the image is not on this engine and could not be pulled; build or load "
                                        "it locally (`make image` builds busybox), or check the name"),
]
