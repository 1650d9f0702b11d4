"""Keep real partner data out of git: only the synthetic demo set may live in ``data/raw/``.

``data/raw/DEMO_MANIFEST.json`` lists every generated demo file with its sha256. Anything else
under ``data/raw/`` (a real export dropped there for a quick run, a demo file edited by hand) is
listed, one line per file, and the exit code is 1:

    .venv/bin/python -m tools.guard                # the data/raw folder as it is
    .venv/bin/python -m tools.guard --staged       # only what is staged for the next commit
    .venv/bin/python -m tools.guard --install-hook # run --staged before every git commit

The pre-commit hook (``.git/hooks/pre-commit``) refuses a commit that would add such a file.
Real exports belong in a folder outside the repository (README: ``RAW_DIR=/secure/...``).
The guard reads file names and checksums only; it never prints a file's content.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

from pipeline.core.paths import DEMO_RAW_DIR, ROOT

MANIFEST_NAME = "DEMO_MANIFEST.json"
HOOK = """#!/bin/sh
# installed by: python -m tools.guard --install-hook
# refuses a commit that adds anything under data/raw/ beyond the synthetic demo set
exec "{python}" -m tools.guard --staged
"""


def _manifest(raw_dir: Path) -> dict[str, str]:
    try:
        listed = json.loads((raw_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return listed if isinstance(listed, dict) else {}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unlisted_files(raw_dir: Path = DEMO_RAW_DIR) -> list[tuple[str, str]]:
    """``(path relative to raw_dir, why)`` for every file that is not an unchanged demo file.

    >>> unlisted_files()
    []
    """
    raw_dir = Path(raw_dir)
    listed = _manifest(raw_dir)
    found = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir).as_posix()
        if rel == MANIFEST_NAME:
            continue
        found.extend(_judge(rel, listed, path.read_bytes()))
    return found


def unlisted_staged(repo: Path = ROOT, raw_dir: Path = DEMO_RAW_DIR) -> list[tuple[str, str]]:
    """The same judgement for the files under ``raw_dir`` staged in ``repo``'s index (added,
    copied, modified or renamed), on their staged content."""
    prefix = Path(raw_dir).resolve().relative_to(Path(repo).resolve()).as_posix()
    names = _git(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--", prefix)
    listed = _manifest(raw_dir)
    found = []
    for name in sorted(n for n in names.decode("utf-8").split("\0") if n):
        rel = name[len(prefix) + 1 :]
        if rel == MANIFEST_NAME:
            continue
        found.extend(_judge(rel, listed, _git(repo, "cat-file", "blob", f":{name}")))
    return found


def _judge(rel: str, listed: dict[str, str], data: bytes) -> list[tuple[str, str]]:
    if rel not in listed:
        return [(rel, "niet in DEMO_MANIFEST.json | not in DEMO_MANIFEST.json")]
    if listed[rel] != _sha256(data):
        return [(rel, "inhoud wijkt af van DEMO_MANIFEST.json | content differs from DEMO_MANIFEST.json")]
    return []


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout


def install_hook(repo: Path = ROOT) -> Path:
    """Write ``.git/hooks/pre-commit`` running the staged check with this Python."""
    hooks = Path(_git(repo, "rev-parse", "--git-path", "hooks").decode().strip())
    hooks = hooks if hooks.is_absolute() else Path(repo) / hooks
    hooks.mkdir(parents=True, exist_ok=True)
    hook = hooks / "pre-commit"
    hook.write_text(HOOK.format(python=sys.executable), encoding="utf-8")
    hook.chmod(0o755)
    return hook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.guard", description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=DEMO_RAW_DIR, help="the folder to check (default data/raw)")
    parser.add_argument("--staged", action="store_true", help="check only what is staged for the next commit")
    parser.add_argument("--install-hook", action="store_true", help="install the git pre-commit hook")
    args = parser.parse_args(argv)
    if args.install_hook:
        print(f"pre-commit hook geïnstalleerd | installed: {install_hook()}")
        return 0
    try:
        found = unlisted_staged(raw_dir=args.raw_dir) if args.staged else unlisted_files(args.raw_dir)
    except (subprocess.CalledProcessError, OSError, ValueError) as exc:
        print(
            f"FOUT: controle van {args.raw_dir} mislukt ({type(exc).__name__}) | ERROR: check failed", file=sys.stderr
        )
        return 2
    if not found:
        return 0
    for rel, why in found:
        print(f"{rel}: {why}", file=sys.stderr)
    print(
        f"FOUT: {len(found)} bestand(en) in {args.raw_dir} horen niet bij de demodata; echte aanleveringen "
        f"horen buiten de repository | ERROR: {len(found)} file(s) are not demo data; real deliveries "
        "belong outside the repository",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
