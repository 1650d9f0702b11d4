"""Provenance of a period (docs/outputs.md: ``reports/<PERIOD>/manifest.json``).

Nothing in the manifest differs between two runs on the same inputs and code, except fields
named ``*_at`` or ``duration_*``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.core.paths import ROOT
from pipeline.core.periods import Period


def sha256_file(path: Path) -> str:
    """sha256 of a file (the one implementation lives in :mod:`pipeline.orchestrate.provenance`)."""
    from pipeline.orchestrate.provenance import file_sha256

    return file_sha256(path)


def code_version() -> dict[str, Any]:
    """The git commit of the code, whether the work tree had uncommitted changes, and a hash of
    the code itself (``bronnen_sha256``: shows what a dirty tree contained; see
    :func:`pipeline.orchestrate.provenance.sources_fingerprint`). A run takes it once, at its start, so the
    pages and the manifest name the same version even when a commit lands meanwhile."""
    from pipeline.orchestrate.provenance import sources_fingerprint

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()

    sources = sources_fingerprint()
    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "onbekend", "dirty": None, "label": "onbekend", "bronnen_sha256": sources}
    return {
        "commit": commit,
        "dirty": dirty,
        "label": commit[:10] + ("+gewijzigd" if dirty else ""),
        "bronnen_sha256": sources,
    }


def environment_hash() -> str:
    """sha256 of the lock file: the exact environment the code ran in."""
    return sha256_file(ROOT / "requirements.lock")


def input_files(clean_dir: Path) -> list[dict[str, Any]]:
    """Every input file with its sha256, partner, dataset, delivery period and row counts."""
    files = pd.read_csv(clean_dir / "bestanden.csv", dtype=str, keep_default_na=False)
    out = []
    for row in files.sort_values("bestand").to_dict("records"):
        entry = {
            k: row.get(k, "") for k in ("bestand", "partner_id", "dataset", "levering_periode", "sha256", "status")
        }
        for k in ("rijen_gelezen", "rijen_leeg", "rijen_schoon", "rijen_afgekeurd"):
            value = row.get(k, "")
            entry[k] = int(float(value)) if value not in ("", None) else None
        out.append(entry)
    return out


def input_fingerprint(inputs: list[dict[str, Any]]) -> str:
    """Short hash of the input list (file names and contents): printed in every page footer."""
    text = json.dumps([(i["bestand"], i["sha256"]) for i in inputs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def write_json(path: Path, data: Any) -> None:
    """JSON the same way everywhere: sorted keys, 2-space indent, UTF-8, newline at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )


def write_manifest(
    period: Period,
    raw_dir: Path,
    clean_dir: Path,
    reports_dir: Path,
    inputs: list[dict[str, Any]],
    stage_params: list[dict],
    page_params: list[dict],
    timings: dict[str, float],
    code: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``reports/<PERIOD>/manifest.json`` (docs/outputs.md) and return it. ``code``: the run's
    :func:`code_version` (taken now when not given)."""
    import datetime as dt

    from pipeline.indicators.ratecard import load_rate_card
    from pipeline.orchestrate import outputs

    validation_path = clean_dir / "validatie.json"
    validation = json.loads(validation_path.read_text(encoding="utf-8")) if validation_path.exists() else {}
    card = load_rate_card()
    rate_versions_used = []
    opdrachten = reports_dir / "data" / "opdrachten.csv"
    if opdrachten.exists():
        used = pd.read_csv(opdrachten, dtype=str, keep_default_na=False)
        if "tariefversie" in used:
            rate_versions_used = sorted(v for v in used["tariefversie"].unique() if v)
    data = {
        "periode": period.code,
        "peildatum": period.peildatum.isoformat(),
        "code": code or code_version(),
        "omgeving_sha256": environment_hash(),
        "ruwe_map_is_demo": _is_demo(raw_dir),
        "invoer": inputs,
        "invoer_vingerafdruk": input_fingerprint(inputs),
        "tariefkaart": {
            "sha256": sha256_file(_rate_card_path()),
            "versies_gebruikt": rate_versions_used,
            "versies": sorted({str(v)[:10] for v in card["geldig_vanaf"]}),
        },
        "validatie": validation,
        "notebooks": stage_params + page_params,
        # every file of the build with its tier (deelbaar / intern), pipeline/orchestrate/outputs.py
        "uitvoer": outputs.listing(reports_dir, clean_dir),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "duration_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
    write_json(reports_dir / "manifest.json", data)
    return data


def _rate_card_path() -> Path:
    from pipeline.indicators.ratecard import rate_card_path

    return rate_card_path()  # the card the run used (SROI_RATE_CARD or the package's)


def _is_demo(raw_dir: Path) -> bool:
    try:
        from pipeline.ingest.pristine import is_pristine_demo
    except ImportError:
        return False
    return bool(is_pristine_demo(raw_dir))
