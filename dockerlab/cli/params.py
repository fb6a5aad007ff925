"""The commands' arguments and option types: the lab FILE, and seconds that are bounded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

FILE = click.argument("file", type=click.Path(dir_okay=False))
AS = click.option("--as", "owner", metavar="NAME",
                  help="A learner's own instance of the lab, beside the others: its own names and subnets.")


if TYPE_CHECKING:
    _FloatParam = click.ParamType[float]
else:
    _FloatParam = click.ParamType  # generic at run time only from click 8.2


class _Seconds(_FloatParam):
    """A number of seconds from 0 to an hour: never negative, nan or infinite."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (seconds > 0 if self.positive else seconds >= 0) or not seconds <= 3600:  # nan fails both
            self.fail(f"{value!r} is not {'more than 0 and at most' if self.positive else 'between 0 and'} 3600 "
                      "seconds", param, ctx)
        return seconds

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive


SECONDS, DURATION = _Seconds(), _Seconds(positive=True)
