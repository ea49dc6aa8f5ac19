"""`crowdsketch doctor` as a library: what a crash leaves behind is found, repaired, and
found no more; what may still be in flight is left alone. On both stacks."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from crowdsketch.db.models import Drawing, ModelVersion, TrainingJob
from crowdsketch.doctor import MISSING_STROKES_REASON, Kind, Outcome, diagnose, repair
from crowdsketch.doctor.diagnose import DISAGREEMENT_MIN
from crowdsketch.errors import ServiceUnavailableError
from crowdsketch.resources import Resources
from tests.support.drawings import drawing_body, square_strokes, submission_headers
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack, short_timeouts
from tests.support.waiting import DEADLINE_S, eventually

# Everything written by a test is "old enough" with no grace at all.
NO_GRACE = 0.0


def _resources(stack: Stack) -> Resources:
    """The doctor is an operator's command, run beside the app: here, on the test's own
    patient handle on the stores, so that a slow moment fails neither it nor the app."""
    return stack.stores


async def _submit(client: httpx.AsyncClient, shape: str = "circle") -> uuid.UUID:
    body = drawing_body(shape, square_strokes() if shape == "square" else None)
    response = await client.post("/api/drawings", json=body, headers=submission_headers(shape_id=shape))
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def _blob_key(stack: Stack, drawing_id: uuid.UUID) -> str:
    async with _resources(stack).db.sessions() as session:
        return (await session.execute(select(Drawing.blob_key).where(Drawing.id == drawing_id))).scalar_one()


async def _add_job(stack: Stack, status: str, progress: dict[str, Any] | None = None, **values: Any) -> uuid.UUID:
    """A job row as a worker or a failed publication would have left it."""
    job_id = uuid.uuid4()

    async def insert(session) -> None:  # type: ignore[no-untyped-def]
        session.add(TrainingJob(
            id=job_id, config={"epochs": 1, "shapes": ["circle", "square"]}, config_hash=job_id.hex[:16],
            status=status, progress=progress or {}, **values,
        ))

    await _resources(stack).db.run(insert)
    return job_id


async def _job(stack: Stack, job_id: uuid.UUID) -> TrainingJob:
    async with _resources(stack).db.sessions() as session:
        job = await session.get(TrainingJob, job_id)
    assert job is not None
    return job


async def _next_delivery(stack: Stack) -> uuid.UUID:
    """The job a worker consuming the queue would be given next."""
    async with asyncio.timeout(DEADLINE_S), contextlib.aclosing(_resources(stack).jobs.consume()) as deliveries:
        async for delivery in deliveries:
            return delivery.message.job_id
    raise AssertionError("the queue ended")


# Blobs and rows


async def test_a_stack_whose_stores_agree_is_healthy(client: httpx.AsyncClient, stack: Stack) -> None:
    await _submit(client)
    await _submit(client, "square")

    report = await diagnose(_resources(stack), NO_GRACE)

    assert report.healthy and report.findings == ()
    assert (report.scanned.drawing_rows, report.scanned.drawing_blobs) == (2, 2)


async def test_an_orphan_stroke_blob_is_deleted_and_found_no_more(client: httpx.AsyncClient, stack: Stack) -> None:
    kept = await _blob_key(stack, await _submit(client))
    orphan = f"drawings/circle/{uuid.uuid4()}.json"
    await _resources(stack).blobs.put(orphan, b'{"strokes": []}')

    report = await diagnose(_resources(stack), NO_GRACE)
    assert [(f.kind, f.subject) for f in report.problems] == [(Kind.ORPHAN_DRAWING_BLOB, orphan)]

    result = await repair(_resources(stack), report)
    assert result.succeeded
    assert [(a.outcome, a.action) for a in result.actions] == [(Outcome.REPAIRED, "deleted")]
    assert await stack.drawing_blob_keys() == {kept}
    assert (await diagnose(_resources(stack), NO_GRACE)).healthy


async def test_a_blob_younger_than_the_grace_period_is_left_alone(client: httpx.AsyncClient, stack: Stack) -> None:
    await _submit(client)
    in_flight = f"drawings/circle/{uuid.uuid4()}.json"
    await _resources(stack).blobs.put(in_flight, b'{"strokes": []}')

    report = await diagnose(_resources(stack), grace_s=600)
    result = await repair(_resources(stack), report)

    assert report.healthy and result.actions == ()
    assert in_flight in await stack.drawing_blob_keys()


async def test_a_drawing_whose_strokes_are_lost_is_flagged_for_the_admins(
    admin_client: httpx.AsyncClient, stack: Stack
) -> None:
    intact = await _submit(admin_client)
    lost = await _submit(admin_client, "square")
    await _resources(stack).blobs.delete(await _blob_key(stack, lost))

    report = await diagnose(_resources(stack), NO_GRACE)
    assert [(f.kind, f.subject) for f in report.problems] == [(Kind.DRAWING_WITHOUT_BLOB, str(lost))]
    result = await repair(_resources(stack), report)

    assert result.succeeded
    flagged = (await admin_client.get("/api/admin/drawings", params={"flagged": "true"})).json()["items"]
    assert [(d["id"], d["flagReason"]) for d in flagged] == [(str(lost), MISSING_STROKES_REASON)]
    detail = (await admin_client.get(f"/api/admin/drawings/{lost}")).json()
    assert detail["strokeData"] is None
    [entry] = (await admin_client.get("/api/admin/audit", params={"action": "flag"})).json()["items"]
    assert (entry["adminEmail"], entry["targetId"]) == ("crowdsketch doctor", str(lost))
    assert (await admin_client.get(f"/api/admin/drawings/{intact}")).json()["flagged"] is False
    assert (await diagnose(_resources(stack), NO_GRACE)).healthy


async def test_an_admins_flag_reason_is_kept_after_the_doctors(admin_client: httpx.AsyncClient, stack: Stack) -> None:
    lost = await _submit(admin_client)
    await admin_client.post(f"/api/admin/drawings/{lost}/flag", json={"reason": "a scribble"})
    await _resources(stack).blobs.delete(await _blob_key(stack, lost))

    await repair(_resources(stack), await diagnose(_resources(stack), NO_GRACE))

    detail = (await admin_client.get(f"/api/admin/drawings/{lost}")).json()
    assert detail["flagReason"] == f"{MISSING_STROKES_REASON}; flagged before: a scribble"


async def test_strokes_that_came_back_before_the_repair_are_not_flagged(client: httpx.AsyncClient, stack: Stack) -> None:
    drawing = await _submit(client)
    key = await _blob_key(stack, drawing)
    strokes = await _resources(stack).blobs.get(key)
    await _resources(stack).blobs.delete(key)
    report = await diagnose(_resources(stack), NO_GRACE)
    await _resources(stack).blobs.put(key, strokes)

    result = await repair(_resources(stack), report)

    assert [(a.outcome, a.action) for a in result.actions] == [(Outcome.RESOLVED, "its strokes are back")]
    async with _resources(stack).db.sessions() as session:
        assert (await session.get(Drawing, drawing)).flagged is False  # type: ignore[union-attr]


async def test_stores_that_share_nothing_are_reported_and_not_repaired(client: httpx.AsyncClient, stack: Stack) -> None:
    strangers = [f"drawings/circle/{uuid.uuid4()}.json" for _ in range(DISAGREEMENT_MIN)]
    for key in strangers:
        await _resources(stack).blobs.put(key, b"{}")

    report = await diagnose(_resources(stack), NO_GRACE)
    result = await repair(_resources(stack), report)

    assert report.counts()[Kind.STORES_DISAGREE] == 1
    assert report.counts()[Kind.ORPHAN_DRAWING_BLOB] == DISAGREEMENT_MIN
    assert not result.succeeded and not result.of_outcome(Outcome.REPAIRED)
    assert await stack.drawing_blob_keys() == set(strangers)


@short_timeouts
async def test_a_blob_store_that_is_down_fails_the_diagnosis_rather_than_looking_empty(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    await _submit(client)

    assert stack.resources is not None
    with stack.outage("blob store"), pytest.raises(ServiceUnavailableError):
        await diagnose(stack.resources, NO_GRACE)  # the app's resources reach the stores through the outage


async def test_an_active_model_without_files_is_reported_and_replaced_by_the_newest_intact_one(
    client: httpx.AsyncClient, stack: Stack, orientation_model: bytes
) -> None:
    await _resources(stack).blobs.put("models/9/model.onnx", b"onnx")
    intact = await add_model(stack, orientation_model, 1, active=False)
    broken, older_broken = uuid.uuid4(), uuid.uuid4()

    async def insert(session) -> None:  # type: ignore[no-untyped-def]
        for model_id, version, is_active in ((broken, 3, True), (older_broken, 2, False)):
            session.add(ModelVersion(
                id=model_id, version=version, classes=["horizontal", "vertical"], accuracy=0.9, metrics={},
                dataset_size=10, dataset_hash="0" * 64, blob_prefix=f"models/{version}/", active=is_active,
            ))

    await _resources(stack).db.run(insert)
    await _resources(stack).blobs.put("models/2/card.json", b"{}")
    # Inference says what is wrong, rather than "no model yet" for ever.
    assert stack.resources is not None
    await stack.resources.models.refresh()
    info = await client.get("/api/inference/model/info")
    assert info.status_code == 503 and info.json()["error"] == "MODEL_FILES_MISSING", info.text
    assert "crowdsketch doctor --repair" in info.json()["message"]
    assert (await client.get("/readyz")).json()["model"] == "files missing"

    report = await diagnose(_resources(stack), NO_GRACE)
    assert {(f.kind, f.subject) for f in report.problems} == {
        (Kind.ORPHAN_MODEL_BLOB, "models/9/model.onnx"),
        (Kind.ACTIVE_MODEL_WITHOUT_FILES, str(broken)),
        (Kind.MODEL_WITHOUT_FILES, str(older_broken)),
    }
    result = await repair(_resources(stack), report)

    assert {a.finding.kind for a in result.of_outcome(Outcome.REPAIRED)} == {
        Kind.ORPHAN_MODEL_BLOB, Kind.ACTIVE_MODEL_WITHOUT_FILES}
    [switched] = [a for a in result.actions if a.finding.kind == Kind.ACTIVE_MODEL_WITHOUT_FILES]
    assert switched.action == "made version 1, the newest model with its files, active instead"
    async with _resources(stack).db.sessions() as session:
        assert (await session.get(ModelVersion, intact)).active is True  # type: ignore[union-attr]
        assert (await session.get(ModelVersion, broken)).active is False  # type: ignore[union-attr]
    # Inference is told, and serves the intact model.
    async def serving() -> bool:
        answer = await client.get("/api/inference/model/info")
        return answer.status_code == 200 and answer.json()["version"] == 1

    await eventually(serving, "inference serves the intact model")
    assert (await client.get("/readyz")).json()["model"] == "loaded"
    again = await diagnose(_resources(stack), NO_GRACE)
    assert {f.kind for f in again.problems} == {Kind.MODEL_WITHOUT_FILES}  # the rows stay, for a restore


async def test_with_no_intact_model_the_first_model_is_trained_again(
    client: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crowdsketch.training import bootstrap

    monkeypatch.setattr(bootstrap, "STARTER_PER_SHAPE", 2)
    broken = uuid.uuid4()

    async def insert(session) -> None:  # type: ignore[no-untyped-def]
        session.add(ModelVersion(
            id=broken, version=1, classes=["circle", "square"], accuracy=0.9, metrics={}, dataset_size=10,
            dataset_hash="0" * 64, blob_prefix="models/1/", active=True,
        ))

    await _resources(stack).db.run(insert)
    result = await repair(_resources(stack), await diagnose(_resources(stack), NO_GRACE))

    [action] = [a for a in result.actions if a.finding.kind == Kind.ACTIVE_MODEL_WITHOUT_FILES]
    assert action.outcome == Outcome.REPAIRED and "started the first model's training again" in action.action
    async with _resources(stack).db.sessions() as session:
        [job] = (await session.execute(select(TrainingJob))).scalars().all()
        drawings = len((await session.execute(select(Drawing.id))).all())
    assert job.kind == "train" and job.config["activate"] is True and job.status in ("pending", "queued")
    assert drawings > 0


# Training jobs


async def test_a_running_job_whose_lease_lapsed_is_requeued_for_a_worker(client: httpx.AsyncClient, stack: Stack) -> None:
    lapsed = datetime.now(UTC) - timedelta(minutes=5)
    job_id = await _add_job(stack, "running", attempts=1, lease_owner="dead-worker", lease_expires_at=lapsed,
                            heartbeat_at=lapsed, started_at=lapsed)
    report = await diagnose(_resources(stack), NO_GRACE)
    assert [(f.kind, f.subject) for f in report.problems] == [(Kind.EXPIRED_RUNNING_JOB, str(job_id))]

    result = await repair(_resources(stack), report)

    assert result.succeeded
    job = await _job(stack, job_id)
    assert (job.status, job.lease_owner, job.lease_expires_at) == ("queued", None, None)
    assert (await diagnose(_resources(stack), NO_GRACE)).healthy
    assert await _next_delivery(stack) == job_id


async def test_a_lapsed_job_that_had_all_its_deliveries_ends_failed(client: httpx.AsyncClient, stack: Stack) -> None:
    lapsed = datetime.now(UTC) - timedelta(minutes=5)
    attempts = _resources(stack).jobs.max_deliveries
    job_id = await _add_job(stack, "running", attempts=attempts, lease_owner="dead-worker", lease_expires_at=lapsed)

    result = await repair(_resources(stack), await diagnose(_resources(stack), NO_GRACE))

    assert result.succeeded
    job = await _job(stack, job_id)
    assert (job.status, job.error) == ("failed", f"worker crashed {attempts} times; gave up")


async def test_a_lapsed_job_an_admin_asked_to_cancel_ends_cancelled(client: httpx.AsyncClient, stack: Stack) -> None:
    lapsed = datetime.now(UTC) - timedelta(minutes=5)
    job_id = await _add_job(stack, "running", attempts=1, lease_owner="dead-worker", lease_expires_at=lapsed,
                            progress={"cancelRequested": True})

    await repair(_resources(stack), await diagnose(_resources(stack), NO_GRACE))

    assert (await _job(stack, job_id)).status == "cancelled"


async def test_a_running_job_whose_worker_holds_its_lease_is_left_alone(client: httpx.AsyncClient, stack: Stack) -> None:
    await _add_job(stack, "running", attempts=1, lease_owner="live-worker",
                   lease_expires_at=datetime.now(UTC) + timedelta(minutes=1))

    assert (await diagnose(_resources(stack), NO_GRACE)).healthy


async def test_a_pending_job_never_published_is_published(client: httpx.AsyncClient, stack: Stack) -> None:
    job_id = await _add_job(stack, "pending", created_at=datetime.now(UTC) - timedelta(minutes=5))
    fresh = await _add_job(stack, "pending")  # its first publication may still be under way
    report = await diagnose(_resources(stack), NO_GRACE)
    assert [(f.kind, f.subject) for f in report.problems] == [(Kind.UNPUBLISHED_PENDING_JOB, str(job_id))]

    result = await repair(_resources(stack), report)

    assert result.succeeded
    assert (await _job(stack, job_id)).status == "queued"
    assert (await _job(stack, fresh)).status == "pending"
    assert await _next_delivery(stack) == job_id


async def test_a_job_queued_for_long_is_a_notice_not_a_problem(client: httpx.AsyncClient, stack: Stack) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    job_id = await _add_job(stack, "queued", created_at=long_ago, queued_at=long_ago)

    report = await diagnose(_resources(stack), NO_GRACE)

    assert report.healthy
    assert [(f.kind, f.subject) for f in report.notices] == [(Kind.LONG_QUEUED_JOB, str(job_id))]
