"""Privacy leaks from the security review: a BSN in another column (A) and key handling (C).

docs/domain.md, "Privacy and disclosure": no BSN is written to data/clean/, reports/ or any log; the key
comes from the environment or a key file, and only the pristine demo data may use the demo key.

The BSNs below are made up and checked by hand with the eleven-test
(sum of digit × weight 9,8,7,6,5,4,3,2,-1 must be a multiple of 11):

- 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6 × 11            -> valid
- 123456782: 9+16+21+24+25+24+21+16-2 = 154 = 14 × 11    -> valid
- 012345672 (8-digit form 12345672, Excel dropped the 0):
  0+8+14+18+20+20+18+14-2 = 110 = 10 × 11                  -> valid
- 123456789: 9+16+21+24+25+24+21+16-9 = 147 = 13 × 11 + 4 -> not a BSN
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import types
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.errors import PipelineError
from pipeline.ingest import pseudonym
from pipeline.ingest.pseudonym import DEMO_KEY, load_key
from pipeline.ingest.stage import run_ingest
from pipeline.orchestrate import history as trend_data
from pipeline.orchestrate import provenance
from pipeline.validate.stage import REJECTION_COLUMNS, run_validation, sort_lines, suite_parameters, validate_table
from tests.conftest import TEST_KEY

PARTNERS = "partner_id;naam;rol;kvk\nopleider-c;Opleider C;opleider;\nbouw-n;Bouw N;opdrachtnemer;12345672\n"
# Excel rows: header = 1, so T-1 is row 2 ... T-5 is row 6
TRAJECTEN = (
    "traject_id;bsn;woongemeente;doelgroep;sector;aanmelddatum;status;plaatsing_werkgever_kvk\n"
    "T-1;111222333;111222333;ww;bouw;01-01-2021;aangemeld;12345672\n"  # BSN as the municipality
    "T-2;111222333;Haren;ww;bouw;01-01-2021;aangemeld;111222333\n"  # BSN as the employer's KvK
    "T-3;123456782;123 456 782;ww;bouw;01-01-2021;aangemeld;\n"  # with spaces
    "T-4;123456782;12345672;ww;bouw;01-01-2021;aangemeld;\n"  # 8-digit Excel form
    "T-5;123456782;Zuidhorn;ww;bouw;111.222.333;aangemeld;\n"  # BSN in a date column
)
LEAKED = ["111222333", "123456782", "123 456 782", "111.222.333"]


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SROI_PSEUDONYM_KEY_FILE", raising=False)


def make_raw(root: Path) -> Path:
    raw = root / "raw"
    (raw / "2021Q3" / "opleider-c").mkdir(parents=True)
    (raw / "partners.csv").write_text(PARTNERS, encoding="utf-8")
    (raw / "2021Q3" / "opleider-c" / "trajecten.csv").write_text(TRAJECTEN, encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ingest and validate the tiny period once; returns data/clean/2021Q3."""
    root = tmp_path_factory.mktemp("leaks")
    raw = make_raw(root)
    clean = root / "clean" / "2021Q3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SROI_PSEUDONYM_KEY", TEST_KEY)
        run_ingest("2021Q3", raw, clean / "_ingest")
        run_validation("2021Q3", clean / "_ingest", clean)
    return clean


# ------------------------------------------------------------------ A: a BSN in another column


@pytest.mark.parametrize(
    ("text", "allow_short", "expected"),
    [
        pytest.param("111222333", True, "******333", id="whole_cell"),
        pytest.param("woont 123 456 782", True, "woont ******782", id="in_text_with_spaces"),
        pytest.param("1234.56.782", True, "******782", id="with_dots"),
        pytest.param("12345672", True, "******672", id="eight_digits_excel_form"),
        pytest.param("12345672", False, "12345672", id="kvk_eight_digits_kept"),
        pytest.param("111222333", False, "******333", id="kvk_column_nine_digits_masked"),
        pytest.param("123456789", True, "123456789", id="fails_eleven_test_kept"),
        pytest.param("050-1234567 bellen", True, "050-1234567 bellen", id="phone_ten_digits_kept"),
        pytest.param("rij 12 123456782", True, "rij 12 ******782", id="preceded_by_other_number"),
    ],
)
def test_a_bsn_anywhere_in_a_text_is_masked(text: str, allow_short: bool, expected: str) -> None:
    assert pseudonym.mask_bsn_in_text(text, allow_short) == expected


def test_ingest_masks_a_bsn_typed_into_a_text_column(built: Path) -> None:
    t = pd.read_parquet(built / "_ingest" / "trajecten.parquet").set_index("traject_id")
    # T-5 is rejected at ingest (111.222.333 is no date), so four rows are left
    assert t["woongemeente"].tolist() == ["******333", "Haren", "******782", "******672"]
    # a KvK number has 8 digits: 12345672 is a legitimate KvK and stays; a 9-digit BSN is masked
    assert t.loc["T-1", "plaatsing_werkgever_kvk"] == "12345672"
    assert t.loc["T-2", "plaatsing_werkgever_kvk"] == "******333"


def test_the_partner_gets_a_finding_for_each_masked_cell(built: Path) -> None:
    lines = pd.read_csv(built / "bevindingen.csv", dtype=str, keep_default_na=False)
    masked = lines[lines["regel"].str.endswith(".bsn_gemaskeerd")]
    got = sorted(zip(masked["rij"], masked["kolom"], masked["waarde"]))
    # T-1 row 2 woongemeente; T-2 row 3 KvK; T-3 row 4 and T-4 row 5 woongemeente
    assert got == [
        ("2", "woongemeente", "******333"),
        ("3", "plaatsing_werkgever_kvk", "******333"),
        ("4", "woongemeente", "******782"),
        ("5", "woongemeente", "******672"),
    ]
    first = masked[masked["rij"] == "2"].iloc[0]
    assert first["reden_nl"] == (
        "BSN in kolom woongemeente aangetroffen en gemaskeerd; een BSN hoort alleen in kandidaat_bsn"
    )
    assert first["reason_en"].startswith("BSN found in column woongemeente and masked")
    assert set(masked["severity"]) == {"warning"}


def test_rejected_values_mask_a_bsn_in_any_column(built: Path) -> None:
    a = pd.read_csv(built / "afgekeurd.csv", dtype=str, keep_default_na=False)
    # T-5 (row 6): 111.222.333 is no date, so the row is rejected; the value shown is masked
    assert a.loc[(a["rij"] == "6") & (a["kolom"] == "aanmelddatum"), "waarde"].tolist() == ["******333"]
    # T-2 (row 3): the KvK rule rejects the masked value, never the BSN
    kvk = a.loc[(a["rij"] == "3") & (a["kolom"] == "plaatsing_werkgever_kvk"), "waarde"].tolist()
    assert kvk and set(kvk) == {"******333"}


def test_no_bsn_left_in_any_clean_file(built: Path) -> None:
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".json", ".parquet"):
            data = path.read_bytes() if path.suffix != ".parquet" else pd.read_parquet(path).to_csv().encode()
            for bsn in LEAKED:
                assert bsn.encode() not in data, (path.name, bsn)


def test_validation_masks_a_bsn_typed_into_a_number_column() -> None:
    # uren_per_week 111222333 breaks the 0 < uren <= 60 rule: the rejection must not show the BSN
    inzet = pd.DataFrame(
        {
            "regel_id": ["R-1"],
            "opdrachtgever": ["gemeente-a"],
            "opdracht_id": ["A-1"],
            "bouwblok": ["bbl"],
            "kandidaat_id": ["x" * 64],
            "kandidaat_bsn_elfproef": pd.array([True], dtype="boolean"),
            "startdatum": pd.to_datetime(["2021-01-01"]),
            "einddatum": pd.to_datetime([None]),
            "uren_per_week": [111222333.0],
            "vijftig_plus": pd.array([False], dtype="boolean"),
            "bedrag": [float("nan")],
            "omschrijving": pd.array([None], dtype="string"),
            "partner_id": ["bouw-n"],
            "bron_bestand": ["2021Q3/bouw-n/inzet.csv"],
            "bron_rij": [2],
            "levering_periode": ["2021Q3"],
        }
    )
    checked = validate_table("inzet", inzet, suite_parameters(pd.Timestamp("2021-09-30").date()))
    shown = checked.rejections.loc[checked.rejections["kolom"] == "uren_per_week", "waarde"].tolist()
    assert shown and set(shown) == {"******333"}


def test_every_written_line_is_masked_whatever_made_it() -> None:
    # findings.py and ingest lines meet in sort_lines before afgekeurd/bevindingen.csv are written
    lines = pd.DataFrame(
        [
            {
                "partner_id": "p",
                "dataset": "opdrachten",
                "bestand": "f",
                "rij": 2,
                "kolom": "opdracht_id",
                "waarde": "contract 1112.22.333",
                "regel": "r",
                "reden_nl": "",
                "reason_en": "",
            }
        ]
    )
    assert sort_lines(lines, REJECTION_COLUMNS)["waarde"].tolist() == ["contract ******333"]


# ------------------------------------------------------------------ C: key handling


def fake_demo(monkeypatch: pytest.MonkeyPatch, pristine: bool) -> None:
    module = types.ModuleType("pipeline.ingest.pristine")
    module.is_pristine_demo = lambda raw_dir: pristine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pipeline.ingest.pristine", module)


# what `head -c 32 /dev/urandom` gives: bytes that are no UTF-8 (0xff, 0xfe never occur in UTF-8)
RANDOM_KEY = bytes([0xFF, 0xFE, 0x00, 0x80]) + bytes(range(100, 128))


def test_a_random_bytes_key_file_is_read_as_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SROI_PSEUDONYM_KEY")
    key_file = tmp_path / "key"
    key_file.write_bytes(RANDOM_KEY)
    monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(key_file))
    assert load_key(tmp_path) == RANDOM_KEY
    key_file.write_bytes(RANDOM_KEY + b"\n")  # a trailing newline (echo, an editor) is not part of it
    assert load_key(tmp_path) == RANDOM_KEY


@pytest.mark.parametrize("source", ["env", "file"])
def test_the_demo_key_is_refused_on_other_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str) -> None:
    fake_demo(monkeypatch, pristine=False)
    if source == "env":
        monkeypatch.setenv("SROI_PSEUDONYM_KEY", DEMO_KEY)
    else:
        monkeypatch.delenv("SROI_PSEUDONYM_KEY")
        (tmp_path / "key").write_text(DEMO_KEY + "\n", encoding="utf-8")
        monkeypatch.setenv("SROI_PSEUDONYM_KEY_FILE", str(tmp_path / "key"))
    with pytest.raises(PipelineError, match="demosleutel") as info:
        load_key(tmp_path)
    assert DEMO_KEY not in str(info.value)


def test_the_demo_key_set_explicitly_stays_allowed_on_the_pristine_demo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_demo(monkeypatch, pristine=True)
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", DEMO_KEY)
    assert load_key(tmp_path) == DEMO_KEY.encode()


@pytest.mark.parametrize(
    ("length", "accepted"),
    [
        pytest.param(1, False, id="one_character"),
        pytest.param(31, False, id="one_short"),
        pytest.param(32, True, id="exactly_32_bytes"),
    ],
)
def test_a_key_needs_32_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, length: int, accepted: bool) -> None:
    fake_demo(monkeypatch, pristine=False)
    key = "q" * length
    monkeypatch.setenv("SROI_PSEUDONYM_KEY", key)
    if accepted:
        assert load_key(tmp_path) == key.encode()
        return
    with pytest.raises(PipelineError, match="32 bytes") as info:
        load_key(tmp_path)
    # nothing of the key in the message, and no chained exception that could carry it
    assert key not in str(info.value).replace("sleutelbestand", "")
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_the_key_check_is_a_keyed_value_never_the_key_or_its_hash() -> None:
    key = RANDOM_KEY
    expected = hmac.new(key, b"sroi-sleutelcontrole-v1", hashlib.sha256).hexdigest()  # from the brief
    assert pseudonym.key_check(key) == expected
    assert pseudonym.key_check(key) != hashlib.sha256(key).hexdigest() and key.hex() not in pseudonym.key_check(key)
    assert pseudonym.key_check(key) != pseudonym.key_check(key[:-1] + b"x")


def test_the_clean_folder_carries_the_key_check(built: Path) -> None:
    for folder in (built, built / "_ingest"):
        stored = json.loads((folder / "sleutel.json").read_text(encoding="utf-8"))
        assert stored == {"sleutelcontrole": pseudonym.key_check(TEST_KEY.encode())}
    assert TEST_KEY not in (built / "sleutel.json").read_text(encoding="utf-8")


def _history(clean_root: Path, period: str, key: bytes | None) -> None:
    folder = clean_root / period
    folder.mkdir(parents=True)
    (folder / "partners.parquet").write_bytes(b"")
    if key is not None:
        provenance.write_key_check(folder, pseudonym.key_check(key))


@pytest.mark.parametrize(
    ("history_key", "refused"),
    [
        pytest.param(TEST_KEY.encode(), False, id="same_key"),
        pytest.param(b"een-andere-sleutel-van-32-bytes!!", True, id="changed_key"),
        pytest.param(None, True, id="no_check_value_older_build"),
    ],
)
def test_a_changed_key_is_refused_before_history_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, history_key: bytes | None, refused: bool
) -> None:
    fake_demo(monkeypatch, pristine=False)
    raw = make_raw(tmp_path)
    (raw / "2021Q2" / "opleider-c").mkdir(parents=True)
    monkeypatch.setenv("SROI_RAW_DIR", str(raw))
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    _history(tmp_path / "clean", "2021Q2", history_key)
    if not refused:
        assert trend_data.ensure_history("2021Q3") == []  # 2021Q2 is built: nothing to do
        return
    with pytest.raises(PipelineError) as info:
        trend_data.ensure_history("2021Q3")
    line = info.value.one_line()
    assert "2021Q2" in line and "make clean" in line and "eerdere sleutel" in line and "\n" not in line
    # the previous-delivery comparison (02_validate) reads 2021Q2's ingest folder: refused too
    (tmp_path / "clean" / "2021Q2" / "_ingest").mkdir()
    (tmp_path / "clean" / "2021Q2" / "_ingest" / "partners.parquet").write_bytes(b"")
    with pytest.raises(PipelineError, match="make clean"):
        trend_data.previous_ingest_dir("2021Q3")


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_the_run_stops_in_one_line_when_history_has_another_key(tmp_path: Path) -> None:
    # an earlier quarter, current in code and inputs (so it is kept, not rebuilt), made with key A;
    # the run uses TEST_KEY: it must stop before building anything, naming the way out
    from tests.conftest import run_report

    raw = make_raw(tmp_path)
    (raw / "2021Q2" / "opleider-c").mkdir(parents=True)
    (raw / "2021Q2" / "opleider-c" / "trajecten.csv").write_text(TRAJECTEN, encoding="utf-8")
    out = tmp_path / "out"
    earlier = out / "clean" / "2021Q2"
    earlier.mkdir(parents=True)
    (earlier / "partners.parquet").write_bytes(b"")
    provenance.write_stamp(earlier, provenance.stamp("2021Q2", raw, provenance.sources_fingerprint()))
    provenance.write_key_check(earlier, pseudonym.key_check(b"sleutel-a-" + b"a" * 32))
    proc = run_report("2021Q3", raw, out, {"SROI_PSEUDONYM_KEY": TEST_KEY})
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode != 0 and len(lines) == 1, proc.stdout + proc.stderr
    assert "andere pseudonimiseringssleutel" in lines[0] and "make clean" in lines[0]
    assert TEST_KEY not in proc.stdout + proc.stderr
    assert not (out / "clean" / "2021Q3").exists() and not (out / "reports" / "2021Q3").exists()
