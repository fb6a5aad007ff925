"""Every lab in labs/ on the real engine: applied, its checks passed, re-applied with no change and destroyed,
live where the kernel allows; the clear error where not."""

import json
import re
import subprocess
import uuid

import pytest
from helpers import dockerlab, lab_objects, refused_apply
from test_engine_lifecycle import identity, inspect_lab

from dockerlab.core.capabilities import Feature
from dockerlab.host.host import Host
from dockerlab.labfile.load import load_lab

pytestmark = pytest.mark.engine

KERNEL_NEEDS = {"ipvlan": ("ipvlan", "no ipvlan support"), "ipvlan-l3": ("ipvlan", "no ipvlan support"),
                "macvlan-8021q": ("vlan", "no 802.1q VLAN support"),
                "impairments": ("netem", "no netem (network emulator qdisc) support")}
# on an older engine: refused, naming the release
ENGINE_NEEDS = {"gateway-priority": Feature.GW_PRIORITY, "ipv6-only": Feature.IPV6_ONLY,
                "gateway-modes": Feature.GATEWAY_MODE_UNPROTECTED}
# labs that need a kernel feature run live in the VM too (make test-kernel: pytest -m kernel)
LABS = [pytest.param(name, marks=pytest.mark.kernel) if name in KERNEL_NEEDS else name
        for name in ["default-bridge", "user-bridge", "host", "none", "container-network", "router",
                     "gateway-priority", "ipv6-only", "bridge-settings", "port-publishing", "gateway-modes",
                     "macvlan", "config-only", "macvlan-8021q", "ipvlan", "ipvlan-l3", "macvlan-host", "overlay",
                     "impairments"]]


def refused_on_this_engine(name, path, client, lab) -> bool:
    """A lab that needs a newer engine than this one is refused before any change, naming the release."""
    feature = ENGINE_NEEDS.get(name)
    if feature is None or Host.from_env().engine.caps.has(feature):
        return False
    out = dockerlab("apply", path)
    assert out.returncode == 1 and f"Docker {feature.release} has it" in out.stderr, out.stderr
    assert lab_objects(client, lab) == []
    return True


def prepared(name, labs_dir, make_lab, veth, request):
    """The lab as shipped, under a test lab name, with its parent a veth pair the test made."""
    text = (labs_dir / f"{name}.yaml").read_text()
    made: dict[str, str] = {}  # one veth per parent interface, whatever VLANs ride on it
    for parent in sorted(set(re.findall(r"parent: ([^\s,}]+)", text))):
        base, dot, vlan = parent.partition(".")
        if base not in made:
            made[base] = veth(f"dlt{uuid.uuid4().hex[:5]}")
            if address := re.search(r"^x-parent-address: (\S+)", text, flags=re.M):  # a LAN NIC has one
                subprocess.run(["ip", "addr", "add", address.group(1), "dev", made[base]], check=True)
        text = text.replace(f"parent: {parent}", f"parent: {made[base]}{dot}{vlan}")
        text = text.replace(f"interface: {parent}", f"interface: {made[base]}{dot}{vlan}")  # checks of it
    if name == "overlay":
        request.getfixturevalue("swarm")
    return make_lab(text)


@pytest.mark.parametrize("name", LABS)
def test_lab_applies_passes_its_checks_reapplies_and_destroys(name, labs_dir, make_lab, veth, docker_client,
                                                               request):
    """One lab's whole life, once (the VM runs the kernel labs' under emulation, where every apply counts)."""
    if name in KERNEL_NEEDS and Host.from_env().facts.kernel_supports(KERNEL_NEEDS[name][0]) is False:
        pytest.skip(f"live part of {name}: this kernel has {KERNEL_NEEDS[name][1]}; "
                    "test_lab_explains_missing_kernel_support covers the error path")
    path, lab = prepared(name, labs_dir, make_lab, veth, request)
    if refused_on_this_engine(name, path, docker_client, lab):
        return
    spec = load_lab(path)
    assert "cannot be applied" not in dockerlab("plan", path, ok=True).stderr, "preflight finds what it needs"
    out = dockerlab("apply", path, "--check")
    assert out.returncode == 0, out.stdout + out.stderr
    print(out.stdout[out.stdout.index("CHECK"):])  # the table, for the record (pytest -rA shows it)
    results = json.loads(dockerlab("check", path, "--json", ok=True).stdout)
    assert results and all(r["passed"] for r in results), results

    for net in spec.networks:
        live = docker_client.api.inspect_network(net.name)
        assert live["Driver"] == ("null" if net.config_only else net.driver)  # Docker's name for settings only
        assert (live["ConfigOnly"], live["ConfigFrom"]["Network"]) == (net.config_only, net.config_from or "")
        assert [c["Subnet"] for c in live["IPAM"]["Config"]] == [str(p.subnet) for p in net.pools]
        for pool, cfg in zip(net.pools, live["IPAM"]["Config"], strict=True):
            if pool.gateway:
                assert cfg["Gateway"] == str(pool.gateway)
        if net.parent:
            assert live["Options"]["parent"] == net.parent
        if net.mode:
            assert live["Options"][f"{net.driver}_mode"] == net.mode
        assert live["Attachable"] == net.attachable
    boxes = inspect_lab(docker_client, lab)
    assert sorted(boxes) == sorted(c.name for c in spec.containers)
    for box in spec.containers:
        live = boxes[box.name]
        assert live["State"]["Running"], box.name
        for att in box.attachments:
            mode = live["HostConfig"]["NetworkMode"]
            if att.network in ("host", "none"):
                assert mode == att.network
                continue
            ep = live["NetworkSettings"]["Networks"][spec.docker_network_name(att.network)]
            if att.ipv4:
                assert ep["IPAddress"] == str(att.ipv4)
        for port in box.ports:
            bound = live["HostConfig"]["PortBindings"][f"{port.container_port}/{port.protocol}"]
            assert bound == [{"HostIp": port.host_ip or "", "HostPort": str(port.host_port)}]
    before = identity(boxes)

    assert "no changes" in dockerlab("apply", path, ok=True).stdout
    assert identity(inspect_lab(docker_client, lab)) == before

    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []
    left = [net.parent for net in spec.networks if net.parent and "." in net.parent
            if subprocess.run(["ip", "link", "show", net.parent], capture_output=True).returncode == 0]
    assert left == [], "the 802.1q sub-interfaces Docker made are gone with their networks"


@pytest.mark.parametrize("name", sorted(KERNEL_NEEDS))
def test_lab_explains_missing_kernel_support(name, labs_dir, make_lab, veth, docker_client, request):
    link, message = KERNEL_NEEDS[name]
    if Host.from_env().facts.kernel_supports(link) is not False:
        pytest.skip(f"this kernel supports {link}: the live test covers {name}")
    path, lab = prepared(name, labs_dir, make_lab, veth, request)
    stderr = refused_apply(docker_client, path, lab)
    assert "nothing was changed" in stderr and message in stderr


def test_missing_parent_is_explained_before_any_change(make_lab, docker_client):
    path, lab = make_lab("name: x\nnetworks:\n  lan: {driver: macvlan, parent: dlt-nope0, subnet: 10.233.0.0/24}\n"
                         "containers:\n  a: {image: busybox, networks: [lan]}\n")
    stderr = refused_apply(docker_client, path, lab)
    assert "parent interface 'dlt-nope0' does not exist on the engine's host" in stderr
    assert "ip link add dlt-nope0 type veth" in stderr


def test_overlay_without_swarm_says_how_to_start_one(make_lab, docker_client):
    if docker_client.info()["Swarm"]["LocalNodeState"] == "active":
        pytest.skip("this engine is already in swarm mode; the overlay lab test covers the live path")
    path, lab = make_lab("name: x\nnetworks:\n  mesh: {driver: overlay, attachable: true}\n")
    stderr = refused_apply(docker_client, path, lab)
    assert "need a swarm manager" in stderr and "docker swarm init --advertise-addr" in stderr


def test_subnet_overlap_names_the_other_network(make_lab, docker_client):
    other = docker_client.networks.create("dlt-overlap-other", ipam={"Config": [{"Subnet": "10.234.0.0/16"}]},
                                          check_duplicate=True)
    try:
        path, lab = make_lab("name: x\nnetworks:\n  lan: {subnet: 10.234.5.0/24}\n")
        stderr = refused_apply(docker_client, path, lab)
        assert "overlaps 10.234.0.0/16 of network 'dlt-overlap-other'" in stderr
    finally:
        other.remove()
