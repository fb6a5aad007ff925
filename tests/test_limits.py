"""Every number and address a user gives is a clear error when it is off, never a traceback (issue 21, E16-E17).
No engine: each is refused before one is asked."""

import os
from dataclasses import replace

import pytest
from helpers import dockerlab

from dockerlab.errors import LabFileError
from dockerlab.labfile.load import parse_lab


def problems(text: str) -> list[str]:
    with pytest.raises(LabFileError) as info:
        parse_lab(text, "lab.yaml")
    return [p.message for p in info.value.problems]


@pytest.mark.parametrize("port", ["127.0.0.1:80", "::1:8080:80", "1:2:3:4", "80:", ":80", "0x50"])
def test_a_port_docker_would_not_take_is_refused(port):
    (message,) = problems(f"name: p\ncontainers:\n  c: {{image: busybox, ports: ['{port}']}}\n")
    assert "is not a port: write [HOST_IP:HOST_PORT:]CONTAINER_PORT" in message or "is not valid" in message


@pytest.mark.parametrize(("port", "host_ip", "host", "container"), [
    ("80", None, None, 80), ("8080:80", None, 8080, 80), ("127.0.0.1:8080:80", "127.0.0.1", 8080, 80),
    ("127.0.0.1::80", "127.0.0.1", None, 80), ("[::1]:8080:80/udp", "::1", 8080, 80)])
def test_the_forms_of_docker_run_p_are_read(port, host_ip, host, container):
    lab = parse_lab(f"name: p\ncontainers:\n  c: {{image: busybox, ports: ['{port}']}}\n", "lab.yaml")
    (got,) = lab.container("c").ports
    assert (got.host_ip, got.host_port, got.container_port) == (host_ip, host, container)


@pytest.mark.parametrize(("docker_host", "says"), [
    ("tcp://127.0.0.1:99999", "the port is not a number from 1 to 65535"),
    ("ssh://127.0.0.1:-oProxyCommand=x", "the port is not a number from 1 to 65535"),
    ("ftp://x", "use unix://, tcp:// or ssh://"), ("tcp://:2375", "names no host")])
def test_a_docker_host_docker_cannot_parse_is_refused(docker_host, says):
    (message,) = problems(f"name: p\nhosts:\n  h1: {{}}\n  h2: {{docker_host: '{docker_host}'}}\n")
    assert says in message


def test_two_hosts_that_name_one_engine_are_refused():
    (message,) = problems("name: p\nhosts:\n  h1: {}\n  h2: {}\n")
    assert message == "host 'h1' names this engine too (DOCKER_HOST); give each its own"


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--settle", "-1", "is not between 0 and 3600 seconds"), ("--settle", "nan", "is not between 0 and 3600"),
    ("--settle", "inf", "is not between 0 and 3600"), ("--settle", "soon", "is not a number of seconds"),
    ("--parallel", "0", "is not in the range 1<=x<=256"), ("--parallel", "-3", "is not in the range")])
def test_every_number_option_is_bounded(option, value, says, tmp_path):
    lab = tmp_path / "lab.yaml"
    lab.write_text("name: p\n")
    out = dockerlab("apply", str(lab), option, value, env={"DOCKER_HOST": "unix:///nonexistent.sock"})
    assert out.returncode != 0 and says in out.stderr, out.stderr


def test_an_engine_address_that_takes_the_connection_and_never_answers_is_said_so_in_time(tmp_path):
    """Issue 21, E15: a read waits DOCKERLAB_TIMEOUT (30 s by default), then says the engine does not answer,
    not that none runs."""
    import socket
    import time

    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        lab = tmp_path / "lab.yaml"
        lab.write_text("name: t\nnetworks:\n  n: {}\n")
        start = time.monotonic()
        out = dockerlab("plan", str(lab), env={"DOCKER_HOST": f"tcp://127.0.0.1:{mute.getsockname()[1]}",
                                                "DOCKERLAB_TIMEOUT": "2"})
        took = time.monotonic() - start
    assert out.returncode == 1 and "does not answer: it took the connection but sent no reply" in out.stderr
    assert took < 10, f"{took:.1f} s"


def test_a_read_after_the_first_contact_waits_as_long_as_a_read(tmp_path):
    """Issue 21, E15: an engine that answers its version, then never answers a list, is said to have stopped
    answering after the read timeout (1 s here), not after a change's (3 s)."""
    import socket
    import threading
    import time

    def serve(server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:  # the test is over: its socket closed
                return
            held.append(conn)
            if b"/version" in conn.recv(4096):
                body = b'{"ApiVersion": "1.41", "Version": "20.10.24", "MinAPIVersion": "1.12"}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)

    held: list[socket.socket] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        threading.Thread(target=serve, args=(server,), daemon=True).start()
        lab = tmp_path / "lab.yaml"
        lab.write_text("name: t\nnetworks:\n  n: {}\n")
        start = time.monotonic()
        out = dockerlab("plan", str(lab), env={"DOCKER_HOST": f"tcp://127.0.0.1:{server.getsockname()[1]}",
                                                "DOCKERLAB_TIMEOUT": "1"})
        took = time.monotonic() - start
    assert out.returncode == 1 and "stopped answering (no reply in 1 s)" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and took < 2.9, f"{took:.1f} s: a change's wait, not a read's"


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan", "inf", "99999"])
def test_a_bad_timeout_is_one_clear_message(value, tmp_path):
    lab = tmp_path / "lab.yaml"
    lab.write_text("name: t\n")
    out = dockerlab("plan", str(lab), env={"DOCKERLAB_TIMEOUT": value})
    assert out.returncode == 1 and out.stderr == (
        f"dockerlab: DOCKERLAB_TIMEOUT={value!r} is not a number of seconds between 0.1 and 3600 (the wait for an "
        "engine's reply to a read; 30 when unset)\n"), out.stderr


def test_a_timeout_below_a_second_is_kept_as_given():
    import subprocess
    import sys

    code = "from dockerlab.engine.transport import read_timeout as r, write_timeout as w; print(r(), w())"
    got = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DOCKERLAB_TIMEOUT": "0.5"},
                         capture_output=True, text=True, check=True)
    assert got.stdout.split() == ["0.5", "1.5"]


def test_a_renamed_lab_file_is_told_how_to_remove_what_the_old_name_made(tmp_path):
    """Issue 21, E18: the old file is gone, so `destroy OLD` cannot work; --lab or --take-over can. Pure: the
    ownership rule on fabricated state."""
    from dockerlab.core import labels as L
    from dockerlab.core.observed import Observed, network_from_api
    from dockerlab.plan.ownership import claims
    from dockerlab.plan.steps import Mode

    old = parse_lab("name: moved\nnetworks:\n  n: {}\n", str(tmp_path / "old.yaml"))
    old = replace(old, origin=str(tmp_path / "old.yaml"))
    live = network_from_api({"Name": "moved-n", "Id": "N" * 64, "Driver": "bridge", "IPAM": {"Config": []},
                             "Labels": L.network_labels(old, old.network("n"))})
    new = replace(old, origin=str(tmp_path / "renamed.yaml"), path="renamed.yaml")
    (note,) = claims(new, Observed((live,), ()), Mode.DESTROY).notes
    assert "that file is gone: `dockerlab destroy --lab moved` removes them" in note
    assert "`dockerlab apply --take-over renamed.yaml` makes them this file's" in note


def test_a_relative_file_label_is_another_files_and_a_hand_label_nobodys(tmp_path):
    """Issue 21, B9: a relative file label (an older dockerlab's) names no file for sure, so it is not this
    file's; with no file label an object is nobody's, also to `destroy --lab`."""
    from dockerlab.core import labels as L
    from dockerlab.core.observed import Observed, network_from_api
    from dockerlab.plan.ownership import UNFILED, made_elsewhere, not_ours

    lab = replace(parse_lab("name: rel\nnetworks:\n  n: {}\n", "lab.yaml"), origin=str(tmp_path / "lab.yaml"))
    by_name = replace(lab, origin="")

    def net(labels: dict[str, str]) -> object:
        return network_from_api({"Name": "rel-n", "Id": "N" * 64, "Driver": "bridge", "IPAM": {"Config": []},
                                 "Labels": {L.LAB: "rel", L.KEY: "n", **labels}})

    old = net({L.FILE: "lab.yaml"})
    assert made_elsewhere(lab, old) == "lab.yaml" and "another file" in (not_ours(lab, old) or "")
    assert made_elsewhere(by_name, old) is None, "destroy --lab removes what any file of the lab made"
    hand = net({})
    assert made_elsewhere(lab, hand) is UNFILED and made_elsewhere(by_name, hand) is UNFILED
    odd = net({L.FILE: "no lab file"})  # a label that reads like the marker is a label: another file's
    assert made_elsewhere(lab, odd) == "no lab file" and made_elsewhere(lab, odd) is not UNFILED
    assert Observed((hand,), ()).lab_networks("rel")  # seen, yet claimed by neither


def test_ctrl_c_while_the_modules_load_is_an_interrupt_not_a_traceback():
    """The entry point imports the command line inside its own guard (a Ctrl-C there printed Python's traceback)."""
    import subprocess
    import sys

    interrupted_import = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'dockerlab.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from dockerlab.__main__ import run\n"
        "run()\n")
    out = subprocess.run([sys.executable, "-c", interrupted_import], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stderr) == (130, "dockerlab: interrupted\n"), out.stderr
