"""Fuzzing the parsers with Hypothesis: no input makes them raise anything but our own error.

tests/test_parse.py already throws mixed Python values at the three value parsers and
round-trips well-formed Dutch numbers and dates; tests/test_readers.py throws random bytes and
a few tokens joined by ';' at the reader. This file goes further where real exports are
nastier:

- number and date parsers on text built from the characters those values are made of (signs,
  separators, currency, percent, odd spaces, digits), per-file groups, and cell objects at the
  edges (huge ints, inf, numpy scalars, year 1 and 9999);
- ``normalise_header`` on any text: always a comparable ``[0-9a-z_]`` name, idempotent;
- ``read_table`` on random text with a real header and a random delimiter, quotes, line breaks
  and encodings; on damaged XLSX bytes;
- one file through reading *and* typing (``ingest_file``): raw rows = clean + rejected, always.

A :class:`PipelineError` (``UnreadableFileError`` for a file) is an answer; anything else fails.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.errors import PipelineError
from pipeline.core.schema import dataset_spec
from pipeline.ingest.deliveries import FoundFile
from pipeline.ingest.mappings import normalise_header
from pipeline.ingest.parse import PROBLEMS, parse_date, parse_dutch_number
from pipeline.ingest.readers import TableSpec, UnreadableFileError, read_table
from pipeline.ingest.stage import ingest_file
from pipeline.ingest.typecast import REASONS, known_headings

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBER_CHARS = "0123456789.,-+€% \u00a0\u202f\u2212eurEUR'_"
DATE_CHARS = "0123456789-/ :T.,"
EDGE_OBJECTS = st.sampled_from(
    [
        10**30,
        -(10**30),
        float("inf"),
        float("-inf"),
        float("nan"),
        np.int64(44256),
        np.float64(44256.5),
        np.float32(1.5),
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(1900, 1, 1),
        True,
        False,
        0,
        -1,
        99_999,
        100_000,
        9_999,
        pd.Timestamp("2021-09-30"),
        "",
        " ",
        "\t",
    ]
)


def _cell_values(chars: str) -> st.SearchStrategy:
    return st.one_of(
        st.text(alphabet=chars, max_size=16),
        EDGE_OBJECTS,
        st.none(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
    )


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(st.lists(st.tuples(_cell_values(NUMBER_CHARS), st.sampled_from(["a.csv", "b.xlsx"])), max_size=40))
@FUZZ
def test_number_parser_answers_every_cell(cells):
    values = pd.Series([v for v, _ in cells], dtype=object)
    groups = pd.Series([g for _, g in cells], dtype=object)
    try:
        parsed, problems = parse_dutch_number(values, groups)
    except PipelineError:
        return
    assert len(parsed) == len(problems) == len(cells)
    assert set(problems.dropna()) <= set(PROBLEMS)
    typed = parsed.dropna()
    assert np.isfinite(typed.to_numpy()).all()  # a number is finite, or it is missing
    assert problems[parsed.notna()].isna().all()  # a typed value carries no problem


DATE_SHAPES = st.from_regex(
    r"\A(?:[0-9]{5}(?:[.,]0{1,3})?|[0-9]{1,2}[-/][0-9]{1,2}[-/][0-9]{4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})\Z"
)


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(st.lists(st.one_of(_cell_values(DATE_CHARS), DATE_SHAPES), max_size=40))
@FUZZ
def test_date_parser_answers_every_cell(cells):
    values = pd.Series(cells, dtype=object)
    try:
        parsed, problems = parse_date(values)
    except PipelineError:
        return
    assert len(parsed) == len(problems) == len(cells)
    assert set(problems.dropna()) <= set(PROBLEMS)
    typed = parsed.dropna()
    assert ((typed >= pd.Timestamp("1900-01-01")) & (typed <= pd.Timestamp("2200-12-31"))).all()
    assert (typed == typed.dt.normalize()).all()  # at midnight


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans()))
@settings(max_examples=300, deadline=None)
def test_normalise_header_gives_a_comparable_name(heading):
    name = normalise_header(heading)
    assert isinstance(name, str) and re.fullmatch(r"(?:[0-9a-z]+(?:_[0-9a-z]+)*)?", name), name
    assert normalise_header(name) == name  # idempotent
    if isinstance(heading, str) and heading.isascii():  # case and surrounding spaces do not matter
        assert normalise_header(f"  {heading.upper()}  ") == name


def _spec(dataset: str) -> TableSpec:
    spec = dataset_spec(dataset)
    required = tuple(c for c, s in spec.columns.items() if s.required_column)
    return TableSpec(known_headings(dataset, None), required, spec.key, sheet=dataset)


INZET = list(dataset_spec("inzet").columns)
CELL_TEXT = st.one_of(
    st.text(alphabet=list("aZ09 ;,\t|\"'\n\r=+-@€ëé#/.") + ["\u2028", "\x00"], max_size=12),
    st.sampled_from(["Totaal", "#N/B", "990002299", "pwet_kort", "01-06-2021", "1.234", "=1+1"]),
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]


@st.composite
def csv_exports(draw) -> bytes:
    """A CSV with the inzet header (shuffled, maybe with title rows) and random rows."""
    delimiter = draw(st.sampled_from([";", ",", "\t", "|", " "]))
    header = draw(st.permutations(INZET))[: draw(st.integers(min_value=1, max_value=len(INZET)))]
    rows = draw(st.lists(st.lists(CELL_TEXT, max_size=len(header) + 2), max_size=8))
    quote = draw(st.booleans())

    def field(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if quote else value

    titles = draw(st.lists(CELL_TEXT, max_size=2))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = line_end.join([*titles, delimiter.join(header), *(delimiter.join(map(field, r)) for r in rows)])
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(csv_exports())
@FUZZ
def test_reader_answers_every_csv(data):
    try:
        table = read_table(data, _spec("inzet"), ".csv")
    except UnreadableFileError as exc:
        assert exc.nl and exc.en
        return
    lines = table.data["bron_rij"].tolist()
    assert lines == sorted(set(lines)) and all(n >= 2 for n in lines)  # Excel rows, below the header
    assert set(table.problems["bron_rij"]) <= set(lines)


def _good_xlsx() -> bytes:
    from tests.corpus import make_xlsx

    return make_xlsx._bytes(make_xlsx._good_inzet())


GOOD_XLSX = _good_xlsx()


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(GOOD_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=6
    ),
    st.integers(min_value=4, max_value=len(GOOD_XLSX)),
)
@settings(max_examples=80, deadline=None)
def test_reader_answers_every_damaged_xlsx(flips, length):
    data = bytearray(GOOD_XLSX[:length])
    for position, value in flips:
        if position < len(data) and position >= 4:  # keep the zip signature: the XLSX path is the target
            data[position] = value
    try:
        table = read_table(bytes(data), _spec("inzet"), ".xlsx")
    except UnreadableFileError as exc:
        assert exc.nl and exc.en
        return
    assert table.data["bron_rij"].is_unique


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@given(csv_exports())
@FUZZ
def test_reading_and_typing_one_file_conserves_every_row(data):
    found = FoundFile(Path("2021Q3/bouw-x/inzet.csv"), "2021Q3/bouw-x/inzet.csv", "bouw-x", "inzet", "2021Q3")
    try:
        clean, rejected, counts, _ = ingest_file(data, found, None, b"fuzz-key")
    except UnreadableFileError:
        return
    assert (
        counts["rijen_gelezen"]
        == counts["rijen_schoon"] + counts["rijen_afgekeurd"]
        == len(clean) + rejected[["rij"]].drop_duplicates().shape[0]
    )
    assert set(rejected["regel"].astype("string").str.split(".").str[-1]) <= set(REASONS)
    assert not rejected["waarde"].astype("string").str.fullmatch(r"990002299").fillna(False).any()  # BSN masked


def test_every_encoding_the_fuzzers_use_is_one_the_reader_recognises():
    # the encodings the fuzzers use are the ones the reader is meant to recognise
    text = "regel_id;opdrachtgever;opdracht_id;bouwblok;kandidaat_bsn;startdatum;uren_per_week\n"
    for encoding in ENCODINGS:
        table = read_table(text.encode(encoding), _spec("inzet"), ".csv")
        assert len(table.data) == 0
