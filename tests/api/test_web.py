"""The built front end is served beside the API without shadowing any of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from crowdsketch.app import create_app
from crowdsketch.settings import Role
from tests.support.stacks import Stack, make_settings

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>'
BUNDLE = "console.log('crowdsketch');\n" * 200
WASM = b"\0asm\1\0\0\0" + bytes(4096)  # the in-browser model's runtime: large, and compresses well


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-abc123.js").write_text(BUNDLE)
    (folder / "assets" / "ort-abc123.wasm").write_bytes(WASM)
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("not for the web")
    return folder


@pytest.fixture
async def web_client(stack: Stack, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(stack.settings.model_copy(update={"web_dist_dir": dist}))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
            yield http


def static_client(tmp_path: Path, dist: Path, role: Role = "all") -> httpx.AsyncClient:
    """An app that is never started: enough for the routes that only read files."""
    app = create_app(make_settings(data_dir=tmp_path / "data", web_dist_dir=dist), role=role)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


embedded_only = pytest.mark.parametrize("stack", ["embedded"], indirect=True)


async def test_the_browser_models_runtime_is_served_as_wasm_and_gzipped(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/assets/ort-abc123.wasm", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-type"] == "application/wasm"
    assert response.headers["content-encoding"] == "gzip" and response.content == WASM


@embedded_only
@pytest.mark.parametrize("path", ["/", "/admin", "/admin/drawings/42", "/implementor"])
async def test_every_page_gets_index_html_uncached(web_client: httpx.AsyncClient, path: str) -> None:
    response = await web_client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == INDEX


@embedded_only
async def test_hashed_assets_are_cached_for_a_year_and_gzipped(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == BUNDLE  # httpx undoes the gzip
    plain = await web_client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.text == BUNDLE


@embedded_only
async def test_a_missing_asset_is_a_json_404_not_the_page(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/assets/index-gone.js")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"


@embedded_only
async def test_an_asset_path_cannot_leave_the_build(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/assets/..%2F..%2Fsecret.txt")
    assert response.status_code == 404
    assert "not for the web" not in response.text


@embedded_only
async def test_files_at_the_root_of_the_build_are_served(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@embedded_only
async def test_an_unknown_page_gets_the_app_with_a_404(web_client: httpx.AsyncClient) -> None:
    response = await web_client.get("/no-such-page")
    assert response.status_code == 404
    assert response.text == INDEX


@embedded_only
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_an_unknown_api_path_keeps_the_json_envelope(web_client: httpx.AsyncClient, method: str) -> None:
    response = await web_client.request(method, "/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "NOT_FOUND"
    assert response.json()["requestId"] == response.headers["X-Request-Id"]


@embedded_only
async def test_the_api_and_operations_routes_still_answer(web_client: httpx.AsyncClient) -> None:
    assert (await web_client.get("/healthz")).json() == {"status": "ok"}
    assert (await web_client.get("/api/shapes")).status_code == 200
    assert (await web_client.get("/api/drawings")).status_code == 405
    docs = await web_client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    schema = (await web_client.get("/openapi.json")).json()
    assert "/api/drawings" in schema["paths"]
    assert not any(path.startswith(("/assets", "/{")) for path in schema["paths"])


async def test_a_missing_build_gets_a_page_that_says_how_to_build_it(tmp_path: Path) -> None:
    async with static_client(tmp_path, tmp_path / "nowhere") as client:
        response = await client.get("/")
        assert response.status_code == 404
        assert "npm run build" in response.text
        api = await client.get("/api/nothing-here")
        assert api.json()["error"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("role", "served", "not_served"),
    [
        ("collection", ["/"], ["/admin", "/implementor"]),
        ("admin", ["/admin", "/admin/models"], ["/", "/implementor"]),
        ("inference", ["/implementor"], ["/", "/admin"]),
    ],
)
async def test_each_role_serves_the_pages_of_its_api(
    tmp_path: Path, dist: Path, role: Role, served: list[str], not_served: list[str]
) -> None:
    async with static_client(tmp_path, dist, role) as client:
        for path in served:
            assert (await client.get(path)).status_code == 200, path
        for path in not_served:
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/assets/index-abc123.js")).status_code == 200
