"""What several domains share and no domain owns."""
