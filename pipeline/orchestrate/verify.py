"""``make verify PERIOD=...``: is the published period reproduced exactly by the current code?

The period is rebuilt from the raw folder into a fresh temporary folder (nothing published is
touched; earlier quarters are rebuilt there too, so nothing kept between runs plays a part) and
every file under ``reports/<P>`` and ``data/clean/<P>`` is compared byte for byte with the
rebuilt one; ``manifest.json`` after leaving out the fields named ``*_at`` and ``duration_*``
(docs/outputs.md: the only ones that may differ between two runs). Exit 0 when everything is
reproduced, 1 with the list of files that differ, are missing or are extra.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.paths import ROOT, clean_root, reports_root

VOLATILE_KEYS = ("*_at", "duration_*")


def say(message: str) -> None:
    print(f">> {message}", flush=True)


def stable_json(value: Any) -> Any:
    """``value`` without the keys named ``*_at`` or ``duration_*``, at any depth.

    >>> stable_json({"generated_at": "now", "duration_seconds": {"x": 1}, "code": {"commit": "ab"}})
    {'code': {'commit': 'ab'}}
    """
    if isinstance(value, dict):
        return {
            k: stable_json(v)
            for k, v in value.items()
            if not any(fnmatch.fnmatchcase(str(k), pattern) for pattern in VOLATILE_KEYS)
        }
    if isinstance(value, list):
        return [stable_json(v) for v in value]
    return value


def same_file(a: Path, b: Path) -> bool:
    """Byte-identical, except that two ``manifest.json`` compare without their volatile fields."""
    if a.name == "manifest.json":
        try:
            return stable_json(json.loads(a.read_bytes())) == stable_json(json.loads(b.read_bytes()))
        except ValueError:
            pass
    if a.stat().st_size != b.stat().st_size:
        return False
    return a.read_bytes() == b.read_bytes()


def files_under(folder: Path) -> set[str]:
    """Every file under ``folder`` as a posix path relative to it."""
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@dataclass
class Comparison:
    """Result of comparing published folders with rebuilt ones; paths as the user knows them."""

    compared: int = 0
    different: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # made by the rebuild, not published
    extra: list[str] = field(default_factory=list)  # published, not made by the rebuild

    @property
    def ok(self) -> bool:
        return not (self.different or self.missing or self.extra)

    def lines(self) -> list[str]:
        return (
            [f"verschilt | differs:             {p}" for p in self.different]
            + [f"ontbreekt | missing (published): {p}" for p in self.missing]
            + [f"extra     | extra (published):   {p}" for p in self.extra]
        )


def compare(pairs: list[tuple[str, Path, Path]]) -> Comparison:
    """Compare each (label, published folder, rebuilt folder); files named ``label/relative``."""
    result = Comparison()
    for label, published, rebuilt in pairs:
        ours, theirs = files_under(published), files_under(rebuilt)
        for name in sorted(ours & theirs):
            result.compared += 1
            if not same_file(published / name, rebuilt / name):
                result.different.append(f"{label}/{name}")
        result.missing += [f"{label}/{name}" for name in sorted(theirs - ours)]
        result.extra += [f"{label}/{name}" for name in sorted(ours - theirs)]
    return result


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def explain(published_reports: Path, rebuilt_reports: Path) -> list[str]:
    """Why the two builds may differ, from their manifests: other code, environment or inputs."""
    old, new = _manifest(published_reports), _manifest(rebuilt_reports)
    notes = []
    checks = (
        (("code", "commit"), "andere code-commit | other code commit"),
        (
            ("code", "bronnen_sha256"),
            "andere code (ook niet-vastgelegde wijzigingen) | other code (uncommitted changes included)",
        ),
        (("omgeving_sha256",), "andere omgeving (requirements.lock) | other environment"),
        (("invoer_vingerafdruk",), "andere aanleveringen | other input files"),
    )
    for keys, text in checks:
        a, b = old, new
        for key in keys:
            a, b = (a or {}).get(key), (b or {}).get(key)
        if a != b:
            notes.append(f"{text}: {a} → {b}")
    return notes


def rebuild(period: str, raw_dir: str, out_root: Path) -> subprocess.CompletedProcess:
    """``python -m pipeline.orchestrate.run report`` for ``period`` with its outputs under ``out_root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SROI_BUILD_")}
    env.update({"SROI_CLEAN_DIR": str(out_root / "clean"), "SROI_REPORTS_DIR": str(out_root / "reports")})
    return subprocess.run(
        [sys.executable, "-m", "pipeline.orchestrate.run", "report", "--period", period, "--raw-dir", raw_dir],
        cwd=ROOT,
        env=env,
    )


def verify(period: str, raw_dir: str, keep: bool = False) -> int:
    """Rebuild ``period`` in a temporary folder and compare; print the outcome; return exit code."""
    from pipeline.core.periods import parse_period
    from pipeline.orchestrate.provenance import quiet_period_lock

    period = parse_period(period).code
    published = [("reports/" + period, reports_root() / period), ("data/clean/" + period, clean_root() / period)]
    if not published[0][1].is_dir():
        print(
            f"FOUT: {period} is niet gepubliceerd (reports/{period} ontbreekt) | ERROR: {period} "
            f"is not published; run make report PERIOD={period} first",
            file=sys.stderr,
        )
        return 1
    work = Path(tempfile.mkdtemp(prefix=f"sroi-verify-{period}-"))
    try:
        say(f"{period} opnieuw bouwen in een tijdelijke map | rebuilding {period} in a temporary folder")
        proc = rebuild(period, raw_dir, work)
        if proc.returncode != 0:
            print(f"FOUT: opnieuw bouwen van {period} mislukt | ERROR: the rebuild of {period} failed", file=sys.stderr)
            return 1
        with quiet_period_lock(reports_root(), period):  # no publication of P while we compare
            result = compare(
                [
                    (label, folder, work / ("reports" if label.startswith("reports") else "clean") / period)
                    for label, folder in published
                ]
            )
            notes = explain(published[0][1], work / "reports" / period) if not result.ok else []
    finally:
        if keep:
            say(f"herbouwde kopie | rebuilt copy: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if result.ok:
        from pipeline.orchestrate.share import write_stamp

        write_stamp(period)  # make share trusts this publication until its manifest changes
        say(
            f"{period} is reproduceerbaar: alle {result.compared} bestanden in reports/{period} en "
            f"data/clean/{period} zijn exact opnieuw gemaakt | all {result.compared} files reproduced exactly"
        )
        return 0
    problems = result.different + result.missing + result.extra
    print(
        f"FOUT: {period} is niet exact reproduceerbaar: {len(problems)} bestand(en) wijken af | "
        f"ERROR: {period} is not reproduced exactly: {len(problems)} file(s) differ "
        f"({result.compared} compared)",
        file=sys.stderr,
    )
    for line in result.lines() + [f"mogelijke oorzaak | possible cause: {n}" for n in notes]:
        print(f"  {line}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.orchestrate.verify", description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True)
    parser.add_argument("--raw-dir", default="data/raw")
    parser.add_argument("--keep", action="store_true", help="keep the rebuilt copy (its path is printed)")
    args = parser.parse_args(argv)
    from pipeline.core.errors import PipelineError

    try:
        return verify(args.period, args.raw_dir, keep=args.keep)
    except PipelineError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
