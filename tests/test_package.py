"""The package's facts held together: one version, a changelog entry for it, a distribution name that is not the
other project's, the bundled labs, the pre-commit hook's file pattern and the SchemaStore entry. Pure."""

import json
import re
import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml
from helpers import ROOT

import dockerlab
from dockerlab.labfile.bundled import bundled, nearby


def test_one_version_in_one_place_with_its_changelog_entry():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "dockerlab-net" and "version" not in project and project["dynamic"] == ["version"]
    assert f"## {dockerlab.__version__}" in (ROOT / "CHANGELOG.md").read_text()


def test_the_bundled_labs_are_the_repositorys_labs():
    assert sorted(bundled()) == sorted(p.stem for p in (ROOT / "labs").glob("*.yaml"))


def test_the_wheel_carries_the_labs_the_page_and_the_schema(tmp_path):
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("dockerlab_net-*.whl"))).namelist()
    labs = {n.rsplit("/", 1)[1] for n in names if n.startswith("dockerlab/labs/")}
    assert labs == {p.name for p in (ROOT / "labs").glob("*.yaml")}
    page = {n.rsplit("/", 1)[1] for n in names if n.startswith("dockerlab/live/page/")}
    assert {"index.html", "view.js", "view.css", "cytoscape.min.js", "cytoscape.LICENSE"} <= page
    assert "dockerlab/labfile/lab.schema.json" in names


def test_a_copy_points_at_the_schema_by_its_id_and_goes_into_a_folder(tmp_path):
    from dockerlab.errors import DockerlabError
    from dockerlab.labfile.bundled import SCHEMA_ID, copy_out

    written = copy_out("user-bridge", str(tmp_path))
    assert written == str(tmp_path / "user-bridge.yaml")
    assert (tmp_path / "user-bridge.yaml").read_text().startswith(f"# yaml-language-server: $schema={SCHEMA_ID}\n")
    with pytest.raises(DockerlabError, match="is there already"):
        copy_out("user-bridge", str(tmp_path))
    with pytest.raises(DockerlabError, match="no bundled lab 'nope'"):
        copy_out("nope", None)


def test_a_lab_file_named_without_its_suffix_is_guessed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.lab.yaml").write_text("name: mine\n")
    assert nearby("mine.lab") == "; did you mean mine.lab.yaml?"
    assert "dockerlab labs copy macvlan" in nearby("macvlan")
    assert nearby("nothing-like-it") == ""


@pytest.mark.parametrize("path, taken", [("x.lab.yaml", True), ("a/b/x.lab.yml", True),
                                         ("labs/user-bridge.yaml", False), ("x.yaml", False),
                                         ("k8s/deploy.yaml", False), ("x.lab.yaml.bak", False)])
def test_the_hook_takes_lab_files_by_their_names(path, taken):
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert bool(re.search(hook["files"], path)) is taken


def test_the_schemastore_entry_points_at_the_schemas_id_for_lab_yaml_files():
    entry = json.loads((ROOT / "schemas" / "schemastore-catalog-entry.json").read_text())
    schema = json.loads((ROOT / "schemas" / "lab.schema.json").read_text())
    assert entry["url"] == schema["$id"] and entry["fileMatch"] == ["*.lab.yaml", "*.lab.yml"]


def test_every_bundled_lab_says_what_it_shows():
    """`dockerlab labs` lists each lab with its description: three had lost theirs to a key put in between."""
    from dockerlab.labfile.bundled import bundled, described

    labs = bundled()
    assert len(labs) >= 23 and all(described(lab) for lab in labs.values()), \
        [name for name, lab in labs.items() if not described(lab)]
