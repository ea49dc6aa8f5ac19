"""Model agreement: the active model's opinion of a drawing as it is submitted.

The model is the one this process already holds (`ModelManager`, which follows the active
model through pub/sub and polling), scored with `common/scoring.probabilities`, the
inference service's own preprocessing and model call. The collection role loads the model
too, rather than calling the inference service over HTTP: a submission is then scored in
about 2 ms of CPU with no network hop, no second service to be down or slow, and no
connection pool to size, for the price of one small ONNX session (tens of kB) per
collection process. Scoring runs in a worker thread while the strokes go to the blob
store, and is waited for at most `timeout_s`: a slow, absent or failing model leaves
agreement null and never fails or holds up a submission.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from crowdsketch.common.scoring import Scorable, probabilities
from crowdsketch.raster import StrokesLike

logger = logging.getLogger(__name__)


class ActiveModel(Scorable, Protocol):
    @property
    def classes(self) -> list[str]: ...
    @property
    def version(self) -> int: ...


class ActiveModels(Protocol):
    """Where the model in service is found (`inference.manager.ModelManager`)."""

    @property
    def current(self) -> ActiveModel | None: ...


@dataclass(frozen=True)
class Agreement:
    # The model's probability that the drawing is the prompted shape; None when the model
    # was not trained on that shape.
    probability: float | None
    # The class the model ranks first, and which model said so.
    top_shape: str
    model_version: int


class ModelAgreement:
    def __init__(self, models: ActiveModels, timeout_s: float) -> None:
        self._models = models
        self._timeout_s = timeout_s

    @property
    def has_model(self) -> bool:
        """Whether a model is there to judge with (no task is worth starting otherwise)."""
        return self._models.current is not None

    async def judge(self, strokes: StrokesLike, shape_id: str) -> Agreement | None:
        """The active model's agreement with `shape_id`, or None when no model answered in time."""
        model = self._models.current  # one model for the whole judgement, whatever swaps meanwhile
        if model is None:
            return None
        try:
            async with asyncio.timeout(self._timeout_s):
                scores = await asyncio.to_thread(probabilities, model, strokes)
        except TimeoutError:
            logger.warning("model agreement skipped: the model took over %.3f s", self._timeout_s)
            return None
        except Exception:  # noqa: BLE001 - a model that fails must not fail the submission
            logger.warning("model agreement skipped: scoring failed", exc_info=True)
            return None
        ranked = scores.tolist()
        top = max(range(len(ranked)), key=ranked.__getitem__)
        probability = ranked[model.classes.index(shape_id)] if shape_id in model.classes else None
        return Agreement(
            probability=None if probability is None else round(float(probability), 4),
            top_shape=model.classes[top],
            model_version=model.version,
        )
