"""Probes a check runs from this machine rather than from a container: ping, with busybox's (the one the tests
pin) or else the system's, whose options and summary are the same (iputils). A missing tool is an error, never
"unreachable": a lesson in isolation would pass with nothing tested."""

from __future__ import annotations

import shutil
import subprocess

from dockerlab.learn.checkresult import CheckError

NO_PING = ("a check from the host pings from this machine, which has neither busybox nor ping: install one "
           "(Debian and Ubuntu: apt install busybox, or iputils-ping)")


def ping_here(args: list[str], timeout: float) -> tuple[int, str]:
    """ping with these arguments on this machine: (exit code, output)."""
    if shutil.which("busybox"):
        return run_here(["busybox", "ping", *args], timeout)
    if shutil.which("ping"):
        return run_here(["ping", *args], timeout)
    raise CheckError(NO_PING)


def run_here(argv: list[str], timeout: float) -> tuple[int, str]:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        return 1, f"no answer in {exc.timeout:g} s"
    except OSError as exc:
        raise CheckError(f"cannot run {argv[0]} on this machine: {exc.strerror}") from None
    return result.returncode, result.stdout + result.stderr
