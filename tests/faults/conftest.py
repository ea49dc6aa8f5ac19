from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.faults.training import prepare
from tests.faults.stack import Backends, FaultTopology, TopologyError
from tests.support.processes import find_nginx


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "faults: takes PostgreSQL, Redis, RabbitMQ or S3 away from the distributed topology under load "
        "(tests/faults/; needs nginx and the three services)",
    )


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[FaultTopology]:
    """One topology for every fault of the module, seeded, with a first model loaded by
    both inference processes. Each fault leaves it as it found it: every dependency back,
    every process serving."""
    nginx = find_nginx()
    missing = ([] if nginx else ["nginx is not installed (Debian: apt-get install -y nginx)"]) + Backends().missing()
    require(not missing, "; ".join(missing))
    assert nginx is not None
    faulty = FaultTopology(Path(tmp_path_factory.mktemp("faults")), s3_endpoint, nginx)
    try:
        faulty.start()
        prepare(faulty)
    except TopologyError as error:
        faulty.stop()
        pytest.fail(str(error))
    except BaseException:
        faulty.stop()
        raise
    yield faulty
    alive = faulty.alive()
    status = faulty.stop()
    assert alive, f"the topology stopped during the faults\n{faulty.tail()}"
    assert status == 0, f"deploy/run.py did not stop cleanly ({status})\n{faulty.tail()}"
