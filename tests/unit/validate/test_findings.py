"""Tests for pipeline/validate/findings.py: each cross-dataset finding on tiny hand-written frames.

Only the columns a finding needs are built; expected lines are worked out by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.settings import settings
from pipeline.validate import findings

D = pd.Timestamp
NAT = pd.NaT


def inzet(*rows) -> pd.DataFrame:
    """rows: (rij, opdrachtgever, opdracht_id, kandidaat_id, startdatum, einddatum[, bouwblok])."""
    frame = pd.DataFrame(
        [r if len(r) == 7 else (*r, "pwet_kort") for r in rows],
        columns=["bron_rij", "opdrachtgever", "opdracht_id", "kandidaat_id", "startdatum", "einddatum", "bouwblok"],
    )
    frame["partner_id"] = "bouw-noord"
    frame["bron_bestand"] = "2021Q3/bouw-noord/inzet.csv"
    return frame.astype(
        {
            "opdrachtgever": "string",
            "opdracht_id": "string",
            "kandidaat_id": "string",
            "startdatum": "datetime64[ns]",
            "einddatum": "datetime64[ns]",
            "bron_rij": "int64",
        }
    )


def opdrachten(*rows) -> pd.DataFrame:
    """rows: (rij, partner_id, opdracht_id, kvk, startdatum, einddatum, waarde, pct, sr_verplichting)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "bron_rij",
            "partner_id",
            "opdracht_id",
            "opdrachtnemer_kvk",
            "startdatum",
            "einddatum",
            "opdrachtwaarde",
            "sr_percentage",
            "sr_verplichting",
        ],
    )
    frame["bron_bestand"] = "2021Q3/" + frame["partner_id"] + "/opdrachten.csv"
    return frame.astype(
        {
            "opdracht_id": "string",
            "opdrachtnemer_kvk": "string",
            "startdatum": "datetime64[ns]",
            "einddatum": "datetime64[ns]",
            "sr_verplichting": "float64",
        }
    )


CONTRACT = (2, "gem-a", "A-1", "12345678", D("2021-02-01"), D("2022-01-31"), 1_000_000.0, 5.0, None)


def test_unknown_contracts():
    lines = findings.unknown_contracts(
        inzet(
            (2, "gem-a", "A-1", "p1", D("2021-03-01"), NAT),  # known
            (3, "gem-b", "A-1", "p2", D("2021-03-01"), NAT),  # same id, other authority: unknown
            (4, "gem-a", "A-9", "p3", D("2021-03-01"), NAT),
        ),  # unknown id
        opdrachten(CONTRACT),
    )
    assert lines[["partner_id", "dataset", "rij", "kolom", "waarde", "regel", "severity"]].values.tolist() == [
        ["bouw-noord", "inzet", 3, "opdracht_id", "A-1", "inzet.opdracht.onbekend", "warning"],
        ["bouw-noord", "inzet", 4, "opdracht_id", "A-9", "inzet.opdracht.onbekend", "warning"],
    ]
    assert "gem-b/A-1" in lines.loc[0, "reden_nl"] and "gem-a/A-9" in lines.loc[1, "reason_en"]
    assert list(lines.columns) == list(findings.COLUMNS)


def test_unknown_contracts_none():
    assert findings.unknown_contracts(
        inzet((2, "gem-a", "A-1", "p1", D("2021-03-01"), NAT)), opdrachten(CONTRACT)
    ).empty


@pytest.mark.parametrize(
    "line, outside",
    [
        pytest.param((2, "gem-a", "A-1", "p", D("2022-02-01"), NAT), True, id="starts_after_contract_end"),
        pytest.param((2, "gem-a", "A-1", "p", D("2020-01-01"), D("2021-01-31")), True, id="ends_before_contract_start"),
        pytest.param((2, "gem-a", "A-1", "p", D("2020-01-01"), D("2021-02-01")), False, id="shares_first_day"),
        pytest.param((2, "gem-a", "A-1", "p", D("2020-01-01"), NAT), False, id="still_running_into_term"),
        pytest.param((2, "gem-a", "A-1", None, D("2021-01-15"), NAT, "scholing"), True, id="factor_before_start"),
        pytest.param((2, "gem-a", "A-1", None, D("2022-01-31"), NAT, "scholing"), False, id="factor_on_last_day"),
        pytest.param((2, "gem-a", "A-9", "p", D("2030-01-01"), NAT), False, id="unknown_contract_is_other_finding"),
    ],
)
def test_outside_contract_term(line, outside):
    lines = findings.outside_contract_term(inzet(line), opdrachten(CONTRACT), ["scholing", "sociale_inkoop"])
    assert len(lines) == int(outside)
    if outside:
        assert lines.loc[0, "regel"] == "inzet.opdracht.buiten_looptijd"
        assert "01-02-2021 t/m 31-01-2022" in lines.loc[0, "reden_nl"]


def test_unknown_contractors():
    partners = pd.DataFrame(
        {
            "partner_id": ["bouw-noord", "gem-a"],
            "rol": ["opdrachtnemer", "opdrachtgever"],
            "kvk": ["12345678", "11111111"],
        }
    ).astype("string")
    contracts = opdrachten(
        CONTRACT,
        (3, "gem-a", "A-2", "11111111", *CONTRACT[4:]),  # a kvk, but not a contractor
        (4, "gem-a", "A-3", "99999999", *CONTRACT[4:]),
    )
    lines = findings.unknown_contractors(contracts, partners)
    assert lines[["partner_id", "rij", "waarde"]].values.tolist() == [
        ["gem-a", 3, "11111111"],
        ["gem-a", 4, "99999999"],
    ]
    assert set(lines["regel"]) == {"opdrachten.opdrachtnemer_kvk.onbekend"}


def test_double_counts_name_the_other_line():
    lines = findings.double_counts(
        inzet(
            (2, "gem-a", "A-1", "p1", D("2021-03-01"), D("2021-06-30")),
            (3, "gem-b", "B-1", "p1", D("2021-06-30"), NAT),  # overlaps row 2 on 30-06 only
            (4, "gem-a", "A-1", "p2", D("2021-01-01"), D("2021-02-28")),
            (5, "gem-b", "B-1", "p2", D("2021-03-01"), NAT),  # p2: consecutive, no overlap
            (6, "gem-a", "A-1", "p3", D("2021-01-01"), NAT),
            (7, "gem-a", "A-1", "p3", D("2021-02-01"), NAT),  # p3: same contract twice: not a double count
            (8, "gem-a", "A-1", None, D("2021-01-01"), NAT),
            (9, "gem-b", "B-1", None, D("2021-01-01"), NAT),  # no candidate (factor lines)
        )
    )
    assert lines["rij"].tolist() == [2, 3]
    assert "opdracht gem-b/B-1 (2021Q3/bouw-noord/inzet.csv rij 3)" in lines.loc[0, "reden_nl"]
    assert "opdracht gem-a/A-1 (2021Q3/bouw-noord/inzet.csv row 2)" in lines.loc[1, "reason_en"]
    assert set(lines["waarde"]) == {""} and set(lines["regel"]) == {"inzet.kandidaat.dubbeltelling"}
    assert "p1" not in lines.to_csv()  # never a pseudonym


def test_double_count_on_three_contracts_lists_both_others():
    lines = findings.double_counts(
        inzet(
            (2, "gem-a", "A-1", "p1", D("2021-03-01"), NAT),
            (3, "gem-b", "B-1", "p1", D("2021-04-01"), NAT),
            (4, "gem-c", "C-1", "p1", D("2021-05-01"), D("2021-05-31")),
        )
    )
    assert lines["rij"].tolist() == [2, 3, 4]
    assert "gem-b/B-1" in lines.loc[0, "reden_nl"] and "gem-c/C-1" in lines.loc[0, "reden_nl"]


@pytest.mark.parametrize(
    "stated, finding",
    [
        # 1.000.000 × 5 / 100 = 50.000,00; tolerance EUR 1 (settings.yaml)
        pytest.param(50_000.99, False, id="within_one_euro"),
        pytest.param(49_999.00, False, id="exactly_one_euro_below"),
        pytest.param(50_001.01, True, id="just_over_one_euro"),
        pytest.param(5_000.0, True, id="factor_ten_off"),
        pytest.param(None, False, id="not_stated"),
    ],
)
def test_obligation_mismatches(stated, finding):
    contract = opdrachten((*CONTRACT[:-1], stated))
    lines = findings.obligation_mismatches(contract, settings().valuation.obligation_tolerance_eur)
    assert len(lines) == int(finding)
    if finding:
        assert lines.loc[0, "regel"] == "opdrachten.sr_verplichting.afwijkend"
        assert "€ 50.000,00" in lines.loc[0, "reden_nl"]
        assert lines.loc[0, "waarde"] == f"{stated:.2f}"


def _rows(partner: str, n: int) -> pd.DataFrame:
    return pd.DataFrame({"partner_id": [partner] * n})


def test_shrunk_deliveries():
    previous = {"inzet": pd.concat([_rows("a", 10), _rows("b", 4), _rows("c", 3)])}
    current = {"inzet": pd.concat([_rows("a", 4), _rows("b", 2)]), "trajecten": _rows("x", 5)}
    lines = findings.shrunk_deliveries(current, previous)
    # a: 4 < 10 / 2 shrank; b: 2 = 4 / 2 is exactly half, not more; c: 3 -> 0 shrank
    assert lines[["partner_id", "dataset", "waarde", "regel"]].values.tolist() == [
        ["a", "inzet", "10 → 4", "levering.gekrompen"],
        ["c", "inzet", "3 → 0", "levering.gekrompen"],
    ]
    assert lines["rij"].isna().all()


def test_shrunk_deliveries_without_previous_period():
    assert findings.shrunk_deliveries({"inzet": _rows("a", 1)}, None).empty


def test_missing_deliveries():
    leveringen = pd.DataFrame(
        {
            "partner_id": ["opl", "bouw", "gem", "gem", "sw", "wp"],
            "rol": ["opleider", "opdrachtnemer", "opdrachtgever", "opdrachtgever", "sw-bedrijf", "werkplein"],
            "dataset": ["trajecten", "inzet", "opdrachten", "aanbestedingskalender", "trajecten", "trajecten"],
            "status": ["ontbreekt", "geleverd", "overgenomen", "ontbreekt", "ontbreekt", "ontbreekt"],
        }
    )
    lines = findings.missing_deliveries(leveringen)
    # the tender calendar and an sw-bedrijf's trajectories are welcome, not expected
    assert lines[["partner_id", "dataset", "regel"]].values.tolist() == [
        ["opl", "trajecten", "levering.ontbreekt"],
        ["wp", "trajecten", "levering.ontbreekt"],
    ]
    assert "opleider" in lines.loc[0, "reden_nl"]


def test_all_findings_on_empty_tables_has_the_columns():
    empty_inzet = inzet()
    empty_opdrachten = opdrachten()
    out = findings.all_findings(
        {"inzet": empty_inzet, "opdrachten": empty_opdrachten},
        pd.DataFrame({"partner_id": [], "rol": [], "kvk": []}),
        pd.DataFrame({"partner_id": [], "rol": [], "dataset": [], "status": []}),
        None,
        settings(),
    )
    assert out.empty and list(out.columns) == list(findings.COLUMNS)
