"""Stage 3 end to end on a tiny hand-made clean folder: files, columns, values, determinism,
privacy, trend and the per-period cache."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline import indicators as ind
from pipeline.core.errors import PipelineError
from pipeline.indicators import stage as compute

# pseudonyms look like the real ones (64 hex characters); none may reach reports/
P1, P2 = "a" * 63 + "1", "b" * 63 + "2"
FILES = [
    "aanbestedingen.csv",
    "aanbod_opleiders.csv",
    "bijdragen.csv",
    "inzet_nul.csv",
    "opdrachten.csv",
    "per_bouwblok.csv",
    "per_opdrachtgever.csv",
    "per_opdrachtnemer.csv",
    "per_sector.csv",
    "programma_voortgang.csv",
    "regio.json",
    "trajecten_kpi.json",
    "trajecten_stadia.csv",
    "trend.csv",
    "vraag_aanbestedingen.csv",
    "vraag_aanbod.csv",
    "vraag_opdrachten.csv",
]


def _clean_tables(period: str) -> dict[str, pd.DataFrame]:
    """Contract C1 of gem-a (365,000 × 10 % = 36,500; 2021-01-01..2021-12-31, awarded 2021),
    contractor bouw-a; one full-time pwet_kort line of P1 from 2021-07-01 (35,000/year), one
    line on an unknown contract; one trajectory of P1 (durable from 2021-04-01 at 24 h)."""
    text = lambda df, cols: df.astype({c: "string" for c in cols})  # noqa: E731
    prov = dict(bron_bestand="x.csv", levering_periode=period)
    opdrachten = text(
        pd.DataFrame(
            {
                "partner_id": ["gem-a"],
                "opdracht_id": ["C1"],
                "omschrijving": ["Brug"],
                "soort": ["werken"],
                "sector": ["infra"],
                "opdrachtnemer_kvk": ["12345678"],
                "opdrachtnemer_naam": ["Bouw A"],
                "gunningsdatum": pd.to_datetime(["2021-01-01"]),
                "startdatum": pd.to_datetime(["2021-01-01"]),
                "einddatum": pd.to_datetime(["2021-12-31"]),
                "opdrachtwaarde": [365000.0],
                "sr_percentage": [10.0],
                "sr_verplichting": [36500.0],
                "bron_rij": [2],
                **prov,
            }
        ),
        [
            "partner_id",
            "opdracht_id",
            "omschrijving",
            "soort",
            "sector",
            "opdrachtnemer_kvk",
            "opdrachtnemer_naam",
            "bron_bestand",
            "levering_periode",
        ],
    )
    inzet = text(
        pd.DataFrame(
            {
                "partner_id": ["bouw-a", "bouw-a"],
                "regel_id": ["1", "2"],
                "opdrachtgever": ["gem-a", "gem-a"],
                "opdracht_id": ["C1", "C9"],
                "bouwblok": ["pwet_kort", "pwet_kort"],
                "kandidaat_id": [P1, P2],
                "startdatum": pd.to_datetime(["2021-07-01", "2021-07-01"]),
                "einddatum": pd.to_datetime([None, None]),
                "uren_per_week": [36.0, 36.0],
                "vijftig_plus": pd.array([False, False], dtype="boolean"),
                "bedrag": [None, None],
                "bron_rij": [2, 3],
                **prov,
            }
        ),
        [
            "partner_id",
            "regel_id",
            "opdrachtgever",
            "opdracht_id",
            "bouwblok",
            "kandidaat_id",
            "bron_bestand",
            "levering_periode",
        ],
    )
    trajecten = text(
        pd.DataFrame(
            {
                "partner_id": ["opl-a"],
                "traject_id": ["t1"],
                "kandidaat_id": [P1],
                "woongemeente": ["Loppersum"],
                "doelgroep": ["pwet"],
                "opleiding": ["Lasser"],
                "sector": ["techniek"],
                "aanmelddatum": pd.to_datetime(["2021-01-04"]),
                "startdatum": pd.to_datetime(["2021-01-11"]),
                "einddatum": pd.to_datetime(["2021-03-26"]),
                "status": ["afgerond"],
                "certificaat": pd.array([True], dtype="boolean"),
                "plaatsing_datum": pd.to_datetime(["2021-04-01"]),
                "plaatsing_uren_per_week": [32.0],
                "plaatsing_einddatum": pd.to_datetime([None]),
                "bron_rij": [2],
                **prov,
            }
        ),
        [
            "partner_id",
            "traject_id",
            "kandidaat_id",
            "woongemeente",
            "doelgroep",
            "opleiding",
            "sector",
            "status",
            "bron_bestand",
            "levering_periode",
        ],
    )
    kalender = text(
        pd.DataFrame(
            {
                "partner_id": ["gem-a"],
                "aanbesteding_id": ["a1"],
                "omschrijving": ["School"],
                "soort": ["werken"],
                "sector": ["bouw"],
                "verwachte_publicatie": pd.to_datetime(["2022-02-01"]),
                "geraamde_waarde": [800000.0],
                "sr_percentage": [5.0],
                "bron_rij": [2],
                **prov,
            }
        ),
        ["partner_id", "aanbesteding_id", "omschrijving", "soort", "sector", "bron_bestand", "levering_periode"],
    )
    partners = pd.DataFrame(
        {
            "partner_id": ["bouw-a", "gem-a", "opl-a"],
            "naam": ["Bouw A BV", "Gemeente A", "Opleider A"],
            "rol": ["opdrachtnemer", "opdrachtgever", "opleider"],
            "kvk": ["12345678", None, None],
        }
    ).astype("string")
    return {
        "opdrachten": opdrachten,
        "inzet": inzet,
        "trajecten": trajecten,
        "aanbestedingskalender": kalender,
        "partners": partners,
    }


def write_clean(root: Path, period: str) -> None:
    folder = root / period
    folder.mkdir(parents=True)
    for name, table in _clean_tables(period).items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    pd.DataFrame(
        {
            "partner_id": ["gem-a", "bouw-a", "opl-a"],
            "rol": ["opdrachtgever", "opdrachtnemer", "opleider"],
            "dataset": ["opdrachten", "inzet", "trajecten"],
            "status": ["geleverd"] * 3,
            "levering_periode": [period] * 3,
            "bestanden": ["1"] * 3,
        }
    ).to_csv(folder / "leveringen.csv", index=False)


@pytest.fixture
def env(tmp_path, monkeypatch):
    clean, reports, raw = tmp_path / "clean", tmp_path / "reports", tmp_path / "raw"
    for d in (clean, reports, raw):
        d.mkdir()
    monkeypatch.setenv("SROI_CLEAN_DIR", str(clean))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(reports))
    monkeypatch.setenv("SROI_RAW_DIR", str(raw))
    monkeypatch.delenv("SROI_BUILD_PERIOD", raising=False)
    return clean, reports / "2021Q3" / "data"


def read_all(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_writes_every_file_with_hand_computed_values(env):
    clean, out = env
    write_clean(clean, "2021Q3")
    compute.write_outputs("2021Q3")
    assert sorted(p.name for p in out.iterdir()) == FILES

    opdrachten = pd.read_csv(out / "opdrachten.csv", dtype=str, keep_default_na=False)
    assert list(opdrachten.columns[:19]) == [
        "opdrachtgever",
        "opdracht_id",
        "opdrachtnemer",
        "verplichting_eur",
        "gerealiseerd_eur",
        "verwacht_eur",
        "realisatie_pct",
        "status",
        "kandidaten",
        "omschrijving",
        "soort",
        "sector",
        "opdrachtnemer_naam",
        "gunningsdatum",
        "startdatum",
        "einddatum",
        "tariefversie",
        "nog_te_realiseren_eur",
        "fte",
    ]
    row = opdrachten.iloc[0]
    # 35,000 × 1 × 92 / 365 = 8,821.917808 -> 8821.92; verwacht 36,500 × 273 / 365 = 27,300;
    # 8,821.92 < 0.75 × 27,300 = 20,475 -> risico; realisatie 8,821.917808 / 36,500 = 24.17 %
    assert row["gerealiseerd_eur"] == "8821.92"
    assert float(row["verwacht_eur"]) == 27300.0 and float(row["verplichting_eur"]) == 36500.0
    assert row["status"] == "risico" and row["realisatie_pct"] == "24.17"
    assert row["opdrachtnemer"] == "bouw-a" and row["kandidaten"] == "1"
    assert row["gunningsdatum"] == "2021-01-01" and row["tariefversie"] == "2021-01-01"
    assert float(row["fte"]) == 1.0

    nul = pd.read_csv(out / "inzet_nul.csv", dtype=str, keep_default_na=False)
    assert nul[["opdrachtnemer", "opdracht_id", "regel_id", "bestand", "rij"]].values.tolist() == [
        ["bouw-a", "C9", "2", "x.csv", "3"]
    ]
    assert nul.loc[0, "reden_nl"].startswith("opdracht onbekend")

    kpi = json.loads((out / "trajecten_kpi.json").read_text(encoding="utf-8"))
    assert kpi["peildatum"] == "2021-09-30"
    # placed 2021-04-01 at 32 h, open: 183 days by 2021-09-30 -> durable on 2021-09-30 (in Q3)
    assert kpi["kandidaten"] == {
        "aangemeld": 1,
        "gestart": 1,
        "afgerond": 1,
        "uitgevallen": 0,
        "certificaat": 1,
        "geplaatst": 1,
        "duurzaam": 1,
    }
    assert kpi["in_periode"] == {"gestart": 0, "duurzaam": 1}
    assert kpi["doel"]["duurzaam"] == 1000 and kpi["doel"]["datum"] == "2021-12-31"
    assert kpi["doel"]["realisatie_pct"] == 0.1
    assert kpi["koppeling_social_return"]["ook_trajectkandidaat"] == 1  # P1 in both

    regio = json.loads((out / "regio.json").read_text(encoding="utf-8"))
    assert regio["opdrachten_per_status"]["risico"] == 1 and regio["kandidaten"] == 1
    assert regio["gerealiseerd_eur"] == 8821.92 and regio["inzet_regels_nul"] == 1

    tenders = pd.read_csv(out / "aanbestedingen.csv")
    # 800,000 × 5 % = 40,000 = 1 person-year of pwet_lang (40,000)
    assert tenders[["kwartaal", "sr_waarde_eur", "persoonsjaren"]].values.tolist() == [["2022Q1", 40000.0, 1.0]]

    bijdragen = pd.read_csv(out / "bijdragen.csv", keep_default_na=False).set_index("partner_id")
    assert bijdragen.loc["gem-a", "geleverd"] == True  # noqa: E712  (written as "true")
    assert "gem-a,Gemeente A,opdrachtgever,true," in (out / "bijdragen.csv").read_text(encoding="utf-8")
    assert bijdragen.loc["opl-a", "plaatsingen"] == 1

    for name in ("per_opdrachtgever.csv", "per_opdrachtnemer.csv", "per_sector.csv", "per_bouwblok.csv"):
        cols = pd.read_csv(out / name).columns.tolist()
        assert cols[1:8] == [
            "verplichting_eur",
            "gerealiseerd_eur",
            "verwacht_eur",
            "realisatie_pct",
            "opdrachten",
            "kandidaten",
            "fte",
        ]

    stadia = pd.read_csv(out / "trajecten_stadia.csv")
    assert stadia.columns[:3].tolist() == ["partner_id", "dimensie", "waarde"]
    voortgang = pd.read_csv(out / "programma_voortgang.csv")
    assert voortgang.columns.tolist() == [
        "periode",
        "duurzaam_cumulatief",
        "nodig_cumulatief",
        "duurzaam_in_periode",
        "nodig_per_kwartaal",
    ]


def test_no_pseudonym_in_any_output(env):
    clean, out = env
    write_clean(clean, "2021Q3")
    compute.write_outputs("2021Q3")
    for name, content in read_all(out).items():
        text = content.decode("utf-8")
        assert P1 not in text and P2 not in text, name


def test_deterministic_bytes_and_format(env):
    clean, out = env
    write_clean(clean, "2021Q3")
    compute.write_outputs("2021Q3")
    first = read_all(out)
    compute.write_outputs("2021Q3")
    assert read_all(out) == first
    for name, content in first.items():
        assert b"\r\n" not in content
        if name.endswith(".json"):
            text = content.decode("utf-8")
            assert text == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_trend_from_each_periods_own_tables_with_gap_and_cache(env, monkeypatch):
    clean, out = env
    write_clean(clean, "2021Q1")
    write_clean(clean, "2021Q3")
    compute.write_outputs("2021Q3")
    trend = pd.read_csv(out / "trend.csv")
    assert trend["periode"].tolist() == ["2021Q1", "2021Q3"]
    # 2021Q1: the line starts 2021-07-01, after the peildatum 2021-03-31 -> 0 realised;
    # verwacht 36,500 × 90 / 365 = 9,000
    assert trend["gerealiseerd_eur"].tolist() == [0.0, 8821.92]
    assert trend["verwacht_eur"].tolist() == [9000.0, 27300.0]
    regio = json.loads((out / "regio.json").read_text(encoding="utf-8"))
    assert regio["trend_overgeslagen"] == ["2021Q2"]
    assert (clean / "2021Q1" / "kerncijfers.json").is_file()
    assert (clean / "2021Q3" / "kerncijfers.json").is_file()

    # unchanged periods come from the cache: computing them again would fail here
    def fail(*args, **kwargs):
        raise AssertionError("recomputed an unchanged period")

    monkeypatch.setattr(ind, "headline_figures", fail)
    compute.write_outputs("2021Q3")
    # a changed period is recomputed
    (clean / "2021Q1" / "inzet.parquet").unlink()
    with pytest.raises(AssertionError, match="recomputed"):
        compute.write_outputs("2021Q3")


def test_ensure_clean_hook_fills_a_gap(env):
    clean, out = env
    write_clean(clean, "2021Q1")
    write_clean(clean, "2021Q3")
    asked = []

    def ensure_clean(q: str) -> None:
        asked.append(q)
        write_clean(clean, q)

    compute.write_outputs("2021Q3", ensure_clean=ensure_clean)
    assert asked == ["2021Q2"]
    assert pd.read_csv(out / "trend.csv")["periode"].tolist() == ["2021Q1", "2021Q2", "2021Q3"]


def test_missing_clean_data_is_a_clear_error(env):
    with pytest.raises(PipelineError) as err:
        compute.write_outputs("2021Q3")
    assert "geen schone data" in err.value.nl
    with pytest.raises(PipelineError):
        compute.write_outputs("2021Q5")


def test_empty_period_still_gives_every_table():
    from pipeline.core.settings import load_settings
    from pipeline.indicators.ratecard import load_rate_card

    partners = pd.DataFrame({"partner_id": ["gem-a"], "naam": ["A"], "rol": ["opdrachtgever"], "kvk": [None]}).astype(
        "string"
    )
    tables = {
        "opdrachten": pd.DataFrame(),
        "inzet": pd.DataFrame(),
        "trajecten": pd.DataFrame(),
        "aanbestedingskalender": pd.DataFrame(),
        "partners": partners,
    }
    out = compute.compute_outputs(tables, "2021Q3", load_rate_card(), load_settings())
    assert sorted(k for k in out if not k.startswith("_")) == sorted(f for f in FILES if f != "trend.csv")
    assert out["regio.json"]["opdrachten"] == 0 and out["regio.json"]["realisatie_pct"] is None
    assert out["trajecten_kpi.json"]["kandidaten"]["duurzaam"] == 0
    assert len(out["programma_voortgang.csv"]) == 12  # 2019Q1..2021Q4
