"""Per-partner column and value mappings (docs/architecture.md: "Partner mappings").

A partner whose export uses its own headings or codes gets a file
``pipeline/config/mappings/<partner_id>.yaml``::

    partner_id: bouwbedrijf-noord
    datasets:
      inzet:
        columns: {"Medewerker BSN": kandidaat_bsn, "Type inzet": bouwblok}   # source -> standard
        values: {bouwblok: {"BBL-plek": bbl, "WEP": werkervaringsplaats}}    # per column

Rules are data, not code (docs/architecture.md, "Conventions"): the file is loaded into frozen pydantic models with extra
keys forbidden and checked against the export standard, so a typo stops the run with the file
named instead of silently mapping nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from pipeline.core.errors import PipelineError
from pipeline.core.paths import CONFIG_DIR
from pipeline.core.schema import DATASETS, dataset_spec

MAPPINGS_DIR = CONFIG_DIR / "mappings"


def normalise_header(text: object) -> str:
    """A column heading in its comparable form (docs/exports.md: "Headers").

    Case, surrounding spaces, inner spaces/underscores/hyphens and accents do not matter.

    >>> [normalise_header(h) for h in ["Opdracht ID", "opdracht_id", " OPDRACHT-ID ", "Geraamde waarde (€)"]]
    ['opdracht_id', 'opdracht_id', 'opdracht_id', 'geraamde_waarde']
    >>> normalise_header("Eén\\ufeff"), normalise_header(None)
    ('een', '')
    """
    if text is None:
        return ""
    return _normalise_text(str(text))


@lru_cache(maxsize=8192)
def _normalise_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "_", plain).strip("_")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatasetMapping(_Frozen):
    """One dataset's mapping: source heading -> standard column, and value translations."""

    columns: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}

    def normalised_columns(self) -> dict[str, str]:
        """Source headings in comparable form -> standard column."""
        return {normalise_header(source): target for source, target in self.columns.items()}

    def normalised_values(self) -> dict[str, dict[str, str]]:
        """Per standard column: source value (stripped, case-folded) -> standard value."""
        return {
            column: {str(k).strip().casefold(): v for k, v in table.items()} for column, table in self.values.items()
        }


class PartnerMapping(_Frozen):
    """All mappings of one partner."""

    partner_id: str
    datasets: dict[str, DatasetMapping] = {}

    @model_validator(mode="after")
    def _check_against_standard(self) -> "PartnerMapping":
        for dataset, mapping in self.datasets.items():
            if dataset not in DATASETS:
                raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
            known = dataset_spec(dataset).columns
            for source, target in mapping.columns.items():
                if target not in known:
                    raise ValueError(f"{dataset}: column {source!r} maps to unknown column {target!r}")
            targets: dict[str, str] = {}
            for source, target in mapping.columns.items():
                key = normalise_header(source)
                if not key:
                    raise ValueError(f"{dataset}: empty source heading {source!r}")
                if targets.setdefault(key, target) != target:
                    raise ValueError(f"{dataset}: heading {source!r} maps to two columns")
            for column, table in mapping.values.items():
                if column not in known:
                    raise ValueError(f"{dataset}: values given for unknown column {column!r}")
                folded = [str(k).strip().casefold() for k in table]
                if len(set(folded)) != len(folded):
                    raise ValueError(f"{dataset}: column {column!r} lists a value twice")
        return self

    def for_dataset(self, dataset: str) -> DatasetMapping | None:
        return self.datasets.get(dataset)


def load_mapping_file(path: Path) -> PartnerMapping:
    """Load and validate one mapping file; any problem is a :class:`PipelineError` naming it."""
    name = Path(path).name
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        mapping = PartnerMapping.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PipelineError(
            f"koppelbestand {name} is niet leesbaar: {type(exc).__name__}",
            f"mapping file {name} cannot be read: {type(exc).__name__}",
        ) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise PipelineError(
            f"koppelbestand {name} klopt niet bij {where}: {first['msg']}",
            f"mapping file {name} is invalid at {where}: {first['msg']}",
        ) from None
    if mapping.partner_id != Path(path).stem:
        raise PipelineError(
            f"koppelbestand {name} hoort bij partner {mapping.partner_id!r}, maar de bestandsnaam "
            f"moet de partner_id zijn",
            f"mapping file {name} names partner {mapping.partner_id!r}, but the file name must be the partner_id",
        )
    return mapping


def load_mappings(mappings_dir: Path = MAPPINGS_DIR) -> dict[str, PartnerMapping]:
    """All partner mappings in ``mappings_dir`` (``<partner_id>.yaml``), by partner_id."""
    if not Path(mappings_dir).is_dir():
        return {}
    files = sorted(Path(mappings_dir).glob("*.yaml")) + sorted(Path(mappings_dir).glob("*.yml"))
    return {m.partner_id: m for m in map(load_mapping_file, files)}
