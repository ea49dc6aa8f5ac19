"""Ports: narrow typed interfaces to the outside world, each with two adapters chosen by URL."""
