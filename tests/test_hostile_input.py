"""Input that cannot hurt (issue 8, defects 1, 8, 9, 11, 12, 14): lock files, lab names, YAML bombs,
bytes that are not UTF-8, merge keys, reserved labels, subnets too small. Only the planted-link test needs
the engine (the lock is keyed on its identity)."""

import os
import time

import pytest
from helpers import dockerlab
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerlab.core.model import LAB_NAME
from dockerlab.errors import LabFileError
from dockerlab.labfile.load import load_lab, parse_lab
from dockerlab.labfile.schema import lab_schema
from dockerlab.run.lock import lab_lock


def problems(text: str) -> list[str]:
    with pytest.raises(LabFileError) as info:
        parse_lab(text, "lab.yaml")
    return [p.render("lab.yaml") for p in info.value.problems]


@pytest.fixture
def lock_dir(tmp_path, monkeypatch):
    path = tmp_path / "locks"
    monkeypatch.setenv("DOCKERLAB_LOCK_DIR", str(path))
    return path


@pytest.mark.engine
def test_1_a_planted_link_is_refused_and_its_target_untouched(lock_dir, tmp_path, docker_client):
    from dockerlab.host.host import Host

    victim = tmp_path / "victim"
    victim.write_text("precious")
    with lab_lock("relv", Host.from_env().engine.identity):
        (path,) = lock_dir.iterdir()
    os.symlink(victim, path)
    out = dockerlab("destroy", "--lab", "relv", env={"DOCKERLAB_LOCK_DIR": str(lock_dir)})
    assert out.returncode == 1 and "it should be a plain file that only dockerlab makes" in out.stderr
    assert victim.read_text() == "precious"


def test_1_lock_directory_open_to_others_is_refused(lock_dir):
    lock_dir.mkdir(mode=0o777)
    os.chmod(lock_dir, 0o1777)
    out = dockerlab("destroy", "--lab", "relv", env={"DOCKERLAB_LOCK_DIR": str(lock_dir)})
    assert out.returncode == 1 and "is not a directory private to this user" in out.stderr


def test_1_15_lock_is_private_keyed_on_the_engine_and_removed_after(lock_dir):
    with lab_lock("relv", "engine-1"):
        assert oct(lock_dir.stat().st_mode & 0o777) == "0o700"
        with pytest.raises(Exception, match="is being changed by dockerlab pid"), lab_lock("relv", "engine-1"):
            pass
        with lab_lock("relv", "engine-2"):  # another engine: another lock
            pass
    assert list(lock_dir.iterdir()) == [], "lock files are removed when released"


@pytest.mark.parametrize("name", ["a/b", "../x", "A"])
def test_1_a_bad_lab_name_never_reaches_a_path(name, lock_dir):
    out = dockerlab("destroy", "--lab", name, env={"DOCKERLAB_LOCK_DIR": str(lock_dir)})
    assert out.returncode == 1 and "is not a lab name" in out.stderr
    assert not lock_dir.exists() or list(lock_dir.iterdir()) == []


def test_lab_name_rule_is_the_schemas():
    assert lab_schema()["properties"]["name"]["pattern"] == f"^{LAB_NAME.pattern}$"


def test_8_reserved_labels_and_misread_env_names_are_refused():
    out = problems("name: n\nnetworks:\n  lan: {labels: {io.dockerlab.lab: other}}\ncontainers:\n"
                   "  a: {image: busybox, labels: {io.dockerlab.key: b}, env: {'A=B': 1}}\n")
    assert out == [
        "lab.yaml:3: networks.lan.labels.io.dockerlab.lab: labels starting with 'io.dockerlab.' are dockerlab's "
        "own record of what it made; name yours otherwise",
        "lab.yaml:5: containers.a.env.A=B: 'A=B' cannot be an environment variable name: Docker splits "
        "'NAME=value' at the first '='",
        "lab.yaml:5: containers.a.labels.io.dockerlab.key: labels starting with 'io.dockerlab.' are dockerlab's "
        "own record of what it made; name yours otherwise"]


def test_9_alias_bomb_is_refused_at_once():
    bomb = "name: b\nx-a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"x-{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    assert len(bomb) < 1024
    start = time.monotonic()
    out = problems(bomb)
    assert time.monotonic() - start < 0.5
    assert out == ["lab.yaml:1: the document expands to more than 100000 values through its aliases; a lab file "
                   "needs far fewer: write the repeated parts out, or repeat them less"]


def test_9_deep_nesting_is_refused():
    assert "nested more than 64 levels deep" in problems("name: d\nx-a: " + "[" * 100 + "]" * 100 + "\n")[0]


def test_11_bytes_that_are_not_utf8_are_one_clear_message(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: x\ndescription: \"caf\xe9\"\n")
    out = dockerlab("validate", str(path))
    assert out.returncode == 1
    assert out.stderr.strip().endswith(f"{path}:2: byte 0xe9 is not UTF-8 text; save the file as UTF-8")


def test_12_merge_keys_with_an_override_mean_what_yaml_means():
    lab = parse_lab("name: m\nx-base: &base {image: busybox, command: [sleep, '1']}\ncontainers:\n"
                    "  a: {<<: *base, command: [sleep, infinity]}\n  b: *base\n")
    assert lab.container("a").command == ("sleep", "infinity")
    assert lab.container("a").image == "busybox" and lab.container("b").command == ("sleep", "1")
    assert problems("name: m\ncontainers:\n  a: {image: x, image: y}\n") == [
        "lab.yaml:3: containers.a.image: this key is given twice; keep one"]


def test_14_a_subnet_too_small_for_its_containers_is_a_validation_error():
    lab = "name: r\nnetworks:\n  lan: {subnet: 10.1.0.0/30}\ncontainers:\n" + "".join(
        f"  c{i}: {{image: busybox, networks: [lan]}}\n" for i in range(5))
    assert problems(lab) == [
        "lab.yaml:3: networks.lan: 10.1.0.0/30 has room for 1 dynamic address (after the network address, "
        "gateway, broadcast and static addresses), but 5 containers join without a static ipv4; make the subnet "
        "or ip_range larger"]
    parse_lab(lab.replace("/30", "/29"))  # 5 fit in a /29 (8 - network, gateway, broadcast)


# -- property-based: whatever the document, validate answers with a lab or with problems, quickly

KEYS = st.sampled_from(["name", "prefix", "networks", "containers", "checks", "driver", "subnet", "gateway",
                        "ip_range", "image", "command", "ports", "env", "labels", "ipv4", "aliases", "mac", "parent",
                        "mode", "from", "to", "expect", "<<", "x-a", "lan", "web", "io.dockerlab.lab", "A=B"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(["10.1.0.0/24", "10.1.0.5", "fd00::/64", "busybox",
                                                           "8080:80", "bridge", "macvlan", "l2", "x\0y"]))
DOCS = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                     st.dictionaries(KEYS, inner, max_size=6)), max_leaves=40)


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(KEYS, DOCS, max_size=6), name=st.sampled_from(["x", "Bad", None]))
def test_validate_never_raises_and_never_hangs(body, name):
    import yaml

    doc = {**({"name": name} if name else {}), **body}
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        parse_lab(text, "fuzz.yaml")
    except LabFileError as exc:
        assert exc.problems


@settings(max_examples=200, deadline=1000)
@given(raw=st.binary(max_size=400))
def test_any_bytes_are_a_lab_or_problems(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "lab.yaml"
    path.write_bytes(raw)
    try:
        load_lab(str(path))
    except LabFileError as exc:
        assert exc.problems


def test_a_lock_file_a_killed_run_left_is_cleared_and_a_held_one_kept(lock_dir):
    """Issue 21, E19: SIGKILL leaves the file (the lock went with the process); tests clear such files."""
    from dockerlab.privatedir import private_dir
    from dockerlab.run.lock import clear_stale

    stale = os.path.join(private_dir(), "x-lab-gone.lock")
    with open(stale, "w") as f:
        f.write("dockerlab pid 1")
    with lab_lock("held", "engine"):
        assert clear_stale() == 1
        assert not os.path.exists(stale) and len(os.listdir(private_dir())) == 1, "the held lock stays"


def test_lab_busy_asks_without_taking_and_tells_a_fresh_lock_from_a_dead_one(lock_dir):
    """The live view holds drift back while a lab is busy: a held lock is busy, one a killed run left is not, and
    one its holder has not written yet is busy for a few seconds only (a holder killed right then leaves it)."""
    from dockerlab.run.lock import _lab_path, lab_busy

    assert not lab_busy("calm", "engine")
    with lab_lock("calm", "engine"):
        assert lab_busy("calm", "engine") and not lab_busy("calm", "another engine")
        with lab_lock("calm", "engine-2"):
            pass  # asking took nothing: another lock still comes and goes
    assert not lab_busy("calm", "engine")
    path = _lab_path("calm", "engine")
    with open(path, "w") as f:
        f.write("dockerlab pid 999999999")  # no such process
    assert not lab_busy("calm", "engine")
    open(path, "w").close()  # just taken, not yet written
    assert lab_busy("calm", "engine")
    os.utime(path, (time.time() - 60, time.time() - 60))
    assert not lab_busy("calm", "engine"), "an empty file a minute old is a holder killed between take and write"
