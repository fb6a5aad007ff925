"""What the commands share: a lab file read, with the hosts it names and their addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dockerlab.core.model import Lab
    from dockerlab.host.host import Host


def load(path: str) -> Lab:
    from dockerlab.labfile.load import load_lab

    return load_lab(path)


def hosts_of(lab: Lab | None = None) -> dict[str, Host]:
    from dockerlab.core.placement import ONE
    from dockerlab.host.host import Host

    return Host.of(lab) if lab else {ONE: Host.from_env()}


def addresses(hosts: dict[str, Host]) -> dict[str, str]:
    """Each host's key and engine address, as plans are printed with them."""
    return {key: host.address for key, host in hosts.items()}


def lab_and_hosts(path: str) -> tuple[Lab, dict[str, Host]]:
    lab = load(path)
    return lab, hosts_of(lab)
