"""What an engine's host can do: kernel link types and interfaces. Best effort, local engines only.

Each probe answers a value, or None when it cannot tell (a remote engine, not root); then the engine's
own error, translated, is what the user sees.
"""

from __future__ import annotations

import json
import shutil
import socket
import struct
import subprocess
from functools import cache, cached_property
from typing import Any

from dockerlab.engine.address import unix_socket_path
from dockerlab.errors import DockerlabError

# what is not a link type is asked by making one of it: a qdisc, an IPsec state as an encrypted overlay's
PROBES = {"netem": ["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"],
          "esp": ["ip", "xfrm", "state", "add", "src", "192.0.2.1", "dst", "192.0.2.2", "proto", "esp", "spi", "0x100",
                  "mode", "transport", "aead", "rfc4106(gcm(aes))", "0x" + "01" * 20, "128"]}
MISSING = ("Unknown device type", "qdisc kind is unknown", "algorithm not found")
PACKAGES = {"nsenter": "util-linux", "ip": "iproute2", "tc": "iproute2"}  # Debian's and Ubuntu's names


@cache
def _kernel_supports(link_type: str) -> bool | None:
    """Ask this machine's kernel to make a link of this type (or a qdisc) in a throwaway network namespace."""
    argv = PROBES.get(link_type, ["ip", "link", "add", "dlprobe0", "type", link_type])
    try:
        result = subprocess.run(["unshare", "--net", *argv], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if any(words in result.stderr for words in MISSING):
        return False
    if result.returncode != 0 and ("Operation not permitted" in result.stderr or "unshare" in result.stderr):
        return None
    return True


class HostFacts:
    """Facts about the machine an engine runs on, read from that engine's own network namespace."""

    def __init__(self, address: str) -> None:
        self.socket_path = unix_socket_path(address)

    @property
    def local(self) -> bool:
        return self.socket_path is not None

    def kernel_supports(self, link_type: str) -> bool | None:
        return _kernel_supports(link_type) if self.local else None

    @cached_property
    def engine_pid(self) -> int | None:
        """The pid of the engine behind a unix socket (SO_PEERCRED: Linux's; elsewhere, as on macOS, an engine
        in Docker Desktop's VM has no namespace here to enter)."""
        if self.socket_path is None or not hasattr(socket, "SO_PEERCRED"):
            return None
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                sock.connect(self.socket_path)
                creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        except OSError:
            return None
        pid, _, _ = struct.unpack("3i", creds)
        return pid or None

    def interfaces(self) -> set[str] | None:
        """Interfaces in the engine's network namespace, which may not be ours."""
        if self.engine_pid is None:
            return None
        try:
            with open(f"/proc/{self.engine_pid}/net/dev") as table:
                return {line.split(":", 1)[0].strip() for line in table.readlines()[2:]}
        except OSError:
            return None

    def interface_mac(self, name: str) -> str | None:
        """The MAC of an interface in the engine's network namespace."""
        if self.engine_pid is None:
            return None
        try:
            found = ip_in(self.engine_pid, "-o", "link", "show", name).split("link/ether ", 1)
        except DockerlabError:
            return None
        return found[1].split()[0] if len(found) == 2 else None


def links_in(pid: int) -> list[dict[str, Any]]:
    """The interfaces in the network namespace of a process, as `ip -j link show` describes them."""
    found: list[dict[str, Any]] = json.loads(ip_in(pid, "-j", "link", "show") or "[]")
    return found


def ip_in(pid: int | None, *args: str) -> str:
    """`ip ARGS` in the network namespace of a process (the engine, a container; None: this one's)."""
    return run_in(pid, "ip", *args)


def run_in(pid: int | None, *argv: str) -> str:
    """A command (ip, tc) in the network namespace of a process; its output, or its error as a DockerlabError."""
    code, out = answer_in(pid, *argv)
    if code != 0:
        raise DockerlabError(f"{' '.join(argv)}: {out.strip()}")
    return out


def answer_in(pid: int | None, *argv: str) -> tuple[int, str]:
    """As run_in, with the command's own exit code and output (its errors too); DockerlabError only when it could
    not run at all (no such program, no answer within 10 s)."""
    prefix = ["nsenter", f"--net=/proc/{pid}/ns/net"] if pid else []
    if missing := [tool for tool in (*prefix[:1], argv[0]) if not shutil.which(tool)]:
        raise DockerlabError(f"{' '.join(argv)}: this machine has no {missing[0]}; install "
                             f"{PACKAGES.get(missing[0], missing[0])} (it reads what Docker made on the engine's host)")
    try:
        result = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DockerlabError(f"{' '.join(argv)}: {exc}") from None
    return result.returncode, result.stdout if result.returncode == 0 else result.stderr
