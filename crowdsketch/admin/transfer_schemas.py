"""What an import answers."""

from __future__ import annotations

from pydantic import Field

from crowdsketch.common.schemas import CamelModel


class ImportLineError(CamelModel):
    line: int = Field(description="1-based line number in the file")
    field: str = Field(description="the field at fault, e.g. `strokes[0][3][2]`, or `line` for the whole line")
    message: str


class ImportSummary(CamelModel):
    lines: int = Field(description="non-blank lines read")
    imported: int
    duplicates: int = Field(description="lines whose strokes were already stored, or came earlier in the file")
    failed: int = Field(description="lines refused; the first of them are in `errors`")
    errors: list[ImportLineError]
