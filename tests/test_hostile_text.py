"""Lab text never reaches a shell or a terminal as anything but text (issue 21, class A): every schema pattern
matches the whole value, and hostile values in every field of a lab either fail validation with a message or,
pasted as `plan --as docker`, run nothing and print no control character. No engine: the pasted plan runs
against a stub `docker`."""

import os
import re
import subprocess

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_planner import in_sync

from dockerlab.cli.as_docker import plan_commands
from dockerlab.cli.render import plan_text
from dockerlab.core.observed import Observed
from dockerlab.errors import DockerlabError
from dockerlab.labfile.load import parse_lab
from dockerlab.labfile.schema import _validator, lab_schema
from dockerlab.plan.planner import make_plan
from dockerlab.printable import shell_word, shown


def patterns(node, found=None):
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                patterns(value, found)
    elif isinstance(node, list):
        for item in node:
            patterns(item, found)
    return found


PATTERNS = sorted(set(patterns(lab_schema())))


def test_every_pattern_is_anchored_at_both_ends():
    assert len(PATTERNS) >= 10
    for pattern in PATTERNS:
        assert pattern.startswith("^") and pattern.endswith("$"), pattern


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_pattern_takes_a_value_and_never_that_value_with_a_trailing_newline(pattern, data):
    value = data.draw(st.from_regex(pattern, fullmatch=True).filter(lambda v: "\n" not in v))
    check = type(_validator())({"type": "string", "pattern": pattern})
    assert check.is_valid(value), value
    for tail in ("\n", "\r\n", "\n;id"):
        assert not check.is_valid(value + tail), repr(value + tail)


CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # any but the line breaks of dockerlab's own
MARK = "dlt-PWNED"
PAYLOADS = [f"x\ntouch {MARK} #", f"$(touch {MARK})", f"`touch {MARK}`", f"x; touch {MARK}", f"' ; touch {MARK} '",
            f"x\rtouch {MARK}", "\x1b[2Jcleared", "-rf", "--privileged", "a\u2028b", f"x\\\ntouch {MARK}"]


def base_lab() -> dict:
    return {"name": "hostile", "description": "d",
            "networks": {"lan": {"subnet": "10.99.0.0/24", "options": {"com.docker.network.driver.mtu": "1400"},
                                 "labels": {"team": "t"}},
                         "mv": {"driver": "macvlan", "parent": "p0", "subnet": "10.99.1.0/24"}},
            "containers": {"web": {"image": "busybox", "command": ["sleep", "infinity"], "hostname": "web",
                                   "env": {"A": "1"}, "labels": {"k": "v"}, "cap_add": ["NET_ADMIN"],
                                   "ports": ["8080:80"],
                                   "networks": {"lan": {"ipv4": "10.99.0.10", "aliases": ["www"]}, "mv": {}}}},
            "checks": [{"name": "c", "from": "web", "to": "www", "expect": "resolves"}]}


# Where a payload goes: a function that puts it there.
FIELDS = {
    "name": lambda lab, v: lab.update(name=v),
    "prefix": lambda lab, v: lab.update(prefix=v),
    "description": lambda lab, v: lab.update(description=v),
    "network key": lambda lab, v: lab["networks"].update({v: {}}),
    "container key": lambda lab, v: lab["containers"].update({v: {"image": "busybox"}}),
    "image": lambda lab, v: lab["containers"]["web"].update(image=v),
    "command": lambda lab, v: lab["containers"]["web"].update(command=["sleep", v]),
    "command string": lambda lab, v: lab["containers"]["web"].update(command=v),
    "hostname": lambda lab, v: lab["containers"]["web"].update(hostname=v),
    "env value": lambda lab, v: lab["containers"]["web"]["env"].update(A=v),
    "env key": lambda lab, v: lab["containers"]["web"]["env"].update({v: "1"}),
    "label value": lambda lab, v: lab["containers"]["web"]["labels"].update(k=v),
    "label key": lambda lab, v: lab["containers"]["web"]["labels"].update({v: "1"}),
    "cap_add": lambda lab, v: lab["containers"]["web"].update(cap_add=[v]),
    "port": lambda lab, v: lab["containers"]["web"].update(ports=[v]),
    "alias": lambda lab, v: lab["containers"]["web"]["networks"]["lan"].update(aliases=[v]),
    "option value": lambda lab, v: lab["networks"]["lan"]["options"].update({"com.docker.network.driver.mtu": v}),
    "option key": lambda lab, v: lab["networks"]["lan"]["options"].update({v: "1"}),
    "network label": lambda lab, v: lab["networks"]["lan"]["labels"].update(team=v),
    "parent": lambda lab, v: lab["networks"]["mv"].update(parent=v),
    "check name": lambda lab, v: lab["checks"][0].update(name=v),
    "check target": lambda lab, v: lab["checks"][0].update(to=v),
}


@pytest.fixture(scope="module")
def stubs(tmp_path_factory):
    """docker, ip, nsenter and tc that only record their words: what a pasted plan would run, and nothing else."""
    folder = tmp_path_factory.mktemp("stubs")
    for tool in ("docker", "ip", "nsenter", "tc"):
        (folder / tool).write_text("#!/bin/sh\nexit 0\n")
        (folder / tool).chmod(0o755)
    return folder


hostile = st.one_of(st.sampled_from(PAYLOADS), st.text(st.characters(codec="utf-8", exclude_characters="\x00"),
                                                         min_size=1, max_size=12))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(FIELDS)), value=hostile)
def test_hostile_text_is_refused_or_stays_text(field, value, stubs, tmp_path):
    data = base_lab()
    FIELDS[field](data, value)
    try:
        lab = parse_lab(yaml.safe_dump(data, allow_unicode=True), "hostile.yaml")
    except DockerlabError as exc:
        assert "Traceback" not in str(exc)
        return
    # from nothing (an image to pull, everything to make), and from the lab without the value (causes quote it)
    for observed in (Observed((), ()), in_sync(parse_lab(yaml.safe_dump(base_lab()), "hostile.yaml"))):
        plan = make_plan(lab, observed, images=set())
        text = plan_text(plan, {"": "unix:///var/run/docker.sock"})
        assert not CONTROL.search(text), f"a raw control character in the plan: {text!r}"
        script = plan_commands(lab, plan, {"": "unix:///var/run/docker.sock"})
        assert not CONTROL.search(script), f"a raw control character to paste: {script!r}"
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=30,
                              env={"PATH": f"{stubs}:/usr/bin:/bin", "HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr
        assert os.listdir(tmp_path) == [], f"the pasted plan made {os.listdir(tmp_path)} ({field}={value!r})"


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
def test_a_shell_word_is_the_value_back(value):
    echoed = subprocess.run(["bash", "-c", f"printf %s {shell_word(value)}"], capture_output=True, timeout=10)
    assert echoed.stdout == value.encode()


def test_shown_is_one_line_of_printable_text():
    assert shown("a\nb\rc\x1b[2Jd\te\u2028") == "a\\nb\\rc\\x1b[2Jd\\te\\u2028"


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u061c", "\U000e0041"])
def test_invisible_and_reordering_characters_are_shown_escaped(char):
    """A bidi override makes `web\u202egnp` read as another name; a zero-width one hides in a name."""
    assert char not in shown(f"web{char}x") and shown(f"web{char}x").startswith("web\\")
    echoed = subprocess.run(["bash", "-c", f"printf %s {shell_word('a' + char)}"], capture_output=True, timeout=10)
    assert echoed.stdout == ("a" + char).encode() and char not in shell_word("a" + char)


@settings(max_examples=40, deadline=None)
@given(key=hostile)
def test_every_problem_is_one_line_whatever_the_file_holds(key):
    """A key or value with a line break cannot fake a line of dockerlab's own ('x.yaml: ok ...')."""
    text = yaml.safe_dump({"name": "t", key: 1, "containers": {"c": {"image": key}}}, allow_unicode=True)
    try:
        parse_lab(text, "t.yaml")
    except DockerlabError as exc:
        for problem in getattr(exc, "problems", []):
            assert not CONTROL.search(problem.render("t.yaml")) and "\n" not in problem.render("t.yaml")


def test_a_yaml_base_60_number_is_read_as_text():
    """YAML 1.1 reads 22:22 as 1342: a port mapping written without quotes stays what it says."""
    lab = parse_lab("name: p\ncontainers:\n  c: {image: busybox, ports: [22:22]}\n", "p.yaml")
    (port,) = lab.container("c").ports
    assert (port.host_port, port.container_port) == (22, 22)
