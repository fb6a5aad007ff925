"""What tests share besides fixtures: the command line run as a user runs it, a lab's objects on the engine,
and the cleanup of test labs (every object of a lab named "dlt-*", and only those)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from dockerlab.core.labels import LAB
from dockerlab.core.labels import SWARM_FORMED_BY as FORMED_BY

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_LAB_PREFIX = "dlt-"




def swarm_former(client) -> str | None:
    """Who formed the swarm the engine is in: None when it is in none."""
    if client.info()["Swarm"]["LocalNodeState"] != "active":
        return None
    try:
        return (client.api.inspect_swarm()["Spec"].get("Labels") or {}).get(FORMED_BY, "")
    except Exception:  # noqa: BLE001 - a worker cannot inspect the swarm: not one the tests formed
        return ""


def leave_test_swarm(client) -> None:
    """A swarm that a test (or a test lab) formed and an interrupted run left: the engine leaves it, and its
    overlay networks go with it."""
    if (swarm_former(client) or "").startswith(TEST_LAB_PREFIX):
        client.swarm.leave(force=True)


def remove_test_objects(client, labs: set[str] | None = None) -> None:
    """Containers and networks of test labs, also those an interrupted earlier run left; with labs, those
    labs' alone (what one test made, even when it failed half-way)."""
    from dockerlab.host.host import Host
    from dockerlab.host.shaper import marks
    from dockerlab.privatedir import private_dir
    from dockerlab.run.lock import clear_stale

    if labs is None:
        leave_test_swarm(client)
        clear_stale()  # lock files an interrupted earlier run left

    def ours(labels: dict) -> bool:
        name = labels[LAB]
        return name in labs if labs is not None else name.startswith(TEST_LAB_PREFIX)

    engine = Host.from_env().engine  # its removal also clears endpoints Docker left behind (moby#17217)
    labelled = {"label": LAB}
    for box in client.api.containers(all=True, filters=labelled):
        if ours(box["Labels"]):
            engine.remove_container(box["Id"], box["Names"][0])
            (marks() / box["Id"]).unlink(missing_ok=True)  # it was shaped (impairments): the mark goes with it
    # those made with a config-only network's settings first: Docker keeps that network while they are
    for net in sorted(client.api.networks(filters=labelled), key=lambda n: bool(n.get("ConfigOnly"))):
        if ours(net["Labels"]):
            engine.remove_network(net["Id"], net["Name"], net.get("Scope", "local"))
    for kept in pathlib.Path(private_dir()).glob(f"endpoints-{TEST_LAB_PREFIX}*.json"):  # host.endpointids
        if ours({LAB: kept.name.removeprefix("endpoints-").removesuffix(".json")}):
            kept.unlink(missing_ok=True)


def lab_objects(client, lab: str) -> list[str]:
    api = client.api
    found = [c["Names"][0] for c in api.containers(all=True, filters={"label": f"{LAB}={lab}"})]
    return found + [n["Name"] for n in api.networks(filters={"label": f"{LAB}={lab}"})]


def refused_apply(client, path: str, lab: str) -> str:
    """Apply, which must fail with exit 1 and leave nothing of the lab behind; returns its stderr."""
    out = dockerlab("apply", path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert lab_objects(client, lab) == [], "nothing may be left half-made"
    return out.stderr


def dockerlab(*args: str, env: dict | None = None, ok: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line, as a user would. Never a traceback, whatever the outcome."""
    result = subprocess.run([sys.executable, "-m", "dockerlab", *args], capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, timeout=300, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)




def made_by_its_commands(client, path: str, lab: str, commands: str) -> None:
    """The plan as docker commands, run as a user would paste it, makes the lab the file says: a plan after it has
    nothing to do. The lab is destroyed after, whatever happened."""
    try:
        done = subprocess.run(["bash", "-c", commands], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "no changes" in dockerlab("plan", path, ok=True).stdout
    finally:
        dockerlab("destroy", path, ok=True)
    assert lab_objects(client, lab) == []
