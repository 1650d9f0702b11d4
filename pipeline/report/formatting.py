"""Dutch display formats for the report pages, through Babel (locale ``nl_NL``).

docs/reports.md: pages show ``€ 1.234.567``, ``12,5%`` and ``30 september 2021``. Every number goes
through Babel's CLDR patterns for ``nl_NL`` (grouping ``.``, decimal ``,``), never through string
replacement. Decisions, so every page agrees:

- **Space after the euro sign**: the no-break space U+00A0 that CLDR/Babel puts there
  (``'€\\xa01.234'``), so a line never breaks between ``€`` and the amount. Browsers show it as
  a normal space; copy-paste gives U+00A0. ``format_eur_compact`` (chart labels) uses the same.
- **Negative amounts** follow the CLDR ``nl`` pattern: ``€ -1.234``.
- **Rounding** is half away from zero (``2,5`` → ``3``), as people round money by hand; Babel's
  own default would be banker's rounding. A result of zero never shows a minus sign.
- **Percentages**: the input is already a percentage (``12.5`` means 12,5%), like the
  ``realisatie_pct`` column of docs/outputs.md; no space before ``%`` (CLDR ``nl``).
- **Missing values** (None, NaN, ``pd.NA``, ``NaT``) and infinite numbers (a percentage of a
  zero obligation) show as an en dash ``–``.
- **Display strings pass through**: a value that is already a string (``'<5'`` from
  :mod:`pipeline.disclosure.suppress`) is returned unchanged by the number formats, so a suppressed
  table can be formatted with the same formatters.

Status is shown by word *and* colour *and* symbol (docs/reports.md: readable with colour-blindness);
the colours are the Okabe–Ito palette.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent, parse_pattern

LOCALE = "nl_NL"
NA_TEXT = "–"  # en dash
NBSP = "\u00a0"

_NL = Locale.parse(LOCALE)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Named so charts and CSS use the same values.
OKABE_ITO = {
    "oranje": "#E69F00",
    "hemelsblauw": "#56B4E9",
    "blauwgroen": "#009E73",
    "geel": "#F0E442",
    "blauw": "#0072B2",
    "vermiljoen": "#D55E00",
    "roodpaars": "#CC79A7",
    "zwart": "#000000",
}
GRIJS = "#999999"  # neutral, for "nothing yet" (not part of Okabe–Ito, but not a hue)

# Series order for charts: dark blue first (best contrast on white), yellow last (weak on white).
PALETTE = [
    OKABE_ITO["blauw"],
    OKABE_ITO["oranje"],
    OKABE_ITO["blauwgroen"],
    OKABE_ITO["vermiljoen"],
    OKABE_ITO["hemelsblauw"],
    OKABE_ITO["roodpaars"],
    OKABE_ITO["zwart"],
    OKABE_ITO["geel"],
]
# Line hatches only: dot/circle hatches make matplotlib's SVG patterns ~150 KB each.
HATCHES = ["", "///", "\\\\\\", "xxx", "---", "|||", "+++", "/-"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

STATUS_ORDER = ["voldaan", "op_schema", "achterstand", "risico", "niet_voldaan", "nog_niet_gestart"]
STATUS_LABELS = {
    "voldaan": "Voldaan",
    "niet_voldaan": "Niet voldaan",
    "nog_niet_gestart": "Nog niet gestart",
    "op_schema": "Op schema",
    "achterstand": "Achterstand",
    "risico": "Risico",
}
STATUS_COLOURS = {
    "voldaan": OKABE_ITO["blauwgroen"],
    "op_schema": OKABE_ITO["blauw"],
    "achterstand": OKABE_ITO["oranje"],
    "risico": OKABE_ITO["vermiljoen"],
    "niet_voldaan": OKABE_ITO["roodpaars"],
    "nog_niet_gestart": GRIJS,
}
# A symbol per status (in tables, before the word) and a hatch (in charts), so the status never
# depends on colour alone. All symbols are in DejaVu Sans and common system fonts.
STATUS_SYMBOLS = {
    "voldaan": "✓",
    "op_schema": "●",
    "achterstand": "▲",
    "risico": "◆",
    "niet_voldaan": "✗",
    "nog_niet_gestart": "○",
}
STATUS_HATCHES = {
    "voldaan": "",
    "op_schema": "|||",
    "achterstand": "///",
    "risico": "xxx",
    "niet_voldaan": "\\\\\\",
    "nog_niet_gestart": "---",
}


def is_missing(value: object) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT``; False for anything else (strings included).

    >>> [is_missing(v) for v in [None, float("nan"), pd.NA, pd.NaT, 0, "", "<5"]]
    [True, True, True, True, False, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes are not missing scalars
        return False


def _no_number(value: object) -> bool:
    """Missing or infinite (a percentage of a zero obligation): shown as ``–``."""
    if is_missing(value):
        return True
    try:
        return math.isinf(value)
    except TypeError:
        return False


def _rounded(value: object, decimals: int) -> Decimal:
    """``value`` as a Decimal rounded half away from zero, without a negative zero."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(number) if number == 0 else number


def _decimals_pattern(base: str, decimals: int) -> str:
    """Set the number of fraction digits in every sub-pattern of a CLDR number pattern.

    >>> _decimals_pattern("#,##0.00;-#,##0.00", 0), _decimals_pattern("#,##0%", 1)
    ('#,##0;-#,##0', '#,##0.0%')
    """
    fraction = ("." + "0" * decimals) if decimals > 0 else ""
    parts = []
    for part in base.split(";"):
        part = re.sub(r"\.[0#]+", "", part)
        last = part.rfind("0")
        parts.append(part[: last + 1] + fraction + part[last + 1 :])
    return ";".join(parts)


_EUR_PATTERN = _NL.currency_formats["standard"].pattern  # '¤\xa0#,##0.00;¤\xa0-#,##0.00'
_PCT_PATTERN = _NL.percent_formats[None].pattern  # '#,##0%'


# A page formats tens of thousands of amounts; Babel parses its locale and pattern again on every
# call. The patterns are parsed once, and a value already formatted is looked up: the text Babel
# gives for a (rounded value, pattern) never changes, so a page's bytes stay the same.
@functools.lru_cache(maxsize=None)
def _pattern(kind: str, decimals: int):
    base = {"number": "#,##0", "eur": _EUR_PATTERN, "pct": _PCT_PATTERN}[kind]
    return parse_pattern(_decimals_pattern(base, decimals))


@functools.lru_cache(maxsize=1 << 16)
def _babel_number(kind: str, rounded: Decimal, decimals: int) -> str:
    pattern = _pattern(kind, decimals)
    if kind == "eur":
        return format_currency(rounded, "EUR", format=pattern, locale=_NL, currency_digits=False)
    if kind == "pct":
        return format_percent(rounded / 100, format=pattern, locale=_NL)
    return format_decimal(rounded, format=pattern, locale=_NL)


def format_number(value: object, decimals: int = 0) -> str:
    """A number with Dutch grouping and decimal comma.

    >>> format_number(1234567.891, 2)
    '1.234.567,89'
    >>> format_number(2.5), format_number(-0.4)
    ('3', '0')
    """
    if _no_number(value):
        return NA_TEXT
    if isinstance(value, str):
        return value
    return _babel_number("number", _rounded(value, decimals), decimals)


def format_int(value: object) -> str:
    """A whole number (a count) with Dutch grouping: ``1.234``; strings such as ``'<5'`` pass.

    >>> format_int(1234), format_int(0), format_int("<5"), format_int(None)
    ('1.234', '0', '<5', '–')
    """
    return format_number(value, 0)


def format_eur(value: object, decimals: int = 0) -> str:
    """An amount in euros: ``€`` + no-break space + Dutch number (module docstring).

    >>> format_eur(1234567) == "€\\xa01.234.567"
    True
    >>> format_eur(1234.56, decimals=2).replace(NBSP, " ")
    '€ 1.234,56'
    >>> format_eur(-1234.5).replace(NBSP, " "), format_eur(float("nan"))
    ('€ -1.235', '–')
    """
    if _no_number(value):
        return NA_TEXT
    if isinstance(value, str):
        return value
    return _babel_number("eur", _rounded(value, decimals), decimals)


def format_eur_compact(value: object) -> str:
    """A short amount for chart axes and bar labels: full below a million, else ``mln.``.

    >>> [format_eur_compact(v).replace(NBSP, " ") for v in [950, 250000, 2_500_000]]
    ['€ 950', '€ 250.000', '€ 2,5 mln.']
    """
    if _no_number(value):
        return NA_TEXT
    if isinstance(value, str):
        return value
    if abs(float(value)) < 1_000_000:
        return format_eur(value)
    return format_compact_currency(_rounded(value, 0), "EUR", locale=LOCALE, fraction_digits=1)


def format_eur_mln(value: object, decimals: int = 1) -> str:
    """An amount in millions of euros, for charts whose amounts reach a million: ``€ 2,5 mln``
    (no abbreviation dot, so a sentence never ends in "mln..").

    >>> format_eur_mln(2_500_000).replace(NBSP, " "), format_eur_mln(664_249, 2).replace(NBSP, " ")
    ('€ 2,5 mln', '€ 0,66 mln')
    """
    if _no_number(value):
        return NA_TEXT
    if isinstance(value, str):
        return value
    return format_eur(float(value) / 1_000_000, decimals) + NBSP + "mln"


def format_pct(value: object, decimals: int = 1) -> str:
    """A percentage; the input is already in percent (``12.5`` → ``12,5%``).

    >>> format_pct(12.5), format_pct(100), format_pct(33.333, 0), format_pct(float("inf"))
    ('12,5%', '100,0%', '33%', '–')
    """
    if _no_number(value):
        return NA_TEXT
    if isinstance(value, str):
        return value
    return _babel_number("pct", _rounded(value, decimals), decimals)


def format_fte(value: object, decimals: int = 1) -> str:
    """Full-time equivalents as a plain Dutch number (the column header says ``fte``).

    >>> format_fte(12.25), format_fte(1234.5)
    ('12,3', '1.234,5')
    """
    return format_number(value, decimals)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):  # pd.Timestamp is a datetime
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.strip()).date()
    raise TypeError(f"not a date: {value!r}")


def format_date(value: object) -> str:
    """A date written out in Dutch: ``30 september 2021`` (Babel pattern ``d MMMM y``).

    Accepts ``date``, ``datetime``/``pd.Timestamp``, ``numpy.datetime64`` and ISO strings.

    >>> format_date(dt.date(2021, 9, 30)), format_date("2021-01-01"), format_date(pd.NaT)
    ('30 september 2021', '1 januari 2021', '–')
    """
    if is_missing(value):
        return NA_TEXT
    return _dutch_date(_as_date(value), "d MMMM y")


def format_date_short(value: object) -> str:
    """A date in a table column: ``dd-mm-jjjj`` (``11-11-2020``), as a Dutch reader writes it.

    >>> format_date_short("2020-11-11"), format_date_short(pd.NaT), format_date_short("")
    ('11-11-2020', '–', '')
    """
    if is_missing(value):
        return NA_TEXT
    if isinstance(value, str) and not value.strip():
        return ""
    return _dutch_date(_as_date(value), "dd-MM-y")


@functools.lru_cache(maxsize=1 << 14)
def _dutch_date(day: dt.date, pattern: str) -> str:
    """Babel's text for a date (a page writes the same few hundred dates thousands of times)."""
    return _babel_format_date(day, pattern, locale=LOCALE)


def format_quarter(code: object) -> str:
    """A period code ``YYYYQn`` as Dutch short quarter label ``K3 2021`` (chart axes, headers).

    >>> format_quarter("2021Q3")
    'K3 2021'
    """
    if is_missing(code):
        return NA_TEXT
    text = str(code)
    year, _, quarter = text.partition("Q")
    if not (year.isdigit() and quarter in {"1", "2", "3", "4"}):
        return text
    return f"K{quarter} {year}"


def status_label(code: object) -> str:
    """The Dutch word for a status code; an unknown code is shown as it is.

    >>> status_label("niet_voldaan"), status_label("op_schema"), status_label(None)
    ('Niet voldaan', 'Op schema', '–')
    """
    if is_missing(code):
        return NA_TEXT
    return STATUS_LABELS.get(str(code), str(code))
