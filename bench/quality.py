"""Label-issue scan on a simulated noisy crowd, in one run, side by side.

$1 writers s02–s06 as crowd drawings (the one protocol that may train on shared/eval),
10% of their labels flipped to another shape (seeded). The scan
(`crowdsketch/training/label_issues.py`: out-of-fold probabilities from the training
recipe, then cleanlab) ranks all 1,050 drawings; the figure is how many of the flipped
drawings its top 10% holds. Then three models of the crowd recipe, each scored on writers
s07–s11: trained on the clean labels, on the noisy ones, and on the noisy ones less the
drawings of the top 10% that cleanlab flags (what a reviewer flagging them would leave).

This runs the scan's library code in-process; the admin route and the review page that put
it in front of a person are still to come (issue 12, items 4 and 5).

    python bench/quality.py [--folds 5] [--epochs 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval" / "dollar1.jsonl"
TRAIN_WRITERS = {"s02", "s03", "s04", "s05", "s06"}
REPORT_WRITERS = {"s07", "s08", "s09", "s10", "s11"}
NOISE = 0.10
AIM_CAUGHT = 0.80
AIM_RECOVERY = 0.01


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import numpy as np
    import orjson
    import torch

    from crowdsketch.raster import DEFAULT_SPEC, rasterize_batch
    from crowdsketch.training.distort import training_variants
    from crowdsketch.training.label_issues import scan
    from crowdsketch.training.trainer import TrainConfig, predict_labels, train

    if not EVAL.is_file():
        raise SystemExit(f"{EVAL} is missing: shared/eval is expected beside the repository")
    rows = [orjson.loads(line) for line in EVAL.read_bytes().splitlines() if line.strip()]
    crowd = [r for r in rows if r.get("subject") in TRAIN_WRITERS]
    report = [r for r in rows if r.get("subject") in REPORT_WRITERS]
    classes = sorted({r["label"] for r in crowd})
    index = {name: i for i, name in enumerate(classes)}
    strokes = [r["strokes"] for r in crowd]
    images = rasterize_batch(strokes, DEFAULT_SPEC)
    clean = np.array([index[r["label"]] for r in crowd], dtype=np.int64)
    groups = [r["subject"] for r in crowd]

    rng = random.Random(args.seed)
    flipped = sorted(rng.sample(range(len(crowd)), round(NOISE * len(crowd))))
    noisy = clean.copy()
    for i in flipped:
        noisy[i] = rng.choice([c for c in range(len(classes)) if c != clean[i]])
    print(f"{len(crowd)} drawings by {len(TRAIN_WRITERS)} writers, {len(classes)} shapes; "
          f"{len(flipped)} labels flipped ({NOISE:.0%}), seed {args.seed}", flush=True)

    def versions(labels: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        names = [classes[label] for label in labels[keep]]
        kept_strokes = [strokes[i] for i in keep]
        return training_variants(kept_strokes, np.zeros(len(keep), bool), DEFAULT_SPEC, args.seed, names)

    started = time.perf_counter()
    everyone = np.arange(len(crowd))
    variants, variant_of = versions(noisy, everyone)
    issues = scan(images, noisy, classes, TrainConfig(epochs=args.epochs, seed=args.seed, validation_share=0.05),
                  folds=args.folds, variants=variants, variant_of=variant_of)
    scan_s = time.perf_counter() - started
    top = issues[: round(NOISE * len(crowd))]
    caught = sum(issue.index in set(flipped) for issue in top)
    flags = [issue.index for issue in top if issue.flagged]
    print(f"scan: {args.folds} folds × {args.epochs} epochs in {scan_s:.1f} s; cleanlab flags "
          f"{sum(i.flagged for i in issues)} drawings", flush=True)

    report_images = torch.from_numpy(rasterize_batch([r["strokes"] for r in report], DEFAULT_SPEC))
    report_labels = np.array([index[r["label"]] for r in report])

    def accuracy(labels: np.ndarray, keep: np.ndarray) -> float:
        v, owners = versions(labels, keep)
        trained = train(TrainConfig(epochs=args.epochs, seed=args.seed), images[keep], labels[keep], classes,
                        groups=[groups[i] for i in keep], synthetic=np.zeros(len(keep), bool),
                        variants=v, variant_of=owners)
        return float((predict_labels(trained.network, report_images).numpy() == report_labels).mean())

    kept = np.setdiff1d(everyone, flags)
    clean_acc, noisy_acc, reviewed_acc = accuracy(clean, everyone), accuracy(noisy, everyone), accuracy(noisy, kept)

    print()
    print(f"{'measure':<58} {'value':>9}  aim")
    print(f"{'flipped drawings in the top 10% of the ranking':<58} {caught / len(flipped):>8.1%}  "
          f"≥ {AIM_CAUGHT:.0%}: {'met' if caught / len(flipped) >= AIM_CAUGHT else 'NOT met'} ({caught}/{len(flipped)})")
    print(f"{'top 10% that are flipped (precision)':<58} {caught / len(top):>8.1%}")
    print(f"{'s07–s11 accuracy, trained on the clean labels':<58} {clean_acc:>8.2%}")
    print(f"{'s07–s11 accuracy, trained on the noisy labels':<58} {noisy_acc:>8.2%}")
    print(f"{'s07–s11 accuracy, noisy less the flagged of the top 10%':<58} {reviewed_acc:>8.2%}  "
          f"within {AIM_RECOVERY:.0%} of clean: {'met' if clean_acc - reviewed_acc <= AIM_RECOVERY else 'NOT met'} "
          f"({len(flags)} left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
