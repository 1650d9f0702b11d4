"""What a clean folder was made from (herkomst.json) and when earlier quarters must be rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.orchestrate import provenance


def _raw(root: Path) -> Path:
    files = {
        "partners.csv": "partner_id,naam,rol,kvk\n",
        "2019Q1/bouwbedrijf-noord/inzet_2019Q1.csv": "regel_id;uren\n1;8\n",
        "2019Q2/bouwbedrijf-noord/inzet_2019Q2.csv": "regel_id;uren\n1;8\n2;4\n",
        "2019Q3/bouwbedrijf-noord/inzet_2019Q3.csv": "regel_id;uren\n",
        "notities/lees mij.txt": "geen periode\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_same_files_elsewhere_give_the_same_fingerprint(tmp_path):
    a, b = _raw(tmp_path / "a"), _raw(tmp_path / "elders" / "b")
    assert provenance.inputs_fingerprint(a, "2019Q2") == provenance.inputs_fingerprint(b, "2019Q2")


@pytest.mark.parametrize(
    "changed, counts",
    [
        pytest.param("2019Q1/bouwbedrijf-noord/inzet_2019Q1.csv", True, id="earlier_quarter_carried_forward"),
        pytest.param("2019Q2/bouwbedrijf-noord/inzet_2019Q2.csv", True, id="the_quarter_itself"),
        pytest.param("partners.csv", True, id="partner_register"),
        pytest.param("2019Q2/bouwbedrijf-noord/opdrachten_2019Q2.csv", True, id="file_added"),
        pytest.param("2019Q3/bouwbedrijf-noord/inzet_2019Q3.csv", False, id="later_quarter"),
        pytest.param("notities/lees mij.txt", False, id="folder_that_is_no_quarter"),
    ],
)
def test_what_changes_a_quarters_inputs(tmp_path, changed, counts):
    raw = _raw(tmp_path)
    before = provenance.inputs_fingerprint(raw, "2019Q2")
    (raw / changed).write_text("anders\n", encoding="utf-8")
    assert (provenance.inputs_fingerprint(raw, "2019Q2") != before) is counts


@pytest.mark.parametrize("period", ["2019Q1", "2019Q2", "2019Q3"])
def test_entries_listed_once_for_a_later_quarter_give_each_quarter_its_own_fingerprint(tmp_path, period):
    raw = _raw(tmp_path)
    (raw / "2019Q1" / "link").symlink_to(raw / "partners.csv")  # counted by kind, in 2019Q1 and later
    listed = provenance.rawfs.run_entries(raw, "2019Q3")
    assert provenance.inputs_fingerprint(raw, period, listed) == provenance.inputs_fingerprint(raw, period)


def test_sources_fingerprint_is_stable_and_covers_code_config_notebooks_and_lock():
    names = {p.relative_to(provenance.ROOT).as_posix() for p in provenance.source_files()}
    assert {
        "pipeline/orchestrate/run.py",
        "pipeline/config/settings.yaml",
        "notebooks/03_compute.ipynb",
        "requirements.lock",
    } <= names
    assert any(n.startswith("pipeline/expectations/") for n in names)
    assert any(n.startswith("pipeline/templates/") for n in names)
    assert not any("__pycache__" in n for n in names)
    assert provenance.sources_fingerprint() == provenance.sources_fingerprint()


def _clean(root: Path, period: str, stamp: dict | None) -> Path:
    folder = root / period
    folder.mkdir(parents=True)
    (folder / "partners.parquet").write_bytes(b"PAR1")
    if stamp is not None:
        provenance.write_stamp(folder, stamp)
    return folder


def test_stale_earlier_quarters_are_dropped_and_current_ones_kept(tmp_path):
    raw, clean, reports = _raw(tmp_path / "raw"), tmp_path / "clean", tmp_path / "reports"
    _clean(clean, "2018Q4", provenance.stamp("2018Q4", raw, "code-v1"))  # current
    _clean(clean, "2019Q1", provenance.stamp("2019Q1", raw, "code-v0"))  # older code
    _clean(clean, "2019Q2", None)  # made before stamps existed
    _clean(clean, "2019Q3", None)  # the period being built and later ones: not ours to judge
    dropped = provenance.drop_stale_history("2019Q3", raw, clean, reports, "code-v1")
    assert dropped == ["2019Q1", "2019Q2"]
    assert sorted(p.name for p in clean.iterdir()) == ["2018Q4", "2019Q3"]


def test_a_changed_delivery_makes_its_quarter_and_later_ones_stale(tmp_path):
    raw, clean, reports = _raw(tmp_path / "raw"), tmp_path / "clean", tmp_path / "reports"
    for q in ("2019Q1", "2019Q2"):
        _clean(clean, q, provenance.stamp(q, raw, "code"))
    (raw / "2019Q2" / "bouwbedrijf-noord" / "inzet_2019Q2.csv").write_text("regel_id;uren\n", encoding="utf-8")
    assert provenance.drop_stale_history("2019Q3", raw, clean, reports, "code") == ["2019Q2"]


def test_stamp_history_stamps_only_what_was_built_unstamped(tmp_path):
    raw, clean = _raw(tmp_path / "raw"), tmp_path / "clean"
    old = _clean(clean, "2019Q1", {"periode": "2019Q1", "code_sha256": "x", "invoer_sha256": "y"})
    new = _clean(clean, "2019Q2", None)
    provenance.stamp_history("2019Q3", raw, clean, "code")
    assert provenance.read_stamp(old)["code_sha256"] == "x"
    assert provenance.read_stamp(new) == provenance.stamp("2019Q2", raw, "code")
    text = (new / provenance.STAMP_FILE).read_text(encoding="utf-8")
    assert json.loads(text)["periode"] == "2019Q2" and str(tmp_path) not in text


def test_the_key_is_never_part_of_a_stamp(tmp_path, monkeypatch):
    raw = _raw(tmp_path / "raw")
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", "geheim-1")
    first = provenance.stamp("2019Q2", raw, "code")
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", "geheim-2")
    assert provenance.stamp("2019Q2", raw, "code") == first
    assert "geheim" not in json.dumps(first)
    assert os.environ["SROI_PSEUDONYM_KEY"] == "geheim-2"
