"""Repository tooling, not part of a run: the benchmark, environment.yml, the raw-data guard."""
