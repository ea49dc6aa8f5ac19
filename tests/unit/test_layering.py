"""The arrows of DESIGN.md ("The second round"), read from the code's imports.

Routers → services → ports/db, pointing down only. Domains use `common/`, the ports, the
database, `strokes.py` and `raster.py`; one domain uses another through its services,
never its router, and never in a circle. training/ does not import admin/; inference/
imports neither torch nor training/ (the serving path stays light); ports/ and common/
import no domain. Every import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "crowdsketch"
# Folders below the domains: what every domain may use, and which use no domain.
LAYERS = {"common", "db", "ports", "synthetic"}
# Where routers are put together: the app, per role, and the admin area (its guard).
# Direct uploads' routes share the drawing route's header and abuse counting (collection.router).
ROUTER_MOUNTS = {"crowdsketch.app", "crowdsketch.admin.router", "crowdsketch.admin.curation",
                 "crowdsketch.collection.uploads_router"}
FORBIDDEN = [
    ("training", "crowdsketch.admin"),
    ("collection", "crowdsketch.admin"),
    ("inference", "crowdsketch.training"),
    ("inference", "torch"),
]


def _imports() -> dict[str, set[str]]:
    """Each module of the package: every module it imports."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[module] = names
    return found


IMPORTS = _imports()
DOMAINS = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()} - LAYERS


def _folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "crowdsketch" else None


def _is_module(name: str) -> bool:
    parts = name.split(".")
    return (PACKAGE.parent.joinpath(*parts).with_suffix(".py").is_file()
            or (PACKAGE.parent.joinpath(*parts) / "__init__.py").is_file())


def test_the_check_reads_the_whole_package() -> None:
    assert {"admin", "collection", "training", "inference", "evaluation"} <= DOMAINS
    assert len(IMPORTS) > 50
    assert "crowdsketch.common.scoring" in IMPORTS["crowdsketch.inference.manager"]


@pytest.mark.parametrize("layer", ["ports", "common", "db"])
def test_the_layers_below_the_domains_import_no_domain(layer: str) -> None:
    wrong = sorted(f"{module} imports {name}" for module, names in IMPORTS.items() if _folder(module) == layer
                   for name in names if _folder(name) in DOMAINS)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("folder", "forbidden"), FORBIDDEN)
def test_forbidden_arrows(folder: str, forbidden: str) -> None:
    wrong = sorted(f"{module} imports {name}" for module, names in IMPORTS.items() if _folder(module) == folder
                   for name in names if name == forbidden or name.startswith(forbidden + "."))
    assert not wrong, "\n".join(wrong)


def test_a_router_is_imported_only_where_routers_are_mounted() -> None:
    wrong = sorted(
        f"{module} imports {name}" for module, names in IMPORTS.items() if module not in ROUTER_MOUNTS
        for name in names if _is_module(name) and name.rsplit(".", 1)[-1].endswith("router")
    )
    assert not wrong, "\n".join(wrong)


def test_the_domains_import_each_other_in_no_circle() -> None:
    arrows: dict[str, set[str]] = defaultdict(set)
    for module, names in IMPORTS.items():
        source = _folder(module)
        if source in DOMAINS:
            arrows[source] |= {target for name in names if (target := _folder(name)) in DOMAINS and target != source}

    def cycle_from(start: str, path: list[str]) -> list[str] | None:
        for target in sorted(arrows[path[-1]]):
            if target == start:
                return [*path, start]
            if target not in path and (found := cycle_from(start, [*path, target])):
                return found
        return None

    cycles = [" → ".join(c) for domain in sorted(arrows) if (c := cycle_from(domain, [domain]))]
    assert not cycles, "\n".join(cycles)
