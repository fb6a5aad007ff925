"""The tree shows the stages: a module imports only from its own stage and the stages below it, the import
graph has no cycle, and the command line stays thin. Pure: reads the source."""

import ast
import graphlib
import pathlib
import re

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "dockerlab"
# low to high; the package's own top-level modules are the base, but reconcile, which sits on top
STAGES = ["", "core", "labfile", "engine", "host", "plan", "run", "learn", "reconcile", "cli"]


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Every module -> the package modules it imports, lazily or not."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    found: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dockerlab"):
                assert node.level == 0, f"{name}: imports are absolute"
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found[name].add(target if target in modules else node.module)
    return found


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


def test_nothing_outside_the_engine_reaches_around_its_seam():
    """Only engine/ touches the transport (reader, sdk) or a private method of the Engine."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "engine":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and (node.attr in ("reader", "sdk", "_call") or (
                    node.attr.startswith("_") and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "engine")):
                found.append(f"{module_name(path)}:{node.lineno} .{node.attr}")
    assert found == []


def test_the_readme_layout_names_every_module_of_the_tree():
    readme = (PACKAGE.parent / "README.md").read_text()
    block = readme.split("- Layout:", 1)[1].split("```", 2)[1]
    missing = [module_name(p) for p in PACKAGE.rglob("*.py") if p.stem not in ("__init__", "__main__")
               and not re.search(rf"\b{p.stem}(\.py)?\b", block)]
    folders = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert missing == [] and all(f"{f}/" in block for f in folders)
