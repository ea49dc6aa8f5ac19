"""crowdsketch: crowdsourced drawings to shape classifiers."""

__version__ = "0.1.0"
