"""Every hostile delivery of the security review at once, through `make report` as the analyst runs it.

A copy of the demo quarter 2021Q3 (partners.csv and that quarter only, to keep the run short) gets:
a file name with `;` and a tab that would run a command, a `:` in a name, a partner folder that
collides with another after casefolding, a link to a file outside the raw folder, a named pipe, a
BSN typed into `woongemeente`, a 200 KB field in the first row of a CSV and an XLSX that unpacks
to 2 GiB. The period must still be published (exit 0) in bounded memory, run no command, name
every one of them on kwaliteit.html and on its partner's page, leave the raw folder as it was and
publish no BSN.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import psutil
import pytest

from pipeline.core.paths import ROOT

PERIOD = "2021Q3"
PLANTED_BSN = "123456782"  # passes the eleven-test: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154 = 14*11
MARKER = "PWNED_all_at_once"
SEMICOLON_NAME = f"inzet_2021Q3.csv;touch\t{MARKER};#"
COLON_NAME = "inzet 12:00.csv"

pytestmark = pytest.mark.slow


def bomb_xlsx(path: Path, gib: float = 2.0) -> None:
    """A small, valid workbook (an `aanbestedingskalender` header on the first sheet) whose unused
    second sheet unpacks to ``gib`` GiB: what a careless export tool or a hostile partner sends."""
    book = openpyxl.Workbook()
    book.active.title = "aanbestedingskalender"
    book.active.append(
        [
            "aanbesteding_id",
            "omschrijving",
            "soort",
            "sector",
            "verwachte_publicatie",
            "verwachte_start",
            "geraamde_waarde",
            "sr_percentage",
        ]
    )
    book.create_sheet("leeg")
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                out.writestr(info, source.read(info.filename))
                continue
            with out.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                for _ in range(int(gib * 2**30 / len(row))):
                    sheet.write(row)
                sheet.write(b"</sheetData></worksheet>")


def _plant(raw: Path, outside: Path) -> None:
    q = raw / PERIOD
    header = (q / "wadden-infra" / "inzet_2021Q3.csv").read_bytes().splitlines(keepends=True)[0]
    (q / "wadden-infra" / SEMICOLON_NAME).write_bytes(header)
    (q / "marne-dakwerken" / COLON_NAME).write_bytes(header)
    (q / "Gemeente-Eemsdelta").mkdir()
    shutil.copy(q / "gemeente-eemsdelta" / "opdrachten_2021Q3.csv", q / "Gemeente-Eemsdelta" / "opdrachten_2021Q3.csv")
    (outside / "inzet_buiten.csv").write_bytes(header)
    (q / "bouwbedrijf-noord" / "inzet_gekoppeld.csv").symlink_to(outside / "inzet_buiten.csv")
    os.mkfifo(q / "werkplein-groningen" / "trajecten_pijp.csv")
    trajecten = q / "sw-ommeland" / "trajecten_2021Q3.csv"
    lines = trajecten.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(";Groningen;", f";{PLANTED_BSN};", 1)
    assert PLANTED_BSN in lines[1]
    trajecten.write_text("".join(lines), encoding="utf-8")
    damsterdiep = q / "damsterdiep-bouw" / "inzet_2021Q3.csv"
    text = damsterdiep.read_bytes().splitlines(keepends=True)
    text[1] = text[1].rstrip(b"\r\n") + b";" + b"y" * 200_000 + b"\r\n"  # a stray field of 200 KB
    damsterdiep.write_bytes(b"".join(text))
    bomb_xlsx(q / "gemeente-het-hogeland" / "aanbestedingskalender_bom.xlsx")


class PeakWatcher(threading.Thread):
    """The largest memory high-water mark (VmHWM) of any single process under ``pid``, read
    every 0.2 s. (``ru_maxrss`` of the children would include the memory of this pytest process,
    which Linux carries into a forked child across exec.)"""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak_mb, self._done = psutil.Process(pid), 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            try:
                family = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                continue
            for process in family:
                try:
                    with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
                        hwm = next(line for line in status if line.startswith("VmHWM:"))
                    self.peak_mb = max(self.peak_mb, int(hwm.split()[1]) / 1024)
                except (OSError, StopIteration, ValueError):
                    continue

    def stop(self) -> None:
        self._done.set()
        self.join()


def _snapshot(folder: Path) -> dict[str, tuple]:
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        kind = "link" if path.is_symlink() else "fifo" if not (path.is_file() or path.is_dir()) else "other"
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if kind == "other" and path.is_file() else ""
        out[path.relative_to(folder).as_posix()] = (kind, st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(path: Path) -> str:
    """What a reader sees: the text of the page, tags (and the <wbr> breaks in long names) removed."""
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return html.unescape("".join(parser.parts))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    if shutil.which("make") is None:
        pytest.fail("make is needed")
    tmp = tmp_path_factory.mktemp("alles_tegelijk")
    raw, outside = tmp / "raw", tmp / "buiten"
    outside.mkdir()
    raw.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "partners.csv", raw / "partners.csv")
    shutil.copytree(ROOT / "data" / "raw" / PERIOD, raw / PERIOD)
    _plant(raw, outside)
    before = _snapshot(raw)
    env = {
        **os.environ,
        "SROI_CLEAN_DIR": str(tmp / "clean"),
        "SROI_REPORTS_DIR": str(tmp / "reports"),
        "SROI_PSEUDONYM_KEY": secrets.token_hex(32),
    }
    env.pop("SROI_PSEUDONYM_KEY_FILE", None)
    command = [
        "make",
        "--no-print-directory",
        "-o",
        ".venv/.installed",
        "report",
        f"PERIOD={PERIOD}",
        f"RAW_DIR={raw}",
        f"PY={sys.executable}",
    ]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as make:
        watcher = PeakWatcher(make.pid)
        watcher.start()
        stdout, stderr = make.communicate(timeout=1800)
        watcher.stop()
    proc = subprocess.CompletedProcess(command, make.returncode, stdout, stderr)
    peak_mb = watcher.peak_mb
    print(f"largest process of the run: {peak_mb:.0f} MB")
    marker_ran = (ROOT / MARKER).exists()
    (ROOT / MARKER).unlink(missing_ok=True)
    return {
        "proc": proc,
        "tmp": tmp,
        "raw": raw,
        "before": before,
        "peak_mb": peak_mb,
        "marker_ran": marker_ran,
        "reports": tmp / "reports" / PERIOD,
        "clean": tmp / "clean" / PERIOD,
    }


def test_the_period_is_published_with_exit_0(hostile_run):
    proc = hostile_run["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (hostile_run["reports"] / "manifest.json").is_file()
    assert "Traceback" not in proc.stdout + proc.stderr


def test_no_command_ran(hostile_run):
    assert not hostile_run["marker_ran"]


def test_memory_stays_bounded(hostile_run):
    # the largest single process of the run (ru_maxrss of the waited-for descendants)
    assert hostile_run["peak_mb"] < 1024, f"peak {hostile_run['peak_mb']:.0f} MB"


def test_the_raw_folder_is_byte_identical(hostile_run):
    assert _snapshot(hostile_run["raw"]) == hostile_run["before"]


@pytest.mark.parametrize(
    "partner, needle",
    [
        pytest.param("wadden-infra", f"touch\t{MARKER}", id="semicolon_and_tab_name"),
        pytest.param("marne-dakwerken", COLON_NAME, id="colon_in_name"),
        pytest.param("gemeente-eemsdelta", "Gemeente-Eemsdelta", id="case_colliding_folder"),
        pytest.param("bouwbedrijf-noord", "inzet_gekoppeld.csv", id="symlink_outside"),
        pytest.param("werkplein-groningen", "trajecten_pijp.csv", id="fifo"),
        pytest.param("sw-ommeland", "woongemeente", id="bsn_in_woongemeente"),
        pytest.param("damsterdiep-bouw", "veld langer dan 128 kB", id="huge_field"),
        pytest.param("gemeente-het-hogeland", "aanbestedingskalender_bom.xlsx", id="xlsx_bomb"),
    ],
)
def test_each_is_named_on_kwaliteit_and_on_its_partner_page(hostile_run, partner, needle):
    quality = page_text(hostile_run["reports"] / "kwaliteit.html")
    own = page_text(hostile_run["reports"] / "partners" / f"{partner}.html")
    needle_seen = needle.replace("\t", " ")  # a tab reads as white space on a page
    for name, text in (("kwaliteit.html", quality), (f"{partner}.html", own)):
        assert needle in text or needle_seen in re.sub(r"\s", " ", text), f"{needle!r} not on {name}"


def test_no_bsn_is_published(hostile_run):
    hits = []
    for root in (hostile_run["reports"], hostile_run["clean"]):
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            if path.suffix == ".parquet":
                text = pd.read_parquet(path).astype("string").to_csv()
            else:
                text = path.read_bytes().decode("utf-8", "replace")
            if PLANTED_BSN in text:
                hits.append(path.relative_to(hostile_run["tmp"]).as_posix())
    assert hits == []
