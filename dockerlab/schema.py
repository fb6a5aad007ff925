"""JSON Schema validation, with jsonschema's errors rewritten as plain sentences."""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from .errors import Problem
from .yamlsource import Path, Source, format_path

TYPE_NAMES = {"object": "a map", "array": "a list", "string": "a string", "integer": "a whole number",
              "number": "a number", "boolean": "true or false", "null": "empty"}


@cache
def lab_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(resources.files("dockerlab").joinpath("lab.schema.json").read_text())
    return schema


def schema_problems(source: Source) -> list[Problem]:
    from jsonschema import Draft202012Validator  # imported late: validate is on the fast path

    validator = Draft202012Validator(lab_schema())
    problems = [_problem(error, source) for error in validator.iter_errors(source.data)]
    unique = {(p.line, p.path, p.message): p for p in problems}
    return list(unique.values())


def _problem(error: Any, source: Source) -> Problem:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        return _unknown_key(error, path, source)
    if error.validator == "propertyNames":
        path = path + (error.instance,)
    return Problem(source.line(path), format_path(path), _sentence(error))


def _unknown_key(error: Any, path: Path, source: Source) -> Problem:
    allowed = sorted(error.schema.get("properties", {}))
    extra = sorted(set(error.instance) - set(allowed))
    key = extra[0] if extra else "?"
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; allowed keys: {', '.join(allowed)}"
    return Problem(source.line(path + (key,)), format_path(path + (key,)), f"unknown key '{key}'{hint}")


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
            return f"'{value}' is not valid: expected {hint}"
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
