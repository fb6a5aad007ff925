"""A lab in stages, and its faults: each a patch laid over a lab (RFC 7396's JSON merge patch: a map merges, null
removes, anything else replaces), read as a whole lab of its own, its errors at the lines that said them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from dockerlab.core.labels import FAULT, FAULT_NETWORK, STAGE, STAGE_NETWORK, fault_digest
from dockerlab.core.model import Fault, Lab, NetworkSpec
from dockerlab.errors import DockerlabError, Problem
from dockerlab.labfile.yamlsource import Path, Source

PATCHED = ("networks", "containers")  # what a stage or a fault may change


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def top_level(data: dict[str, Any]) -> dict[str, Any]:
    """What every stage starts from: the file without its stages and faults."""
    return {k: v for k, v in data.items() if k not in ("stages", "faults")}


def laid_over(doc: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return {**doc, **{k: merge_patch(doc.get(k), patch[k]) for k in PATCHED if k in patch}}


class PatchedSource(Source):
    """A stage's (or a fault's) whole lab: its data, and the lines of the file where each part was said. at: the
    patches laid, in order (("stages", 0), ...); checks past the top level's are the last patch's own."""

    def __init__(self, source: Source, data: dict[str, Any], at: list[Path], top_checks: int) -> None:
        super().__init__(data, source.lines)
        self.at, self.top_checks = at, top_checks

    def line(self, path: Path) -> int:
        return super().line(self.said_at(path))

    def said_at(self, path: Path) -> Path:
        """Where the file says what is at path of the whole lab: in the last patch that has it, else the top level."""
        if path[:1] == ("checks",) and len(path) > 1 and isinstance(path[1], int) and path[1] >= self.top_checks:
            return self.at[-1] + ("checks", path[1] - self.top_checks) + path[2:]
        for depth in range(len(path), 0, -1):
            for where in [*reversed(self.at), ()]:
                if where + path[:depth] in self.lines:
                    return where + path
        return path

Build = Callable[[Source], tuple[Lab | None, list[Problem]]]


def staged(source: Source, build: Build) -> tuple[Lab | None, list[Problem]]:
    """The file's lab: without stages, as it says; with them, its first stage, every stage in `stages` (each
    validated as a whole lab), and its faults laid over the last stage."""
    data, at = source.data, list[Path]()
    top_checks = list(data.get("checks") or [])
    doc, labs, problems = top_level(data), [], _Problems()
    for i, raw in enumerate(data.get("stages") or []):
        if raw["name"] in [s["name"] for s in data["stages"][:i]]:
            problems.add([source.problem(("stages", i, "name"), "a stage above has this name: stages are "
                                                                   "picked by name (apply --stage)")])
        doc, at = laid_over(doc, raw), [*at, ("stages", i)]
        whole = {**doc, "checks": [*top_checks, *(raw.get("checks") or [])],
                 **({"lesson": raw["lesson"]} if "lesson" in raw else {})}
        lab, found = build(PatchedSource(source, whole, at, len(top_checks)))
        problems.add(found, f"in stage {raw['name']}: ")
        if lab:
            marker = _marker(lab, STAGE_NETWORK, STAGE, raw["name"])
            labs.append(replace(lab, stage=raw["name"], networks=(*lab.networks, marker)))
    if not at:
        lab, found = build(source)
        problems.add(found)
        labs = [lab] if lab else []
    if problems.found or not labs:
        return None, problems.found
    faults, found = _faults(source, {**doc, "checks": []}, at, labs[-1], build)
    problems.add(found)
    return replace(labs[0], stages=tuple(labs) if at else (), faults=faults), problems.found


def _faults(source: Source, doc: dict[str, Any], at: list[Path], healthy: Lab,
            build: Build) -> tuple[tuple[Fault, ...], list[Problem]]:
    faults, problems = [], []
    for j, raw in enumerate(source.data.get("faults") or []):
        here: Path = ("faults", j)
        lab, found = build(PatchedSource(source, laid_over(doc, raw), [*at, here], 0))
        problems += [p if p.path.startswith("faults[") else replace(p, message=f"in fault {raw['name']}: {p.message}")
                     for p in found]
        if lab is None:
            continue
        lab = replace(lab, networks=lab.networks + tuple(n for n in healthy.networks if n.key == STAGE_NETWORK))
        stop = tuple(raw.get("stop") or ())
        for key in stop:
            if lab.container(key) is None:
                problems.append(source.problem(here + ("stop",), f"'{key}' is not a container of the lab this fault "
                                                                 "leaves"))
        if (lab.networks, lab.containers) == (healthy.networks, healthy.containers) and not stop:
            problems.append(source.problem(here, "this fault changes nothing in the lab"))
        marker = _marker(lab, FAULT_NETWORK, FAULT, fault_digest(lab.name, raw["name"]))
        faults.append(Fault(raw["name"], replace(lab, networks=(*lab.networks, marker)), stop))
    names = [f.name for f in faults]
    problems += [source.problem(("faults",), f"two faults are named {n}")
                 for n in sorted({n for n in names if names.count(n) > 1})]
    return tuple(faults), problems


def _marker(lab: Lab, key: str, label: str, value: str) -> NetworkSpec:
    """A network that says which stage the lab is at, or which fault it has: config-only, so it takes nothing
    from the host; a label is all the state a lab has."""
    return NetworkSpec(key=key, name=f"{lab.prefix}{key}", config_only=True, labels=((label, value),))


class _Problems:
    """A stage's problems, each said once: one in the top level would be found in every stage."""

    def __init__(self) -> None:
        self.found: list[Problem] = []
        self._seen: set[tuple[int, str, str]] = set()

    def add(self, problems: list[Problem], where: str = "") -> None:
        for p in problems:
            if (p.line, p.path, p.message) not in self._seen:
                self._seen.add((p.line, p.path, p.message))
                said_there = p.path.startswith(("stages[", "faults["))  # else the top level, seen in a stage
                self.found.append(p if said_there else replace(p, message=where + p.message))


def at_stage(lab: Lab, name: str) -> Lab:
    """A staged lab at one of its stages (its stages and faults kept); an unknown name says which there are."""
    stage = next((s for s in lab.stages if s.stage == name), None)
    if stage is None:
        there = ", ".join(s.stage for s in lab.stages)
        raise DockerlabError(f"lab {lab.name} has no stage {name!r}; " + (f"its stages: {there}" if there else
                                                                          "it has no stages"))
    return replace(stage, stages=lab.stages, faults=lab.faults)


def located(lab: Lab, origin: str) -> Lab:
    """The lab and every stage and fault of it as made from the file at origin (the labels say which file)."""
    return replace(lab, origin=origin, stages=tuple(replace(s, origin=origin) for s in lab.stages),
                   faults=tuple(f._replace(lab=replace(f.lab, origin=origin)) for f in lab.faults))
