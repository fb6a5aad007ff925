"""Meaning checks: what the schema cannot say about a lab. Pure; no engine needed."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address
from itertools import combinations

from dockerlab.core.bridge import BRIDGE_NAME, BY_KEY
from dockerlab.core.check import Check
from dockerlab.core.drivers import driver, parent_clash, parent_drivers
from dockerlab.core.expect import DEFAULT_ROUTE, PROBE_FIELDS, By, Expect, Probe
from dockerlab.core.labels import MARKERS
from dockerlab.core.model import (
    PREDEFINED_NETWORKS,
    Lab,
    NetworkSpec,
    Pool,
)
from dockerlab.errors import Problem
from dockerlab.labfile import hosts
from dockerlab.labfile.configmeaning import config_problems
from dockerlab.labfile.containermeaning import container_problems
from dockerlab.labfile.hazards import hazards
from dockerlab.labfile.yamlsource import Found, Path, Source


def meaning_problems(lab: Lab, source: Source) -> list[Problem]:
    found = [*_networks(lab), *config_problems(lab), *container_problems(lab), *_static_addresses(lab),
             *_room(lab), *_host_access(lab), *_checks(lab), *hazards(lab, source.data), *hosts.problems(lab)]
    return [source.problem(path, message) for path, message in found]


def _networks(lab: Lab) -> Found:
    for net in lab.networks:
        yield from _external(net) if net.external else _network(net)
    names: dict[str, str] = {}
    for net in lab.networks:
        if (first := names.setdefault(net.name, net.key)) != net.key:
            yield ("networks", net.key, "name"), f"network '{first}' has the Docker name '{net.name}' too"
    for a, b in combinations([n for n in lab.networks if not n.config_only], 2):  # settings only: no link
        if (bridge := dict(a.options).get(BRIDGE_NAME)) and bridge == dict(b.options).get(BRIDGE_NAME):
            yield ("networks", b.key, "bridge", "name"), f"network '{a.key}' names its bridge {bridge} too"
        if a.parent and a.parent == b.parent and all(driver(n.driver).parent for n in (a, b)) and (
                why := parent_clash(a.driver, b.driver)):
            yield ("networks", b.key, "parent"), f"network '{a.key}' has the parent {a.parent} too: {why}"
        bridges = a.driver == b.driver == "bridge"
        for pa in a.pools if not (a.config_from and a.config_from == b.config_from) else ():  # see configmeaning
            for pb in b.pools:
                if pa.conflicts_with(pb, bridges):
                    yield ("networks", b.key, "subnet"), f"{pb.subnet} overlaps {pa.subnet} of network '{a.key}'; " + (
                        "Docker's bridge driver refuses bridges whose subnets overlap, ip_range or not: give each its "
                        "own subnet" if bridges else
                        "Docker refuses overlapping pools unless each network sets its own, separate ip_range")


def _external(net: NetworkSpec) -> Found:
    """Someone else's network is joined as it is: the file can say nothing of how it is made."""
    if net != NetworkSpec(net.key, net.name, external=True):
        yield ("networks", net.key), ("an external network is made by someone else: give it only 'name' (its Docker "
                                      "name), or drop 'external' to let the lab make it as the file says")


def _network(net: NetworkSpec) -> Found:
    here: Path = ("networks", net.key)
    if net.key in (*PREDEFINED_NETWORKS, *MARKERS):
        yield here, (f"'{net.key}' is one of Docker's predefined networks; containers can join it without "
                     "declaring it, so give your network another name" if net.key in PREDEFINED_NETWORKS else
                     f"'{net.key}' is dockerlab's own (it marks a lab's stage or fault); give your network another "
                     "name")
    for i, pool in enumerate(net.pools):
        at = here if i == 0 else here + ("pools", i)
        for name, addr in (("gateway", pool.gateway), *pool.aux_addresses):
            if addr and addr not in pool.subnet:
                where = (name,) if name == "gateway" else ("aux_addresses", name)
                yield at + where, f"{addr} is outside the subnet {pool.subnet}"
        if pool.ip_range and not pool.ip_range.subnet_of(pool.subnet):  # type: ignore[arg-type]
            yield at + ("ip_range",), f"{pool.ip_range} is not inside the subnet {pool.subnet}"
    versions = {p.subnet.version for p in net.pools}  # 'ipv6: true' alone: the engine picks a subnet (27.0+)
    if 6 in versions and not net.ipv6:
        yield here, "this network has an IPv6 subnet; add 'ipv6: true' so Docker enables IPv6 on it"
    if not net.ipv4 and (not net.ipv6 or 4 in versions):
        yield here + ("ipv4",), "an IPv6-only network (ipv4: false) needs 'ipv6: true' and no IPv4 subnet"
    yield from _driver_fit(net, here)
    yield from _bridge(net, here)


def _bridge(net: NetworkSpec, here: Path) -> Found:
    opts = dict(net.options)
    for version in (4, 6):
        if opts.get(BY_KEY[f"gateway_mode_ipv{version}"].option) == "isolated" and not net.internal:
            yield here + ("bridge", f"gateway_mode_ipv{version}"), ("the gateway mode 'isolated' puts no address "
                                                                  "on the bridge: it needs 'internal: true'")
    if opts.get(BRIDGE_NAME) == "docker0":
        yield here + ("bridge", "name"), "docker0 is the bridge of Docker's default network; name another"


def _driver_fit(net: NetworkSpec, here: Path) -> Found:
    row = driver(net.driver)
    for key, fits in (("parent", row.parent), ("mode", bool(row.modes))):
        if getattr(net, key) and not fits:
            yield here + (key,), f"'{key}' is for {' and '.join(parent_drivers())} networks, not {net.driver}"
    if net.mode and row.modes and net.mode not in row.modes:
        yield here + ("mode",), f"{net.driver} has no mode '{net.mode}'; use one of: {row.describe_modes()}"
    for raw, nicer in (("parent", "parent"), (row.mode_option, "mode")):
        if raw and raw in dict(net.options):
            yield here + ("options", raw), f"write this as '{nicer}:' on the network, not as a raw option"
    if net.attachable and not row.attachable and not net.spans_hosts:
        yield here + ("attachable",), ("'attachable' is for overlay networks (swarm); "
                                       "a local network is always attachable")


def _host_access(lab: Lab) -> Found:
    for net in lab.networks:
        if net.host_access is None:
            continue
        here: Path = ("networks", net.key, "host_access", "address")
        addr = net.host_access
        pools = [p for p in net.pools if addr in p.subnet]
        holders = [c.key for c in lab.containers for a in c.attachments if a.network == net.key and a.ipv4 == addr]
        if not driver(net.driver).host_access:
            yield here[:-1], f"'host_access' is for macvlan networks, not {net.driver}"
        elif not net.parent:
            yield here[:-1], "'host_access' needs a 'parent': the host's interface is made on the same parent"
        elif not pools:
            yield here, f"{addr} is outside the network's subnets ({', '.join(str(p.subnet) for p in net.pools)})"
        elif addr in (pools[0].gateway, pools[0].subnet.network_address, pools[0].subnet.broadcast_address):
            yield here, f"{addr} is the network address, broadcast or gateway of '{net.key}'; pick another"
        elif holders:
            yield here, f"{addr} is already given to container '{holders[0]}'; the host needs an address of its own"


def _static_addresses(lab: Lab) -> Found:
    seen: dict[tuple[str, str], str] = {}
    for box in lab.containers:
        for att in box.attachments:
            for addr in (att.ipv4, att.ipv6, att.mac):
                if addr is None:
                    continue
                net = lab.network(att.network)  # a network per host holds an address once per host
                where = "" if net and net.spans_hosts else box.host
                slot = (f"{att.network}@{where}", str(addr))
                if slot in seen:
                    yield (("containers", box.key, "networks", att.network),
                           f"{addr} on '{att.network}' is already given to container '{seen[slot]}'")
                seen[slot] = box.key


def _room(lab: Lab) -> Found:
    """Enough dynamic IPv4 addresses for the containers that take one; Docker would say so only mid-apply."""
    for net in lab.networks:
        pools = [p for p in net.pools if p.subnet.version == 4]
        members = [a for c in lab.containers for a in c.attachments if a.network == net.key]
        dynamic = sum(1 for a in members if a.ipv4 is None)
        if not pools or not dynamic:
            continue
        taken = {a.ipv4 for a in members if a.ipv4}
        room = sum(_free(p, taken) for p in pools)
        if dynamic > room:
            where = ", ".join(str(p.ip_range or p.subnet) for p in pools)
            yield (("networks", net.key), f"{where} has room for {room} dynamic address{'es' if room != 1 else ''} "
                   f"(after the network address, gateway, broadcast and static addresses), but {dynamic} "
                   "containers join without a static ipv4; make the subnet or ip_range larger")


def _free(pool: Pool, taken: set[IPv4Address]) -> int:
    span = pool.ip_range or pool.subnet
    gateway = pool.gateway or next(pool.subnet.hosts(), None)
    reserved = {pool.subnet.network_address, pool.subnet.broadcast_address, gateway, *taken,
                *(addr for _, addr in pool.aux_addresses)}
    return max(0, span.num_addresses - sum(1 for addr in reserved if addr is not None and addr in span))


MAX_WITHIN = 300.0  # seconds a check may be retried for


def _checks(lab: Lab) -> Found:
    named: dict[str, int] = {}
    for i, check in enumerate(lab.checks):
        here: Path = ("checks", i)
        if check.name is not None and named.setdefault(check.name, i) != i:
            yield here + ("name",), (f"a check above (checks[{named[check.name]}]) has this name: names pick checks "
                                     "(check --only, predictions, grades), so each is one check's")
        if check.within is not None and not 0 < check.within <= MAX_WITHIN:
            yield here + ("within",), f"within is more than 0 and at most {MAX_WITHIN:.0f}s"
        if not check.from_host and lab.container(check.source) is None:
            yield here + ("from",), f"'{check.source}' is not a container of this lab (nor 'host')"
            continue
        yield from _fields(here, check)
        yield from _family(here, check)
        if check.expect.probe.fact:
            yield from _fact_check(lab, here, check)
            continue
        if not check.target:
            yield here, f"expect: {check.expect} needs 'to'"
            continue
        yield from _check_target(lab, here, check.target)
        yield from _named_sharer(lab, here, check)
        if check.expect.probe is Probe.DNS and (check.by is By.IP or check.port):
            yield here, f"expect: {check.expect} is about Docker's DNS only: drop 'port' and 'by: ip'"
        if check.from_host and check.by is By.NAME:
            yield here + ("by",), "the host does not use Docker's DNS; check by ip from the host"
        yield from _measures(here, check)
        yield from _protocol(lab, here, check)


def _protocol(lab: Lab, here: Path, check: Check) -> Found:
    """A UDP datagram has no answer: its proof is read in the container it is sent to."""
    if check.expect.probe is not Probe.REACH:  # _fields says that protocol is not for it
        return
    if check.protocol and not check.port:
        yield here + ("protocol",), "'protocol' is the protocol of 'port': add the port"
    elif check.udp and lab.stack(check.target_key) is None and not check.to_host:
        yield here + ("to",), ("protocol: udp needs a container of the lab at 'to': a datagram has no answer, so "
                               "its arrival is read in that container's network namespace")


def _measures(here: Path, check: Check) -> Found:
    """Bounds on round trips and loss are about pings that get through."""
    if check.measures and (check.expect is not Expect.REACHABLE or check.port):
        yield here, "min_rtt, max_rtt, min_loss and max_loss measure pings: use them with expect: reachable, no port"
    for what, (low, high) in (("rtt", check.rtt_us), ("loss", check.loss)):
        if low is not None and high is not None and low > high:
            yield here + (f"min_{what}",), f"min_{what} is above max_{what}: no measure can pass"


def _named_sharer(lab: Lab, here: Path, check: Check) -> Found:
    """A container on another's network stack has no name of its own in Docker's DNS."""
    box = lab.container(check.target_key)
    if box and box.shares and box.key not in _aliases(lab) and check.resolver is None and (
            check.by is By.NAME or check.expect.probe is Probe.DNS):
        yield here + ("to",), (f"'{box.key}' shares the network stack of '{box.shares}' and has no name of its own "
                               f"in Docker's DNS: check '{box.shares}' by name, or '{box.key}' by ip")


def _aliases(lab: Lab) -> set[str]:
    return {alias for c in lab.containers for a in c.attachments for alias in a.aliases}


def _check_target(lab: Lab, here: Path, target: str, route: bool = False) -> Found:
    """route: a route check's destination, an address or a container (a name is not asked of any DNS)."""
    key, at, network = target.partition("@")
    box = lab.stack(key)  # one that shares another's stack is on that one's networks
    if at:
        if box is None:
            yield here + ("to",), f"'{key}' is not a container of this lab"
        elif network not in [a.network for a in box.attachments]:
            yield here + ("to",), f"container '{key}' is not on network '{network}'"
        return
    try:
        ip_address(target)
    except ValueError:
        if route and box is None:
            yield here + ("to",), f"'{target}': a route is to an address, a container of this lab, or default"
        elif box is None and target not in _aliases(lab) and "." not in target:
            yield here + ("to",), (f"'{target}' is neither a container nor an alias in this lab; for a DNS "
                                   "name outside the lab write it fully qualified, e.g. web.example")


def _fields(here: Path, check: Check) -> Found:
    """The fields an expectation reads, and no field it ignores (core.expect.FIELDS)."""
    needs, may = check.expect.probe.fields
    for field in needs:
        if getattr(check, field) is None:
            yield here, f"expect: {check.expect} needs '{'to' if field == 'target' else field}'"
    if check.expect.probe.fact and (check.port or check.by or check.count or check.measures):
        yield here, (f"expect: {check.expect} reads a fact inside the container: port, by, count and the rtt and "
                     "loss bounds are for reachable and unreachable")
    for field in PROBE_FIELDS:
        if getattr(check, field) is not None and field not in needs + may:
            readers = [str(e) for e in Expect if field in sum(e.probe.fields, ())]
            yield here + (field,), f"'{field}' is for expect: {' or '.join(readers)}, not {check.expect}"


def _family(here: Path, check: Check) -> Found:
    """family: the address family of a container's address to use; a literal address has its own."""
    try:
        literal = ip_address(check.target or "")
    except ValueError:
        return
    if check.family is not None and literal.version != check.family:
        yield here + ("family",), f"{literal} is an IPv{literal.version} address, not IPv{check.family}"


def _fact_check(lab: Lab, here: Path, check: Check) -> Found:
    if check.target and check.expect.probe is not Probe.ROUTE:
        yield here + ("to",), f"expect: {check.expect} is a fact about '{check.source}' alone: drop 'to'"
    elif check.target and check.target != DEFAULT_ROUTE:
        yield from _check_target(lab, here, check.target, route=True)
    if check.from_host:  # 'from' is a container of the lab or host (_checks)
        if not check.expect.probe.on_host_too:
            yield here + ("from",), f"expect: {check.expect} is a fact about a container; 'from' names one"
        return
    box = lab.stack(check.source)  # one that shares another's stack has that one's interfaces
    assert box is not None
    on_parent = any(driver(n.driver).parent for a in box.attachments if (n := lab.network(a.network)))
    if check.expect.probe.on_parent and not on_parent:
        yield here, (f"container '{box.key}' is on no {' or '.join(parent_drivers())} network, so it has no "
                     "parent to compare")
