"""What the engine's host can do: kernel link types and interfaces. Best effort, local engines only.

Each probe answers True/False, or None when it cannot tell (a remote engine, not root);
then the engine's own error, translated, is what the user sees.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
from functools import cache

LINK_MODULES = {"ipvlan": "ipvlan", "macvlan": "macvlan", "vlan": "8021q", "dummy": "dummy", "vxlan": "vxlan"}


@cache
def kernel_supports(link_type: str) -> bool | None:
    """Ask the kernel to make a link of this type in a throwaway network namespace."""
    try:
        result = subprocess.run(["unshare", "--net", "ip", "link", "add", "dlprobe0", "type", link_type],
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if "Unknown device type" in result.stderr:
        return False
    if result.returncode != 0 and ("Operation not permitted" in result.stderr or "unshare" in result.stderr):
        return None
    return True


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def unix_socket_path(docker_host: str) -> str | None:
    """The socket behind a unix:// DOCKER_HOST; None for a remote engine (tcp://, ssh://)."""
    if docker_host and not docker_host.startswith("unix://"):
        return None
    return docker_host[len("unix://"):] or "/var/run/docker.sock"


def engine_pid(docker_host: str) -> int | None:
    """The pid of the engine behind a unix-socket DOCKER_HOST (SO_PEERCRED); None for a remote one."""
    socket_path = unix_socket_path(docker_host)
    if socket_path is None:
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(socket_path)
            creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return None
    pid, _, _ = struct.unpack("3i", creds)
    return pid or None


def engine_interfaces(docker_host: str) -> set[str] | None:
    """Interfaces in the engine's network namespace, which may not be ours."""
    pid = engine_pid(docker_host)
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/net/dev") as table:
            return {line.split(":", 1)[0].strip() for line in table.readlines()[2:]}
    except OSError:
        return None


def interface_mac(docker_host: str, name: str) -> str | None:
    """The MAC of an interface in the engine's network namespace."""
    pid = engine_pid(docker_host)
    if pid is None:
        return None
    try:
        result = subprocess.run(["nsenter", f"--net=/proc/{pid}/ns/net", "ip", "-o", "link", "show", name],
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    found = result.stdout.split("link/ether ", 1)
    return found[1].split()[0] if len(found) == 2 else None
