"""Pre-flight check of one export before it is delivered: ``make check-export FILE=... PARTNER=...``.

Runs the real ingest of that one file (:func:`pipeline.ingest.stage.ingest_table`) and the real
validation (:func:`pipeline.validate.stage.validate_table`, the same suites), then writes a small,
self-contained Dutch HTML page listing every problem by Excel row, column and reason, and prints
one verdict line. Exit code: 0 no rejected rows, 1 rejected rows, 2 unreadable (or unusable
arguments). Never a traceback.

The BSN is pseudonymised with a one-time random key: pseudonyms are only needed inside the
check (eleven-test, double counts within the file), never shown, and the region's secret key is
not needed on the partner's machine.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.core.errors import PipelineError
from pipeline.core.periods import Period, parse_period

SEVERITY_NL = {"reject": "afgekeurd", "warning": "waarschuwing", "info": "ter informatie"}


@dataclass
class CheckOutcome:
    """The verdict on one file; ``problems`` has afgekeurd/bevindingen columns plus severity."""

    bestand: str
    partner_id: str
    dataset: str
    period: str
    exit_code: int
    verdict_nl: str
    verdict_en: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: pd.DataFrame | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)


def check_file(path: Path, partner_id: str, dataset: str | None = None, period: str | None = None) -> CheckOutcome:
    """Ingest and validate one file as the pipeline would; never raises for a bad file.

    Raises:
        PipelineError: unusable arguments (unknown partner or dataset, no period to be found).
    """
    from pipeline.core.schema import DATASETS
    from pipeline.ingest.deliveries import FoundFile, dataset_of
    from pipeline.ingest.mappings import load_mappings
    from pipeline.ingest.readers import UnreadableFileError
    from pipeline.ingest.stage import ingest_table
    from pipeline.ingest.typecast import header_lines, read_export

    roles = _register(path)  # read once: an unknown partner is refused, a role mismatch noted
    check_partner(partner_id, roles)
    p = parse_period(period) if period else period_of_file(path)
    name = path.name  # the page shows the file name only, never a path of this machine
    dataset = dataset or dataset_of(name)
    if dataset not in DATASETS:
        raise PipelineError(
            f"dataset van {name} onbekend: geef DATASET=… (make) of --dataset ({', '.join(DATASETS)})",
            f"dataset of {name} unknown: pass DATASET=… (make) or --dataset ({', '.join(DATASETS)})",
        )
    found = FoundFile(path, name, partner_id, dataset, p.code)
    mappings = load_mappings()
    mapping = mappings[partner_id].for_dataset(dataset) if partner_id in mappings else None
    outcome = CheckOutcome(name, partner_id, dataset, p.code, 2, "", "")
    try:
        table = read_export(path.read_bytes(), found, mapping)
    except UnreadableFileError as exc:
        outcome.verdict_nl, outcome.verdict_en = f"ONLEESBAAR: {exc.nl}", f"UNREADABLE: {exc.en}"
        return outcome
    clean, rejects, counts, notes = ingest_table(table, found, os.urandom(32))
    outcome.notes = _register_notes(partner_id, dataset, roles) + [(nl, en) for _, nl, en in notes]
    problems, counts = _validate(dataset, clean, rejects, counts, p, header_lines(dataset, [(found, table)]))
    outcome.counts, outcome.problems = counts, problems
    rejected = counts["rijen_afgekeurd"]
    counted = problems[~problems["op_afgekeurde_rij"]]  # exactly what the run records for this file
    warned, informed = (int((counted["severity"] == name).sum()) for name in ("warning", "info"))
    if counts["rijen_gelezen"] == 0:  # header only: delivering it would look like "nothing to report"
        outcome.exit_code = 1
        outcome.verdict_nl = "LEEG: het bestand heeft kolomkoppen maar geen enkele rij"
        outcome.verdict_en = "EMPTY: the file has column headers but not a single row"
        return outcome
    outcome.exit_code = 1 if rejected else 0
    word_nl, word_en = ("AFGEKEURD", "REJECTED") if rejected else ("GOED", "OK")
    outcome.verdict_nl = (
        f"{word_nl}: {rejected} van {counts['rijen_gelezen']} rijen afgekeurd, {warned} waarschuwing(en), "
        f"{informed} ter informatie"
    )
    outcome.verdict_en = (
        f"{word_en}: {rejected} of {counts['rijen_gelezen']} rows rejected, {warned} warning(s), {informed} note(s)"
    )
    return outcome


def _validate(
    dataset: str, clean: pd.DataFrame, rejects: pd.DataFrame, counts: dict, p: Period, kolommen: pd.DataFrame
):
    from pipeline.core.settings import settings
    from pipeline.ingest.typecast import with_delivered_headers
    from pipeline.validate import findings
    from pipeline.validate.stage import FINDING_COLUMNS, sort_lines, suite_parameters, validate_table

    checked = validate_table(dataset, clean, suite_parameters(p.peildatum))
    within = [findings.empty()]
    if dataset == "opdrachten":
        within.append(findings.obligation_mismatches(checked.clean, settings().valuation.obligation_tolerance_eur))
    if dataset == "inzet":
        within.append(findings.double_counts(checked.clean))
    lines = pd.concat(
        [
            rejects.assign(severity="reject"),
            checked.rejections.assign(severity="reject"),
            checked.findings,
            # the run records no finding on a rejected row; the check shows them too, marked, so a
            # partner can fix a row at once (they are not counted in the verdict)
            checked.findings_on_rejected.assign(op_afgekeurde_rij=True),
            *within,
        ],
        ignore_index=True,
    )
    problems = sort_lines(with_delivered_headers(lines, kolommen), [*FINDING_COLUMNS, "op_afgekeurde_rij"])
    problems["op_afgekeurde_rij"] = (problems["op_afgekeurde_rij"] == "True").astype(bool)
    rejected = problems.loc[problems["severity"] == "reject", "rij"].dropna().nunique()
    counts = {**counts, "rijen_schoon": len(checked.clean), "rijen_afgekeurd": int(rejected)}
    if counts["rijen_gelezen"] != counts["rijen_schoon"] + counts["rijen_afgekeurd"]:
        raise RuntimeError(f"row conservation broken: {counts}")
    return problems, counts


def _register_notes(partner_id: str, dataset: str, roles: dict[str, str]) -> list[tuple[str, str]]:
    """Whether this partner's role delivers this dataset, by the register of the raw folder."""
    from pipeline.core.schema import dataset_spec

    if partner_id in roles and roles[partner_id] not in dataset_spec(dataset).delivered_by:
        return [
            (
                f"{dataset} wordt niet geleverd door een {roles[partner_id]}",
                f"{dataset} is not delivered by a {roles[partner_id]}",
            )
        ]
    return []


def _register(path: Path) -> dict[str, str]:
    """partner_id -> rol from the partner register: the ``partners.csv`` of the raw folder the
    file sits in (``<RAW>/<P>/<partner>/file``), else of the configured raw folder; empty when
    neither has a sound one (a partner checking on its own machine)."""
    from pipeline.core.paths import raw_dir
    from pipeline.ingest.deliveries import read_partners

    for folder in [*Path(path).resolve().parents[1:3], raw_dir()]:
        if (folder / "partners.csv").is_file():
            try:
                partners = read_partners(folder)
            except PipelineError:
                return {}
            return dict(zip(partners["partner_id"], partners["rol"]))
    return {}


def check_partner(partner_id: str, roles: dict[str, str]) -> None:
    """An unknown partner is an error naming the known ones (docs/exports.md: the folder name of its
    deliveries is its partner_id), when a register is at hand (``roles`` from :func:`_register`)."""
    known = sorted(roles)
    if known and partner_id not in known:
        shown = ", ".join(known[:12])
        more = len(known) - 12
        raise PipelineError(
            f"partner {partner_id!r} staat niet in partners.csv; bekend: {shown}"
            + (f" (en {more} meer)" if more > 0 else ""),
            f"partner {partner_id!r} is not in partners.csv; known: {shown}"
            + (f" (and {more} more)" if more > 0 else ""),
        )


def period_of_file(path: Path) -> Period:
    """The quarter a file belongs to: its ``<PERIOD>/`` folder (docs/exports.md layout), else a
    ``YYYYQn`` in its name; never the clock (a file checked in October for 2021Q3 is 2021Q3).

    >>> period_of_file(Path("raw/2021Q3/gemeente-a/opdrachten.csv")).code, period_of_file(Path("inzet_2020Q4.xlsx")).code
    ('2021Q3', '2020Q4')
    """
    for folder in Path(path).parents:
        if re.fullmatch(r"[0-9]{4}Q[1-4]", folder.name):
            return parse_period(folder.name)
    found = re.findall(r"(?<![0-9])([0-9]{4}Q[1-4])(?![0-9])", Path(path).name, flags=re.IGNORECASE)
    if len(set(f.upper() for f in found)) == 1:
        return parse_period(found[0].upper())
    raise PipelineError(
        f"periode van {Path(path).name} onbekend: geef PERIOD=JJJJKn (make) of --period",
        f"period of {Path(path).name} unknown: pass PERIOD=YYYYQn (make) or --period",
    )


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;
padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eee}.reject{background:#fde8e8}
.warning{background:#fff6db}.info{background:#eef5ff}.verdict{font-size:1.2em;font-weight:bold}
.goed{color:#176117}.fout{color:#a11}"""


def render_html(outcome: CheckOutcome) -> str:
    """A self-contained Dutch page (no external assets; every text escaped)."""
    e = html.escape
    ok = outcome.exit_code == 0
    peildatum = parse_period(outcome.period).peildatum.strftime("%d-%m-%Y")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8">',
        f"<title>Controle aanlevering {e(outcome.bestand)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Controle van de aanlevering {e(outcome.bestand)}</h1>",
        f"<p>Partner <b>{e(outcome.partner_id)}</b> · dataset <b>{e(outcome.dataset)}</b> · "
        f"periode <b>{e(outcome.period)}</b> (peildatum {e(peildatum)})</p>",
        f'<p class="verdict {"goed" if ok else "fout"}">{e(outcome.verdict_nl)}</p>',
    ]
    if outcome.counts:
        c = outcome.counts
        parts.append(
            f"<p>Rijen gelezen: {c['rijen_gelezen']} · lege rijen overgeslagen: {c.get('rijen_leeg', 0)} · "
            f"goedgekeurd: {c['rijen_schoon']} · afgekeurd: {c['rijen_afgekeurd']}</p>"
        )
    if outcome.notes:
        parts.append(
            "<h2>Opmerkingen over het bestand</h2><ul>"
            + "".join(f"<li>{e(nl)}</li>" for nl, _ in outcome.notes)
            + "</ul>"
        )
    problems = outcome.problems
    if problems is not None and len(problems):
        parts.append(
            "<h2>Problemen per rij</h2><p>Rijnummers zijn de rijnummers zoals Excel ze toont. "
            "Een afgekeurde rij telt niet mee tot ze verbeterd opnieuw is aangeleverd; een "
            "waarschuwing telt wel mee maar verdient controle.</p>"
        )
        parts.append(
            "<table><thead><tr><th>Rij</th><th>Kolom</th><th>Waarde</th><th>Reden</th>"
            "<th>Gevolg</th><th>Regel</th></tr></thead><tbody>"
        )
        ordered = problems.sort_values(["rij", "kolom", "regel"], kind="mergesort", na_position="first")
        for row in ordered.itertuples(index=False):
            rij = "" if pd.isna(row.rij) else str(int(row.rij))
            # the column as the partner's file names it; the standard's name (used in the reasons) on hover
            kolom = (
                f'<td title="{e(row.kolom)}">{e(row.kolom_bestand)}</td>'
                if row.kolom_bestand
                else f"<td>{e(row.kolom)}</td>"
            )
            parts.append(
                f'<tr class="{e(row.severity)}"><td>{e(rij)}</td>{kolom}'
                f"<td>{e(row.waarde)}</td><td>{e(row.reden_nl)}</td>"
                f"<td>{e(SEVERITY_NL.get(row.severity, row.severity))}"
                f"{' (rij al afgekeurd; telt niet apart)' if row.op_afgekeurde_rij else ''}</td>"
                f"<td>{e(row.regel)}</td></tr>"
            )
        parts.append("</tbody></table>")
    elif outcome.exit_code != 2:
        parts.append("<p>Geen problemen gevonden.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


USAGE = "gebruik | usage: make check-export FILE=pad PARTNER=partner_id [PERIOD=JJJJKn] [DATASET=naam]"


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # never a usage dump: one line, exit 2
        print(
            f"FOUT: {message} | ERROR: {message} ({USAGE})",
            file=sys.stderr,
        )
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(prog="pipeline.ingest.check_export", description="Controleer één aanlevering.")
    parser.add_argument("--file", required=True)
    parser.add_argument("--partner", required=True)
    parser.add_argument("--dataset")
    parser.add_argument("--period", help="JJJJKn; standaard de <JJJJKn>/-map of de naam van het bestand")
    parser.add_argument("--out", help="HTML-pagina (standaard reports/controle/<partner>_<bestand>.html)")
    args = parser.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        if not args.file.strip() or not args.partner.strip():
            print(USAGE, file=sys.stderr)
            return 2
        path = Path(args.file)
        if not path.is_file():
            raise PipelineError(f"bestand niet gevonden: {path.name}", f"file not found: {path.name}")
        outcome = check_file(path, args.partner, args.dataset, args.period)
        out = Path(args.out) if args.out else _default_out(args.partner, path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(outcome), encoding="utf-8")
        print(f"{outcome.verdict_nl} — zie {out} | {outcome.verdict_en}")
        return outcome.exit_code
    except PipelineError as exc:
        print(exc.one_line(), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a partner never sees a traceback
        print(
            f"FOUT: controle mislukt ({type(exc).__name__}) | ERROR: check failed ({type(exc).__name__})",
            file=sys.stderr,
        )
        return 2


def _default_out(partner_id: str, path: Path) -> Path:
    from pipeline.core.paths import reports_root

    return reports_root() / "controle" / f"{partner_id}_{path.stem}.html"


if __name__ == "__main__":
    sys.exit(main())
