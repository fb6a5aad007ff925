"""Every number and address a user gives is a clear error when it is off, never a traceback (issue 21, E16-E17).
No engine: each is refused before one is asked."""

import pytest
from conftest import dockerlab

from dockerlab.errors import LabFileError
from dockerlab.labfile import parse_lab


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
