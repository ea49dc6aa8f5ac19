"""A label-issue scan job, as a worker runs it: the drawings, the ranking, kept with the job.

The drawings are those a training job of the same shapes would take, less the synthetic
ones (a program's labels are right by construction): real, unflagged, never an evaluation
set's. `label_issues.scan` trains `folds` models of the current recipe, each without the
drawings it then scores, and cleanlab ranks the labels; `quality/issues.py` keeps it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from sqlalchemy import select

from crowdsketch.db.models import Shape
from crowdsketch.errors import ValidationError
from crowdsketch.quality.issues import SCAN_KIND, RankedDrawing, save_scan
from crowdsketch.raster import DEFAULT_SPEC
from crowdsketch.training.dataset import build_dataset
from crowdsketch.training.schemas import LabelIssueScanConfig

if TYPE_CHECKING:
    from crowdsketch.db.models import TrainingJob
    from crowdsketch.resources import Resources
    from crowdsketch.training.job_events import Starter
    from crowdsketch.training.jobs import TrainingJobs


async def start_scan(
    jobs: TrainingJobs, starter: Starter, config: LabelIssueScanConfig, *, publish: bool = True
) -> tuple[TrainingJob, bool]:
    """A scan job, published unless the caller runs it itself (or the unfinished one of the
    same config). True if new."""
    if config.shapes is not None:
        async with jobs.db.request_session() as session:
            known = set((await session.execute(select(Shape.id).where(Shape.id.in_(config.shapes)))).scalars())
        unknown = [(i, s) for i, s in enumerate(config.shapes) if s not in known]
        if unknown:
            raise ValidationError(
                f"shapes: no shape {unknown[0][1]!r}",
                details=[{"field": f"shapes[{i}]", "message": f"no shape {s!r}"} for i, s in unknown],
            )
        config = config.model_copy(update={"shapes": sorted(set(config.shapes))})
    return await jobs.start_kind(starter, SCAN_KIND, config.model_dump(by_alias=True), "label_issues.scan",
                                 publish=publish)


async def run_scan(resources: Resources, job: TrainingJob, stop: threading.Event) -> int:
    """Rank the drawings and keep the ranking under the job. Says how many were ranked."""
    # Here, not at the top: starting a scan (the admin process) needs no torch.
    from crowdsketch.training.label_issues import scan
    from crowdsketch.training.trainer import TrainConfig

    config = LabelIssueScanConfig.model_validate(job.config)
    dataset = await build_dataset(
        resources.db, resources.blobs, resources.blob_guard,
        {"shapes": config.shapes, "includeSynthetic": False, "seed": config.seed}, DEFAULT_SPEC,
        paths=False,  # the scan's folds train on the raster alone (training/label_issues.py)
    )
    issues = await asyncio.to_thread(
        scan, dataset.images, dataset.labels, dataset.classes, TrainConfig(epochs=config.epochs, seed=config.seed),
        folds=config.folds, variants=dataset.variants, variant_of=dataset.variant_of, should_stop=stop.is_set,
    )
    classes = dataset.classes
    ranking = [
        RankedDrawing(dataset.drawing_ids[issue.index], classes[issue.given], classes[issue.suggested], issue.score,
                      issue.flagged)
        for issue in issues
    ]
    await resources.db.run(lambda session: save_scan(session, job.id, ranking))
    return len(ranking)
