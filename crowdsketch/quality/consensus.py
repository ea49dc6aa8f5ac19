"""The crowd's verdict on each drawing, and how far each contributor is trusted.

Every yes/no answer of peer verification goes to crowd-kit's Dawid–Skene: it estimates,
together, the probability that each drawing is the shape it was asked about (its
*consensus*) and each voter's confusion matrix, so that a voter who agrees with the crowd
counts for more than one who answers at random, and "no" from reliable voters outweighs
"yes" from careless ones. "Not sure" says nothing about the drawing and is left out.

A contributor's trust combines two pieces of evidence, each counted by how much of it
there is, and starts from an even 0.5 worth two observations:
- *skill*, their chance of answering right (their confusion matrix weighted by the classes'
  prior), over the yes/no answers they gave;
- *confirmation*, the mean consensus on their own drawings, over the drawings judged.

The aggregation reads every vote and rewrites every verdict: a `quality_aggregate` job, run
by the workers when new votes have come in (on both stacks), never in a request.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crowdsketch.db.engine import Database
from crowdsketch.db.models import ContributorTrust, Drawing, TrainingJob, VerificationTask, VerificationVote

logger = logging.getLogger(__name__)

PRIOR_TRUST = 0.5
PRIOR_WEIGHT = 2.0
DAWID_SKENE_ITERATIONS = 100


@dataclass(frozen=True)
class Verdicts:
    """What one aggregation found: per task (consensus, yes, no) and per session trust."""

    consensus: dict[uuid.UUID, tuple[float, int, int]]
    trust: dict[str, dict[str, Any]]


def dawid_skene(votes: list[tuple[uuid.UUID, str, str]]) -> tuple[dict[uuid.UUID, float], dict[str, float]]:
    """(task, session, "yes"|"no") answers → P(yes) per task and each session's skill."""
    import pandas as pd
    from crowdkit.aggregation import DawidSkene

    frame = pd.DataFrame(
        {"task": [str(t) for t, _, _ in votes], "worker": [w for _, w, _ in votes], "label": [a for _, _, a in votes]}
    )
    with warnings.catch_warnings():
        # crowd-kit 1.4 still passes pandas keywords (inplace=, copy=) that pandas 3 deprecates.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        model = DawidSkene(n_iter=DAWID_SKENE_ITERATIONS).fit(frame)
    probabilities = model.probas_
    yes = probabilities["yes"] if "yes" in probabilities.columns else pd.Series(0.0, index=probabilities.index)
    consensus = {uuid.UUID(str(task)): float(p) for task, p in yes.items()}
    priors = model.priors_
    skill: dict[str, float] = {}
    errors = model.errors_  # rows (worker, answer given), columns the true label: P(answer | truth)
    for worker in frame["worker"].unique():
        right = 0.0
        for truth, prior in priors.items():
            if (worker, truth) in errors.index and truth in errors.columns:
                right += float(prior) * float(errors.loc[(worker, truth), truth])
        skill[str(worker)] = right
    return consensus, skill


def combine_trust(skill: float | None, votes: int, confirmation: float | None, judged: int) -> float:
    weight, total = PRIOR_WEIGHT, PRIOR_WEIGHT * PRIOR_TRUST
    if skill is not None and votes:
        weight, total = weight + votes, total + votes * skill
    if confirmation is not None and judged:
        weight, total = weight + judged, total + judged * confirmation
    return total / weight


async def _read_votes(session: AsyncSession) -> tuple[list[tuple[uuid.UUID, str, str]], dict[uuid.UUID, str | None]]:
    """Every yes/no answer, and the author of each current-label task (a relabelled
    drawing's old question is not evidence about its author)."""
    answers = await session.execute(
        select(VerificationVote.task_id, VerificationVote.session_id, VerificationVote.answer)
        .where(VerificationVote.answer.in_(("yes", "no")))
        .order_by(VerificationVote.task_id, VerificationVote.session_id)
    )
    authors = await session.execute(
        select(VerificationTask.id, VerificationTask.session_id)
        .join(Drawing, Drawing.id == VerificationTask.drawing_id)
        .where(Drawing.shape_id == VerificationTask.shape_id)
    )
    return [(t, s, a) for t, s, a in answers.all()], dict(authors.all())


def verdicts(votes: list[tuple[uuid.UUID, str, str]], authors: dict[uuid.UUID, str | None]) -> Verdicts:
    if not votes:
        return Verdicts({}, {})
    consensus, skill = dawid_skene(votes)
    tallies: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    answered: dict[str, int] = defaultdict(int)
    for task, voter, answer in votes:
        tallies[task][0 if answer == "yes" else 1] += 1
        answered[voter] += 1
    judged: dict[str, list[float]] = defaultdict(list)
    for task, probability in consensus.items():
        author = authors.get(task)
        if author is not None:
            judged[author].append(probability)
    trust: dict[str, dict[str, Any]] = {}
    for session_id in set(answered) | set(judged):
        own = judged.get(session_id, [])
        confirmation = sum(own) / len(own) if own else None
        voter_skill = skill.get(session_id)
        trust[session_id] = {
            "skill": voter_skill, "confirmation": confirmation, "votes": answered.get(session_id, 0),
            "judged_drawings": len(own),
            "trust": combine_trust(voter_skill, answered.get(session_id, 0), confirmation, len(own)),
        }
    return Verdicts({t: (p, *tallies[t]) for t, p in consensus.items()}, trust)


_SET_CONSENSUS = (
    update(VerificationTask)
    .where(VerificationTask.id == bindparam("task_id"))
    .values(consensus=bindparam("p"), consensus_yes=bindparam("yes_votes"), consensus_no=bindparam("no_votes"))
)


async def aggregate(db: Database) -> Verdicts:
    """Read every vote, infer, and rewrite every verdict and trust in one transaction."""
    votes, authors = await db.run(_read_votes, write=False)
    found = verdicts(votes, authors)
    now = datetime.now(UTC)

    async def save(session: AsyncSession) -> None:
        connection = await session.connection()
        if found.consensus:
            await connection.execute(_SET_CONSENSUS, [
                {"task_id": task, "p": p, "yes_votes": yes, "no_votes": no} for task, (p, yes, no) in found.consensus.items()
            ])
        await connection.execute(delete(ContributorTrust))
        if found.trust:
            await connection.execute(insert(ContributorTrust), [
                {"session_id": session_id, "computed_at": now, **values} for session_id, values in found.trust.items()
            ])

    await db.run(save)
    logger.info("crowd verdicts aggregated", extra={"votes": len(votes), "tasks": len(found.consensus),
                                                    "contributors": len(found.trust)})
    return found


AGGREGATE_KIND = "aggregate"


async def needs_aggregation(session: AsyncSession) -> bool:
    """A yes or no answer came in after the last aggregation job (not failed) was started:
    that job read every answer up to its start, or will when it runs."""
    last = (await session.execute(
        select(func.max(TrainingJob.created_at)).where(TrainingJob.kind == AGGREGATE_KIND, TrainingJob.status != "failed")
    )).scalar_one()
    newer = select(VerificationVote.id).where(VerificationVote.answer.in_(("yes", "no")))
    if last is not None:
        newer = newer.where(VerificationVote.created_at > last)
    return (await session.execute(newer.limit(1))).first() is not None
