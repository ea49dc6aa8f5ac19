"""Operations endpoints, present in every role."""

from __future__ import annotations

from fastapi import APIRouter, Response
from crowdsketch.responses import JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from crowdsketch.deps import ResourcesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "A dependency is down"}})
async def readyz(resources: ResourcesDep) -> JsonResponse:
    """Each dependency, checked now. 503 while any is down. `model` says whether this process
    holds the active model (`loaded`), cannot load it (`files missing`: run `crowdsketch
    doctor --repair`), or has none yet (`none`)."""
    checks = await resources.readiness()
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks, "breakers": resources.guards.states(),
            # Said, not judged: a stack without a model yet still takes drawings.
            "model": resources.models.state}
    headers = {} if ready else {"Retry-After": str(int(max(1, resources.settings.breaker_reset_s)))}
    return JsonResponse(body, status_code=200 if ready else 503, headers=headers)


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
