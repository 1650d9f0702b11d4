"""Write the XLSX files of the bad-input corpus (run once; the resulting .xlsx files are committed).

    .venv/bin/python tests/corpus/make_xlsx.py

Each workbook shows one way a real delivery breaks (see tests/corpus/README.md). The bytes are
deterministic: fixed document properties, and every zip entry rewritten with one fixed
timestamp, fixed attributes and the original entry order, so a rerun gives identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2021, 10, 1, 9, 0, 0)
ZIP_TIME = (2021, 10, 1, 9, 0, 0)

INZET_HEADER = [
    "regel_id",
    "opdrachtgever",
    "opdracht_id",
    "bouwblok",
    "kandidaat_bsn",
    "startdatum",
    "einddatum",
    "uren_per_week",
    "vijftig_plus",
    "bedrag",
    "omschrijving",
]
OPDRACHTEN_HEADER = [
    "Opdracht ID",
    "Omschrijving",
    "Soort",
    "Sector",
    "KvK opdrachtnemer",
    "Opdrachtnemer naam",
    "Gunningsdatum",
    "Startdatum",
    "Einddatum",
    "Opdrachtwaarde",
    "SR percentage",
]


def _book() -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.properties.creator = "sroi-tests"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    return book


def _fixed_zip(raw: bytes) -> bytes:
    """The same archive with fixed timestamps and attributes: identical bytes on every run.

    openpyxl stamps ``dcterms:modified`` with the time of saving whatever the properties say,
    so that one element is set back to :data:`FIXED_TIME` here.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = source.read(name)
            if name == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)
            target.writestr(info, data)
    return out.getvalue()


def _bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _good_inzet(title: str = "inzet") -> openpyxl.Workbook:
    book = _book()
    sheet = book.active
    sheet.title = title
    sheet.append(INZET_HEADER)
    sheet.append(
        [
            "XT-1",
            "gemeente-noord",
            "GN-3",
            "pwet_kort",
            "990008058",
            dt.datetime(2021, 6, 1),
            None,
            32,
            "nee",
            None,
            "Timmerman",
        ]
    )
    sheet.append(
        [
            "XT-2",
            "gemeente-noord",
            "GN-3",
            "bbl",
            "990008071",
            dt.datetime(2021, 7, 1),
            None,
            36,
            "ja",
            None,
            "Metselaar",
        ]
    )
    return book


def inzet_formulas_without_cached_values() -> bytes:
    """A workbook written by a script and never opened in Excel: formulas have no cached value."""
    book = _book()
    sheet = book.active
    sheet.title = "inzet"
    sheet.append(INZET_HEADER)
    sheet.append(
        [
            "FX-1",
            "gemeente-noord",
            "GN-3",
            "pwet_kort",
            "990008149",
            dt.datetime(2021, 6, 1),
            None,
            32,
            "nee",
            None,
            "Zonder formule",
        ]
    )
    sheet.append(
        [
            "FX-2",
            "gemeente-noord",
            "GN-3",
            "sociale_inkoop",
            None,
            dt.datetime(2021, 6, 15),
            None,
            None,
            None,
            "=1000*12",
            "Bedrag als formule",
        ]
    )
    sheet.append(
        [
            "FX-3",
            "gemeente-noord",
            "GN-3",
            "pwet_kort",
            "990002299",
            "=DATE(2021,7,1)",
            None,
            "=30+2",
            "nee",
            None,
            "Datum en uren als formule",
        ]
    )
    return _bytes(book)


def inzet_truncated() -> bytes:
    """A download or copy that stopped halfway: the first half of a good workbook."""
    whole = _bytes(_good_inzet())
    return whole[: len(whole) // 2]


def inzet_corrupt_sheet_xml() -> bytes:
    """A zip that is an XLSX in every way except that the worksheet XML is garbage."""
    whole = _bytes(_good_inzet())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = b"<?xml version='1.0'?><worksheet><sheetData><row r='1'><c r='A1' t='s'><v>99</v>"
            target.writestr(info, data)
    return out.getvalue()


def trajecten_zip_without_workbook() -> bytes:
    """A zip archive named .xlsx that holds no workbook at all (a zipped folder of exports)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        info = zipfile.ZipInfo("trajecten.txt", date_time=ZIP_TIME)
        info.external_attr = 0o644 << 16
        target.writestr(info, "traject_id;kandidaat_bsn\nZ-1;990002494\n")
    return out.getvalue()


def opdrachten_hostile_text_in_cells() -> bytes:
    """Text cells (not formulas) that look like HTML or a spreadsheet formula: data, shown as text."""
    book = _book()
    sheet = book.active
    sheet.title = "opdrachten"
    sheet.append(OPDRACHTEN_HEADER)
    rows = [
        ("XH-1", "<script>alert('xlsx')</script>", "<i>Bouw Kapot</i>"),
        ("XH-2", '=HYPERLINK("http://evil.example/xlsx","Klik")', "Bouw Kapot B.V."),
        ("XH-3", "@SUM(A1:A9)", "-2+3"),
    ]
    for number, (opdracht_id, omschrijving, naam) in enumerate(rows, start=2):
        sheet.append(
            [
                opdracht_id,
                omschrijving,
                "werken",
                "bouw",
                "87654321",
                naam,
                dt.datetime(2021, 2, 1),
                dt.datetime(2021, 3, 1),
                dt.datetime(2022, 12, 31),
                150000,
                5,
            ]
        )
        for column in (2, 6):  # stored as text cells: openpyxl would take a leading "=" as a formula
            sheet.cell(row=number, column=column).data_type = "s"
    return _bytes(book)


MAKERS = {
    "inzet_formulas_without_cached_values.xlsx": inzet_formulas_without_cached_values,
    "inzet_truncated.xlsx": inzet_truncated,
    "inzet_corrupt_sheet_xml.xlsx": inzet_corrupt_sheet_xml,
    "trajecten_zip_without_workbook.xlsx": trajecten_zip_without_workbook,
    "opdrachten_hostile_text_in_cells.xlsx": opdrachten_hostile_text_in_cells,
}


def main() -> None:
    for name, make in MAKERS.items():
        (HERE / name).write_bytes(make())
        print(f"wrote tests/corpus/{name}")


if __name__ == "__main__":
    main()
