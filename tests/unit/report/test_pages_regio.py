"""regio.html's verdict and attention list, index.html's groups and kwaliteit.html's words and
counts, on the tiny hand-written period of test_pages.py. Expected texts worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.report.pages import index, quality, regio
from tests.unit.report.test_pages import _cells, make_data

# The three contracts of make_data: A-1 voldaan (41,000 of 40,000), A-2 risico (5,000 of 10,000,
# 3,000 behind), B-1 nog niet gestart. Without netting: min(41,000, 40,000) + 5,000 + 0 = 45,000
# of 52,000 = 86.5 %; 1,000 more than required on A-1.
REGIO = {
    "opdrachten": 3,
    "verplichting_eur": 52_000.0,
    "gerealiseerd_eur": 46_000.0,
    "verwacht_eur": 48_000.0,
    "realisatie_pct": 88.5,
    "realisatie_vs_verwacht_pct": 95.8,
    "ingevuld_eur": 45_000.0,
    "ingevuld_pct": 86.54,
    "ingevuld_vs_verwacht_pct": 93.75,  # 45,000 / 48,000
    "meer_dan_verplicht_eur": 1_000.0,
    "opdrachten_meer_dan_verplicht": 1,
    "nog_te_realiseren_eur": 7_000.0,  # 5,000 (A-2) + 2,000 (B-1)
    "achterstand_eur": 3_000.0,
    "niet_voldaan_eur": 0.0,
    "kandidaten": 1498,
    "fte": 2.5,
    "opdrachten_per_status": {"voldaan": 1, "risico": 1, "nog_niet_gestart": 1},
}
DOEL = {
    "duurzaam": 1000,
    "datum": "2021-12-31",
    "realisatie_pct": 0.8,
    "nog_nodig": 992,
    "nodig_per_resterend_kwartaal": 992.0,
    "resterende_kwartalen": 1,
    # 3 a quarter: 992 / 3 = 330.7 -> 331 quarters after 2021Q3 = 2104Q2
    "tempo_kwartalen": 1,
    "tempo_per_kwartaal": 3.0,
    "kwartaal_doel_bij_tempo": "2104Q2",
    "doel_gehaald_bij_tempo": False,
}


@pytest.fixture()
def data():
    base = make_data()
    return make_data(regio=REGIO, kpi={**base.kpi, "doel": DOEL})


def test_verdict_tiles_say_fulfilment_without_netting(data):
    html = regio.verdict(data)
    assert html.startswith('<section class="oordeel"')
    assert html.count('class="tegel ') == 4
    assert ">86,5%<" in html  # ingevuld / verplichting
    assert "€\xa045.000 van de verplichting van €\xa052.000 is ingevuld" in html
    assert "93,8% van wat tot de peildatum verwacht mocht worden" in html
    assert "€\xa01.000 meer dan verplicht op 1 opdracht; telt niet mee voor andere opdrachten." in html
    assert ">€\xa07.000<" in html and ">€\xa03.000<" in html
    assert "1 opdracht vraagt aandacht (1 risico)" in html
    assert "88,5%" not in html  # the netted share is not the verdict


def test_target_outlook_in_words(data):
    text = regio.target_outlook_sentence(data)
    # a pace of 3 a quarter is a count below 5: not shown (docs/domain.md)
    assert "gemiddeld minder dan 5 per kwartaal" in text
    assert "niet gehaald vóór 31 december 2021, maar pas in K2 2104" in text
    assert "nog 992 plaatsingen nodig in het laatste kwartaal" in text
    on_time = make_data(
        kpi={
            **data.kpi,
            "doel": {
                **DOEL,
                "doel_gehaald_bij_tempo": True,
                "tempo_per_kwartaal": 992.0,
                "kwartaal_doel_bij_tempo": "2021Q4",
            },
        }
    )
    assert "In dit tempo wordt het doel gehaald vóór 31 december 2021 (in K4 2021)" in regio.target_outlook_sentence(
        on_time
    )


def test_attention_lists_the_contracts_behind_with_names_and_links(data):
    html = regio.attention(data)
    cells = _cells(html)
    # only A-2 (risico); A-1 voldaan and B-1 nog niet gestart are not listed
    assert "&lt;b&gt;Brug&lt;/b&gt; (A-2)" in cells and not any("(A-1)" in c or "(B-1)" in c for c in cells)
    assert "Gemeente A" in cells
    assert '<a href="partners/bouw-x.html">Bouw X B.V.</a>' in cells
    assert "€\xa03.000" in cells and "31 dec 2021" in cells


def test_attention_sorted_by_amount_behind():
    base = make_data()
    more = base.opdrachten.assign(
        status=["niet_voldaan", "risico", "achterstand"], achterstand_eur=[1_000.0, 3_000.0, 2_000.0]
    )
    html = regio.attention(make_data(opdrachten=more))
    ids = [c.rsplit("(", 1)[1].rstrip(")") for c in _cells(html) if c.endswith(")") and "(" in c]
    assert ids == ["A-2", "B-1", "A-1"]  # 3,000, 2,000, 1,000 behind


def test_no_attention_needed_is_said():
    calm = make_data().opdrachten.assign(status="voldaan")
    assert "Geen opdracht heeft achterstand of risico" in regio.attention(make_data(opdrachten=calm))


def test_programme_link_suppresses_small_counts(data):
    shown = regio.programme_link(
        make_data(
            regio={
                **REGIO,
                "koppeling_programma": {
                    "sr_kandidaten": 1498,
                    "ook_trajectkandidaat": 258,
                    "ook_trajectkandidaat_pct": 17.22,
                },
            }
        )
    )
    assert "Van de 1.498 personen" in shown and "258 (17,2%)" in shown
    small = regio.programme_link(
        make_data(
            regio={
                **REGIO,
                "koppeling_programma": {
                    "sr_kandidaten": 40,
                    "ook_trajectkandidaat": 3,
                    "ook_trajectkandidaat_pct": 7.5,
                },
            }
        )
    )
    assert "&lt;5" in small and "7,5%" not in small  # the share would give the hidden count back


def test_index_groups_by_tier(data):
    share, internal = index.shareable(data), index.internal(data)
    assert 'href="regio.html"' in share and 'href="kwaliteit.html"' not in share
    assert 'href="partners/bouw-x.html"' in share and 'href="partners/bouw-x.xlsx"' in share
    assert 'href="kwaliteit.html"' in internal and 'href="data/opdrachten.csv"' in internal
    assert "partners/" not in internal
    with pytest.raises(ValueError):
        index._link("data/opdrachten.csv", "x")  # internal data listed as shareable


def test_index_key_figures_lead_with_the_verdict(data):
    html = index.headline(data)
    assert html.startswith('<p class="oordeel-zin">De verplichting is voor 86,5% ingevuld')
    cells = _cells(html)
    assert "€\xa045.000 (86,5% van de verplichting, 93,8% van het verwachte)" in cells
    assert any(c.endswith("in dit tempo niet op tijd, pas in K2 2104") for c in cells)


# ---------------------------------------------------------------- kwaliteit.html


def test_column_as_delivered_when_known_else_in_words():
    frame = pd.DataFrame(
        {
            "dataset": ["inzet", "inzet"],
            "kolom": ["uren_per_week", "uren_per_week"],
            "waarde": ["10.5", "8"],
            "reden_nl": ["uren_per_week is minder dan 12"] * 2,
            "kolom_bestand": ["Uren p/w", ""],
        }
    )
    out = quality._own_columns(frame)
    assert out["kolom"].tolist() == ["Uren p/w", "uren per week"]
    assert out["reden_nl"].tolist() == ["'Uren p/w' is minder dan 12", "uren per week is minder dan 12"]
    assert out["waarde"].tolist() == ["10,5", "8"]
    # without the column kolom_bestand at all
    assert quality._own_columns(frame.drop(columns="kolom_bestand"))["kolom"].tolist() == ["uren per week"] * 2


def test_counts_explained_rejected_while_reading_and_by_a_rule(data):
    # files: inzet 10 read / 1 rejected, 5 read / 0; trajecten 41 read / 1 rejected -> 56 read, 2 rejected.
    # validation: inzet 14 tested, 1 rejected by a rule; trajecten 40 tested, 0 by a rule
    # -> rejected while reading: inzet 1 − 1 = 0, trajecten 1 − 0 = 1.
    validatie = {
        "datasets": {
            "inzet": {"rijen": 15, "rijen_afgekeurd": 1, "rijen_schoon": 14, "rijen_met_bevinding": 1},
            "trajecten": {"rijen": 40, "rijen_afgekeurd": 0, "rijen_schoon": 40, "rijen_met_bevinding": 0},
        }
    }
    frame = quality.count_table(make_data(validatie=validatie)).set_index("dataset")
    assert frame.loc["Totaal", ["gelezen", "afgekeurd", "afgekeurd_inlezen", "afgekeurd_regel"]].tolist() == [
        56,
        2,
        1,
        1,
    ]
    text = quality.counts_explained(make_data(validatie=validatie))
    assert "56 rijen gelezen uit de bestanden. 2 rijen zijn afgekeurd" in text
    assert "1 al bij het inlezen" in text and "1 door een regel van de validatie" in text
    # leveringen of make_data: 6 geleverd, bouw-y overgenomen, werkplein-w ontbreekt; no unreadable file
    assert "6 leveringen voor deze periode, 1 overgenomen uit een eerdere periode, 1 ontbrekend; 0 bestanden" in text


def test_rejected_rows_say_how_and_name_the_partner(data):
    validatie = {"datasets": {"inzet": {"regels": [{"regel": "inzet.uren_per_week.bereik"}]}}}
    cells = _cells(quality.rejected(make_data(validatie=validatie)))
    assert "Bouw X B.V." in cells and "bouw-x" not in cells
    assert "door een regel" in cells and "bij het inlezen" in cells  # the trajecten rule is not in validatie
    assert "uren per week" in cells and "uren_per_week" not in " ".join(cells)
