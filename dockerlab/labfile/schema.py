"""JSON Schema validation, with jsonschema's errors rewritten as plain sentences."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
from functools import cache
from importlib import resources
from typing import Any

from dockerlab.errors import DockerlabError, Problem
from dockerlab.labfile.yamlsource import Path, Source
from dockerlab.printable import shown
from dockerlab.privatedir import private_dir

TYPE_NAMES = {"object": "a map", "array": "a list", "string": "a string", "integer": "a whole number",
              "number": "a number", "boolean": "true or false", "null": "empty"}


MEMO_SIZE = 64  # lab texts remembered as valid


@cache
def _schema_text() -> str:
    return resources.files("dockerlab.labfile").joinpath("lab.schema.json").read_text()


@cache
def lab_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def schema_problems(source: Source, text: str | None = None) -> list[Problem]:
    """`text`: the file as read; a text this schema passed before is not checked again (see _Memo)."""
    memo = _Memo(text) if text is not None else None
    if memo and memo.known():
        return []
    validator = _validator()
    problems = [_problem(e, source) for error in validator.iter_errors(source.data) for e in _deepest(error)]
    unique = {(p.line, p.path, p.message): p for p in problems}
    if memo and not unique:
        memo.remember()
    return list(unique.values())


RULES = 3  # how this module reads the schema; part of the memo's key, so a change of rules forgets old answers


@cache
def _validator() -> Any:
    """Draft 2020-12, but a pattern matches the whole value: Python's `$` also matches before a trailing newline,
    so `^[a-z]+$` would take "web\\n" (JavaScript's, in editors, does not)."""
    import re

    from jsonschema import Draft202012Validator, validators  # imported late: validate is on the fast path
    from jsonschema.exceptions import ValidationError

    def whole(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
        if validator.is_type(instance, "string") and re.fullmatch(pattern, instance) is None:
            yield ValidationError(f"{instance!r} does not match {pattern!r}")
    return validators.extend(Draft202012Validator, {"pattern": whole})(lab_schema())  # type: ignore[no-untyped-call]


class _Memo:
    """The digests of the last lab texts that passed this schema, in dockerlab's private directory: a command on
    an unchanged file skips jsonschema, whose import is a fifth of a no-op apply. Same text, same schema, same
    answer; the meaning checks still run every time."""

    def __init__(self, text: str) -> None:
        self.digest = hashlib.sha256(f"{RULES}\0{_schema_text()}\0{text}".encode()).hexdigest()[:32]
        try:
            self.path: str | None = os.path.join(private_dir(), "schema-valid")
        except DockerlabError:  # no private directory: nothing is remembered
            self.path = None

    def _known(self, path: str) -> list[str]:
        try:
            with open(path) as memo:
                return memo.read().split()
        except OSError:
            return []

    def known(self) -> bool:
        return self.path is not None and self.digest in self._known(self.path)

    def remember(self) -> None:
        path = self.path
        if path is None:
            return
        import tempfile

        digests = [d for d in self._known(path) if d != self.digest][-(MEMO_SIZE - 1):] + [self.digest]
        with contextlib.suppress(OSError):  # a memo not kept only costs the next command the check
            with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(path), delete=False) as new:
                new.write("\n".join(digests) + "\n")
            os.replace(new.name, path)  # whole or not at all: another dockerlab may read it now


def _deepest(error: Any) -> list[Any]:
    """A value that fits none of a oneOf's shapes: where the shape it has goes wrong inside (a bad time in a map
    of endpoints), rather than the list of shapes; the shapes when it is wrong as a whole."""
    deeper = [e for e in error.context or () if len(e.absolute_path) > len(error.absolute_path)]
    return [d for e in deeper for d in _deepest(e)] if error.validator in ("oneOf", "anyOf") and deeper else [error]


def _problem(error: Any, source: Source) -> Problem:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return _unknown_key(error, path, source)
    if error.validator == "propertyNames":
        path = path + (error.instance,)
    return source.problem(path, _sentence(error))


def _unknown_key(error: Any, path: Path, source: Source) -> Problem:
    allowed = sorted(error.schema.get("properties", {}))
    extra = sorted(set(error.instance) - set(allowed))
    key = extra[0] if extra else "?"
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; allowed keys: {', '.join(allowed)}"
    return source.problem(path + (key,), f"unknown key '{key}'{hint}")


def _sentence(error: Any) -> str:
    schema, value = error.schema, error.instance
    hint = schema.get("x-hint")
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        return f"the key '{missing}' is required"
    if kind == "enum":
        choices = ", ".join(str(c) for c in schema["enum"])
        close = difflib.get_close_matches(str(value), [str(c) for c in schema["enum"]], n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        return f"'{value}' is not allowed here; use one of: {choices}{suggestion}"
    if kind == "type":
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return f"must be {' or '.join(TYPE_NAMES[t] for t in wanted)}, not {_type_of(value)}"
    if kind in ("pattern", "oneOf", "anyOf", "propertyNames") and hint:
        if isinstance(value, str):
            return f"'{shown(value)}' is not valid: expected {hint}"
        return f"expected {hint}, not {_type_of(value)}"
    if kind in ("minimum", "maximum", "exclusiveMinimum"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", "-"))
        return f"{value} is out of range ({low} to {schema.get('maximum', 'any')})"
    if kind == "minLength":
        return "must not be empty"
    if kind == "propertyNames":
        return f"'{value}' is not a valid name"
    return f"the value {json.dumps(value, default=str)} is not valid here"


def _type_of(value: Any) -> str:
    for name, kind in (("true or false", bool), ("a whole number", int), ("a number", float),
                       ("a string", str), ("a list", list), ("a map", dict)):
        if isinstance(value, kind):
            return f"{name} ({json.dumps(value, default=str)[:40]})" if kind in (str, int, float) else name
    return "empty" if value is None else type(value).__name__
