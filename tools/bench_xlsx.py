"""Time reading every XLSX export under a folder through openpyxl only and through the reader
ingest uses (python-calamine where :func:`pipeline.ingest.xlsx_reader._plan` allows, else
openpyxl), and check that both give the same sheets.

    PYTHONPATH=. .venv/bin/python -m pipeline.demo --raw-dir /tmp/raw10 --scale 10
    PYTHONPATH=. .venv/bin/python -m tools.bench_xlsx /tmp/raw10/2021Q3

Prints files, rows, seconds (best of ``--repeat``) and rows per second for each reader. The
files are read into memory first, so the figures are the readers' own, not the disk's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.core.errors import UnreadableFileError
from pipeline.ingest import xlsx_reader


def _read_all(reader, blobs: list[tuple[Path, bytes]]) -> tuple[float, int, list[object]]:
    start, rows, out = time.perf_counter(), 0, []
    for path, raw in blobs:
        try:
            sheet = reader(raw, path.name.split("_")[0])
        except UnreadableFileError as exc:
            out.append(("onleesbaar", exc.nl))
            continue
        rows += len(sheet.rows)
        out.append(sheet)
    return time.perf_counter() - start, rows, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    blobs = [(path, path.read_bytes()) for path in sorted(args.folder.rglob("*.xlsx"))]
    import openpyxl  # noqa: F401  imported before timing, as in a run that has read one file
    import python_calamine  # noqa: F401

    sheets = {}
    for name, reader in (("openpyxl", xlsx_reader.read_sheet_openpyxl), ("calamine", xlsx_reader.read_sheet)):
        runs = [_read_all(reader, blobs) for _ in range(args.repeat)]
        seconds, rows = min(r[0] for r in runs), runs[0][1]
        sheets[name] = runs[0][2]
        print(f"{name:9s} files {len(blobs)}  rows {rows:,}  {seconds:.2f} s  {rows / seconds:,.0f} rows/s")
    print("same sheets both ways:", sheets["openpyxl"] == sheets["calamine"])


if __name__ == "__main__":
    main()
