"""Serves the built web front end (`web/dist`, from `npm run build`) next to the API.

Each role serves the pages that belong with its API, so a reverse proxy can route a page and
its calls to the same service: `collection` the game at `/`, `admin` the dashboard under
`/admin`, `inference` the implementor portal under `/implementor`, and `all` every one.
Every role serves `/assets/*` (one build holds every page's files).

Hashed assets are cached for a year; `index.html` is never cached, so a new build shows at
once. Client-side routes get `index.html`; a path nobody serves gets it too with a 404, so
the app shows its own not-found page. API-like paths (`/api/...`, `/docs`, ...) are never
answered with HTML: an unknown one keeps the JSON 404 envelope.
"""

from __future__ import annotations

import gzip
import html
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from crowdsketch.errors import NotFoundError
from crowdsketch.settings import Role

ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    "all": ("/", "/together", "/admin", "/implementor"),
    "collection": ("/", "/together"),
    "admin": ("/admin",),
    "inference": ("/implementor",),
}
# Paths that belong to the API and operations side, never to the front end.
API_PREFIXES = ("/api", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics")

IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt", ".wasm"}
MIN_GZIP_BYTES = 1024

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>crowdsketch: front end not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>The web front end is not built</h1>
<p>The API is running (see <a href="/docs">/docs</a>), but there is no build of the pages in
<code>{dist}</code>.</p>
<p>Build it with <code>make setup</code>, or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>,
then reload. <code>CROWDSKETCH_WEB_DIST_DIR</code> points at another build.</p>
</body></html>
"""


def _is_page(path: str, pages: tuple[str, ...]) -> bool:
    return any(path == page or (page != "/" and path.startswith(f"{page}/")) for page in pages)


def _is_api(path: str) -> bool:
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in API_PREFIXES)


def _inside(root: Path, relative: str) -> Path | None:
    """The file at `relative` under `root`, or None if it is missing or would leave `root`."""
    try:
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
    except (OSError, ValueError):
        pass
    return None


@lru_cache(maxsize=256)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    """An asset compressed once per version; hashed assets never change."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def _file_response(request: Request, path: Path, cache_control: str) -> Response:
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    accepts_gzip = "gzip" in request.headers.get("accept-encoding", "")
    stat = path.stat()
    if accepts_gzip and path.suffix in COMPRESSIBLE and stat.st_size >= MIN_GZIP_BYTES:
        body = _gzipped(path, stat.st_mtime_ns)
        media_type = FileResponse(path).media_type
        return Response(body, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return FileResponse(path, headers=headers)


class _FrontEndRoute(Route):
    """A route that never matches API-like paths, so those keep the router's own JSON 404
    and 405 answers instead of falling through to the front end's catch-all."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and _is_api(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


def install_web(app: FastAPI, dist_dir: Path, role: Role) -> None:
    """Add the front end's routes; call it after every API router is included, since its
    catch-all must come last. The build is looked for on each request, so building the
    front end while the server runs needs no restart."""
    pages = ROLE_PAGES[role]

    def index(request: Request, status_code: int) -> Response:
        index_html = dist_dir / "index.html"
        if not index_html.is_file():
            return HTMLResponse(NOT_BUILT_PAGE.format(dist=html.escape(str(dist_dir))), status_code=404,
                                headers={"Cache-Control": NO_CACHE})
        response = _file_response(request, index_html, NO_CACHE)
        response.status_code = status_code
        return response

    async def asset(request: Request) -> Response:
        name = request.path_params["asset"]
        found = _inside(dist_dir / "assets", name)
        if found is None:
            raise NotFoundError(f"No asset /assets/{name} in this build")
        return _file_response(request, found, IMMUTABLE)

    async def page(request: Request) -> Response:
        path = request.path_params["path"]
        if _is_page(f"/{path}", pages):
            return index(request, 200)
        # A file copied as is from web/public (favicon, robots.txt): not hashed, so not cached.
        if "/" not in path and path != "index.html" and (found := _inside(dist_dir, path)):
            return _file_response(request, found, NO_CACHE)
        return index(request, 404)

    app.router.routes.append(_FrontEndRoute("/assets/{asset:path}", asset, methods=["GET", "HEAD"],
                                            include_in_schema=False))
    app.router.routes.append(_FrontEndRoute("/{path:path}", page, methods=["GET", "HEAD"], include_in_schema=False))
