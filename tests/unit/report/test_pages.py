"""Page sections (pipeline/pages) on a tiny hand-written period, and the page notebooks' shape.

The frames below are small and fake: two authorities, two contractors, a training institute,
a job centre that is late. Expected texts and numbers are worked out by hand in comments.
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from pipeline.core.paths import NOTEBOOKS_DIR
from pipeline.core.periods import parse_period
from pipeline.report.pages import common, index, partner, quality, regio
from pipeline.report.pages.data import PageData

STAGES = list(common.STAGES)


def _stages(partner_id: str, dimensie: str, waarde: str, counts: list[int]) -> dict:
    return {"partner_id": partner_id, "dimensie": dimensie, "waarde": waarde, **dict(zip(STAGES, counts))}


def make_data(**overrides) -> PageData:
    partners = pd.DataFrame(
        {
            "partner_id": ["gemeente-a", "gemeente-b", "bouw-x", "bouw-y", "opleider-z", "werkplein-w"],
            "naam": ["Gemeente A", "Gemeente B", "Bouw X B.V.", "Bouw Y B.V.", "Opleider Z", "Werkplein W"],
            "rol": ["opdrachtgever", "opdrachtgever", "opdrachtnemer", "opdrachtnemer", "opleider", "werkplein"],
        }
    )
    opdrachten = pd.DataFrame(
        {
            "opdrachtgever": ["gemeente-a", "gemeente-a", "gemeente-b"],
            "opdracht_id": ["A-1", "A-2", "B-1"],
            "opdrachtnemer": ["bouw-y", "bouw-x", "bouw-x"],
            "verplichting_eur": [40_000.0, 10_000.0, 2_000.0],
            "gerealiseerd_eur": [41_000.0, 5_000.0, 0.0],
            "verwacht_eur": [40_000.0, 8_000.0, 0.0],
            "realisatie_pct": [102.5, 50.0, 0.0],
            "status": ["voldaan", "risico", "nog_niet_gestart"],
            "kandidaten": [12, 3, 0],
            "omschrijving": ["School", "<b>Brug</b>", "Dijk"],
            "opdrachtnemer_naam": ["Bouw Y B.V.", "Bouw X B.V.", "Bouw X B.V."],
            "startdatum": ["2020-01-01", "2021-01-01", "2022-01-01"],
            "einddatum": ["2020-12-31", "2021-12-31", "2022-12-31"],
            "nog_te_realiseren_eur": [0.0, 5_000.0, 2_000.0],
            "achterstand_eur": [0.0, 3_000.0, 0.0],
        }
    )
    leveringen = pd.DataFrame(
        {
            "partner_id": [
                "gemeente-a",
                "gemeente-a",
                "gemeente-b",
                "gemeente-b",
                "bouw-x",
                "bouw-y",
                "opleider-z",
                "werkplein-w",
            ],
            "dataset": [
                "aanbestedingskalender",
                "opdrachten",
                "aanbestedingskalender",
                "opdrachten",
                "inzet",
                "inzet",
                "trajecten",
                "trajecten",
            ],
            "status": [
                "geleverd",
                "geleverd",
                "geleverd",
                "geleverd",
                "geleverd",
                "overgenomen",
                "geleverd",
                "ontbreekt",
            ],
            "levering_periode": ["2021Q3", "2021Q3", "2021Q3", "2021Q3", "2021Q3", "2021Q2", "2021Q3", ""],
        }
    )
    stadia = pd.DataFrame(
        [
            _stages("regio", "totaal", "totaal", [40, 30, 20, 5, 10, 12, 8]),
            _stages("opleider-z", "totaal", "totaal", [40, 30, 20, 5, 10, 12, 8]),
            _stages("opleider-z", "opleiding", "Lasser", [30, 22, 16, 3, 9, 10, 7]),
            _stages("opleider-z", "opleiding", "Metselaar", [10, 8, 4, 2, 1, 2, 1]),
        ]
    )
    bijdragen = pd.DataFrame(
        {
            "partner_id": ["bouw-x", "bouw-y", "gemeente-a", "gemeente-b", "opleider-z", "werkplein-w"],
            "naam": ["Bouw X B.V.", "Bouw Y B.V.", "Gemeente A", "Gemeente B", "Opleider Z", "Werkplein W"],
            "rol": ["opdrachtnemer", "opdrachtnemer", "opdrachtgever", "opdrachtgever", "opleider", "werkplein"],
            "geleverd": [True, False, True, True, True, False],
            "opdrachten": [2, 1, 2, 1, 0, 0],
            "verplichting_eur": [12_000.0, 40_000.0, 50_000.0, 2_000.0, 0.0, 0.0],
            "gerealiseerd_eur": [5_000.0, 41_000.0, 46_000.0, 0.0, 0.0, 0.0],
            "trajecten": [0, 0, 0, 0, 40, 3],
            "plaatsingen": [0, 0, 0, 0, 12, 2],
            "duurzaam": [0, 0, 0, 0, 8, 0],
            "levering_periode": ["2021Q3", "2021Q2", "2021Q3", "2021Q3", "2021Q3", None],
        }
    )
    bestanden = pd.DataFrame(
        {
            "bestand": ["2021Q3/bouw-x/inzet.csv", "2021Q2/bouw-y/inzet.csv", "2021Q3/opleider-z/trajecten.xlsx"],
            "partner_id": ["bouw-x", "bouw-y", "opleider-z"],
            "dataset": ["inzet", "inzet", "trajecten"],
            "levering_periode": ["2021Q3", "2021Q2", "2021Q3"],
            "status": ["gelezen", "gelezen", "gelezen"],
            "rijen_gelezen": ["10", "5", "41"],
            "rijen_schoon": ["9", "5", "40"],
            "rijen_afgekeurd": ["1", "0", "1"],
            "reden_nl": ["", "", ""],
        }
    )
    afgekeurd = pd.DataFrame(
        {
            "partner_id": ["bouw-x", "opleider-z"],
            "bestand": ["2021Q3/bouw-x/inzet.csv", "2021Q3/opleider-z/trajecten.xlsx"],
            "rij": ["7", "12"],
            "kolom": ["uren_per_week", "einddatum"],
            "waarde": ["70", ""],
            "regel": ["inzet.uren_per_week.bereik", "trajecten.einddatum.verplicht_bij_status"],
            "reden_nl": ["uren_per_week moet groter dan 0 en hoogstens 60 zijn", "einddatum is verplicht"],
        }
    )
    bevindingen = pd.DataFrame(
        {
            "partner_id": ["bouw-x"],
            "bestand": ["2021Q3/bouw-x/inzet.csv"],
            "rij": ["4"],
            "kolom": ["kandidaat_bsn"],
            "waarde": [""],
            "regel": ["inzet.kandidaat.dubbeltelling"],
            "severity": ["warning"],
            "reden_nl": [
                "dezelfde kandidaat staat in een overlappende periode ook op opdracht gemeente-a/A-1 "
                "(2021Q2/bouw-y/inzet.csv rij 3); beide regels tellen mee, de coördinator beslist"
            ],
        }
    )
    aanbestedingen = pd.DataFrame(
        {
            "opdrachtgever": ["gemeente-a"],
            "kwartaal": ["2021Q4"],
            "sector": ["bouw"],
            "aanbestedingen": [2],
            "sr_waarde_eur": [50_000.0],
            "persoonsjaren": [1.25],
        }
    )
    voortgang = pd.DataFrame(
        {
            "periode": ["2021Q3"],
            "duurzaam_cumulatief": [8],
            "nodig_cumulatief": [750.0],
            "duurzaam_in_periode": [3],
            "nodig_per_kwartaal": [83.3],
        }
    )
    values = dict(
        period=parse_period("2021Q3"),
        opdrachten=opdrachten,
        kpi={
            "kandidaten": dict(zip(STAGES, [40, 30, 20, 5, 10, 12, 8])),
            "doel": {
                "duurzaam": 1000,
                "datum": "2021-12-31",
                "realisatie_pct": 0.8,
                "nodig_per_resterend_kwartaal": 992.0,
                "resterende_kwartalen": 1,
            },
            "percentages": {},
        },
        regio={
            "opdrachten": 3,
            "verplichting_eur": 52_000.0,
            "gerealiseerd_eur": 46_000.0,
            "verwacht_eur": 48_000.0,
            "realisatie_pct": 88.5,
            "realisatie_vs_verwacht_pct": 95.8,
            "kandidaten": 1498,
            "fte": 2.5,
            "opdrachten_per_status": {"voldaan": 1, "risico": 1, "nog_niet_gestart": 1},
        },
        per_opdrachtgever=pd.DataFrame(),
        per_opdrachtnemer=pd.DataFrame(),
        per_sector=pd.DataFrame(),
        per_bouwblok=pd.DataFrame(),
        stadia=stadia,
        voortgang=voortgang,
        aanbestedingen=aanbestedingen,
        bijdragen=bijdragen,
        trend=pd.DataFrame(),
        inzet_nul=pd.DataFrame(),
        partners=partners,
        leveringen=leveringen,
        bestanden=bestanden,
        afgekeurd=afgekeurd,
        bevindingen=bevindingen,
        meldingen=pd.DataFrame(),
        validatie={
            "datasets": {
                "inzet": {"expectations_evaluated": 17, "expectations_failed": 2},
                "trajecten": {"expectations_evaluated": 20, "expectations_failed": 1},
            }
        },
        vorige_bestanden=None,
    )
    values.update(overrides)
    return PageData(**values)


@pytest.fixture()
def data() -> PageData:
    return make_data()


def _cells(fragment: str) -> list[str]:
    return re.findall(r"<t[hd](?:\s[^>]*)?>(.*?)</t[hd]>", fragment)


# ---------------------------------------------------------------- partner pages


@pytest.mark.parametrize(
    ("partner_id", "own", "others"),
    [
        pytest.param("gemeente-a", ["A-1", "A-2"], ["B-1"], id="authority_its_awarded_contracts"),
        pytest.param("bouw-x", ["A-2", "B-1"], ["A-1"], id="contractor_across_authorities"),
    ],
)
def test_partner_sees_only_its_own_contracts(data, partner_id, own, others):
    shown = "".join(
        [
            partner.contracts_table(data, partner_id),
            partner.contract_charts(data, partner_id),
            partner.catch_up(data, partner_id),
        ]
    )
    assert all(f">{o}<" in shown for o in own)
    assert not any(f">{o}<" in shown for o in others)


def test_the_contract_chart_keeps_to_the_most_urgent_contracts_and_says_so(data, monkeypatch):
    from types import SimpleNamespace

    # bouw-x has A-2 (risico) and B-1 (nog niet gestart); with room for 1, the chart shows A-2
    # only and says that the table lists both
    monkeypatch.setattr(partner, "settings", lambda: SimpleNamespace(render=SimpleNamespace(grafiek_max_opdrachten=1)))
    shown = partner.contract_charts(data, "bouw-x")
    assert ">A-2<" in shown and ">B-1<" not in shown
    assert "De grafiek toont de 1 dringendste van uw 2 opdrachten" in shown
    monkeypatch.setattr(partner, "settings", lambda: SimpleNamespace(render=SimpleNamespace(grafiek_max_opdrachten=2)))
    shown = partner.contract_charts(data, "bouw-x")
    assert ">A-2<" in shown and ">B-1<" in shown and "dringendste" not in shown


def test_contract_texts_are_escaped_and_persons_suppressed(data):
    contracts = partner.contracts_table(data, "gemeente-a")
    assert "&lt;b&gt;Brug&lt;/b&gt;" in contracts and "<b>Brug" not in contracts
    amounts = _cells(contracts)
    # A-2 has 3 candidates: shown as <5 (escaped); A-1's 12 shown
    assert "&lt;5" in amounts and "12" in amounts and "3" not in amounts


def test_contractor_reads_what_is_needed_to_get_back_on_schedule(data):
    text = partner.catch_up(data, "bouw-x").replace(common.fmt.NBSP, " ")
    # expected 8.000, realised 5.000 → 3.000 behind; 5.000 left over 92 days (3,02 months)
    # to 31-12-2021 → 5.000 / 3,0226 = 1.654 per month
    assert "<strong>A-2</strong> &lt;b&gt;Brug&lt;/b&gt; (Gemeente A, risico): nog € 3.000 nodig om op schema" in text
    assert "nog € 5.000 nodig, gemiddeld € 1.654 per maand" in text
    assert "<strong>B-1</strong> Dijk (Gemeente B, nog niet gestart): begint op 1 januari 2022" in text
    assert text.index("A-2") < text.index("B-1")  # behind schedule first
    assert "1 opdracht is voldaan" in partner.catch_up(data, "bouw-y")


def test_partner_summary_comes_first_with_the_totals(data):
    text = partner.summary(data, "gemeente-a").replace(common.fmt.NBSP, " ")
    assert text.startswith('<section class="samenvatting"')
    # A-1 (40.000, realised 41.000, voldaan) and A-2 (10.000, realised 5.000, risico, 3.000 behind)
    assert "2 opdrachten met social return; 1 vraagt aandacht (1 risico)." in text
    for label, value in [
        ("Verplichting", "€ 50.000"),
        ("Gerealiseerd", "€ 46.000"),
        ("Nog te realiseren", "€ 5.000"),
        ("Nodig om op schema te komen", "€ 3.000"),
    ]:
        assert f'<div class="tegel-label">{label}</div><div class="tegel-waarde">{value}</div>' in text
    # no netting: 1.000 over-realised on A-1 does not pay for A-2; filled in 45.000 of 50.000
    assert "90,0% van de verplichting is ingevuld. Daarvan € 1.000 meer dan verplicht op 1 opdracht" in text
    assert "Ja, geleverd voor K3 2021" in text or "Gedeeltelijk" in text or "Nee" in text


def test_training_partner_summary_has_its_funnel_headline(data):
    text = partner.summary(data, "opleider-z")
    assert '<p class="oordeel">Uw trajecten: ' in text and "duurzaam geplaatst" in text


def test_contracts_one_table_in_urgency_order_with_a_totals_row(data):
    t = partner.contracts_table(data, "bouw-x")
    # A-2 (risico) before B-1 (nog niet gestart); amounts in the same table as the status
    assert t.index(">A-2<") < t.index(">B-1<")
    assert "Verplichting" in t and "Status" in t and '<tr class="totaal">' in t
    assert "2 opdrachten" in t  # the totals row's second line


def test_an_ended_contract_says_what_was_not_realised_never_what_is_needed():
    row = pd.Series(
        {
            "status": "niet_voldaan",
            "nog_te_realiseren_eur": 1_613_134.0,
            "einddatum": "2020-06-30",
            "achterstand_eur": 1_613_134.0,
            "verwacht_eur": 2_000_000.0,
            "gerealiseerd_eur": 386_866.0,
            "verplichting_eur": 2_000_000.0,
        }
    )
    text = partner.needed_sentence(row, "2021-09-30").replace(common.fmt.NBSP, " ")
    assert text.startswith("afgelopen: € 1.613.134 niet gerealiseerd")
    assert "nodig om op schema" not in text


def test_authority_sees_the_contracts_that_need_attention(data):
    text = partner.attention(data, "gemeente-a")
    assert "<strong>A-2</strong>" in text and "A-1" not in text  # risico listed, voldaan not


def test_suppression_note_only_under_a_table_with_a_suppressed_cell():
    assert common.note(pd.DataFrame({"n": [12, 0, 7]})) == ""
    shown = common.note(pd.DataFrame({"n": [12, "<5"]}))
    assert shown.startswith("<5: 1 tot en met 4 personen")
    assert common.note() == shown  # without a table: the legend, as before


def test_findings_show_words_dutch_values_and_the_delivered_header():
    rows = pd.DataFrame(
        {
            "partner_id": ["bouw-x", "bouw-x"],
            "bestand": ["2021Q3/bouw-x/inzet_2021Q3.xlsx"] * 2,
            "rij": ["30", "31"],
            "kolom": ["uren_per_week", "startdatum"],
            "kolom_bestand": ["Uren per week", ""],
            "waarde": ["10.5", "2020-11-11"],
            "regel": ["inzet.uren", "opdrachten.start"],
            "reden_nl": ["uren_per_week is minder dan 12", "telt mee als nog_niet_gestart"],
            "severity": ["warning", "info"],
        }
    )
    cells = _cells(partner.findings(make_data(bevindingen=rows), "bouw-x"))
    assert "Uren per week" in cells and "startdatum" in cells  # delivered header, else the standard's
    assert "10,5" in cells and "11-11-2020" in cells
    assert "uren per week is minder dan 12" in cells and "telt mee als nog niet gestart" in cells
    # and without the kolom_bestand column at all
    cells = _cells(partner.findings(make_data(bevindingen=rows.drop(columns="kolom_bestand")), "bouw-x"))
    assert "uren per week" in cells


def test_on_schedule_contract_says_what_the_rest_of_the_obligation_needs():
    row = pd.Series(
        {
            "status": "op_schema",
            "nog_te_realiseren_eur": 6_000.0,
            "einddatum": "2022-03-31",
            "achterstand_eur": 0.0,
            "verwacht_eur": 1.0,
            "gerealiseerd_eur": 1.0,
            "verplichting_eur": 1.0,
        }
    )
    # 182 days from 30-09-2021 to 31-03-2022 = 5,98 months; 6.000 / 5,98 = 1.003 per month
    assert partner.needed_sentence(row, "2021-09-30").replace(common.fmt.NBSP, " ") == (
        "voor de hele verplichting is tot 31 maart 2022 nog € 6.000 nodig, gemiddeld € 1.003 per maand."
    )


def test_download_link_only_for_partners_with_contracts(data):
    assert 'href="bouw-x.xlsx"' in partner.download_link(data, "bouw-x")
    assert "Download als Excel" in partner.download_link(data, "gemeente-b")
    assert partner.download_link(data, "opleider-z") == ""


def test_authority_page_lists_contractors_and_planned_tenders(data):
    contractors = _cells(partner.contractors(data, "gemeente-a"))
    assert "Bouw X B.V." in contractors and "Bouw Y B.V." in contractors
    tenders = _cells(partner.tenders(data, "gemeente-a"))
    assert "K4 2021" in tenders and "1,3" in tenders  # 1,25 person-years shown with one decimal
    assert "geen aanbestedingen" in partner.tenders(data, "gemeente-b")


@pytest.mark.parametrize(
    ("partner_id", "expected"),
    [
        pytest.param("gemeente-a", "Ja, geleverd voor K3 2021: aanbestedingskalender, opdrachten.", id="delivered"),
        pytest.param(
            "bouw-y",
            "Nee. Inzet (realisatie): niet aangeleverd voor K3 2021; levering K2 2021 gebruikt.",
            id="carried_forward",
        ),
        pytest.param("werkplein-w", "Nee. Trajecten: niet aangeleverd voor K3 2021 en ook niet eerder", id="missing"),
    ],
)
def test_every_partner_page_says_whether_it_delivered(data, partner_id, expected):
    assert expected in partner.summary(data, partner_id)


def test_a_partner_without_expected_deliveries_is_told_so(data):
    lev = data.leveringen[data.leveringen["partner_id"] != "opleider-z"]
    assert "geen levering verwacht" in common.delivery_sentence(lev, "opleider-z", "2021Q3")


def test_training_page_shows_funnel_rates_and_programmes_suppressed(data):
    assert "<svg" in partner.training_funnel(data, "opleider-z")._repr_html_()
    # afronding 20 / (20 + 5) = 80,0%; plaatsing 12 / 20 = 60,0%; duurzaam 8 / 12 = 66,7%
    assert "Afronding 80,0%" in partner.training_rates(data, "opleider-z")
    assert "duurzaam 66,7%" in partner.training_rates(data, "opleider-z")
    cells = _cells(partner.training_by_programme(data, "opleider-z"))
    assert "Lasser" in cells and "Metselaar" in cells
    assert not any(c in {"1", "2", "3", "4"} for c in cells)  # suppressed table never shows 1–4
    assert "Er zijn geen trajecten" in partner.training_funnel(data, "werkplein-w")


def test_no_rate_from_a_hidden_count(data):
    # uitgevallen 3 is hidden (<5): no completion rate may be worked out from it
    stadia = pd.DataFrame([_stages("opleider-z", "totaal", "totaal", [40, 30, 20, 3, 10, 12, 8])])
    text = partner.training_rates(make_data(stadia=stadia), "opleider-z")
    assert "Afronding –" in text and "plaatsing 60,0%" in text


def test_quality_sections_show_own_file_rows_and_no_other_partner(data):
    rejected = partner.rejected_rows(data, "bouw-x")
    assert ">inzet.csv<" in rejected and ">7<" in rejected and "2021Q3/bouw-x" not in rejected
    assert "einddatum" not in rejected  # opleider-z's row
    found = partner.findings(data, "bouw-x")
    assert "bouw-y" not in found and "andere opdrachtnemer" in found and ">waarschuwing<" in found
    assert "konden worden gelezen" in partner.unreadable_files(data, "bouw-x")
    assert "geen bevindingen" in partner.findings(data, "bouw-y")


# ---------------------------------------------------------------- regio and index


def test_contributions_one_table_per_kind_of_partner(data):
    html = regio.contributions(data)
    assert html.count("<table") == 3
    assert "nee (levering K2 2021 gebruikt)" in _cells(html)  # Bouw Y: carried forward
    training = _cells(html.split("<table")[3])
    assert "Opleider Z" in training and "Bouw X B.V." not in training
    # Werkplein W: 3 trajectories and 2 placements are hidden, Opleider Z's 40/12/8 shown
    assert "40" in training and "12" in training and "&lt;5" in training
    assert "3" not in training and "2" not in training


def test_delivery_status_per_partner_names_the_period_carried_forward(data):
    cells = _cells(regio.delivery_status(data))
    assert "overgenomen uit K2 2021" in cells and "ontbreekt" in cells


def test_programme_pace_this_quarter_against_needed(data):
    text = regio.programme_pace(data)
    # 3 durable placements this quarter are 3 persons: shown as <5 (docs/domain.md), escaped in HTML
    assert "Dit kwartaal kwamen er &lt;5 bij; het lineaire tempo vraagt 83 per kwartaal." in text
    assert "(nog 1 kwartaal)" in text


def test_headline_persons_have_dutch_grouping(data):
    assert ">1.498<" in regio.headline(data)
    assert "<5" in regio.persons(4) and regio.persons(0) == "0"


def test_index_links_every_page_and_each_excel_file(data):
    html = index.links(data)
    for pid in data.partners["partner_id"]:
        assert f'href="partners/{pid}.html"' in html
    assert 'href="partners/bouw-x.xlsx"' in html and 'href="partners/opleider-z.xlsx"' not in html
    assert 'href="regio.html"' in html and 'href="kwaliteit.html"' in html
    assert 'href="data/opdrachten.xlsx"' in index.downloads(data)


def test_index_run_summary_verdict_and_headline_figures(data):
    summary = _cells(index.run_summary(data))
    # rows read 10 + 5 + 41 = 56; rejected 1 + 0 + 1 = 2
    assert "56" in summary and "2" in summary
    verdict = index.verdict(data)
    # rules: 17 + 20 = 37 tested, 2 + 1 = 3 not met everywhere
    assert "2 afgekeurde rijen" in verdict and "37 regels getoetst; 3 regels" in verdict
    headline = _cells(index.headline(data))
    assert any("€\xa052.000" in c for c in headline)
    assert any(c.startswith("8 van 1.000") for c in headline)


def test_quality_page_names_files_and_severity_in_dutch(data):
    assert ">inzet.csv<" in quality.rejected(data) and ">waarschuwing<" in quality.findings(data)
    files = quality.files(data)
    assert ">trajecten.xlsx<" in files and "Alle aangeleverde bestanden konden worden gelezen." in files
    assert "geen rijen afgekeurd" in quality.rejected(make_data(afgekeurd=data.afgekeurd.iloc[0:0]))


def test_wide_tables_get_the_compact_style(data):
    assert partner.contracts_table(data, "gemeente-a").startswith('<div class="breed eerste-vast')
    assert not partner.tenders(data, "gemeente-b").startswith("<div")


# ---------------------------------------------------------------- notebooks


PAGE_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("1*.ipynb"))


@pytest.mark.parametrize("path", PAGE_NOTEBOOKS, ids=lambda p: p.stem)
def test_page_notebooks_narrate_without_defs_and_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))
    assert nb.cells[0].metadata.get("tags") == ["parameters"]
    assert any(c.cell_type == "markdown" for c in nb.cells)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert not re.search(r"^\s*(async\s+)?def\s", cell.source, re.M)  # docs/architecture.md, "Conventions"


def test_partner_is_told_about_notes_on_its_own_files_only():
    meldingen = pd.DataFrame(
        {
            "partner_id": ["bouw-x", "bouw-y"],
            "bestand": ["2021Q3/bouw-x/inzet.csv", "2021Q3/bouw-y/inzet.csv"],
            "soort": ["kolom_onbekend", "kolom_onbekend"],
            "melding_nl": ["kolom 'Uren per wek' onbekend, genegeerd", "kolom 'Xyz' onbekend, genegeerd"],
            "message_en": ["unknown column", "unknown column"],
        }
    )
    data = make_data(meldingen=meldingen)
    shown = partner.notes(data, "bouw-x")
    assert "Uren per wek" in shown and "Xyz" not in shown
    assert partner.notes(data, "gemeente-a") == ""


def test_quality_block_says_what_is_in_order_in_one_sentence(data):
    text = partner.quality(data, "bouw-y")
    assert "er zijn geen rijen afgekeurd en er zijn geen bevindingen" in text.lower()
    shown = partner.quality(data, "bouw-x")
    assert "Afgekeurde rijen in uw levering" in shown or "Bevindingen bij uw levering" in shown
