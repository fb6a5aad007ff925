"""The live view's pure parts: the engine's events read as the lab's (fabricated JSON, in Docker's own shape), drift
told as it comes and goes, and the server's guard against other hosts and origins (a real aiohttp server on
loopback, no engine: the lab is not read). The engine tests (test_engine_live.py) run them for real."""

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from dockerlab.core import labels as L
from dockerlab.labfile.load import parse_lab
from dockerlab.live.board import Board
from dockerlab.live.events import Known, LabEvent, drift_events, lab_event
from dockerlab.live.server import Door, app_for

LAB = parse_lab("""
name: ev
prefix: ev-
networks:
  net: {driver: bridge, subnet: 10.91.0.0/24}
containers:
  one: {image: busybox, networks: [net]}
""", "ev.yaml")
KNOWN = Known({"c1" * 32: "ev-one"}, {"ev-net"}, {})


def raw(kind, action, attrs, actor="x" * 64):
    return {"Type": kind, "Action": action, "Actor": {"ID": actor, "Attributes": attrs}, "time": 1700000000,
            "timeNano": 1700000000_250000000}


def test_a_container_of_the_lab_dies_with_its_exit_code():
    event = lab_event(raw("container", "die", {L.LAB: "ev", "name": "ev-one", "exitCode": "137"}), LAB, KNOWN)
    assert event == LabEvent(1700000000.25, "container", "ev-one", "die", exit_code=137)
    assert event.line().endswith("container ev-one die (exit 137)")
    assert event.to_dict() == {"at": 1700000000.25, "what": "container", "name": "ev-one", "action": "die",
                               "exit_code": 137}


def test_a_kill_names_its_signal_and_other_labs_and_exec_events_are_not_told():
    kill = lab_event(raw("container", "kill", {L.LAB: "ev", "name": "ev-one", "signal": "9"}), LAB, KNOWN)
    assert kill is not None and kill.line().endswith("kill (signal 9)")
    assert lab_event(raw("container", "die", {L.LAB: "other", "name": "x"}), LAB, KNOWN) is None
    assert lab_event(raw("container", "die", {"name": "mine"}), LAB, KNOWN) is None  # a user's own container
    assert lab_event(raw("container", "exec_start: ping -c1 x", {L.LAB: "ev"}), LAB, KNOWN) is None


def test_a_membership_names_the_container_that_the_event_gives_by_id():
    event = lab_event(raw("network", "disconnect", {"name": "ev-net", "type": "bridge", "container": "c1" * 32}),
                      LAB, KNOWN)
    assert event == LabEvent(1700000000.25, "container", "ev-one", "disconnect", network="ev-net")
    # a lab container on Docker's own bridge is the lab's; a stranger on the user's own network is not
    assert lab_event(raw("network", "connect", {"name": "bridge", "container": "c1" * 32}), LAB, KNOWN) is not None
    assert lab_event(raw("network", "connect", {"name": "mynet", "container": "f" * 64}), LAB, KNOWN) is None


def test_the_labs_marker_networks_are_state_not_events():
    for key in L.MARKERS:
        assert lab_event(raw("network", "create", {"name": f"ev-{key}"}), LAB, KNOWN) is None
    made = lab_event(raw("network", "create", {"name": "ev-net2"}), LAB, Known({}, {"ev-net2"}, {}))
    assert made is not None and made.what == "network"  # a network of another stage of the lab
    assert lab_event(raw("network", "create", {"name": "ev-net3"}), LAB, KNOWN) is None  # a lab "ev-net"'s


def test_drift_is_told_as_it_appears_and_as_it_is_repaired():
    before = {("ev-one", "reconnect: not on ev-net")}
    after = {("ev-two", "missing")}
    told = drift_events(before, after, 5.0)
    assert [(e.what, e.name, e.action) for e in told] == [("drift", "ev-two", "missing"),
                                                          ("repaired", "ev-one", "reconnect: not on ev-net")]


def test_an_event_line_shows_lab_text_as_one_printable_line():
    event = LabEvent(0.0, "container", "ev-\x1b[2Jone\n", "start")
    assert "\x1b" not in event.line() and "\n" not in event.line() and "\\x1b[2Jone\\n" in event.line()


@pytest.fixture
def server():
    """The server's guard is asked before any handler: nothing here reads an engine."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    door = Door()
    test_server = TestServer(app_for(Board({}), door), host="127.0.0.1")
    client = TestClient(test_server, loop=loop)
    loop.run_until_complete(client.start_server())
    door.port = test_server.port
    yield loop, client, door
    loop.run_until_complete(client.close())
    loop.close()
    asyncio.set_event_loop(None)


def _ask(server, method, path, headers, body=None, token=True):
    loop, client, door = server
    path += f"?token={door.token}" if token else ""

    async def go():
        answer = await client.request(method, path, headers=headers, json=body)
        return answer.status, await answer.text(), answer.headers
    return loop.run_until_complete(go())


def _own(server):
    return f"127.0.0.1:{server[2].port}"


def test_the_page_is_served_to_its_own_host_with_a_strict_policy(server):
    status, text, headers = _ask(server, "GET", "/", {"Host": _own(server)})
    assert status == 200 and "<title>dockerlab view</title>" in text
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert _ask(server, "GET", "/static/cytoscape.min.js", {"Host": f"localhost:{server[2].port}"},
                token=False)[0] == 200


def test_without_the_printed_token_nothing_but_the_pages_own_files_is_served(server):
    status, text, headers = _ask(server, "GET", "/stream", {"Host": _own(server)}, token=False)
    assert status == 403 and "needs the token" in text and "Content-Security-Policy" in headers
    assert server[2].url() == f"http://127.0.0.1:{server[2].port}/?token={server[2].token}"
    assert len(server[2].token) >= 24


@pytest.mark.parametrize("path", ["/static/../../../etc/passwd", "/static/index.html", "/static/x.js"])
def test_only_the_pages_own_files_are_served(server, path):
    status, _, headers = _ask(server, "GET", path, {"Host": _own(server)})
    assert status == 404 and "Content-Security-Policy" in headers


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "LOCALHOST.:{port}", ""])
def test_a_rebound_dns_name_is_refused(server, host):
    status, text, _ = _ask(server, "GET", "/", {"Host": host.format(port=server[2].port)})
    assert status == 403 and "answers only to 127.0.0.1" in text


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null", "http://127.0.0.1:1"])
def test_checks_run_only_when_its_own_page_asks(server, origin):
    headers = {"Host": _own(server)} | ({"Origin": origin} if origin else {})
    status, text, _ = _ask(server, "POST", "/check", headers, {"checks": None})
    assert status == 403 and "its own page only" in text


@pytest.mark.parametrize("body", [{"checks": "all"}, {"checks": ["0"]}, [1], "x"])
def test_a_check_request_of_another_shape_is_refused(server, body):
    own = _own(server)
    status, text, _ = _ask(server, "POST", "/check", {"Host": own, "Origin": f"http://{own}"}, body)
    assert status == 400 and "POST {" in text
