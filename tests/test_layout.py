"""The tree shows the stages: a module imports only from its own stage and the stages below it, the import
graph has no cycle, and the command line stays thin. Pure: reads the source."""

import ast
import graphlib
import pathlib
import re

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "dockerlab"
# low to high; the package's own top-level modules are the base, but reconcile, which sits on top
STAGES = ["", "core", "labfile", "engine", "host", "plan", "run", "learn", "reconcile", "live", "cli"]


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: pathlib.Path) -> set[str]:
    """Every module a file imports, lazily or not, its own package's by absolute name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: imports are absolute"
            found |= {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            raise AssertionError(f"{path}: no import by name (importlib): the layout could not be checked")
    return found


def imports() -> dict[str, set[str]]:
    """Every module -> the package modules it imports."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def stage(module: str) -> int:
    if module == "dockerlab.__main__":
        return len(STAGES)  # the program: above everything
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    key = parts[1] if parts[1] in STAGES else ""
    return STAGES.index(key)


def test_no_import_runs_up_a_stage():
    upward = sorted(f"{m} -> {t}" for m, targets in imports().items() for t in targets if stage(t) > stage(m))
    assert upward == []


def test_the_import_graph_has_no_cycle():
    graphlib.TopologicalSorter(imports()).prepare()  # raises CycleError, naming the cycle


@pytest.mark.parametrize("folder", [s for s in STAGES if s and s != "reconcile"])
def test_each_stage_says_what_it_takes_and_gives(folder):
    doc = ast.get_docstring(ast.parse((PACKAGE / folder / "__init__.py").read_text()))
    assert doc and len(doc.splitlines()) <= 6


def test_modules_stay_small_and_the_command_line_thin():
    sizes = {module_name(p): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    assert sizes["dockerlab.cli.main"] < 200
    assert [m for m, n in sizes.items() if n > 300] == []


INSIDE_THE_ENGINE = {"dockerlab.engine.transport", "dockerlab.engine.calls"}


def test_nothing_outside_the_engine_reaches_around_its_seam():
    """Only engine/ imports the Docker SDK or the engine's transport, or touches its reader, its SDK client or a
    private method of the Engine."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "engine":
            continue
        found += [f"{module_name(path)} imports {m}" for m in sorted(imported(path))
                  if m in INSIDE_THE_ENGINE or m.split(".")[0] in ("docker", "requests")]
        for node in ast.walk(ast.parse(path.read_text())):
            engine = isinstance(node, ast.Attribute) and getattr(node.value, "attr", getattr(node.value, "id", ""))
            if isinstance(node, ast.Attribute) and (node.attr in ("reader", "sdk", "_call") or (
                    node.attr.startswith("_") and engine in ("engine", "Engine"))):
                found.append(f"{module_name(path)}:{node.lineno} .{node.attr}")
    assert found == []


def test_the_readme_layout_names_every_module_of_the_tree():
    """Each folder's entry (from `name/` to the next entry) names each of its modules, and no module it lacks."""
    readme = (PACKAGE.parent / "README.md").read_text()
    block = readme.split("- Layout:", 1)[1].split("```", 2)[1]
    entries = dict(re.findall(r"^\s{4}(\w+)/\s+(.*?)(?=^\s{4}\S|\Z)", block, flags=re.M | re.S))
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert sorted(entries) == folders
    for folder, text in entries.items():
        modules = {p.stem for p in (PACKAGE / folder).glob("*.py")} - {"__init__"}
        named = {m for m in modules if re.search(rf"\b{m}\b", text)}
        assert named == modules, f"{folder}/: the README does not name {sorted(modules - named)}"
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert all(re.search(rf"\b{m}\.py\b", block) for m in top)
