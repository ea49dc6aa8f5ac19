"""The contributor's identity: the anonymous session id the game sends as `X-Session-Id`.

It keys stats, votes and everything else a contributor does. Treat it as a bearer secret:
never log it in full (`redacted`), never show it to another contributor.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

SESSION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SESSION_ID = re.compile(SESSION_ID_PATTERN)

RequiredSessionIdHeader = Annotated[
    str,
    Header(alias="X-Session-Id", pattern=SESSION_ID_PATTERN, description="The contributor's session, from the game."),
]


def redacted(session_id: str | None) -> str | None:
    """Enough of a session id to tell two apart in a log, not enough to act as one."""
    return None if session_id is None else f"{session_id[:4]}…"
