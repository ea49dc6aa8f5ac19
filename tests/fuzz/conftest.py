"""An embedded stack for fuzzing through the API: an admin (tests.conftest's) and an
active model (the fixed orientation model), made before the app starts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crowdsketch.resources import Resources
from crowdsketch.settings import Settings
from tests.conftest import create_admin
from tests.support.models import add_model, orientation_model  # noqa: F401 - a fixture
from tests.support.stacks import Stack, copy_sqlite_template, make_settings


@pytest.fixture
def fuzz_settings(tmp_path: Path, sqlite_template: Path, orientation_model: bytes) -> Settings:  # noqa: F811
    copy_sqlite_template(sqlite_template, tmp_path / "data")
    settings = make_settings(data_dir=tmp_path / "data")

    async def admin_and_model() -> None:
        stack = Stack("embedded", settings, resources=Resources.build(settings))
        try:
            await create_admin(stack)
            await add_model(stack, orientation_model, 1, active=True, notify=False)
        finally:
            await stack.resources.close()  # type: ignore[union-attr]

    asyncio.run(admin_and_model())
    return settings
