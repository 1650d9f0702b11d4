"""Region settings (``config/settings.yaml``) as frozen, validated models."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from pipeline.core.paths import CONFIG_DIR


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusSettings(_Frozen):
    achterstand_drempel: float = Field(gt=0, le=1)


class ValuationSettings(_Frozen):
    fte_uren_per_week: float = Field(gt=0)
    min_uren_per_week: float = Field(ge=0)
    obligation_tolerance_eur: float = Field(ge=0)


class TrainingSettings(_Frozen):
    duurzaam_min_uren_per_week: float = Field(gt=0)
    duurzaam_min_dagen: int = Field(gt=0)


class ProgrammeSettings(_Frozen):
    naam: str
    doel_duurzaam: int = Field(gt=0)
    doel_datum: dt.date
    start_datum: dt.date
    jaren_person_year_block: str
    # a tender without verwachte_start is expected to start this many months after its
    # publication (supply and demand: when candidates are needed)
    start_na_publicatie_maanden: int = Field(default=6, ge=0, le=60)


class DisclosureSettings(_Frozen):
    drempel: int = Field(ge=1)


class WarningSettings(_Frozen):
    sr_percentage_unusual_above: float


class RenderSettings(_Frozen):
    workers: int = Field(default=0, ge=0, le=64)
    grafiek_max_opdrachten: int = Field(default=25, ge=1, le=200)


class DeliverySettings(_Frozen):
    termijn_dagen: int = Field(ge=0, le=92)


class IngestSettings(_Frozen):
    xlsx_max_uncompressed_mb: float = Field(gt=0)
    xlsx_max_compression_ratio: float = Field(gt=1)
    xlsx_max_cells: int = Field(gt=0)


class Settings(_Frozen):
    status: StatusSettings
    valuation: ValuationSettings
    training: TrainingSettings
    programme: ProgrammeSettings
    disclosure: DisclosureSettings
    warnings: WarningSettings
    ingest: IngestSettings
    delivery: DeliverySettings
    render: RenderSettings = RenderSettings()


def load_settings(path: Path | None = None) -> Settings:
    """Load and validate the settings file (default: the package's ``config/settings.yaml``)."""
    path = path or CONFIG_DIR / "settings.yaml"
    return Settings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The region's settings, loaded once per process."""
    return load_settings()
