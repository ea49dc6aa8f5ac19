"""The web build's weight: what the game page loads first, and each lazy chunk, gzipped.

Reads `web/dist` (run `make setup` or `npm run build` in web/ first). The first load is
what `index.html` references (its script and stylesheets, and the modules it preloads);
the admin dashboard and the implementor portal are chunks loaded when they are visited.

    python bench/bundle.py [--dist web/dist] [--aim-kb 200]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def first_load(dist: Path) -> list[Path]:
    html = (dist / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="/?(assets/[^"]+\.(?:js|css))"', html)
    return [dist / ref for ref in dict.fromkeys(refs)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=REPO / "web" / "dist")
    parser.add_argument("--aim-kb", type=float, default=200.0)
    args = parser.parse_args()
    if not (args.dist / "index.html").is_file():
        print(f"no build at {args.dist}: run `make setup` (or `npm run build` in web/)", file=sys.stderr)
        return 2

    first = first_load(args.dist)
    rest = sorted(set((args.dist / "assets").iterdir()) - set(first))
    print(f"{'file':<40} {'raw KB':>8} {'gzip KB':>8}")
    total_raw = total_gz = 0
    for path in first:
        raw, gz = path.stat().st_size, gzipped(path)
        total_raw, total_gz = total_raw + raw, total_gz + gz
        print(f"{path.name:<40} {raw / 1000:>8.1f} {gz / 1000:>8.1f}")
    print(f"{'game page, first load':<40} {total_raw / 1000:>8.1f} {total_gz / 1000:>8.1f}"
          f"   {total_gz / 1000 / args.aim_kb:.2f}× the {args.aim_kb:.0f} KB aim")
    print("loaded later:")
    for path in rest:
        print(f"  {path.name:<38} {path.stat().st_size / 1000:>8.1f} {gzipped(path) / 1000:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
