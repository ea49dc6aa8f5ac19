"""The A/B experiments' decision rule (`crowdsketch/experiments/statistics.py`) simulated with
known truth: how often does it declare a winner when there is none, however often it is
looked at, and how often does it find a real 3-point accuracy gap by the planned size?

Every run follows one experiment look by look, with the plan's defaults (alpha 0.05,
power 0.8, minimum effect 3 points, baseline 0.90), and stops at its first verdict, as
an admin would:

- **unpaired**: each label goes to control or treatment by a fair coin; the rule is
  checked after every 100 labels in all (about 50 per arm), until both arms reached the
  planned size (A/A: also until both reached twice that, to show that looking on past the
  plan stays safe).
- **paired**: each label is one game drawing that both arms scored; the rule is checked
  after every 100 such drawings (100 labels per arm), until the planned number of drawings.
  Two versions of one model fail mostly on the same hard drawings, so their correctness is
  correlated: A/A at 0.90 has both right on 86%, both wrong on 6%, and each alone right on
  4% (8% discordant, correlation 0.56); A/B 0.90 vs 0.93 has both right on 87%, both wrong
  on 4%, control alone right on 3% and treatment alone on 6% (9% discordant).

The A/A false verdict rate must be at most 5% and the right verdict by the planned size
must come in at least 80% of the A/B runs: the exit status is 1 when either fails.

    python bench/experiments.py [--runs 1000] [--every 100] [--seed 17]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crowdsketch.experiments.statistics import (  # noqa: E402
    Plan,
    always_valid_p,
    optimal_mixing_ratio,
    paired_difference,
    unpaired_difference,
)

FALSE_VERDICT_LIMIT = 0.05
RIGHT_VERDICT_FLOOR = 0.80


@dataclass(frozen=True)
class Looks:
    """Cumulative counts at each look of each run, shape (runs, looks), and the look at
    which each run reached its horizon (the last one it may use)."""

    theta: np.ndarray
    variance: np.ndarray
    labels: np.ndarray  # labels in all (both arms) at each look
    horizon: np.ndarray  # index of the last look of each run


@dataclass(frozen=True)
class Outcome:
    scenario: str
    truth: int  # +1 treatment better, −1 control better, 0 none
    better: float  # share of runs with a "treatment better" verdict
    worse: float  # share with "control better"
    none: float  # share that reached the horizon without a verdict
    mean_labels: float | None  # labels in all at the verdict, over runs that had one
    median_labels: float | None

    @property
    def right(self) -> float:
        return self.better if self.truth > 0 else self.worse if self.truth < 0 else 0.0

    @property
    def wrong(self) -> float:
        return self.better + self.worse if self.truth == 0 else self.worse if self.truth > 0 else self.better


def unpaired_looks(
    rng: np.random.Generator, runs: int, every: int, control: float, treatment: float, per_arm: int
) -> Looks:
    """Labels split by a fair coin, `every` at a time, until both arms have `per_arm`."""
    looks = 2 * per_arm // every + 8 * int(np.sqrt(per_arm)) // every + 4  # both arms there, well past 6 sd
    to_control = rng.binomial(every, 0.5, size=(runs, looks))
    right_control = rng.binomial(to_control, control)
    right_treatment = rng.binomial(every - to_control, treatment)
    nc, xc = to_control.cumsum(1), right_control.cumsum(1)
    nt, xt = (every - to_control).cumsum(1), right_treatment.cumsum(1)
    reached = np.minimum(nc, nt) >= per_arm
    if not reached[:, -1].all():
        raise RuntimeError("simulate more looks: a run never reached the horizon")
    theta, variance = unpaired_difference(nc, xc, nt, xt)
    labels = np.broadcast_to(every * np.arange(1, looks + 1), (runs, looks))
    return Looks(theta, variance, labels, reached.argmax(1))


def paired_looks(
    rng: np.random.Generator, runs: int, every: int, shares: tuple[float, float, float, float], pairs: int
) -> Looks:
    """Drawings scored by both arms, `every` at a time, until `pairs` drawings.
    `shares`: both right, control alone right, treatment alone right, both wrong."""
    looks = -(-pairs // every)
    counts = rng.multinomial(every, shares, size=(runs, looks)).cumsum(1)
    n = every * np.arange(1, looks + 1)
    theta, variance = paired_difference(counts[..., 1], counts[..., 2], n)
    return Looks(theta, variance, np.broadcast_to(2 * n, (runs, looks)), np.full(runs, looks - 1))


def decide(scenario: str, truth: int, looks: Looks, tau2: float, alpha: float) -> Outcome:
    """Each run's first look with an always-valid p at most alpha, before its horizon."""
    p = np.minimum.accumulate(always_valid_p(looks.theta, looks.variance, tau2), axis=1)
    columns = np.arange(p.shape[1])
    crossed = (p <= alpha) & (columns[None, :] <= looks.horizon[:, None])
    any_verdict = crossed.any(1)
    first = crossed.argmax(1)
    rows = np.arange(p.shape[0])
    sign = np.sign(looks.theta[rows, first])
    better = float((any_verdict & (sign > 0)).mean())
    worse = float((any_verdict & (sign < 0)).mean())
    used = looks.labels[rows, first][any_verdict]
    return Outcome(
        scenario, truth, better, worse, float(1 - any_verdict.mean()),
        float(used.mean()) if used.size else None, float(np.median(used)) if used.size else None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100, help="labels between looks")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    started = time.perf_counter()
    plan = Plan()
    planned, tau = plan.labels_per_arm(), plan.tau()
    tau2 = tau**2
    streams = iter(np.random.SeedSequence(args.seed).spawn(16))

    def rng() -> np.random.Generator:
        return np.random.default_rng(next(streams))

    print(f"plan: alpha {plan.alpha}, power {plan.power}, minimum effect {plan.minimum_effect}, "
          f"baseline {plan.baseline}")
    print(f"rule: mSPRT (normal mixture), r* = tau^2/V at the planned size = {optimal_mixing_ratio(plan.alpha):.3f}, "
          f"tau = {tau:.4f}, planned labels per arm = {planned:,}")
    print(f"{args.runs:,} runs per row, a look every {args.every} labels (paired: every {args.every} drawings)\n")

    b = plan.baseline
    rows = [
        ("A/A unpaired 0.90 / 0.90, to planned", 0, unpaired_looks(rng(), args.runs, args.every, b, b, planned)),
        ("A/A unpaired 0.90 / 0.90, to 2x planned", 0,
         unpaired_looks(rng(), args.runs, args.every, b, b, 2 * planned)),
        ("A/A paired 0.90 / 0.90, to planned", 0,
         paired_looks(rng(), args.runs, args.every, (0.86, 0.04, 0.04, 0.06), planned)),
        ("A/A paired 0.90 / 0.90, to 2x planned", 0,
         paired_looks(rng(), args.runs, args.every, (0.86, 0.04, 0.04, 0.06), 2 * planned)),
        ("A/B unpaired 0.90 -> 0.93", 1, unpaired_looks(rng(), args.runs, args.every, 0.90, 0.93, planned)),
        ("A/B unpaired 0.93 -> 0.90", -1, unpaired_looks(rng(), args.runs, args.every, 0.93, 0.90, planned)),
        ("A/B unpaired 0.90 -> 0.87", -1, unpaired_looks(rng(), args.runs, args.every, 0.90, 0.87, planned)),
        ("A/B paired 0.90 -> 0.93", 1,
         paired_looks(rng(), args.runs, args.every, (0.87, 0.03, 0.06, 0.04), planned)),
        ("A/B paired 0.93 -> 0.90", -1,
         paired_looks(rng(), args.runs, args.every, (0.87, 0.06, 0.03, 0.04), planned)),
    ]
    outcomes = [decide(name, truth, looks, tau2, plan.alpha) for name, truth, looks in rows]

    print("| scenario | treatment better | control better | no verdict | right | wrong "
          "| mean labels at verdict | median |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        right = "—" if o.truth == 0 else f"{o.right:.1%}"
        mean = f"{o.mean_labels:,.0f}" if o.mean_labels is not None else "—"
        median = f"{o.median_labels:,.0f}" if o.median_labels is not None else "—"
        print(f"| {o.scenario} | {o.better:.1%} | {o.worse:.1%} | {o.none:.1%} | {right} | {o.wrong:.1%} "
              f"| {mean} | {median} |")
    print("\n(labels counted over both arms; a paired drawing counts as one label per arm)")

    failures = [f"{o.scenario}: false verdicts {o.wrong:.1%} > {FALSE_VERDICT_LIMIT:.0%}"
                for o in outcomes if o.truth == 0 and o.wrong > FALSE_VERDICT_LIMIT]
    failures += [f"{o.scenario}: right verdicts {o.right:.1%} < {RIGHT_VERDICT_FLOOR:.0%}"
                 for o in outcomes if o.truth != 0 and o.right < RIGHT_VERDICT_FLOOR]
    print(f"\n{time.perf_counter() - started:.1f} s")
    for failure in failures:
        print(f"FAIL {failure}")
    if not failures:
        print(f"PASS: every A/A false verdict rate <= {FALSE_VERDICT_LIMIT:.0%}, "
              f"every A/B right verdict rate >= {RIGHT_VERDICT_FLOOR:.0%}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
