"""The export standard's roles: who may deliver a dataset and who is asked for it (datasets.yaml)."""

import pytest
from pydantic import ValidationError

from pipeline.core.schema import DatasetSpec, dataset_spec

COLUMNS = {"traject_id": {"type": "text", "required_column": True}}


def test_trajectories_count_from_training_institutes_job_centres_and_sheltered_employers():
    spec = dataset_spec("trajecten")
    assert spec.delivered_by == ("opleider", "werkplein", "sw-bedrijf")
    # asked for every quarter: training institutes and job centres; a sheltered employer's count
    # when they come
    assert spec.expected_roles == ("opleider", "werkplein")


def test_the_tender_calendar_is_never_demanded():
    assert dataset_spec("aanbestedingskalender").expected_roles == ()
    assert dataset_spec("opdrachten").expected_roles == ("opdrachtgever",)


def test_an_unknown_role_is_refused():
    with pytest.raises(ValidationError, match="unknown role"):
        DatasetSpec(delivered_by=("opleider", "uitzendbureau"), key=("traject_id",), columns=COLUMNS)


def test_expected_roles_must_be_allowed_to_deliver():
    with pytest.raises(ValidationError, match="subset"):
        DatasetSpec(delivered_by=("opleider",), expected_from=("werkplein",), key=("traject_id",), columns=COLUMNS)


def _raw_with_sw_trajecten(tmp_path):
    raw = tmp_path / "raw"
    (raw / "2021Q3" / "sw-ommeland").mkdir(parents=True)
    (raw / "partners.csv").write_text(
        "partner_id,naam,rol,kvk\nopleider-a,Opleider A,opleider,\nsw-ommeland,SW-bedrijf Ommeland,sw-bedrijf,12345678\n",
        encoding="utf-8",
    )
    (raw / "2021Q3" / "opleider-a").mkdir()
    (raw / "2021Q3" / "opleider-a" / "trajecten_2021Q3.csv").write_text("traject_id\nT-9\n", encoding="utf-8")
    (raw / "2021Q3" / "sw-ommeland" / "trajecten_2021Q3.csv").write_text("traject_id\nT-1\n", encoding="utf-8")
    return raw


@pytest.mark.parametrize("counted", [True, False])
def test_the_roles_whose_trajectories_count_are_configuration(tmp_path, monkeypatch, counted):
    """With sw-bedrijf in delivered_by its trajecten file is a delivery; taken off the list, the
    same file is listed as not fitting the role (note past_niet_bij_rol) and never read."""
    from pipeline.core.periods import parse_period
    from pipeline.ingest import deliveries

    raw = _raw_with_sw_trajecten(tmp_path)
    if not counted:
        narrowed = dataset_spec("trajecten").model_copy(update={"delivered_by": ("opleider", "werkplein")})
        monkeypatch.setattr(deliveries, "dataset_spec", lambda d: narrowed if d == "trajecten" else dataset_spec(d))
    found, notes = deliveries.discover(raw, parse_period("2021Q3"), deliveries.read_partners(raw))
    files = [f for f in found if f.partner_id == "sw-ommeland"]
    assert len(files) == 1
    assert files[0].unknown is (not counted)
    assert ("past_niet_bij_rol" in {n[2] for n in notes}) is (not counted)
