"""What the contributor routes answer."""

from __future__ import annotations

from pydantic import Field

from crowdsketch.common.schemas import CamelModel


class WithdrawalRead(CamelModel):
    drawings: int = Field(description="The session's drawings deleted, strokes included")
    votes: int = Field(description="The session's verification answers deleted")
