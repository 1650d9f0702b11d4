"""The run: the DAG of stages, kernels, provenance, manifest, atomic publication, verification."""
