"""The labs that ship inside the package (dockerlab/labs, the repository's labs/): listed, written out to edit, and
named when a lab file is not found."""

from __future__ import annotations

import os
import re
from importlib import resources
from importlib.resources.abc import Traversable

from dockerlab.errors import DockerlabError

SCHEMA_ID = "https://dockerlab.dev/schemas/lab.schema.json"  # the schema's $id: a copy's path to ../schemas is gone
SCHEMA_LINE = re.compile(r"\$schema=\S+")


def bundled() -> dict[str, Traversable]:
    """Each bundled lab by name (its file's stem)."""
    try:
        found = [f for f in resources.files("dockerlab").joinpath("labs").iterdir() if f.name.endswith(".yaml")]
    except OSError:  # a checkout without its links (labs/ is one): none bundled
        return {}
    return dict(sorted((f.name.removesuffix(".yaml"), f) for f in found))


def described(lab: Traversable) -> str:
    """A bundled lab's description, as its file says it."""
    from dockerlab.labfile.yamlsource import load

    source, _ = load(lab.read_text(encoding="utf-8"))
    return str(source.data.get("description", "")) if isinstance(source.data, dict) else ""


def copy_out(name: str, dest: str | None) -> str:
    """Write the bundled lab `name` to dest (else NAME.yaml here): never over a file, never through a link."""
    labs = bundled()
    if name not in labs:
        raise DockerlabError(f"no bundled lab {name!r}; `dockerlab labs` lists them: {', '.join(labs)}")
    if dest == "":
        raise DockerlabError("give a file to write, or none for NAME.yaml here")
    path = os.path.join(dest, f"{name}.yaml") if dest and os.path.isdir(dest) else dest or f"{name}.yaml"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        raise DockerlabError(f"{path} is there already; give another file: dockerlab labs copy {name} FILE") from None
    except OSError as exc:
        raise DockerlabError(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(SCHEMA_LINE.sub(f"$schema={SCHEMA_ID}", labs[name].read_text(encoding="utf-8"), count=1))
    return path


def nearby(filename: str) -> str:
    """For a lab file that is not there: the file it may have meant, or the bundled lab of that name."""
    stem = os.path.basename(filename).removesuffix(".yaml").removesuffix(".yml")
    for guess in (f"{filename}.yaml", f"{filename}.yml", f"{filename}.lab.yaml", f"{stem}.yaml",
                  os.path.join("labs", f"{stem}.yaml")):
        if guess != filename and os.path.isfile(guess):
            return f"; did you mean {guess}?"
    if stem in bundled():
        return f"; {stem} is a bundled lab: `dockerlab labs copy {stem}` writes it here"
    return ""
