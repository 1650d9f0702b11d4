"""The notebooks' hand-over (pipeline/core/paths.py): which folders a notebook of a period uses."""

from __future__ import annotations

import pytest

from pipeline.core import paths
from pipeline.core.errors import PipelineError


@pytest.fixture(autouse=True)
def _roots(tmp_path, monkeypatch):
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setattr(paths, "_HANDED_OVER", {})


def test_before_any_hand_over_a_period_resolves_to_its_publication(tmp_path):
    assert paths.clean_dir("2021Q3") == tmp_path / "clean" / "2021Q3"
    assert paths.report_data_dir("2021Q3") == tmp_path / "reports" / "2021Q3" / "data"


def test_a_run_hands_over_its_build_folders_for_that_period_only(tmp_path):
    paths.hand_over("2021Q3", "run", writes=True)
    assert paths.ingest_dir("2021Q3") == tmp_path / "clean" / ".build-2021Q3" / "clean" / "_ingest"
    assert paths.reports_dir("2021Q3") == tmp_path / "reports" / ".build-2021Q3" / "reports"
    # earlier quarters (trend, previous delivery) stay where they are published
    assert paths.clean_dir("2021Q2") == tmp_path / "clean" / "2021Q2"


def test_jupyterlab_stages_write_to_a_scratch_folder_never_the_publication():
    clean, reports = paths.hand_over("2021Q3", "lab", writes=True)
    assert clean == paths.ROOT / "build" / "lab" / "2021Q3" / "clean"
    assert paths.report_data_dir("2021Q3") == paths.ROOT / "build" / "lab" / "2021Q3" / "reports" / "data"


def test_pages_may_read_the_publication(tmp_path):
    paths.hand_over("2021Q3", "gepubliceerd")
    assert paths.clean_dir("2021Q3") == tmp_path / "clean" / "2021Q3"


@pytest.mark.parametrize("mappen, writes", [("gepubliceerd", True), ("publicatie", False), ("", True)])
def test_a_stage_cannot_be_pointed_at_the_publication_nor_at_an_unknown_choice(mappen, writes):
    with pytest.raises(PipelineError, match="mappen"):
        paths.hand_over("2021Q3", mappen, writes=writes)


def test_a_later_stage_opened_by_hand_starts_from_a_copy_of_the_publication(tmp_path, monkeypatch):
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    monkeypatch.setenv("SROI_LAB_DIR", str(tmp_path / "lab"))
    published = tmp_path / "clean" / "2021Q3"
    (published / "_ingest").mkdir(parents=True)
    (published / "_ingest" / "opdrachten.parquet").write_bytes(b"gepubliceerd")
    try:
        clean, _ = paths.hand_over("2021Q3", "lab", writes=True, reads_clean=True)
        assert clean == tmp_path / "lab" / "2021Q3" / "clean"
        copy = clean / "_ingest" / "opdrachten.parquet"
        assert copy.read_bytes() == b"gepubliceerd" and not copy.is_symlink()
        assert "kopie van de gepubliceerde schone data" in paths.where("2021Q3", "lab")
        # the analyst's own changes in the scratch folder are never overwritten by a second run
        copy.write_bytes(b"bewerkt")
        paths.hand_over("2021Q3", "lab", writes=True, reads_clean=True)
        assert copy.read_bytes() == b"bewerkt"
        assert "kopie" not in paths.where("2021Q3", "lab")
        assert (published / "_ingest" / "opdrachten.parquet").read_bytes() == b"gepubliceerd"
        # stage 01 reads the raw folder: it gets no copy
        monkeypatch.setenv("SROI_LAB_DIR", str(tmp_path / "lab2"))
        clean, _ = paths.hand_over("2021Q3", "lab", writes=True)
        assert not clean.exists()
    finally:
        paths._HANDED_OVER.pop("2021Q3", None)
