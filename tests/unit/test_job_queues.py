"""One contract, two job queues: RabbitMQ and the database-fed queue of the embedded stack.

A delivery not acknowledged (its worker died) comes again; a job delivered `max_deliveries`
times without being settled goes no further, and comes out of `dead_letters` instead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from crowdsketch.db.engine import TRANSIENT_DB_ERRORS, Database, create_engine
from crowdsketch.db.models import TrainingJob
from crowdsketch.ports.queue import JobDelivery, JobMessage, JobQueue
from crowdsketch.ports.queue_adapters import DatabaseJobQueue, RabbitJobQueue
from crowdsketch.resilience import GuardPolicy, Guards
from tests.conftest import require_service
from tests.support.stacks import copy_sqlite_template, delete_rabbit_queues, unique_name
from tests.support.waiting import DEADLINE_S

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
LEASE_S = 0.3


@dataclass
class QueueUnderTest:
    queue: JobQueue
    new_job: Callable[[], Awaitable[uuid.UUID]]
    # Make the queue give up on a delivery nobody settles: close the consumer (RabbitMQ) or
    # let the lease lapse (database).
    abandon: Callable[[AsyncIterator[JobDelivery]], Awaitable[None]]
    # What a dead letter's reader does before acknowledging it (the database queue's
    # letter is the job's row: it stays a dead letter until the job has ended).
    end_job: Callable[[uuid.UUID], Awaitable[None]]
    reopen: Callable[[], JobQueue]


async def _rabbit(name: str) -> AsyncIterator[QueueUnderTest]:
    require_service("RabbitMQ", "127.0.0.1", 5672)
    queues: list[RabbitJobQueue] = []

    def reopen() -> JobQueue:
        queues.append(RabbitJobQueue(AMQP_URL, name, timeout_s=5.0))
        return queues[-1]

    async def new_job() -> uuid.UUID:
        return uuid.uuid4()

    async def abandon(consumer: AsyncIterator[JobDelivery]) -> None:
        await consumer.aclose()  # type: ignore[attr-defined]

    async def end_job(job_id: uuid.UUID) -> None:
        return None

    reopen()
    try:
        yield QueueUnderTest(queues[0], new_job, abandon, end_job, reopen)
    finally:
        for queue in queues:
            await queue.close()
        await delete_rabbit_queues(AMQP_URL, name)


async def _database(template: Path, folder: Path) -> AsyncIterator[QueueUnderTest]:
    copy_sqlite_template(template, folder)
    guards = Guards(GuardPolicy(timeout_s=2.0, attempts=1, backoff_s=0.0, threshold=100, reset_s=1.0))
    db = Database(
        create_engine(f"sqlite+aiosqlite:///{folder / 'crowdsketch.db'}", timeout_s=2.0, pool_size=1),
        guards.guard("database", TRANSIENT_DB_ERRORS),
    )

    def reopen() -> JobQueue:
        return DatabaseJobQueue(db, poll_interval_s=0.02, lease_s=LEASE_S)

    async def new_job() -> uuid.UUID:
        job = TrainingJob(config={}, config_hash=uuid.uuid4().hex[:16], status="queued", queued_at=datetime.now(UTC))
        async def add(session) -> None:  # type: ignore[no-untyped-def]
            session.add(job)
        await db.run(add)
        return job.id

    async def abandon(consumer: AsyncIterator[JobDelivery]) -> None:
        await consumer.aclose()  # type: ignore[attr-defined]
        await asyncio.sleep(LEASE_S)

    async def end_job(job_id: uuid.UUID) -> None:
        async def fail(session) -> None:  # type: ignore[no-untyped-def]
            await session.execute(update(TrainingJob).where(TrainingJob.id == job_id).values(status="failed"))
        await db.run(fail)

    try:
        yield QueueUnderTest(reopen(), new_job, abandon, end_job, reopen)
    finally:
        await db.close()


@pytest.fixture(params=["database", "rabbitmq"])
async def subject(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> AsyncIterator[QueueUnderTest]:
    if request.param == "rabbitmq":
        source = _rabbit(unique_name("crowdsketch.training.test"))
    else:
        source = _database(sqlite_template, tmp_path / "data")
    async for value in source:
        yield value


async def _next(consumer: AsyncIterator[JobDelivery]) -> JobDelivery:
    async with asyncio.timeout(DEADLINE_S):
        return await anext(consumer)


async def _quiet(iterator: AsyncIterator[JobDelivery]) -> bool:
    """Nothing comes out of it for a while (three database leases)."""
    try:
        async with asyncio.timeout(LEASE_S * 3):
            await anext(iterator)
    except TimeoutError:
        return True
    return False


async def test_a_published_job_is_delivered_and_acknowledged(subject: QueueUnderTest) -> None:
    job_id = await subject.new_job()
    await subject.queue.publish(JobMessage(job_id))
    consumer = subject.queue.consume()

    delivery = await _next(consumer)
    await delivery.ack()

    assert delivery.message == JobMessage(job_id, 1)
    await consumer.aclose()  # type: ignore[attr-defined]
    # Nothing comes again: the acknowledged job is done with.
    second = subject.reopen().consume()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(LEASE_S * 3):
            await anext(second)
    await second.aclose()  # type: ignore[attr-defined]


async def test_a_delivery_nobody_acknowledged_comes_again(subject: QueueUnderTest) -> None:
    job_id = await subject.new_job()
    await subject.queue.publish(JobMessage(job_id))
    consumer = subject.queue.consume()
    assert (await _next(consumer)).message.job_id == job_id

    await subject.abandon(consumer)  # the worker died holding it

    again = subject.reopen().consume()
    delivery = await _next(again)
    assert delivery.message == JobMessage(job_id, 2)
    await delivery.ack()
    await again.aclose()  # type: ignore[attr-defined]


async def test_a_rejected_delivery_comes_again_until_the_limit(subject: QueueUnderTest) -> None:
    job_id = await subject.new_job()
    await subject.queue.publish(JobMessage(job_id))
    consumer = subject.queue.consume()

    attempts = []
    for _ in range(subject.queue.max_deliveries):
        delivery = await _next(consumer)
        attempts.append(delivery.message.attempt)
        await delivery.reject()

    assert attempts == [1, 2, 3]
    assert await _quiet(consumer)
    await consumer.aclose()  # type: ignore[attr-defined]
    letters = subject.queue.dead_letters()
    assert (await _next(letters)).message.job_id == job_id
    await letters.aclose()  # type: ignore[attr-defined]


async def test_a_job_whose_worker_keeps_dying_is_given_up(subject: QueueUnderTest) -> None:
    job_id = await subject.new_job()
    await subject.queue.publish(JobMessage(job_id))

    queue = subject.queue
    for attempt in range(1, queue.max_deliveries + 1):
        consumer = queue.consume()
        assert (await _next(consumer)).message == JobMessage(job_id, attempt)
        await subject.abandon(consumer)
        queue = subject.reopen()

    consumer = queue.consume()
    assert await _quiet(consumer)
    await consumer.aclose()  # type: ignore[attr-defined]
    letters = queue.dead_letters()
    assert (await _next(letters)).message.job_id == job_id
    await letters.aclose()  # type: ignore[attr-defined]


async def test_a_dead_letter_comes_again_until_it_is_acknowledged(subject: QueueUnderTest) -> None:
    job_id = await subject.new_job()
    await subject.queue.publish(JobMessage(job_id))
    consumer = subject.queue.consume()
    for _ in range(subject.queue.max_deliveries):
        await (await _next(consumer)).reject()
    await consumer.aclose()  # type: ignore[attr-defined]

    letters = subject.queue.dead_letters()
    assert (await _next(letters)).message.job_id == job_id
    await subject.abandon(letters)  # its reader died before ending the job

    queue = subject.reopen()
    letters = queue.dead_letters()
    letter = await _next(letters)
    assert letter.message.job_id == job_id
    await subject.end_job(job_id)
    await letter.ack()
    assert await _quiet(letters)
    await letters.aclose()  # type: ignore[attr-defined]
    consumer = queue.consume()
    assert await _quiet(consumer)  # and the job is not delivered again either
    await consumer.aclose()  # type: ignore[attr-defined]
