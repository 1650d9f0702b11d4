"""Reproducible reporting pipeline for social return (SROI) in a regional jobs programme."""

__version__ = "0.1.0"
