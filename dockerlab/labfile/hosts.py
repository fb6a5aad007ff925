"""What the schema cannot say about a lab's hosts and its swarm: every host named exists, an address each where
the swarm is formed, engine addresses Docker can parse and none named twice."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from dockerlab.core.model import Lab
from dockerlab.labfile.yamlsource import Path


def problems(lab: Lab) -> Iterator[tuple[Path, str]]:
    """What the schema cannot say about hosts and the swarm."""
    keys = [h.key for h in lab.hosts]
    for box in lab.containers:
        if box.host and box.host not in keys:
            where = f"hosts: {', '.join(keys)}" if keys else "the lab has no 'hosts:' section"
            yield ("containers", box.key, "host"), f"no host '{box.host}' in this lab ({where})"
    if lab.swarm and lab.swarm.manager not in keys:
        yield ("swarm", "manager"), (f"no host '{lab.swarm.manager}' in this lab" if keys else
                                     "'swarm:' needs a 'hosts:' section that names the manager and its address")
    if lab.swarm and lab.swarm.form:
        for h in lab.hosts:
            if not h.address:
                yield ("hosts", h.key), ("'swarm: {form: true}' needs an 'address' on each host: the address the "
                                         "other hosts reach it at (the swarm's advertise address)")
    yield from _engine_addresses(lab)
    if len(keys) > 1:
        for i, check in enumerate(lab.checks):
            if check.from_host or check.to_host:
                yield ("checks", i, "from"), "'host' is ambiguous in a lab across hosts; check between containers"


def _engine_addresses(lab: Lab) -> Iterator[tuple[Path, str]]:
    """A docker_host Docker can parse (a context name has no '://'), and no engine named twice."""
    named: dict[str, str] = {}
    for host in lab.hosts:
        address = host.docker_host or "DOCKER_HOST"
        if (first := named.setdefault(address, host.key)) != host.key:
            yield ("hosts", host.key), f"host '{first}' names this engine too ({address}); give each its own"
        if "://" not in address:
            continue
        url = urlsplit(address)
        try:
            url.port  # noqa: B018 - reading it is the check: a port out of range or not a number raises
        except ValueError:
            yield ("hosts", host.key, "docker_host"), f"'{address}': the port is not a number from 1 to 65535"
            continue
        if url.scheme not in ("unix", "tcp", "ssh", "http", "https"):
            yield ("hosts", host.key, "docker_host"), f"'{address}': use unix://, tcp:// or ssh://, or a context name"
        elif url.scheme != "unix" and not url.hostname:
            yield ("hosts", host.key, "docker_host"), f"'{address}' names no host"
