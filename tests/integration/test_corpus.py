"""Hostile and broken deliveries (tests/corpus/): the period still publishes and says what is wrong.

One period is built once (module fixture) from a small raw folder in tmp: the good deliveries of
``tests/corpus/goed/`` plus every corpus file placed in a partner folder (or in the wrong place,
where that is the problem). Each test then asserts on what was written: the terminal, the pages,
the CSV downloads, the raw files, the executed notebooks.

What a case promises is in :data:`CASES`: the file, where it is put, what happens to it and the
Dutch words the partner reads. Outcomes:

- ``onleesbaar``: the file cannot be read at all; bestanden.csv, kwaliteit.html and the partner's
  page name it with the reason;
- ``onbekend``: not in a partner folder or not a dataset name; named with the reason;
- ``afgekeurd``: the file is read and some rows are rejected, each named by file and Excel row;
- ``bevinding``: rows are kept and a finding names the file;
- ``gelezen``: an export quirk the standard accepts; read correctly, nothing lost.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from pipeline.core.csvsafe import FORMULA_TRIGGERS
from pipeline.core.paths import ROOT
from pipeline.core.schema import dataset_spec
from pipeline.ingest.readers import TableSpec, UnreadableFileError, read_table
from pipeline.ingest.typecast import known_headings
from pipeline.report.pages.common import readable_reason
from tests.conftest import CORPUS_DIR, run_report

CORPUS = CORPUS_DIR
PERIOD = "2021Q3"
#: A key no output may contain (docs/domain.md: the key is never written anywhere).
KEY = "corpus-sleutel-7f3c9a1e-niet-publiceren"
BAD = "bouw-kapot", "gemeente-kapot", "opleider-kapot"


@dataclass(frozen=True)
class Case:
    file: str
    outcome: str  # onleesbaar | onbekend | afgekeurd | bevinding | gelezen
    reason: str = ""  # Dutch words on the pages (and in bestanden/afgekeurd/bevindingen)
    folder: str | None = None  # under <RAW>/<P>/; None = the dataset's corpus partner
    rows: tuple[int, ...] = ()  # Excel rows named (afgekeurd/bevinding)

    @property
    def dataset(self) -> str:
        return self.file.split("_")[0].split(" ")[0]

    @property
    def partner(self) -> str | None:
        folder = self.place.split("/")[0]
        return folder if folder in BAD else None

    @property
    def place(self) -> str:
        if self.folder is not None:
            return self.folder
        return {
            "opdrachten": "gemeente-kapot",
            "aanbestedingskalender": "gemeente-kapot",
            "overzicht": "gemeente-kapot",
            "inzet": "bouw-kapot",
            "trajecten": "opleider-kapot",
        }[self.dataset]

    @property
    def rel(self) -> str:
        return "/".join(p for p in (PERIOD, self.place, self.file) if p)


CASES = [
    # -- cannot be read at all
    Case("opdrachten_empty_file.csv", "onleesbaar", "het bestand is leeg"),
    Case("opdrachten_only_blank_lines.csv", "onleesbaar", "het bestand is leeg"),
    Case("opdrachten_pdf_named_as_spreadsheet.xlsx", "onleesbaar", "dit is een PDF"),
    Case("opdrachten_old_xls_named_as_xlsx.xlsx", "onleesbaar", "oud Excel-formaat (.xls)"),
    Case("opdrachten_no_recognisable_header.csv", "onleesbaar", "geen kopregel gevonden"),
    Case("opdrachten_duplicate_column.csv", "onleesbaar", "kolom startdatum staat er twee keer in"),
    Case("inzet_required_column_missing.csv", "onleesbaar", "verplichte kolom ontbreekt: kandidaat_bsn"),
    Case("inzet_wrong_delimiter_pipe.csv", "onleesbaar", "scheidingsteken '|' wordt niet herkend"),
    Case("inzet_unclosed_quote.csv", "onleesbaar", "aanhalingsteken in regel 3 wordt nooit gesloten"),
    Case("inzet_header_below_row_20.csv", "onleesbaar", "geen kopregel gevonden"),
    Case("inzet_truncated.xlsx", "onleesbaar", "geen leesbaar Excel-bestand"),
    Case("inzet_corrupt_sheet_xml.xlsx", "onleesbaar", "geen leesbaar Excel-bestand"),
    Case("trajecten_zip_without_workbook.xlsx", "onleesbaar", "geen leesbaar Excel-bestand"),
    Case("trajecten_binary_garbage.csv", "onleesbaar", "tekenset niet herkend"),
    Case("trajecten_nul_bytes_in_utf8.csv", "onleesbaar", "binair bestand"),
    Case("opdrachten_png_named_as_xlsx.xlsx", "onleesbaar", "dit is een afbeelding (PNG)"),
    # -- in the wrong place or with an unknown name
    Case("overzicht_unknown_dataset_name.csv", "onbekend", "naam begint niet met opdrachten"),
    Case("inzet_in_unknown_partner_folder.csv", "onbekend", "map bouw-onbekend is geen partner_id", "bouw-onbekend"),
    Case(
        "trajecten_role_mismatch_from_contractor.csv",
        "onbekend",
        "trajecten wordt niet geleverd door een opdrachtnemer",
        "bouw-kapot",
    ),
    Case("opdrachten_directly_in_period_folder.csv", "onbekend", f"bestand staat direct in {PERIOD}/", ""),
    Case("inzet_in_a_subfolder.csv", "onbekend", "bestand staat in een submap", "bouw-kapot/oud"),
    # -- read; rows rejected with file, Excel row and reason
    Case("opdrachten_negative_money.csv", "afgekeurd", "opdrachtwaarde moet groter dan 0 zijn", rows=(3,)),
    Case(
        "opdrachten_percentage_500.csv", "afgekeurd", "sr_percentage moet groter dan 0 en hoogstens 100 zijn", rows=(2,)
    ),
    Case("opdrachten_end_before_start.csv", "afgekeurd", "einddatum ligt vóór startdatum", rows=(2,)),
    Case("opdrachten_ambiguous_thousands.csv", "afgekeurd", "dubbelzinnig getal", rows=(2,)),
    Case("aanbestedingskalender_negative_value.csv", "afgekeurd", "geraamde_waarde moet groter dan 0 zijn", rows=(2,)),
    Case(
        "inzet_168_hours_per_week.csv", "afgekeurd", "uren_per_week moet groter dan 0 en hoogstens 60 zijn", rows=(2,)
    ),
    Case("inzet_duplicate_ids_within_file.csv", "afgekeurd", "regel_id komt eerder voor in de levering", rows=(4,)),
    Case(
        "trajecten_duplicate_ids_across_files_deel2.csv",
        "afgekeurd",
        "traject_id komt eerder voor in de levering",
        rows=(2,),
    ),
    Case("inzet_totaal_row_at_bottom.csv", "afgekeurd", "totaalregel", rows=(4,)),
    Case("inzet_month_first_dates.csv", "afgekeurd", "lijkt maand-eerst", rows=(2,)),
    Case("inzet_nonexistent_date.csv", "afgekeurd", "deze datum bestaat niet", rows=(2,)),
    Case(
        "inzet_unknown_building_block.csv", "afgekeurd", "bouwblok is geen blokcode van de tarieventabel", rows=(2, 3)
    ),
    Case("inzet_too_many_fields.csv", "afgekeurd", "regel heeft meer velden dan de kopregel", rows=(3,)),
    Case("inzet_excel_error_values.csv", "afgekeurd", "Excel-foutwaarde", rows=(2,)),
    Case("inzet_invalid_bsn.csv", "afgekeurd", "geen BSN: verwacht 9 cijfers", rows=(3,)),
    Case("inzet_formulas_without_cached_values.xlsx", "afgekeurd", "formule zonder berekende waarde", rows=(3, 4)),
    Case(
        "inzet_hostile_values_rejected.csv", "afgekeurd", "bouwblok is geen blokcode van de tarieventabel", rows=(2, 4)
    ),
    Case("trajecten_semicolon_header_comma_rows.csv", "afgekeurd", "ander scheidingsteken dan de kopregel", rows=(2,)),
    Case("opdrachten_required_end_date_9999.csv", "afgekeurd", "datum valt buiten het bereik", rows=(2,)),
    # -- read and kept; a finding names the file
    Case("inzet_unknown_contract.csv", "bevinding", "staat niet in de opdrachten van die opdrachtgever", rows=(2, 3)),
    Case("trajecten_dates_in_2030.csv", "bevinding", "aanmelddatum ligt na de peildatum", rows=(2,)),
    Case("opdrachten_header_only.csv", "bevinding", "geen enkele rij met gegevens"),
    # -- quirks the standard accepts: read correctly
    Case("inzet_utf16_with_bom.csv", "gelezen"),
    Case("trajecten_utf16_without_bom.csv", "gelezen"),
    Case("inzet café – spaties én ü (kopie).csv", "gelezen"),
    Case("opdrachten_300_columns.csv", "gelezen", "289 onbekende kolommen genegeerd"),
    Case("opdrachten_quoted_newlines_and_delimiters.csv", "gelezen"),
    Case("opdrachten_hostile_text.csv", "gelezen"),
    Case("opdrachten_hostile_text_in_cells.xlsx", "gelezen"),
    Case("trajecten_duplicate_ids_across_files_deel1.csv", "gelezen"),
    Case("inzet_mixed_utf8_and_cp1252.csv", "gelezen", "gemengde tekencodering"),
    Case("inzet_no_end_date_31-12-9999.csv", "gelezen", "gelezen als 'geen einddatum'"),
]
NOTED = [c for c in CASES if c.outcome == "gelezen" and c.reason]  # read, with a note on the pages
BROKEN = [c for c in CASES if c.outcome != "gelezen"]
ON_PARTNER_PAGE = [c for c in BROKEN if c.partner]


def _ids(cases: list[Case]) -> list[str]:
    return [c.file.rsplit(".", 1)[0] for c in cases]


# ---------------------------------------------------------------------------------------------
# The corpus itself (fast: no pipeline run)
# ---------------------------------------------------------------------------------------------


def test_every_corpus_file_is_a_case_and_there_are_at_least_30():
    files = {p.name for p in CORPUS.iterdir() if p.is_file() and p.suffix in (".csv", ".xlsx")}
    assert files == {c.file for c in CASES}
    assert len(BROKEN) >= 30


def test_xlsx_corpus_files_are_what_make_xlsx_writes():
    from tests.corpus import make_xlsx

    for name, make in make_xlsx.MAKERS.items():
        assert (CORPUS / name).read_bytes() == make(), f"{name}: rerun tests/corpus/make_xlsx.py"


def _spec(dataset: str) -> TableSpec:
    spec = dataset_spec(dataset)
    required = tuple(c for c, s in spec.columns.items() if s.required_column)
    return TableSpec(known_headings(dataset, None), required, spec.key, sheet=dataset)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.outcome != "onbekend"], ids=_ids([c for c in CASES if c.outcome != "onbekend"])
)
def test_each_file_read_alone_is_unreadable_exactly_when_the_case_says(case):
    data = (CORPUS / case.file).read_bytes()
    if case.outcome == "onleesbaar":
        with pytest.raises(UnreadableFileError) as caught:
            read_table(data, _spec(case.dataset), Path(case.file).suffix)
        assert case.reason in caught.value.nl and caught.value.en
    else:
        read_table(data, _spec(case.dataset), Path(case.file).suffix)


# ---------------------------------------------------------------------------------------------
# One period built from good deliveries plus the whole corpus
# ---------------------------------------------------------------------------------------------


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("corpus")
    raw = root / "raw"
    shutil.copytree(CORPUS / "goed", raw)
    for case in CASES:
        target = raw / case.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / case.file, target)
    before = _tree_hashes(raw)
    proc = run_report(PERIOD, raw, root / "out", {"SROI_PSEUDONYM_KEY": KEY})
    out = root / "out"
    return SimpleNamespace(
        raw=raw,
        out=out,
        proc=proc,
        before=before,
        terminal=proc.stdout + proc.stderr,
        clean=out / "clean" / PERIOD,
        reports=out / "reports" / PERIOD,
        bestanden=pd.read_csv(out / "clean" / PERIOD / "bestanden.csv", dtype=str, keep_default_na=False)
        if proc.returncode == 0
        else None,
    )


def _page(built, name: str) -> str:
    return (built.reports / name).read_text(encoding="utf-8")


def _rows_with(page: str, *texts: str) -> list[str]:
    """The text of the table rows of a page that contain every one of ``texts`` (the page may
    break long names with ``<wbr>`` or wrap them in other inline tags)."""
    rows = [html.unescape(re.sub(r"<[^>]*>", "", r)) for r in re.findall(r"<tr[ >].*?</tr>", page, flags=re.S)]
    return [r for r in rows if all(t in r for t in texts)]


def test_the_period_publishes_with_a_summary_on_the_terminal(built):
    assert built.proc.returncode == 0, built.terminal
    assert built.proc.stderr.strip() == ""
    assert "klaar in" in built.proc.stdout and (built.reports / "index.html").is_file()
    files = built.bestanden
    status = files["status"].value_counts()
    read = files[files["status"] == "gelezen"]
    total = {c: read[c].astype(int).sum() for c in ("rijen_gelezen", "rijen_schoon", "rijen_afgekeurd")}
    assert (
        f"leveringen: {len(files)} bestanden ({status['gelezen']} gelezen, {status['onleesbaar']} onleesbaar, "
        f"{status['onbekend']} onbekend); {total['rijen_gelezen']} rijen = {total['rijen_schoon']} schoon + "
        f"{total['rijen_afgekeurd']} afgekeurd"
    ) in built.proc.stdout
    # the broken files are named on the terminal too (the first ten, then a count)
    broken = files[files["status"] != "gelezen"]
    assert (
        f"  {broken.iloc[0]['status']}: {broken.iloc[0]['bestand']} — {broken.iloc[0]['reden_nl']}" in built.proc.stdout
    )
    assert f"en nog {len(broken) - 10}" in built.proc.stdout


def test_raw_files_never_change(built):
    assert _tree_hashes(built.raw) == built.before


def test_every_file_is_listed_with_its_status(built):
    status = dict(zip(built.bestanden["bestand"], built.bestanden["status"]))
    expected = {c.rel: {"afgekeurd": "gelezen", "bevinding": "gelezen"}.get(c.outcome, c.outcome) for c in CASES}
    assert {rel: status.get(rel) for rel in expected} == expected


def test_raw_rows_are_clean_plus_rejected_for_every_readable_file(built):
    read = built.bestanden[built.bestanden["status"] == "gelezen"]
    assert len(read) >= 25
    for row in read.itertuples():
        assert int(row.rijen_gelezen) == int(row.rijen_schoon) + int(row.rijen_afgekeurd), row.bestand


@pytest.mark.parametrize(
    "case",
    [c for c in BROKEN if c.outcome in ("onleesbaar", "onbekend")],
    ids=_ids([c for c in BROKEN if c.outcome in ("onleesbaar", "onbekend")]),
)
def test_file_problems_are_named_in_bestanden(built, case):
    row = built.bestanden[built.bestanden["bestand"] == case.rel].iloc[0]
    assert case.reason in row["reden_nl"] and row["reason_en"]


@pytest.mark.parametrize("case", [c for c in BROKEN if c.rows], ids=_ids([c for c in BROKEN if c.rows]))
def test_row_problems_are_named_by_file_and_excel_row(built, case):
    name = "afgekeurd" if case.outcome == "afgekeurd" else "bevindingen"
    lines = pd.read_csv(built.clean / f"{name}.csv", dtype=str, keep_default_na=False)
    mine = lines[lines["bestand"] == case.rel]
    assert set(case.rows) <= set(mine["rij"].astype(int))
    assert mine["reden_nl"].str.contains(case.reason, regex=False).any()


# A page may show a file by its name alone (the partner is in the row or the page is its own):
# the corpus file names are unique, so the name identifies the delivery.


@pytest.mark.parametrize("case", BROKEN, ids=_ids(BROKEN))
def test_every_broken_delivery_is_named_on_kwaliteit_html_with_a_dutch_reason(built, case):
    # kwaliteit.html names a partner by its name from the register, not by its id
    register = pd.read_csv(built.raw / "partners.csv", dtype=str)
    names = dict(zip(register["partner_id"], register["naam"]))
    who = (names.get(case.partner, case.partner),) if case.partner else ()
    # the page gives the reason in words: a column as its header or its Dutch name, possibly quoted
    from pipeline.report import labels

    def words(text: str) -> str:
        return re.sub(r"[a-z]+(?:_[a-z0-9]+)+", lambda m: labels.label("kolom", m.group()), text)

    page = _page(built, "kwaliteit.html")
    unquoted = page.replace("&#x27;", "").replace("&#39;", "").replace("'", "")
    reasons = {case.reason, readable_reason(case.reason), words(case.reason)}
    assert any(_rows_with(page, case.file, r, *who) or _rows_with(unquoted, case.file, r, *who) for r in reasons), (
        case.rel
    )


@pytest.mark.parametrize("case", ON_PARTNER_PAGE, ids=_ids(ON_PARTNER_PAGE))
def test_every_broken_delivery_is_named_on_the_partners_own_page(built, case):
    page = _page(built, f"partners/{case.partner}.html")
    # a partner's page gives the reason in words (codes such as uren_per_week with spaces)
    assert _rows_with(page, case.file, readable_reason(case.reason)), case.rel
    for other in (p for p in BAD if p != case.partner):  # and on no other partner's page
        assert html.escape(case.file) not in _page(built, f"partners/{other}.html")


@pytest.mark.parametrize("case", NOTED, ids=_ids(NOTED))
def test_notes_on_read_files_are_on_kwaliteit_html_and_the_partners_page(built, case):
    assert _rows_with(_page(built, "kwaliteit.html"), case.file, case.reason), case.rel
    assert _rows_with(_page(built, f"partners/{case.partner}.html"), case.file, readable_reason(case.reason)), case.rel


def test_unknown_columns_are_one_note_on_kwaliteit_html(built):
    assert len(_rows_with(_page(built, "kwaliteit.html"), "opdrachten_300_columns.csv", "onbekende kolom")) == 1


def test_accepted_quirks_are_read_exactly(built):
    opdrachten = pd.read_parquet(built.clean / "opdrachten.parquet").set_index("opdracht_id")
    inzet = pd.read_parquet(built.clean / "inzet.parquet").set_index("regel_id")
    trajecten = pd.read_parquet(built.clean / "trajecten.parquet").set_index("traject_id")
    assert opdrachten.at["QN-1", "omschrijving"] == 'Brug; fase 2\nincl. fietspad, "zuid"'
    assert opdrachten.at["QN-1", "opdrachtnemer_naam"] == 'Bouw "Kapot"; B.V.'
    assert opdrachten.at["W300-1", "opdrachtwaarde"] == 200000.0
    assert opdrachten.at["XH-2", "omschrijving"] == '=HYPERLINK("http://evil.example/xlsx","Klik")'
    assert opdrachten.at["HOS-4", "omschrijving"] == "-2+3"
    assert inzet.at["U16-1", "omschrijving"] == "Café-medewerker ë €"
    assert inzet.at["UNI-1", "bron_bestand"] == f"{PERIOD}/bouw-kapot/inzet café – spaties én ü (kopie).csv"
    assert trajecten.at["U16N-1", "woongemeente"] == "Súdwest-Fryslân"
    assert trajecten.at["TDUP-2", "bron_bestand"].endswith("_deel1.csv")  # the first occurrence is kept
    # one file in UTF-8 and Windows-1252: each line decoded in its own encoding, nothing garbled
    assert inzet.at["MIX-1", "omschrijving"] == "Café-medewerker ë (UTF-8)"
    assert inzet.at["MIX-2", "omschrijving"] == "Café-medewerker ë € (Windows-1252)"
    # 31-12-9999 and 9999-12-31 are "no end date": kept, still running
    assert inzet.loc[["OE-1", "OE-2"], "einddatum"].isna().all()
    assert "E9-1" not in opdrachten.index  # a required einddatum cannot be open
    # rows of unreadable or unknown files are not read at all
    assert not {"UQ-1", "PIPE-1", "RCM-1", "UPF-1", "SUB-1", "XT-1"} & set(inzet.index)
    assert not {"DIP-1", "DCOL-1"} & set(opdrachten.index) and "RM-1" not in trajecten.index


def test_no_traceback_on_the_terminal_or_any_page(built):
    assert "Traceback" not in built.terminal
    for page in built.reports.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Traceback" not in text, page.name


def test_hostile_text_is_escaped_in_every_page(built):
    pages = {
        p.relative_to(built.reports).as_posix(): p.read_text(encoding="utf-8") for p in built.reports.rglob("*.html")
    }
    for name, text in pages.items():
        assert "<script" not in text.lower(), name  # the pages have no script of their own either
        assert "<b onmouseover" not in text and "<i>Bouw Kapot</i>" not in text, name
    # the literal text is what a reader sees (escaped in the HTML, maybe with <wbr> break hints)
    shown = {name: html.unescape(re.sub(r"<[^>]*>", "", text)) for name, text in pages.items()}
    own = shown["partners/gemeente-kapot.html"]
    assert "<script>alert('sroi')</script>" in own and "&lt;script&gt;alert(" in pages["partners/gemeente-kapot.html"]
    assert '=HYPERLINK("http://evil.example/","Klik hier")' in own
    assert "'=HYPERLINK" not in own  # the quote that keeps it inert in a CSV is not shown
    assert "<script>alert('afgekeurd')</script>" in shown["kwaliteit.html"]
    assert "+cmd|' /C calc'!A0" in shown["partners/bouw-kapot.html"]


def _csv_cells(path: Path) -> list[tuple[str, str]]:
    """(column, cell) of every cell of a CSV file."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return [(rows[0][i], cell) for row in rows[1:] for i, cell in enumerate(row)]


def test_no_csv_download_holds_a_cell_excel_would_run(built):
    paths = sorted(built.reports.glob("data/*.csv")) + sorted(built.clean.glob("*.csv"))
    assert {"afgekeurd.csv", "bevindingen.csv", "opdrachten.csv"} <= {p.name for p in paths}
    for path in paths:
        for column, cell in _csv_cells(path):
            if cell.startswith(FORMULA_TRIGGERS):
                assert re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)*(?:[eE][+-]?[0-9]+)?", cell), (path.name, column, cell)


def test_hostile_cells_are_kept_as_quoted_text_and_numbers_stay_numbers(built):
    text = (built.reports / "data" / "opdrachten.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'+cmd|" in text and "'-2+3" in text and "'@SUM(A1:A9)" in text
    assert "\n" + "gemeente-kapot,'=2+5," in text  # an id is text too
    rejected = pd.read_csv(built.clean / "afgekeurd.csv", dtype=str, keep_default_na=False)
    values = set(rejected["waarde"])
    assert {'\'=HYPERLINK("http://evil.example/","x")', "'@SUM(1+1)", "'+cmd|' /C calc'!A0"} <= values
    assert {"-50000", "-100000"} <= values  # negative amounts: numbers, not neutralised
    numbers = pd.read_csv(built.reports / "data" / "opdrachten.csv")
    assert pd.api.types.is_float_dtype(numbers["verplichting_eur"])


def test_the_excel_download_holds_the_text_as_delivered_not_a_formula(built):
    import openpyxl

    book = openpyxl.load_workbook(built.reports / "data" / "opdrachten.xlsx")
    cells = {c.value: c for row in book.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)}
    hostile = cells['=HYPERLINK("http://evil.example/","Klik hier")']
    assert hostile.data_type == "s" and hostile.quotePrefix
    assert not any(v.startswith("'") and v[1:2] in "=+-@" for v in cells)


def test_no_bsn_and_no_key_in_any_output_or_notebook(built):
    from tests.integration.test_e2e import _bsn_hits

    outputs = [p for p in built.out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".ipynb" for p in outputs)
    assert _bsn_hits(outputs) == []
    for path in outputs:
        assert KEY.encode() not in path.read_bytes(), path.relative_to(built.out)
    assert KEY not in built.terminal
    logs = [p for p in (ROOT / "logs").rglob("*") if p.is_file()] if (ROOT / "logs").is_dir() else []
    assert not [p.name for p in logs if KEY.encode() in p.read_bytes()]
    # the detector can fail: the raw corpus does hold BSNs
    assert _bsn_hits(built.raw.rglob("*.csv"))
