"""Datasets and contributors' rights over their drawings: a contributor's own export and
withdrawal (snapshots, datasheets, consent and terms are to come here too)."""
