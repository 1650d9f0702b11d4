"""make datadocs: Great Expectations Data Docs for the analyst, outside the published reports."""

from __future__ import annotations

import pandas as pd

from pipeline.validate import datadocs


def _contracts() -> pd.DataFrame:
    # two clean contracts as the validate step writes them; A-2's 80% is a warning (unusual)
    return pd.DataFrame(
        {
            "opdracht_id": ["A-1", "A-2"],
            "omschrijving": ["School", "Brug"],
            "soort": ["werken", "werken"],
            "sector": ["bouw", "infra"],
            "opdrachtnemer_kvk": ["12345678", "87654321"],
            "opdrachtnemer_naam": ["Bouw X", "Bouw Y"],
            "gunningsdatum": pd.to_datetime(["2020-01-01", "2020-02-01"]),
            "startdatum": pd.to_datetime(["2020-03-01", "2020-04-01"]),
            "einddatum": pd.to_datetime(["2022-03-01", "2022-04-01"]),
            "opdrachtwaarde": [100_000.0, 50_000.0],
            "sr_percentage": [5.0, 80.0],
            "sr_verplichting": [None, None],
            "partner_id": ["gemeente-a"] * 2,
            "bron_bestand": ["2021Q3/gemeente-a/opdrachten.xlsx"] * 2,
            "bron_rij": [2, 3],
            "levering_periode": ["2021Q3"] * 2,
        }
    ).astype({"opdracht_id": "string", "omschrijving": "string", "partner_id": "string"})


def test_data_docs_are_written_outside_reports(tmp_path, monkeypatch):
    clean = tmp_path / "clean" / "2021Q3"
    clean.mkdir(parents=True)
    _contracts().to_parquet(clean / "opdrachten.parquet")
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))

    assert datadocs.default_out_dir("2021Q3").relative_to(datadocs.ROOT).parts[:3] == ("build", "datadocs", "2021Q3")
    index = datadocs.build_datadocs("2021Q3", out_dir=tmp_path / "docs")
    assert index == (tmp_path / "docs" / "index.html").resolve() and index.is_file()
    pages = list((tmp_path / "docs" / "validations").rglob("*.html"))
    assert [p.parent.parent.parent.name for p in pages] == ["opdrachten"]
    assert "sr_percentage" in pages[0].read_text(encoding="utf-8")


def test_a_period_without_tables_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    assert datadocs.main(["--period", "2021Q3", "--out", str(tmp_path / "docs")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("FOUT:") and "make report PERIOD=2021Q3" in err and "Traceback" not in err
