"""Training outcomes (docs/domain.md: "Training outcomes (1000-banenplan)").

Expected counts are worked out by hand; day arithmetic is in the comments (inclusive days).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.core.settings import load_settings
from pipeline.indicators.training import (
    STAGES,
    count_candidates,
    count_in_period,
    programme_progress,
    stage_table,
    target_outlook,
    trainees_in_social_return,
    training_kpi,
    training_stages,
)

SETTINGS = load_settings()
PEIL = dt.date(2021, 9, 30)
Q3_START = dt.date(2021, 7, 1)
DATES = ["aanmelddatum", "startdatum", "einddatum", "plaatsing_datum", "plaatsing_einddatum"]


def trajecten(*rows: dict) -> pd.DataFrame:
    base = dict(
        kandidaat_id="k1",
        partner_id="opl-a",
        sector="bouw",
        doelgroep="pwet",
        woongemeente="Groningen",
        opleiding="Timmerman",
        aanmelddatum="2021-01-04",
        startdatum=None,
        einddatum=None,
        status="aangemeld",
        certificaat=None,
        plaatsing_datum=None,
        plaatsing_uren_per_week=None,
        plaatsing_einddatum=None,
    )
    df = pd.DataFrame([{**base, "traject_id": f"t{i}", **r} for i, r in enumerate(rows)])
    for col in DATES:
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    text = ["traject_id", "kandidaat_id", "partner_id", "sector", "doelgroep", "woongemeente", "opleiding", "status"]
    return df.astype({**{c: "string" for c in text}, "certificaat": "boolean", "plaatsing_uren_per_week": "float64"})


def stages_of(*rows: dict, peil: dt.date = PEIL) -> pd.DataFrame:
    return training_stages(trajecten(*rows), peil, SETTINGS)


PLACED = dict(plaatsing_uren_per_week=24.0)


@pytest.mark.parametrize(
    "row, stage, expected",
    [
        pytest.param(dict(aanmelddatum="2021-09-30"), "aangemeld", True, id="aangemeld_on_peildatum"),
        pytest.param(dict(aanmelddatum="2021-10-01"), "aangemeld", False, id="aangemeld_after_peildatum"),
        pytest.param(dict(startdatum="2021-09-30"), "gestart", True, id="gestart_on_peildatum"),
        pytest.param(dict(startdatum=None), "gestart", False, id="not_started"),
        pytest.param(dict(startdatum="2021-10-01"), "gestart", False, id="gestart_after_peildatum"),
        pytest.param(dict(status="afgerond", einddatum="2021-09-30"), "afgerond", True, id="afgerond_on_peildatum"),
        pytest.param(
            dict(status="afgerond", einddatum="2021-10-15"), "afgerond", False, id="afgerond_planned_after_peildatum"
        ),
        pytest.param(dict(status="gestart", einddatum="2021-09-01"), "afgerond", False, id="ended_but_status_gestart"),
        pytest.param(dict(status="uitgevallen", einddatum="2021-08-01"), "uitgevallen", True, id="uitgevallen"),
        pytest.param(
            dict(status="uitgevallen", einddatum="2021-08-01"), "afgerond", False, id="uitgevallen_is_not_afgerond"
        ),
        pytest.param(
            dict(status="afgerond", einddatum="2021-08-01", certificaat=True),
            "certificaat",
            True,
            id="certificaat_afgerond_ja",
        ),
        pytest.param(
            dict(status="afgerond", einddatum="2021-08-01", certificaat=False),
            "certificaat",
            False,
            id="certificaat_nee",
        ),
        pytest.param(dict(status="gestart", certificaat=True), "certificaat", False, id="certificaat_without_afgerond"),
        pytest.param(dict(plaatsing_datum="2021-09-30", **PLACED), "geplaatst", True, id="geplaatst_on_peildatum"),
        pytest.param(dict(plaatsing_datum="2021-10-01", **PLACED), "geplaatst", False, id="geplaatst_after_peildatum"),
        # (2021-07-01 − 2021-01-01).days + 1 = 181 + 1 = 182 < 183
        pytest.param(
            dict(plaatsing_datum="2021-01-01", plaatsing_einddatum="2021-07-01", **PLACED),
            "duurzaam",
            False,
            id="durable_182_days_no",
        ),
        # (2021-07-02 − 2021-01-01).days + 1 = 183
        pytest.param(
            dict(plaatsing_datum="2021-01-01", plaatsing_einddatum="2021-07-02", **PLACED),
            "duurzaam",
            True,
            id="durable_183_days_yes",
        ),
        # open-ended: (2021-09-30 − 2021-04-01).days + 1 = 182 + 1 = 183
        pytest.param(
            dict(plaatsing_datum="2021-04-01", **PLACED),
            "duurzaam",
            True,
            id="durable_open_ended_183_days_at_peildatum",
        ),
        # open-ended from 2021-04-02: 182 days by the peildatum
        pytest.param(dict(plaatsing_datum="2021-04-02", **PLACED), "duurzaam", False, id="durable_open_ended_182_days"),
        # planned end after the peildatum counts only up to the peildatum: 182 days
        pytest.param(
            dict(plaatsing_datum="2021-04-02", plaatsing_einddatum="2022-01-01", **PLACED),
            "duurzaam",
            False,
            id="durable_planned_end_after_peildatum",
        ),
        pytest.param(
            dict(plaatsing_datum="2021-01-01", plaatsing_uren_per_week=23.0),
            "duurzaam",
            False,
            id="durable_23_hours_no",
        ),
        pytest.param(
            dict(plaatsing_datum="2021-01-01", plaatsing_uren_per_week=24.0),
            "duurzaam",
            True,
            id="durable_24_hours_yes",
        ),
        pytest.param(
            dict(plaatsing_datum="2021-01-01", plaatsing_uren_per_week=None),
            "duurzaam",
            False,
            id="durable_hours_unknown_no",
        ),
    ],
)
def test_stage_of_one_trajectory(row, stage, expected):
    assert bool(stages_of(row).loc[0, stage]) is expected


def test_durable_day_is_placement_plus_182_days():
    s = stages_of(dict(plaatsing_datum="2021-01-01", **PLACED))
    # 2021-01-01 + 182 days = 2021-07-02 (the 183rd day)
    assert s.loc[0, "duurzaam_datum"] == pd.Timestamp("2021-07-02")


def test_candidate_in_two_deliveries_counted_once():
    # registered by the job centre, trained by the institute: one person
    s = stages_of(dict(partner_id="werkplein-a", startdatum=None), dict(partner_id="opl-a", startdatum="2021-03-01"))
    counts = count_candidates(s).iloc[0]
    assert counts["aangemeld"] == 1 and counts["gestart"] == 1


def test_candidate_reaches_stage_if_any_trajectory_does():
    s = stages_of(
        dict(status="uitgevallen", einddatum="2021-03-01", startdatum="2021-02-01"),
        dict(status="afgerond", einddatum="2021-06-30", startdatum="2021-04-01", certificaat=True),
    )
    counts = count_candidates(s).iloc[0]
    assert (counts["afgerond"], counts["uitgevallen"], counts["certificaat"]) == (1, 1, 1)


def test_rows_without_candidate_are_not_counted():
    s = stages_of(dict(kandidaat_id=None), dict(kandidaat_id="k2"))
    assert count_candidates(s).iloc[0]["aangemeld"] == 1


def test_rates():
    # a: afgerond, placed, durable; b: afgerond, not placed; c: dropped out, placed (not durable)
    s = stages_of(
        dict(kandidaat_id="a", status="afgerond", einddatum="2021-02-01", plaatsing_datum="2021-02-15", **PLACED),
        dict(kandidaat_id="b", status="afgerond", einddatum="2021-02-01"),
        dict(kandidaat_id="c", status="uitgevallen", einddatum="2021-02-01", plaatsing_datum="2021-09-01", **PLACED),
    )
    counts = count_candidates(s).iloc[0]
    assert counts["afronding_pct"] == pytest.approx(2 / 3 * 100)  # 2 / (2 + 1)
    assert counts["plaatsing_pct"] == pytest.approx(50.0)  # a of {a, b}
    assert counts["duurzaam_pct"] == pytest.approx(50.0)  # a of {a, c}


def test_breakdown_counts_candidate_once_per_value():
    s = stages_of(
        dict(kandidaat_id="k1", sector="bouw"),
        dict(kandidaat_id="k1", sector="bouw"),
        dict(kandidaat_id="k1", sector="techniek"),
        dict(kandidaat_id="k2", sector="bouw"),
        dict(kandidaat_id="k3", sector=None),
    )
    by_sector = count_candidates(s, "sector").set_index("sector")["aangemeld"].to_dict()
    assert by_sector == {"bouw": 2, "onbekend": 1, "techniek": 1}


def test_in_period_uses_earliest_dates():
    s = stages_of(
        # k1: earliest start in Q2 -> not "gestart in this period"
        dict(kandidaat_id="k1", startdatum="2021-05-01"),
        dict(kandidaat_id="k1", startdatum="2021-08-01"),
        # k2: starts in Q3
        dict(kandidaat_id="k2", startdatum="2021-07-01"),
        # k3: 2021-04-01 + 182 = 2021-09-30, in Q3
        dict(kandidaat_id="k3", plaatsing_datum="2021-04-01", **PLACED),
        # k4: 2021-01-01 + 182 = 2021-07-02, in Q3
        dict(kandidaat_id="k4", plaatsing_datum="2021-01-01", **PLACED),
        # k5: 2020-06-01 + 182 = 2020-11-30, earlier quarter
        dict(kandidaat_id="k5", plaatsing_datum="2020-06-01", **PLACED),
        # k6: durable twice; the earliest durable day 2020-11-30 is before Q3
        dict(kandidaat_id="k6", plaatsing_datum="2020-06-01", **PLACED),
        dict(kandidaat_id="k6", plaatsing_datum="2021-04-01", **PLACED),
    )
    assert count_in_period(s, Q3_START, PEIL) == {"gestart": 1, "duurzaam": 2}


def test_programme_progress():
    s = stages_of(
        dict(kandidaat_id="k3", plaatsing_datum="2021-04-01", **PLACED),  # durable 2021-09-30
        dict(kandidaat_id="k4", plaatsing_datum="2021-01-01", **PLACED),  # durable 2021-07-02
        dict(kandidaat_id="k5", plaatsing_datum="2020-06-01", **PLACED),  # durable 2020-11-30
    )
    prog = programme_progress(s, "2021Q3", SETTINGS).set_index("periode")
    # programme 2019-01-01..2021-12-31: 365 + 366 + 365 = 1096 days; 12 quarters
    assert len(prog) == 12 and prog.index[0] == "2019Q1" and prog.index[-1] == "2021Q4"
    # 2019Q1 ends 2019-03-31: 90 days -> 1000 × 90 / 1096
    assert prog.loc["2019Q1", "nodig_cumulatief"] == pytest.approx(1000 * 90 / 1096)
    # 2019Q2 ends 2019-06-30: 181 days; per quarter 1000 × (181 − 90) / 1096
    assert prog.loc["2019Q2", "nodig_per_kwartaal"] == pytest.approx(1000 * 91 / 1096)
    assert prog.loc["2021Q4", "nodig_cumulatief"] == pytest.approx(1000.0)
    assert prog.loc["2020Q3", "duurzaam_cumulatief"] == 0
    assert prog.loc["2020Q4", "duurzaam_cumulatief"] == 1
    assert prog.loc["2021Q3", "duurzaam_cumulatief"] == 3
    assert prog.loc["2021Q3", "duurzaam_in_periode"] == 2
    assert pd.isna(prog.loc["2021Q4", "duurzaam_cumulatief"])  # after the period


def test_kpi_document_has_outputs_md_shape():
    s = stages_of(
        dict(kandidaat_id="k1", startdatum="2021-07-05", plaatsing_datum="2021-01-01", **PLACED),
        dict(kandidaat_id="k2"),
    )
    kpi = training_kpi(s, "2021Q3", SETTINGS, sr_candidates=["k1", "k9"])
    assert kpi["peildatum"] == "2021-09-30"
    assert list(kpi["kandidaten"]) == list(STAGES)
    assert kpi["kandidaten"]["aangemeld"] == 2 and kpi["kandidaten"]["duurzaam"] == 1
    assert kpi["in_periode"] == {"gestart": 1, "duurzaam": 1}
    # 1 durable of 1000 = 0.1 %
    assert kpi["doel"]["duurzaam"] == 1000 and kpi["doel"]["datum"] == "2021-12-31"
    assert kpi["doel"]["realisatie_pct"] == pytest.approx(0.1)
    # 999 still needed in the one quarter left (2021Q4)
    assert kpi["doel"]["nodig_per_resterend_kwartaal"] == pytest.approx(999.0)
    assert kpi["koppeling_social_return"]["ook_trajectkandidaat"] == 1


def test_social_return_link():
    s = stages_of(dict(kandidaat_id="k1"), dict(kandidaat_id="k2"))
    link = trainees_in_social_return(pd.Series(["k1", "k1", "k9", None]), s)
    # sr candidates {k1, k9}; trainees {k1, k2}: 1 in both
    assert link == {"sr_kandidaten": 2, "ook_trajectkandidaat": 1, "ook_trajectkandidaat_pct": 50.0}


def test_stage_table_region_and_partner_rows():
    s = stages_of(
        dict(kandidaat_id="k1", partner_id="opl-a"),
        dict(kandidaat_id="k1", partner_id="wp-b"),
        dict(kandidaat_id="k2", partner_id="opl-a", woongemeente=None),
    )
    table = stage_table(s)
    region = table[(table["partner_id"] == "regio") & (table["dimensie"] == "totaal")]
    assert region["aangemeld"].tolist() == [2]
    by_institute = table[(table["partner_id"] == "regio") & (table["dimensie"] == "opleider")]
    assert dict(zip(by_institute["waarde"], by_institute["aangemeld"])) == {"opl-a": 2, "wp-b": 1}
    own = table[(table["partner_id"] == "wp-b") & (table["dimensie"] == "totaal")]
    assert own["aangemeld"].tolist() == [1]
    town = table[(table["partner_id"] == "regio") & (table["dimensie"] == "woongemeente")]
    assert dict(zip(town["waarde"], town["aangemeld"])) == {"Groningen": 1, "onbekend": 1}


def test_empty_trajecten():
    s = training_stages(pd.DataFrame(), PEIL, SETTINGS)
    assert count_candidates(s).iloc[0][list(STAGES)].sum() == 0
    assert len(stage_table(s)) >= 1
    assert training_kpi(s, "2021Q3", SETTINGS)["kandidaten"]["duurzaam"] == 0


_OPT_DATE = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2022, 6, 30)))


@pytest.mark.slow  # seconds: many generated cases, a whole GX suite, or a subprocess
@hyp_settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "kandidaat_id": st.sampled_from(["a", "b", "c", "d"]),
                "sector": st.sampled_from(["bouw", "techniek"]),
                "status": st.sampled_from(["aangemeld", "gestart", "afgerond", "uitgevallen"]),
                "startdatum": _OPT_DATE,
                "einddatum": _OPT_DATE,
                "plaatsing_datum": _OPT_DATE,
                "plaatsing_einddatum": _OPT_DATE,
                "certificaat": st.one_of(st.none(), st.booleans()),
                "plaatsing_uren_per_week": st.one_of(st.none(), st.floats(0, 40)),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_funnel_invariants(rows):
    s = stages_of(*rows)
    c = count_candidates(s).iloc[0]
    assert c["certificaat"] <= c["afgerond"] and c["duurzaam"] <= c["geplaatst"]
    assert all(0 <= c[stage] <= 4 for stage in STAGES)
    by_sector = count_candidates(s, "sector")
    # a candidate counts once per value, so values together hold at least the total
    for stage in STAGES:
        assert by_sector[stage].sum() >= c[stage]
        assert (by_sector[stage] <= c[stage]).all()


@pytest.mark.parametrize(
    "per_quarter, durable, period, expected",
    [
        # last four quarters 55, 45, 52, 44: pace (55 + 45 + 52 + 44) / 4 = 196 / 4 = 49;
        # 1000 − 281 = 719 needed, 719 / 49 = 14.67 -> 15 quarters after 2021Q3 = 2025Q2,
        # later than the target's quarter 2021Q4
        pytest.param([2, 13, 55, 45, 52, 44], 281, "2021Q3", (4, 49.0, "2025Q2", False), id="behind"),
        # pace (400 + 500) / 2 = 450; 1000 − 900 = 100 needed -> 1 quarter: 2021Q4, in time
        pytest.param([400, 500], 900, "2021Q3", (2, 450.0, "2021Q4", True), id="in_time"),
        # exactly on: 1000 − 800 = 200 needed at pace 200 -> 1 quarter, 2021Q4 (no rounding up)
        pytest.param([200, 200, 200, 200], 800, "2021Q3", (4, 200.0, "2021Q4", True), id="exact"),
        # nothing added: never reached
        pytest.param([0, 0], 10, "2021Q3", (2, 0.0, None, False), id="no_pace"),
        # already reached: this quarter
        pytest.param([600, 500], 1100, "2021Q3", (2, 550.0, "2021Q3", True), id="reached"),
    ],
)
def test_target_outlook(per_quarter, durable, period, expected):
    out = target_outlook(per_quarter, durable, period, SETTINGS)
    got = (out["tempo_kwartalen"], out["tempo_per_kwartaal"], out["kwartaal_doel_bij_tempo"])
    assert got == expected[:3]
    assert out["doel_gehaald_bij_tempo"] is expected[3]
