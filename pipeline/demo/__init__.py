"""The synthetic demo region (``data/raw``): a generator of partner exports with real quirks.

Tooling, not production: no stage imports this package (the pristine-demo check lives in
:mod:`pipeline.ingest.pristine`). ``python -m pipeline.demo [--raw-dir DIR] [--scale N]``;
the generator itself is :mod:`pipeline.demo.generate`.
"""
