"""The statistics of an A/B experiment between two model versions: pure functions, no I/O.

Per arm, accuracy has a Wilson score interval. Between arms, the decision rule is a
mixture sequential probability ratio test (mSPRT, Johari, Koomen, Pekelis & Walsh 2017,
"Always valid inference") on the difference of accuracies θ = treatment − control, with a
normal mixing distribution N(0, τ²) over θ:

    Λ = sqrt(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))

where θ̂ is the observed difference and V its variance. Under θ = 0, Λ is (approximately,
by the normal approximation) a non-negative martingale with mean 1, so by Ville's
inequality P(Λ ever ≥ 1/α) ≤ α: the p-value min over looks of 1/Λ stays valid however
often admins look, and whenever they stop. The matching interval (the θ₀ that the same
test would not reject) is a confidence sequence: it covers θ at every look at once.

V is estimated with the Agresti–Caffo adjustment (one success and one failure added to
each arm), so it is never zero. When both arms scored the same drawings (game drawings,
where the prompt is the truth), the paired difference uses the discordant pairs:
θ̂ = (treatment_only − control_only) / n with V = (d − θ̂²) / n, d the discordant share
(one pseudo-discordant pair added). Models that fail on the same hard drawings make d
much smaller than the two arms' variances added, so the paired test decides sooner.

The plan is fixed at the start. τ is chosen to make the test most powerful at the
planned size, where the minimum effect δ must be detected with the planned power:
rejection at the last look needs (θ̂/√V)² ≥ (1 + 1/r)(2 ln(1/α) + ln(1 + r)) with
r = τ²/V; that threshold is smallest, r* + 1, at r* = 2 ln(1/α) + ln(1 + r*). So

    n = ⌈(√(r* + 1) + z_power)² · v / δ²⌉ labels per arm,   τ² = r* δ² / (√(r* + 1) + z_power)²

with v = p_c(1 − p_c) + p_t(1 − p_t) at the baseline and the worse of baseline ± δ. Power
is computed from the last look alone; the earlier looks only add chances to reject, so the
true power at n is at least the planned one. The paired test uses the same n and τ (its
variance is at most the unpaired one when the models' errors are not anti-correlated).

A method must be chosen before the data are seen and kept for the whole experiment: pass
`paired` at every look or at none, since the history p-value belongs to one test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

KEEP_RUNNING = "keep running"
TREATMENT_BETTER = "treatment better"
CONTROL_BETTER = "control better"
NO_DIFFERENCE = "no difference at the planned power"
DECISIONS = (KEEP_RUNNING, TREATMENT_BETTER, CONTROL_BETTER, NO_DIFFERENCE)
UNPAIRED = "mSPRT (normal mixture), unpaired"
PAIRED = "mSPRT (normal mixture), paired"


@dataclass(frozen=True)
class ArmCounts:
    """One arm's labelled outcomes."""

    labelled: int
    correct: int

    def __post_init__(self) -> None:
        if not 0 <= self.correct <= self.labelled:
            raise ValueError(f"need 0 <= correct <= labelled, got {self.correct} of {self.labelled}")


@dataclass(frozen=True)
class PairedCounts:
    """Drawings that both arms scored, by which arm got them right."""

    both_right: int
    control_only: int
    treatment_only: int
    both_wrong: int

    def __post_init__(self) -> None:
        if min(self.both_right, self.control_only, self.treatment_only, self.both_wrong) < 0:
            raise ValueError("paired counts cannot be negative")

    @property
    def pairs(self) -> int:
        return self.both_right + self.control_only + self.treatment_only + self.both_wrong


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(correct: int, labelled: int, confidence: float = 0.95) -> Interval | None:
    """The Wilson score interval for an accuracy; None before anything is labelled."""
    if labelled == 0:
        return None
    if not 0 <= correct <= labelled:
        raise ValueError(f"need 0 <= correct <= labelled, got {correct} of {labelled}")
    found = stats.binomtest(correct, labelled).proportion_ci(confidence_level=confidence, method="wilson")
    return Interval(float(found.low), float(found.high))


def optimal_mixing_ratio(alpha: float) -> float:
    """r* = τ²/V that makes the last look's rejection threshold smallest: the root of
    r = 2 ln(1/α) + ln(1 + r). The threshold on (θ̂/√V)² is then r* + 1."""
    two_log = 2 * math.log(1 / alpha)
    return float(optimize.brentq(lambda r: r - two_log - math.log1p(r), two_log, 2 * two_log + 10))


@dataclass(frozen=True)
class Plan:
    """Fixed when the experiment starts."""

    alpha: float = 0.05
    power: float = 0.8
    minimum_effect: float = 0.03
    baseline: float = 0.9

    def __post_init__(self) -> None:
        for name in ("alpha", "power", "baseline"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name} must lie strictly between 0 and 1")
        if not 0 < self.minimum_effect < max(self.baseline, 1 - self.baseline):
            raise ValueError("minimum_effect must be positive and leave room beside the baseline")

    def _spread(self) -> float:
        """(√(r* + 1) + z_power): the minimum effect in standard errors at the planned size."""
        return math.sqrt(optimal_mixing_ratio(self.alpha) + 1) + float(stats.norm.ppf(self.power))

    def variance_sum(self) -> float:
        """p_c(1 − p_c) + p_t(1 − p_t), at the worse of treatment = baseline ± minimum effect."""
        control = self.baseline * (1 - self.baseline)
        sides = [p for p in (self.baseline - self.minimum_effect, self.baseline + self.minimum_effect) if 0 < p < 1]
        return control + max(p * (1 - p) for p in sides)

    def labels_per_arm(self) -> int:
        """Labels per arm at which the minimum effect is found with at least the planned power."""
        return math.ceil(self._spread() ** 2 * self.variance_sum() / self.minimum_effect**2)

    def tau(self) -> float:
        """The mixing distribution's standard deviation, in accuracy (0.01 = one point)."""
        return math.sqrt(optimal_mixing_ratio(self.alpha)) * self.minimum_effect / self._spread()


@dataclass(frozen=True)
class Comparison:
    difference: float | None
    interval: Interval | None
    p_value: float | None
    decision: str
    planned_labels_per_arm: int
    method: str


def unpaired_difference(
    control_labelled: ArrayLike, control_correct: ArrayLike, treatment_labelled: ArrayLike, treatment_correct: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """θ̂ = treatment − control accuracy and its Agresti–Caffo variance (arrays welcome)."""
    nc, xc = np.asarray(control_labelled, float), np.asarray(control_correct, float)
    nt, xt = np.asarray(treatment_labelled, float), np.asarray(treatment_correct, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = xt / nt - xc / nc
    pc, pt = (xc + 1) / (nc + 2), (xt + 1) / (nt + 2)
    return theta, pc * (1 - pc) / (nc + 2) + pt * (1 - pt) / (nt + 2)


def paired_difference(
    control_only: ArrayLike, treatment_only: ArrayLike, pairs: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """θ̂ over drawings both arms scored, and its variance from the discordant share."""
    b, c, n = np.asarray(control_only, float), np.asarray(treatment_only, float), np.asarray(pairs, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = (c - b) / n
        discordant = (b + c + 1) / (n + 1)
        variance = np.maximum(discordant - theta**2, 1 / (n + 1)) / n
    return theta, variance


def always_valid_p(theta: ArrayLike, variance: ArrayLike, tau2: float) -> NDArray[np.float64]:
    """1/Λ of the normal-mixture mSPRT at this look, capped at 1 (take the minimum over looks)."""
    theta, variance = np.asarray(theta, float), np.asarray(variance, float)
    log_lambda = 0.5 * np.log(variance / (variance + tau2)) + tau2 * theta**2 / (2 * variance * (variance + tau2))
    return np.minimum(1.0, np.exp(-log_lambda))


def always_valid_half_width(variance: ArrayLike, tau2: float, alpha: float) -> NDArray[np.float64]:
    """Half the width of the confidence sequence: every θ₀ within it has Λ(θ̂ − θ₀) < 1/α."""
    variance = np.asarray(variance, float)
    threshold = math.log(1 / alpha) + 0.5 * np.log((variance + tau2) / variance)
    return np.sqrt(2 * variance * (variance + tau2) / tau2 * threshold)


def compare(
    control: ArmCounts,
    treatment: ArmCounts,
    plan: Plan,
    *,
    paired: PairedCounts | None = None,
    history_p: float | None = None,
    history_interval: Interval | None = None,
) -> Comparison:
    """Where the experiment stands. `history_p` is the smallest p-value of the earlier looks
    and `history_interval` the intersection of their intervals (both stored by the caller);
    what comes back is the running minimum and the running intersection.

    A verdict ("treatment better", "control better") is reached when the always-valid
    p-value is at most alpha, its direction that of the interval; "no difference at the
    planned power" once both arms (or the pairs) reached the planned size without one.
    """
    planned = plan.labels_per_arm()
    tau2 = plan.tau() ** 2
    if paired is not None:
        method, n = PAIRED, paired.pairs
        reached = n >= planned
        if n == 0:
            return Comparison(None, None, history_p, KEEP_RUNNING, planned, method)
        theta, variance = paired_difference(paired.control_only, paired.treatment_only, n)
    else:
        method = UNPAIRED
        reached = min(control.labelled, treatment.labelled) >= planned
        if control.labelled == 0 or treatment.labelled == 0:
            return Comparison(None, None, history_p, KEEP_RUNNING, planned, method)
        theta, variance = unpaired_difference(control.labelled, control.correct, treatment.labelled, treatment.correct)

    difference = float(theta)
    p_value = float(always_valid_p(theta, variance, tau2))
    if history_p is not None:
        p_value = min(p_value, history_p)
    half = float(always_valid_half_width(variance, tau2, plan.alpha))
    interval = Interval(difference - half, difference + half)
    if history_interval is not None:
        low, high = max(interval.low, history_interval.low), min(interval.high, history_interval.high)
        if low <= high:  # empty only on a miss of the sequence (chance ≤ alpha): keep this look's
            interval = Interval(low, high)

    # The verdict's direction: where the (intersected) interval lies, else this look's sign.
    sign = 1 if interval.low > 0 else -1 if interval.high < 0 else int(np.sign(difference))
    if p_value <= plan.alpha and sign != 0:
        decision = TREATMENT_BETTER if sign > 0 else CONTROL_BETTER
    elif reached:
        decision = NO_DIFFERENCE
    else:
        decision = KEEP_RUNNING
    return Comparison(difference, interval, p_value, decision, planned, method)
