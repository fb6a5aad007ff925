"""The lab as the live view and `graph --format html` draw it: networks, containers and their links
with the addresses and MACs the engine gave, the host's own links, the hosts, the checks with their last
results, the stage and whether a fault is laid. Pure: JSON for the page.
"""

from __future__ import annotations

from typing import Any

from dockerlab.core import labels as L
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, ContainerSpec, Lab
from dockerlab.core.observed import Endpoint, Observed
from dockerlab.core.placement import ONE
from dockerlab.learn.graph import SPECIAL, network_lines
from dockerlab.live.events import drift_pairs
from dockerlab.live.watch import Snapshot
from dockerlab.plan.observe import View
from dockerlab.plan.steps import Kind, Plan, drift_by_object


def picture(lab: Lab, view: View | None = None, plan: Plan | None = None,
            results: dict[int, dict[str, Any]] | None = None, stage: str = "", fault: bool = False) -> dict[str, Any]:
    """view and plan: the engine's state and the plan towards the file (without them, the file alone);
    results: the last result of each check, by its place in the file."""
    drift = drift_by_object(plan) if plan else {}
    several = len(lab.hosts) > 1
    keys = {n.name: n.key for n in lab.networks}
    networks = [{"key": n.key, "name": n.name, "driver": n.driver, "lines": list(network_lines(n, several)),
                 "settings_of": keys.get(n.config_from or ""),
                 "present": view is None or any(o.network_named(n.name) for o in view.observed.values()),
                 "drift": drift.get((Kind.NETWORK, n.name), [])}
                for n in lab.networks if n.key not in L.MARKERS]
    boxes = [(spec, view.observed_of(spec.key) if view else None) for spec in lab.containers]
    links = [link for spec, live in boxes for link in _links(lab, keys, spec, live)]
    used = {link["network"] for link in links}  # Docker's own networks too, where a container joined one by hand
    networks += [{"key": name, "name": name, "driver": name, "lines": [SPECIAL[name]], "present": True,
                  "settings_of": None, "drift": []} for name in PREDEFINED_NETWORKS if name in used]
    return {"lab": lab.name, "stage": _stage(lab, stage), "fault": fault, "live": view is not None,
            "hosts": [{"key": k, "address": s.host.address} for k, s in view.sites.items()] if view else
            [{"key": h.key, "address": h.address} for h in lab.hosts],
            "networks": networks,
            "containers": [_container(spec, live, drift.get((Kind.CONTAINER, spec.name), []))
                           for spec, live in boxes],
            "links": links,
            "hostlinks": _host_links(lab, view),
            "checks": [{"index": i, "label": c.label, "from": c.source, "to": c.target_key or c.target or "",
                        "expect": c.expect.value, "result": (results or {}).get(i)}
                       for i, c in enumerate(lab.checks)],
            "drift": sorted(f"{name}: {why}" for name, why in drift_pairs(lab, plan)) if plan else []}


def of_snapshot(snap: Snapshot, results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return picture(snap.lab, snap.view, snap.plan, results, snap.stage, snap.fault)


def _stage(lab: Lab, stage: str) -> dict[str, Any] | None:
    names = [s.stage for s in lab.stages]
    return {"name": stage, "number": names.index(stage) + 1, "of": len(names)} if stage in names else None


def _container(spec: ContainerSpec, live: Observed | None, drift: list[str]) -> dict[str, Any]:
    found = live.container_named(spec.name) if live else None
    return {"key": spec.key, "name": spec.name, "image": spec.image, "host": spec.host or ONE,
            "state": (found.state if found else "missing") if live else "", "ports": [str(p) for p in spec.ports],
            "shares": spec.shares, "drift": drift}


def _links(lab: Lab, keys: dict[str, str], spec: ContainerSpec, live: Observed | None) -> list[dict[str, Any]]:
    """Each membership the file wants, as the engine has it (state "file" without the engine); and those the
    engine has that the file lacks ("extra"). keys: the lab's networks' keys by their names on the engine."""
    found = live.container_named(spec.name) if live else None
    endpoints = dict(found.endpoints) if found else {}
    links = []
    for att in spec.attachments:
        ep = endpoints.pop(lab.docker_network_name(att.network), None)
        state = "file" if live is None else "up" if ep else "missing" if found and found.running else "down"
        links.append(_link(spec.key, att.network, ep, state, att))
    links += [_link(spec.key, keys.get(name, name), ep, "extra", None) for name, ep in endpoints.items()
              if name in keys or name in PREDEFINED_NETWORKS]
    return links


def _link(container: str, network: str, ep: Endpoint | None, state: str, att: Attachment | None) -> dict[str, Any]:
    wanted = (str(att.ipv4 or "") or ("" if network in STANDALONE_NETWORKS else "dynamic")) if att else ""
    details = ([f"as {att.interface}"] if att.interface else []) + (
        [f"gw priority {att.gw_priority}"] if att.gw_priority else []) + ([att.link.describe()] if att.link else []) \
        if att else []
    return {"container": container, "network": network, "state": state, "wanted": wanted, "details": details,
            "aliases": list(att.aliases) if att else [], "ipv4": str(ep.ipv4 or "") if ep else "",
            "ipv6": str(ep.ipv6 or "") if ep else "", "mac": (ep.mac or "") if ep else (att.mac or "") if att else ""}


def _host_links(lab: Lab, view: View | None) -> list[dict[str, Any]]:
    """The host's own address on a network (host_access): wanted by the file, found on the host or not."""
    found = {(h.key, h.lab) for o in view.observed.values() for h in o.host_links} if view else set()
    return [{"network": n.key, "address": str(n.host_access),
             "state": "file" if view is None else "up" if (n.key, lab.name) in found else "missing"}
            for n in lab.networks if n.host_access]
