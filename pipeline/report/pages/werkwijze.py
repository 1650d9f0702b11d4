"""werkwijze.html: the uniform regional method as this pipeline applies it (docs/reports.md).

Every number, list and rule on the page comes from the configuration the run itself uses: the
rate card (``config/bouwblokken.csv``), the settings (``config/settings.yaml``) and the export
standard (``config/datasets.yaml``). A buyer can cite the page in a tender's descriptive document;
it holds no partner data, so it may go to anyone.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from pipeline.core.periods import parse_period
from pipeline.core.schema import DATASETS, ROLES, dataset_spec
from pipeline.core.settings import settings
from pipeline.report import formatting as fmt
from pipeline.report import labels
from pipeline.report.tables import Html, html_table

KIND_WORDS = {"persoon": "inzet van een persoon", "geld": "inkoop of scholing (geldbedrag)"}


def value_words(value: object, unit: object) -> str:
    """A rate-card value with its unit, in words.

    >>> value_words(35000, "jaar").replace("\xa0", " "), value_words(750, "maand").replace("\xa0", " ")
    ('€ 35.000 per jaar', '€ 750 per maand')
    >>> value_words(1, "factor"), value_words(0.5, "factor")
    ('factor 1 × het bedrag', 'factor 0,5 × het bedrag')
    """
    if str(unit) == "factor":
        return f"factor {fmt.format_number(value, 2).rstrip('0').rstrip(',')} × het bedrag"
    return f"{fmt.format_eur(value)} per {unit}"


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def rate_card_versions(card: pd.DataFrame) -> list[tuple[dt.date, dt.date | None]]:
    """The editions of the rate card: distinct (geldig_vanaf, geldig_tot) pairs, oldest first."""
    pairs = {
        (pd.Timestamp(r.geldig_vanaf).date(), None if pd.isna(r.geldig_tot) else pd.Timestamp(r.geldig_tot).date())
        for r in card.itertuples()
    }
    return sorted(pairs, key=lambda p: p[0])


def _period_words(vanaf: dt.date, tot: dt.date | None) -> str:
    return f"vanaf {fmt.format_date(vanaf)}" + (f" tot en met {fmt.format_date(tot)}" if tot else "")


def rate_card(card: pd.DataFrame) -> Html:
    """One table per edition of the rate card with every row: block, kind, value, unit, cap."""
    parts = [
        _p(
            "Een opdracht wordt gewaardeerd met de tarieven die golden op de gunningsdatum; die blijven "
            "gelden voor de hele looptijd, ook als de tariefkaart later verandert."
        )
    ]
    for vanaf, tot in rate_card_versions(card):
        rows = card[pd.to_datetime(card["geldig_vanaf"]).dt.date == vanaf].copy()
        shown = pd.DataFrame(
            {
                "bouwblok": rows["omschrijving"].astype(str),
                "code": rows["bouwblok"].astype(str),
                "soort": rows["soort"].map(lambda s: KIND_WORDS.get(str(s), labels.fallback(s))),
                "waarde": [value_words(r.waarde_eur, r.eenheid) for r in rows.itertuples()],
                "max": rows["max_maanden"].map(lambda m: "–" if pd.isna(m) else f"{int(m)} maanden"),
            }
        ).sort_values("code", kind="mergesort")
        parts.append(
            html_table(
                shown,
                caption=f"Tariefkaart voor opdrachten gegund {_period_words(vanaf, tot)}",
                headers={
                    "bouwblok": "Bouwblok",
                    "code": "Code in de aanlevering",
                    "soort": "Soort",
                    "waarde": "Waarde",
                    "max": "Telt ten hoogste",
                },
                columns=list(shown.columns),
                numeric_columns=[],
            )
        )
    return Html("\n".join(parts))


def valuation_rules() -> Html:
    v = settings().valuation
    fte = fmt.format_number(v.fte_uren_per_week)
    minimum = fmt.format_number(v.min_uren_per_week)
    return Html(
        _ul(
            [
                f"Een blok per jaar telt naar rato: waarde × fte × dagen / 365, met fte = uren per week / {fte} "
                f"(ten hoogste 1). Een blok per maand telt waarde × dagen × 12 / 365; uren spelen dan geen rol.",
                "Een blok met factor (sociale inkoop, scholing) telt bedrag × factor, één keer, als de regel "
                "start binnen de looptijd van de opdracht en uiterlijk op de peildatum.",
                "Alleen dagen binnen de looptijd van de opdracht en tot en met de peildatum tellen, en bij een "
                "blok met een maximum niet meer maanden dan dat maximum, gerekend vanaf de start van de regel.",
                f"De {minimum}-urenregel: een blok per jaar met minder dan {minimum} uur per week telt niet mee; "
                f"precies {minimum} uur telt wel.",
                "De 50+-toeslag: voor een kandidaat van 50 jaar of ouder komt bij een blok per jaar de toeslag uit "
                "de tariefkaart erbij, over dezelfde dagen en met dezelfde fte. De toeslag is geen blok op zich; "
                "blokken per maand en met factor krijgen geen toeslag.",
                "Dezelfde kandidaat op twee opdrachten over dezelfde dagen telt op beide, en wordt als bevinding "
                "gemeld zodat de coördinator kan beslissen.",
            ]
        )
    )


def obligation_rules() -> Html:
    drempel = fmt.format_pct(settings().status.achterstand_drempel * 100, 0)
    tolerantie = fmt.format_eur(settings().valuation.obligation_tolerance_eur)
    statuses = [
        ("voldaan", "de realisatie is ten minste de verplichting"),
        ("niet_voldaan", "de opdracht is vóór de peildatum geëindigd zonder dat de verplichting is gehaald"),
        ("nog_niet_gestart", "de opdracht begint na de peildatum"),
        ("op_schema", "de realisatie is ten minste het verwachte bedrag"),
        ("achterstand", f"de realisatie is ten minste {drempel} van het verwachte bedrag"),
        ("risico", f"de realisatie is minder dan {drempel} van het verwachte bedrag"),
    ]
    return Html(
        _ul(
            [
                "Verplichting = opdrachtwaarde (excl. btw) × social-return-percentage. Noemt de opdrachtgever "
                f"zelf een verplichting die meer dan {tolerantie} afwijkt, dan volgt een bevinding; de berekende "
                "verplichting telt.",
                "Verwacht = verplichting × het deel van de looptijd dat op de peildatum verstreken is (in dagen, "
                "begin- en einddag meegeteld). Nodig om op schema te komen = verwacht − gerealiseerd, niet minder "
                "dan nul; nog te realiseren = verplichting − gerealiseerd, niet minder dan nul.",
            ]
        )
        + _p("De status van een opdracht is de eerste van deze regels die opgaat:")
        + "<ol>"
        + "".join(
            f"<li><b>{html.escape(fmt.status_label(code))}</b>: {html.escape(text)}</li>" for code, text in statuses
        )
        + "</ol>"
    )


def training_rules() -> Html:
    t = settings().training
    p = settings().programme
    return Html(
        _ul(
            [
                "Elke kandidaat telt één keer per stap (aangemeld, gestart, afgerond, uitgevallen, certificaat, "
                "geplaatst, duurzaam), hoeveel trajecten of partners hij of zij ook heeft.",
                f"Een plaatsing is duurzaam bij ten minste {fmt.format_number(t.duurzaam_min_uren_per_week)} uur "
                f"per week en ten minste {fmt.format_int(t.duurzaam_min_dagen)} dagen in dienst, de eerste dag "
                f"meegeteld: een plaatsing van 1 april is duurzaam op 30 september.",
                f"Het doel van het {p.naam}: {fmt.format_int(p.doel_duurzaam)} duurzame plaatsingen uiterlijk "
                f"{fmt.format_date(p.doel_datum)}, geteld vanaf {fmt.format_date(p.start_datum)}.",
                "Trajecten tellen mee van " + labels.roles_phrase(dataset_spec("trajecten").delivered_by).lower() + ".",
            ]
        )
    )


def delivery_calendar(period: str) -> Html:
    """Who delivers what, every quarter, and by when (for ``period`` as the example)."""
    p = parse_period(period)
    days = settings().delivery.termijn_dagen
    deadline = p.peildatum + dt.timedelta(days=days)
    rows = []
    for role in ROLES:
        datasets = [d for d in DATASETS if role in dataset_spec(d).delivered_by]
        if not datasets:
            continue
        asked = [d for d in datasets if role in dataset_spec(d).expected_roles]
        rows.append(
            {
                "rol": labels.label("rol", role).capitalize(),
                "levert": ", ".join(labels.label("dataset", d) for d in datasets),
                "verplicht": ", ".join(labels.label("dataset", d) for d in asked) or "niets verplicht",
            }
        )
    table = html_table(
        pd.DataFrame(rows),
        caption="Wie levert wat, elk kwartaal",
        headers={"rol": "Rol", "levert": "Levert", "verplicht": "Elk kwartaal verwacht"},
        columns=["rol", "levert", "verplicht"],
    )
    return Html(
        _ul(
            [
                "Elke partner levert per kwartaal een volledige stand per peildatum (de laatste dag van het "
                "kwartaal), geen wijzigingen ten opzichte van de vorige keer.",
                f"Uiterlijk {days} dagen na de peildatum; voor {fmt.format_quarter(p.code)} is dat "
                f"{fmt.format_date(deadline)}.",
                "Bestandsnaam <dataset>_<jaar>Q<kwartaal>, als .xlsx of .csv, in de map van het kwartaal en de "
                "partner; de aanleversjablonen hebben de juiste kolommen, keuzelijsten en uitleg.",
                "Wie niet op tijd levert, wordt in het rapport meegenomen met de laatste eerdere levering, en het "
                "rapport zegt dat. Een latere levering telt mee in het volgende rapport.",
                "Een rij die niet aan de standaard voldoet, wordt afgekeurd met Excel-rij, kolom en reden, en telt "
                "pas mee als ze verbeterd opnieuw is aangeleverd. Met make check-export kan een partner een "
                "bestand vooraf controleren.",
            ]
        )
        + table
    )


def privacy() -> Html:
    drempel = settings().disclosure.drempel
    return Html(
        _p(
            "Het BSN van een kandidaat wordt bij het inlezen direct vervangen door een pseudoniem met een geheime "
            "sleutel; geen rapport of tabel bevat een BSN. Elke partner krijgt alleen een pagina over de eigen "
            f"gegevens. Aantallen personen van 1 tot en met {drempel - 1} worden getoond als <{drempel}, en waar "
            "een totaal zo'n aantal zou verraden, wordt nog een cel verborgen. De pagina's laden niets van "
            "internet."
        )
    )


def intro(period: str) -> Html:
    return Html(
        _p(
            "Dit is de uniforme regionale werkwijze voor social return, zoals de monitor haar toepast. Alle "
            "waarden op deze pagina komen uit dezelfde instellingen als de berekeningen: wat hier staat, is wat "
            "er gerekend wordt. Opdrachtgevers kunnen naar deze werkwijze verwijzen in hun aanbestedingsstukken."
        )
        + _p(f"Stand van {fmt.format_quarter(parse_period(period).code)}.")
    )
