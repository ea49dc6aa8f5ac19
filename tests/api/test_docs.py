"""The API documentation works without internet access: its scripts come from this app."""

from __future__ import annotations

import re

import httpx


async def test_the_docs_pages_load_their_scripts_from_the_app_itself(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        html = await client.get(page)
        assert html.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert assets, html.text
        # No CDN: every script and style is a path on this server, and it is there.
        assert all(asset.startswith("/") for asset in assets), assets
        for asset in assets:
            if asset.endswith((".js", ".css")):
                fetched = await client.get(asset)
                assert fetched.status_code == 200, asset
                assert len(fetched.content) > 10_000
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "crowdsketch"
