"""Sections of the report pages: each returns a table or chart for one notebook cell.

The notebooks under ``notebooks/1*_*.ipynb`` hold the narrative; these functions only select,
suppress (:mod:`pipeline.disclosure.suppress`) and format (:mod:`pipeline.report.formatting`) what the compute
step wrote. Every person count on a regional or partner page passes through
``suppress_small_counts``.
"""
