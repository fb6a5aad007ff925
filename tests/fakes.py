"""Fakes for pure tests: live objects as the engine's API would give them, and hosts and engines that answer
what the code under test asks and nothing more."""

from __future__ import annotations

from types import SimpleNamespace

from dockerlab.core import labels as L
from dockerlab.core.capabilities import Capabilities
from dockerlab.core.observed import container_from_api, network_from_api


def live_network(name: str, pools: list[dict] | tuple = (), labels: dict | None = None, **over):
    """A network the engine has, as its API lists it (not made from a lab file); `over`: Driver, Options..."""
    return network_from_api({"Name": name, "Id": f"id-{name}", "Driver": "bridge", "Labels": labels or {},
                             "IPAM": {"Config": list(pools)}, **over})


def net_api(lab, key, **over):
    """The lab's network `key` as the engine would list it once made; `over` changes what it has."""
    spec = lab.network(key)
    pools = [{"Subnet": str(p.subnet), **({"Gateway": str(p.gateway)} if p.gateway else {}),
              **({"IPRange": str(p.ip_range)} if p.ip_range else {})} for p in spec.pools]
    raw = {"Name": spec.name, "Id": f"id-{spec.name}", "Driver": spec.driver, "Scope": "local",
           "EnableIPv6": spec.ipv6, "Internal": spec.internal, "Attachable": spec.attachable,
           "EnableIPv4": spec.ipv4,
           "IPAM": {"Driver": spec.ipam_driver, "Options": dict(spec.ipam_options) or None, "Config": pools},
           "Options": spec.driver_options(), "Labels": L.network_labels(lab, spec),
           "ConfigOnly": spec.config_only, "ConfigFrom": {"Network": spec.config_from or ""}}
    if spec.config_only:  # as Docker 20.10 and 28 show one (measured)
        raw["Driver"] = "null"
    if spec.config_from:  # Docker copies the config network's settings and labels
        raw["Labels"] = L.network_labels(lab, next(n for n in lab.networks if n.name == spec.config_from))
    raw.update(over)
    return network_from_api(raw)


def box_api(lab, key, state="running", **over):
    """The lab's container `key` as the engine would list it once made."""
    spec = next(c for c in lab.containers if c.key == key)
    nets = {}
    for att in spec.attachments:
        name = lab.docker_network_name(att.network)
        nets[name] = {"IPAMConfig": {"IPv4Address": str(att.ipv4)} if att.ipv4 else None, "Aliases": None,
                      "NetworkID": f"id-{name}" if state == "running" else "",
                      "IPAddress": str(att.ipv4 or "10.1.0.99") if state == "running" else "",
                      "MacAddress": "02:42:0a:01:00:05" if state == "running" else "", "GwPriority": att.gw_priority}
    ports = [{"IP": p.host_ip or "0.0.0.0", "PublicPort": p.host_port, "PrivatePort": p.container_port,
              "Type": p.protocol} for p in spec.ports if p.host_port and state == "running"]
    raw = {"Id": f"cid-{spec.name}", "Names": [f"/{spec.name}"], "Image": spec.image,
           "Command": " ".join(spec.command) if spec.command else "sh", "State": state, "Ports": ports,
           "Labels": L.container_labels(lab, spec), "NetworkSettings": {"Networks": nets},
           "HostConfig": {"NetworkMode": f"container:cid-{lab.shared_stack(spec)}" if spec.shares else
                          lab.docker_network_name(spec.network_mode)}}
    raw.update(over)
    return container_from_api(raw)


class FakeFacts:
    def __init__(self, missing=(), interfaces=("lo", "eth0", "p0", "p1")):
        self.missing, self.names = set(missing), set(interfaces)

    def kernel_supports(self, link_type):
        return link_type not in self.missing

    def interfaces(self):
        return self.names


class FakeHost:
    """What preflight asks of a host, and nothing more: its kernel, its interfaces and its engine's API version."""

    address, is_local, name, links = "fake://", True, "", object()

    def __init__(self, missing=(), api="1.51"):
        self.facts = FakeFacts(missing)
        self.engine = SimpleNamespace(caps=Capabilities(api))


class FakeEngine:
    """An engine.seam.EngineChanges that records every call; refuses to connect anything to `refuse`, as if a
    stranger took the address after the plan."""

    caps, identity = Capabilities("1.44"), "fake"

    def __init__(self, refuse: str = ""):
        self.calls, self.refuse = [], refuse

    def _record(self, *call):
        self.calls.append(call)

    def pull(self, image):
        self._record("pull", image)

    def create_network(self, spec, labels):
        self._record("create_network", spec.name)
        return f"id-{spec.name}"

    def network(self, name_or_id):
        return None

    def networks_named(self, name):
        return []

    def remove_network(self, name_or_id, label, scope="local"):
        self._record("remove_network", name_or_id)

    def create_container(self, spec, labels, networks, joined, shares=None):
        self._record("create_container", spec.name, (f"container:{shares}",) if shares else
                     tuple(a.network for a in joined))
        return f"cid-{spec.name}"

    def membership(self, container, network):
        return None

    def connect(self, container, network, att, dns_name, label=""):
        from dockerlab.errors import EngineError

        self._record("connect", container, network, str(att.ipv4))
        if str(att.ipv4) == self.refuse:
            raise EngineError(f"connect {label or container} to {network}: that static IP is taken")

    def disconnect(self, container, network, label=""):
        self._record("disconnect", container, network)

    def start(self, container, label):
        self._record("start", container)

    def park(self, container, parked_name):
        self._record("park", container, parked_name)
        return True

    def unpark(self, container, name, start):
        self._record("unpark", container, name, start)

    def remove_container(self, container, label):
        self._record("remove_container", container)


class FakeView:
    """A plan's view of one engine (plan.observe.View), enough for status and the swarm's handlers."""

    def __init__(self, lab, observed=None):
        engine = SimpleNamespace(describe=lambda: "Docker 28.5.2 (API 1.51) at unix:///var/run/docker.sock",
                                 release="28.5.2", caps=SimpleNamespace(api_version="1.51"))
        self.lab = lab
        self.sites = {"": SimpleNamespace(lab=lab, host=SimpleNamespace(engine=engine))} if observed else {}
        self.observed = {"": observed} if observed else {}
