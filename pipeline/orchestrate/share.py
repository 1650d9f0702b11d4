"""What each partner receives: one package per partner, and the list to send them by.

``make share PERIOD=2021Q3`` writes ``build/delen/<P>/``:

- ``<partner_id>.zip`` per partner, holding exactly what that partner may receive (docs/outputs.md,
  "Tiers"): its own page and Excel file, the regional overview, the method page and the delivery
  templates of the datasets its role delivers. Never another partner's page, never an internal
  file (the front door, the quality page, ``data/``, the manifest, executed notebooks).
- ``verzendlijst.csv``: per partner and file, the partner's name, the optional ``email`` of
  partners.csv, the package, the file and its sha256, so the coordinator can check what went out.

The pages are copied as published, byte for byte, with one exception: in the regional overview
a link to another partner's page (which is not in the package) becomes plain text, so nothing in
a package points at a page its reader does not have. The zips are deterministic (sorted entries,
fixed timestamps and permissions): two runs on one publication give the same bytes.

The command refuses a period that is not published, and one whose publication is not reproduced
exactly (``make verify``): a successful verify leaves a stamp with the manifest's sha256, and a
share without a matching stamp runs the verification first.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.paths import ROOT, clean_root, reports_root

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no clock in a package
SHARE_ROOT_NAME = "delen"
LIST_COLUMNS = ("partner_id", "naam", "rol", "email", "pakket", "bestand", "sha256")
_PARTNER_LINK = re.compile(r'<a\b[^>]*?\bhref="(partners/[^"#?]+)"[^>]*>(.*?)</a>', re.S)


def share_root() -> Path:
    return ROOT / "build" / SHARE_ROOT_NAME


def stamp_path(period: str) -> Path:
    """The stamp a successful ``make verify`` leaves: the sha256 of the verified manifest."""
    return reports_root() / f".{period}.geverifieerd"


def write_stamp(period: str) -> None:
    manifest = reports_root() / period / "manifest.json"
    stamp_path(period).write_text(_sha256(manifest.read_bytes()) + "\n", encoding="utf-8")


def is_verified(period: str) -> bool:
    manifest = reports_root() / period / "manifest.json"
    stamp = stamp_path(period)
    return (
        manifest.is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == _sha256(manifest.read_bytes())
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unlink_other_partners(page: str, own: set[str]) -> str:
    """Links to partner pages that are not in the package become their text.

    >>> unlink_other_partners('<a href="partners/a.html">A</a>, <a href="partners/b.html">B</a>', {"partners/a.html"})
    '<a href="partners/a.html">A</a>, B'
    """
    return _PARTNER_LINK.sub(lambda m: m.group(0) if m.group(1) in own else m.group(2), page)


@dataclass(frozen=True)
class Package:
    partner_id: str
    files: dict[str, bytes]  # path inside the package -> bytes


def deterministic_zip(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` whose bytes depend on nothing but their names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever machine builds it
            zf.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def templates_for(role: str) -> dict[str, bytes]:
    """The delivery templates of the datasets ``role`` delivers, by file name (none when the
    template module is not available)."""
    from pipeline.core.schema import DATASETS, dataset_spec

    try:
        from pipeline.ingest import templates
    except ImportError:
        return {}
    return {
        f"{dataset}.xlsx": templates.template_bytes(dataset)
        for dataset in DATASETS
        if role in dataset_spec(dataset).delivered_by
    }


def packages(period: str, partners: pd.DataFrame) -> list[Package]:
    """One package per partner of the register, from the published period."""
    published = reports_root() / period
    regio = (published / "regio.html").read_text(encoding="utf-8")
    method = published / "werkwijze.html"
    role_templates: dict[str, dict[str, bytes]] = {}
    out = []
    for row in partners.sort_values("partner_id").itertuples(index=False):
        own = {f"partners/{row.partner_id}.html", f"partners/{row.partner_id}.xlsx"}
        files: dict[str, bytes] = {}
        for rel in sorted(own):
            path = published / rel
            if path.is_file():
                files[rel] = path.read_bytes()
        files["regio.html"] = unlink_other_partners(regio, own).encode("utf-8")
        if method.is_file():
            files["werkwijze.html"] = method.read_bytes()
        if row.rol not in role_templates:
            role_templates[row.rol] = templates_for(row.rol)
        for name, data in role_templates[row.rol].items():
            files[f"sjablonen/{name}"] = data
        out.append(Package(row.partner_id, {f"{row.partner_id}/{k}": v for k, v in files.items()}))
    return out


def read_emails(raw_dir: Path) -> dict[str, str]:
    """The optional ``email`` column of partners.csv (read here only: an address never enters the
    clean data or a page)."""
    from pipeline.ingest import rawfs
    from pipeline.ingest.readers import TableSpec, UnreadableFileError, read_table

    path = Path(raw_dir) / "partners.csv"
    try:
        table = read_table(
            rawfs.read_regular(path),
            TableSpec(
                headings={"partner_id": "partner_id", "partner": "partner_id", "email": "email", "e_mail": "email"},
                required=("partner_id",),
            ),
        )
    except (OSError, UnreadableFileError, rawfs.NotRegularFileError):
        return {}
    data = table.data
    if "email" not in data:
        return {}
    return {
        str(p).strip(): str(e).strip()
        for p, e in zip(data["partner_id"], data["email"])
        if not pd.isna(p) and not pd.isna(e) and str(e).strip()
    }


def share(period: str, raw_dir: Path, out_root: Path | None = None, verify_first: bool = True) -> Path:
    """Write the packages and the list of ``period``; returns the folder."""
    from pipeline.core.periods import parse_period

    period = parse_period(period).code
    published = reports_root() / period
    if not (published / "manifest.json").is_file():
        raise PipelineError(
            f"{period} is niet gepubliceerd; draai eerst make report PERIOD={period}",
            f"{period} is not published; run make report PERIOD={period} first",
        )
    if verify_first and not is_verified(period):
        from pipeline.orchestrate.verify import verify

        print(f">> {period} eerst verifiëren (make verify) | verifying {period} first", flush=True)
        if verify(period, str(raw_dir)) != 0:
            raise PipelineError(
                f"{period} is niet exact reproduceerbaar (make verify faalt); er wordt niets gedeeld",
                f"{period} is not reproduced exactly (make verify fails); nothing is shared",
            )
    partners = pd.read_parquet(clean_root() / period / "partners.parquet")
    emails = read_emails(raw_dir)
    folder = (out_root or share_root()) / period
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.zip"):
        old.unlink()
    rows = []
    names = dict(zip(partners["partner_id"], partners["naam"]))
    roles = dict(zip(partners["partner_id"], partners["rol"]))
    for package in packages(period, partners):
        zip_name = f"{package.partner_id}.zip"
        (folder / zip_name).write_bytes(deterministic_zip(package.files))
        for name in sorted(package.files):
            rows.append(
                {
                    "partner_id": package.partner_id,
                    "naam": names[package.partner_id],
                    "rol": roles[package.partner_id],
                    "email": emails.get(package.partner_id, ""),
                    "pakket": zip_name,
                    "bestand": name.split("/", 1)[1],
                    "sha256": _sha256(package.files[name]),
                }
            )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(LIST_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "verzendlijst.csv").write_text(text.getvalue(), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline.orchestrate.share", description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True)
    parser.add_argument("--raw-dir", default="data/raw")
    args = parser.parse_args(argv)
    try:
        folder = share(args.period, Path(args.raw_dir))
    except PipelineError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    count = len(list(folder.glob("*.zip")))
    try:
        shown = folder.relative_to(ROOT)
    except ValueError:
        shown = folder
    print(f">> {count} pakketten en verzendlijst.csv in {shown} | {count} packages and the list written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
