"""Errors a user can act on. The CLI prints them without a traceback and exits 1."""

from __future__ import annotations

from dataclasses import dataclass


class DockerlabError(Exception):
    """A failure with a message meant for the user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    line: int
    path: str
    message: str

    def render(self, filename: str) -> str:
        """One line, whatever the file holds: a key or value with a line break cannot fake another line."""
        from dockerlab.printable import shown

        where = f"{filename}:{self.line}" if self.line else filename
        return shown(f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}")


class LabFileError(DockerlabError):
    """Everything wrong with one lab file, reported at once."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: (p.line, p.path))
        from dockerlab.printable import counted

        head = f"{filename}: {counted(len(self.problems), 'problem')} in the lab file"
        super().__init__("\n".join([head] + ["  " + p.render(filename) for p in self.problems]))


class EngineError(DockerlabError):
    """The engine refused or failed; the message says what to do."""


class EngineGone(EngineError):
    """The engine does not answer (any more): no further call to it can succeed now."""


# The engine's refusals that dockerlab acts on, told apart by type (engine.explain reads Docker's words once).
class NetworkInUse(EngineError):
    """The engine still counts endpoints on a network it was asked to remove."""


class NetworkInUseByTask(EngineError):
    """A swarm network that the swarm's attachment tasks still hold (they go asynchronously)."""


class SettingsInUse(NetworkInUseByTask):
    """A config-only network that networks still take settings from (a worker's instance of a swarm one goes
    asynchronously after its last container)."""


class NotConnected(EngineError):
    """The container is not on that network (any more)."""


class AttachFailed(EngineError):
    """Docker could not attach a starting container to a network (swarm attachments race)."""


class NetworkNotFound(EngineError):
    """The engine does not know a network the call names (404); a worker just joined may not know it yet."""


NAME_APPEARED = ("a network of that name appeared after the plan was made; were two labs with one prefix applied "
                 "at once? Give each lab its own 'prefix'")


class NameTaken(EngineError):
    """A network of the name the plan makes appeared after the plan was made."""

    def __init__(self, name: str, owner: str | None) -> None:
        super().__init__(f"create network {name}: {NAME_APPEARED} "
                         f"({f'made by lab {owner}' if owner else 'not made by dockerlab'})")


class RemovalInProgress(EngineError):
    """The container is being removed already (by a destroy killed halfway)."""


class ApplyError(DockerlabError):
    """Some steps of a plan failed; says what was done and what was not."""

    def __init__(self, message: str, interrupted: bool = False) -> None:
        super().__init__(message)
        self.exit_code = 130 if interrupted else 1


class Unstarted(ApplyError):
    """A container was created but could not be connected or started: the cause, and what is left."""

    def __init__(self, cause: str, container: str) -> None:
        super().__init__(f"{cause} (container {container} was created but not started; apply again after fixing "
                         "this, or destroy the lab)")
        self.cause = cause
