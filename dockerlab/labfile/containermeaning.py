"""Meaning checks of a lab's containers: their networks, or the container whose network stack they share."""

from __future__ import annotations

from dockerlab.core import impairment
from dockerlab.core.endpoint import ONE_INTERFACE, Attachment
from dockerlab.core.model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, ContainerSpec, Lab, NetworkSpec
from dockerlab.labfile.yamlsource import Found, Path

# what is the network stack's, not a container's own: Docker refuses these beside container:NAME
STACK_FIELDS = ("hostname", "dns", "dns_search", "dns_options", "extra_hosts", "ports", "expose", "publish_all",
                "sysctls")


def container_problems(lab: Lab) -> Found:
    for box in lab.containers:
        yield from _sharing(lab, box) if box.shares else _container(lab, box)


def _sharing(lab: Lab, box: ContainerSpec) -> Found:
    """network_mode: container:KEY - the stack of a container of this lab, on the same host."""
    here: Path = ("containers", box.key)
    key = box.shares or ""
    other = lab.container(key)
    if other is None:
        known = ", ".join(c.key for c in lab.containers if c.key != box.key) or "none"
        yield here + ("network_mode",), f"no container '{key}' in this lab to share the network stack of " \
                                         f"(its containers: {known})"
        return
    if other.key == box.key:
        yield here + ("network_mode",), "a container cannot share its own network stack"
    elif other.shares:
        yield here + ("network_mode",), (f"'{key}' itself shares the network stack of '{other.shares}'; "
                                         f"write network_mode: container:{other.shares}")
    elif other.host != box.host:
        yield here + ("network_mode",), (f"'{key}' runs on host {other.host}, this container on {box.host}: a "
                                         "network stack is shared on one host")
    if box.attachments:
        yield here + ("networks",), (f"a container that shares the network stack of '{key}' is on its networks and "
                                     "has none of its own; remove 'networks'")
    for field in STACK_FIELDS:
        if getattr(box, field):
            yield here + (field,), (f"'{field}' belongs to the network stack this container shares; set it on "
                                    f"'{key}' instead (Docker refuses it beside network_mode: container:)")


def _container(lab: Lab, box: ContainerSpec) -> Found:
    here: Path = ("containers", box.key)
    names = [a.network for a in box.attachments]
    standalone = [n for n in names if n in STANDALONE_NETWORKS]
    if standalone and len(names) > 1:
        yield here + ("networks",), f"a container on the '{standalone[0]}' network cannot join any other network"
    if "host" in standalone and box.sysctls:
        yield here + ("sysctls",), ("a container on the 'host' network shares the host's network namespace, whose "
                                    "settings are not a container's to change; give it a network of its own")
    if standalone and box.publish_all:
        yield here + ("publish_all",), f"publishing does nothing on the '{standalone[0]}' network; remove it"
    if standalone and box.ports:
        yield here + ("ports",), f"published ports do nothing on the '{standalone[0]}' network; remove 'ports'"
    for att in box.attachments:
        yield from _attachment(lab, here + ("networks", att.network), att)
        yield from _endpoint(here + ("networks", att.network), att)
    for key, _ in box.sysctls:
        # eth0 too: Docker moves it to the first network's endpoint; another's number changes as networks do
        if (m := ONE_INTERFACE.fullmatch(key)) and m.group(1) not in ("all", "default", "lo", *eth0(box)):
            per_endpoint = key[:m.start(1)] + "IFNAME" + key[m.end(1):]
            yield here + ("sysctls", key), (f"'{key}' is a setting of one interface, which belongs on its network: "
                                            f"networks: {{NET: {{sysctls: {{{per_endpoint}: ...}}}}}} "
                                            "(interfaces are numbered anew as networks come and go)")
    names = [a.interface for a in box.attachments if a.interface]
    for twice in sorted({n for n in names if names.count(n) > 1}):
        yield here + ("networks",), f"two networks name the interface '{twice}'; give each its own name"


def eth0(box: ContainerSpec) -> tuple[str, ...]:
    """eth0 where a container has it: Docker then moves its settings to the first network (before API 1.48)."""
    return ("eth0",) if box.attachments and box.attachments[0].network not in STANDALONE_NETWORKS else ()


def _endpoint(here: Path, att: Attachment) -> Found:
    """The endpoint's own settings: an interface of the container's own, with link-local addresses only."""
    if att.interface == "lo":
        yield here + ("interface",), "lo is the container's loopback; name its interface on this network otherwise"
    if att.network in STANDALONE_NETWORKS and (att.gw_priority or att.interface or att.sysctls or att.link_local):
        yield here, (f"a container on '{att.network}' has no interface of its own: gw_priority, interface, sysctls "
                     "and link_local need a network that gives it one")
    for i, addr in enumerate(att.link_local):
        if not addr.is_link_local:
            yield here + ("link_local", i), (f"{addr} is not a link-local address (169.254.0.0/16, fe80::/10); "
                                             "a routable address is 'ipv4' or 'ipv6'")


def _attachment(lab: Lab, here: Path, att: Attachment) -> Found:
    net = lab.network(att.network)
    if net is None and att.network not in PREDEFINED_NETWORKS:
        known = ", ".join([n.key for n in lab.networks] + list(PREDEFINED_NETWORKS))
        yield here, f"no network '{att.network}' in this lab; declare it under 'networks' or use one of: {known}"
        return
    if att.link:
        yield from ((here + (name,), message) for name, message in impairment.problems(att.link))
    if net is None:
        yield from _predefined_attachment(here, att)
        return
    if net.spans_hosts and not net.attachable:
        kind = "overlay" if net.driver == "overlay" else f"swarm-scoped {net.driver}"
        yield here, f"containers can join {kind} network '{net.key}' only if it sets 'attachable: true'"
    yield from _static(here, att, net)


def _static(here: Path, att: Attachment, net: NetworkSpec) -> Found:
    if net.config_from and net.spans_hosts and (att.ipv4 or att.ipv6):
        yield here, (f"'{net.key}' spans the swarm: each host's engine gives its containers addresses of that host's "
                     "range and ignores a static one; drop ipv4/ipv6 here")
        return
    for version, addr in ((4, att.ipv4), (6, att.ipv6)):
        if addr is None or net.external:  # someone else's subnets: the engine says if the address fits
            continue
        pools = [p for p in net.pools if p.subnet.version == version]
        field = here + (f"ipv{version}",)
        if not pools:
            yield field, f"a static IPv{version} address needs an IPv{version} subnet on network '{net.key}'"
        elif not any(addr in p.subnet for p in pools):
            yield field, f"{addr} is outside network '{net.key}' ({', '.join(str(p.subnet) for p in pools)})"
        elif any(addr == p.gateway or addr == p.subnet.network_address for p in pools):
            yield field, f"{addr} is the network address or gateway of '{net.key}'; pick another"


def _predefined_attachment(here: Path, att: Attachment) -> Found:
    if att.link and att.network in STANDALONE_NETWORKS:
        yield here, (f"on the '{att.network}' network the container has no interface of its own to impair; "
                     "put delay, jitter, loss and rate on a bridge, macvlan, ipvlan or overlay network")
    if att.ipv4 or att.ipv6 or att.aliases:
        yield here, f"static IPs and aliases need a user-defined network with a subnet, not Docker's '{att.network}'"
    if att.mac and att.network in STANDALONE_NETWORKS:
        yield here + ("mac",), f"a container on '{att.network}' has no interface of its own to give a MAC"
