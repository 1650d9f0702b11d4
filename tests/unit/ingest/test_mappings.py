"""Tests for pipeline/ingest/mappings.py: partner mapping files load into frozen models or fail loudly."""

from __future__ import annotations

import pydantic
import pytest

from pipeline.core.errors import PipelineError
from pipeline.ingest.mappings import MAPPINGS_DIR, load_mapping_file, load_mappings, normalise_header
from tests.conftest import FIXTURES_DIR

FIXTURES = FIXTURES_DIR / "mappings"


def test_valid_mapping_loads() -> None:
    mapping = load_mapping_file(FIXTURES / "bouwbedrijf-noord.yaml")
    inzet = mapping.for_dataset("inzet")
    assert mapping.partner_id == "bouwbedrijf-noord"
    assert inzet is not None and mapping.for_dataset("opdrachten") is None
    # headings compare like file headings: case, spaces and hyphens do not matter
    assert inzet.normalised_columns() == {
        "werkbon": "regel_id",
        "medewerker_bsn": "kandidaat_bsn",
        "type_inzet": "bouwblok",
    }
    assert inzet.normalised_values() == {"bouwblok": {"bbl-plek": "bbl", "wep": "werkervaringsplaats"}}


def test_mapping_is_frozen() -> None:
    mapping = load_mapping_file(FIXTURES / "bouwbedrijf-noord.yaml")
    with pytest.raises(pydantic.ValidationError):
        mapping.partner_id = "iemand-anders"  # type: ignore[misc]


def test_load_mappings_by_partner() -> None:
    assert set(load_mappings(FIXTURES)) == {"bouwbedrijf-noord"}
    assert load_mappings(FIXTURES / "bestaat-niet") == {}


def test_package_mappings_are_valid() -> None:
    # whatever mapping files the region keeps in the package must load
    for partner_id, mapping in load_mappings(MAPPINGS_DIR).items():
        assert mapping.partner_id == partner_id


@pytest.mark.parametrize(
    "name, fragment",
    [
        pytest.param("bad_target", "kandidaat_nummer", id="target_column_not_in_standard"),
        pytest.param("extra_key", "kolommen", id="typo_key_is_forbidden"),
        pytest.param("unknown_dataset", "inzetten", id="unknown_dataset"),
        pytest.param("values_unknown_column", "blok", id="values_for_unknown_column"),
        pytest.param("not_yaml", "niet leesbaar", id="not_yaml"),
        pytest.param("wrong_name", "bestandsnaam", id="file_name_is_not_the_partner_id"),
        pytest.param("same_heading_twice", "two columns", id="same_heading_to_two_columns"),
    ],
)
def test_bad_mapping_file_is_a_pipeline_error_naming_the_file(name: str, fragment: str) -> None:
    with pytest.raises(PipelineError) as info:
        load_mapping_file(FIXTURES / "invalid" / f"{name}.yaml")
    assert f"{name}.yaml" in info.value.nl and f"{name}.yaml" in info.value.en
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "heading, expected",
    [
        pytest.param("Opdracht ID", "opdracht_id", id="space_and_case"),
        pytest.param("opdracht_id", "opdracht_id", id="already_standard"),
        pytest.param(" OPDRACHT-ID ", "opdracht_id", id="hyphen_and_surrounding_spaces"),
        pytest.param("Opdracht__ID", "opdracht_id", id="double_underscore"),
        pytest.param("Eénmalig bedrag", "eenmalig_bedrag", id="accents"),
        pytest.param("\ufeffregel_id", "regel_id", id="stray_byte_order_mark"),
        pytest.param("50-plus", "50_plus", id="digits_kept"),
        pytest.param(None, "", id="none"),
    ],
)
def test_normalise_header(heading: object, expected: str) -> None:
    assert normalise_header(heading) == expected
