"""`dockerlab capture`: a ping between two lab containers is seen at each place, on a bridge network and on
a macvlan network (inside the container's namespace there), decoded, as a pcap file, or streamed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from helpers import ROOT, dockerlab

pytestmark = [pytest.mark.engine,
              pytest.mark.skipif(not shutil.which("tcpdump"), reason="needs tcpdump (make test installs it)"),
              pytest.mark.skipif(os.geteuid() != 0, reason="capture needs root (nsenter)")]

LAB = """\
name: x
networks:
  lan: {subnet: 10.77.67.0/24}
  mv: {driver: macvlan, parent: PARENT, subnet: 10.77.68.0/24}
containers:
  a: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.77.67.10}, mv: {ipv4: 10.77.68.10}}}
  b: {image: busybox, command: [sleep, infinity], networks: {lan: {ipv4: 10.77.67.11}, mv: {ipv4: 10.77.68.11}}}
"""


@pytest.fixture
def lab(make_lab, veth, docker_client):
    path, name = make_lab(LAB.replace("PARENT", veth("dltcap0")))
    dockerlab("apply", path, ok=True)
    yield path
    dockerlab("destroy", path, ok=True)


def seen(path: str, target: str, ping_to: str, *extra: str) -> tuple[bytes, str]:
    """Capture at target while a pings ping_to; returns what the capture wrote and what it said."""
    capture = subprocess.Popen([sys.executable, "-m", "dockerlab", "capture", path, target, "--count", "2",
                                "--duration", "20", *extra, "--", "icmp"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=ROOT)
    said = []
    assert capture.stderr is not None
    for line in capture.stderr:  # tcpdump says when it listens
        said.append(line.decode(errors="replace"))
        if b"listening on" in line or capture.poll() is not None:
            break
    dockerlab("exec", path, "a", "--", "ping", "-c", "3", "-W", "1", ping_to)
    out, rest = capture.communicate(timeout=30)
    return out, "".join(said) + rest.decode(errors="replace")


@pytest.mark.parametrize("target, how", [
    ("lan", "its bridge br-"), ("a@lan", "the host side of its veth"), ("b@lan", "the host side of its veth")])
def test_a_ping_on_a_bridge_network_is_seen_at_each_place(lab, target, how):
    out, said = seen(lab, target, "10.77.67.11")
    assert how in said, said
    assert "10.77.67.10 > 10.77.67.11: ICMP echo request" in out.decode(), out.decode() + said


def test_a_ping_on_a_macvlan_network_is_seen_inside_the_namespace(lab):
    out, said = seen(lab, "b@mv", "10.77.68.11")
    assert "inside its network namespace" in said and "macvlan has no host-side interface" in said
    assert "10.77.68.10 > 10.77.68.11: ICMP echo request" in out.decode()


def test_a_capture_as_a_pcap_file_and_as_a_stream(lab, tmp_path):
    pcap = tmp_path / "lan.pcap"
    seen(lab, "lan", "10.77.67.11", "-w", str(pcap))
    read = subprocess.run(["tcpdump", "-n", "-r", str(pcap)], capture_output=True, text=True)
    assert "10.77.67.10 > 10.77.67.11: ICMP echo request" in read.stdout
    streamed, _ = seen(lab, "a@lan", "10.77.67.11", "-w", "-")
    assert streamed[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"), "pcap on stdout, for wireshark -k -i -"


def test_what_cannot_be_captured_says_why(lab):
    out = dockerlab("capture", lab, "nowhere")
    assert out.returncode == 1 and "'nowhere' is neither a container nor a network of lab" in out.stderr
    out = dockerlab("capture", lab, "mv")
    assert out.returncode == 1 and "a macvlan network has no bridge to listen on; capture a container" in out.stderr


def test_a_pcap_file_is_never_one_that_exists_nor_through_a_link(lab, tmp_path):
    """As root, a link a user planted would be written through and its target truncated (issue 21, A3)."""
    victim = tmp_path / "precious"
    victim.write_text("keep me")
    planted = tmp_path / "x.pcap"
    planted.symlink_to(victim)
    out = dockerlab("capture", lab, "lan", "-w", str(planted), "--count", "1", "--duration", "2")
    assert out.returncode == 1 and f"capture: {planted} exists; give a new file name" in out.stderr, out.stderr
    assert victim.read_text() == "keep me" and planted.is_symlink()


def test_a_filter_is_never_read_as_tcpdump_options(lab, tmp_path):
    """`-- -z HOOK -G 1 -w FILE` once had tcpdump rotate files and run the hook (issue 21, A4)."""
    (tmp_path / "out").mkdir()
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {tmp_path}/out/hooked\n")
    hook.chmod(0o755)
    out = dockerlab("capture", lab, "lan", "--count", "1", "--duration", "3", "--", "-z", str(hook), "-G", "1",
                    "-w", str(tmp_path / "out" / "cap-%s.pcap"))
    assert out.returncode != 0 and "syntax error" in out.stderr, out.stdout + out.stderr
    assert list((tmp_path / "out").iterdir()) == [], "no file written, no hook run"


def test_a_capture_that_ends_at_its_duration_exits_0(lab):
    """Issue 21, E19: the end of --duration is a normal end, not timeout's 124."""
    out = dockerlab("capture", lab, "lan", "--duration", "2", "--", "icmp")
    assert out.returncode == 0, out.stderr


def test_ctrl_c_in_a_capture_exits_130(lab):
    """Issue 21, E19: as every dockerlab command stopped by the user (Ctrl-C reaches the whole process group)."""
    import signal

    capture = subprocess.Popen([sys.executable, "-m", "dockerlab", "capture", lab, "lan", "--", "icmp"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    assert capture.stderr is not None
    for line in capture.stderr:
        if b"listening on" in line or capture.poll() is not None:
            break
    os.killpg(capture.pid, signal.SIGINT)
    capture.communicate(timeout=30)
    assert capture.returncode == 130
