"""Stage 1, ingest: find the deliveries, read CSV/XLSX as Excel writes them, type, map, pseudonymise.

Entry point: :func:`pipeline.ingest.stage.run_ingest` (notebook ``01_clean``).
"""
