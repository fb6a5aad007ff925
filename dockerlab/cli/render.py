"""Text for people: plans, step results, status tables. No logic beyond layout."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dockerlab.core import hostaccess
from dockerlab.core import labels as L
from dockerlab.core.impairment import Link
from dockerlab.core.model import Lab
from dockerlab.core.observed import Observed, ObservedContainer, ObservedNetwork
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step, drift_by_object
from dockerlab.printable import shown

if TYPE_CHECKING:
    from dockerlab.plan.observe import View


def step_line(step: Step) -> str:
    what = f"{step.kind} {step.name}"
    if step.kind is Kind.SWARM:
        what = f"swarm: {step.detail}"
    elif step.action.membership:
        what += f": {step.action} {step.detail}"
    elif step.kind is Kind.IMPAIRMENT:
        what += f" on {step.network}: {step.detail}"
    elif step.action is Action.START:
        what += ": start"
    elif step.detail:
        what += f" ({step.detail})"
    if step.causes:
        what += f"  [{'; '.join(step.causes)}]"
    return shown(f"{step.action.symbol:>3} {what}")


def plan_text(plan: Plan, where: dict[str, str]) -> str:
    """where: each host's key and address; a lab on one engine has one, keyed ""."""
    notes = [f"note: {n}" for n in plan.notes]
    one = len(where) == 1 and "" in where
    place = f"the engine at {where['']}" if one else f"hosts {', '.join(where)}"
    if not plan.changes:
        what = "nothing to remove" if plan.mode is Mode.DESTROY else "no changes"
        verb = "matches" if one else "match"
        return "\n".join([f"lab {plan.lab}: {what}; {place} {verb} the file.", *notes])
    counts = Counter(s.action.word for s in plan.steps)
    summary = ", ".join(f"{n} to {action}" for action, n in counts.items())
    if one:
        body = [step_line(s) for s in plan.steps]
    else:
        body = [line for key, address in where.items() if plan.on(key)
                for line in [f"on host {key} ({address}):", *("  " + step_line(s) for s in plan.on(key))]]
    return "\n".join([f"lab {plan.lab}: plan on {place.removeprefix('the engine at ')}", *body,
                      f"plan: {summary}", *notes])


def destroy_text(plan: Plan, removed: int, after: list[Observed] | None) -> str:
    """`after`: the hosts' state when there was nothing to remove, to tell a typo from a clean engine."""
    lines = [f"lab {plan.lab}: removed {removed} objects" if plan.changes else f"lab {plan.lab}: nothing to remove"]
    objects = [o for seen in after or () for o in [*seen.networks, *seen.containers]]
    if after is not None and not any(o.lab == plan.lab for o in objects):
        labs = sorted({o.lab for o in objects if o.lab})
        lines[0] += (f"; no object on this engine is labelled '{plan.lab}' (labs here: {', '.join(labs) or 'none'};"
                     " `dockerlab ls` lists them)")
    return "\n".join(lines + [f"note: {n}" for n in plan.notes])


def done_line(step: Step, seconds: float, error: str | None) -> str:
    where = step.where
    if error:
        return shown(f"  ! {step.kind} {step.name}{where}: {step.action} failed: {error}")
    if step.kind is Kind.SWARM:
        return shown(f"  ok swarm{where}: {step.detail} in {seconds:.1f}s")
    return shown(f"  ok {step.action.past} {step.kind} {step.name}" + (
        f" ({step.network})" if step.network else "") + f"{where} in {seconds:.1f}s")


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2)


def _table(rows: list[list[str]], header: list[str]) -> str:
    cells = [[shown(str(c)) for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def status_data(view: View, plan: Plan) -> dict[str, Any]:
    """The lab as its hosts have it; on a lab across hosts every row says its host."""
    parts = [_status(site.lab, view.observed[key], replace(plan, steps=plan.on(key)))
             for key, site in view.sites.items()]
    engines = [{"host": key, "engine": site.host.engine.describe(), "version": site.host.engine.release,
                "api": site.host.engine.caps.api_version} for key, site in view.sites.items()]
    if len(parts) == 1 and "" in view.sites:
        return {**parts[0], "engines": engines}
    merged: dict[str, Any] = {"lab": view.lab.name, "in_sync": not plan.changes, "engines": engines}
    for key, part in zip(view.sites, parts, strict=True):
        for field in ("networks", "containers", "host_access", "not_in_file"):
            merged.setdefault(field, []).extend({"host": key, **row} for row in part[field])
    return merged


def _status(lab: Lab, observed: Observed, plan: Plan) -> dict[str, Any]:
    drift = drift_by_object(plan)
    nets = []
    for net in lab.networks:
        found = observed.network_named(net.name)
        nets.append({"name": net.name, "key": net.key, "driver": net.driver, "present": found is not None,
                     "subnets": [str(p.subnet) for p in (found.pools if found else net.pools)],
                     "gateways": [str(p.gateway) for p in (found.pools if found else ()) if p.gateway],
                     "parent": net.parent, "mode": net.mode, "id": found.id[:12] if found else None,
                     "drift": drift.get((Kind.NETWORK, net.name), [])})
    boxes = []
    for box in lab.containers:
        live = observed.container_named(box.name)
        boxes.append({"name": box.name, "key": box.key, "image": box.image,
                      "state": live.state if live else "missing", "id": live.id[:12] if live else None,
                      "networks": _endpoints(live, observed.links.get(box.name) or {}) if live else [],
                      "drift": drift.get((Kind.CONTAINER, box.name), [])})
    links = [{"name": want.name, "network": net.key, "address": str(want.address), "parent": want.parent,
              "present": observed.host_link(want.name) is not None, "drift": drift.get((Kind.HOST_LINK, want.name), [])}
             for net in lab.networks if (want := hostaccess.wanted(lab, net))]
    extra = [{"kind": s.kind.value, "name": s.name} for s in plan.steps if s.action is Action.REMOVE]
    return {"lab": lab.name, "networks": nets, "containers": boxes, "host_access": links, "not_in_file": extra,
            "in_sync": not plan.changes}


def _endpoints(box: ObservedContainer, links: dict[str, Link | None]) -> list[dict[str, Any]]:
    return [{"network": name, "ipv4": str(ep.ipv4 or ep.static_ipv4 or "") or None,
             "ipv6": str(ep.ipv6 or ep.static_ipv6 or "") or None, "mac": ep.mac,
             "impairment": link.describe() if (link := links.get(name)) else None}
            for name, ep in sorted(box.endpoints.items())]


def status_text(data: dict[str, Any]) -> str:
    net_rows = [[*_on(n), n["name"], n["driver"], ", ".join(n["subnets"]) or "-", ", ".join(n["gateways"]) or "-",
                 n["parent"] or "-", "; ".join(n["drift"]) or ("ok" if n["present"] else "missing")]
                for n in data["networks"]]
    impaired = any(ep.get("impairment") for c in data["containers"] for ep in c["networks"])
    box_rows = []
    for c in data["containers"]:
        eps = c["networks"] or [{"network": "-", "ipv4": None, "ipv6": None, "mac": None}]
        for i, ep in enumerate(eps):
            first = i == 0
            where = _on(c) if first else [""] * len(_on(c))
            box_rows.append([*where, c["name"] if first else "", c["state"] if first else "", ep["network"],
                             ep["ipv4"] or "-", ep["ipv6"] or "-", ep["mac"] or "-",
                             *([ep.get("impairment") or "-"] if impaired else []),
                             ("; ".join(c["drift"]) or "ok") if first else ""])
    state = "in sync with the file" if data["in_sync"] else "DRIFT (dockerlab plan shows the fix)"
    parts = [f"lab {data['lab']}: {state}"]
    parts += [f"engine{' ' + e['host'] if e['host'] else ''}: {e['engine']}" for e in data["engines"]]
    if net_rows:
        parts += ["", _table(net_rows, [*_head(data), "NETWORK", "DRIVER", "SUBNET", "GATEWAY", "PARENT", "STATE"])]
    if box_rows:
        parts += ["", _table(box_rows, [*_head(data), "CONTAINER", "STATE", "NETWORK", "IPV4", "IPV6", "MAC",
                                        *(["IMPAIRMENT"] if impaired else []), "DRIFT"])]
    link_rows = [[h["name"], h["network"], h["address"], h["parent"],
                  "; ".join(h["drift"]) or ("ok" if h["present"] else "missing")] for h in data["host_access"]]
    if link_rows:
        parts += ["", _table(link_rows, ["HOST ACCESS", "NETWORK", "ADDRESS", "PARENT", "STATE"])]
    if data["not_in_file"]:
        parts += ["", "owned by the lab but not in the file: "
                  + ", ".join(f"{x['kind']} {x['name']}" for x in data["not_in_file"])]
    return "\n".join(parts)


def _on(row: dict[str, Any]) -> list[str]:
    return [row["host"]] if "host" in row else []


def _head(data: dict[str, Any]) -> list[str]:
    return ["HOST"] if any("host" in row for row in data["networks"] + data["containers"]) else []


def labs_text(observed: Observed, where: str = "") -> str:
    labs: dict[str, dict[str, Any]] = {}
    objects: list[ObservedNetwork | ObservedContainer] = [*observed.networks, *observed.containers]
    for obj in objects:
        if obj.lab and obj.key != L.PROBE:  # a probe an interrupted check left is not one of the lab's containers
            entry = labs.setdefault(obj.lab, {"nets": 0, "boxes": 0, "running": 0, "file": ""})
            entry["file"] = entry["file"] or obj.labels.get(L.FILE, "")
            if isinstance(obj, ObservedNetwork):
                entry["nets"] += 1
            else:
                entry["boxes"] += 1
                entry["running"] += obj.running
    if not labs:
        return f"no dockerlab labs on {where or 'this engine'}"
    rows = [[name, f"{e['running']}/{e['boxes']}", str(e["nets"]), e["file"] or "-"]
            for name, e in sorted(labs.items())]
    return (f"{where}:\n" if where else "") + _table(rows, ["LAB", "RUNNING", "NETWORKS", "FILE"])


def checks_text(lab: str, results: list[Any]) -> str:
    rows = [[r.check.name or f"line {r.check.line}", r.check.source, r.check.target or "-", r.how, str(r.check.expect),
             r.got, "pass" if r.passed else "FAIL", _clip(r.reason)] for r in results]
    passed = sum(r.passed for r in results)
    table = _table(rows, ["CHECK", "FROM", "TO", "HOW", "EXPECT", "GOT", "RESULT", "REASON"])
    why = [f"  {r.check.name or f'line {r.check.line}'}: {r.reason}" for r in results
           if not r.passed and len(r.reason) > CLIP]  # the whole reason where the table cut it
    summary = f"lab {lab}: {passed} of {len(results)} checks passed"
    return "\n".join([table, *(["", "why:", *why] if why else []), summary])


CLIP = 70  # the widest reason in the checks table


def _clip(text: str, width: int = CLIP) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
