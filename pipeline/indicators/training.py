"""Training outcomes of the 1000-banenplan (docs/domain.md: "Training outcomes").

Every count is of **distinct candidates** (``kandidaat_id``, the pseudonymised BSN): a candidate
reaches a stage if any of its trajectories does, and counts once however many trajectories or
deliveries it appears in. Rows without a candidate cannot be counted as persons and are left out
of the counts (ingest rejects them anyway: the BSN is required).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import numpy as np
import pandas as pd

from pipeline.core.periods import parse_period, period_of, periods_between
from pipeline.core.settings import Settings
from pipeline.indicators.valuation import column_or_empty

STAGES = ("aangemeld", "gestart", "afgerond", "uitgevallen", "certificaat", "geplaatst", "duurzaam")
# trajecten_stadia.csv breakdowns; "opleider" is the delivering institute / job centre
DIMENSIONS = ("sector", "opleider", "doelgroep", "woongemeente", "opleiding")
RATE_COLUMNS = ("afronding_pct", "plaatsing_pct", "duurzaam_pct")
UNKNOWN = "onbekend"  # breakdown value when a trajectory leaves the column empty


def training_stages(trajecten: pd.DataFrame, peildatum: dt.date, settings: Settings) -> pd.DataFrame:
    """Stage flags per trajectory row, each judged on its own row (docs/domain.md table).

    Returns:
        ``traject_id, kandidaat_id, opleider`` (the delivering partner), the breakdown columns
        (empty → "onbekend"), one bool column per stage, ``startdatum`` and ``duurzaam_datum``
        (the first day the placement counts as durable: plaatsing_datum + 182 days; NaT if not
        durable at the peildatum).

    >>> from pipeline.core.settings import load_settings
    >>> t = pd.DataFrame({"kandidaat_id": ["k1"], "aanmelddatum": pd.to_datetime(["2021-01-04"]),
    ...     "status": ["gestart"], "plaatsing_datum": pd.to_datetime(["2021-04-01"]),
    ...     "plaatsing_uren_per_week": [24.0]})
    >>> s = training_stages(t, dt.date(2021, 9, 30), load_settings())
    >>> bool(s.loc[0, "duurzaam"]), s.loc[0, "duurzaam_datum"].date()   # 2021-04-01..09-30 = 183 days
    (True, datetime.date(2021, 9, 30))
    """
    t = settings.training
    peil = pd.Timestamp(peildatum)
    dates = {
        c: column_or_empty(trajecten, c, "datetime64[ns]")
        for c in ("aanmelddatum", "startdatum", "einddatum", "plaatsing_datum", "plaatsing_einddatum")
    }
    status = column_or_empty(trajecten, "status", "string").str.strip().str.lower()
    uren = column_or_empty(trajecten, "plaatsing_uren_per_week", "float64")

    def flag(condition: pd.Series) -> np.ndarray:
        return condition.fillna(False).to_numpy(dtype=bool)

    out = pd.DataFrame(
        {
            "traject_id": column_or_empty(trajecten, "traject_id", "string"),
            "kandidaat_id": column_or_empty(trajecten, "kandidaat_id", "string"),
            "opleider": column_or_empty(trajecten, "partner_id", "string"),
        }
    )
    for dim in ("sector", "doelgroep", "woongemeente", "opleiding"):
        out[dim] = column_or_empty(trajecten, dim, "string").str.strip().replace("", pd.NA).fillna(UNKNOWN)
    out["opleider"] = out["opleider"].fillna(UNKNOWN)
    out["aangemeld"] = flag(dates["aanmelddatum"] <= peil)
    out["gestart"] = flag(dates["startdatum"] <= peil)
    out["afgerond"] = flag((status == "afgerond") & (dates["einddatum"] <= peil))
    # a drop-out, not a further stage
    out["uitgevallen"] = flag((status == "uitgevallen") & (dates["einddatum"] <= peil))
    out["certificaat"] = out["afgerond"] & flag(column_or_empty(trajecten, "certificaat", "boolean"))
    out["geplaatst"] = flag(dates["plaatsing_datum"] <= peil)
    # docs/domain.md: (min(plaatsing_einddatum or +inf, peildatum) − plaatsing_datum).days + 1 >= 183
    until = dates["plaatsing_einddatum"].fillna(peil).clip(upper=peil)
    lasted_days = (until - dates["plaatsing_datum"]).dt.days + 1
    out["duurzaam"] = (
        out["geplaatst"] & flag(uren >= t.duurzaam_min_uren_per_week) & flag(lasted_days >= t.duurzaam_min_dagen)
    )
    out["startdatum"] = dates["startdatum"].where(out["gestart"])
    durable_from = dates["plaatsing_datum"] + pd.Timedelta(days=t.duurzaam_min_dagen - 1)
    out["duurzaam_datum"] = durable_from.where(out["duurzaam"])
    return out


def candidate_flags(stages: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """One row per candidate (per ``by`` value): has it reached each stage in any trajectory?"""
    keys = ([by] if by else []) + ["kandidaat_id"]
    known = stages[stages["kandidaat_id"].notna()]
    return known.groupby(keys)[list(STAGES)].any()


def stage_rates(flags: pd.DataFrame) -> dict[str, float | None]:
    """Rates over candidate flags (percentages; None when the denominator is 0).

    - ``afronding_pct`` = afgerond / (afgerond + uitgevallen) (docs/domain.md);
    - ``plaatsing_pct`` = placed candidates among those who completed / completed: the
      numerator is restricted to completers so the rate stays within 0–100 %;
    - ``duurzaam_pct`` = duurzaam / geplaatst.

    >>> f = pd.DataFrame({"afgerond": [True, True, False], "uitgevallen": [False, False, True],
    ...                   "geplaatst": [True, False, True], "duurzaam": [True, False, False]})
    >>> {k: round(v, 2) for k, v in stage_rates(f).items()}   # 2/(2+1); 1 of 2; 1 of 2
    {'afronding_pct': 66.67, 'plaatsing_pct': 50.0, 'duurzaam_pct': 50.0}
    """
    rates = _rates(_sums(flags).to_frame().T).iloc[0]
    return {r: (None if pd.isna(rates[r]) else float(rates[r])) for r in RATE_COLUMNS}


def _sums(flags: pd.DataFrame, by: str | list[str] | None = None):
    """Candidates per stage, plus completers who were placed (the placement rate's numerator)."""
    flags = flags.assign(_afgerond_geplaatst=flags["afgerond"] & flags["geplaatst"])
    return flags.sum() if by is None else flags.groupby(level=by).sum()


def _rates(sums: pd.DataFrame) -> pd.DataFrame:
    def pct(num: pd.Series, den: pd.Series) -> pd.Series:
        return (num / den.where(den > 0)).astype("float64") * 100

    return pd.DataFrame(
        {
            "afronding_pct": pct(sums["afgerond"], sums["afgerond"] + sums["uitgevallen"]),
            "plaatsing_pct": pct(sums["_afgerond_geplaatst"], sums["afgerond"]),
            "duurzaam_pct": pct(sums["duurzaam"], sums["geplaatst"]),
        },
        index=sums.index,
    )


def count_candidates(stages: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Distinct candidates per stage, in total (one row) or per value of ``by``, with the
    rates of :func:`stage_rates` per row.

    A candidate counts once per breakdown value: in every value one of its trajectories has,
    for every stage a trajectory with that value reached.
    """
    sums = _sums(candidate_flags(stages, by), by)
    if by is None:
        sums = sums.to_frame().T.reset_index(drop=True)
    counts = sums[list(STAGES)].astype("int64")
    table = counts.join(_rates(sums))
    if by is None:
        return table
    return table.reset_index().sort_values(by, kind="stable").reset_index(drop=True)


def count_in_period(stages: pd.DataFrame, period_start: dt.date, peildatum: dt.date) -> dict[str, int]:
    """ "In this period" counts (docs/domain.md): candidates whose earliest ``startdatum`` / earliest
    durable day (plaatsing_datum + 182 days) falls within ``period_start..peildatum``."""
    known = stages[stages["kandidaat_id"].notna()]
    first = known.groupby("kandidaat_id")[["startdatum", "duurzaam_datum"]].min()
    start, end = pd.Timestamp(period_start), pd.Timestamp(peildatum)
    return {
        "gestart": int(first["startdatum"].between(start, end).sum()),
        "duurzaam": int(first["duurzaam_datum"].between(start, end).sum()),
    }


def stage_table(stages: pd.DataFrame) -> pd.DataFrame:
    """The long table behind ``trajecten_stadia.csv``: for the region (``partner_id = regio``)
    and each delivering partner, the totals (``dimensie = totaal``) and every breakdown.

    One grouped pass per dimension over the region's and every partner's rows together.
    Sorted: region first, then partners by id; dimensions in :data:`DIMENSIONS` order;
    values alphabetically.
    """
    known = stages[stages["kandidaat_id"].notna()].assign(totaal="totaal")
    scoped = pd.concat([known.assign(_scope="regio"), known.assign(_scope=known["opleider"])], ignore_index=True)
    # grouped on integer codes of the keys (a missing key is -1, its rows left out as groupby
    # leaves them out): grouping three string keys costs several times more; the order of the
    # groups does not matter, the table is sorted below
    scope, scopes = pd.factorize(scoped["_scope"])
    candidate = pd.factorize(scoped["kandidaat_id"])[0]
    flags_of = scoped[list(STAGES)].reset_index(drop=True)
    dims = ("totaal",) + DIMENSIONS
    parts = []
    for order, dim in enumerate(dims):
        value, values = pd.factorize(scoped[dim])
        keep = (scope >= 0) & (value >= 0) & (candidate >= 0)
        coded = flags_of[keep].assign(_scope=scope[keep], _waarde=value[keep], _kandidaat=candidate[keep])
        flags = coded.groupby(["_scope", "_waarde", "_kandidaat"])[list(STAGES)].any()
        sums = _sums(flags, ["_scope", "_waarde"])
        table = sums[list(STAGES)].astype("int64").join(_rates(sums)).reset_index()
        table = table.assign(
            partner_id=scopes.take(table.pop("_scope").to_numpy()),
            waarde=values.take(table.pop("_waarde").to_numpy()),
        )
        parts.append(table.assign(dimensie=dim, _order=order))
    table = pd.concat(parts, ignore_index=True)
    if not ((table["partner_id"] == "regio") & (table["dimensie"] == "totaal")).any():
        zero = count_candidates(stages).assign(partner_id="regio", dimensie="totaal", waarde="totaal", _order=0)
        table = pd.concat([zero, table], ignore_index=True)
    table = table.assign(_regio=table["partner_id"] != "regio").sort_values(
        ["_regio", "partner_id", "_order", "waarde"], kind="stable"
    )
    columns = ["partner_id", "dimensie", "waarde", *STAGES, *RATE_COLUMNS]
    return table[columns].astype({s: "int64" for s in STAGES}).reset_index(drop=True)


def programme_progress(stages: pd.DataFrame, period: str, settings: Settings) -> pd.DataFrame:
    """Durable placements per quarter against the linear pace needed to reach the target.

    Quarters run from the programme start to the later of the target date and ``period``.
    ``duurzaam_cumulatief`` = candidates whose earliest durable day is on or before the quarter's
    end, computed from the current period's trajecten (the latest full snapshot; a placement
    durable now was durable from its durable day on), empty for quarters after ``period``.
    ``duurzaam_in_periode`` is the quarter's increase (the first quarter also holds placements
    durable before the programme started). ``nodig_cumulatief`` = doel × days elapsed since the
    start / days from start to target (inclusive, capped at doel); ``nodig_per_kwartaal`` is
    its increase per quarter.
    """
    prog = settings.programme
    current = parse_period(period)
    quarters = periods_between(period_of(prog.start_datum), max(current, period_of(prog.doel_datum)))
    known = stages[stages["kandidaat_id"].notna()]
    first_durable = known.groupby("kandidaat_id")["duurzaam_datum"].min().dropna().sort_values()
    total_days = (prog.doel_datum - prog.start_datum).days + 1
    rows = []
    for q in quarters:
        needed = prog.doel_duurzaam * min(1.0, ((q.peildatum - prog.start_datum).days + 1) / total_days)
        done = int((first_durable <= pd.Timestamp(q.peildatum)).sum()) if q <= current else None
        rows.append({"periode": q.code, "duurzaam_cumulatief": done, "nodig_cumulatief": needed})
    out = pd.DataFrame(rows)
    out["duurzaam_cumulatief"] = out["duurzaam_cumulatief"].astype("Int64")
    out["duurzaam_in_periode"] = out["duurzaam_cumulatief"].diff().fillna(out["duurzaam_cumulatief"])
    out.loc[0, "duurzaam_in_periode"] = out.loc[0, "duurzaam_cumulatief"]
    out["nodig_per_kwartaal"] = out["nodig_cumulatief"].diff().fillna(out["nodig_cumulatief"])
    return out[["periode", "duurzaam_cumulatief", "nodig_cumulatief", "duurzaam_in_periode", "nodig_per_kwartaal"]]


def programme_target(durable: int, period: str, settings: Settings) -> dict:
    """Progress towards the target at the period: realised %, and the pace still needed."""
    prog = settings.programme
    current = parse_period(period)
    target_q = period_of(prog.doel_datum)
    remaining_quarters = len(periods_between(current.next(), target_q)) if current < target_q else 0
    still_needed = max(prog.doel_duurzaam - durable, 0)
    return {
        "duurzaam": prog.doel_duurzaam,
        "datum": prog.doel_datum.isoformat(),
        "realisatie_pct": durable / prog.doel_duurzaam * 100,
        "nog_nodig": still_needed,
        "resterende_kwartalen": remaining_quarters,
        "nodig_per_resterend_kwartaal": (still_needed / remaining_quarters if remaining_quarters else None),
    }


OUTLOOK_QUARTERS = 4  # "at this pace": the mean of the last four quarters (one year, no season)


def target_outlook(
    per_quarter: Iterable[float], durable: int, period: str, settings: Settings, window: int = OUTLOOK_QUARTERS
) -> dict:
    """The programme target's outlook at the current pace (docs/reports.md, regio.html: "the
    programme target's outlook in words").

    ``per_quarter``: durable placements added per quarter, in order, up to and including
    ``period`` (``programma_voortgang.csv``'s ``duurzaam_in_periode``). The pace is the mean of
    the last ``window`` quarters (``tempo_per_kwartaal`` over ``tempo_kwartalen``). At that pace
    the target is reached in quarter ``kwartaal_doel_bij_tempo`` = ``period`` + ceil(still
    needed / pace) quarters (``period`` itself when nothing is needed; None when the pace is 0),
    and ``doel_gehaald_bij_tempo`` says whether that is no later than the target's quarter.
    """
    prog = settings.programme
    recent = [float(v) for v in list(per_quarter)[-window:] if not pd.isna(v)]
    pace = sum(recent) / len(recent) if recent else 0.0
    still_needed = max(prog.doel_duurzaam - int(durable), 0)
    current = parse_period(period)
    if still_needed == 0:
        reached = current
    elif pace > 0:
        reached = current
        for _ in range(int(np.ceil(still_needed / pace - 1e-9))):
            reached = reached.next()
    else:
        reached = None
    return {
        "tempo_kwartalen": len(recent),
        "tempo_per_kwartaal": pace,
        "kwartaal_doel_bij_tempo": reached.code if reached is not None else None,
        "doel_gehaald_bij_tempo": reached is not None and reached <= period_of(prog.doel_datum),
    }


def trainees_in_social_return(sr_candidates: Iterable[str], stages: pd.DataFrame) -> dict:
    """Link to social return: distinct social-return candidates (counting person-block lines)
    who are also programme trainees (same pseudonymised candidate in trajecten)."""
    series = sr_candidates if isinstance(sr_candidates, pd.Series) else pd.Series(list(sr_candidates))
    sr = pd.Index(series.astype("string").dropna().unique())
    both = len(sr.intersection(pd.Index(stages["kandidaat_id"].dropna().unique())))
    return {
        "sr_kandidaten": len(sr),
        "ook_trajectkandidaat": both,
        "ook_trajectkandidaat_pct": both / len(sr) * 100 if len(sr) else None,
    }


def training_kpi(stages: pd.DataFrame, period: str, settings: Settings, sr_candidates: Iterable[str] = ()) -> dict:
    """The ``trajecten_kpi.json`` document (docs/outputs.md shape, extended with rates and pace)."""
    p = parse_period(period)
    totals = count_candidates(stages).iloc[0]
    kandidaten = {s: int(totals[s]) for s in STAGES}
    doel = programme_target(kandidaten["duurzaam"], period, settings)
    progress = programme_progress(stages, period, settings)
    done = progress[progress["periode"].map(lambda q: parse_period(q) <= p)]
    doel.update(target_outlook(done["duurzaam_in_periode"], kandidaten["duurzaam"], period, settings))
    return {
        "periode": p.code,
        "peildatum": p.peildatum.isoformat(),
        "kandidaten": kandidaten,
        "in_periode": count_in_period(stages, p.start, p.peildatum),
        "doel": doel,
        "percentages": {r: (None if pd.isna(totals[r]) else float(totals[r])) for r in RATE_COLUMNS},
        "trajecten": int(len(stages)),
        "koppeling_social_return": trainees_in_social_return(sr_candidates, stages),
    }
