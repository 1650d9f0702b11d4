"""Hostile names and values never reach make's syntax or a shell (issue: security, second round).

A partner chooses its file names; the analyst types PERIOD and RAW_DIR. None of them may run a
command or break the run. The pipeline is replaced by `true` (PY=true) as in test_makefile.py,
so these tests check only what make and its recipes do with the names.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.core.paths import ROOT

PERIOD = "2019Q2"


@pytest.fixture(autouse=True)
def _needs_make():
    if shutil.which("make") is None:
        pytest.fail("make is needed for these tests")


def _raw(root: Path, *names: str) -> Path:
    for name in ("partners.csv", "2019Q2/bouwbedrijf-noord/inzet_2019Q2.csv", *names):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n", encoding="utf-8")
    return root


def make(
    *args: str, reports: Path, period: str = PERIOD, raw: Path | str | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    env = {**os.environ, "SROI_REPORTS_DIR": str(reports)}
    cmd = ["make", "--no-print-directory", "-o", ".venv/.installed", *args, "report", f"PERIOD={period}", "PY=true"]
    if raw is not None:
        cmd.append(f"RAW_DIR={raw}")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def test_a_file_name_with_a_semicolon_and_tab_runs_no_command(tmp_path):
    marker = ROOT / "PWNED_by_file_name"
    raw = _raw(tmp_path / "raw", f"2019Q2/bouwbedrijf-noord/inzet_2019Q2.csv;touch\t{marker.name};#")
    try:
        proc = make(reports=tmp_path / "reports", raw=raw)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert not marker.exists(), "a delivered file name ran a shell command"
        assert "new or changed" in proc.stdout
        # the pipeline ran (here: PY=true), so make does not also claim there was nothing to do
        assert "is up to date" not in proc.stdout
    finally:
        marker.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("inzet 12:00.csv", id="colon_as_a_mac_writes_a_time"),
        pytest.param("inzet;v2.csv", id="semicolon"),
        pytest.param("inzet #2.csv", id="hash"),
        pytest.param("inzet $(shell touch x).csv", id="make_function"),
        pytest.param("inzet 50%.csv", id="percent"),
        pytest.param("inzet\nnieuw.csv", id="newline"),
    ],
)
def test_odd_file_names_neither_break_make_nor_go_unnoticed(tmp_path, name):
    raw = _raw(tmp_path / "raw")
    reports = tmp_path / "reports"
    assert make(reports=reports, raw=raw).returncode == 0
    (reports / PERIOD).mkdir(parents=True)
    (reports / PERIOD / "manifest.json").write_text("{}\n", encoding="utf-8")
    # published, so an unchanged rerun does nothing
    assert "pipeline.orchestrate.run report" not in make("-n", reports=reports, raw=raw).stdout
    (raw / "2019Q2" / "bouwbedrijf-noord" / name).write_text("x\n", encoding="utf-8")
    proc = make("-n", reports=reports, raw=raw)
    assert proc.returncode == 0, proc.stderr
    assert "pipeline.orchestrate.run report" in proc.stdout, "an added file must make the report run again"
    assert not (ROOT / "x").exists()


def test_a_quote_in_period_runs_no_command_even_under_dry_run(tmp_path):
    marker = tmp_path / "pwned"
    period = f"x' >/dev/null; touch {marker}; printf 2021Q3'"
    proc = make("-n", reports=tmp_path / "reports", period=period, raw=_raw(tmp_path / "raw"))
    assert proc.returncode == 2
    assert "FOUT: ongeldige periode" in proc.stderr and "ERROR: invalid period" in proc.stderr
    assert not marker.exists()


@pytest.mark.parametrize("goal", ["verify", "datadocs"])
def test_other_period_targets_refuse_a_quote_too(tmp_path, goal):
    marker = tmp_path / "pwned"
    period = f"x'; touch {marker}; echo '2021Q3"
    proc = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", goal, f"PERIOD={period}", "PY=true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "FOUT: ongeldige periode" in proc.stderr
    assert not marker.exists()


def test_a_raw_folder_with_a_quote_in_its_name_works(tmp_path):
    raw = _raw(tmp_path / "'s-Hertogenbosch" / "raw")
    proc = make(reports=tmp_path / "reports", raw=raw)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dry = make("-n", reports=tmp_path / "reports", raw=raw)
    # the recipe hands the folder to the pipeline as one shell word: '…'\''s-Hertogenbosch…'
    assert (
        f"--raw-dir '{tmp_path}/'\\''s-Hertogenbosch/raw'" in dry.stdout or "pipeline.orchestrate.run" not in dry.stdout
    )


def test_a_raw_folder_with_a_quote_and_command_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    raw = _raw(tmp_path / "raw")
    proc = make(reports=tmp_path / "reports", raw=f"{raw}'; touch '{marker}")
    assert not marker.exists()
    assert "Traceback" not in proc.stderr


def test_reports_inside_the_raw_folder_is_refused_before_anything_is_written(tmp_path):
    raw = _raw(tmp_path / "raw")
    before = _listing(raw)
    proc = make(reports=raw / "reports", raw=raw)
    assert proc.returncode == 2
    assert "FOUT: uitvoermap reports ligt in de ruwe map" in proc.stderr
    assert "ERROR: output folder reports lies inside the raw folder" in proc.stderr
    assert _listing(raw) == before, "make wrote into the raw folder"


def _read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").mkdir()
    except PermissionError:
        return folder / "reports"
    # root writes anywhere it may chmod: use a folder of a read-only system tree instead
    for candidate in (Path("/sys/sroi-reports"), Path("/proc/sys/sroi-reports")):
        try:
            candidate.mkdir()
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                return candidate
            continue
        candidate.rmdir()
    pytest.skip("no read-only folder can be made on this machine")


def test_a_read_only_reports_folder_gets_a_dutch_and_english_line(tmp_path):
    reports = _read_only_folder(tmp_path)
    proc = make(reports=reports, raw=_raw(tmp_path / "raw"))
    assert proc.returncode != 0
    assert "FOUT: kan niet schrijven in de uitvoermap" in proc.stderr, proc.stderr
    assert "geen schrijfrechten" in proc.stderr and "no permission to write" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_stamp_lists_links_and_pipes_without_opening_them(tmp_path):
    from pipeline.orchestrate import make_inputs

    raw = _raw(tmp_path / "raw")
    partner = raw / "2019Q2" / "bouwbedrijf-noord"
    os.mkfifo(partner / "inzet_pijp.csv")  # opening it would block forever
    (partner / "inzet_link.csv").symlink_to("/etc/passwd")
    (raw / "2019Q2" / "gelinkte-map").symlink_to(tmp_path)  # a loop if followed
    names = [name for name, *_ in make_inputs._entries(raw.resolve(), PERIOD)]
    assert names == [
        "2019Q2/bouwbedrijf-noord/inzet_2019Q2.csv",
        "2019Q2/bouwbedrijf-noord/inzet_link.csv",
        "2019Q2/bouwbedrijf-noord/inzet_pijp.csv",
        "2019Q2/gelinkte-map",
        "partners.csv",
    ]
    first = make_inputs.digest(raw.resolve(), PERIOD)
    (partner / "inzet_link.csv").unlink()
    (partner / "inzet_link.csv").symlink_to("/etc/hostname")  # same name, another target
    assert make_inputs.digest(raw.resolve(), PERIOD) != first
