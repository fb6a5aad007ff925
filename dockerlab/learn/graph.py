"""Lab diagrams (`dockerlab graph`): networks with driver, subnet, gateway and parent; containers with their
addresses, aliases and ports; Docker's host and none networks as what they are. As Mermaid (GitHub renders
it) or Graphviz DOT; the HTML page is the live view's, drawn once (live.static). Pure.

With the engine's state (`--live`) the addresses are those the engine gave, and what differs from the file
is marked, from the same plan that `dockerlab plan` shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dockerlab.core import labels as L
from dockerlab.core.bridge import settings
from dockerlab.core.model import PREDEFINED_NETWORKS, STANDALONE_NETWORKS, Lab, NetworkSpec
from dockerlab.core.observed import Observed
from dockerlab.plan.steps import Kind, Plan, drift_by_object

SPECIAL = {"bridge": "Docker's default bridge (docker0): no DNS by name",
           "host": "the host's own network stack", "none": "no network: loopback only"}


@dataclass(frozen=True)
class Node:
    id: str
    network: bool
    title: str
    lines: tuple[str, ...] = ()
    drift: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    container: str
    network: str  # a network node, or the container node whose network stack `container` shares
    label: str
    drift: bool = False


@dataclass
class Diagram:
    lab: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def diagram(lab: Lab, observed: dict[str, Observed] | None = None, plan: Plan | None = None) -> Diagram:
    """observed: each host's state, for --live; plan: the plan towards the file, whose steps mark drift."""
    drift = drift_by_object(plan) if plan else {}
    out = Diagram(lab.name)
    several = len(lab.hosts) > 1
    for net in (n for n in lab.networks if n.key not in L.MARKERS):  # a lab's state, not part of the picture
        out.nodes.append(Node(_id("n", net.key), True, net.key, network_lines(net, several),
                              tuple(drift.get((Kind.NETWORK, net.name), ()))))
        for held in (n for n in lab.networks if n.config_only and n.name == net.config_from):
            out.edges.append(Edge(_id("n", net.key), _id("n", held.key), "takes its settings", False))
    used = {a.network for c in lab.containers for a in c.attachments}
    for name in PREDEFINED_NETWORKS:
        if name in used:
            out.nodes.append(Node(_id("n", name), True, name, (SPECIAL[name],)))
    for box in lab.containers:
        live = observed.get(box.host) if observed is not None else None
        found = live.container_named(box.name) if live else None
        lines = [box.image, *(f"port {p}" for p in box.ports), *([f"on host {box.host}"] if several else [])]
        if observed is not None:
            lines.append(found.state if found else "not on the engine")
        out.nodes.append(Node(_id("c", box.key), False, box.key, tuple(lines),
                              tuple(drift.get((Kind.CONTAINER, box.name), ()))))
        if box.shares:  # no network of its own: an edge to the container whose stack it shares
            out.edges.append(Edge(_id("c", box.key), _id("c", box.shares), "shares its network stack", False))
        for att in box.attachments:
            ep = found.endpoints.get(lab.docker_network_name(att.network)) if found else None
            address = (ep.ipv4 if ep else None) or att.ipv4
            bits = [str(address) if address else ("" if att.network in STANDALONE_NETWORKS else "dynamic")]
            bits += [f"alias {a}" for a in att.aliases] + ([f"mac {att.mac}"] if att.mac else [])
            bits += [f"as {att.interface}"] if att.interface else []
            bits += [f"gw priority {att.gw_priority}"] if att.gw_priority else []
            bits += [att.link.describe()] if att.link else []  # as the file has it: drift shows on the container
            out.edges.append(Edge(_id("c", box.key), _id("n", att.network), ", ".join(b for b in bits if b),
                                  found is not None and ep is None))
    return out


def network_lines(net: NetworkSpec, several_hosts: bool) -> tuple[str, ...]:
    if net.external:
        return ("external: not the lab's",)
    lines = [f"{net.driver}{f' {net.mode}' if net.mode else ''}{' internal' if net.internal else ''}"]
    if net.config_from:  # its settings are drawn on the config-only network
        return (*lines, *(["spans the hosts"] if several_hosts and net.spans_hosts else []))
    for pool in net.pools:
        lines.append(str(pool.subnet) + (f" gw {pool.gateway}" if pool.gateway else "")
                     + (f" range {pool.ip_range}" if pool.ip_range else ""))
    if net.parent:
        lines.append(f"parent {net.parent}")
    lines += [f"on {h.host}: " + ", ".join(w for w in (f"range {h.ip_range}" if h.ip_range else "",
                                                       f"parent {h.parent}" if h.parent else "") if w)
              for h in net.per_host]
    if words := settings(net):
        lines.append(", ".join(words))
    if net.host_access:
        lines.append(f"host access {net.host_access}")
    if several_hosts:
        lines.append("spans the hosts" if net.spans_hosts else "one per host")
    return tuple(lines)


def _id(kind: str, key: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9_]', '_', key)}"


# -- Mermaid

def mermaid(d: Diagram) -> str:
    out = ["flowchart LR"]
    for node in d.nodes:
        texts = (f"<b>{node.title}</b>", *node.lines, *(f"drift: {x}" for x in node.drift))
        label = "<br/>".join(_mm(t) for t in texts)
        out.append(f'  {node.id}{"[(" if node.network else "["}"{label}"{")]" if node.network else "]"}')
    for edge in d.edges:
        label = f' -- "{_mm(edge.label)}" ---' if edge.label else " ---"
        out.append(f"  {edge.container}{label} {edge.network}")
    out += ["  classDef network fill:#e8f0fe,stroke:#4a6fb5", "  classDef drift stroke:#d00,stroke-width:3px"]
    networks = [n.id for n in d.nodes if n.network]
    if networks:
        out.append(f"  class {','.join(networks)} network")
    drifting = [n.id for n in d.nodes if n.drift]
    if drifting:
        out.append(f"  class {','.join(drifting)} drift")
    return "\n".join(out)


def _mm(text: str) -> str:
    """Mermaid labels: quotes as entities; the <b> of a title stays markup."""
    return text.replace('"', "#quot;")


# -- Graphviz DOT

def dot(d: Diagram) -> str:
    out = [f"graph {_dq(d.lab)} {{", "  rankdir=LR;", '  node [fontname="sans-serif", fontsize=11];']
    for node in d.nodes:
        label = "\\n".join(_dot_text(t) for t in (node.title, *node.lines, *(f"drift: {x}" for x in node.drift)))
        shape = "ellipse" if node.network else "box"
        color = ', color="#dd0000", penwidth=3' if node.drift else ""
        out.append(f'  {node.id} [shape={shape}, label="{label}"{color}];')
    for edge in d.edges:
        style = ', style=dashed, color="#dd0000"' if edge.drift else ""
        out.append(f'  {edge.container} -- {edge.network} [label="{_dot_text(edge.label)}"{style}];')
    out.append("}")
    return "\n".join(out)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dq(text: str) -> str:
    return f'"{_dot_text(text)}"'
