"""``make verify``: a published period is rebuilt elsewhere and compared file by file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.paths import ROOT
from pipeline.orchestrate import verify
from tests.conftest import SMALL_PERIOD, report_env, skip_if_code_changed


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_manifest_compares_without_times_and_durations(tmp_path):
    a = _write(
        tmp_path / "a" / "manifest.json",
        json.dumps(
            {"periode": "2019Q2", "generated_at": "2021-10-01T10:00:00+00:00", "duration_seconds": {"render": 1.5}}
        ),
    )
    b = _write(
        tmp_path / "b" / "manifest.json",
        json.dumps(
            {"generated_at": "2022-01-01T00:00:00+00:00", "periode": "2019Q2", "duration_seconds": {"render": 9}}
        ),
    )
    c = _write(tmp_path / "c" / "manifest.json", json.dumps({"periode": "2019Q3"}))
    assert verify.same_file(a, b)
    assert not verify.same_file(a, c)


def test_other_files_compare_byte_for_byte(tmp_path):
    # same JSON content, other key order: not the same bytes, so not reproduced
    a = _write(tmp_path / "a" / "regio.json", '{"a": 1, "b": 2}\n')
    b = _write(tmp_path / "b" / "regio.json", '{"b": 2, "a": 1}\n')
    assert not verify.same_file(a, b)


def test_compare_lists_differing_missing_and_extra_files(tmp_path):
    for name, text in {"index.html": "x", "data/a.csv": "1", "old.csv": "o"}.items():
        _write(tmp_path / "pub" / name, text)
    for name, text in {"index.html": "x", "data/a.csv": "2", "new.csv": "n"}.items():
        _write(tmp_path / "new" / name, text)
    result = verify.compare([("reports/2019Q2", tmp_path / "pub", tmp_path / "new")])
    assert (result.compared, result.different, result.missing, result.extra) == (
        2,
        ["reports/2019Q2/data/a.csv"],
        ["reports/2019Q2/new.csv"],
        ["reports/2019Q2/old.csv"],
    )
    assert not result.ok


def _publish_copy(build: Path, to: Path) -> Path:
    """A published tree (reports/<P> and the clean folders) copied from a build."""
    shutil.copytree(build / "reports" / SMALL_PERIOD, to / "reports" / SMALL_PERIOD)
    shutil.copytree(build / "clean", to / "clean")
    return to


def test_verify_succeeds_when_the_rebuild_matches(small_builds, tmp_path, monkeypatch, capsys):
    # the rebuild is stood in for by build B (the real rebuild is exercised below)
    a, b = small_builds
    published = _publish_copy(a, tmp_path / "published")
    monkeypatch.setenv("SROI_CLEAN_DIR", str(published / "clean"))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(published / "reports"))

    def rebuild(period, raw_dir, out_root):
        _publish_copy(b, out_root)
        return subprocess.CompletedProcess([], 0)

    monkeypatch.setattr(verify, "rebuild", rebuild)
    assert verify.verify(SMALL_PERIOD, "data/raw") == 0
    out = capsys.readouterr().out
    assert re.search(rf"alle \d+ bestanden in reports/{SMALL_PERIOD} en data/clean/{SMALL_PERIOD} zijn exact", out)


def test_verify_names_the_tampered_file(small_builds, tmp_path):
    a, _ = small_builds
    published = _publish_copy(a, tmp_path / "published")
    reports, clean = published / "reports" / SMALL_PERIOD, published / "clean" / SMALL_PERIOD
    tampered = reports / "data" / "opdrachten.csv"
    tampered.write_bytes(tampered.read_bytes().replace(b",", b";", 1))  # one byte
    (clean / "afgekeurd.csv").unlink()
    _write(reports / "partners" / "onbekend.html", "<p>niet van ons</p>")
    env = report_env(published, {"TZ": "Asia/Tokyo"})
    code = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))["code"]["bronnen_sha256"]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.orchestrate.verify",
            "--period",
            SMALL_PERIOD,
            "--raw-dir",
            str(ROOT / "data" / "raw"),
            "--keep",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    kept = Path(re.search(r"rebuilt copy: (\S+)", proc.stdout).group(1))
    try:
        skip_if_code_changed(code)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        listed = [
            line.split(":", 1)[1].strip()
            for line in proc.stderr.splitlines()
            if line.lstrip().startswith(("verschilt", "ontbreekt", "extra"))
        ]
        assert listed == [
            f"reports/{SMALL_PERIOD}/data/opdrachten.csv",
            f"data/clean/{SMALL_PERIOD}/afgekeurd.csv",
            f"reports/{SMALL_PERIOD}/partners/onbekend.html",
        ], proc.stderr
        # a rebuild from nothing also gives the earlier quarter's clean data byte for byte
        result = verify.compare([("data/clean", a / "clean", kept / "clean")])
        assert result.ok, "\n".join(result.lines())
    finally:
        shutil.rmtree(kept, ignore_errors=True)


@pytest.mark.parametrize("period", ["2019Q5", "2021Q3"])
def test_verify_refuses_what_was_never_published(period, tmp_path):
    env = report_env(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.orchestrate.verify", "--period", period],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
