"""The export standard's datasets and columns (``config/datasets.yaml``) as validated models."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from pipeline.core.paths import CONFIG_DIR

ColumnType = Literal["text", "date", "money", "number", "boolean", "bsn"]
DATASETS = ("opdrachten", "inzet", "trajecten", "aanbestedingskalender")
ROLES = ("opdrachtgever", "opdrachtnemer", "opleider", "werkplein", "sw-bedrijf")

# Columns every canonical table carries besides the standard's own (data/clean/<PERIOD>/*.parquet)
PROVENANCE_COLUMNS = ("partner_id", "bron_bestand", "bron_rij", "levering_periode")


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    type: ColumnType
    required_column: bool
    aliases: tuple[str, ...] = ()


class DatasetSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    delivered_by: tuple[str, ...]
    # the roles asked for this dataset every quarter (a missing delivery is a finding); default:
    # every role of delivered_by. The others' deliveries count when they come.
    expected_from: tuple[str, ...] | None = None
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec]

    @model_validator(mode="after")
    def _roles_known(self) -> "DatasetSpec":
        unknown = [r for r in (*self.delivered_by, *(self.expected_from or ())) if r not in ROLES]
        if unknown:
            raise ValueError(f"unknown role(s) {unknown}; known: {', '.join(ROLES)}")
        if self.expected_from is not None and not set(self.expected_from) <= set(self.delivered_by):
            raise ValueError("expected_from must be a subset of delivered_by")
        return self

    @property
    def expected_roles(self) -> tuple[str, ...]:
        return self.delivered_by if self.expected_from is None else self.expected_from


class Standard(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    datasets: dict[str, DatasetSpec]


@lru_cache(maxsize=1)
def standard() -> Standard:
    """The regional export standard, loaded once."""
    data = yaml.safe_load((CONFIG_DIR / "datasets.yaml").read_text(encoding="utf-8"))
    return Standard.model_validate(data)


def dataset_spec(dataset: str) -> DatasetSpec:
    return standard().datasets[dataset]
