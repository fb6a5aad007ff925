"""Lab text made safe to print, for a terminal and for a shell: every place that prints text a lab file could
hold asks here, so that no value can end a line, move the cursor or become a command when pasted."""

from __future__ import annotations

import os
import re
import shlex
import sys
from typing import TextIO

import click

# Unicode's invisible formatting too: bidi overrides and isolates reorder what a line shows (a name that reads as
# another), zero-width ones hide inside a name; line and paragraph separators end a line.
_INVISIBLE = ("\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
              "\U000e0000-\U000e007f")
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}]")
_CONTROL_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF else
                                f"\\U{code:08x}")


def shown(text: str) -> str:
    """One line whatever the value holds: control and invisible characters as escapes (\\n, \\x1b, \\u202e)."""
    return _CONTROL.sub(_escape, text)


def lines(text: str) -> str:
    """Text of several lines of dockerlab's own: its line breaks kept, every other control character escaped."""
    return _CONTROL_BUT_NEWLINE.sub(_escape, text)


def counted(n: int, noun: str) -> str:
    """1 network, 2 networks."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def say(text: str, err: bool = False) -> None:
    """Print a message or a table; nothing in it can rewrite the terminal."""
    try:
        click.echo(lines(text), err=err)
    except BrokenPipeError:  # the reader went (`| head`): the work goes on, and its outcome is still the exit code
        reader_gone(sys.stderr if err else sys.stdout)


def reader_gone(stream: TextIO) -> None:
    """What is still written there goes nowhere, quietly (Python would complain at exit of a closed pipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, stream.fileno())
    os.close(devnull)


def shell_word(word: str) -> str:
    """One shell word for any value: single quotes, or bash's $'...' where it holds a control character (raw inside
    quotes, it would be pasted as it is and show as something else)."""
    if not _CONTROL.search(word):
        return shlex.quote(word)
    return "$'" + _CONTROL.sub(_escape, word.replace("\\", "\\\\").replace("'", "\\'")) + "'"


def shell_comment(text: str) -> str:
    """A comment line for a shell script: the text on one line, so nothing after it runs."""
    return "# " + shown(text)
