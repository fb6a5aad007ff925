"""What every part of `client.Engine` stands on: its reader, its SDK and the one way it calls the SDK."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dockerlab.engine.transport import Reader, Sdk


class Calls:
    reader: Reader
    sdk: Sdk

    def _call(self, what: str, method: str, *args: Any, subject: object = None, missing_ok: bool = False,
              **kwargs: Any) -> Any:
        """The SDK's `method`, its refusals as errors that say `what` failed (see client.Engine)."""
        raise NotImplementedError
