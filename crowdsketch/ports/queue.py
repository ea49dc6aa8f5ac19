"""Job-queue port: how a training job travels from the admin service to a worker.

Contract: `publish` hands a job to the queue durably (it survives a broker restart) and
returns once the queue has it. `consume` yields deliveries one at a time; a delivery is
acknowledged with `ack()` only after its job has ended, so a worker that dies mid-job leaves
it to be delivered again (RabbitMQ redelivery, or lease expiry in the database-fed queue).
`reject()` gives it back; after `max_deliveries` attempts it goes to a dead-letter place,
and `dead_letters` yields it from there: whoever reads it ends the job, then acknowledges
the letter (one not acknowledged, its reader having died, comes again).
The adapters (RabbitMQ and the database-fed queue) are in `queue_adapters`. Failures to reach
the queue raise one of the adapter's `transient_errors`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class JobMessage:
    job_id: uuid.UUID
    attempt: int = 1


class JobDelivery(Protocol):
    message: JobMessage

    async def ack(self) -> None: ...
    async def reject(self) -> None: ...


class JobQueue(Protocol):
    max_deliveries: int
    transient_errors: tuple[type[BaseException], ...]

    async def publish(self, message: JobMessage) -> None: ...
    def consume(self) -> AsyncGenerator[JobDelivery, None]: ...
    def dead_letters(self) -> AsyncGenerator[JobDelivery, None]: ...
    async def close(self) -> None: ...
