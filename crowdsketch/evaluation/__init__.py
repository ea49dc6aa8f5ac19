"""Evaluation sets, and scoring models on labelled drawings.

`report` measures a model on a labelled file (`crowdsketch evaluate`); `service` keeps the
registered evaluation sets, keeps their drawings out of training and scores models on them.
"""

from crowdsketch.evaluation.report import EvaluationReport, evaluate

__all__ = ["EvaluationReport", "evaluate"]
