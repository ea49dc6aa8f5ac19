"""API keys, for admins: mounted with the admin routers (session and CSRF)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from crowdsketch.common.identity import CurrentAdmin
from crowdsketch.deps import ResourcesDep
from crowdsketch.implementors.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, ApiKeyUpdate, ApiKeyUsageRead

router = APIRouter(prefix="/api-keys", tags=["admin: API keys"])

NOT_FOUND = {404: {"description": "No such API key"}}


@router.post("", status_code=201, response_model=ApiKeyCreated,
             responses={400: {"description": "A bad field; `details` names it"}})
async def create_api_key(body: ApiKeyCreate, admin: CurrentAdmin, resources: ResourcesDep) -> ApiKeyCreated:
    """A new key. The answer's `key` is the only time the key is shown: only its keyed hash is kept."""
    return await resources.api_keys.create(body, admin)


@router.get("", response_model=list[ApiKeyRead])
async def list_api_keys(resources: ResourcesDep) -> list[ApiKeyRead]:
    """Every key, newest first, with its limits, when it was last used and its use this month."""
    return await resources.api_keys.list()


@router.patch("/{key_id}", response_model=ApiKeyRead, responses=NOT_FOUND)
async def update_api_key(key_id: uuid.UUID, body: ApiKeyUpdate, admin: CurrentAdmin,
                         resources: ResourcesDep) -> ApiKeyRead:
    """Rename a key or change its limits or origins; every process follows at once."""
    return await resources.api_keys.update(key_id, body, admin)


@router.post("/{key_id}/revoke", response_model=ApiKeyRead, responses=NOT_FOUND)
async def revoke_api_key(key_id: uuid.UUID, admin: CurrentAdmin, resources: ResourcesDep) -> ApiKeyRead:
    """The key stops working on every process at once (401 `API_KEY_INVALID`). Revoking again is harmless."""
    return await resources.api_keys.revoke(key_id, admin)


@router.get("/{key_id}/usage", response_model=ApiKeyUsageRead, responses=NOT_FOUND)
async def api_key_usage(key_id: uuid.UUID, resources: ResourcesDep,
                        days: Annotated[int, Query(ge=1, le=366)] = 30) -> ApiKeyUsageRead:
    """Requests, errors and median time in the app, per day and model version, for the last `days` days."""
    return await resources.api_keys.usage_of(key_id, days)
