"""A lab file's data made into another lab: a learner's own instance of a handed-out lab (`--as NAME`: its own
name, prefix and owner label, its subnets moved to free ranges with every address in them), and a student's file
under an exercise's checks (`grade`). Data in, data out: the result is read as any lab file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from ipaddress import ip_address, ip_network
from typing import Any

from dockerlab.core.addresses import IPNetwork
from dockerlab.core.labels import OWNER
from dockerlab.errors import DockerlabError

OWNER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,23}")
# where moved subnets go: private ranges past Docker's own default pools (172.17-31, 192.168)
ROOM = {4: ip_network("10.128.0.0/9"), 6: ip_network("fd00:d0c:1ab::/48")}


def owner_name(owner: str) -> str:
    if not OWNER_NAME.fullmatch(owner):
        raise DockerlabError(f"{owner!r} is not a learner's name for --as: up to 24 lowercase letters, digits, '-' "
                             "and '_', starting with a letter or digit")
    return owner


def instance_name(lab: str, owner: str) -> str:
    return f"{lab}-{owner_name(owner)}"[:63]


def instance_data(data: dict[str, Any], owner: str, taken: Iterable[IPNetwork]) -> dict[str, Any]:
    """The lab as `owner`'s instance. taken: the subnets of the engine's networks, but this instance's own."""
    name = instance_name(str(data["name"]), owner)
    prefix = f"{owner}-{data.get('prefix', str(data['name']) + '-')}"
    moves = _moves(data, list(taken))
    networks = {key: _owned(net, owner, name_too=True) for key, net in (data.get("networks") or {}).items()}
    containers = {key: _owned(box, owner) for key, box in (data.get("containers") or {}).items()}
    moved: dict[str, Any] = _moved({**data, "networks": networks, "containers": containers}, moves)
    return {**moved, "name": name, "prefix": prefix}


def graded_data(student: dict[str, Any], exercise: dict[str, Any], name: str) -> dict[str, Any]:
    """A student's lab under the exercise's checks, named for the grading run; its stages and faults left out."""
    lab = {k: v for k, v in student.items() if k not in ("stages", "faults", "checks", "lesson")}
    return {**lab, "name": name, "prefix": f"{name}-", "checks": list(exercise.get("checks") or [])}


def _owned(raw: Any, owner: str, name_too: bool = False) -> Any:
    """A network or container of the instance: the owner's label, and a Docker name of its own if it has one."""
    if not isinstance(raw, dict) or raw.get("external"):
        return raw
    out = {**raw, "labels": {**(raw.get("labels") or {}), OWNER: owner}}
    if name_too and raw.get("name"):
        out["name"] = f"{owner}-{raw['name']}"
    return out


def _subnets(data: dict[str, Any]) -> Iterator[IPNetwork]:
    for net in (data.get("networks") or {}).values():
        if isinstance(net, dict) and not net.get("external"):
            for pool in [net, *(net.get("pools") or [])]:
                if isinstance(pool, dict) and pool.get("subnet"):
                    yield ip_network(str(pool["subnet"]), strict=False)


def _moves(data: dict[str, Any], taken: list[IPNetwork]) -> dict[IPNetwork, IPNetwork]:
    """Each subnet that another network on the engine holds, to the first free one of its size in ROOM."""
    mine = list(_subnets(data))
    moves: dict[IPNetwork, IPNetwork] = {}
    for subnet in mine:
        busy = [*taken, *moves.values(), *(s for s in mine if s != subnet and s not in moves)]
        if any(subnet.overlaps(t) for t in busy if t.version == subnet.version):
            moves[subnet] = _free(subnet, busy)
    return moves


def _free(subnet: IPNetwork, busy: list[IPNetwork]) -> IPNetwork:
    room = ROOM[subnet.version]
    if subnet.prefixlen < room.prefixlen:
        raise DockerlabError(f"{subnet} is too large to move for another instance (at most /{room.prefixlen})")
    for candidate in room.subnets(new_prefix=subnet.prefixlen):
        if not any(candidate.overlaps(b) for b in busy if b.version == candidate.version):
            return candidate
    raise DockerlabError(f"no free range of the size of {subnet} is left in {room} for another instance")


def _moved(value: Any, moves: dict[IPNetwork, IPNetwork]) -> Any:
    """Every address and subnet inside a moved subnet, moved with it (same offset); anything else as it is."""
    if isinstance(value, dict):
        return {k: _moved(v, moves) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, moves) for v in value]
    if not isinstance(value, str) or not moves:
        return value
    try:
        if "/" in value:
            net = ip_network(value, strict=False)
            for old, new in moves.items():
                if net.version == old.version and net.subnet_of(old):  # type: ignore[arg-type]
                    base = int(new.network_address) + int(net.network_address) - int(old.network_address)
                    return f"{ip_address(base)}/{net.prefixlen}"
            return value
        addr = ip_address(value)
    except ValueError:
        return value
    for old, new in moves.items():
        if addr in old:
            return str(ip_address(int(new.network_address) + int(addr) - int(old.network_address)))
    return value
