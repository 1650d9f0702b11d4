"""Integration tests: build a period, run the notebooks in kernels, start a browser (all marked slow)."""
