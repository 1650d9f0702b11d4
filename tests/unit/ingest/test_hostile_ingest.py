"""Hostile deliveries that cannot be committed as small files: built here, in tmp, at test time.

Each cause of the security review of ingest has a test that failed on the code before the fix:
folders differing only in case, links and named pipes in the raw folder, a CSV field over the
csv module's limit, an XLSX that unpacks to gigabytes, a CSV mixing UTF-8 and Windows-1252,
``31-12-9999`` as "no end date" and a picture delivered as ``.xlsx``. Every problem must become
a note or finding naming the partner and file, nothing under the raw folder is written, and
raw rows = clean + rejected for every readable file.

The raw folders start from the corpus's good deliveries (``tests/corpus/goed``). A case that
could block (a named pipe) or exhaust memory (the zip bomb) runs in a subprocess with a timeout.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.errors import PipelineError
from pipeline.core.paths import ROOT
from pipeline.ingest.readers import TableSpec, UnreadableFileError, read_table
from tests.conftest import CORPUS_DIR

PERIOD = "2021Q3"
KEY = "hostile-sleutel-3b9d20f4-niet-publiceren"
CORPUS = CORPUS_DIR
GOOD = CORPUS / "goed"
INZET_HEADER = (
    "regel_id;opdrachtgever;opdracht_id;bouwblok;kandidaat_bsn;startdatum;einddatum;uren_per_week;"
    "vijftig_plus;bedrag;omschrijving\n"
)
INZET_ROW = "{id};gemeente-noord;GN-1;pwet_kort;990006001;01-03-2021;;32;nee;;Timmerman\n"
SECRET = "geheim: dit staat buiten de ruwe map\n"


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("SROI_PSEUDONYM_KEY_FILE", raising=False)


def _raw(tmp_path: Path) -> Path:
    """The corpus's good raw folder (register + three partners' deliveries for 2021Q3)."""
    raw = tmp_path / "raw"
    shutil.copytree(GOOD, raw)
    return raw


def _ingest(raw: Path, tmp_path: Path):
    from pipeline.ingest.stage import run_ingest

    return run_ingest(PERIOD, raw, tmp_path / "out")


def _tree(root: Path) -> dict[str, str]:
    """Every entry under ``root`` without following links: files by content, others by kind."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_fifo():
            out[rel] = "fifo"
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _row(frame: pd.DataFrame, bestand: str) -> pd.Series:
    rows = frame[frame["bestand"] == bestand]
    assert len(rows) == 1, (bestand, frame["bestand"].tolist())
    return rows.iloc[0]


def _assert_rows_conserved(bestanden: pd.DataFrame) -> None:
    read = bestanden[bestanden["status"] == "gelezen"]
    assert len(read) >= 1
    assert (read["rijen_gelezen"] == read["rijen_schoon"] + read["rijen_afgekeurd"]).all()


def _python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter on this work tree (a hang ends in a failed test)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SROI_PSEUDONYM_KEY": KEY, "GX_ANALYTICS_ENABLED": "false"}
    try:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"blocked for more than {timeout} s")


# ---------------------------------------------------------------------------------------------
# 1. Folders and files whose names differ only in case
# ---------------------------------------------------------------------------------------------


def test_a_second_folder_differing_only_in_case_is_listed_with_a_note_naming_both(tmp_path):
    raw = _raw(tmp_path)
    other = raw / PERIOD / "Bouw-Noord"
    other.mkdir()
    (other / "inzet_extra.csv").write_text(INZET_HEADER + INZET_ROW.format(id="CASE-1"), encoding="utf-8")
    result = _ingest(raw, tmp_path)
    # the exact spelling bouw-noord/ is read as before; the other folder's file is not lost
    assert _row(result.bestanden, f"{PERIOD}/bouw-noord/inzet_2021Q3.csv")["status"] == "gelezen"
    row = _row(result.bestanden, f"{PERIOD}/Bouw-Noord/inzet_extra.csv")
    assert row["status"] == "onbekend" and row["partner_id"] == "bouw-noord"
    assert "mappen Bouw-Noord/ en bouw-noord/ verschillen alleen in hoofdletters" in row["reden_nl"]
    assert "Bouw-Noord/ and bouw-noord/" in row["reason_en"]
    note = _row(result.meldingen, f"{PERIOD}/Bouw-Noord/inzet_extra.csv")
    assert note["partner_id"] == "bouw-noord" and note["soort"] == "hoofdletters"  # on the partner's page too
    assert "CASE-1" not in set(result.tables["inzet"]["regel_id"])
    _assert_rows_conserved(result.bestanden)


def test_folders_differing_only_in_case_without_the_exact_spelling_are_both_listed_unread(tmp_path):
    raw = _raw(tmp_path)
    (raw / PERIOD / "bouw-noord").rename(raw / PERIOD / "Bouw-Noord")
    (raw / PERIOD / "BOUW-NOORD").mkdir()
    (raw / PERIOD / "BOUW-NOORD" / "inzet_extra.csv").write_text(
        INZET_HEADER + INZET_ROW.format(id="CASE-2"), encoding="utf-8"
    )
    result = _ingest(raw, tmp_path)
    for rel in (f"{PERIOD}/Bouw-Noord/inzet_2021Q3.csv", f"{PERIOD}/BOUW-NOORD/inzet_extra.csv"):
        row = _row(result.bestanden, rel)
        assert row["status"] == "onbekend" and "geen van beide wordt gelezen" in row["reden_nl"], rel
    assert result.tables["inzet"].empty


def test_file_names_differing_only_in_case_are_both_read_with_a_note_on_each(tmp_path):
    raw = _raw(tmp_path)
    folder = raw / PERIOD / "bouw-noord"
    (folder / "INZET_2021Q3.csv").write_text(INZET_HEADER + INZET_ROW.format(id="CASE-3"), encoding="utf-8")
    result = _ingest(raw, tmp_path)
    notes = result.meldingen[result.meldingen["soort"] == "hoofdletters"]
    assert sorted(notes["bestand"]) == [
        f"{PERIOD}/bouw-noord/INZET_2021Q3.csv",
        f"{PERIOD}/bouw-noord/inzet_2021Q3.csv",
    ]
    assert set(notes["partner_id"]) == {"bouw-noord"}
    assert (
        "verschilt alleen in hoofdletters van inzet_2021Q3.csv" in _row(notes, notes["bestand"].iloc[0])["melding_nl"]
    )
    assert "CASE-3" in set(result.tables["inzet"]["regel_id"])  # nothing lost


# ---------------------------------------------------------------------------------------------
# 2 and 3. Links, named pipes: never followed, opened or hashed
# ---------------------------------------------------------------------------------------------


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "inzet_buiten.csv").write_text(INZET_HEADER + INZET_ROW.format(id="LINK-1"), encoding="utf-8")
    (outside / "opleider").mkdir()
    shutil.copyfile(GOOD / PERIOD / "opleider-noord" / "trajecten_2021Q3.csv", outside / "opleider" / "trajecten.csv")
    return outside


def test_links_in_the_raw_folder_are_notes_and_never_read_or_hashed(tmp_path):
    raw, outside = _raw(tmp_path), _outside(tmp_path)
    partner = raw / PERIOD / "bouw-noord"
    (partner / "inzet_passwd.csv").symlink_to(outside / "secret.txt")
    (partner / "inzet_extern.csv").symlink_to(outside / "inzet_buiten.csv")
    shutil.rmtree(raw / PERIOD / "opleider-noord")
    (raw / PERIOD / "opleider-noord").symlink_to(outside / "opleider", target_is_directory=True)
    before = _tree(raw)
    result = _ingest(raw, tmp_path)
    files = result.bestanden
    for rel, what in (
        (f"{PERIOD}/bouw-noord/inzet_passwd.csv", "gewoon bestand"),
        (f"{PERIOD}/bouw-noord/inzet_extern.csv", "gewoon bestand"),
        (f"{PERIOD}/opleider-noord", "gewone map"),
    ):
        row = _row(files, rel)
        assert row["status"] == "onbekend" and row["sha256"] == "", rel
        assert f"geen {what} (symbolische koppeling)" in row["reden_nl"] and "symbolic link" in row["reason_en"]
        assert "lever het bestand zelf aan" in row["reden_nl"]
        assert _row(result.meldingen, rel)["partner_id"] == rel.split("/")[1]  # shown on the partner's page
    secret_sha = hashlib.sha256(SECRET.encode()).hexdigest()
    assert secret_sha not in set(files["sha256"])  # manifest.json lists bestanden.csv's checksums
    assert "LINK-1" not in set(result.tables["inzet"]["regel_id"])
    assert result.tables["trajecten"].empty  # the linked partner folder is not a delivery
    assert (
        result.leveringen.set_index(["partner_id", "dataset"]).at[("opleider-noord", "trajecten"), "status"]
        == "ontbreekt"
    )
    _assert_rows_conserved(files)
    assert _tree(raw) == before


def test_the_input_fingerprint_lists_links_by_name_and_never_hashes_their_target(tmp_path):
    from pipeline.orchestrate import provenance

    raw, outside = _raw(tmp_path), _outside(tmp_path)
    before = provenance.inputs_fingerprint(raw, PERIOD)
    link = raw / PERIOD / "bouw-noord" / "inzet_passwd.csv"
    link.symlink_to(outside / "secret.txt")
    assert link not in provenance.raw_input_files(raw, PERIOD)
    with_link = provenance.inputs_fingerprint(raw, PERIOD)
    assert with_link != before  # a new link is a change of inputs ...
    (outside / "secret.txt").write_text("ander geheim\n", encoding="utf-8")
    assert provenance.inputs_fingerprint(raw, PERIOD) == with_link  # ... but its target is never read


def test_a_linked_partners_csv_is_refused(tmp_path):
    from pipeline.ingest.deliveries import read_partners

    raw = _raw(tmp_path)
    (raw / "partners.csv").rename(tmp_path / "partners_elders.csv")
    (raw / "partners.csv").symlink_to(tmp_path / "partners_elders.csv")
    with pytest.raises(PipelineError) as caught:
        read_partners(raw)
    assert "partners.csv is geen gewoon bestand (symbolische koppeling)" in caught.value.nl and caught.value.en


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_named_pipes_never_block_ingest_or_the_fingerprint(tmp_path):
    raw, outside = _raw(tmp_path), _outside(tmp_path)
    os.mkfifo(raw / PERIOD / "bouw-noord" / "inzet_pipe.csv")
    os.mkfifo(outside / "pipe")
    (raw / PERIOD / "gemeente-noord" / "opdrachten_naar_pipe.csv").symlink_to(outside / "pipe")
    os.mkfifo(raw / PERIOD / "pipe_in_period_folder")
    proc = _python(
        f"""
        from pathlib import Path
        from pipeline.orchestrate import provenance
        from pipeline.ingest.stage import run_ingest
        raw = Path({str(raw)!r})
        provenance.inputs_fingerprint(raw, {PERIOD!r})
        run_ingest({PERIOD!r}, raw, Path({str(tmp_path / "out")!r}))
    """,
        timeout=90,
    )
    assert proc.returncode == 0, proc.stderr
    files = pd.read_csv(tmp_path / "out" / "bestanden.csv", dtype=str, keep_default_na=False)
    pipe = _row(files, f"{PERIOD}/bouw-noord/inzet_pipe.csv")
    assert (
        pipe["status"] == "onbekend" and pipe["sha256"] == "" and "geen gewoon bestand (named pipe)" in pipe["reden_nl"]
    )
    assert "symbolische koppeling" in _row(files, f"{PERIOD}/gemeente-noord/opdrachten_naar_pipe.csv")["reden_nl"]
    assert "named pipe" in _row(files, f"{PERIOD}/pipe_in_period_folder")["reden_nl"]
    assert _row(files, f"{PERIOD}/bouw-noord/inzet_2021Q3.csv")["status"] == "gelezen"


# ---------------------------------------------------------------------------------------------
# 4. A field over the csv module's limit (128 kB)
# ---------------------------------------------------------------------------------------------


def _stray_quote_csv() -> bytes:
    # line 1 header, lines 2-3 fine, line 4 opens a quote that never closes: the 3000 lines after
    # it (~200 kB) would be one value, over the csv module's 131072-byte field limit
    rows = [INZET_ROW.format(id=f"SQ-{i}") for i in range(1, 3)]
    stray = '"SQ-3;gemeente-noord;GN-1;pwet_kort;990006001;01-03-2021;;32;nee;;Timmerman\n'
    rest = [INZET_ROW.format(id=f"SQ-{i}") for i in range(4, 3004)]
    return (INZET_HEADER + "".join(rows) + stray + "".join(rest)).encode("utf-8")


def test_a_field_over_the_csv_limit_makes_the_file_unreadable_and_others_carry_on(tmp_path):
    raw = _raw(tmp_path)
    (raw / PERIOD / "bouw-noord" / "inzet_los_aanhalingsteken.csv").write_bytes(_stray_quote_csv())
    result = _ingest(raw, tmp_path)
    row = _row(result.bestanden, f"{PERIOD}/bouw-noord/inzet_los_aanhalingsteken.csv")
    assert row["status"] == "onleesbaar"
    assert "veld langer dan 128 kB in regel 4: waarschijnlijk een los aanhalingsteken" in row["reden_nl"]
    assert "field longer than 128 kB on line 4" in row["reason_en"]
    assert _row(result.bestanden, f"{PERIOD}/bouw-noord/inzet_2021Q3.csv")["status"] == "gelezen"
    assert not {"SQ-1", "SQ-4"} & set(result.tables["inzet"]["regel_id"])
    _assert_rows_conserved(result.bestanden)


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_a_10000_column_comma_export_is_read_not_crashed_on_by_the_delimiter_search():
    from pipeline.ingest.typecast import known_headings

    # under ";" or tab each line is one field of ~190 kB; only "," is the delimiter
    extra = [f"extra_kolom_{i:05d}" for i in range(10_000)]
    header = ["regel_id", "opdracht_id", "startdatum", *extra]
    row = ["W-1", "GN-1", "01-03-2021", *("x" * 10_000)]
    data = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    table = read_table(data, TableSpec(known_headings("inzet", None), ("regel_id",)), ".csv")
    assert table.data[["regel_id", "opdracht_id"]].values.tolist() == [["W-1", "GN-1"]]
    assert any("10000 onbekende kolommen genegeerd" in nl for _, nl, _ in table.notes)


def test_check_export_names_the_huge_field_instead_of_failing(tmp_path, capsys, monkeypatch):
    from pipeline.ingest import check_export

    monkeypatch.setenv("SROI_RAW_DIR", str(tmp_path / "geen_raw"))
    path = tmp_path / "inzet_los.csv"
    path.write_bytes(_stray_quote_csv())
    code = check_export.main(
        ["--file", str(path), "--partner", "bouw-noord", "--period", PERIOD, "--out", str(tmp_path / "controle.html")]
    )
    said = capsys.readouterr()
    assert code == 2
    assert said.out.startswith("ONLEESBAAR: veld langer dan 128 kB in regel 4"), said.out + said.err
    assert "controle mislukt" not in said.out + said.err


# ---------------------------------------------------------------------------------------------
# 5. XLSX whose parts unpack to gigabytes
# ---------------------------------------------------------------------------------------------

_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"
_BLOCK = b" " * (1 << 22)  # 4 MiB of white space: valid between XML tags, compresses ~1000:1


class _RepeatedBlockCompressor:
    """Deflate that packs :data:`_BLOCK` once and repeats the packed bytes: a 2 GiB part is
    written in about a second. After a full flush a deflate block refers to nothing before it,
    so the repeated packed block is a valid stream; zipfile still counts size and CRC itself."""

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(_BLOCK) + packer.flush(zlib.Z_FULL_FLUSH)

    def __init__(self) -> None:
        self.rest = zlib.compressobj(9, zlib.DEFLATED, -15)

    def compress(self, data: bytes) -> bytes:
        if data is _BLOCK:
            return self.packed
        return self.rest.compress(data) + self.rest.flush(zlib.Z_FULL_FLUSH)

    def flush(self) -> bytes:
        return self.rest.flush()


def _workbook_with_big_sheet(path: Path, big_sheet: str, blocks: int) -> Path:
    """An openpyxl workbook with a good ``inzet`` sheet and an empty ``Blad2``, then the XML of
    ``big_sheet`` (``sheet1`` = inzet, ``sheet2`` = Blad2) replaced by ``blocks`` x 4 MiB."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "inzet"
    sheet.append(INZET_HEADER.strip().split(";"))
    sheet.append(INZET_ROW.strip().format(id="BOM-1").split(";"))
    book.create_sheet("Blad2")
    buffer = io.BytesIO()
    book.save(buffer)
    part = f"xl/worksheets/{big_sheet}.xml"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != part:
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(part, "w", force_zip64=True) as handle:
                handle._compressor = _RepeatedBlockCompressor()  # the one private hook: speed only
                handle.write(_SHEET_HEAD)
                for _ in range(blocks):
                    handle.write(_BLOCK)
                handle.write(_SHEET_TAIL)
    return path


_READ_AND_MEASURE = """
    import resource, sys
    from pathlib import Path
    from pipeline.ingest import xlsx_reader
    from pipeline.ingest.typecast import known_headings
    from pipeline.ingest.readers import TableSpec, UnreadableFileError, read_table
    from pipeline.core.settings import IngestSettings
    # a cap on the address space, so a reader that unpacks the bomb fails here, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    ratio = float(sys.argv[2])
    if ratio:
        xlsx_reader.limits = lambda: IngestSettings(xlsx_max_uncompressed_mb=250, xlsx_max_compression_ratio=ratio,
                                                    xlsx_max_cells=10_000_000)
    try:
        table = read_table(Path(sys.argv[1]).read_bytes(), TableSpec(known_headings("inzet", None),
                           ("regel_id",), sheet="inzet"), ".xlsx")
        print("GELEZEN", table.data["regel_id"].tolist())
    except UnreadableFileError as exc:
        print("ONLEESBAAR", exc.nl)
    # VmHWM: this process's own high-water mark (ru_maxrss would include the memory of the
    # pytest process it was forked from, which Linux carries across exec)
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print("PIEK_MB", int(hwm.split()[1]) // 1024)
"""


def _read_in_subprocess(path: Path, ratio: float = 0) -> tuple[str, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_READ_AND_MEASURE), str(path), str(ratio)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    return lines[0], int(lines[-1].split()[1])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """~2 MB on disk; its unused second sheet declares 2 GiB (512 x 4 MiB) uncompressed."""
    return _workbook_with_big_sheet(tmp_path_factory.mktemp("bom") / "inzet_bom.xlsx", "sheet2", 512)


def test_the_bomb_is_real(bomb):
    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("xl/worksheets/sheet2.xml")
    assert bomb.stat().st_size < 4_000_000 and info.file_size > 2 * 2**30  # 2 GiB from ~2 MB
    assert info.file_size / info.compress_size > 500


def test_a_zip_bomb_is_refused_as_unreadable_before_anything_is_unpacked(bomb):
    said, peak_mb = _read_in_subprocess(bomb)
    assert said.startswith("ONLEESBAAR het Excel-bestand pakt verdacht ver uit (onderdeel xl/worksheets/sheet2.xml"), (
        said
    )
    assert peak_mb < 500


def test_an_unused_huge_sheet_is_never_unpacked(bomb):
    # with the ratio check switched off, only the sheet read is ever unpacked: memory stays low
    said, peak_mb = _read_in_subprocess(bomb, ratio=1e9)
    assert said == "GELEZEN ['BOM-1']"
    assert peak_mb < 500


def test_the_sheet_read_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    from pipeline.core.settings import IngestSettings
    from pipeline.ingest import xlsx_reader
    from pipeline.ingest.typecast import known_headings

    # the data sheet itself declares 5 x 4 MiB = 21 MB (and ratio ~1000): over a 10 MB limit
    path = _workbook_with_big_sheet(tmp_path / "inzet_groot.xlsx", "sheet1", 5)
    monkeypatch.setattr(
        xlsx_reader,
        "limits",
        lambda: IngestSettings(xlsx_max_uncompressed_mb=10, xlsx_max_compression_ratio=1e9, xlsx_max_cells=1000),
    )
    with pytest.raises(UnreadableFileError) as caught:
        read_table(path.read_bytes(), TableSpec(known_headings("inzet", None), ("regel_id",), sheet="inzet"))
    assert "te groot om te lezen: werkblad 'inzet'" in caught.value.nl and "(grens 10 MB)" in caught.value.nl


def test_a_sheet_over_the_cell_limit_is_refused(tmp_path, monkeypatch):
    import openpyxl

    from pipeline.core.settings import IngestSettings
    from pipeline.ingest import xlsx_reader
    from pipeline.ingest.typecast import known_headings

    book = openpyxl.Workbook()
    book.active.append(["regel_id", "opdracht_id", "startdatum"])
    for i in range(5):
        book.active.append([f"C-{i}", "GN-1", "01-03-2021"])
    book.save(tmp_path / "inzet_cellen.xlsx")
    # 6 rows x 3 columns = 18 cells; the limit of 10 is passed in row 4 (3 + 3 + 3 + 3 = 12)
    monkeypatch.setattr(
        xlsx_reader,
        "limits",
        lambda: IngestSettings(xlsx_max_uncompressed_mb=250, xlsx_max_compression_ratio=100, xlsx_max_cells=10),
    )
    with pytest.raises(UnreadableFileError) as caught:
        read_table(
            (tmp_path / "inzet_cellen.xlsx").read_bytes(), TableSpec(known_headings("inzet", None), ("regel_id",))
        )
    assert "meer dan 10 cellen (vanaf rij 4)" in caught.value.nl


def test_two_cells_far_apart_are_read_without_building_the_rectangle_between_them(tmp_path):
    import openpyxl

    # A1..K2 and one cell in column XFD of row 100000: openpyxl's count (a row's last column,
    # summed) is ~16,400 cells, but calamine would build the 1.6 billion-cell rectangle between
    # them and the process would end on the failed allocation; the cell's reference shows it
    # first, so openpyxl reads this sheet (only the sheet is read here: the table built from it
    # is another matter)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "inzet"
    sheet.append(INZET_HEADER.strip().split(";"))
    sheet.append(INZET_ROW.strip().format(id="FAR-1").split(";"))
    sheet["XFD100000"] = "ver weg"
    book.save(tmp_path / "inzet_ver_uit_elkaar.xlsx")
    code = """
        import resource, sys
        from pathlib import Path
        from pipeline.ingest.xlsx_reader import read_sheet
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        sheet = read_sheet(Path(sys.argv[1]).read_bytes(), "inzet")
        print(len(sheet.rows), sheet.rows[1][0], sheet.rows[-1][-1], len(sheet.rows[-1]))
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(tmp_path / "inzet_ver_uit_elkaar.xlsx")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["100000", "FAR-1", "ver", "weg", "16384"]


def test_the_limits_are_settings():
    from pipeline.core.settings import settings

    limits = settings().ingest
    assert limits.xlsx_max_compression_ratio == 100 and limits.xlsx_max_uncompressed_mb >= 50


# ---------------------------------------------------------------------------------------------
# 6. One CSV in UTF-8 and Windows-1252
# ---------------------------------------------------------------------------------------------


def test_a_csv_mixing_utf8_and_windows_1252_is_read_per_line_with_a_note():
    from pipeline.ingest.typecast import known_headings

    data = (CORPUS / "inzet_mixed_utf8_and_cp1252.csv").read_bytes()
    table = read_table(data, TableSpec(known_headings("inzet", None), ("regel_id",)), ".csv")
    assert table.data["omschrijving"].tolist() == ["Café-medewerker ë (UTF-8)", "Café-medewerker ë € (Windows-1252)"]
    [(soort, nl, en)] = [n for n in table.notes if n[0] == "tekencodering"]
    # line 3 is the Windows-1252 one (line 1 header, line 2 UTF-8)
    assert nl.startswith("gemengde tekencodering (UTF-8 en Windows-1252; Windows-1252 in regel 3)")
    assert "sla het bestand op als UTF-8" in nl and en.startswith("mixed character encoding")


def test_a_plain_windows_1252_csv_gets_no_encoding_note():
    from pipeline.ingest.typecast import known_headings

    data = (INZET_HEADER + INZET_ROW.format(id="CP-1").replace("Timmerman", "Café ë €")).encode("cp1252")
    table = read_table(data, TableSpec(known_headings("inzet", None), ("regel_id",)), ".csv")
    assert table.data["omschrijving"].tolist() == ["Café ë €"] and table.notes == ()


# ---------------------------------------------------------------------------------------------
# 7. 31-12-9999: "no end date"
# ---------------------------------------------------------------------------------------------


def _ingest_one(name: str, content: bytes, partner: str = "bouw-noord"):
    from pipeline.ingest.deliveries import FoundFile, dataset_of
    from pipeline.ingest.stage import ingest_file

    found = FoundFile(Path(name), f"{PERIOD}/{partner}/{name}", partner, dataset_of(name), PERIOD)
    return ingest_file(content, found, None, KEY.encode())


def test_an_open_end_date_reads_as_no_end_date_with_a_note():
    data = (CORPUS / "inzet_no_end_date_31-12-9999.csv").read_bytes()
    clean, rejects, counts, notes = _ingest_one("inzet_open.csv", data)
    assert rejects.empty and counts["rijen_schoon"] == counts["rijen_gelezen"] == 2
    assert clean["einddatum"].isna().all() and clean["startdatum"].notna().all()
    [(soort, nl, en)] = [n for n in notes if n[0] == "open_einde"]
    assert nl == "einddatum 31-12-9999, 9999-12-31 gelezen als 'geen einddatum' (rij 2, 3); laat de cel liever leeg"
    assert en.startswith("einddatum 31-12-9999, 9999-12-31 read as 'no end date' (row 2, 3)")


def test_a_placement_end_date_9999_is_open_too_and_an_excel_date_cell_as_well():
    import datetime as dt

    from pipeline.ingest.parse import parse_date

    header = (
        "traject_id;bsn;doelgroep;sector;aanmelddatum;status;plaatsing_datum;plaatsing_uren_per_week;"
        "plaatsing_einddatum\n"
    )
    data = (header + "T-1;990006001;ww;bouw;01-01-2021;afgerond;01-06-2021;32;31-12-9999\n").encode()
    clean, rejects, counts, notes = _ingest_one("trajecten_open.csv", data, "opleider-noord")
    assert rejects.empty and clean["plaatsing_einddatum"].isna().all()
    assert [n[0] for n in notes] == ["open_einde"]
    values, problems = parse_date(pd.Series([dt.datetime(9999, 12, 31)], dtype=object), open_end=True)
    assert values.isna().all() and problems.tolist() == ["datum_open_einde"]


def test_a_required_end_date_9999_is_rejected_as_out_of_range_not_as_no_date():
    data = (CORPUS / "opdrachten_required_end_date_9999.csv").read_bytes()
    clean, rejects, counts, notes = _ingest_one("opdrachten_e9.csv", data, "gemeente-noord")
    assert clean.empty and counts["rijen_afgekeurd"] == 1
    [line] = rejects.to_dict("records")
    assert (line["rij"], line["kolom"], line["waarde"]) == (2, "einddatum", "31-12-9999")  # Excel row 2
    assert line["regel"] == "opdrachten.einddatum.datum_buiten_bereik"
    assert line["reden_nl"].startswith("datum valt buiten het bereik (jaar 1900 tot en met 2200)")
    assert "geen geldige datum" not in line["reden_nl"]
    assert not [n for n in notes if n[0] == "open_einde"]


def test_an_out_of_range_start_date_in_an_inzet_row_is_rejected_not_opened():
    data = (INZET_HEADER + INZET_ROW.format(id="S9-1").replace("01-03-2021", "31-12-9999")).encode()
    clean, rejects, counts, notes = _ingest_one("inzet_start9999.csv", data)
    assert clean.empty and rejects["regel"].tolist() == ["inzet.startdatum.datum_buiten_bereik"]


# ---------------------------------------------------------------------------------------------
# 8. Not a spreadsheet at all: say what it is
# ---------------------------------------------------------------------------------------------


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, words",
    [
        pytest.param(
            (CORPUS / "opdrachten_png_named_as_xlsx.xlsx").read_bytes(), "dit is een afbeelding (PNG)", id="png"
        ),
        pytest.param(
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)), "dit is een afbeelding (JPEG)", id="jpeg"
        ),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff", "dit is een afbeelding (GIF)", id="gif"),
        pytest.param(_docx(), "dit is een Word-document (DOCX)", id="docx"),
        pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "dit is een PDF", id="pdf"),
    ],
)
def test_a_non_spreadsheet_says_what_it_is(data, words):
    from pipeline.ingest.typecast import known_headings

    with pytest.raises(UnreadableFileError) as caught:
        read_table(data, TableSpec(known_headings("opdrachten", None), ("opdracht_id",)), ".xlsx")
    assert caught.value.nl.startswith(words + ", geen Excel- of CSV-bestand"), caught.value.nl
    assert "tekenset" not in caught.value.nl and caught.value.en
