"""Shell completion from the lab file on the command line (click's completion for bash, zsh and fish does the
rest): container keys, networks, check names, stages, faults and bundled labs. It reads the file alone, never an
engine, and completes nothing when the file is not a lab."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING

import click
from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    from dockerlab.core.model import Lab

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _lab(ctx: click.Context) -> Lab | None:
    from dockerlab.errors import DockerlabError
    from dockerlab.labfile.load import load_lab

    try:
        return load_lab(str(ctx.params.get("file") or _file_in_words()))
    except DockerlabError:
        return None


def _file_in_words() -> str:
    """The lab file among the words being completed: click leaves FILE unparsed while an option waits for its
    value (`check lab.yaml --only <TAB>`). Every shell's script hands the words over in COMP_WORDS."""
    try:
        words = shlex.split(os.environ.get("COMP_WORDS", ""))
    except ValueError:  # an open quote
        return ""
    return next((w for w in words if w.endswith((".yaml", ".yml")) and os.path.isfile(w)), "")


def _from_lab(words: Callable[[Lab], list[str]], comma: bool = False) -> Completer:
    """Words the lab has; with comma, the last of a comma-separated list (--only a,b)."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        lab = _lab(ctx)
        done, _, last = incomplete.rpartition(",") if comma else ("", "", incomplete)
        head = f"{done}," if done else ""
        quote = shlex.quote if os.environ.get("_DOCKERLAB_COMPLETE", "").startswith("bash") else str
        return [CompletionItem(quote(head + w)) for w in (words(lab) if lab else []) if w.startswith(last)]
    return complete


def _every_stage(lab: Lab) -> tuple[Lab, ...]:
    return lab.stages or (lab,)


CONTAINERS = _from_lab(lambda lab: sorted({c.key for s in _every_stage(lab) for c in s.containers}))
TARGETS = _from_lab(lambda lab: sorted({c.key for s in _every_stage(lab) for c in s.containers}
                                       | {n.key for s in _every_stage(lab) for n in s.networks}
                                       | {f"{c.key}@{a.network}" for s in _every_stage(lab) for c in s.containers
                                          for a in c.attachments}))
CHECKS = _from_lab(lambda lab: sorted({c.name for s in _every_stage(lab) for c in s.checks if c.name}), comma=True)
STAGES = _from_lab(lambda lab: [s.stage for s in lab.stages])
FAULTS = _from_lab(lambda lab: [f.name for f in lab.faults])


def bundled_labs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from dockerlab.labfile.bundled import bundled

    return [CompletionItem(name) for name in bundled() if name.startswith(incomplete)]
