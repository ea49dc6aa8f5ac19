"""Which drawings a filter chooses: one definition for snapshots, training jobs and scans.

The filter is the camelCase dict a snapshot stores and a training config carries: drawings
of the given shapes (active ones only), unflagged unless asked, of quality at least
`minQuality`, of model agreement at least `minAgreement` when set (a drawing no model scored
stays), of crowd consensus at least `minConsensus` and by contributors trusted at least
`minTrust` when set (a drawing nobody judged, or whose contributor is not yet judged,
stays), of the given `sources` when set, synthetic ones unless asked not to, and never one
that an evaluation set holds (matched by content hash, whatever its source).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select

from crowdsketch.db.models import ContributorTrust, Drawing, EvalSetDrawing, Shape, VerificationTask


def drawing_clauses(selection: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    active = select(Shape.id).where(Shape.active.is_(True))
    if selection.get("shapes"):
        active = active.where(Shape.id.in_(selection["shapes"]))
    clauses: list[ColumnElement[bool]] = [
        Drawing.shape_id.in_(active),
        Drawing.quality_score >= float(selection.get("minQuality") or 0.0),
        Drawing.content_hash.not_in(select(EvalSetDrawing.content_hash)),
    ]
    if not selection.get("includeFlagged", False):
        clauses.append(Drawing.flagged.is_(False))
    if not selection.get("includeSynthetic", True):
        clauses.append(Drawing.source != "synthetic")
    if selection.get("sources"):
        clauses.append(Drawing.source.in_(selection["sources"]))
    if selection.get("minAgreement") is not None:
        # A drawing no model scored has no agreement: unknown is not disagreement.
        clauses.append(or_(Drawing.model_agreement.is_(None), Drawing.model_agreement >= float(selection["minAgreement"])))
    if selection.get("minConsensus") is not None:
        # The verdict on the drawing's current label; a drawing nobody judged stays.
        task = VerificationTask
        clauses.append(~exists().where(
            task.drawing_id == Drawing.id, task.shape_id == Drawing.shape_id,
            task.consensus < float(selection["minConsensus"]),
        ))
    if selection.get("minTrust") is not None:
        clauses.append(~exists().where(
            ContributorTrust.session_id == Drawing.session_id, ContributorTrust.trust < float(selection["minTrust"])
        ))
    return clauses
