"""Where an engine is: DOCKER_HOST (the one place that reads it), the socket behind a unix:// address, and the
address and TLS settings of a Docker context named instead of an address."""

from __future__ import annotations

import os
from typing import Any

from dockerlab.errors import DockerlabError

DEFAULT_ADDRESS = "unix:///var/run/docker.sock"


def address_from_env() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_ADDRESS


def unix_socket_path(address: str) -> str | None:
    """The socket behind a unix:// address; None for a remote engine (tcp://, ssh://)."""
    if address and not address.startswith("unix://"):
        return None
    return address[len("unix://"):] or DEFAULT_ADDRESS[len("unix://"):]


def resolve(docker_host: str) -> tuple[str, Any]:
    """An address as given, or the engine address (and TLS settings) of a Docker context of that name."""
    if "://" in docker_host:
        return docker_host, None
    from docker.context import ContextAPI
    from docker.errors import ContextNotFound

    try:
        context = ContextAPI.get_context(docker_host)
    except ContextNotFound:
        context = None
    if context is None or not context.Host:
        raise DockerlabError(f"docker_host '{docker_host}' is neither an address (unix://, tcp://, ssh://) nor a "
                             "Docker context (`docker context ls` lists them)")
    return str(context.Host), context.TLSConfig or None
