"""werkwijze.html is generated from the configuration the run uses, so it cannot disagree with it."""

import re

import pandas as pd

from pipeline.indicators.ratecard import load_rate_card
from pipeline.report.pages import werkwijze

NBSP = "\xa0"


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(fragment)).replace(NBSP, " "))


def test_every_row_of_every_rate_card_version_is_shown_dutch_formatted():
    card = load_rate_card()
    page = str(werkwijze.rate_card(card))
    tables = page.split("<table")[1:]
    versions = werkwijze.rate_card_versions(card)
    assert len(tables) == len(versions) == 2  # the default card: 2016–2020 and from 2021
    for table, (vanaf, _) in zip(tables, versions):
        rows = card[pd.to_datetime(card["geldig_vanaf"]).dt.date == vanaf]
        text = _text(table)
        for row in rows.itertuples():
            assert f">{row.bouwblok}<" in table.replace("<wbr>", "")
            assert row.omschrijving in text.replace(" ", " ")
    # values worked out from bouwblokken.csv by hand: pwet_kort 30000 until 2020, 35000 from 2021
    first, second = (_text(t) for t in tables)
    assert "€ 30.000 per jaar" in first and "€ 35.000 per jaar" in second
    assert "€ 750 per maand" in first and "factor 1 × het bedrag" in second
    assert "€ 5.000 per jaar" in first and "€ 7.500 per jaar" in second  # the 50+ bonus
    assert "vanaf 1 januari 2016 tot en met 31 december 2020" in _text(page)
    assert "30000" not in page and "2020-12-31" not in page


def test_the_rules_state_the_configured_values():
    rules = _text(werkwijze.valuation_rules()) + _text(werkwijze.obligation_rules()) + _text(werkwijze.training_rules())
    assert "uren per week / 36" in rules
    assert "minder dan 12 uur per week telt niet mee; precies 12 uur telt wel" in rules
    assert "ten minste 75% van het verwachte bedrag" in rules and "minder dan 75%" in rules
    assert "ten minste 24 uur per week en ten minste 183 dagen" in rules
    assert "1.000 duurzame plaatsingen uiterlijk 31 december 2021" in rules
    assert "opleidingsinstituten, werkpleinen en sw-bedrijven" in rules


def test_the_delivery_calendar_names_the_deadline_and_the_roles():
    text = _text(werkwijze.delivery_calendar("2021Q3"))
    # peildatum 30-09-2021 + 15 days (settings.yaml delivery.termijn_dagen) = 15 October 2021
    assert "Uiterlijk 15 dagen na de peildatum; voor K3 2021 is dat 15 oktober 2021" in text
    assert "Opdrachtgever opdrachten, aanbestedingskalender opdrachten" in text
    assert "Sw-bedrijf trajecten niets verplicht" in text


def test_privacy_states_the_threshold():
    text = _text(werkwijze.privacy())
    assert "van 1 tot en met 4 worden getoond als <5" in text.replace("&lt;", "<")
