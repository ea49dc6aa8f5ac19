"""Builds the ASGI app for a role: `all` (the embedded stack) or one service of the
distributed deployment. Resources are made in the lifespan, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from crowdsketch import __version__
from crowdsketch.admin.router import ADMIN_ROUTERS
from crowdsketch.datasets.router import router as contributors_router
from crowdsketch.collection.router import router as collection_router
from crowdsketch.collection.uploads_router import router as uploads_router
from crowdsketch.collection.fast_submit import PATH as SUBMIT_PATH, FastSubmitMiddleware
from crowdsketch.docs import install_docs
from crowdsketch.errors import document_error_answers, install_error_handlers
from crowdsketch.events.hub import EventHub
from crowdsketch.events.router import router as events_router
from crowdsketch.health import router as health_router
from crowdsketch.implementors.guard import InferenceCors
from crowdsketch.inference.fast_classify import PATH as CLASSIFY_PATH, FastClassifyMiddleware
from crowdsketch.inference.router import router as inference_router
from crowdsketch.middleware import (
    BodyReadTimeoutMiddleware,
    BodySizeLimitMiddleware,
    InFlightLimitMiddleware,
    RequestContextMiddleware,
)
from crowdsketch.quality.router import router as quality_router
from crowdsketch.resources import Resources
from crowdsketch.settings import Role, Settings
from crowdsketch.together.router import router as together_router
from crowdsketch.web import install_web

ROLE_ROUTERS: dict[Role, list[APIRouter]] = {
    # Routes are matched in order, one by one: the hot paths (classify, submit) first. Last,
    # classify was tried against every admin route first (14% of its CPU, py-spy).
    "all": [inference_router, collection_router, uploads_router, quality_router, contributors_router, together_router,
            *ADMIN_ROUTERS, events_router],
    "collection": [collection_router, uploads_router, quality_router, contributors_router, together_router],
    "admin": [*ADMIN_ROUTERS, events_router],
    "inference": [inference_router],
}


def create_app(settings: Settings | None = None, role: Role = "all") -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = Resources.build(settings)
        app.state.resources = resources
        # The collection role holds the active model too: each submission's agreement is
        # scored in process (see quality/agreement.py for why not over HTTP).
        if role in ("all", "collection", "inference"):
            await resources.models.start()
        # Each process serving inference forgets a changed or revoked key at once.
        if role in ("all", "inference"):
            resources.api_keys.start()
        # Each process serving admins relays the event stream to its sockets.
        hub = EventHub(resources.events, resources.kv) if role in ("all", "admin") else None
        if hub is not None:
            await hub.start()
            app.state.events = hub
        try:
            yield
        finally:
            if hub is not None:
                await hub.stop()
            await resources.close()

    app = FastAPI(
        title="crowdsketch",
        version=__version__,
        summary=f"Crowdsourced drawings to shape classifiers ({role} role)",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    install_error_handlers(app)
    document_error_answers(app)
    app.include_router(health_router)
    install_docs(app)
    for router in ROLE_ROUTERS[role]:
        app.include_router(router)
    install_web(app, settings.web_dist_dir, role)
    if role in ("all", "collection"):
        # The fast layers are added first, so innermost: the body-size, body-time, in-flight,
        # CORS and request-id layers added below wrap what they answer as they wrap the routes.
        app.add_middleware(FastSubmitMiddleware, route=_post_route(collection_router, SUBMIT_PATH))
    if role in ("all", "inference"):
        app.add_middleware(FastClassifyMiddleware, route=_post_route(inference_router, CLASSIFY_PATH))
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger_limits={"/api/admin/import": settings.max_import_bytes, "/api/admin/eval-sets": settings.max_import_bytes},
        # A direct upload's PUT on this app (uploads_router.py), its id in the path.
        larger_prefixes={"/api/drawings/uploads/": settings.max_upload_bytes},
    )
    app.add_middleware(
        BodyReadTimeoutMiddleware, timeout_s=settings.body_read_timeout_s, min_rate=settings.body_min_rate_bytes_s
    )
    app.add_middleware(InFlightLimitMiddleware, max_in_flight=settings.max_in_flight_per_address)
    if role in ("all", "inference"):
        app.add_middleware(InferenceCors)
    # Added last, so it is outermost: every answer, 413 and 500 included, carries the id.
    app.add_middleware(RequestContextMiddleware)
    return app


def _post_route(router: APIRouter, path: str) -> APIRoute:
    return next(r for r in router.routes
                if isinstance(r, APIRoute) and r.path == path and "POST" in r.methods)
