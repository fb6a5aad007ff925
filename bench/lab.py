"""What every tool of the benchmark shares: the generated lab (N busybox containers over N/10 bridges), and how
one command is run and timed."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERLAB = [str(ROOT / ".venv/bin/dockerlab")]
PHASES = ("cold apply", "no-op apply", "plan", "check", "one-container change", "one-network change", "destroy")
CHANGED = 5  # containers that join the new network in the one-network change
PARALLEL = 8
LIMIT = 600.0  # seconds one command may take (--limit): docker-compose 1.29 needs far longer for 300 services
IMAGE = "busybox"
LABEL = "dockerlab.bench=1"  # on everything the CLI and Ansible runs make, so leftovers can be found


def networks_for(n: int) -> int:
    return max(1, n // 10)


def names(n: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Network names and (container, network) pairs of the generated lab of size n."""
    nets = [f"bn{j}" for j in range(networks_for(n))]
    return nets, [(f"bc{i}", nets[i % len(nets)]) for i in range(n)]


def peers(boxes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One check per container: it pings the next container on its network, by name."""
    members: dict[str, list[str]] = {}
    for box, net in boxes:
        members.setdefault(net, []).append(box)
    return [(box, members[net][(members[net].index(box) + 1) % len(members[net])]) for box, net in boxes]


Timing = tuple[float, int]  # wall seconds, peak RSS in KiB


class ToolFailed(RuntimeError):
    """A tool's command failed; the round records it and goes on."""


# Python tools keep their bytecode cache, as they do on a user's machine (some CI images switch it off)
AS_ON_A_USERS_MACHINE = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class GaveUp(ToolFailed):
    """A command ran past the time limit: the tool is not run again at that size."""


def run(argv: list[str], env: dict | None = None, expect: str = "") -> Timing:
    """Wall seconds and peak RSS (KiB) of one command, which must succeed (and print `expect`) within LIMIT."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**AS_ON_A_USERS_MACHINE, **(env or {})})
    stopper = threading.Timer(LIMIT, proc.kill)
    stopper.start()
    _, status, usage = os.wait4(proc.pid, 0)
    stopper.cancel()
    seconds = time.perf_counter() - start
    if seconds >= LIMIT:
        running = subprocess.run(["docker", "ps", "-q"], capture_output=True, text=True).stdout.split()
        raise GaveUp(f"{Path(argv[0]).name} did not finish within {LIMIT:.0f} s ({len(running)} containers "
                     "running when it was stopped)")
    output = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        errors = [ln for ln in output.splitlines() if re.search(r"fatal|failed:|error|Error", ln)]
        raise ToolFailed(f"{Path(argv[0]).name} failed: " + (" | ".join(errors[:3]) or output[-500:])[:600])
    if expect not in output:
        raise ToolFailed(f"{' '.join(Path(a).name for a in argv[:2])} did not say '{expect}': {output[-300:]}")
    return seconds, usage.ru_maxrss


def sh(script: str) -> Timing:
    return run(["bash", "-euo", "pipefail", "-c", script])

