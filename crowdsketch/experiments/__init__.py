"""A/B experiments of model versions: assignment, ground truth, statistics, decisions."""
