"""Stage 2, validate: the Great Expectations suites, row rejections, findings across datasets.

Entry point: :func:`pipeline.validate.stage.run_validation` (notebook ``02_validate``).
"""
