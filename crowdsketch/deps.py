"""Dependencies as types: a route asks for `CollectionServiceDep` and gets it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crowdsketch.collection.service import CollectionService
from crowdsketch.resources import Resources


# async: a plain `def` dependency would cost a worker-thread hop on every request.
async def get_resources(request: Request) -> Resources:
    return request.app.state.resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_collection_service(resources: ResourcesDep) -> CollectionService:
    return resources.collection


CollectionServiceDep = Annotated[CollectionService, Depends(get_collection_service)]
