"""Fixtures for tests against a real Docker engine.

Every object a test makes belongs to a lab whose name starts with "dlt-"; those, and only
those, are removed before and after the session, so a user's own containers are never touched.
"""

from __future__ import annotations

import os
import pathlib
import re
import signal
import uuid

import pytest
from helpers import FORMED_BY, ROOT, TEST_LAB_PREFIX, ip, leave_test_swarm, remove_test_objects, swarm_former

NO_ENGINE = "unix:///nonexistent/dockerlab-unit-test.sock"  # where a test without the engine marker finds no engine


def pytest_configure(config):
    """Started where SIGINT is ignored (in the background, by a shell without job control), the dockerlab commands
    the tests run would inherit that, and the tests that press Ctrl-C on them would press it in vain."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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


@pytest.fixture
def make_lab(tmp_path, docker_client, veth):
    """Write a lab file under a unique test lab name; returns (path, lab name). Whatever the test leaves of
    its labs on this engine goes when it ends, passed or failed, so that the next test starts clean (and
    before the test's veth parents go: it asks for them first)."""
    written: set[str] = set()

    def write(text: str, name: str | None = None) -> tuple[str, str]:
        lab = f"{TEST_LAB_PREFIX}{name or uuid.uuid4().hex[:6]}"
        text = re.sub(r"^name: .*$", f"name: {lab}", text, count=1, flags=re.M)
        path = tmp_path / f"{lab}.yaml"
        path.write_text(text)
        written.add(lab)
        return str(path), lab
    yield write
    remove_test_objects(docker_client, written)


@pytest.fixture
def veth():
    """A veth pair to serve as macvlan/ipvlan parent: never the machine's real uplink."""
    made = []

    def make(name: str) -> str:
        ip("link", "del", name)
        result = ip("link", "add", name, "type", "veth", "peer", "name", f"{name}p")
        assert result.returncode == 0, f"cannot make veth {name}: {result.stderr}"
        ip("link", "set", name, "up")
        ip("link", "set", f"{name}p", "up")
        made.append(name)
        return name
    yield make
    for name in made:
        ip("link", "del", name)


@pytest.fixture
def swarm(docker_client):
    """Swarm mode, turned on for the tests only if it was off, and turned off again after."""
    if swarm_former(docker_client) is not None:
        yield
        return
    had_gwbridge = bool(docker_client.networks.list(names=["docker_gwbridge"]))
    ip("link", "del", "dlt-sw0")
    ip("link", "add", "dlt-sw0", "type", "veth", "peer", "name", "dlt-sw1")
    ip("addr", "add", "10.254.253.1/30", "dev", "dlt-sw0")
    ip("link", "set", "dlt-sw0", "up")
    ip("link", "set", "dlt-sw1", "up")
    spec = docker_client.api.create_swarm_spec(labels={FORMED_BY: f"{TEST_LAB_PREFIX}swarm"})  # ours, if left
    docker_client.api.init_swarm(advertise_addr="10.254.253.1", listen_addr="10.254.253.1:2377", swarm_spec=spec)
    try:
        yield
    finally:
        try:
            remove_test_objects(docker_client)
        finally:
            leave_test_swarm(docker_client)
            ip("link", "del", "dlt-sw0")
            if not had_gwbridge:  # swarm mode made it; leave the engine as it was
                for net in docker_client.networks.list(names=["docker_gwbridge"]):
                    if net.name == "docker_gwbridge":
                        net.remove()
