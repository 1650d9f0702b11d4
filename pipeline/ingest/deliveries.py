"""Which partners exist and which files they delivered (docs/exports.md: "Where files go", "partners.csv").

Two questions ingest asks before reading any export: is the partner register sound
(:func:`read_partners`), and which file belongs to which partner, dataset and delivery period
(:func:`discover`). Every file under ``<RAW>/<P>/`` ends up in the answer, recognised or not:
a file in the wrong place or with an unknown name is reported, never silently skipped.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.periods import Period, is_period, parse_period
from pipeline.core.schema import DATASETS, ROLES, dataset_spec
from pipeline.ingest import rawfs
from pipeline.ingest.readers import READ_PROBLEMS, TableSpec, UnreadableFileError, read_table

# docs/exports.md: [a-z0-9-]+; the first character not a hyphen, so an id never reads as a formula
# ("-x") in a CSV or spreadsheet and stays the same text in every output
PARTNER_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
_PARTNER_SPEC = TableSpec(
    headings={
        "partner_id": "partner_id",
        "partner": "partner_id",
        "naam": "naam",
        "rol": "rol",
        "kvk": "kvk",
        "kvk_nummer": "kvk",
    },
    required=("partner_id", "naam", "rol"),
    key=("partner_id",),
)

Note = tuple[str, str, str, str, str]  # partner_id, bestand, soort, melding_nl, message_en


@dataclass(frozen=True)
class FoundFile:
    """One file found for the run; ``unknown`` files are listed but not read."""

    path: Path
    rel: str  # relative to RAW, posix
    partner_id: str
    dataset: str
    levering_periode: str
    unknown: bool = False
    soort: str = ""  # for unknown files: why (meldingen.csv soort)
    reden_nl: str = ""
    reason_en: str = ""
    regular: bool = True  # False: a link, pipe, socket or device; never opened or hashed


def normalise_kvk(values: pd.Series) -> pd.Series:
    """KvK numbers as text: spaces and dots removed, a leading zero Excel dropped restored.

    Only an all-digit value of 7 digits is padded (Excel drops one leading zero of e.g. the
    Groningen numbers ``02...``); anything else is kept as written for the validator to judge.

    >>> normalise_kvk(pd.Series(["2012345", "1234 5678", 2012345.0, "abc", None])).tolist()
    ['02012345', '12345678', '02012345', 'abc', <NA>]
    """
    if not isinstance(values.dtype, pd.StringDtype):  # XLSX numbers: 2012345.0 -> "2012345"
        values = values.map(
            lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v), na_action="ignore"
        )
    text = values.astype("string").str.strip()
    digits = text.str.replace(r"[\s.]", "", regex=True)
    is_digits = digits.str.fullmatch(r"\d+").fillna(False).astype(bool)
    text = text.where(~is_digits, digits.str.zfill(8).where(digits.str.len() == 7, digits))
    return text.where(text != "")


def read_partners(raw_dir: Path) -> pd.DataFrame:
    """The validated partner register ``partner_id, naam, rol, kvk`` (all text), by partner_id.

    Raises:
        PipelineError: partners.csv is missing, unreadable or breaks a rule of docs/exports.md.
    """
    path = Path(raw_dir) / "partners.csv"
    if not os.path.lexists(path):
        raise PipelineError(
            "partners.csv ontbreekt in de map met ruwe data", "partners.csv is missing from the raw data folder"
        )
    try:  # the register decides whose data is whose: never read it through a link or a pipe
        raw = rawfs.read_regular(path)
    except rawfs.NotRegularFileError as exc:
        raise PipelineError(
            f"partners.csv is {exc.nl}; zet het register zelf in de ruwe map",
            f"partners.csv is {exc.en}; put the register itself in the raw folder",
        ) from None
    try:
        table = read_table(raw, _PARTNER_SPEC)
    except UnreadableFileError as exc:
        raise PipelineError(f"partners.csv is onleesbaar: {exc.nl}", f"partners.csv is unreadable: {exc.en}") from None
    data = table.data
    frame = pd.DataFrame(
        {
            "partner_id": data["partner_id"].astype("string").str.strip(),
            "naam": data["naam"].astype("string").str.strip(),
            "rol": data["rol"].astype("string").str.strip().str.casefold(),
            "kvk": normalise_kvk(data["kvk"]) if "kvk" in data else pd.Series(pd.NA, index=data.index, dtype="string"),
        }
    )
    problems = [
        (f"regel {r}: {READ_PROBLEMS[c][0]}", f"line {r}: {READ_PROBLEMS[c][1]}")
        for r, c in zip(table.problems["bron_rij"], table.problems["regel"])
    ]
    for line, row in zip(data["bron_rij"], frame.itertuples(index=False)):  # a register: few rows
        if pd.isna(row.partner_id) or not PARTNER_ID_RE.fullmatch(row.partner_id):
            problems.append(
                (
                    f"regel {line}: partner_id {row.partner_id!r} moet [a-z0-9-]+ zijn en met een "
                    "letter of cijfer beginnen",
                    f"line {line}: partner_id {row.partner_id!r} must be [a-z0-9-]+ and start with a letter or digit",
                )
            )
        if pd.isna(row.naam):
            problems.append((f"regel {line}: naam ontbreekt", f"line {line}: naam is missing"))
        if pd.isna(row.rol) or row.rol not in ROLES:
            problems.append(
                (
                    f"regel {line}: rol {row.rol!r} is niet een van {', '.join(ROLES)}",
                    f"line {line}: rol {row.rol!r} is not one of {', '.join(ROLES)}",
                )
            )
        if not pd.isna(row.kvk) and not re.fullmatch(r"\d{8}", row.kvk):
            problems.append(
                (f"regel {line}: kvk {row.kvk!r} is geen 8 cijfers", f"line {line}: kvk {row.kvk!r} is not 8 digits")
            )
        if row.rol == "opdrachtnemer" and pd.isna(row.kvk):
            problems.append(
                (
                    f"regel {line}: kvk is verplicht voor een opdrachtnemer",
                    f"line {line}: kvk is required for an opdrachtnemer",
                )
            )
    for column in ("partner_id", "kvk"):
        present = frame[column].dropna()
        problems += [
            (f"{column} {v!r} komt meer dan eens voor", f"{column} {v!r} occurs more than once")
            for v in sorted(set(present[present.duplicated()]))
        ]
    if frame.empty:
        problems.append(("geen partners", "no partners"))
    if problems:
        more = len(problems) - 5
        nl = "; ".join(nl for nl, _ in problems[:5]) + (f" (en {more} meer)" if more > 0 else "")
        en = "; ".join(en for _, en in problems[:5]) + (f" (and {more} more)" if more > 0 else "")
        raise PipelineError(f"partners.csv klopt niet: {nl}", f"partners.csv is malformed: {en}")
    return frame.sort_values("partner_id").reset_index(drop=True)


def dataset_of(filename: str) -> str | None:
    """The dataset a file name starts with, case-insensitively (docs/exports.md).

    >>> dataset_of("Inzet_2021Q3_def.xlsx"), dataset_of("overzicht.csv")
    ('inzet', None)
    """
    name = filename.casefold()
    return next((d for d in sorted(DATASETS, key=len, reverse=True) if name.startswith(d)), None)


def discover(raw_dir: Path, period: Period, partners: pd.DataFrame) -> tuple[list[FoundFile], list[Note]]:
    """Every file of the run with its partner, dataset and delivery period, plus notes.

    A partner without any dataset file for ``period`` gets its latest earlier delivery
    (docs/domain.md, "Deliveries and carry-forward"). Only regular
    files are deliveries (:mod:`pipeline.ingest.rawfs`): a link, pipe, socket or device is listed as
    ``onbekend`` with a note and never opened. Folders whose names differ only in case are
    named in a note; only the one spelled exactly as the partner_id is read
    (:func:`_partner_folders`).

    Raises:
        PipelineError: nobody delivered anything for ``period``.
    """
    raw_dir = Path(raw_dir)
    roles = dict(zip(partners["partner_id"], partners["rol"]))
    found: list[FoundFile] = []
    notes: list[Note] = []
    period_dir = raw_dir / period.code
    listing = _real_folder_entries(raw_dir, period_dir)
    folders, found = _partner_folders(raw_dir, period.code, listing, roles)
    for entry, kind in listing:
        if kind == "dir" and not any(entry.iterdir()):
            notes.append(("", entry.relative_to(raw_dir).as_posix() + "/", "lege_map", "lege map", "empty folder"))
    delivered = False
    earlier = sorted(
        (
            parse_period(d.name)
            for d, kind in _real_folder_entries(raw_dir, raw_dir)
            if kind == "dir" and is_period(d.name)
        ),
        reverse=True,
    )
    for partner_id, role in sorted(roles.items()):
        files = (
            _scan_partner(folders[partner_id], raw_dir, partner_id, role, period.code) if partner_id in folders else []
        )
        if any(not f.unknown for f in files):
            delivered = True
        else:
            for q in (q for q in earlier if q < period):
                folder = raw_dir / q.code / partner_id
                older = _scan_partner(folder, raw_dir, partner_id, role, q.code) if _is_real_dir(folder) else []
                if any(not f.unknown for f in older):
                    files += older
                    notes.append(
                        (
                            partner_id,
                            "",
                            "overgenomen",
                            f"niet aangeleverd voor {period.code}; levering {q.code} gebruikt",
                            f"not delivered for {period.code}; delivery {q.code} used",
                        )
                    )
                    break
        found += files
    if not delivered:
        raise PipelineError(
            f"geen enkele levering voor {period.code} gevonden in de ruwe map",
            f"no deliveries at all for {period.code} found in the raw folder",
        )
    notes += [(f.partner_id, f.rel, f.soort, f.reden_nl, f.reason_en) for f in found if f.unknown]
    notes += _case_collisions(found)
    return sorted(found, key=lambda f: f.rel), notes


def _real_folder_entries(raw_dir: Path, folder: Path) -> list[tuple[Path, str]]:
    """The entries of ``folder`` by kind; none when it is missing. A period folder that is a
    link is refused: the whole delivery would come from outside the raw folder."""
    if not os.path.lexists(folder):
        return []
    kind = rawfs.kind_of(folder)
    if kind == "symlink" and folder != raw_dir:
        name = folder.relative_to(raw_dir).as_posix()
        raise PipelineError(
            f"map {name} in de ruwe map is een symbolische koppeling; zet de aanleveringen zelf in de ruwe map",
            f"folder {name} in the raw folder is a symbolic link; put the deliveries themselves in the raw folder",
        )
    return rawfs.entries(folder) if kind == "dir" or folder == raw_dir else []


def _is_real_dir(path: Path) -> bool:
    return os.path.lexists(path) and rawfs.kind_of(path) == "dir"


def _partner_folders(
    raw_dir: Path, period: str, listing: list[tuple[Path, str]], roles: dict[str, str]
) -> tuple[dict[str, Path], list[FoundFile]]:
    """Which folder of the period is which partner's, and the files that are not in one.

    A partner_id is lower case (docs/exports.md: ``[a-z0-9-]+``), but a folder may be spelled
    ``Gemeente-A``. When one period holds several folders that are the same partner_id but for
    case, the one spelled exactly as the partner_id is read and every other one is listed
    ``onbekend`` with a note naming them all: reading both could count one delivery twice, and
    picking one silently loses the other (on Windows they would even be one folder). Without an
    exact spelling, none of them is read.
    """
    by_folder = {pid.casefold(): pid for pid in roles}
    found: list[FoundFile] = []
    claims: dict[str, list[Path]] = {}
    for entry, kind in listing:
        pid = by_folder.get(entry.name.casefold(), "")
        if kind == "file":
            found.append(
                _unknown(
                    entry,
                    raw_dir,
                    "",
                    period,
                    "verkeerde_plek",
                    f"bestand staat direct in {period}/; hoort in {period}/<partner_id>/",
                    f"file sits directly in {period}/; belongs in {period}/<partner_id>/",
                )
            )
        elif kind != "dir":
            found.append(_not_regular(entry, raw_dir, pid, period, kind))
        elif pid:
            claims.setdefault(pid, []).append(entry)
        else:
            found += [
                _not_regular(p, raw_dir, "", period, k)
                if k != "file"
                else _unknown(
                    p,
                    raw_dir,
                    "",
                    period,
                    "onbekende_partner",
                    f"map {entry.name} is geen partner_id uit partners.csv",
                    f"folder {entry.name} is not a partner_id in partners.csv",
                )
                for p, k in rawfs.walk(entry)
            ]
    folders: dict[str, Path] = {}
    for pid, candidates in claims.items():
        exact = [c for c in candidates if c.name == pid]
        if len(candidates) == 1:
            folders[pid] = candidates[0]
            continue
        names = " en ".join(f"{c.name}/" for c in candidates)
        names_en = " and ".join(f"{c.name}/" for c in candidates)
        if exact:
            folders[pid] = exact[0]
            nl, en = (
                f"alleen map {pid}/ wordt gelezen, dit bestand niet",
                f"only folder {pid}/ is read, this file is not",
            )
        else:
            nl, en = "geen van beide wordt gelezen", "neither is read"
        for other in (c for c in candidates if c not in exact):
            found += [
                _unknown(
                    path,
                    raw_dir,
                    pid,
                    period,
                    "hoofdletters",
                    f"mappen {names} verschillen alleen in hoofdletters; {nl}: zet alle bestanden in één map {pid}/",
                    f"folders {names_en} differ only in case; {en}: put all files in one folder {pid}/",
                )
                if kind == "file"
                else _not_regular(path, raw_dir, pid, period, kind)
                for path, kind in rawfs.walk(other)
            ]
    return folders, found


def _case_collisions(found: list[FoundFile]) -> list[Note]:
    """A note on each file whose name differs from another's in the same folder only by case.

    Both are read (nothing is lost), but they are likely two copies of one export, and on
    Windows or macOS one would overwrite the other: the partner should rename or merge them.
    """
    groups: dict[tuple[str, str], list[FoundFile]] = {}
    for f in found:
        groups.setdefault((f.path.parent.as_posix(), f.path.name.casefold()), []).append(f)
    notes: list[Note] = []
    for group in (g for g in groups.values() if len(g) > 1):
        for f in group:
            others = ", ".join(o.path.name for o in group if o is not f)
            notes.append(
                (
                    f.partner_id,
                    f.rel,
                    "hoofdletters",
                    f"bestandsnaam verschilt alleen in hoofdletters van {others} in dezelfde map; beide "
                    "gelezen: geef ze verschillende namen of lever één bestand",
                    f"file name differs only in case from {others} in the same folder; both read: give "
                    "them different names or deliver one file",
                )
            )
    return notes


def _scan_partner(folder: Path, raw_dir: Path, partner_id: str, role: str, period: str) -> list[FoundFile]:
    out = []
    for entry, kind in rawfs.entries(folder):
        if kind == "dir":
            out += [
                _unknown(
                    p,
                    raw_dir,
                    partner_id,
                    period,
                    "submap",
                    "bestand staat in een submap; zet het direct in de partnermap",
                    "file sits in a subfolder; put it directly in the partner folder",
                )
                if k == "file"
                else _not_regular(p, raw_dir, partner_id, period, k)
                for p, k in rawfs.walk(entry)
            ]
            continue
        if kind != "file":
            out.append(_not_regular(entry, raw_dir, partner_id, period, kind))
            continue
        dataset = dataset_of(entry.name)
        if dataset is None:
            out.append(
                _unknown(
                    entry,
                    raw_dir,
                    partner_id,
                    period,
                    "onbekende_naam",
                    f"naam begint niet met {', '.join(DATASETS)}",
                    f"name does not start with {', '.join(DATASETS)}",
                )
            )
        elif role not in dataset_spec(dataset).delivered_by:
            out.append(
                _unknown(
                    entry,
                    raw_dir,
                    partner_id,
                    period,
                    "past_niet_bij_rol",
                    f"{dataset} wordt niet geleverd door een {role}",
                    f"{dataset} is not delivered by a {role}",
                    dataset,
                )
            )
        else:
            out.append(FoundFile(entry, entry.relative_to(raw_dir).as_posix(), partner_id, dataset, period))
    return out


def _not_regular(path: Path, raw_dir: Path, partner_id: str, period: str, kind: str) -> FoundFile:
    """An entry that is not a regular file: listed, never opened or hashed (:mod:`pipeline.ingest.rawfs`)."""
    nl, en = rawfs.KINDS.get(kind, rawfs.KINDS["other"])
    what_nl, what_en = ("gewone map", "folder") if kind == "symlink" and path.is_dir() else ("gewoon bestand", "file")
    found = _unknown(
        path,
        raw_dir,
        partner_id,
        period,
        "geen_gewoon_bestand",
        f"geen {what_nl} ({nl}) en dus niet gelezen; lever het bestand zelf aan",
        f"not a regular {what_en} ({en}), so not read; deliver the file itself",
    )
    return dataclasses.replace(found, regular=False)


def _unknown(
    path: Path, raw_dir: Path, partner_id: str, period: str, soort: str, nl: str, en: str, dataset: str = ""
) -> FoundFile:
    rel = path.relative_to(raw_dir).as_posix()
    return FoundFile(path, rel, partner_id, dataset, period, unknown=True, soort=soort, reden_nl=nl, reason_en=en)
