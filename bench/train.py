"""Training benchmark: time and samples/s to train the bootstrap model, step by step.

synthetic_drawings(all 12 shapes, 600 each, seed 0) → rasterize_batch → train(TrainConfig(epochs=8,
seed=0)) → export_onnx, each step timed, with the per-epoch seconds and validation accuracy
from the trainer's progress callback. The aims: the whole pipeline in ≤ 120 s, and a final
validation accuracy ≥ 97%.

    python bench/train.py                          # the bootstrap model (12 × 600, 8 epochs)
    python bench/train.py --per-shape 100 --epochs 3   # a quick run (aims not meaningful)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/train.py`: import bench.* and crowdsketch from this tree

AIM_SECONDS = 120.0
AIM_ACCURACY = 0.97


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-shape", type=int, default=600, help="synthetic drawings per shape (bootstrap: 600)")
    parser.add_argument("--epochs", type=int, default=8, help="training epochs (bootstrap: 8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="also write the ONNX model here")
    args = parser.parse_args()

    import numpy as np
    import torch

    from crowdsketch.raster import DEFAULT_SPEC, rasterize_batch
    from crowdsketch.synthetic import SHAPES, synthetic_drawings
    from crowdsketch.training.distort import training_versions
    from crowdsketch.training.export import export_onnx
    from crowdsketch.training.trainer import THREADS, EpochProgress, TrainConfig, train

    shapes = list(SHAPES)
    print(f"{os.cpu_count()} cores; torch {torch.__version__}, trainer uses {THREADS} threads; "
          f"{len(shapes)} shapes × {args.per_shape}, {args.epochs} epochs, seed {args.seed}", flush=True)
    steps: list[tuple[str, float, int]] = []  # (step, seconds, samples)

    started = time.perf_counter()
    drawings = synthetic_drawings(shapes, args.per_shape, args.seed)
    steps.append(("synthetic_drawings", time.perf_counter() - started, len(drawings)))
    print(f"  synthetic_drawings: {steps[-1][1]:.2f} s", flush=True)

    started = time.perf_counter()
    images = rasterize_batch([data.strokes for _, data in drawings], DEFAULT_SPEC)
    steps.append(("rasterize_batch", time.perf_counter() - started, len(drawings)))
    print(f"  rasterize_batch: {steps[-1][1]:.2f} s ({images.shape})", flush=True)
    index = {shape: i for i, shape in enumerate(shapes)}
    labels = np.array([index[label] for label, _ in drawings], dtype=np.int64)

    # As a training job does (training/dataset.py): distorted versions to train on.
    started = time.perf_counter()
    made = np.ones(len(drawings), dtype=bool)
    versions = training_versions([data.strokes for _, data in drawings], made, DEFAULT_SPEC,
                                 args.seed, [label for label, _ in drawings])
    variants, variant_of = versions.rasters, versions.of
    steps.append(("training_versions", time.perf_counter() - started, len(variants)))
    print(f"  training_versions: {steps[-1][1]:.2f} s ({variants.shape})", flush=True)

    epochs: list[EpochProgress] = []

    def on_progress(progress: EpochProgress) -> None:
        epochs.append(progress)
        print(f"  epoch {progress.epoch}/{progress.epochs}: {progress.seconds:6.2f} s  loss {progress.loss:.4f}  "
              f"train acc {100 * progress.train_accuracy:6.2f}%  val acc {100 * progress.validation_accuracy:6.2f}%",
              flush=True)

    config = TrainConfig(epochs=args.epochs, seed=args.seed)
    started = time.perf_counter()
    trained = train(config, images, labels, shapes, on_progress, synthetic=made,
                    variants=variants, variant_of=variant_of)
    train_s = time.perf_counter() - started
    train_size = int(trained.metrics["train_size"])
    steps.append(("train", train_s, train_size * args.epochs))

    started = time.perf_counter()
    onnx_bytes = export_onnx(trained, DEFAULT_SPEC)
    steps.append(("export_onnx", time.perf_counter() - started, 1))
    if args.out is not None:
        args.out.write_bytes(onnx_bytes)

    total = sum(s for _, s, _ in steps)
    accuracy = float(trained.metrics["validation_accuracy"])
    print()
    print(f"{'step':<20} {'seconds':>8} {'samples/s':>11}")
    for name, seconds, samples in steps:
        rate = f"{samples / seconds:11.0f}" if name != "export_onnx" else f"{'-':>11}"
        print(f"{name:<20} {seconds:>8.2f} {rate}")
    print(f"{'total':<20} {total:>8.2f} {len(drawings) / total:>11.0f}")
    print(f"(train samples/s = training images × epochs / train seconds: {train_size} train, "
          f"{trained.metrics['validation_size']} validation images; total samples/s = drawings / total seconds)")
    print()
    print(f"{'epoch':>5} {'seconds':>8} {'img/s':>8} {'loss':>8} {'train acc':>10} {'val acc':>8}")
    for p in epochs:
        print(f"{p.epoch:>5} {p.seconds:>8.2f} {train_size / p.seconds:>8.0f} {p.loss:>8.4f} "
              f"{100 * p.train_accuracy:>9.2f}% {100 * p.validation_accuracy:>7.2f}%")
    print()
    print(f"ONNX model: {len(onnx_bytes):,} bytes, {trained.network.parameter_count():,} parameters")
    print(f"final validation accuracy: {100 * accuracy:.2f}%")
    fast, good = total <= AIM_SECONDS, accuracy >= AIM_ACCURACY
    bootstrap = args.per_shape == 600 and args.epochs == 8
    print(f"aim: total ≤ {AIM_SECONDS:.0f} s: {total:.1f} s -> {'MET' if fast else 'NOT met'}")
    print(f"aim: validation accuracy ≥ {100 * AIM_ACCURACY:.0f}%: {100 * accuracy:.2f}% -> {'MET' if good else 'NOT met'}")
    if not bootstrap:
        print("(not the bootstrap sizes (600 per shape, 8 epochs): the aims are for those)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
