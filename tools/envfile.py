"""Derive ``environment.yml`` (for conda users) from ``requirements.lock``.

The lock is the single source of truth: conda gets the same Python minor version and installs
every pinned package with pip, so both routes give the same versions. Standard library only, so
``make env-file`` runs without the project's environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_lock(path: Path) -> list[str]:
    r"""The ``name==version`` pins of a lock file; comments, blanks and ``--hash`` lines skipped.

    >>> import tempfile; f = Path(tempfile.mkdtemp(), "lock")
    >>> _ = f.write_text("# c\nsix==1.16.0 \\\n    --hash=sha256:8abb\nsix2==1.0\n")
    >>> read_lock(f)
    ['six==1.16.0', 'six2==1.0']
    """
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().removesuffix("\\").strip()
        if line and not line.startswith(("#", "--hash")):
            pins.append(line)
    return pins


def environment_yml(pins: list[str]) -> str:
    """The conda environment file for the given pins."""
    lines = [
        "# Generated from requirements.lock by `make env-file`; do not edit by hand.",
        "name: sroi-pipeline",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {pin}" for pin in pins]
    return "\n".join(lines) + "\n"


def main() -> None:
    sys.stdout.write(environment_yml(read_lock(ROOT / "requirements.lock")))


if __name__ == "__main__":
    main()
