"""axe-core in the page: no serious or critical accessibility violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.conftest import require
from tests.e2e.stack import AXE_SCRIPT

BLOCKING_IMPACTS = {"serious", "critical"}


def assert_no_serious_violation(page: Page) -> None:
    require(AXE_SCRIPT.is_file(), "axe-core is not installed in web/node_modules (cd web && npm ci)")
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(_describe(v) for v in blocking)


def _describe(violation: dict[str, Any]) -> str:
    nodes = "; ".join(
        f"{' '.join(node['target'])}: {' '.join(node['failureSummary'].split())}" for node in violation["nodes"][:5]
    )
    return f"{violation['impact']} {violation['id']} ({violation['help']}), {len(violation['nodes'])} nodes: {nodes}"
