"""Vectorised parsers for the values partners type into Excel (docs/exports.md: "File formats").

Every parser takes a pandas Series of raw values (strings from a CSV, or the Python objects an
XLSX cell holds: ``str``, ``int``, ``float``, ``bool``, ``datetime``) and returns a
:class:`Parsed` pair ``(values, problems)``: the typed values (missing where empty or invalid)
and, per element, the rule id of the problem (``<NA>`` when the value is fine or empty). The
Dutch and English explanation of each rule id is in :data:`PROBLEMS`.

Values are parsed once per *distinct* value and mapped back (``pd.factorize``), so a column of
200 000 rows with a few thousand distinct values costs a few thousand parses, with regular
expressions applied to whole arrays rather than a Python loop per cell.

Two rules look at the rest of the column: an ambiguous number (``1.234``) and an ``x``/empty
yes-no column. "The column" is one column of one file; pass ``groups`` (one label per element,
e.g. the source file) to parse the columns of many files in one call.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

# Rule id -> (Dutch reason, English reason). Each reason names the expected format, because the
# person fixing the row is a partner with Excel (docs/exports.md: "explain in plain Dutch").
PROBLEMS: dict[str, tuple[str, str]] = {
    "getal_ongeldig": (
        "geen getal; verwacht bijvoorbeeld 1.234,56 of 1234.56 (eventueel met € of %)",
        "not a number; expected e.g. 1.234,56 or 1234.56 (optionally with € or %)",
    ),
    "getal_dubbelzinnig": (
        "dubbelzinnig getal: punt of komma kan hier duizendtal of decimaal zijn en de rest van de "
        "kolom geeft geen uitsluitsel; schrijf bijvoorbeeld 1234 of 1,234",
        "ambiguous number: the point or comma may be a thousands or a decimal separator and the "
        "rest of the column does not tell; write e.g. 1234 or 1,234",
    ),
    "datum_ongeldig": (
        "geen geldige datum; verwacht dd-mm-jjjj, d-m-jjjj, dd/mm/jjjj, jjjj-mm-dd of een Excel-datum",
        "not a valid date; expected dd-mm-yyyy, d-m-yyyy, dd/mm/yyyy, yyyy-mm-dd or an Excel date",
    ),
    "datum_bestaat_niet": (
        "deze datum bestaat niet (zoals 31-02); verwacht een echte datum als dd-mm-jjjj",
        "this date does not exist (like 31-02); expected a real date as dd-mm-yyyy",
    ),
    "datum_maand_eerst": (
        "maand groter dan 12: lijkt maand-eerst (mm/dd/jjjj), dat wordt nooit aangenomen; "
        "schrijf dag-eerst als dd-mm-jjjj of jjjj-mm-dd",
        "month above 12: looks month-first (mm/dd/yyyy), which is never assumed; "
        "write day-first as dd-mm-yyyy or yyyy-mm-dd",
    ),
    "datum_buiten_bereik": (
        "datum valt buiten het bereik (jaar 1900 tot en met 2200); schrijf de echte datum, of laat een "
        "einddatum leeg als er (nog) geen is",
        "date is out of range (year 1900 to 2200); write the real date, or leave an end date empty if "
        "there is none (yet)",
    ),
    "boolean_ongeldig": (
        "geen ja/nee-waarde; verwacht ja/nee, j/n, waar/onwaar, yes/no, true/false, 1/0 of x/leeg",
        "not a yes/no value; expected ja/nee, j/n, waar/onwaar, yes/no, true/false, 1/0 or x/empty",
    ),
}

# docs/exports.md: booleans `ja/nee`, `j/n`, `waar/onwaar`, `yes/no`, `true/false`, `1/0`, `x`/empty
_TRUE = ("ja", "j", "waar", "yes", "true", "1", "x")
_FALSE = ("nee", "n", "onwaar", "no", "false", "0")
_BOOLEAN_WORDS = {**{w: True for w in _TRUE}, **{w: False for w in _FALSE}}

# Excel serial day numbers: day 0 is 1899-12-30 (this absorbs Excel's phantom 29-02-1900).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Only five-digit serials (1927-05-18 .. 2173-10-14) are taken as dates: a 2021 typed into a
# date column is a year, not 13 July 1905.
_SERIAL_MIN, _SERIAL_MAX = 10_000, 99_999
_YEAR_MIN, _YEAR_MAX = 1900, 2200
# Dutch systems write "no end date" as 31-12-9999 (or 9999-12-31): pandas cannot even hold such a
# date. From this year on, an end date that may be empty is read as empty (an open end).
_OPEN_END_YEAR = 9000
OPEN_END = "datum_open_einde"  # not a problem: an informational note (see parse_date's open_end)

# ASCII classes ([0-9], no \d or \s) and no back-references keep Arrow's vectorised regex engine.
_DATE_PATTERN = (
    r"^(?:"
    # docs/exports.md: dates `dd-mm-jjjj`, `d-m-jjjj`, `dd/mm/jjjj` (day first, one separator twice)
    r"(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})-(?P<y>[0-9]{4})"
    r"|(?P<d2>[0-9]{1,2})/(?P<m2>[0-9]{1,2})/(?P<y2>[0-9]{4})"
    # docs/exports.md: dates `jjjj-mm-dd`
    r"|(?P<Y>[0-9]{4})-(?P<M>[0-9]{1,2})-(?P<D>[0-9]{1,2})"
    r")(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?)?$"  # a time part is dropped
    r"|^(?P<serial>[1-9][0-9]{4})(?:[.,]0+)?$"  # an Excel serial day number typed as text (10000-99999)
)

# Number shapes after currency, percent, sign and spaces are removed.
_INT = r"[0-9]+"
_AMBIGUOUS_DOT = r"[1-9][0-9]{0,2}[.][0-9]{3}"  # 1.234: Dutch thousands or English decimal?
_AMBIGUOUS_COMMA = r"[1-9][0-9]{0,2},[0-9]{3}"  # 1,234: Dutch decimal or English thousands?
_NL = r"(?:[1-9][0-9]{0,2}(?:[.][0-9]{3})+|[0-9]+)(?:,[0-9]+)?"  # 1.234.567,89 / 5,0 / 1.234.567
_EN = r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:[.][0-9]+)?"  # 1,234,567.89 / 1234567.89
_CURRENCY = r"(?:€|eur)"
# One pattern over the spaceless, case-folded text: sign, currency, number shape, percent.
_NUMBER_PATTERN = (
    rf"^(?P<sign>[-+])?(?P<cur>{_CURRENCY})?(?P<sign2>[-+])?"
    rf"(?:(?P<amb_dot>{_AMBIGUOUS_DOT})|(?P<amb_comma>{_AMBIGUOUS_COMMA})|(?P<int>{_INT})"
    rf"|(?P<nl>{_NL})|(?P<en>{_EN}))"
    rf"(?P<pct>%)?(?P<cur2>{_CURRENCY})?$"
)


class Parsed(NamedTuple):
    """A parsed column: typed ``values`` and per element the rule id of its ``problems``."""

    values: pd.Series
    problems: pd.Series


def parse_dutch_number(values: pd.Series, groups: pd.Series | None = None) -> Parsed:
    """Parse Dutch and plain numbers and money into ``float64``.

    Accepts ``1.234.567,89``, ``€ 1.234,50``, ``5%`` (the number 5), ``5,0``, ``1234567.89``,
    ``1,234.50`` and a leading ``-``. A value whose separator could be either thousands or
    decimal (``1.234``, ``1,234``) is decided by the rest of its column: if other values show
    which separator is the decimal one (``12,5`` or ``1.234.567`` → Dutch; ``12.5`` or
    ``1,234,567`` → plain), that reading is used; otherwise the value is rejected as
    ``getal_dubbelzinnig`` (docs/exports.md, "Numbers").

    Args:
        values: raw cell values (strings, numbers, or missing).
        groups: optional column label per element (the source file); evidence stays within it.

    Returns:
        ``Parsed(values=float64 Series, problems=rule id or <NA>)``.

    >>> v, p = parse_dutch_number(pd.Series(["1.234.567,89", "€ 1.234,50", "5%", "-5,0", ""]))
    >>> v.tolist()
    [1234567.89, 1234.5, 5.0, -5.0, nan]
    >>> parse_dutch_number(pd.Series(["1.234"])).problems.tolist()
    ['getal_dubbelzinnig']
    >>> parse_dutch_number(pd.Series(["1.234", "12,5"])).values.tolist()
    [1234.0, 12.5]
    >>> parse_dutch_number(pd.Series(["1.234", "1234567.89"])).values.tolist()
    [1.234, 1234567.89]
    >>> parse_dutch_number(pd.Series(["1.234", "12,5"]), groups=pd.Series(["a.csv", "b.csv"])).problems.tolist()
    ['getal_dubbelzinnig', <NA>]
    """
    codes, distinct = _factorize(values)
    shape_u, dutch_u, plain_u = _classify_numbers(distinct)
    # index -1 (missing) takes the appended "empty" entry
    shape = np.append(shape_u, "empty").astype(object)[codes]
    dutch, plain = np.append(dutch_u, np.nan)[codes], np.append(plain_u, np.nan)[codes]
    group = _group_codes(groups, len(values))
    # docs/exports.md: "1.234" is decided only by other evidence in the same column (of one file)
    column_dutch = (np.bincount(group, weights=shape == "nl") > 0)[group]
    column_plain = (np.bincount(group, weights=shape == "en") > 0)[group]
    ambiguous = (shape == "amb_dot") | (shape == "amb_comma")
    read_dutch = (shape == "nl") | (ambiguous & column_dutch & ~column_plain)
    read_plain = (shape == "en") | (shape == "int") | (shape == "num") | (ambiguous & column_plain & ~column_dutch)
    number = np.where(read_dutch, dutch, np.where(read_plain, plain, np.nan))
    problem = np.full(len(values), None, dtype=object)
    problem[(shape == "bad") | ((read_dutch | read_plain) & ~np.isfinite(number))] = "getal_ongeldig"
    problem[ambiguous & ~read_dutch & ~read_plain] = "getal_dubbelzinnig"
    number[problem != None] = np.nan  # noqa: E711 (elementwise)
    return Parsed(pd.Series(number, index=values.index, dtype="float64"), _problems(problem, values.index))


def _classify_numbers(distinct: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct value: its shape, its value read the Dutch way and read the plain way."""
    shape = np.full(len(distinct), "bad", dtype=object)
    dutch = np.full(len(distinct), np.nan)
    plain = np.full(len(distinct), np.nan)
    is_str = _is_str(distinct)
    for i in np.flatnonzero(~is_str):  # XLSX numeric cells: typed already
        number = _finite_float(distinct.iloc[i])
        if number is not None:
            shape[i], dutch[i], plain[i] = "num", number, number
    if not is_str.any():
        return shape, dutch, plain
    text = distinct[is_str].astype("string")
    compact = text.str.lower()
    for space in (" ", "\t", "\u00a0", "\u202f"):  # literal replaces: Arrow's fast path
        compact = compact.str.replace(space, "", regex=False)
    compact = compact.str.replace("\u2212", "-", regex=False)
    parts = compact.str.extract(_NUMBER_PATTERN)
    shapes = ["amb_dot", "amb_comma", "int", "nl", "en"]  # the pattern's order: first match wins
    hit = parts[shapes].notna().to_numpy()
    found = np.where(hit.any(axis=1), np.array(shapes, dtype=object)[hit.argmax(axis=1)], "bad")
    two_signs = parts["sign"].notna() & parts["sign2"].notna()
    money_and_pct = (parts["cur"].notna() | parts["cur2"].notna()) & parts["pct"].notna()
    found[(two_signs | money_and_pct).to_numpy()] = "bad"  # "-€-5" or "€ 5%"
    matched = parts[shapes].to_numpy(dtype=object, na_value=None)[np.arange(len(parts)), hit.argmax(axis=1)]
    digits = pd.Series(matched, index=parts.index, dtype="string")
    negative = (parts["sign"].eq("-") | parts["sign2"].eq("-")).fillna(False)
    sign = np.where(negative.to_numpy(dtype=bool), -1.0, 1.0)
    as_dutch = digits.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    as_plain = digits.str.replace(",", "", regex=False)
    shape[is_str] = found
    dutch[is_str] = sign * _to_float(as_dutch)
    plain[is_str] = sign * _to_float(as_plain)
    return shape, dutch, plain


def parse_date(values: pd.Series, open_end: bool = False) -> Parsed:
    """Parse day-first dates, ISO dates, Excel dates and Excel serial numbers.

    Accepts ``dd-mm-jjjj``, ``d-m-jjjj``, ``dd/mm/jjjj``, ``jjjj-mm-dd`` (a time part is allowed
    and dropped), ``datetime``/``date`` objects from XLSX cells and five-digit Excel serial
    numbers. Month-first (``02/13/2021``) is never assumed, and dates that do not exist
    (``31-02-2021``) are rejected.

    A well-formed date with a year outside 1900-2200 is ``datum_buiten_bereik`` (not "no valid
    date": it is in the right format). With ``open_end`` (an optional end date, docs/exports.md:
    "empty = still running"), a year from 9000 on (``31-12-9999``) is read as empty and marked
    :data:`OPEN_END`, which the caller reports as a note, not a rejection.

    Args:
        values: raw cell values.
        open_end: the column is an optional end date.

    Returns:
        ``Parsed(values=datetime64[ns] at midnight, problems=rule id or <NA>)``.

    >>> v, p = parse_date(pd.Series(["01-03-2021", "1-3-2021", "01/03/2021", "2021-03-01", "44256"]))
    >>> sorted(set(v.dt.strftime("%Y-%m-%d")))
    ['2021-03-01']
    >>> parse_date(pd.Series(["02/13/2021", "31-02-2021", "2021/13/02"])).problems.tolist()
    ['datum_maand_eerst', 'datum_bestaat_niet', 'datum_ongeldig']
    >>> parse_date(pd.Series(["31-12-9999"])).problems.tolist(), parse_date(pd.Series(["31-12-9999"]), True).problems.tolist()
    (['datum_buiten_bereik'], ['datum_open_einde'])
    """
    codes, distinct = _factorize(values)
    dates_u, problem_u = _parse_dates_unique(distinct, open_end)
    dates = np.append(dates_u, np.datetime64("NaT")).astype("datetime64[ns]")[codes]
    problem = np.append(problem_u, None).astype(object)[codes]
    return Parsed(pd.Series(dates, index=values.index), _problems(problem, values.index))


def _parse_dates_unique(distinct: pd.Series, open_end: bool = False) -> tuple[np.ndarray, np.ndarray]:
    result = np.full(len(distinct), np.datetime64("NaT"), dtype="datetime64[ns]")
    problem = np.full(len(distinct), None, dtype=object)
    is_str = _is_str(distinct)
    for i in np.flatnonzero(~is_str):  # XLSX cells: a few distinct Python objects
        result[i], problem[i] = _parse_date_object(distinct.iloc[i], open_end)
    if not is_str.any():
        return result, problem
    # One pass of one pattern over the distinct strings: day-first, ISO, or an Excel serial.
    parts = distinct[is_str].astype("string").str.extract(_DATE_PATTERN)
    number = {c: _to_float(parts[c]) for c in parts.columns}
    day, month, year = (
        np.fmax(np.fmax(number[a], number[b]), number[c])  # the one that matched
        for a, b, c in (("d", "d2", "D"), ("m", "m2", "M"), ("y", "y2", "Y"))
    )
    matched = ~np.isnan(year)
    with np.errstate(invalid="ignore"):
        in_range = matched & (year >= _YEAR_MIN) & (year <= _YEAR_MAX) & (month >= 1) & (month <= 12) & (day >= 1)
        # docs/exports.md: never month-first; say so when the "month" can only be a day
        month_first = matched & (month > 12) & (month <= 31) & (day >= 1) & (day <= 12)
        # right format, real day and month, but a year pandas cannot hold or nobody means
        out_of_range = (
            matched
            & ~((year >= _YEAR_MIN) & (year <= _YEAR_MAX))
            & (month >= 1)
            & (month <= 12)
            & (day >= 1)
            & (day <= 31)
        )
    ym = np.where(in_range, (year - 1970) * 12 + month - 1, 0).astype("int64").astype("datetime64[M]")
    dates = ym.astype("datetime64[D]") + np.where(in_range, day - 1, 0).astype("int64")
    exists = in_range & (dates.astype("datetime64[M]") == ym)  # 31-02 rolls into March: no such day
    serial = number["serial"]
    serial_days = np.where(np.isnan(serial), 0, serial).astype("int64")
    dates = np.where(exists, dates, _EXCEL_EPOCH.to_datetime64().astype("datetime64[D]") + serial_days)
    valid = exists | ~np.isnan(serial)
    text_problem = np.where(valid, None, "datum_ongeldig").astype(object)
    text_problem[in_range & ~exists] = "datum_bestaat_niet"
    text_problem[month_first] = "datum_maand_eerst"
    text_problem[out_of_range] = "datum_buiten_bereik"
    if open_end:
        text_problem[out_of_range & (year >= _OPEN_END_YEAR)] = OPEN_END
    result[is_str] = np.where(valid, dates, np.datetime64("NaT")).astype("datetime64[ns]")
    problem[is_str] = text_problem
    return result, problem


def _parse_date_object(value: object, open_end: bool = False) -> tuple[np.datetime64, str | None]:
    """An XLSX cell that is not text: a date cell, or a number taken as an Excel serial."""
    if isinstance(value, (dt.datetime, dt.date)):  # Excel date cell (pd.Timestamp included)
        if _YEAR_MIN <= value.year <= _YEAR_MAX:
            return np.datetime64(dt.date(value.year, value.month, value.day), "ns"), None
        return np.datetime64("NaT"), OPEN_END if open_end and value.year >= _OPEN_END_YEAR else "datum_buiten_bereik"
    serial = _finite_float(value)
    if serial is not None and _SERIAL_MIN <= serial < _SERIAL_MAX + 1:  # Excel serial day number
        return (_EXCEL_EPOCH + pd.Timedelta(days=int(serial))).to_datetime64(), None
    return np.datetime64("NaT"), "datum_ongeldig"


def parse_boolean(values: pd.Series, groups: pd.Series | None = None) -> Parsed:
    """Parse yes/no values into pandas ``boolean`` (``<NA>`` when empty).

    Accepts ``ja/nee``, ``j/n``, ``waar/onwaar``, ``yes/no``, ``true/false``, ``1/0``, Excel
    ``TRUE``/``FALSE`` cells, in any case. In a column (of one file, see ``groups``) that marks
    yes with ``x`` and nothing else, an empty cell means no (docs/exports.md: "`x`/empty").

    >>> parse_boolean(pd.Series(["Ja", "nee", "J", "onwaar", "TRUE", "0", None])).values.tolist()
    [True, False, True, False, True, False, <NA>]
    >>> parse_boolean(pd.Series(["x", "", "X"])).values.tolist()
    [True, False, True]
    >>> parse_boolean(pd.Series(["misschien"])).problems.tolist()
    ['boolean_ongeldig']
    """
    codes, distinct = _factorize(values)
    words = [_boolean_word(v) for v in distinct]  # once per distinct value
    meaning = np.array([_BOOLEAN_WORDS.get(w) if w is not None else None for w in words] + [None], dtype=object)
    is_x = np.array([w == "x" for w in words] + [False], dtype=bool)
    value = meaning[codes]
    present = codes >= 0
    problem = np.full(len(values), None, dtype=object)
    problem[present & (value == None)] = "boolean_ongeldig"  # noqa: E711 (elementwise)
    group = _group_codes(groups, len(values))
    filled = np.bincount(group, weights=present)
    marked = np.bincount(group, weights=is_x[codes])
    x_column = ((filled > 0) & (filled == marked))[group]
    value[~present & x_column] = False  # an x-column: an empty cell means "nee"
    return Parsed(pd.Series(value, index=values.index, dtype="boolean"), _problems(problem, values.index))


def _boolean_word(value: object) -> str | None:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return str(int(value))
    if isinstance(value, str):
        return value.strip().casefold()
    return None


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes per element and the distinct values (strings stripped); blank strings count as missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    is_str = _is_str(distinct)
    if is_str.any():
        stripped = distinct[is_str].map(str.strip)
        distinct[is_str] = stripped
        blank = stripped.index[stripped == ""].to_numpy()
        if len(blank):
            codes = np.where(np.isin(codes, blank), -1, codes)
    return np.asarray(codes, dtype="int64"), distinct


def _group_codes(groups: pd.Series | None, n: int) -> np.ndarray:
    if groups is None:
        return np.zeros(n, dtype="int64")
    codes, _ = pd.factorize(groups, use_na_sentinel=False)
    return np.asarray(codes, dtype="int64")


def _problems(problem: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(problem, index=index, dtype=object).astype("string")


def _is_str(distinct: pd.Series) -> np.ndarray:
    return np.fromiter((isinstance(v, str) for v in distinct), dtype=bool, count=len(distinct))


def _to_float(text: pd.Series) -> np.ndarray:
    """Digit strings (``<NA>`` allowed) as float64; anything unparsable becomes NaN."""
    plain = text.astype(object).where(text.notna(), None)
    return pd.to_numeric(plain, errors="coerce").astype("float64").to_numpy()


def _finite_float(value: object) -> float | None:
    """A numeric XLSX cell as a finite float; ``None`` for booleans, non-numbers, inf and overflow."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if np.isfinite(number) else None
