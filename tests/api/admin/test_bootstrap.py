"""A new stack's first model is started whether or not an admin exists yet (`worker
--bootstrap` on a stack made without `serve`), and never on a stack that has work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crowdsketch.db.models import AdminUser, Drawing, TrainingJob
from crowdsketch.training import bootstrap
from tests.support.stacks import Stack


async def _count(stack: Stack, table: type) -> int:
    async with stack.stores.db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_an_empty_stack_without_an_admin_gets_its_first_job(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(bootstrap, "STARTER_PER_SHAPE", 2)
    assert await _count(stack, AdminUser) == 0

    await bootstrap.bootstrap_first_model(stack.stores)

    async with stack.stores.db.sessions() as session:
        [job] = (await session.execute(select(TrainingJob))).scalars().all()
    assert job.kind == "train" and job.config["activate"] is True and job.created_by is None
    assert await _count(stack, Drawing) > 0

    # Run again (the worker restarted): the stack has work now, so nothing more, said so.
    with caplog.at_level("INFO", logger="crowdsketch.bootstrap"):
        await bootstrap.bootstrap_first_model(stack.stores)
    assert await _count(stack, TrainingJob) == 1
    assert any("nothing to do, the stack already has" in record.getMessage() for record in caplog.records)
