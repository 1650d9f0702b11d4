"""Output tiers (pipeline/orchestrate/outputs.py): every output declared once, shareable or internal."""

from __future__ import annotations

import pytest

from pipeline.orchestrate.outputs import UndeclaredOutput, declaration, listing, tier_of


@pytest.mark.parametrize(
    "root, rel, tier",
    [
        pytest.param("reports", "regio.html", "deelbaar", id="regional_overview_goes_to_every_partner"),
        pytest.param("reports", "partners/eemsbouw.html", "deelbaar", id="a_partner_page"),
        pytest.param("reports", "partners/eemsbouw.xlsx", "deelbaar", id="a_partner_download"),
        pytest.param("reports", "index.html", "intern", id="front_door_links_to_everything"),
        pytest.param("reports", "kwaliteit.html", "intern", id="quality_page_shows_every_partner"),
        pytest.param("reports", "data/opdrachten.csv", "intern", id="unsuppressed_candidate_counts"),
        pytest.param("reports", "manifest.json", "intern", id="manifest"),
        pytest.param("reports", "notebooks/pages/regio.ipynb", "intern", id="executed_page_notebook"),
        pytest.param("clean", "inzet.parquet", "intern", id="clean_table"),
        pytest.param("clean", "_ingest/afgekeurd.csv", "intern", id="ingest_table"),
    ],
)
def test_tiers(root, rel, tier):
    assert tier_of(root, rel) == tier


@pytest.mark.parametrize("rel", ["partners/sub/x.html", "geheim.html", "partners/eemsbouw.csv"])
def test_an_undeclared_output_is_an_error_not_a_guess(rel):
    # a '*' does not cross a folder, and a new kind of file must be declared with its tier
    with pytest.raises(UndeclaredOutput):
        declaration("reports", rel)


def test_listing_names_every_file_with_its_tier_and_leaves_out_the_manifest(tmp_path):
    reports, clean = tmp_path / "reports", tmp_path / "clean"
    for path in (
        reports / "regio.html",
        reports / "manifest.json",
        reports / "data" / "x.csv",
        clean / "inzet.parquet",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    assert listing(reports, clean) == [
        {"map": "reports", "pad": "data/x.csv", "niveau": "intern"},
        {"map": "reports", "pad": "regio.html", "niveau": "deelbaar"},
        {"map": "clean", "pad": "inzet.parquet", "niveau": "intern"},
    ]
