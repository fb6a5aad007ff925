"""Fixtures for tests against a real Docker engine.

Every object a test makes belongs to a lab whose name starts with "dlt-"; those, and only
those, are removed before and after the session, so a user's own containers are never touched.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_LAB_PREFIX = "dlt-"


NO_ENGINE = "unix:///nonexistent/dockerlab-unit-test.sock"  # where a test without the engine marker finds no engine


def pytest_collection_modifyitems(config, items):
    """A test that asks for the engine carries the engine marker, so that `make unit` runs without one."""
    unmarked = [item.nodeid for item in items
                if "docker_client" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("engine")]
    if unmarked:
        raise pytest.UsageError("tests that use the engine need @pytest.mark.engine: " + ", ".join(unmarked))


@pytest.fixture(autouse=True)
def _no_engine_unless_marked(request, monkeypatch):
    """Without the engine marker, DOCKER_HOST names no engine: a test that reaches one anyway fails."""
    if not request.node.get_closest_marker("engine"):
        monkeypatch.setenv("DOCKER_HOST", NO_ENGINE)


@pytest.fixture(scope="session")
def labs_dir() -> pathlib.Path:
    return ROOT / "labs"


def _client():
    import docker

    return docker.from_env(version="auto")


@pytest.fixture(scope="session")
def docker_client():
    try:
        client = _client()
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no engine
        message = f"no Docker engine answers ({exc}); `make test` starts one"
        if os.environ.get("CI") or os.environ.get("DOCKERLAB_REQUIRE_ENGINE"):
            pytest.fail(message)
        pytest.skip(message)
    remove_test_objects(client)
    yield client
    remove_test_objects(client)


FORMED_BY = "io.dockerlab.swarm-formed-by"


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


def remove_test_objects(client) -> None:
    """Containers and networks of test labs, also those an interrupted earlier run left."""
    from dockerlab.host.host import Host
    from dockerlab.host.shaper import marks
    from dockerlab.run.lock import clear_stale

    leave_test_swarm(client)
    clear_stale()  # lock files an interrupted earlier run left
    engine = Host.from_env().engine  # its removal also clears endpoints Docker left behind (moby#17217)
    ours = {"label": "io.dockerlab.lab"}
    for box in client.api.containers(all=True, filters=ours):
        if box["Labels"]["io.dockerlab.lab"].startswith(TEST_LAB_PREFIX):
            engine.remove_container(box["Id"], box["Names"][0])
            (marks() / box["Id"]).unlink(missing_ok=True)  # it was shaped (impairments): the mark goes with it
    for net in client.api.networks(filters=ours):
        if net["Labels"]["io.dockerlab.lab"].startswith(TEST_LAB_PREFIX):
            engine.remove_network(net["Id"], net["Name"], net.get("Scope", "local"))


def lab_objects(client, lab: str) -> list[str]:
    api = client.api
    found = [c["Names"][0] for c in api.containers(all=True, filters={"label": f"io.dockerlab.lab={lab}"})]
    return found + [n["Name"] for n in api.networks(filters={"label": f"io.dockerlab.lab={lab}"})]


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


@pytest.fixture
def make_lab(tmp_path, docker_client):
    """Write a lab file under a unique test lab name; returns (path, lab name)."""
    def write(text: str, name: str | None = None) -> tuple[str, str]:
        lab = f"{TEST_LAB_PREFIX}{name or uuid.uuid4().hex[:6]}"
        text = re.sub(r"^name: .*$", f"name: {lab}", text, count=1, flags=re.M)
        path = tmp_path / f"{lab}.yaml"
        path.write_text(text)
        return str(path), lab
    return write


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True)


@pytest.fixture
def veth():
    """A veth pair to serve as macvlan/ipvlan parent: never the machine's real uplink."""
    made = []

    def make(name: str) -> str:
        _ip("link", "del", name)
        result = _ip("link", "add", name, "type", "veth", "peer", "name", f"{name}p")
        assert result.returncode == 0, f"cannot make veth {name}: {result.stderr}"
        _ip("link", "set", name, "up")
        _ip("link", "set", f"{name}p", "up")
        made.append(name)
        return name
    yield make
    for name in made:
        _ip("link", "del", name)


@pytest.fixture
def swarm(docker_client):
    """Swarm mode, turned on for the tests only if it was off, and turned off again after."""
    if swarm_former(docker_client) is not None:
        yield
        return
    had_gwbridge = bool(docker_client.networks.list(names=["docker_gwbridge"]))
    _ip("link", "del", "dlt-sw0")
    _ip("link", "add", "dlt-sw0", "type", "veth", "peer", "name", "dlt-sw1")
    _ip("addr", "add", "10.254.253.1/30", "dev", "dlt-sw0")
    _ip("link", "set", "dlt-sw0", "up")
    _ip("link", "set", "dlt-sw1", "up")
    spec = docker_client.api.create_swarm_spec(labels={FORMED_BY: f"{TEST_LAB_PREFIX}swarm"})  # ours, if left
    docker_client.api.init_swarm(advertise_addr="10.254.253.1", listen_addr="10.254.253.1:2377", swarm_spec=spec)
    try:
        yield
    finally:
        try:
            remove_test_objects(docker_client)
        finally:
            leave_test_swarm(docker_client)
            _ip("link", "del", "dlt-sw0")
            if not had_gwbridge:  # swarm mode made it; leave the engine as it was
                for net in docker_client.networks.list(names=["docker_gwbridge"]):
                    if net.name == "docker_gwbridge":
                        net.remove()
