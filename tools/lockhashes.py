"""Add the sha256 of every released file to each pin of ``requirements.lock`` (``make lock``).

With hashes in the lock, ``pip install -r requirements.lock`` runs in hash-checking mode: a
file whose bytes differ from what PyPI published for that version is refused, whichever index
or mirror served it. The hashes come from PyPI's simple index (PEP 503 pages carry a
``#sha256=`` fragment per file); every file of the pinned version is listed, so the lock works
on any platform PyPI has a wheel for. Standard library only; the output is the format pip-tools
writes::

    pandas==3.1.1 \\
        --hash=sha256:4f16... \\
        --hash=sha256:593f...

    python tools/lockhashes.py requirements.lock        # rewrites the file in place
"""

from __future__ import annotations

import re
import sys
import urllib.request
from pathlib import Path

INDEX = "https://pypi.org/simple"


def normalise(name: str) -> str:
    """PEP 503 project name: ``Great_Expectations`` -> ``great-expectations``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _file_version(filename: str, project: str) -> str | None:
    """The version in a distribution's file name, or None when it is not one of ``project``'s."""
    stem = re.sub(r"\.(whl|tar\.gz|zip|tar\.bz2)$", "", filename)
    if stem == filename:
        return None
    # a wheel or sdist name: <name>-<version>[-...]; the name's own hyphens are underscores in wheels
    for cut in range(stem.count("-") + 1):
        parts = stem.split("-")
        name, version = "-".join(parts[: cut + 1]), (parts[cut + 1] if len(parts) > cut + 1 else "")
        if normalise(name) == project and version:
            return version
    return None


def hashes(name: str, version: str) -> list[str]:
    """Every sha256 PyPI lists for ``name``'s files of ``version``, sorted."""
    project = normalise(name)
    with urllib.request.urlopen(f"{INDEX}/{project}/", timeout=60) as response:
        page = response.read().decode("utf-8")
    found = set()
    for filename, digest in re.findall(r'href="[^"#]*/([^/"#]+)#sha256=([0-9a-f]{64})"', page):
        if _file_version(filename, project) == version:
            found.add(digest)
    if not found:
        raise SystemExit(f"no files on PyPI for {name}=={version}")
    return sorted(found)


def with_hashes(pins: list[str]) -> str:
    out = []
    for pin in pins:
        name, version = pin.split("==")
        lines = [f"{pin} \\"] + [f"    --hash=sha256:{h} \\" for h in hashes(name, version)]
        lines[-1] = lines[-1].removesuffix(" \\")
        out += lines
    return "\n".join(out) + "\n"


def main(path: str) -> None:
    lock = Path(path)
    text = lock.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    pins = [
        line.strip().removesuffix("\\").strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#") and not line.strip().startswith("--hash")
    ]
    lock.write_text("\n".join(header) + "\n" + with_hashes(pins), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
