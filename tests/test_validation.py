"""Lab file validation: schema errors as sentences with file:line, then meaning checks. No engine."""

import pytest

from dockerlab.errors import LabFileError
from dockerlab.labfile.load import load_lab, parse_lab


def problems(text: str) -> list[str]:
    with pytest.raises(LabFileError) as info:
        parse_lab(text, "lab.yaml")
    return [p.render("lab.yaml") for p in info.value.problems]


def test_every_lab_in_labs_validates(labs_dir):
    files = sorted(labs_dir.glob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        lab = load_lab(str(path))
        assert lab.containers, path


def test_misspelt_key_gets_did_you_mean_with_line():
    out = problems("name: x\ncontainers:\n  web:\n    image: busybox\n    prots: ['80:80']\n")
    assert out == ["lab.yaml:5: containers.web.prots: unknown key 'prots' (did you mean 'ports'?)"]


def test_list_positions_are_kept_and_all_errors_reported_at_once():
    out = problems("name: x\ncontainers:\n  web:\n    image: busybox\n    ports: ['80:80', 'eighty']\n"
                   "  db:\n    image: 5\n")
    assert len(out) == 2
    assert out[0].startswith("lab.yaml:5: containers.web.ports[1]: 'eighty' is not valid: expected a port mapping")
    assert out[1] == "lab.yaml:7: containers.db.image: must be a string, not a whole number (5)"


def test_no_raw_jsonschema_text_leaks():
    out = problems("name: Bad Name\nnetworks:\n  n1: {driver: macvlann}\n")
    text = "\n".join(out)
    assert "does not match" not in text and "is not one of" not in text
    assert "did you mean 'macvlan'" in text
    assert "expected a lab name of lowercase letters" in text


def test_yaml_syntax_error_and_duplicate_key_have_lines():
    assert problems("name: x\ncontainers: [\n")[0].startswith("lab.yaml:3: not valid YAML")
    out = problems("name: x\nname: y\n")
    assert out == ["lab.yaml:2: name: this key is given twice; keep one"]


def test_unsafe_yaml_is_refused():
    out = problems("name: !!python/object/apply:os.system ['true']\n")
    assert "not valid YAML" in out[0]


MEANING = """\
name: m
networks:
  lan:
    subnet: 10.1.0.0/24
    gateway: 10.2.0.1
  mv:
    driver: macvlan
    parent: veth0
    mode: l3
    subnet: 10.1.0.128/25
  v6:
    subnet: fd00:1::/64
containers:
  a:
    image: busybox
    networks:
      lan: {ipv4: 10.9.0.5}
      bridge: {aliases: [x]}
      nowhere: {}
  b:
    image: busybox
    networks: [host, lan]
    ports: ["80:80"]
  c:
    image: busybox
    networks:
      lan: {ipv4: 10.1.0.7}
  d:
    image: busybox
    networks:
      lan: {ipv4: 10.1.0.7}
"""


def test_meaning_checks_name_file_line_and_fix():
    out = "\n".join(problems(MEANING))
    expected = [
        "lab.yaml:5: networks.lan.gateway: 10.2.0.1 is outside the subnet 10.1.0.0/24",
        "lab.yaml:9: networks.mv.mode: macvlan has no mode 'l3'; use one of: bridge, vepa, private, passthru",
        "lab.yaml:10: networks.mv.subnet: 10.1.0.128/25 overlaps 10.1.0.0/24 of network 'lan'",
        "lab.yaml:11: networks.v6: this network has an IPv6 subnet; add 'ipv6: true'",
        "lab.yaml:17: containers.a.networks.lan.ipv4: 10.9.0.5 is outside network 'lan' (10.1.0.0/24)",
        "lab.yaml:18: containers.a.networks.bridge: static IPs and aliases need a user-defined network",
        "lab.yaml:19: containers.a.networks.nowhere: no network 'nowhere' in this lab",
        "lab.yaml:22: containers.b.networks: a container on the 'host' network cannot join any other network",
        "lab.yaml:23: containers.b.ports: published ports do nothing on the 'host' network",
        "lab.yaml:31: containers.d.networks.lan: 10.1.0.7 on 'lan' is already given to container 'c'",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n--- got:\n{out}"


def test_bad_subnet_says_what_it_should_be():
    out = problems("name: x\nnetworks:\n  n:\n    subnet: 10.1.0.5/24\n")
    assert out == ["lab.yaml:4: networks.n.subnet: '10.1.0.5/24' has host bits set; the subnet is 10.1.0.0/24"]


def test_defaults_and_shapes():
    lab = parse_lab("name: x\ncontainers:\n"
                    "  a: {image: busybox, command: 'sleep 10', ports: ['127.0.0.1:8080:80/udp']}\n")
    box = lab.containers[0]
    assert box.name == "x-a"
    assert box.command == ("sleep", "10")
    assert [a.network for a in box.attachments] == ["bridge"]
    port = box.ports[0]
    assert (port.host_ip, port.host_port, port.container_port, port.protocol) == ("127.0.0.1", 8080, 80, "udp")
    assert parse_lab("name: x\nprefix: ''\nnetworks: {n: {}}\n").networks[0].name == "n"


def test_option_booleans_are_one_value():
    a = parse_lab("name: x\nnetworks: {n: {options: {com.docker.network.bridge.enable_icc: false}}}\n")
    b = parse_lab("name: x\nnetworks: {n: {options: {com.docker.network.bridge.enable_icc: 'false'}}}\n")
    assert a.networks[0].options == b.networks[0].options


def test_predefined_network_names_are_reserved():
    out = problems("name: x\nnetworks:\n  bridge: {}\n")
    assert out[0].startswith("lab.yaml:3: networks.bridge: 'bridge' is one of Docker's predefined networks")


def test_check_meaning():
    out = "\n".join(problems(
        "name: x\ncontainers:\n  a: {image: busybox}\n  b: {image: busybox, networks: {bridge: {}}}\nchecks:\n"
        "  - {from: zed, to: a}\n"
        "  - {from: a, to: b@lan}\n"
        "  - {from: a, to: nobody}\n"
        "  - {from: a, to: b, port: 80, expect: resolves}\n"
        "  - {from: a, expect: own-mac}\n"))
    assert "lab.yaml:6: checks[0].from: 'zed' is not a container of this lab (nor 'host')" in out
    assert "lab.yaml:7: checks[1].to: container 'b' is not on network 'lan'" in out
    assert "lab.yaml:8: checks[2].to: 'nobody' is neither a container nor an alias in this lab" in out
    assert "lab.yaml:9: checks[3]: expect: resolves is about Docker's DNS only" in out
    assert "lab.yaml:10: checks[4]: container 'a' is on no macvlan or ipvlan network" in out


def test_check_schema():
    out = "\n".join(problems("name: x\nchecks:\n  - {from: a, to: b, port: 70000}\n  - {from: a, to: '-e/bin/sh'}\n"))
    assert "lab.yaml:3: checks[0].port: 70000 is out of range (1 to 65535)" in out
    assert "lab.yaml:4: checks[1].to: '-e/bin/sh' is not valid" in out, "option-like targets never reach argv"


def test_a_lab_file_swapped_while_it_is_read_is_refused(tmp_path, monkeypatch):
    """Issue 21, B11: resolved once, before it is read, and compared after, so one file's content is never
    labelled with the other's path."""
    import dockerlab.labfile.load as labfile

    (tmp_path / "a.yaml").write_text("name: a\n")
    (tmp_path / "b.yaml").write_text("name: b\n")
    answers = iter([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")])
    monkeypatch.setattr(labfile.os.path, "realpath", lambda path: next(answers))
    with pytest.raises(labfile.LabFileError, match="the file changed while it was read"):
        labfile.load_lab(str(tmp_path / "link.yaml"))


def test_dns_and_hosts_entries_are_checked_where_they_are():
    text = ("name: d\ncontainers:\n  a:\n    image: busybox\n    hostname: a.lab\n    dns: [10.0.0.53, resolver]\n"
            "    extra_hosts: {db: 10.0.0.9, gw: host-gateway, bad: somewhere}\n    dns_options: [ndots:2]\n")
    assert problems(text) == ["lab.yaml:6: containers.a.dns[1]: 'resolver' is not an IP address",
                              "lab.yaml:7: containers.a.extra_hosts.bad: 'somewhere' is not an IP address"]
    lab = parse_lab(text.replace(", resolver", "").replace(", bad: somewhere", ""), "lab.yaml")
    box = lab.container("a")
    assert box.hostname == "a.lab" and [str(a) for a in box.dns] == ["10.0.0.53"]
    assert box.extra_hosts == (("db", "10.0.0.9"), ("gw", "host-gateway"))


def test_a_field_added_later_leaves_the_hash_of_a_container_made_before_it():
    """Upgrading dockerlab must not make every existing container anew."""
    import hashlib
    import json
    from dataclasses import asdict

    from dockerlab.core.model import LATER_FIELDS

    box = parse_lab("name: h\ncontainers:\n  a: {image: busybox, hostname: a}\n", "lab.yaml").container("a")
    before = {k: v for k, v in asdict(box).items() if k not in ("key", "attachments", "host", *LATER_FIELDS)}
    before["network_mode"] = ""
    text = json.dumps(before, sort_keys=True, default=str)
    assert box.config_hash() == hashlib.sha256(text.encode()).hexdigest()[:16]


def test_an_external_network_is_named_and_nothing_else():
    lab = parse_lab("name: e\nnetworks:\n  ci: {external: true}\n  job: {external: true, name: job-net}\n"
                    "  own: {name: my-own}\n", "lab.yaml")
    assert [n.name for n in lab.networks] == ["ci", "job-net", "my-own"], "an external network is not prefixed"
    assert problems("name: e\nnetworks:\n  ci: {external: true, subnet: 10.0.0.0/24}\n  b: {name: ci}\n") == [
        "lab.yaml:3: networks.ci: an external network is made by someone else: give it only 'name' (its Docker "
        "name), or drop 'external' to let the lab make it as the file says",
        "lab.yaml:4: networks.b.name: network 'ci' has the Docker name 'ci' too"]


def test_sysctls_are_the_network_namespaces_and_not_the_hosts():
    assert problems("name: s\ncontainers:\n  r: {image: busybox, networks: [host], sysctls: {net.ipv4.ip_forward: 1}}\n"
                    ) == ["lab.yaml:3: containers.r.sysctls: a container on the 'host' network shares the host's "
                          "network namespace, whose settings are not a container's to change; give it a network of "
                          "its own"]
    assert "kernel.shmmax" in "\n".join(problems("name: s\ncontainers:\n  r: {image: busybox, sysctls: "
                                                  "{kernel.shmmax: 1}}\n"))
    box = parse_lab("name: s\ncontainers:\n  r: {image: busybox, sysctls: {net.ipv4.ip_forward: 1}}\n",
                    "lab.yaml").container("r")
    assert box.sysctls == (("net.ipv4.ip_forward", "1"),)


def test_a_port_range_is_a_mapping_per_port():
    text = "name: p\ncontainers:\n  a: {image: busybox, ports: ['127.0.0.1:8000-8002:9000-9002/udp', '7000-7001']}\n"
    box = parse_lab(text, "lab.yaml").container("a")
    assert [str(p) for p in box.ports] == ["127.0.0.1:8000:9000/udp", "127.0.0.1:8001:9001/udp",
                                           "127.0.0.1:8002:9002/udp", "7000/tcp", "7001/tcp"]
    assert problems("name: p\ncontainers:\n  a: {image: busybox, ports: ['8000-8003:9000-9001', '90-80']}\n") == [
        "lab.yaml:3: containers.a.ports[0]: '8000-8003:9000-9001': the host range and the container range must be "
        "as long",
        "lab.yaml:3: containers.a.ports[1]: '90-80': ports are numbers from 1 to 65535, a range from the lower to the "
        "higher"]


def test_exposed_ports_and_publish_all_are_read_and_checked():
    box = parse_lab("name: x\ncontainers:\n  a: {image: busybox, expose: [80, 53/udp], publish_all: true}\n",
                    "lab.yaml").container("a")
    assert [str(p) for p in box.expose] == ["80/tcp", "53/udp"] and box.publish_all
    assert problems("name: x\ncontainers:\n  a: {image: busybox, networks: [host], publish_all: true}\n") == [
        "lab.yaml:3: containers.a.publish_all: publishing does nothing on the 'host' network; remove it"]


def test_bridges_may_not_overlap_even_with_separate_ranges_but_macvlans_may():
    """Docker 28's bridge driver refuses a bridge whose subnet overlaps another's, ip_range or not (the advice to
    set ranges led to an apply that failed half-way); IPAM takes overlapping macvlan pools with separate ranges."""
    ranged = ("name: o\nnetworks:\n  a: {DRIVER subnet: 10.99.0.0/16, ip_range: 10.99.1.0/24}\n"
              "  b: {DRIVER subnet: 10.99.5.0/24, ip_range: 10.99.5.128/25}\n")
    said = problems(ranged.replace("DRIVER", ""))
    assert len(said) == 1 and "bridge driver refuses bridges whose subnets overlap, ip_range or not" in said[0]
    assert len(parse_lab(ranged.replace("DRIVER", "driver: macvlan,")).networks) == 2
    assert "separate ip_range" in problems(ranged.replace("DRIVER", "driver: macvlan,").replace(
        ", ip_range: 10.99.5.128/25", ""))[0]
