"""Run-level errors, the demo key and the raw-data guard (issue: hardening).

A run-level error (no register, a broken register, nothing delivered, no key for real data, a
bad period, a broken rate card, outputs tangled with the raw folder) stops the run with exactly
one line on stderr, ``FOUT: <Dutch> | ERROR: <English>``, a non-zero exit, no traceback and
nothing published. Each case runs ``python -m pipeline.orchestrate.run report`` on a small raw folder in tmp.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.errors import PipelineError
from pipeline.core.paths import DEMO_RAW_DIR, ROOT
from tests.conftest import CORPUS_DIR, run_report

PERIOD = "2021Q3"
KEY = "hardening-sleutel-5e1d77b2-niet-publiceren"
CORPUS_GOOD = CORPUS_DIR / "goed"
REGISTER = (CORPUS_GOOD / "partners.csv").read_text(encoding="utf-8")
RATE_CARD = ROOT / "pipeline" / "config" / "bouwblokken.csv"


def _raw(tmp_path: Path, register: str | None = REGISTER, period: str = PERIOD) -> Path:
    """A small raw folder: the corpus's good deliveries (under ``period``) and a register."""
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS_GOOD / "2021Q3", raw / period)
    if register is not None:
        (raw / "partners.csv").write_text(register, encoding="utf-8")
    return raw


def _overlapping_card(tmp_path: Path) -> Path:
    lines = RATE_CARD.read_text(encoding="utf-8").splitlines()
    # the 2016 version of bbl made open-ended: it runs into the 2021 version
    lines = [
        ln.replace(",36,2016-01-01,2020-12-31", ",36,2016-01-01,") if ln.startswith("bbl,") else ln for ln in lines
    ]
    card = tmp_path / "bouwblokken_overlap.csv"
    card.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return card


def _case(name: str, tmp_path: Path) -> tuple[Path, str, dict[str, str], str]:
    """(raw folder, period, extra environment, Dutch words the one line must hold)."""
    key = {"SROI_PSEUDONYM_KEY": KEY}
    if name == "missing_partners_csv":
        return _raw(tmp_path, register=None), PERIOD, key, "partners.csv ontbreekt"
    if name == "duplicate_partner_id":
        return (
            _raw(tmp_path, REGISTER + "bouw-noord,Bouw Noord twee,opdrachtnemer,11223344\n"),
            PERIOD,
            key,
            "partner_id 'bouw-noord' komt meer dan eens voor",
        )
    if name == "bad_rol":
        return (
            _raw(tmp_path, REGISTER + "aannemer-x,Aannemer X,aannemer,11223344\n"),
            PERIOD,
            key,
            "rol 'aannemer' is niet een van",
        )
    if name == "bad_kvk":
        return (
            _raw(tmp_path, REGISTER + "aannemer-x,Aannemer X,opdrachtnemer,1234-AB\n"),
            PERIOD,
            key,
            "kvk '1234-AB' is geen 8 cijfers",
        )
    if name == "no_deliveries_for_the_period":
        return _raw(tmp_path, period="2021Q2"), PERIOD, key, f"geen enkele levering voor {PERIOD}"
    if name == "no_key_for_real_data":
        return _raw(tmp_path), PERIOD, {}, "geen pseudonimiseringssleutel"
    if name == "invalid_period":
        return _raw(tmp_path), "2021Q9", key, "ongeldige periode '2021Q9'"
    if name == "overlapping_rate_card":
        return (
            _raw(tmp_path),
            PERIOD,
            {**key, "SROI_RATE_CARD": str(_overlapping_card(tmp_path))},
            "versies van bouwblok bbl overlappen",
        )
    if name == "reports_inside_the_raw_folder":
        raw = _raw(tmp_path)
        return raw, PERIOD, {**key, "SROI_REPORTS_DIR": str(raw / "rapporten")}, "ligt in de ruwe map"
    raise AssertionError(name)


RUN_LEVEL = [
    "missing_partners_csv",
    "duplicate_partner_id",
    "bad_rol",
    "bad_kvk",
    "no_deliveries_for_the_period",
    "no_key_for_real_data",
    "invalid_period",
    "overlapping_rate_card",
    "reports_inside_the_raw_folder",
]


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _assert_one_clear_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return lines[0]


@pytest.mark.slow  # a pipeline process per case
@pytest.mark.parametrize("name", RUN_LEVEL)
def test_run_level_error_stops_with_one_line_and_publishes_nothing(name, tmp_path):
    raw, period, env, words = _case(name, tmp_path)
    before = _tree_hashes(raw)
    out = tmp_path / "out"
    proc = run_report(period, raw, out, env)
    line = _assert_one_clear_line(proc)
    assert line.startswith("FOUT: ") and " | ERROR: " in line and words in line, line
    reports = Path(env.get("SROI_REPORTS_DIR", out / "reports"))
    assert not (reports / PERIOD).exists() and not (out / "clean" / PERIOD).exists()
    assert _tree_hashes(raw) == before  # nothing written, moved or removed in the raw folder
    assert not (raw / "rapporten").exists()
    assert KEY not in proc.stdout + proc.stderr


def test_invalid_period_via_make_stops_in_one_line(tmp_path):
    raw = _raw(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.update(
        {"SROI_CLEAN_DIR": str(tmp_path / "out" / "clean"), "SROI_REPORTS_DIR": str(tmp_path / "out" / "reports")}
    )
    proc = subprocess.run(
        ["make", "--no-print-directory", "report", "PERIOD=2021Q9", f"RAW_DIR={raw}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    line = _assert_one_clear_line(proc)
    # make prints its own location before the message ("Makefile:32: *** ...")
    assert "ongeldige periode '2021Q9'" in line and "invalid period '2021Q9'" in line, line
    assert not (tmp_path / "out").exists()


def test_the_demo_key_is_accepted_only_on_the_pristine_demo(tmp_path, monkeypatch):
    from pipeline.ingest.pseudonym import DEMO_KEY, load_key
    from pipeline.ingest.stage import preflight

    monkeypatch.delenv("SROI_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("SROI_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.delenv("SROI_RATE_CARD", raising=False)
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(tmp_path / "reports"))
    assert load_key(DEMO_RAW_DIR) == DEMO_KEY.encode()
    preflight(PERIOD, DEMO_RAW_DIR)  # the whole run-level check passes on the untouched demo
    copy = tmp_path / "raw"
    shutil.copytree(DEMO_RAW_DIR, copy)
    (copy / PERIOD / "gemeente-groningen" / "opdrachten_extra.csv").write_text("echt\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="geen pseudonimiseringssleutel"):
        preflight(PERIOD, copy)


def test_the_key_is_never_in_the_logs():
    logs = ROOT / "logs"
    for path in (p for p in logs.rglob("*") if p.is_file()) if logs.is_dir() else []:
        text = path.read_bytes()
        assert KEY.encode() not in text and b"corpus-sleutel-7f3c9a1e" not in text, path.name


# ---------------------------------------------------------------------------------------------
# The guard that keeps real partner data out of git (tools/guard.py)
# ---------------------------------------------------------------------------------------------


def _guard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.guard", *args], cwd=ROOT, capture_output=True, text=True)


def test_guard_passes_the_committed_demo_data():
    proc = _guard()
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_guard_lists_real_and_edited_files(tmp_path):
    copy = tmp_path / "raw"
    shutil.copytree(DEMO_RAW_DIR, copy)
    assert _guard("--raw-dir", str(copy)).returncode == 0
    (copy / PERIOD / "gemeente-groningen" / "inzet_echt.csv").write_text("regel_id;kandidaat_bsn\n", encoding="utf-8")
    edited = copy / "partners.csv"
    edited.write_bytes(edited.read_bytes() + b"nieuw,Nieuw,opdrachtgever,\n")
    proc = _guard("--raw-dir", str(copy))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{PERIOD}/gemeente-groningen/inzet_echt.csv: niet in DEMO_MANIFEST.json")
    assert lines[1].startswith("partners.csv: inhoud wijkt af van DEMO_MANIFEST.json")
    assert lines[2].startswith("FOUT: 2 bestand(en)") and len(lines) == 3


def test_guard_checks_what_is_staged_for_a_commit(tmp_path):
    from tools import guard

    repo = tmp_path / "repo"
    raw = repo / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "demo.csv").write_text("a;b\n", encoding="utf-8")
    manifest = {"demo.csv": hashlib.sha256(b"a;b\n").hexdigest()}
    (raw / guard.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    (raw / "echt.csv").write_text("kandidaat_bsn\n", encoding="utf-8")
    (repo / "elders.txt").write_text("x\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(
        ["git", "add", "data/raw/demo.csv", "data/raw/DEMO_MANIFEST.json", "elders.txt"], cwd=repo, check=True
    )
    assert guard.unlisted_staged(repo, raw) == []
    subprocess.run(["git", "add", "data/raw/echt.csv"], cwd=repo, check=True)
    assert [rel for rel, _ in guard.unlisted_staged(repo, raw)] == ["echt.csv"]
    (raw / "demo.csv").write_text("a;b;c\n", encoding="utf-8")  # edited after staging: the index counts
    assert [rel for rel, _ in guard.unlisted_staged(repo, raw)] == ["echt.csv"]
    subprocess.run(["git", "add", "data/raw/demo.csv"], cwd=repo, check=True)
    assert [rel for rel, _ in guard.unlisted_staged(repo, raw)] == ["demo.csv", "echt.csv"]
