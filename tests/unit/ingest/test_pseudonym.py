"""Tests for pipeline/ingest/pseudonym.py: key precedence, keyed pseudonyms, the eleven-test, masking."""

from __future__ import annotations

import hashlib
import hmac
import sys
import types
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.errors import PipelineError
from pipeline.ingest import pseudonym
from pipeline.ingest.pseudonym import DEMO_KEY, load_key, mask_bsn, passes_eleven_test, pseudonymise
from tests.conftest import TEST_KEY

NA = pd.NA


@pytest.fixture
def no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SROI_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("SROI_PSEUDONYM_KEY_FILE", raising=False)


def fake_demo(monkeypatch: pytest.MonkeyPatch, pristine: bool) -> list[Path]:
    """Stand-in for pipeline.ingest.pristine.is_pristine_demo (written elsewhere); records its calls."""
    calls: list[Path] = []
    module = types.ModuleType("pipeline.ingest.pristine")

    def is_pristine_demo(raw_dir: Path) -> bool:
        calls.append(raw_dir)
        return pristine

    module.is_pristine_demo = is_pristine_demo  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pipeline.ingest.pristine", module)
    return calls


def test_key_from_environment_wins(no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text("uit-bestand-" + TEST_KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", "uit-omgeving-" + TEST_KEY)
    monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(key_file))
    assert load_key(tmp_path) == ("uit-omgeving-" + TEST_KEY).encode()


def test_key_file_loses_only_its_trailing_newline(
    no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a key file is raw bytes: leading spaces are part of the key, only the editor's newline is not
    key_file = tmp_path / "key.txt"
    key_file.write_text("  uit-bestand-" + TEST_KEY + "\n", encoding="utf-8")
    monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(key_file))
    assert load_key(tmp_path) == ("  uit-bestand-" + TEST_KEY).encode()


@pytest.mark.parametrize("content", [pytest.param(None, id="missing_file"), pytest.param("  \n", id="empty_file")])
def test_bad_key_file_stops(
    no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: str | None
) -> None:
    key_file = tmp_path / "key.txt"
    if content is not None:
        key_file.write_text(content, encoding="utf-8")
    monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(key_file))
    with pytest.raises(PipelineError, match="SROI_PSEUDONYM_KEY_FILE"):
        load_key(tmp_path)


def test_demo_key_only_for_pristine_demo(no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = fake_demo(monkeypatch, pristine=True)
    assert load_key(tmp_path) == DEMO_KEY.encode()
    assert calls == [tmp_path]


def test_no_key_on_real_data_stops_with_one_clear_line(
    no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_demo(monkeypatch, pristine=False)
    with pytest.raises(PipelineError) as info:
        load_key(tmp_path)
    line = info.value.one_line()
    assert "SROI_PSEUDONYM_KEY" in line and "\n" not in line
    assert info.value.nl and info.value.en


def test_key_value_never_appears_in_errors(no_key_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "geheim-pad" / "key.txt"  # unreadable: a missing folder
    monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(key_file))
    with pytest.raises(PipelineError) as info:
        load_key(tmp_path)
    assert "geheim-pad" not in str(info.value)


def test_pseudonym_is_hmac_sha256_of_the_nine_digit_bsn() -> None:
    key = b"test-sleutel"
    expected = hmac.new(key, b"012345672", hashlib.sha256).hexdigest()  # written from the spec
    out = pseudonymise(pd.Series(["012345672", "12345672", 12345672.0, " 0123.45.672 ", None, ""]), key)
    assert out.tolist() == [expected, expected, expected, expected, NA, NA]
    assert out.dtype == "string"


def test_pseudonym_depends_on_the_key() -> None:
    bsn = pd.Series(["111222333"])
    assert pseudonymise(bsn, b"a")[0] != pseudonymise(bsn, b"b")[0]
    assert "111222333" not in pseudonymise(bsn, b"a")[0]


@pytest.mark.parametrize(
    "bsn, expected",
    [
        # 1*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 - 3*1 = 66 = 6 x 11
        pytest.param("111222333", True, id="valid"),
        # 1*9 + 2*8 + 3*7 + 4*6 + 5*5 + 6*4 + 7*3 + 8*2 - 2 = 154 = 14 x 11
        pytest.param("123456782", True, id="valid_2"),
        pytest.param("123456789", False, id="checksum_147"),
        # 0*9 + 1*8 + 2*7 + 3*6 + 4*5 + 5*4 + 6*3 + 7*2 - 2 = 110: valid once the zero is back
        pytest.param("12345672", True, id="eight_digits_excel_dropped_zero"),
        pytest.param("1234567", False, id="seven_digits"),
        pytest.param("12345678a", False, id="letters"),
        pytest.param("000000000", False, id="all_zeros_is_not_issued"),
        pytest.param("", NA, id="empty_is_missing"),
        pytest.param(None, NA, id="none_is_missing"),
    ],
)
def test_passes_eleven_test(bsn: object, expected: object) -> None:
    assert passes_eleven_test(pd.Series([bsn], dtype=object)).tolist() == [expected]


def reference_eleven_test(digits: str) -> bool:
    """Independent reference: weights 9..2 and -1, sum divisible by 11 (and not 000000000)."""
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return sum(int(d) * w for d, w in zip(digits, weights)) % 11 == 0 and int(digits) > 0


@given(st.lists(st.text(alphabet="0123456789", min_size=9, max_size=9), min_size=1, max_size=50))
@settings(max_examples=60, deadline=None)
def test_eleven_test_accepts_exactly_the_valid_numbers(numbers: list[str]) -> None:
    assert passes_eleven_test(pd.Series(numbers)).tolist() == [reference_eleven_test(n) for n in numbers]


@pytest.mark.parametrize(
    "value, masked",
    [
        pytest.param("123456782", "******782", id="nine_digits"),
        pytest.param(12345672, "******672", id="number"),
        pytest.param(" 123 456 782 ", "******782", id="spaces"),
        pytest.param("12", "***", id="short_values_hide_everything"),
        pytest.param(None, "", id="empty"),
    ],
)
def test_mask_bsn_shows_at_most_three_digits(value: object, masked: str) -> None:
    assert mask_bsn(value) == masked
    assert sum(c.isdigit() for c in mask_bsn(value)) <= pseudonym.MASK_VISIBLE_DIGITS


def test_a_column_is_masked_as_each_of_its_values_alone():
    # mask_bsn_in_column skips distinct values with fewer than 8 ASCII digits; every value,
    # skipped or not, must come out as mask_bsn_in_text makes it. Eleven-test by hand:
    # 123456782: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-1*2 = 154 = 14*11 -> a BSN;
    # 12345672 is 012345672 without Excel's leading 0: 8*1+7*2+6*3+5*4+4*5+3*6+2*7-1*2 = 110 = 10*11
    import pandas as pd

    from pipeline.ingest.pseudonym import mask_bsn_in_column, mask_bsn_in_text

    values = [
        "123456782",
        "bsn 1234 56 782 bellen",
        "12345672",
        "01-03-2021",
        "Lasser",
        "rij 12",
        "１２３４５６７８２",  # full-width digits: no BSN
        "tel 0501234567",
        "12.34.56.782",
        None,
        "1234567",
        "x12345672",
        "OG032-2017-007",  # groups of 3, 4 and 3 digits: no 9 whole-group digits
        "A021-00001",  # 8 digits in a text: no whole cell of 8
        "1.2.3.4.5.6.7.8.2",  # 123456782 one digit at a time
        "\x1c12345672",  # whitespace to Python's strip(), as the whole-cell rule reads it
        "\u00a012345672\n",
        "rij 12\n123456782",
    ]
    column = pd.Series(values * 3, dtype="string")
    for short in (True, False):
        out, changed = mask_bsn_in_column(column, allow_short=short)
        expected = [None if v is None else mask_bsn_in_text(v, short) for v in values * 3]
        assert [None if pd.isna(v) else v for v in out] == expected
        assert changed.tolist() == [e is not None and e != v for e, v in zip(expected, values * 3)]
    assert mask_bsn_in_column(column)[0].iloc[0] == "******782"


def test_the_column_search_skips_no_value_that_holds_a_bsn():
    # mask_bsn_in_column searches only the values its Arrow pattern picks out; on 20.000 random
    # texts of digits, separators, whitespace and letters (and BSNs split every way) it must give
    # exactly what searching every value gives
    import random

    import pandas as pd

    from pipeline.ingest.pseudonym import mask_bsn_in_column, mask_bsn_in_text

    rng = random.Random(11)
    alphabet = "0123456789" * 4 + " \t.-\n\x1c\u00a0ab#/１"
    values = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(20_000)}
    for bsn in ("123456782", "12345672"):
        for k in range(1, len(bsn)):
            for sep in " .-\t":
                values |= {
                    pre + bsn[:k] + sep + bsn[k:] + post for pre in ("", "x", "1 ", "12") for post in ("", " 3", "0")
                }
    values = sorted(values)
    for short in (True, False):
        out, _ = mask_bsn_in_column(pd.Series(values, dtype="string"), allow_short=short)
        assert out.tolist() == [mask_bsn_in_text(v, short) for v in values]


def test_a_column_without_a_bsn_comes_back_as_it_was_and_ids_get_their_tag():
    # no BSN: the same values, dtype and index, nothing changed; an identifier with a BSN in it
    # (123456782, eleven-test worked out above) is masked and tagged with the first 8 hex digits
    # of HMAC-SHA256(key, "id:" + the id), so two ids stay two
    import hashlib
    import hmac

    import pandas as pd

    from pipeline.ingest.pseudonym import mask_bsn_in_column

    plain = pd.Series(["OG032-2017-007", None, "Lasser", "OG032-2017-007"], index=[5, 6, 7, 9], dtype="string")
    out, changed = mask_bsn_in_column(plain, key=b"k" * 32)
    pd.testing.assert_series_equal(out, plain, check_names=False)
    assert not changed.any() and changed.index.tolist() == [5, 6, 7, 9]

    ids = pd.Series(["A-1", "A-123456782", None, "A-123456782"], dtype="string")
    out, changed = mask_bsn_in_column(ids, key=b"k" * 32)
    tag = hmac.new(b"k" * 32, b"id:A-123456782", hashlib.sha256).hexdigest()[:8]
    assert out.tolist() == ["A-1", f"A-******782#{tag}", pd.NA, f"A-******782#{tag}"]
    assert changed.tolist() == [False, True, False, True]
