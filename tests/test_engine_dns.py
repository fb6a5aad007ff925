"""Issue 23, items 2, 4 and 5: a container's own resolvers, search domains, resolver options, /etc/hosts entries
(host-gateway too), domain name, a dotted hostname, the sysctls of its network namespace, a range of published
ports, an exposed port and -P. Made, read back inside the container, re-planned with no changes, made anew when
they change, and made the same by the plan as docker commands. Nothing is resolved or sent: the files are read."""

import re

import pytest
from helpers import dockerlab, lab_objects, made_by_its_commands

pytestmark = pytest.mark.engine

LAB = """\
name: x
networks:
  lan: {subnet: 10.97.30.0/24}
containers:
  web:
    image: busybox
    command: [sleep, infinity]
    networks: [lan]
    hostname: web.lab
    domainname: lab.example
    dns: [10.97.30.53]
    dns_search: [lab.example]
    dns_options: ["ndots:2"]
    extra_hosts: {db: 10.97.30.9, gw: host-gateway}
    sysctls: {net.ipv4.ip_forward: 1, net.ipv4.conf.all.arp_ignore: "1"}
  old:
    image: busybox
    command: [sleep, infinity]
    dns: [10.97.30.53]
    ports: ["127.0.0.1:18100-18101:8100-8101"]
    expose: [8200]
    publish_all: true
  onhost:
    image: busybox
    command: [sleep, infinity]
    networks: [host]
    hostname: onhost.lab
"""


def inside(client, name, *argv):
    return client.containers.get(name).exec_run(list(argv)).output.decode()


def test_dns_and_hosts_entries_are_made_kept_and_changed(make_lab, docker_client):
    path, lab = make_lab(LAB)
    dockerlab("apply", path, ok=True)
    web = f"{lab}-web"
    resolv = inside(docker_client, web, "cat", "/etc/resolv.conf")
    # on a user-defined network Docker's own DNS answers first and forwards to the resolvers the file names
    assert "nameserver 127.0.0.11" in resolv and "search lab.example" in resolv and "ndots:2" in resolv, resolv
    hosts = inside(docker_client, web, "cat", "/etc/hosts")
    assert re.search(r"^10\.97\.30\.9\s+db$", hosts, flags=re.M) and re.search(r"^\S+\s+gw$", hosts, flags=re.M)
    assert inside(docker_client, web, "hostname").strip() == "web.lab"
    assert inside(docker_client, web, "cat", "/proc/sys/kernel/domainname").strip() == "lab.example"
    assert inside(docker_client, web, "cat", "/proc/sys/net/ipv4/conf/all/arp_ignore").strip() == "1"
    assert inside(docker_client, f"{lab}-old", "cat", "/proc/sys/net/ipv4/conf/all/arp_ignore").strip() == "0"
    # on Docker's default bridge the container asks the named resolver itself
    assert "nameserver 10.97.30.53" in inside(docker_client, f"{lab}-old", "cat", "/etc/resolv.conf")
    assert inside(docker_client, f"{lab}-onhost", "hostname").strip() == "onhost.lab"
    bound = docker_client.api.inspect_container(f"{lab}-old")["HostConfig"]["PortBindings"]
    assert {k: v[0]["HostPort"] for k, v in bound.items()} == {"8100/tcp": "18100", "8101/tcp": "18101"}
    old = docker_client.api.inspect_container(f"{lab}-old")
    assert "8200/tcp" in old["Config"]["ExposedPorts"] and old["HostConfig"]["PublishAllPorts"] is True
    assert old["NetworkSettings"]["Ports"]["8200/tcp"][0]["HostPort"], "-P gives an exposed port a host port"
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    with open(path, "w") as f:
        f.write(LAB.replace("name: x", f"name: {lab}").replace("dns: [10.97.30.53]\n    dns_search",
                                                              "dns: [10.97.30.54]\n    dns_search"))
    out = dockerlab("apply", path, ok=True)
    assert f"-/+ container {lab}-web" in out.stdout and "configuration changed" in out.stdout, out.stdout
    assert "no changes" in dockerlab("plan", path, ok=True).stdout
    dockerlab("destroy", path, ok=True)
    assert lab_objects(docker_client, lab) == []


def test_the_plan_as_docker_commands_makes_the_same_dns_and_hosts(make_lab, docker_client):
    path, lab = make_lab(LAB)
    commands = dockerlab("plan", path, "--as", "docker", ok=True).stdout
    assert "--add-host gw:host-gateway" in commands and "--dns-option ndots:2" in commands
    assert "--sysctl net.ipv4.ip_forward=1" in commands and "-p 127.0.0.1:18101:8101/tcp" in commands
    assert "--expose 8200/tcp" in commands and " -P" in commands
    made_by_its_commands(docker_client, path, lab, commands)
