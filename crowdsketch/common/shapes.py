"""A shape of the catalogue as every domain sees it: the game prompts it, imports and
evaluation sets label with its id, training learns it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogShape:
    id: str
    name: str
    closed: bool
    position: int
