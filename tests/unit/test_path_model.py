"""A network that reads the pen's path beside the raster: trained, exported with two inputs,
carded, loaded for scoring as inference loads it, and chosen only for sets with people's
drawings."""

from __future__ import annotations

import random
import uuid

import numpy as np
import onnx
import pytest
import torch

from crowdsketch.common.scoring import card_path, probabilities, scoring_model
from crowdsketch.pen_path import DEFAULT_PATH_SPEC, PathSpec, path_batch, path_features
from crowdsketch.raster import DEFAULT_SPEC, rasterize, rasterize_batch
from crowdsketch.synthetic import synthetic_drawing
from crowdsketch.training.dataset import reads_paths
from crowdsketch.training.distort import Distortion, training_versions
from crowdsketch.training.export import PATH_INPUT_NAME, export_onnx, model_card
from crowdsketch.training.inputs import Versions, augment_paths
from crowdsketch.training.trainer import TrainConfig, train

SHAPES = ["circle", "triangle", "zigzag"]


def _drawings(per_shape: int, seed: int) -> tuple[list, list[str]]:
    rng = random.Random(seed)
    made = [(shape, synthetic_drawing(shape, rng).strokes) for _ in range(per_shape) for shape in SHAPES]
    return [strokes for _, strokes in made], [shape for shape, _ in made]


@pytest.fixture(scope="module")
def trained_with_paths():
    strokes, labels = _drawings(12, seed=5)
    y = np.array([SHAPES.index(label) for label in labels])
    people = np.zeros(len(y), dtype=bool)  # as if people drew them: they get versions and paths
    versions = training_versions(strokes, people, DEFAULT_SPEC, 0, labels, people=Distortion(copies=2),
                                 path_spec=DEFAULT_PATH_SPEC)
    model = train(TrainConfig(epochs=2, seed=3), rasterize_batch(strokes), y, SHAPES,
                  groups=[f"writer-{i % 4}" for i in range(len(y))], synthetic=people,
                  variants=versions.rasters, variant_of=versions.of,
                  paths=path_batch(strokes), variant_paths=versions.paths)
    return model, strokes


def test_a_network_given_paths_reads_them_and_its_card_says_how(trained_with_paths) -> None:
    model, _ = trained_with_paths
    assert model.network_config.path_points == DEFAULT_PATH_SPEC.points
    assert model.metrics["validation_basis"] == "people"
    assert model.metrics["inputs"] == ["raster", "pen_path"]

    data = export_onnx(model, DEFAULT_SPEC, DEFAULT_PATH_SPEC)
    graph = onnx.load_from_string(data).graph
    assert [i.name for i in graph.input] == ["strokes_raster", PATH_INPUT_NAME]
    card = model_card(model, DEFAULT_SPEC, model_id=uuid.uuid4(), dataset_size=36, dataset_hash="", config={},
                      path_spec=DEFAULT_PATH_SPEC)
    assert card["path"] == {"points": 32, "max_points": 128}
    assert card["path_input"] == {"name": PATH_INPUT_NAME, "dtype": "float32", "shape": ["batch", 5, 32]}
    assert card["architecture"]["config"]["path_points"] == 32
    assert card_path(card) == (DEFAULT_PATH_SPEC, PATH_INPUT_NAME)


def test_scoring_a_path_model_feeds_both_inputs_as_the_network_reads_them(trained_with_paths) -> None:
    model, strokes = trained_with_paths
    data = export_onnx(model, DEFAULT_SPEC, DEFAULT_PATH_SPEC)
    card = model_card(model, DEFAULT_SPEC, model_id=uuid.uuid4(), dataset_size=36, dataset_hash="", config={},
                      path_spec=DEFAULT_PATH_SPEC)
    loaded = scoring_model(data, card)
    assert (loaded.input_name, loaded.path_input, loaded.path_spec) == ("strokes_raster", PATH_INPUT_NAME, DEFAULT_PATH_SPEC)
    for drawing in strokes[:6]:
        image = torch.from_numpy(rasterize(drawing))[None, None]  # (1, 1, S, S)
        path = torch.from_numpy(path_features(drawing))[None]  # (1, 5, P)
        expected = model.network.predict_proba(image, path).numpy()[0]
        np.testing.assert_allclose(probabilities(loaded, drawing), expected, atol=1e-5)


def test_the_path_changes_the_answer(trained_with_paths) -> None:
    """Not an ornament: the same raster with another path gets other logits."""
    model, strokes = trained_with_paths
    image = torch.from_numpy(rasterize(strokes[0]))[None, None]
    forwards = torch.from_numpy(path_features(strokes[0]))[None]
    backwards = torch.from_numpy(path_features([stroke[::-1] for stroke in strokes[0][::-1]]))[None]
    with torch.no_grad():
        assert not torch.allclose(model.network(image, forwards), model.network(image, backwards))


def test_a_path_network_is_not_exported_or_carded_without_its_path_spec(trained_with_paths) -> None:
    model, _ = trained_with_paths
    with pytest.raises(ValueError, match="paths"):
        export_onnx(model, DEFAULT_SPEC)
    with pytest.raises(ValueError, match="paths"):
        model_card(model, DEFAULT_SPEC, model_id=uuid.uuid4(), dataset_size=1, dataset_hash="", config={},
                   path_spec=PathSpec(points=16))


def test_a_raster_only_card_has_no_path() -> None:
    assert card_path({"classes": ["a", "b"]}) == (None, None)


def test_train_refuses_paths_that_do_not_fit() -> None:
    strokes, labels = _drawings(2, seed=1)
    y = np.array([SHAPES.index(label) for label in labels])
    images = rasterize_batch(strokes)
    with pytest.raises(ValueError, match="paths must be"):
        train(TrainConfig(epochs=1), images, y, SHAPES, paths=path_batch(strokes[:-1]))
    versions = training_versions(strokes, np.zeros(len(y), bool), DEFAULT_SPEC, 0, labels, people=Distortion(copies=1))
    with pytest.raises(ValueError, match="versions' paths"):
        train(TrainConfig(epochs=1), images, y, SHAPES, variants=versions.rasters, variant_of=versions.of,
              paths=path_batch(strokes))


@pytest.mark.parametrize(("synthetic", "expected"), [
    ([True, True], False),  # the bootstrap set: the generator's pen moves are not people's
    ([True, False], True),
    ([False, False], True),
    ([], False),
])
def test_a_set_with_any_persons_drawing_reads_paths(synthetic: list[bool], expected: bool) -> None:
    assert reads_paths(np.array(synthetic, dtype=bool)) is expected


def test_a_version_is_shown_as_one_raster_and_its_own_path() -> None:
    """Each version's raster and path come from the same distorted strokes."""
    n, copies, size, points = 6, 3, 4, 8
    of = np.repeat(np.arange(n), copies)
    tag = np.arange(len(of), dtype=np.float32) + 1  # version v carries v in its raster and path
    rasters = np.broadcast_to(tag[:, None, None, None], (len(of), 1, size, size)).astype(np.uint8)
    paths = np.broadcast_to(tag[:, None, None], (len(of), 5, points)).astype(np.float32)
    versions = Versions.of(rasters, of, n, (1, size, size), paths)
    generator = torch.Generator().manual_seed(0)
    xb, pb = torch.zeros(n, 1, size, size), torch.zeros(n, 5, points)
    seen = set()
    for _ in range(20):
        x, p = versions.pick(xb, pb, torch.arange(n), generator)
        raster_tag = torch.round(x[:, 0, 0, 0] * 255)
        assert torch.equal(raster_tag, p[:, 0, 0])  # 0 where the original was shown
        seen.update(raster_tag.tolist())
    assert 0.0 in seen and len(seen) > n  # originals and versions both shown


def test_a_path_turns_as_a_whole_and_keeps_its_flags() -> None:
    strokes, _ = _drawings(1, seed=2)
    paths = torch.from_numpy(path_batch(strokes))  # (3, 5, P)
    turned = augment_paths(paths, torch.Generator().manual_seed(1))
    assert torch.equal(turned[:, 4], paths[:, 4])
    moving = paths[:, 2].abs() + paths[:, 3].abs() > 0
    norms = turned[:, 2] ** 2 + turned[:, 3] ** 2
    torch.testing.assert_close(norms[moving], torch.ones_like(norms[moving]), atol=1e-5, rtol=0)
    # a turn keeps each sample's distance from the centre
    torch.testing.assert_close(turned[:, 0] ** 2 + turned[:, 1] ** 2, paths[:, 0] ** 2 + paths[:, 1] ** 2, atol=1e-5, rtol=0)
    assert not torch.allclose(turned[:, 0], paths[:, 0])
