"""Lab text made safe to print, for a terminal and for a shell: every place that prints text a lab file could
hold asks here, so that no value can end a line, move the cursor or become a command when pasted."""

from __future__ import annotations

import re
import shlex

import click

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x80 else f"\\u{ord(char):04x}")


def shown(text: str) -> str:
    """One line whatever the value holds: control characters as escapes (\\n, \\r, \\x1b)."""
    return _CONTROL.sub(_escape, text)


def lines(text: str) -> str:
    """Text of several lines of dockerlab's own: its line breaks kept, every other control character escaped."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def say(text: str, err: bool = False) -> None:
    """Print a message or a table; nothing in it can rewrite the terminal."""
    click.echo(lines(text), err=err)


def shell_word(word: str) -> str:
    """One shell word for any value: single quotes, or bash's $'...' where it holds a control character (raw inside
    quotes, it would be pasted as it is and show as something else)."""
    if not _CONTROL.search(word):
        return shlex.quote(word)
    return "$'" + _CONTROL.sub(_escape, word.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def shell_comment(text: str) -> str:
    """A comment line for a shell script: the text on one line, so nothing after it runs."""
    return "# " + shown(text)
