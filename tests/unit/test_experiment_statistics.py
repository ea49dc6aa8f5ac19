"""The A/B experiments' statistics: per-arm intervals, the always-valid comparison, its verdicts."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crowdsketch.experiments.statistics import (
    CONTROL_BETTER,
    KEEP_RUNNING,
    NO_DIFFERENCE,
    PAIRED,
    TREATMENT_BETTER,
    UNPAIRED,
    ArmCounts,
    Interval,
    PairedCounts,
    Plan,
    always_valid_half_width,
    always_valid_p,
    compare,
    optimal_mixing_ratio,
    wilson,
)

PLAN = Plan()
N = PLAN.labels_per_arm()


def test_wilson_matches_the_textbook_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, example (a): 81 of 263 → 0.2553 to 0.3662.
    found = wilson(81, 263)
    assert found is not None
    assert (round(found.low, 4), round(found.high, 4)) == (0.2553, 0.3662)


def test_wilson_stays_inside_zero_and_one_and_is_none_before_any_label() -> None:
    assert wilson(0, 0) is None
    all_right, none_right = wilson(50, 50), wilson(0, 50)
    assert all_right is not None and none_right is not None
    assert all_right.high == pytest.approx(1.0) and 0.9 < all_right.low < 1
    assert none_right.low == pytest.approx(0.0, abs=1e-12) and 0 < none_right.high < 0.1
    wider, narrower = wilson(45, 50, confidence=0.99), wilson(45, 50)
    assert wider is not None and narrower is not None
    assert wider.low < narrower.low and wider.high > narrower.high


def test_counts_that_cannot_be_are_refused() -> None:
    with pytest.raises(ValueError):
        ArmCounts(labelled=10, correct=11)
    with pytest.raises(ValueError):
        wilson(3, 2)
    with pytest.raises(ValueError):
        PairedCounts(1, -1, 0, 0)
    with pytest.raises(ValueError):
        Plan(alpha=0)


def test_the_plan_is_the_formula_of_the_module_docstring() -> None:
    r = optimal_mixing_ratio(0.05)
    assert r == pytest.approx(2 * math.log(20) + math.log1p(r))
    spread = math.sqrt(r + 1) + 0.8416212335729143
    # The worse side of 0.90 ± 0.03 is 0.87: 0.9·0.1 + 0.87·0.13.
    assert N == math.ceil(spread**2 * (0.09 + 0.1131) / 0.03**2)
    assert PLAN.tau() == pytest.approx(math.sqrt(r) * 0.03 / spread)
    assert Plan(minimum_effect=0.06).labels_per_arm() < N < Plan(power=0.9).labels_per_arm()


def test_at_the_planned_size_the_minimum_effect_sits_at_the_planned_power() -> None:
    # At n, an observed difference equal to δ is z_power standard errors beyond the last look's bar.
    variance = PLAN.variance_sum() / N
    half = float(always_valid_half_width(variance, PLAN.tau() ** 2, PLAN.alpha))
    assert (0.03 - half) / math.sqrt(variance) == pytest.approx(0.8416, abs=0.01)
    assert float(always_valid_p(half, variance, PLAN.tau() ** 2)) == pytest.approx(PLAN.alpha)


def test_a_huge_gap_is_a_verdict_for_the_better_arm() -> None:
    found = compare(ArmCounts(500, 400), ArmCounts(500, 480), PLAN)
    assert found.decision == TREATMENT_BETTER
    assert found.p_value is not None and found.p_value < 1e-6
    assert found.interval is not None and 0 < found.interval.low < 0.16 < found.interval.high
    assert found.difference == pytest.approx(0.16)

    reverse = compare(ArmCounts(500, 480), ArmCounts(500, 400), PLAN)
    assert reverse.decision == CONTROL_BETTER
    assert reverse.interval is not None and reverse.interval.high < 0


def test_equal_arms_at_the_planned_size_are_no_difference() -> None:
    correct = round(0.9 * N)
    found = compare(ArmCounts(N, correct), ArmCounts(N, correct), PLAN)
    assert found.decision == NO_DIFFERENCE
    assert found.planned_labels_per_arm == N
    assert found.p_value == pytest.approx(1.0)
    assert found.interval is not None and found.interval.low < 0 < found.interval.high


def test_one_arm_short_of_the_plan_keeps_running() -> None:
    found = compare(ArmCounts(N, round(0.9 * N)), ArmCounts(N - 1, round(0.9 * (N - 1))), PLAN)
    assert found.decision == KEEP_RUNNING


def test_a_few_labels_keep_running_whatever_they_show() -> None:
    found = compare(ArmCounts(50, 40), ArmCounts(50, 47), PLAN)
    assert found.decision == KEEP_RUNNING
    assert found.p_value is not None and found.p_value > PLAN.alpha


def test_an_empty_arm_has_no_figures_yet() -> None:
    found = compare(ArmCounts(0, 0), ArmCounts(10, 9), PLAN)
    assert (found.difference, found.interval, found.p_value, found.decision) == (None, None, None, KEEP_RUNNING)
    assert found.method == UNPAIRED


def test_the_history_p_value_only_goes_down() -> None:
    small_now = compare(ArmCounts(500, 400), ArmCounts(500, 480), PLAN).p_value
    assert small_now is not None
    assert compare(ArmCounts(500, 400), ArmCounts(500, 480), PLAN, history_p=0.5).p_value == small_now

    quiet = ArmCounts(200, 180)
    assert compare(quiet, quiet, PLAN).p_value == pytest.approx(1.0)
    remembered = compare(quiet, quiet, PLAN, history_p=0.01)
    assert remembered.p_value == 0.01
    assert remembered.decision == KEEP_RUNNING  # no sign left to give a verdict to


def test_a_remembered_crossing_keeps_its_verdict_through_the_intersected_interval() -> None:
    first = compare(ArmCounts(500, 400), ArmCounts(500, 480), PLAN)
    assert first.decision == TREATMENT_BETTER and first.interval is not None
    later = compare(ArmCounts(1000, 850), ArmCounts(1000, 950), PLAN, history_p=first.p_value,
                    history_interval=first.interval)
    assert later.decision == TREATMENT_BETTER
    assert later.interval is not None and later.interval.low == first.interval.low
    assert later.interval.high < first.interval.high


def test_an_empty_intersection_keeps_this_looks_interval() -> None:
    # Disjoint intervals mean the sequence missed once (chance at most alpha): keep the new one.
    found = compare(ArmCounts(700, 600), ArmCounts(700, 610), PLAN, history_interval=Interval(0.09, 0.23))
    assert found.interval is not None and found.interval.low < 0 < found.interval.high


def test_a_narrower_history_interval_is_intersected() -> None:
    found = compare(ArmCounts(300, 270), ArmCounts(300, 270), PLAN, history_interval=Interval(-0.01, 0.02))
    assert found.interval == Interval(-0.01, 0.02)


def test_paired_counts_use_the_paired_method_and_decide_sooner() -> None:
    n = 1200
    control = ArmCounts(n, round(0.90 * n))
    treatment = ArmCounts(n, round(0.93 * n))
    pairs = PairedCounts(both_right=round(0.87 * n), control_only=round(0.03 * n),
                         treatment_only=round(0.06 * n), both_wrong=round(0.04 * n))
    unpaired = compare(control, treatment, PLAN)
    paired = compare(control, treatment, PLAN, paired=pairs)
    assert unpaired.method == UNPAIRED and paired.method == PAIRED
    assert paired.difference == pytest.approx(unpaired.difference)
    assert paired.p_value is not None and unpaired.p_value is not None
    assert paired.p_value < PLAN.alpha < unpaired.p_value
    assert (paired.decision, unpaired.decision) == (TREATMENT_BETTER, KEEP_RUNNING)


def test_paired_with_no_pairs_yet_keeps_running_on_the_paired_method() -> None:
    found = compare(ArmCounts(0, 0), ArmCounts(0, 0), PLAN, paired=PairedCounts(0, 0, 0, 0))
    assert (found.decision, found.method, found.p_value) == (KEEP_RUNNING, PAIRED, None)


def test_paired_reaches_the_plan_in_drawings() -> None:
    pairs = PairedCounts(both_right=N - 200, control_only=50, treatment_only=50, both_wrong=100)
    found = compare(ArmCounts(N, N - 150), ArmCounts(N, N - 150), PLAN, paired=pairs)
    assert found.decision == NO_DIFFERENCE


def test_the_functions_take_arrays_as_the_benchmark_does() -> None:
    theta, variance = np.array([0.0, 0.05]), np.array([1e-4, 1e-4])
    p = always_valid_p(theta, variance, PLAN.tau() ** 2)
    assert p.shape == (2,) and p[0] == 1.0 and p[1] < 0.05
