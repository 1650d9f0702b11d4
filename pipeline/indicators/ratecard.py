"""The rate card of the building-blocks method: versioned configuration, never code (docs/domain.md).

The default card is ``pipeline/config/bouwblokken.csv``; ``SROI_RATE_CARD`` names another file
(a region trying a new edition, a test with a broken copy). Each row is one *version* of a block,
valid from ``geldig_vanaf`` to ``geldig_tot`` (both inclusive; empty ``geldig_tot`` = open-ended).
A contract is valued with the versions valid on its award date (``gunningsdatum``): the rules at
award are the rules of the contract.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.core.errors import PipelineError
from pipeline.core.paths import CONFIG_DIR

DEFAULT_RATE_CARD = CONFIG_DIR / "bouwblokken.csv"
RATE_CARD_ENV = "SROI_RATE_CARD"
RATE_CARD_COLUMNS = (
    "bouwblok",
    "omschrijving",
    "soort",
    "waarde_eur",
    "eenheid",
    "max_maanden",
    "geldig_vanaf",
    "geldig_tot",
)
BONUS_BLOCK = "toeslag_50plus"  # docs/domain.md: a bonus on jaar lines, not a block a line can name

# Dutch and English hint per column, used when a row fails validation.
_HINTS = {
    "bouwblok": ("verplicht, kleine letters, cijfers en _", "required, lower case, digits and _"),
    "omschrijving": ("verplicht", "required"),
    "soort": ("moet persoon of geld zijn", "must be persoon or geld"),
    "waarde_eur": ("moet een getal >= 0 zijn", "must be a number >= 0"),
    "eenheid": ("onbekende eenheid: gebruik jaar, maand of factor", "unknown unit: use jaar, maand or factor"),
    "max_maanden": ("moet leeg of een geheel getal > 0 zijn", "must be empty or a whole number > 0"),
    "geldig_vanaf": ("verplichte datum jjjj-mm-dd", "required date yyyy-mm-dd"),
    "geldig_tot": (
        "leeg of datum jjjj-mm-dd, niet voor geldig_vanaf",
        "empty or date yyyy-mm-dd, not before geldig_vanaf",
    ),
}


class RateCardRow(BaseModel):
    """One version of one building block, as written in the rate card CSV."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    bouwblok: str = Field(pattern=r"^[a-z0-9_]+$")
    omschrijving: str = Field(min_length=1)
    soort: Literal["persoon", "geld"]
    waarde_eur: float = Field(ge=0, allow_inf_nan=False)
    eenheid: Literal["jaar", "maand", "factor"]
    max_maanden: int | None = Field(default=None, gt=0)
    geldig_vanaf: dt.date
    geldig_tot: dt.date | None = None

    @field_validator("max_maanden", "geldig_tot", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _vanaf_not_after_tot(self) -> "RateCardRow":
        if self.geldig_tot is not None and self.geldig_tot < self.geldig_vanaf:
            raise ValueError("geldig_tot")
        return self


def rate_card_path() -> Path:
    """The rate card of this run: ``$SROI_RATE_CARD`` when set, else the package's default."""
    value = os.environ.get(RATE_CARD_ENV, "").strip()
    return Path(value) if value else DEFAULT_RATE_CARD


def load_rate_card(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate a rate card CSV (default: :func:`rate_card_path`).

    Raises:
        PipelineError: unreadable file, missing/extra column, invalid row, overlapping versions.
    """
    path = Path(path) if path is not None else rate_card_path()
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise PipelineError(
            f"tariefkaart {path.name} niet leesbaar ({type(exc).__name__})",
            f"rate card {path.name} unreadable ({type(exc).__name__})",
        ) from None
    return validate_rate_card(raw, source=path.name)


def validate_rate_card(raw: pd.DataFrame, source: str = "bouwblokken.csv") -> pd.DataFrame:
    """Validate a rate card read as text and return it typed and sorted.

    Returns columns ``bouwblok, omschrijving, soort, waarde_eur (float), eenheid,
    max_maanden (Int64, NA = no cap), geldig_vanaf, geldig_tot (datetime64[ns], NaT = open),
    tariefversie`` (``geldig_vanaf`` as ISO text), sorted by block and ``geldig_vanaf``.
    """
    columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in RATE_CARD_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in RATE_CARD_COLUMNS]
    if missing or extra:
        raise PipelineError(
            f"tariefkaart {source}: kolommen ontbreken {missing} of onbekend {extra}",
            f"rate card {source}: missing columns {missing} or unknown {extra}",
        )
    raw = raw.set_axis(columns, axis=1)
    rows = []
    for i, record in enumerate(raw.to_dict("records")):
        line = i + 2  # header is line 1
        record = {k: (v.strip() if isinstance(v, str) else v) for k, v in record.items()}
        try:
            rows.append(RateCardRow.model_validate(record).model_dump())
        except ValidationError as exc:
            column = _failed_column(exc)
            nl, en = _HINTS.get(column, ("ongeldige waarde", "invalid value"))
            raise PipelineError(
                f"tariefkaart {source}, regel {line}, kolom {column} ({record.get(column)!r}): {nl}",
                f"rate card {source}, line {line}, column {column} ({record.get(column)!r}): {en}",
            ) from None
    card = pd.DataFrame(rows, columns=list(RATE_CARD_COLUMNS))
    card = card.astype(
        {
            "bouwblok": "string",
            "omschrijving": "string",
            "soort": "string",
            "waarde_eur": "float64",
            "eenheid": "string",
            "max_maanden": "Int64",
        }
    )
    for col in ("geldig_vanaf", "geldig_tot"):
        card[col] = pd.to_datetime(card[col]).astype("datetime64[ns]")
    card = card.sort_values(["bouwblok", "geldig_vanaf"], kind="stable").reset_index(drop=True)
    _check_no_overlap(card, source)
    card["tariefversie"] = card["geldig_vanaf"].dt.strftime("%Y-%m-%d").astype("string")
    return card


def _failed_column(exc: ValidationError) -> str:
    loc = exc.errors()[0].get("loc") or ()
    if loc:
        return str(loc[0])
    # a model-level check names its column in the message (geldig_vanaf <= geldig_tot)
    return "geldig_tot"


def _check_no_overlap(card: pd.DataFrame, source: str) -> None:
    """docs/domain.md: versions of one block must not overlap."""
    nxt_vanaf = card.groupby("bouwblok")["geldig_vanaf"].shift(-1)
    same_block = nxt_vanaf.notna()
    open_or_late = card["geldig_tot"].isna() | (card["geldig_tot"] >= nxt_vanaf)
    bad = card[same_block & open_or_late]
    if len(bad):
        row = bad.iloc[0]
        vanaf = row["geldig_vanaf"].date().isoformat()
        raise PipelineError(
            f"tariefkaart {source}: versies van bouwblok {row['bouwblok']} overlappen "
            f"(versie vanaf {vanaf} loopt door in de volgende)",
            f"rate card {source}: versions of block {row['bouwblok']} overlap "
            f"(version from {vanaf} runs into the next one)",
        )


def rates_for_contracts(card: pd.DataFrame, gunningsdatum: pd.Series) -> pd.DataFrame:
    """Every block's version valid on each contract's award date (vectorised interval join).

    Args:
        card: a validated rate card (:func:`validate_rate_card`).
        gunningsdatum: award dates; its index identifies the contracts (index levels become
            columns of the result, e.g. ``opdrachtgever, opdracht_id``).

    Returns:
        One row per (contract, block) with a version valid on the award date: the index columns,
        ``gunningsdatum, bouwblok, soort, eenheid, waarde_eur, max_maanden, tariefversie``.
        A contract without a valid version of a block (or without an award date) has no row
        for that block.

    >>> card = load_rate_card()
    >>> g = pd.Series(pd.to_datetime(["2020-12-31", "2021-01-01"]), name="gunningsdatum",
    ...               index=pd.Index(["oud", "nieuw"], name="opdracht"))
    >>> r = rates_for_contracts(card, g)
    >>> r[r.bouwblok == "pwet_kort"][["opdracht", "waarde_eur", "tariefversie"]].values.tolist()
    [['oud', 30000.0, '2016-01-01'], ['nieuw', 35000.0, '2021-01-01']]
    """
    contracts = gunningsdatum.rename("gunningsdatum").reset_index()
    contracts["gunningsdatum"] = contracts["gunningsdatum"].astype("datetime64[ns]")
    joined = contracts.merge(card.drop(columns=["omschrijving"]), how="cross")
    valid = (joined["geldig_vanaf"] <= joined["gunningsdatum"]) & (
        joined["geldig_tot"].isna() | (joined["gunningsdatum"] <= joined["geldig_tot"])
    )
    return joined[valid].drop(columns=["geldig_vanaf", "geldig_tot"]).reset_index(drop=True)


def card_version_on(card: pd.DataFrame, dates: pd.Series) -> pd.Series:
    """The rate-card edition in force on each date: the latest ``geldig_vanaf`` among the
    versions valid then, as ISO text (NA when no version is valid).

    >>> card = load_rate_card()
    >>> card_version_on(card, pd.Series(pd.to_datetime(["2020-12-31", "2021-01-01", None]))).tolist()
    ['2016-01-01', '2021-01-01', <NA>]
    """
    by_position = pd.Series(dates.to_numpy(), index=pd.RangeIndex(len(dates), name="_pos"))
    rates = rates_for_contracts(card, by_position)
    latest = rates.groupby("_pos")["tariefversie"].max()
    return latest.reindex(range(len(dates))).set_axis(dates.index).astype("string")


def rate_on(card: pd.DataFrame, bouwblok: str, date: dt.date) -> float | None:
    """The value (``waarde_eur``) of one block valid on ``date``; None if no version is valid.

    >>> rate_on(load_rate_card(), "pwet_lang", dt.date(2021, 9, 30))
    40000.0
    """
    when = pd.Timestamp(date)
    rows = card[
        (card["bouwblok"] == bouwblok)
        & (card["geldig_vanaf"] <= when)
        & (card["geldig_tot"].isna() | (card["geldig_tot"] >= when))
    ]
    return float(rows["waarde_eur"].iloc[0]) if len(rows) else None
