"""Lab file -> Lab: read, check against the schema, build the typed model, check meaning."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from ipaddress import IPv4Address, ip_network
from typing import Any

from dockerlab.core.addresses import IPNetwork, Pairs
from dockerlab.core.bridge import BRIDGE_KEYS
from dockerlab.core.check import Check
from dockerlab.core.expect import By, Expect
from dockerlab.core.impairment import parse_percent, parse_time
from dockerlab.core.model import HostSettings, HostSpec, Lab, NetworkSpec, Pool, SwarmSpec, lab_name, with_settings
from dockerlab.core.words import words
from dockerlab.errors import LabFileError, Problem
from dockerlab.labfile.containers import ContainerReader
from dockerlab.labfile.stages import located, staged
from dockerlab.labfile.values import bridge_options, pairs
from dockerlab.labfile.variants import instance_name
from dockerlab.labfile.yamlsource import MAX_BYTES, Path, Source, decode, load


def load_lab(filename: str) -> Lab:
    origin, text = read_text(filename)
    return located(parse_lab(text, filename), origin)


def lab_from_data(data: dict[str, Any], filename: str, origin: str) -> Lab:
    """A lab made from another's data (labfile.variants), read and checked as its file would be."""
    import yaml

    return located(parse_lab(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), filename), origin)


def read_yaml(filename: str) -> object:
    """Another file a command reads (predictions): the lab file's rules, its data as it is (the caller judges)."""
    _, text = read_text(filename)
    source, problems = load(text)
    if problems:
        raise LabFileError(filename, problems)
    return source.data


def read_text(filename: str) -> tuple[str, str]:
    """The file's real path and its text. Resolved once, before it is read: what is read is what the labels will
    name as its origin (a link swapped while a root run reads it is an error, not one file's content under the
    other's name)."""
    origin = os.path.realpath(filename)
    try:
        with os.fdopen(os.open(origin, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:  # never a link put there
            raw = handle.read(MAX_BYTES + 1)
            same = os.path.samestat(os.fstat(handle.fileno()), os.lstat(origin))
    except OSError as exc:
        from dockerlab.labfile.bundled import nearby

        hint = nearby(filename) if isinstance(exc, FileNotFoundError) else ""
        raise LabFileError(filename, [Problem(0, "", f"cannot read the file: {exc.strerror}{hint}")]) from None
    if not same or os.path.realpath(filename) != origin:
        raise LabFileError(filename, [Problem(0, "", "the file changed while it was read (a link swapped?); "
                                                     "read it again when nothing is moving it")])
    text, problem = decode(raw)
    if text is None:
        raise LabFileError(filename, [problem] if problem else [])
    return origin, text


def parse_lab(text: str, filename: str = "<lab>") -> Lab:
    from dockerlab.labfile.meaning import meaning_problems
    from dockerlab.labfile.schema import schema_problems

    source, problems = load(text)
    if source.data is not None and not isinstance(source.data, dict):
        problems.append(Problem(1, "", "a lab file is a map with at least a 'name' key"))
    if problems:
        raise LabFileError(filename, problems)
    def build(whole: Source) -> tuple[Lab | None, list[Problem]]:
        if whole is not source and (found := schema_problems(whole)):  # a stage's whole lab, as the schema has it
            return None, found
        builder = _Builder(whole)
        lab = builder.lab(filename)
        return lab, builder.problems + meaning_problems(lab, whole)
    problems = schema_problems(source, text)
    if problems:  # and what the rest of the file means, as far as it can be read: every problem at once
        raise LabFileError(filename, problems + _despite(problems, lambda: staged(source, build)[1]))
    lab, problems = staged(source, build)
    if problems or lab is None:
        raise LabFileError(filename, problems)
    return lab


def _despite(schema: list[Problem], meaning: Callable[[], list[Problem]]) -> list[Problem]:
    """The meaning problems of a file the schema refused, outside the places it refused: none when what it
    refused keeps the rest from being read."""
    try:
        found = meaning()
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):  # a value of the wrong shape, read as if
        return []  # it were right: the schema has said it
    # what a refused value or a misspelt key sits in may hang on it: its object (a misspelt top-level key: all)
    scopes = [p.path.rpartition(".")[0] for p in schema]
    return [p for p in found if p not in schema and not any(
        not s or p.path == s or p.path.startswith(f"{s}.") or s.startswith(f"{p.path}.") for s in scopes)]


def lab_to_destroy(filename: str | None, name: str | None, owner: str | None = None) -> Lab:
    """What destroy needs: the name, the file that made the objects, and the lab's hosts. A file that no longer
    validates still names its lab (its objects are then looked for on the one engine DOCKER_HOST names). owner:
    a learner's instance of it (--as)."""
    lab = _to_destroy(filename, name)
    return replace(lab, name=instance_name(lab.name, owner)) if owner is not None else lab


def _to_destroy(filename: str | None, name: str | None) -> Lab:
    if not filename:
        return Lab(name=lab_name(name or ""), prefix="")
    try:
        lab = load_lab(filename)
    except LabFileError as exc:
        return Lab(name=_name_despite(filename, exc), prefix="", origin=os.path.realpath(filename))
    return Lab(name=lab.name, prefix="", origin=lab.origin, hosts=lab.hosts, swarm=lab.swarm)


def _name_despite(filename: str, invalid: LabFileError) -> str:
    """The 'name' of a lab file that does not validate, read from its YAML alone: destroy must still work."""
    try:
        with open(filename, "rb") as handle:
            text, _ = decode(handle.read(MAX_BYTES + 1))
        source, _ = load(text or "")
        return str(source.data["name"])
    except (OSError, TypeError, KeyError):
        raise LabFileError(filename, [*invalid.problems, Problem(
            0, "", "cannot read the lab name; use `dockerlab destroy --lab NAME`")]) from None


# what a network with config_from may say: the rest is its config-only network's
BORROWER_KEYS = {"config_from", "driver", "name", "scope", "internal", "attachable"}


class _Builder(ContainerReader):
    """Builds the model from schema-valid data; values it cannot parse become problems."""

    def lab(self, filename: str) -> Lab:
        data = self.source.data
        prefix = data.get("prefix", f"{data['name']}-")
        networks = with_settings(tuple(self.network(k, v or {}, prefix)
                                        for k, v in (data.get("networks") or {}).items()))
        containers = tuple(self.container(k, v, prefix) for k, v in (data.get("containers") or {}).items())
        checks = tuple(self.check(i, c) for i, c in enumerate(data.get("checks") or []))
        hosts = tuple(HostSpec(k, (v or {}).get("docker_host"), (v or {}).get("address"))
                      for k, v in (data.get("hosts") or {}).items())
        return Lab(name=data["name"], prefix=prefix, networks=networks, containers=containers, checks=checks,
                   lesson=words(data.get("lesson")), hosts=hosts, swarm=self.swarm(), path=filename)

    def swarm(self) -> SwarmSpec | None:
        raw = self.source.data.get("swarm")
        if raw is None:
            return None
        return SwarmSpec(raw.get("manager") or self.first_host, bool(raw.get("form", False)))

    def subnet(self, path: Path, text: str | None) -> IPNetwork | None:
        if text is None:
            return None
        try:
            return ip_network(text, strict=True)
        except ValueError:
            try:
                fixed = ip_network(text, strict=False)
                self.fail(path, f"'{text}' has host bits set; the subnet is {fixed}")
            except ValueError:
                self.fail(path, f"'{text}' is not a subnet (write it as address/prefix, e.g. 10.1.0.0/24)")
            return None

    def pool(self, path: Path, raw: dict[str, Any]) -> Pool | None:
        subnet = self.subnet(path + ("subnet",), raw.get("subnet"))
        gateway = self.address(path + ("gateway",), raw.get("gateway"))
        ip_range = self.subnet(path + ("ip_range",), raw.get("ip_range"))
        aux = tuple(sorted((name, self.address(path + ("aux_addresses", name), addr))
                           for name, addr in (raw.get("aux_addresses") or {}).items()))
        if subnet is None:
            return None
        return Pool(subnet, gateway, ip_range, tuple((k, v) for k, v in aux if v))

    def network(self, key: str, raw: dict[str, Any], prefix: str) -> NetworkSpec:
        path: Path = ("networks", key)
        if "config_from" in raw and (own := sorted(raw.keys() - BORROWER_KEYS)):
            self.fail(path + (own[0],), f"a network that takes another's settings (config_from) states none of its "
                                        f"own, as Docker refuses them: move '{own[0]}' to '{raw['config_from']}'")
        pools = []
        if "subnet" in raw:
            pools.append(self.pool(path, raw))
        else:
            for lonely in ("gateway", "ip_range", "aux_addresses"):
                if lonely in raw:
                    self.fail(path + (lonely,), f"'{lonely}' needs a 'subnet' beside it")
        pools += [self.pool(path + ("pools", i), p) for i, p in enumerate(raw.get("pools") or [])]
        host = self.address(path + ("host_access", "address"), (raw.get("host_access") or {}).get("address"), 4)
        assert host is None or isinstance(host, IPv4Address)
        pools = [_reserve(p, host) for p in pools]
        external = bool(raw.get("external", False))
        return NetworkSpec(
            key=key, name=self.network_name(key, prefix) or key, driver=self.driver(key, raw),
            pools=tuple(p for p in pools if p), ipv6=raw.get("ipv6", False),
            internal=raw.get("internal", False), attachable=raw.get("attachable", False),
            options=self.options(path, raw), labels=pairs(raw.get("labels")),
            parent=raw.get("parent"), mode=raw.get("mode"), host_access=host, external=external,
            ipv4=raw.get("ipv4", True), ipam_driver=(raw.get("ipam") or {}).get("driver") or "default",
            ipam_options=pairs((raw.get("ipam") or {}).get("options")),
            config_only=bool(raw.get("config_only")), config_from=self.network_name(raw.get("config_from"), prefix),
            per_host=tuple(HostSettings(h, (v or {}).get("parent"),
                                        self.subnet(path + ("per_host", h, "ip_range"), (v or {}).get("ip_range")))
                           for h, v in (raw.get("per_host") or {}).items()),
            scope=raw.get("scope", ""),
        )

    def driver(self, key: str, raw: dict[str, Any]) -> str:
        """A config-only network's settings are for the driver of the networks that take them."""
        if "driver" in raw or not raw.get("config_only"):
            return str(raw.get("driver", "bridge"))
        users = [n for n in (self.source.data.get("networks") or {}).values() if (n or {}).get("config_from") == key]
        return str((users[0] if users else {}).get("driver", "bridge"))

    def network_name(self, key: str | None, prefix: str) -> str | None:
        """The Docker name of the lab's network `key` (a key it lacks: as it would be named)."""
        if key is None:
            return None
        raw = (self.source.data.get("networks") or {}).get(key) or {}
        return str(raw.get("name") or (key if raw.get("external") else prefix + key))

    def options(self, path: Path, raw: dict[str, Any]) -> Pairs:
        """Docker's own options, and the bridge driver's settings written as keys of their own (core.bridge)."""
        given, typed = dict(pairs(raw.get("options"))), dict(bridge_options(raw.get("bridge")))
        if typed and raw.get("driver", "bridge") != "bridge":
            self.fail(path + ("bridge",), f"bridge settings are for bridge networks, not {raw['driver']}")
        for option in sorted(given.keys() & typed.keys()):
            key = next(k.key for k in BRIDGE_KEYS if k.option == option)
            self.fail(path + ("options", option), f"set twice: here and as bridge: {{{key}: ...}}; keep one")
        return tuple(sorted({**given, **typed}.items()))

    def check(self, index: int, raw: dict[str, Any]) -> Check:
        def time(key: str) -> int | None:
            return parse_time(raw[key]) if key in raw else None

        def percent(key: str) -> float | None:
            return parse_percent(raw[key]) if key in raw else None
        return Check(source=raw["from"], target=raw.get("to"), by=By(raw["by"]) if "by" in raw else None,
                     expect=Expect.of(raw.get("expect", "reachable")), port=raw.get("port"), name=raw.get("name"),
                     timeout=float(raw.get("timeout", 2.0)), line=self.source.line(("checks", index)),
                     count=raw.get("count"),
                     rtt_us=(time("min_rtt"), time("max_rtt")), loss=(percent("min_loss"), percent("max_loss")),
                     hint=words(raw.get("hint")), points=raw.get("points"), warn=raw.get("level") == "warn",
                     within=(time("within") or 0) / 1e6 if "within" in raw else None,
                     **self.facts(("checks", index), raw))

    def facts(self, path: Path, raw: dict[str, Any]) -> dict[str, Any]:
        """The fields of a check of a fact (core.expect.FIELDS)."""
        found: dict[str, Any] = {k: self.address(path + (k,), raw.get(k)) for k in ("via", "address", "resolver")}
        value = raw.get("value")
        return {**found, "family": raw.get("family"), "interface": raw.get("interface"), "mtu": raw.get("mtu"),
                "sysctl": raw.get("sysctl"), "protocol": raw.get("protocol"),
                "value": " ".join(str(value).split()) if value is not None else None}


def _reserve(pool: Pool | None, host: IPv4Address | None) -> Pool | None:
    """The host's address on the network is kept from Docker's allocator as an auxiliary address."""
    if pool is None or host is None or host not in pool.subnet or any(a == host for _, a in pool.aux_addresses):
        return pool
    return replace(pool, aux_addresses=tuple(sorted((*pool.aux_addresses, ("dockerlab-host", host)))))


