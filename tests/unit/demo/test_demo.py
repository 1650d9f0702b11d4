"""The synthetic demo exports (pipeline/demo/generate.py): reproducible, fake, and exactly as documented.

The first test is also the guard that no real partner data is ever committed: every file under
data/raw must be part of the regenerated demo set, byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml
from stdnum.nl import bsn as bsn_check

from pipeline.core.paths import CONFIG_DIR, DEMO_RAW_DIR, ROOT
from pipeline.core.periods import parse_period
from pipeline.demo import generate as demo
from pipeline.demo.snapshots import Snapshotter
from pipeline.demo.world import build_world

FAKE_BSN = re.compile(r"99\d{7}")  # pipeline/demo/generate.py: every demo BSN starts with 99
ROLES = {"opdrachtgever", "opdrachtnemer", "opleider", "werkplein", "sw-bedrijf"}
DELIVERS = {
    "opdrachtgever": {"opdrachten", "aanbestedingskalender"},
    "opdrachtnemer": {"inzet"},
    "opleider": {"trajecten"},
    "werkplein": {"trajecten"},
    "sw-bedrijf": {"trajecten"},
}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _normalise(text: object) -> str:
    """Heading in comparable form (docs/exports.md: case, spaces, hyphens do not matter)."""
    return re.sub(r"[^0-9a-z]+", "_", str(text or "").casefold()).strip("_")


def _read_table(path: Path) -> tuple[list[str], dict[int, list[object]]]:
    """Headings and data rows by Excel row number (CSV: one row per record)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        numbered = list(enumerate(book.worksheets[-1].iter_rows(values_only=True), start=1))
        book.close()
    else:
        raw = path.read_bytes()
        if raw.startswith(codecs.BOM_UTF8):
            text = raw[3:].decode("utf-8")
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
        first = text.split("\n", 1)[0]
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(";\t,", key=first.count))
        numbered = list(enumerate(reader, start=1))  # Excel: one row per record, blank lines too
    # the header is the first row with several filled cells (title rows have one)
    h = next(i for i, (_, row) in enumerate(numbered) if sum(1 for c in row if c not in (None, "")) >= 3)
    headings = [str(c).strip() if c is not None else "" for c in numbered[h][1]]
    return headings, {n: list(row) for n, row in numbered[h + 1 :]}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    raw = tmp_path_factory.mktemp("demo") / "raw"
    return raw, demo.generate(raw, scale=1)


@pytest.fixture(scope="module")
def tables() -> dict[str, tuple[list[str], dict[int, list[object]]]]:
    """Every committed delivery file, read once."""
    return {
        p.relative_to(DEMO_RAW_DIR).as_posix(): _read_table(p)
        for p in sorted(DEMO_RAW_DIR.glob("*/*/*"))
        if p.suffix in (".csv", ".xlsx")
    }


def test_regenerated_demo_equals_committed_data_raw(regenerated):
    # the guard against committing real partner data: nothing under data/raw but the demo set
    raw, _ = regenerated
    fresh, committed = _files(raw), _files(DEMO_RAW_DIR)
    assert sorted(set(committed) - set(fresh)) == [], "files in data/raw that the generator does not make"
    assert sorted(set(fresh) - set(committed)) == [], "demo files missing: run python -m pipeline.demo"
    changed = [rel for rel in sorted(fresh) if fresh[rel] != committed[rel]]
    assert changed == [], "data/raw differs from the generator's output"


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_generation_is_byte_identical_in_another_process(regenerated, tmp_path):
    # another process with another hash seed: no dependence on set/dict order or the clock
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, "-m", "pipeline.demo", "--raw-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    assert _files(tmp_path) == _files(regenerated[0])


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_regeneration_replaces_only_its_own_files(regenerated, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(regenerated[0], raw)
    (raw / "lees_mij.txt").write_text("van de analist", encoding="utf-8")
    stale = raw / "2018Q4" / "gemeente-groningen" / "opdrachten_2018Q4.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("oud", encoding="utf-8")
    manifest = json.loads((raw / demo.MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["2018Q4/gemeente-groningen/opdrachten_2018Q4.csv"] = "0" * 64  # made by an older version
    (raw / demo.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    demo.generate(raw, scale=1)
    assert (raw / "lees_mij.txt").read_text(encoding="utf-8") == "van de analist"
    assert not stale.exists() and not stale.parent.parent.exists()
    assert {k: v for k, v in _files(raw).items() if k != "lees_mij.txt"} == _files(regenerated[0])


def test_planted_problems_are_documented_exactly(regenerated):
    assert regenerated[1] == demo.PLANTED_PROBLEMS
    assert Counter(p["severity"] for p in demo.PLANTED_PROBLEMS) == {"reject": 10, "finding": 3, "warning": 1}


@pytest.mark.parametrize("problem", demo.PLANTED_PROBLEMS, ids=lambda p: f"{p['rule']}-{p['partner_id']}")
def test_planted_value_sits_at_the_documented_row(problem, tables):
    headings, rows = tables[problem["file"]]
    cell = rows[problem["row"]][headings.index(problem["header"])]
    if isinstance(cell, dt.datetime):
        cell = cell.date().isoformat()
    elif isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    assert str(cell if cell is not None else "").strip() == problem["value"]
    if "duplicate_of_row" in problem:
        assert rows[problem["duplicate_of_row"]] == rows[problem["row"]]


def _bsn_values(tables) -> list[tuple[str, int, str]]:
    found = []
    for rel, (headings, rows) in tables.items():
        for i, heading in enumerate(headings):
            if "bsn" in _normalise(heading):
                found += [
                    (rel, n, str(row[i]).strip())
                    for n, row in rows.items()
                    if i < len(row) and row[i] not in (None, "")
                ]
    return found


def test_every_bsn_is_fake_and_passes_the_eleven_test(tables):
    planted = {(p["file"], p["row"]) for p in demo.PLANTED_PROBLEMS if p["rule"] == "bsn_elfproef"}
    values = _bsn_values(tables)
    assert len({v for _, _, v in values}) > 2000
    for rel, row, value in values:
        assert FAKE_BSN.fullmatch(value), (rel, row)
        assert bsn_check.is_valid(value) == ((rel, row) not in planted), (rel, row)


def test_no_names_or_birth_dates(tables):
    for rel, (headings, _) in tables.items():
        for heading in map(_normalise, headings):
            assert not re.search(r"naam_kandidaat|voornaam|achternaam|geboorte", heading), (rel, heading)


def test_partners_csv_follows_the_standard():
    with open(DEMO_RAW_DIR / "partners.csv", encoding="utf-8", newline="") as handle:
        partners = list(csv.DictReader(handle))
    assert list(partners[0]) == ["partner_id", "naam", "rol", "kvk"]
    ids = [p["partner_id"] for p in partners]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    assert all(p["naam"].strip() and p["rol"] in ROLES for p in partners)
    assert all(re.fullmatch(r"\d{8}", p["kvk"]) for p in partners if p["kvk"] or p["rol"] == "opdrachtnemer")
    contractors = [p["kvk"] for p in partners if p["rol"] == "opdrachtnemer"]
    assert len(contractors) == len(set(contractors))
    assert Counter(p["rol"] for p in partners) == {
        "opdrachtgever": 6,
        "opdrachtnemer": 20,
        "opleider": 2,
        "werkplein": 2,
        "sw-bedrijf": 1,
    }
    roles = {p["partner_id"]: p["rol"] for p in partners}
    for path in sorted(DEMO_RAW_DIR.glob("*/*/*")):
        assert path.parent.name in roles, path
        assert path.name.split("_")[0] in DELIVERS[roles[path.parent.name]], path


def test_late_partners_skip_2021q3_only():
    for partner in demo.LATE_PARTNERS:
        assert not (DEMO_RAW_DIR / "2021Q3" / partner).exists()
        for period in ("2021Q2", "2021Q4"):
            assert any((DEMO_RAW_DIR / period / partner).iterdir()), (period, partner)


def test_mapped_partner_uses_its_own_headings_and_codes(tables):
    mapping = yaml.safe_load((CONFIG_DIR / "mappings" / f"{demo.MAPPED_PARTNER}.yaml").read_text(encoding="utf-8"))
    spec = mapping["datasets"]["inzet"]
    headings, rows = tables[f"2021Q3/{demo.MAPPED_PARTNER}/inzet_2021Q3.xlsx"]
    assert headings == list(spec["columns"])
    codes = {row[headings.index("Type inzet")] for row in rows.values()}
    assert {"BBL-plek", "WEP"} <= codes <= set(spec["values"]["bouwblok"])


def test_headings_are_known_to_the_standard(tables):
    standard = yaml.safe_load((CONFIG_DIR / "datasets.yaml").read_text(encoding="utf-8"))["datasets"]
    for rel, (headings, _) in tables.items():
        if f"/{demo.MAPPED_PARTNER}/" in rel:
            continue
        columns = standard[rel.split("/")[-1].split("_")[0]]["columns"]
        known = {_normalise(a) for c, s in columns.items() for a in [c, *s.get("aliases", [])]}
        unknown = {h for h in map(_normalise, headings) if h and h not in known}
        assert unknown <= {"opmerking"}, rel


def test_is_pristine_demo(tmp_path):
    from pipeline.ingest.pristine import MANIFEST_NAME, is_pristine_demo

    assert is_pristine_demo(DEMO_RAW_DIR)
    copy = tmp_path / "raw"
    shutil.copytree(DEMO_RAW_DIR, copy)
    assert is_pristine_demo(copy)
    real = copy / "2021Q3" / "gemeente-groningen" / "inzet_extra.csv"
    real.write_text("regel_id;kandidaat_bsn\n1;123456782\n", encoding="utf-8")
    assert not is_pristine_demo(copy)
    real.unlink()
    # a demo file replaced by a link to an identical copy elsewhere is not the demo any more
    inzet = copy / "2021Q3" / "wadden-infra" / "inzet_2021Q3.csv"
    shutil.copy(inzet, tmp_path / "elders.csv")
    inzet.unlink()
    inzet.symlink_to(tmp_path / "elders.csv")
    assert not is_pristine_demo(copy)
    inzet.unlink()
    shutil.copy(tmp_path / "elders.csv", inzet)
    assert is_pristine_demo(copy)
    partners = copy / "partners.csv"
    partners.write_bytes(partners.read_bytes() + b"\n")
    assert not is_pristine_demo(copy)
    (copy / MANIFEST_NAME).unlink()
    assert not is_pristine_demo(copy)


def test_snapshots_hold_no_future_facts_and_reach_several_hundred_durable():
    world = build_world(demo.DEMO_SEED)
    cutter = Snapshotter(world, plans=set())
    for period in ("2019Q1", "2020Q2", "2021Q4"):
        peildatum = parse_period(period).peildatum
        for (_, dataset), rows in cutter.cut(peildatum).items():
            for row in rows:
                for column in ("aanmelddatum", "startdatum", "plaatsing_datum", "gunningsdatum"):
                    if dataset != "opdrachten" or column == "gunningsdatum":
                        assert row.get(column) is None or row[column] <= peildatum, (period, dataset, column)
                if dataset == "trajecten" and row["status"] in ("afgerond", "uitgevallen"):
                    assert row["einddatum"] is not None and row["einddatum"] <= peildatum
    # docs/domain.md: durable = >= 24 hours a week and >= 183 days by the peildatum
    peildatum = parse_period("2021Q4").peildatum
    durable = {
        t.kandidaat_bsn
        for t in world.trajecten
        if t.plaatsing_datum
        and t.plaatsing_datum <= peildatum
        and t.plaatsing_uren_per_week >= 24
        and (min(t.plaatsing_einddatum or peildatum, peildatum) - t.plaatsing_datum).days + 1 >= 183
    }
    assert 200 <= len(durable) < 1000
    trainees = {t.kandidaat_bsn for t in world.trajecten} & {r.kandidaat_bsn for r in world.regels}
    assert len(trainees) > 100


def test_scale_multiplies_rows_and_grows_partners_by_sqrt():
    one, two = build_world(demo.DEMO_SEED, 1), build_world(demo.DEMO_SEED, 2)
    assert (len(two.opdrachten), len(two.regels), len(two.trajecten)) == (240, 4000, 3000)
    assert len(two.aanbestedingen) == 2 * len(one.aanbestedingen)
    roles = Counter(p.rol for p in two.partners)
    assert (roles["opdrachtgever"], roles["opdrachtnemer"], roles["opleider"]) == (8, 28, 3)
    assert {p.partner_id for p in one.partners} < {p.partner_id for p in two.partners}
