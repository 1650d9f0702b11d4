"""Is a raw folder the untouched synthetic demo set? (docs/domain.md: only it may use the demo key.)

The demo generator (:mod:`pipeline.demo`) writes ``DEMO_MANIFEST.json`` listing every file it
wrote with its sha256. Production asks this module, never the generator, so a run never imports
the demo tooling.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.ingest import rawfs

MANIFEST_NAME = "DEMO_MANIFEST.json"


def is_pristine_demo(raw_dir: Path) -> bool:
    """True when ``raw_dir`` holds exactly the generated demo files, unchanged.

    That is: ``DEMO_MANIFEST.json`` exists and the entries under ``raw_dir`` (except the
    manifest) are exactly its keys, each a regular file (a link or a pipe is never the demo) with
    the listed sha256. Only then may the demo pseudonymisation key be used (docs/architecture.md).

    >>> import tempfile; is_pristine_demo(Path(tempfile.mkdtemp()))
    False
    """
    raw_dir = Path(raw_dir)
    try:
        listed = json.loads(rawfs.read_regular(raw_dir / MANIFEST_NAME).decode("utf-8"))
    except (OSError, ValueError, rawfs.NotRegularFileError):
        return False
    if not isinstance(listed, dict) or not raw_dir.is_dir() or raw_dir.is_symlink():
        return False
    present = {p.relative_to(raw_dir).as_posix(): (p, kind) for p, kind in rawfs.walk(raw_dir)}
    present.pop(MANIFEST_NAME, None)
    if set(present) != set(listed) or any(kind != "file" for _, kind in present.values()):
        return False
    return all(hashlib.sha256(rawfs.read_regular(present[rel][0])).hexdigest() == listed[rel] for rel in sorted(listed))
