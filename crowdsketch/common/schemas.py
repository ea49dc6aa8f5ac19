"""Schema pieces every domain's API speaks: camelCase on the wire, and a shape by id and name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ShapeRef(CamelModel):
    id: str
    name: str
