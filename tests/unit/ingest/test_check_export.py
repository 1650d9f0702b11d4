"""Tests for pipeline/ingest/check_export.py: the partner's pre-flight check of one file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from pipeline.ingest import check_export  # noqa: E402

INZET_HEADER = "Regel ID;Opdrachtgever;Opdracht ID;Bouwblok;BSN;Startdatum;Einddatum;Uren per week;Bedrag\n"


@pytest.fixture(autouse=True)
def no_register(tmp_path, monkeypatch):
    """No partners.csv on the partner's machine (the check must work without it)."""
    monkeypatch.setenv("SROI_RAW_DIR", str(tmp_path / "geen_raw"))


def run(tmp_path, capsys, name: str, content: bytes, *extra: str):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "controle.html"
    code = check_export.main(
        ["--file", str(path), "--partner", "bouw-noord", "--period", "2021Q3", "--out", str(out), *extra]
    )
    captured = capsys.readouterr()
    return code, captured.out + captured.err, out.read_text(encoding="utf-8") if out.exists() else ""


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
def test_rejections_give_exit_1_and_a_page_by_excel_row(tmp_path, capsys):
    content = (
        INZET_HEADER
        + "R1;gem-a;A-1;pwet_kort;123456782;01-03-2021;;32;\n"  # fine
        + "R2;gem-a;A-1;toeslag_50plus;123456782;01-03-2021;;32;\n"  # Excel row 3: bonus is not a block
        + "<script>;gem-a;A-1;bbl;;01-03-2021;;32;\n"  # row 4: person block without BSN
        + "R4;gem-a;A-1;scholing;;31-02-2021;;;100\n"  # row 5: date does not exist (ingest)
        + "R5;gem-a;A-1;pwet_kort;123456782;01-10-2021;;32;\n"
    )  # row 6: after peildatum: warning
    code, said, page = run(tmp_path, capsys, "Inzet_2021Q3.csv", content.encode("cp1252"))
    assert code == 1
    assert len(said.strip().splitlines()) == 1 and said.startswith("AFGEKEURD: 3 van 5 rijen afgekeurd")
    assert '<td>3</td><td title="bouwblok">Bouwblok</td><td>toeslag_50plus</td>' in page
    assert (
        '<td>4</td><td title="kandidaat_bsn">BSN</td><td></td><td>kandidaat_bsn is verplicht bij een persoonsblok'
        in page
    )
    assert '<td>5</td><td title="startdatum">Startdatum</td><td>31-02-2021</td>' in page
    assert (
        '<td>6</td><td title="startdatum">Startdatum</td><td>2021-10-01</td><td>startdatum ligt na de peildatum (30-09-2021)'
        in page
    )
    assert "<script>" not in page  # every text escaped
    assert str(tmp_path) not in page  # no path of this machine
    assert "123456782" not in page  # never a BSN
    assert "http" not in page  # self-contained


def test_clean_file_gives_exit_0(tmp_path, capsys):
    content = INZET_HEADER + "R1;gem-a;A-1;pwet_kort;123456782;01-03-2021;;32;\n"
    code, said, page = run(tmp_path, capsys, "inzet.csv", content.encode())
    assert code == 0 and said.startswith("GOED: 0 van 1 rijen afgekeurd")
    assert "Geen problemen gevonden." in page


def test_header_only_file_is_not_called_good(tmp_path, capsys):
    code, said, page = run(tmp_path, capsys, "inzet.csv", INZET_HEADER.encode())
    assert code == 1 and said.startswith("LEEG: het bestand heeft kolomkoppen maar geen enkele rij")
    assert "LEEG" in page


@pytest.mark.parametrize(
    "name, content",
    [
        pytest.param("inzet.xlsx", b"PK\x03\x04kapot", id="damaged_xlsx"),
        pytest.param("inzet.csv", b"hallo\nwereld\n", id="no_header"),
        pytest.param("inzet.csv", b"Regel ID;Opdrachtgever\nR1;gem-a\n", id="required_column_missing"),
    ],
)
def test_unreadable_file_gives_exit_2(tmp_path, capsys, name, content):
    code, said, page = run(tmp_path, capsys, name, content)
    assert code == 2 and said.startswith("ONLEESBAAR") and len(said.strip().splitlines()) == 1
    assert "ONLEESBAAR" in page


def test_missing_file_one_line_exit_2(capsys):
    assert check_export.main(["--file", "bestaat_niet.csv", "--partner", "x"]) == 2
    said = capsys.readouterr()
    assert said.err.startswith("FOUT: bestand niet gevonden") and len(said.err.strip().splitlines()) == 1


def test_missing_argument_one_line_exit_2(capsys):
    with pytest.raises(SystemExit) as stop:
        check_export.main(["--file", "x.csv"])
    said = capsys.readouterr()
    assert stop.value.code == 2 and len(said.err.strip().splitlines()) == 1 and "--partner" in said.err


def test_unknown_dataset_name_asks_for_dataset(tmp_path, capsys):
    code, said, _ = run(tmp_path, capsys, "export.csv", (INZET_HEADER + "R1;gem-a;A-1;bbl;;01-03-2021;;32;\n").encode())
    assert code == 2 and "--dataset" in said
    code, said, _ = run(
        tmp_path,
        capsys,
        "export.csv",
        (INZET_HEADER + "R1;gem-a;A-1;bbl;;01-03-2021;;32;\n").encode(),
        "--dataset",
        "inzet",
    )
    assert code == 1


def _raw_with(tmp_path, rel: str, source) -> tuple[Path, Path]:
    from pipeline.core.paths import DEMO_RAW_DIR

    raw = tmp_path / "raw"
    (raw / rel).parent.mkdir(parents=True)
    (raw / rel).write_bytes(Path(source).read_bytes())
    (raw / "partners.csv").write_bytes((DEMO_RAW_DIR / "partners.csv").read_bytes())
    return raw, raw / rel


def test_the_quarter_comes_from_the_files_folder_never_from_the_clock(tmp_path, capsys):
    from pipeline.core.paths import DEMO_RAW_DIR

    # a contract starting 07-10-2021 is 'after the peildatum' for 2021Q3 (30-09-2021), a finding
    # the check can only give when it checks 2021Q3, whatever today's date is
    src = DEMO_RAW_DIR / "2021Q3" / "gemeente-eemsdelta" / "opdrachten_2021Q3.csv"
    _, path = _raw_with(tmp_path, "2021Q3/gemeente-eemsdelta/opdrachten.csv", src)
    outcome = check_export.check_file(path, "gemeente-eemsdelta")
    assert outcome.period == "2021Q3"
    assert "opdrachten.startdatum.na_peildatum" in set(outcome.problems["regel"])


def test_without_a_period_folder_or_name_the_check_asks_for_period(tmp_path, capsys):
    path = tmp_path / "opdrachten.csv"
    path.write_text("opdracht_id\n1\n", encoding="utf-8")
    assert check_export.main(["--file", str(path), "--partner", "gemeente-a"]) == 2
    assert "geef PERIOD=JJJJKn (make)" in capsys.readouterr().err


def test_no_arguments_print_the_usage_line(capsys):
    assert check_export.main(["--file", "", "--partner", ""]) == 2
    assert capsys.readouterr().err.strip() == check_export.USAGE


def test_an_unknown_partner_is_named_with_the_known_ones(tmp_path, capsys):
    from pipeline.core.paths import DEMO_RAW_DIR

    src = DEMO_RAW_DIR / "2021Q3" / "gemeente-eemsdelta" / "opdrachten_2021Q3.csv"
    _, path = _raw_with(tmp_path, "2021Q3/gemeente-eemsdelta/opdrachten.csv", src)
    assert check_export.main(["--file", str(path), "--partner", "gemeente-eemsdeltaa"]) == 2
    err = capsys.readouterr().err
    assert "partner 'gemeente-eemsdeltaa' staat niet in partners.csv; bekend: alfa-college" in err
    assert "(and 19 more)" in err


def test_information_is_not_counted_as_a_warning(tmp_path):
    from pipeline.core.paths import DEMO_RAW_DIR

    src = DEMO_RAW_DIR / "2021Q3" / "gemeente-eemsdelta" / "opdrachten_2021Q3.csv"
    _, path = _raw_with(tmp_path, "2021Q3/gemeente-eemsdelta/opdrachten.csv", src)
    outcome = check_export.check_file(path, "gemeente-eemsdelta")
    # the demo file: row 19 rejected (negative value), rows 18 and 19 start after the peildatum (info);
    # like the run, the verdict counts only the kept row's note (18); row 19's is shown, marked
    assert "1 van 19 rijen afgekeurd, 0 waarschuwing(en), 1 ter informatie" in outcome.verdict_nl
    got = outcome.problems
    assert list(zip(got["rij"], got["kolom"], got["severity"], got["op_afgekeurde_rij"])) == [
        (18, "startdatum", "info", False),
        (19, "opdrachtwaarde", "reject", False),
        (19, "startdatum", "info", True),
    ]
    assert "rij al afgekeurd" in check_export.render_html(outcome)
