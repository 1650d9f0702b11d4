"""Type the raw exports of one dataset by the standard (datasets.yaml), all files in one pass.

Part of stage 1 (:mod:`pipeline.ingest.stage`). The raw tables of every file of a dataset are stacked
and each column is parsed once (:mod:`pipeline.ingest.parse`), with the file as the "column" for the
rules that look at other values (an ambiguous ``1.234``, an ``x``/empty column). Typing a
dataset costs a few calls per column instead of a few per file, so hundreds of small exports
read as fast as one large one.

A value that cannot be typed rejects its row: one afgekeurd line per row x column, with the
value (a BSN masked), a stable rule id and a Dutch and English reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from pipeline.core.schema import dataset_spec
from pipeline.ingest.deliveries import FoundFile, normalise_kvk
from pipeline.ingest.mappings import DatasetMapping, normalise_header
from pipeline.ingest.parse import OPEN_END, PROBLEMS, parse_boolean, parse_date, parse_dutch_number
from pipeline.ingest.pseudonym import mask_bsn_in_column, mask_line_values, pseudonymise_with_check
from pipeline.ingest.readers import READ_PROBLEMS, RawTable, TableSpec, read_table

# ``kolom`` is the standard's name (machine-readable); ``kolom_bestand`` the header of that column
# as the partner's file has it (docs/exports.md, "What is rejected and what is warned"), empty when the line
# concerns no single delivered column (a whole row, a missing column, a whole delivery).
AFGEKEURD_COLUMNS = [
    "partner_id",
    "dataset",
    "bestand",
    "rij",
    "kolom",
    "kolom_bestand",
    "waarde",
    "regel",
    "reden_nl",
    "reason_en",
]
BEVINDINGEN_COLUMNS = [*AFGEKEURD_COLUMNS, "severity"]
#: kolommen.csv: per file read, each standard column and its header as delivered
KOLOMMEN_COLUMNS = ["bestand", "dataset", "kolom", "kolom_bestand"]
#: Rule code of a BSN found (and masked) in a text column: a finding on the row, not a rejection.
BSN_MASKED = "bsn_gemaskeerd"
_KEYS = ["_bron", "bron_rij"]  # a row of the stack: which file, which Excel row
# docs/exports.md: these end dates are "optional (empty = still running)"; a far-future date such as
# 31-12-9999 is how many systems write "no end date", so it reads as empty with a note. A
# required end date (opdrachten.einddatum) gets no such reading: there it is out of range.
OPEN_END_COLUMNS = {("inzet", "einddatum"), ("trajecten", "einddatum"), ("trajecten", "plaatsing_einddatum")}
MAX_NOTED_ROWS = 5  # Excel rows named in an open-end note; the rest are counted
Note = tuple[str, str, str]  # soort, nl, en (meldingen.csv)

# Rule code -> (Dutch, English) for every ingest rejection.
REASONS: dict[str, tuple[str, str]] = {
    **PROBLEMS,
    **READ_PROBLEMS,
    "bsn_ongeldig": (
        "geen BSN: verwacht 9 cijfers (of 8 als Excel de voorloopnul heeft weggelaten)",
        "not a BSN: expected 9 digits (or 8 if Excel dropped the leading zero)",
    ),
}


def known_headings(dataset: str, mapping: DatasetMapping | None) -> dict[str, str]:
    """Comparable heading -> standard column: the standard's names, aliases, partner mapping."""
    headings: dict[str, str] = {}
    for name, col in dataset_spec(dataset).columns.items():
        headings[normalise_header(name)] = name
        headings.update({normalise_header(a): name for a in col.aliases})
    if mapping is not None:
        headings.update(mapping.normalised_columns())
    return headings


def read_export(raw: bytes, f: FoundFile, mapping: DatasetMapping | None) -> RawTable:
    """Read one export and translate the partner's own codes (mapping ``values``).

    Raises:
        UnreadableFileError: the file cannot be read at all.
    """
    spec = dataset_spec(f.dataset)
    required = tuple(c for c, s in spec.columns.items() if s.required_column)
    table = read_table(raw, TableSpec(known_headings(f.dataset, mapping), required, spec.key, f.dataset), f.path.suffix)
    translations = mapping.normalised_values() if mapping else {}
    data = table.data.copy()
    for column, codes in translations.items():
        if column in data:
            data[column] = _map_distinct(
                data[column], lambda v: codes.get(v.strip().casefold(), v) if isinstance(v, str) else v
            )
    return dataclasses.replace(table, data=data)


def type_exports(
    dataset: str, exports: list[tuple[FoundFile, RawTable]], key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, int]], list[list[Note]], pd.DataFrame]:
    """Type the raw tables of one dataset: ``(clean rows, afgekeurd lines, counts per export,
    notes per export, bevindingen lines)``.

    Clean rows carry the provenance columns; counts and notes follow ``exports``, and counts
    satisfy ``rijen_gelezen = rijen_schoon + rijen_afgekeurd`` (checked: a break is a bug). The
    findings are the BSNs masked in text columns (the row is kept, the partner learns of it).
    """
    stack = _stack([t.data for _, t in exports], list(dataset_spec(dataset).columns))
    typed, type_problems = type_columns(stack, dataset, key, groups=stack["_bron"])
    is_open_end = type_problems["regel"].eq(OPEN_END).to_numpy(dtype=bool)
    notes = _open_end_notes(type_problems[is_open_end], len(exports))
    type_problems = type_problems[~is_open_end]
    is_masked = type_problems["regel"].eq(BSN_MASKED).to_numpy(dtype=bool)
    masked, type_problems = type_problems[is_masked], type_problems[~is_masked]
    read_problems = pd.concat(
        [pd.DataFrame(columns=[*_KEYS, "kolom", "waarde", "regel"])]
        + [t.problems.assign(_bron=i) for i, (_, t) in enumerate(exports)],
        ignore_index=True,
    )
    problems = pd.concat([read_problems, _not_yet_rejected(type_problems, read_problems)], ignore_index=True)
    problems = problems.astype({"_bron": "int64", "bron_rij": "int64"})
    bad = problems[_KEYS].drop_duplicates()
    is_bad = pd.MultiIndex.from_frame(typed[_KEYS]).isin(pd.MultiIndex.from_frame(bad))
    clean = typed[~is_bad].copy()
    source = {
        name: np.array([getattr(f, attr) for f, _ in exports] + [""], dtype=object)
        for name, attr in (
            ("partner_id", "partner_id"),
            ("bron_bestand", "rel"),
            ("levering_periode", "levering_periode"),
        )
    }
    for name, values in source.items():
        clean[name] = values[clean["_bron"].to_numpy()]
    schoon, afgekeurd = clean["_bron"].value_counts(), bad["_bron"].value_counts()
    counts = []
    for i, (f, table) in enumerate(exports):
        count = {
            "rijen_gelezen": len(table.data),
            "rijen_leeg": table.rijen_leeg,
            "rijen_schoon": int(schoon.get(i, 0)),
            "rijen_afgekeurd": int(afgekeurd.get(i, 0)),
        }
        # docs/exports.md: raw rows = clean rows + rejected rows, for every file; anything else is a bug
        if count["rijen_gelezen"] != count["rijen_schoon"] + count["rijen_afgekeurd"]:
            raise RuntimeError(f"row conservation broken for {f.rel}: {count}")
        counts.append(count)
    headers = [t.headers for _, t in exports]
    return (
        clean.drop(columns="_bron"),
        _rejections(dataset, problems, source, headers),
        counts,
        notes,
        _masked_findings(dataset, masked, source, headers),
    )


def header_lines(dataset: str, exports: list[tuple[FoundFile, RawTable]]) -> pd.DataFrame:
    """The lines of kolommen.csv for these exports: ``bestand, dataset, kolom, kolom_bestand``.

    >>> f = FoundFile(None, "2021Q3/p/inzet.csv", "p", "inzet", "2021Q3")
    >>> t = RawTable(pd.DataFrame(), pd.DataFrame(), 0, headers={"uren_per_week": "Uren per week"})
    >>> header_lines("inzet", [(f, t)]).values.tolist()
    [['2021Q3/p/inzet.csv', 'inzet', 'uren_per_week', 'Uren per week']]
    """
    rows = [(f.rel, dataset, kolom, text) for f, t in exports for kolom, text in t.headers.items()]
    return pd.DataFrame(rows, columns=KOLOMMEN_COLUMNS, dtype="string")


def with_delivered_headers(lines: pd.DataFrame, kolommen: pd.DataFrame) -> pd.DataFrame:
    """``lines`` (afgekeurd or bevindingen) with ``kolom_bestand`` filled from kolommen.csv: the
    header the file ``bestand`` delivered for the standard column ``kolom``, else empty.

    >>> k = pd.DataFrame([["a.csv", "inzet", "kandidaat_bsn", "BSN kandidaat"]], columns=KOLOMMEN_COLUMNS)
    >>> lines = pd.DataFrame({"bestand": ["a.csv", "a.csv", ""], "kolom": ["kandidaat_bsn", "", ""]})
    >>> with_delivered_headers(lines, k)["kolom_bestand"].tolist()
    ['BSN kandidaat', '', '']
    """
    known = dict(zip(zip(kolommen["bestand"].astype(str), kolommen["kolom"].astype(str)), kolommen["kolom_bestand"]))
    keys = zip(lines["bestand"].astype("string").fillna(""), lines["kolom"].astype("string").fillna(""))
    filled = pd.Series([known.get(k, "") for k in keys], index=lines.index, dtype="string")
    return lines.assign(kolom_bestand=filled)


def _open_end_notes(lines: pd.DataFrame, n_exports: int) -> list[list[Note]]:
    """Per export, one note per column whose far-future end dates were read as "no end date"."""
    notes: list[list[Note]] = [[] for _ in range(n_exports)]
    for (bron, kolom), group in lines.groupby(["_bron", "kolom"], sort=True):
        rows = sorted(group["bron_rij"].astype(int))
        shown = ", ".join(map(str, rows[:MAX_NOTED_ROWS])) + (
            f" en {len(rows) - MAX_NOTED_ROWS} meer" if len(rows) > MAX_NOTED_ROWS else ""
        )
        shown_en = shown.replace(" en ", " and ").replace(" meer", " more")
        values = ", ".join(sorted(set(group["waarde"].astype(str)))[:3])
        notes[int(bron)].append(
            (
                "open_einde",
                f"{kolom} {values} gelezen als 'geen einddatum' (rij {shown}); laat de cel liever leeg",
                f"{kolom} {values} read as 'no end date' (row {shown_en}); better leave the cell empty",
            )
        )
    return notes


def _stack(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The raw tables one under the other with ``_bron`` (their position) and ``bron_rij``.

    A column that is text in every file (CSV) stays an Arrow string column; a column holding
    XLSX cell objects anywhere becomes ``object`` (empty cells ``None`` or ``<NA>``).
    """
    frames = [
        pd.DataFrame(
            {
                "bron_rij": pd.Series(dtype="int64"),
                "_bron": pd.Series(dtype="int64"),
                **{c: pd.Series(dtype="string") for c in columns},
            }
        )
    ]
    for i, table in enumerate(tables):
        absent = {c: pd.Series(pd.NA, index=table.index, dtype="string") for c in columns if c not in table}
        frames.append(table.assign(_bron=i, **absent)[["bron_rij", "_bron", *columns]])
    return pd.concat(frames, ignore_index=True).astype({"bron_rij": "int64", "_bron": "int64"})


def _delivered(headers: list[Mapping[str, str]], files: np.ndarray, kolom: pd.Series) -> list[str]:
    """Per line, the header its file delivered for ``kolom`` (empty for a whole-row problem)."""
    return [headers[int(b)].get(k, "") if isinstance(k, str) else "" for b, k in zip(files, kolom)]


def _masked_findings(
    dataset: str, masked: pd.DataFrame, source: dict[str, np.ndarray], headers: list[Mapping[str, str]]
) -> pd.DataFrame:
    """One warning per row x text column in which a BSN was found and masked (docs/domain.md: a BSN
    belongs only in kandidaat_bsn; the partner must learn it typed one elsewhere)."""
    file = masked["_bron"].to_numpy(dtype="int64")
    kolom = masked["kolom"].astype(str)
    return pd.DataFrame(
        {
            "partner_id": source["partner_id"][file],
            "dataset": dataset,
            "bestand": source["bron_bestand"][file],
            "rij": masked["bron_rij"].astype("int64").to_numpy(),
            "kolom": kolom.to_numpy(),
            "kolom_bestand": _delivered(headers, file, kolom),
            "waarde": masked["waarde"].to_numpy(),
            "regel": [f"{dataset}.{k}.{BSN_MASKED}" for k in kolom],
            "reden_nl": [
                f"BSN in kolom {k} aangetroffen en gemaskeerd; een BSN hoort alleen in kandidaat_bsn" for k in kolom
            ],
            "reason_en": [f"BSN found in column {k} and masked; a BSN belongs only in kandidaat_bsn" for k in kolom],
            "severity": "warning",
        },
        columns=BEVINDINGEN_COLUMNS,
    )


def _rejections(
    dataset: str, problems: pd.DataFrame, source: dict[str, np.ndarray], headers: list[Mapping[str, str]]
) -> pd.DataFrame:
    problems = mask_rejected_values(problems, dataset)
    reasons = problems["regel"].map(REASONS)
    file = problems["_bron"].to_numpy()
    return pd.DataFrame(
        {
            "partner_id": source["partner_id"][file],
            "dataset": dataset,
            "bestand": source["bron_bestand"][file],
            "rij": problems["bron_rij"].astype("int64"),
            "kolom": problems["kolom"],
            "kolom_bestand": pd.Series(
                _delivered(headers, file, problems["kolom"]), index=problems.index, dtype=object
            ),
            "waarde": problems["waarde"],
            "regel": rule_ids(dataset, problems["kolom"], problems["regel"]),
            "reden_nl": reasons.str[0],
            "reason_en": reasons.str[1],
        },
        columns=AFGEKEURD_COLUMNS,
    )


_PARSERS: dict[str, Callable] = {
    "money": parse_dutch_number,
    "number": parse_dutch_number,
    "boolean": parse_boolean,
}


def type_columns(
    data: pd.DataFrame, dataset: str, key: bytes, groups: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type every standard column by datasets.yaml: ``(typed rows, problems)``.

    ``data`` holds raw values per standard column (absent columns count as empty), ``bron_rij``
    and optionally ``_bron`` (the file). ``problems`` has one line per row x column that could
    not be typed: ``[_bron,] bron_rij, kolom, waarde, regel`` (``regel`` :data:`~pipeline.ingest.parse.OPEN_END`
    marks an open end date: a note, not a problem). The raw BSN leaves only as its pseudonym
    ``kandidaat_id`` and ``kandidaat_bsn_elfproef``; a BSN typed into a text column is masked
    here, once, so no later stage can publish it, and gets a ``bsn_gemaskeerd`` line in
    ``problems`` (a finding, not a rejection: :func:`type_exports` tells them apart).
    """
    keys = [k for k in _KEYS if k in data]
    typed: dict[str, pd.Series] = {k: data[k].astype("int64") for k in keys}
    problems = [pd.DataFrame(columns=[*keys, "kolom", "waarde", "regel"])]
    for name, col in dataset_spec(dataset).columns.items():
        raw = data[name] if name in data else pd.Series(None, index=data.index, dtype=object)
        text = to_text(raw)
        if col.type == "text":
            is_kvk = name.endswith("_kvk")
            # docs/domain.md: no BSN in any output. A KvK number has 8 digits, so there only the 9-digit
            # form counts; identifiers get a keyed tag so distinct ids stay distinct after masking.
            typed[name], changed = mask_bsn_in_column(
                normalise_kvk(text) if is_kvk else text,
                allow_short=not is_kvk,
                key=key if key and _is_identifier(dataset, name) else None,
            )
            rule = pd.Series(pd.NA, index=raw.index, dtype="string").mask(changed.to_numpy(dtype=bool), BSN_MASKED)
            text = typed[name]  # the finding shows the masked value
        elif col.type == "bsn":
            typed["kandidaat_id"], typed["kandidaat_bsn_elfproef"] = pseudonymise_with_check(raw, key)
            malformed = text.notna() & typed["kandidaat_id"].isna()  # not 8-9 digits: no pseudonym
            rule = pd.Series(pd.NA, index=raw.index, dtype="string").mask(malformed, "bsn_ongeldig")
        elif col.type == "date":
            typed[name], rule = parse_date(raw, open_end=(dataset, name) in OPEN_END_COLUMNS)
        else:
            typed[name], rule = _PARSERS[col.type](raw, groups)
        hit = rule.notna().to_numpy()
        if hit.any():
            found = data.loc[hit, keys].assign(kolom=name, waarde=text[hit].astype(object), regel=rule[hit])
            problems.append(found.astype({"regel": object}))
    return pd.DataFrame(typed, index=data.index), pd.concat(problems, ignore_index=True)


def _is_identifier(dataset: str, column: str) -> bool:
    """Columns that link rows within and across datasets (the key, contract ids, partner ids)."""
    return column in dataset_spec(dataset).key or column.endswith("_id") or column == "opdrachtgever"


def to_text(raw: pd.Series) -> pd.Series:
    """Raw cell values as stripped pandas strings (``<NA>`` when empty); numbers without ``.0``.

    >>> to_text(pd.Series([" a ", 12345.0, 1.5, dt.datetime(2021, 3, 1), None, ""])).tolist()
    ['a', '12345', '1.5', '2021-03-01', <NA>, <NA>]
    """
    if isinstance(raw.dtype, pd.StringDtype):  # CSV cells: already stripped strings
        return raw.astype("string").mask(raw.str.strip() == "")
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    distinct = np.asarray(uniques, dtype=object)
    is_str = np.fromiter((isinstance(v, str) for v in distinct), dtype=bool, count=len(distinct))
    text = np.empty(len(distinct) + 1, dtype=object)
    text[:-1][is_str] = pd.Series(distinct[is_str], dtype="string").str.strip().to_numpy(dtype=object)
    text[:-1][~is_str] = [_text_value(v) for v in distinct[~is_str]]  # XLSX numbers and dates
    text[-1] = None  # missing
    out = pd.Series(text[codes], index=raw.index, dtype="string")
    return out.where(out != "")


def _text_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value == dt.datetime.combine(value.date(), dt.time()):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _map_distinct(values: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``fn`` applied once per distinct non-missing value (a column has few distinct values)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def mask_rejected_values(problems: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Mask every BSN in ``waarde``: the BSN column, a BSN typed into any other column, with or
    without separators (:func:`pipeline.ingest.pseudonym.mask_line_values`; docs/domain.md: no BSN in any
    output)."""
    out = mask_line_values(problems.assign(dataset=dataset, waarde=problems["waarde"].astype("string")))
    return out.drop(columns="dataset") if "dataset" not in problems else out


def rule_ids(dataset: str, columns: pd.Series, codes: pd.Series) -> list[str]:
    """Stable rule ids like the validation suites': ``<dataset>.<kolom>.<code>`` (or without kolom).

    >>> rule_ids("inzet", pd.Series(["startdatum", ""]), pd.Series(["datum_ongeldig", "totaalregel"]))
    ['inzet.startdatum.datum_ongeldig', 'inzet.totaalregel']
    """
    return [".".join(p for p in (dataset, k, c) if p) for k, c in zip(columns, codes)]


def _not_yet_rejected(type_problems: pd.DataFrame, read_problems: pd.DataFrame) -> pd.DataFrame:
    """Typing problems not already explained by a reading problem of the same cell or row.

    A row with more fields than the header, or a totals row, is rejected as a whole: typing its
    shifted or summed values would only add noise (and could echo a shifted BSN).
    """
    whole = read_problems["kolom"].eq("") | read_problems["regel"].eq("totaalregel")
    rows = set(zip(read_problems.loc[whole, "_bron"], read_problems.loc[whole, "bron_rij"]))
    cells = set(zip(read_problems["_bron"], read_problems["bron_rij"], read_problems["kolom"]))
    keep = [
        (b, r) not in rows and (b, r, k) not in cells
        for b, r, k in zip(type_problems["_bron"], type_problems["bron_rij"], type_problems["kolom"])
    ]
    return type_problems[keep]
