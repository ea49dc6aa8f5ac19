"""Game drawings as ground truth: while an experiment runs, each stored game drawing is
scored by both arms after its answer has gone (never on the submission's path), and the
pair is kept with the prompt as the truth."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from crowdsketch.experiments.service import ExperimentService

logger = logging.getLogger(__name__)

# Both arms' top shape for the strokes, or None when no experiment runs (the inference
# side's ModelManager.score_both).
ScoreBoth = Callable[[list], tuple[uuid.UUID, str, str] | None]


class ExperimentShadow:
    def __init__(self, experiments: ExperimentService, score_both: ScoreBoth,
                 experimenting: Callable[[], bool]) -> None:
        self._experiments = experiments
        self._score_both = score_both
        # Asked first, so that without an experiment a drawing costs no task and no thread.
        self._experimenting = experimenting
        self._tasks: set[asyncio.Task[None]] = set()

    def observe(self, row: dict[str, Any], strokes: list) -> None:
        """Called for each stored drawing; only game drawings count."""
        if row["source"] != "game" or not self._experimenting():
            return
        task = asyncio.get_running_loop().create_task(self._score(row["id"], row["shape_id"], strokes))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _score(self, drawing_id: uuid.UUID, truth: str, strokes: list) -> None:
        try:
            scored = await asyncio.to_thread(self._score_both, strokes)
            if scored is not None:
                experiment_id, control_shape, treatment_shape = scored
                await self._experiments.record_game(experiment_id, drawing_id, truth, control_shape, treatment_shape)
        except Exception:  # noqa: BLE001 - a lost shadow score costs one label, never a submission
            logger.warning("shadow scoring of a game drawing failed", exc_info=True)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)
