from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "topology: starts the whole distributed topology (deploy/run.py: nginx, services, workers)"
    )
