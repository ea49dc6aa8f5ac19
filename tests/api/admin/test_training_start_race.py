"""Twenty admins' clicks at once on the same training run make one job."""

from __future__ import annotations

import asyncio

import httpx


async def test_twenty_concurrent_identical_starts_make_one_job(admin_client: httpx.AsyncClient) -> None:
    responses = await asyncio.gather(
        *(admin_client.post("/api/admin/training/start", json={"epochs": 2, "seed": 7}) for _ in range(20))
    )

    assert {r.status_code for r in responses} <= {200, 201}, [(r.status_code, r.text) for r in responses]
    jobs = (await admin_client.get("/api/admin/training/jobs")).json()["items"]
    assert len(jobs) == 1, [job["id"] for job in jobs]
    assert {r.json()["id"] for r in responses} == {jobs[0]["id"]}
    assert [r.status_code for r in responses].count(201) == 1
    audit = (await admin_client.get("/api/admin/audit", params={"action": "training.start"})).json()["items"]
    assert [entry["targetId"] for entry in audit] == [jobs[0]["id"]]
