"""The two job queues behind `JobQueue`, chosen by `amqp_url`.

RabbitMQ: a durable quorum queue whose broker counts deliveries and dead-letters a message
returned too often. The database-fed queue: the `training_jobs` row is the message; a
consumer claims a row with a lease, and a lease that lapses (its worker died) makes the row
claimable again. Both deliver a job at most `max_deliveries` times, then offer it as a dead
letter instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import aio_pika
import aio_pika.abc
import aiormq.exceptions
import orjson
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.engine import TRANSIENT_DB_ERRORS, Database
from crowdsketch.db.models import TrainingJob
from crowdsketch.ports.queue import JobMessage, JobQueue
from crowdsketch.settings import Settings

TRAINING_QUEUE = "crowdsketch.training"
MAX_DELIVERIES = 3

logger = logging.getLogger("crowdsketch.queue")


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class RabbitDelivery:
    def __init__(self, message: JobMessage, incoming: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.message = message
        self._incoming = incoming

    async def ack(self) -> None:
        await self._settle(self._incoming.ack)

    async def reject(self) -> None:
        await self._settle(lambda: self._incoming.nack(requeue=True))

    async def _settle(self, settle: Callable[[], Awaitable[None]]) -> None:
        try:
            await settle()
        except (aio_pika.exceptions.ChannelInvalidStateError, aiormq.exceptions.AMQPError) as error:
            # The channel this delivery came on has closed (the broker went away meanwhile),
            # and the delivery with it: the broker has put the message back, and whoever
            # takes it next finds the job ended and drops it. Nothing is left to settle, and
            # nothing here is worth ending the worker for.
            logger.warning(
                "a delivery's channel closed before it was settled; the broker delivers it again",
                extra={"jobId": str(self.message.job_id), "error": repr(error)},
            )


class RabbitJobQueue:
    """Messages are persistent and confirmed by the broker before `publish` returns. The
    queue's `x-delivery-limit` counts returns, so `max_deliveries - 1` of them are allowed:
    the message is delivered at most `max_deliveries` times, then dead-lettered to
    `<queue>.dead` for someone to look at."""

    transient_errors: tuple[type[BaseException], ...] = (
        aiormq.exceptions.AMQPError,
        aio_pika.exceptions.ChannelInvalidStateError,
        ConnectionError,
        OSError,
    )

    def __init__(
        self, url: str, queue_name: str = TRAINING_QUEUE, *, max_deliveries: int = MAX_DELIVERIES, timeout_s: float = 5.0
    ) -> None:
        self.url = url
        self.queue_name = queue_name
        self.dead_letter_name = f"{queue_name}.dead"
        self.max_deliveries = max_deliveries
        self._timeout_s = timeout_s
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None
        self._publisher: aio_pika.abc.AbstractChannel | None = None
        self._connecting = asyncio.Lock()

    async def _channel(self) -> aio_pika.abc.AbstractChannel:
        async with self._connecting:
            if self._publisher is None or self._publisher.is_closed:
                if self._connection is None or self._connection.is_closed:
                    self._connection = await aio_pika.connect_robust(self.url, timeout=self._timeout_s)
                elif not self._connection.connected.is_set():
                    # The broker went away and the robust connection is reconnecting in the
                    # background: no channel can be opened until it is back (aio_pika would
                    # raise a bare RuntimeError), so this is the broker being down.
                    raise ConnectionError("the broker connection is down (reconnecting)")
                channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
                await self._declare(channel)
                self._publisher = channel
            return self._publisher

    async def _declare(self, channel: aio_pika.abc.AbstractChannel) -> dict[str, aio_pika.abc.AbstractQueue]:
        """The training queue and its dead-letter queue, by name."""
        dead = await channel.declare_exchange(self.dead_letter_name, aio_pika.ExchangeType.FANOUT, durable=True)
        dead_queue = await channel.declare_queue(
            self.dead_letter_name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dead_queue.bind(dead)
        queue = await channel.declare_queue(
            self.queue_name,
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-delivery-limit": self.max_deliveries - 1,
                "x-dead-letter-exchange": self.dead_letter_name,
            },
        )
        return {self.queue_name: queue, self.dead_letter_name: dead_queue}

    async def publish(self, message: JobMessage) -> None:
        channel = await self._channel()
        body = orjson.dumps({"jobId": str(message.job_id), "attempt": message.attempt})
        await channel.default_exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(message.job_id),
            ),
            routing_key=self.queue_name,
            mandatory=True,
            timeout=self._timeout_s,
        )

    def consume(self) -> AsyncGenerator[RabbitDelivery, None]:
        """One delivery at a time (prefetch 1). Leaving the loop closes the channel: a
        delivery not acknowledged by then goes back to the queue."""
        return self._deliveries(self.queue_name)

    def dead_letters(self) -> AsyncGenerator[RabbitDelivery, None]:
        """What the broker dead-lettered: jobs delivered `max_deliveries` times and never
        acknowledged."""
        return self._deliveries(self.dead_letter_name)

    async def _deliveries(self, queue_name: str) -> AsyncGenerator[RabbitDelivery, None]:
        await self._channel()
        assert self._connection is not None
        channel = await self._connection.channel()
        try:
            await channel.set_qos(prefetch_count=1)
            queue = (await self._declare(channel))[queue_name]
            async with queue.iterator() as messages:
                async for incoming in messages:
                    message = _job_message(incoming)
                    if message is None:
                        # Not a job: rejected for good (the training queue dead-letters it,
                        # the dead-letter queue drops it).
                        logger.error(
                            "rejected a message that is not a job",
                            extra={"queue": queue_name, "body": incoming.body[:200]},
                        )
                        await incoming.reject(requeue=False)
                        continue
                    yield RabbitDelivery(message, incoming)
        except _CHANNEL_GONE as error:
            # Stopped while waiting (Ctrl-C, SIGTERM): aio-pika cancels its consumer on the way
            # out, and that fails when the connection is closing too. The stop is what
            # happened; the failed goodbye is not news.
            if isinstance(error.__context__, asyncio.CancelledError):
                raise asyncio.CancelledError from None
            raise
        finally:
            if not channel.is_closed:
                with contextlib.suppress(*_CHANNEL_GONE):
                    await channel.close()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._publisher = None


# What closing a channel on a connection that is itself going raises.
_CHANNEL_GONE = (aiormq.exceptions.AMQPError, aiormq.exceptions.ChannelInvalidStateError)


def _job_message(incoming: aio_pika.abc.AbstractIncomingMessage) -> JobMessage | None:
    try:
        payload = orjson.loads(incoming.body)
        job_id = uuid.UUID(payload["jobId"])
        # The broker's count of earlier returns is the truth; the body's is a hint.
        returns = int((incoming.headers or {}).get("x-delivery-count") or 0)
        return JobMessage(job_id, max(int(payload.get("attempt", 1)), returns + 1))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class DatabaseDelivery:
    def __init__(self, queue: DatabaseJobQueue, message: JobMessage) -> None:
        self.message = message
        self._queue = queue

    async def ack(self) -> None:
        await self._queue.settle(self.message, requeue=False)

    async def reject(self) -> None:
        await self._queue.settle(self.message, requeue=True)


class DatabaseJobQueue:
    """For the embedded stack: the row is the message, so `publish` has nothing to add
    (the service marks it `queued`). A claim is one conditional UPDATE whose row count says
    whether this consumer won it: it makes the job `running` under a lease, and the
    delivery is identified by the attempt it counted. `ack` ends the lease (the job has
    ended by then), `reject` makes the job `queued` again. A worker extends the lease while
    it works (`TrainingJobs.heartbeat`)."""

    transient_errors: tuple[type[BaseException], ...] = TRANSIENT_DB_ERRORS

    def __init__(
        self,
        db: Database,
        *,
        poll_interval_s: float = 0.5,
        lease_s: float = 60.0,
        max_deliveries: int = MAX_DELIVERIES,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.poll_interval_s = poll_interval_s
        self.lease_s = lease_s
        self.max_deliveries = max_deliveries
        self.owner = owner or worker_identity()

    async def publish(self, message: JobMessage) -> None:
        return None

    async def consume(self) -> AsyncGenerator[DatabaseDelivery, None]:
        async for message in self._poll(self._claim):
            yield DatabaseDelivery(self, message)

    async def dead_letters(self) -> AsyncGenerator[DatabaseDelivery, None]:
        """Jobs claimed `max_deliveries` times and never settled, each taken under a lease
        like a delivery: if its reader dies before the job has ended, it comes again."""
        async for message in self._poll(self._take_dead_letter):
            yield DatabaseDelivery(self, message)

    async def _poll(
        self, take: Callable[[AsyncSession], Awaitable[JobMessage | None]]
    ) -> AsyncGenerator[JobMessage, None]:
        while True:
            message = await self.db.run(take)
            if message is None:
                await asyncio.sleep(self.poll_interval_s)
                continue
            yield message

    def _unsettled(self, now: datetime) -> ColumnElement[bool]:
        """Waiting for a worker: queued and not held, or held by a worker whose lease lapsed."""
        lapsed = TrainingJob.lease_expires_at < now
        return or_(
            and_(TrainingJob.status == "queued", or_(TrainingJob.lease_expires_at.is_(None), lapsed)),
            and_(TrainingJob.status == "running", lapsed),
        )

    def _claimable(self, now: datetime) -> ColumnElement[bool]:
        return and_(self._unsettled(now), TrainingJob.attempts < self.max_deliveries)

    def _dead(self, now: datetime) -> ColumnElement[bool]:
        # Delivered as often as allowed and never settled: its workers keep dying.
        return and_(self._unsettled(now), TrainingJob.attempts >= self.max_deliveries)

    async def _claim(self, session: AsyncSession) -> JobMessage | None:
        return await self._take(session, self._claimable, deliver=True)

    async def _take_dead_letter(self, session: AsyncSession) -> JobMessage | None:
        return await self._take(session, self._dead, deliver=False)

    async def _take(
        self, session: AsyncSession, which: Callable[[datetime], ColumnElement[bool]], *, deliver: bool
    ) -> JobMessage | None:
        """Lease the oldest row `which` selects. A delivery also makes the job `running` and
        counts the attempt; a dead letter keeps its count."""
        now = datetime.now(UTC)
        while True:
            candidate = (
                await session.execute(
                    select(TrainingJob.id, TrainingJob.attempts)
                    .where(which(now))
                    .order_by(TrainingJob.queued_at, TrainingJob.created_at)
                    .limit(1)
                )
            ).first()
            if candidate is None:
                return None
            job_id, attempts = candidate
            values: dict[str, object] = {
                "lease_owner": self.owner, "lease_expires_at": now + timedelta(seconds=self.lease_s)
            }
            if deliver:
                values.update(status="running", attempts=attempts + 1)
            taken = await session.execute(
                update(TrainingJob)
                .where(TrainingJob.id == job_id, TrainingJob.attempts == attempts, which(now))
                .values(**values)
            )
            if taken.rowcount == 1:
                return JobMessage(job_id, attempts + 1 if deliver else attempts)
            # Another consumer won this row between the select and the update: look again.

    async def settle(self, message: JobMessage, *, requeue: bool) -> None:
        """Ends the lease. `requeue` makes the job `queued` again (a dead letter, if this
        was its last attempt)."""
        async def work(session: AsyncSession) -> None:
            this_delivery = and_(TrainingJob.id == message.job_id, TrainingJob.attempts == message.attempt)
            values: dict[str, object] = {"lease_owner": None, "lease_expires_at": None}
            if requeue:
                values["status"] = "queued"
                this_delivery = and_(this_delivery, TrainingJob.status.in_(("queued", "running")))
            await session.execute(update(TrainingJob).where(this_delivery).values(**values))

        await self.db.run(work)

    async def close(self) -> None:
        return None


def job_queue_from_settings(settings: Settings, db: Database) -> JobQueue:
    if settings.amqp_url:
        return RabbitJobQueue(
            settings.amqp_url, settings.amqp_training_queue, timeout_s=max(5.0, settings.dependency_timeout_s)
        )
    return DatabaseJobQueue(db, poll_interval_s=settings.job_poll_interval_s, lease_s=settings.job_lease_s)
