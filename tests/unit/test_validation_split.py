"""The validation split: people it has not seen, never drawings a program made standing for them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from crowdsketch.raster import RasterSpec, rasterize_batch
from crowdsketch.synthetic import synthetic_drawings
from crowdsketch.training.trainer import TrainConfig, grouped_split, train, validation_split

# A drawing: (label, contributor or None).
drawings = st.lists(
    st.tuples(st.integers(0, 3), st.one_of(st.none(), st.sampled_from([f"s{n:02d}" for n in range(8)]))),
    min_size=1, max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(drawings, st.floats(0.05, 0.5), st.integers(0, 2**16))
def test_a_grouped_split_never_puts_a_contributor_on_both_sides(
    rows: list[tuple[int, str | None]], share: float, seed: int
) -> None:
    labels = np.array([label for label, _ in rows])
    groups = [group for _, group in rows]
    train_index, validation_index = grouped_split(labels, groups, share, seed)

    assert sorted([*train_index, *validation_index]) == list(range(len(rows))), "every drawing on exactly one side"
    named = {g for g in groups if g is not None}
    if len(named) + groups.count(None) >= 2 and named:
        assert {groups[i] for i in train_index} & {groups[i] for i in validation_index} - {None} == set()
        assert len(train_index), "some contributor is always left to train on"


def test_whole_writers_are_held_out_in_about_the_share_asked() -> None:
    labels = np.tile(np.arange(7), 5 * 30)  # 5 writers × 30 drawings of each of 7 shapes
    groups = [f"s{w:02d}" for w in range(2, 7) for _ in range(7 * 30)]
    train_index, validation_index = grouped_split(labels, groups, 0.15, seed=0)
    held = {groups[i] for i in validation_index}
    assert len(held) == 1, "one writer of five is the nearest to 15%"
    assert len(validation_index) == 7 * 30
    assert held.isdisjoint(groups[i] for i in train_index)


def test_without_contributors_the_split_is_by_class() -> None:
    labels = np.repeat(np.arange(4), 20)
    train_index, validation_index = grouped_split(labels, [None] * len(labels), 0.25, seed=3)
    assert np.bincount(labels[validation_index]).tolist() == [5, 5, 5, 5]
    assert len(train_index) == 60


@settings(max_examples=200, deadline=None)
@given(drawings, st.lists(st.booleans(), min_size=120, max_size=120), st.integers(0, 2**16))
def test_synthetic_drawings_are_never_reported_when_people_are_held_out(
    rows: list[tuple[int, str | None]], made: list[bool], seed: int
) -> None:
    labels = np.array([label for label, _ in rows])
    synthetic = np.array(made[: len(rows)])
    split = validation_split(labels, [g for _, g in rows], synthetic, 0.2, seed)

    assert sorted([*split.train, *split.validation]) == list(range(len(rows)))
    assert set(split.reported) <= set(split.validation)
    if split.basis == "people":
        assert not synthetic[split.reported].any()
        assert len(split.reported)
    else:
        assert not np.intersect1d(split.validation, np.flatnonzero(~synthetic)).size


def test_training_on_people_and_synthetic_drawings_reports_both_figures() -> None:
    classes = ["circle", "square"]
    made = synthetic_drawings(classes, 30, seed=1)
    people = synthetic_drawings(classes, 12, seed=2)  # standing in for people's drawings
    strokes = [d.strokes for _, d in made] + [d.strokes for _, d in people]
    labels = np.array([classes.index(label) for label, _ in made + people])
    groups = [None] * len(made) + [f"writer{i % 4}" for i in range(len(people))]
    synthetic = np.array([True] * len(made) + [False] * len(people))

    model = train(TrainConfig(epochs=1, batch_size=16), rasterize_batch(strokes, RasterSpec()), labels, classes,
                  groups=groups, synthetic=synthetic)

    assert model.metrics["validation_basis"] == "people"
    assert model.metrics["validation_size"] == 6, "one writer of four: 6 of their 24 drawings"
    assert 0.0 <= model.metrics["synthetic_validation_accuracy"] <= 1.0
