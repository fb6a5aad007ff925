"""Text for learners (a lesson, a hint), in one language or several, and the language a run speaks."""

from __future__ import annotations

import os
import re

Words = tuple[tuple[str, str], ...]  # (language, text) in the file's order; the first is the fallback
ANY = ""  # the language of a plain string: it is shown whatever the run speaks
LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")  # en, ja, pt-BR: the schema's pattern too
_chosen: list[str] = []  # --lang, set once by the command line


def words(raw: object) -> Words:
    """A lab file's text: a string, or a map of language to string (the schema has made sure of the types)."""
    if isinstance(raw, dict):
        return tuple((str(k), str(v).strip()) for k, v in raw.items())
    return ((ANY, str(raw).strip()),) if raw is not None else ()


def speak(language: str | None) -> None:
    """The language asked for on the command line, over the locale's."""
    _chosen[:] = [language] if language else []


def spoken() -> str:
    """--lang, else DOCKERLAB_LANG, else the locale's language (LC_ALL, LC_MESSAGES, LANG); '' for none."""
    for value in (*_chosen, *(os.environ.get(v, "") for v in ("DOCKERLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"))):
        language = value.split(".")[0].split("@")[0].replace("_", "-")
        if language and language not in ("C", "POSIX"):
            return language
    return ""


def say_in(text: Words, language: str | None = None) -> str:
    """The text in the language spoken (ja-JP finds ja), else in the file's first language."""
    if not text:
        return ""
    wanted = (language if language is not None else spoken()).lower()
    table = {lang.lower(): value for lang, value in text}
    for key in (wanted, wanted.split("-")[0]):
        if key in table:
            return table[key]
    return text[0][1]
