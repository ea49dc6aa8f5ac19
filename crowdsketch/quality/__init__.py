"""Crowd quality control: what the model makes of each drawing as it arrives (agreement),
and contributors verifying each other's drawings in the game (verification)."""
