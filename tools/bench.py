"""``make bench``: measure a cold demo period at several scales and print one table.

Figures come from real runs of the pipeline (``python -m pipeline.orchestrate.run report``), never from
timed tests. Per scale, in a scratch folder ``.bench/``:

1. *first run*: nothing built yet, so the trend's history (every earlier quarter's clean data)
   is built too;
2. *cold period*: ``data/clean/<P>`` and ``reports/<P>`` deleted, history kept — what a
   coordinator's quarterly run or a rerun after a corrected delivery costs; three times
   (``--cold-runs``), and the middle one counts, its stage times with it (the shortest and
   longest are printed): this machine's speed drifts from run to run;
3. stage times from the manifest (``duration_seconds``), rows per second per stage, the peak
   memory of the largest process, and the marginal cost of a partner page, estimated from the
   render stage of two scales: (render₂ − render₁) / (pages₂ − pages₁).

The unchanged rerun is timed on the published demo period with ``make report``.

Two anchors are measured in the same run, per scale, beside our figures:

- the *floor*: one Python start that reads every raw file's bytes and parses the CSVs with
  pyarrow (for the first run: every quarter up to the period; for the cold period: the period's
  own folder) — no pipeline could be faster than reading its input once;
- the *naive way*: one ``papermill`` run plus one ``jupyter nbconvert`` call per page (a fresh
  kernel and a fresh converter for every page), timed on five partner pages spread over the list
  and extrapolated to the period's pages; the naive cold period is our cold period with its
  render step replaced by that.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pipeline.core.paths import DEMO_RAW_DIR, ROOT

BENCH_DIR = ROOT / ".bench"
PERIOD = "2021Q3"


def _raw_for(scale: int) -> Path:
    if scale == 1:
        return DEMO_RAW_DIR
    from pipeline.demo.generate import generate
    from pipeline.ingest.pristine import is_pristine_demo

    raw = BENCH_DIR / f"raw-x{scale}"
    if not is_pristine_demo(raw):
        print(f">> demo-data SCALE={scale} genereren in {raw.relative_to(ROOT)}", flush=True)
        generate(raw, scale=scale)
    return raw


def _run(raw: Path, out: Path) -> tuple[float, dict, float]:
    """One report run into ``out``; (wall seconds, manifest, peak RSS in MB of any process)."""
    env = dict(os.environ, SROI_CLEAN_DIR=str(out / "clean"), SROI_REPORTS_DIR=str(out / "reports"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.orchestrate.run", "report", "--period", PERIOD, "--raw-dir", str(raw)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"FOUT: benchmark-run mislukt | ERROR: benchmark run failed:\n{proc.stderr[-2000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    manifest = json.loads((out / "reports" / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    return wall, manifest, peak


FLOOR_CODE = r"""
import io, sys, pathlib
import pyarrow.csv as pc
root = pathlib.Path(sys.argv[1])
files = [f for q in sys.argv[2:] for f in sorted((root / q).rglob("*")) if f.is_file()]
files += [f for f in root.iterdir() if f.is_file()]
for f in files:
    data = f.read_bytes()
    if f.suffix.lower() != ".csv":
        continue
    head = data[:4096].split(b"\n", 1)[0]
    delimiter = ";" if head.count(b";") > head.count(b",") else ","
    try:
        data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"
    try:
        pc.read_csv(
            io.BytesIO(data),
            read_options=pc.ReadOptions(encoding=encoding),
            parse_options=pc.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        )
    except Exception:
        pass  # a broken file costs its attempt
"""


def floor(raw: Path, periods: list[str]) -> float:
    """Seconds of the floor: one Python start reading every raw file of ``periods`` (and the
    register) and parsing the CSVs with pyarrow; best of three."""
    times = []
    for _ in range(3):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", FLOOR_CODE, str(raw), *periods], check=True)
        times.append(time.monotonic() - started)
    return min(times)


def _quarters_up_to(raw: Path) -> list[str]:
    return sorted(p.name for p in raw.iterdir() if p.is_dir() and p.name[:4].isdigit() and p.name <= PERIOD)


NAIVE_SAMPLE = 5


def naive_pages(out: Path, manifest: dict) -> tuple[float, int]:
    """(seconds per page, pages timed): papermill, then nbconvert, for each of
    :data:`NAIVE_SAMPLE` partner pages spread over the list, on the published period in ``out``."""
    pages = [n["parameters"] for n in manifest["notebooks"] if n.get("pagina", "").startswith("partners/")]
    sample = [pages[i * len(pages) // NAIVE_SAMPLE] for i in range(min(NAIVE_SAMPLE, len(pages)))]
    env = dict(os.environ, SROI_CLEAN_DIR=str(out / "clean"), SROI_REPORTS_DIR=str(out / "reports"))
    scratch = BENCH_DIR / "naive"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    started = time.monotonic()
    for params in sample:
        executed = scratch / f"{params['partner_id']}.ipynb"
        subprocess.run(
            [sys.executable, "-m", "papermill", "--cwd", str(ROOT), "--no-progress-bar", "-k", "python3"]
            + ["-r", "period", PERIOD, "-r", "partner_id", params["partner_id"], "-r", "mappen", "gepubliceerd"]
            + [str(ROOT / "notebooks" / "13_partner.ipynb"), str(executed)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [sys.executable, "-m", "nbconvert", "--to", "html", "--template", "sroi"]
            + [f"--TemplateExporter.extra_template_basedirs={ROOT / 'pipeline' / 'templates'}", "--no-input"]
            + [str(executed)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    seconds = (time.monotonic() - started) / max(len(sample), 1)
    shutil.rmtree(scratch, ignore_errors=True)
    return seconds, len(sample)


def measure(scale: int, cold_runs: int = 3) -> dict:
    raw = _raw_for(scale)
    out = BENCH_DIR / f"out-x{scale}"
    shutil.rmtree(out, ignore_errors=True)
    print(f">> SCALE={scale}: eerste run (met geschiedenis)", flush=True)
    first_wall, _, first_peak = _run(raw, out)
    cold = []
    for run in range(cold_runs):
        shutil.rmtree(out / "clean" / PERIOD)
        shutil.rmtree(out / "reports" / PERIOD)
        print(f">> SCALE={scale}: koude periode ({run + 1}/{cold_runs})", flush=True)
        cold.append(_run(raw, out))
    # the median run (its stage times with it): a virtual machine's speed drifts between runs
    cold.sort(key=lambda r: r[0])
    wall, manifest, _ = cold[len(cold) // 2]
    peak = max(r[2] for r in cold)
    rows = sum(i.get("rijen_gelezen") or 0 for i in manifest["invoer"])
    pages = sum(1 for n in manifest["notebooks"] if "pagina" in n)
    print(f">> SCALE={scale}: ondergrens en naïeve manier", flush=True)
    per_page, sampled = naive_pages(out, manifest)
    return {
        "floor_first": floor(raw, _quarters_up_to(raw)),
        "floor_cold": floor(raw, [PERIOD]),
        "naive_page": per_page,
        "naive_sampled": sampled,
        "scale": scale,
        "first_wall": first_wall,
        "wall": wall,
        "cold_spread": (cold[0][0], cold[-1][0], len(cold)),
        "stages": manifest["duration_seconds"],
        "rows": rows,
        "pages": pages,
        "peak_mb": max(peak, first_peak),
    }


def noop_rerun() -> float:
    """Seconds of an unchanged ``make report`` on the published demo period (built first if needed)."""
    subprocess.run(
        ["make", "--no-print-directory", "report", f"PERIOD={PERIOD}"], cwd=ROOT, check=True, capture_output=True
    )
    started = time.monotonic()
    subprocess.run(
        ["make", "--no-print-directory", "report", f"PERIOD={PERIOD}"], cwd=ROOT, check=True, capture_output=True
    )
    return time.monotonic() - started


def table(results: list[dict], noop: float, value_lines_s: float) -> str:
    stage_names = [
        ("01_clean", "inlezen"),
        ("02_validate", "valideren"),
        ("03_compute", "berekenen"),
        ("render", "renderen"),
    ]
    lines = [
        f"machine: {os.cpu_count()} cores, {_memory_gb():.0f} GB, Python {platform.python_version()}",
        f"periode {PERIOD}; tijden in seconden (set-up uitgesloten)",
        "",
    ]
    head = (
        f"{'SCALE':>5} {'rijen':>8} {'pag.':>5} {'eerste run':>10} {'koud':>7} "
        + " ".join(f"{n:>10}" for _, n in stage_names)
        + f" {'piek MB':>8}"
    )
    lines += [head, "-" * len(head)]
    for r in results:
        s = r["stages"]
        lines.append(
            f"{r['scale']:>5} {r['rows']:>8} {r['pages']:>5} {r['first_wall']:>10.1f} {r['wall']:>7.1f} "
            + " ".join(f"{s.get(k, 0):>10.1f}" for k, _ in stage_names)
            + f" {r['peak_mb']:>8.0f}"
        )
    lines.append("")
    lines.append(
        "koud: de middelste van meer runs (met haar staptijden); kortste – langste: "
        + "; ".join(
            f"SCALE={r['scale']}: {r['cold_spread'][0]:.1f} – {r['cold_spread'][1]:.1f} s ({r['cold_spread'][2]} runs)"
            for r in results
        )
    )
    lines.append(
        "rijen per seconde per stap: "
        + "; ".join(
            f"SCALE={r['scale']}: "
            + ", ".join(f"{n} {r['rows'] / max(r['stages'].get(k, 0), 1e-9):,.0f}" for k, n in stage_names)
            for r in results
        )
    )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        marginal = (b["stages"]["render"] - a["stages"]["render"]) / max(b["pages"] - a["pages"], 1)
        lines.append(
            f"marginale kosten per partnerpagina: {marginal:.2f} s "
            f"((render x{b['scale']} − render x{a['scale']}) / (pagina's x{b['scale']} − x{a['scale']}))"
        )
        lines.append(f"koud x{b['scale']} / koud x{a['scale']}: {b['wall'] / a['wall']:.1f}×")
        lines.append(f"eerste run x{b['scale']} / eerste run x{a['scale']}: {b['first_wall'] / a['first_wall']:.1f}×")
    lines.append("")
    lines.append("ankers (zelfde run): ondergrens = één Python-start die alle ruwe bestanden leest en de CSV's met")
    lines.append("pyarrow parseert; naïef = per pagina één papermill-run en één nbconvert-aanroep (gemeten op")
    lines.append("5 partnerpagina's, doorgerekend naar alle pagina's), de stappen ervoor als bij ons")
    head = (
        f"{'SCALE':>5} {'ondergrens eerste':>17} {'eerste/ondergrens':>17} {'ondergrens koud':>15} "
        f"{'koud/ondergrens':>15} {'naïef s/pag.':>12} {'naïef koud':>10} {'naïef/koud':>10}"
    )
    lines += [head, "-" * len(head)]
    for r in results:
        naive_cold = r["wall"] - r["stages"].get("render", 0) + r["naive_page"] * r["pages"]
        lines.append(
            f"{r['scale']:>5} {r['floor_first']:>17.2f} {r['first_wall'] / r['floor_first']:>16.0f}× "
            f"{r['floor_cold']:>15.2f} {r['wall'] / r['floor_cold']:>14.0f}× {r['naive_page']:>12.2f} "
            f"{naive_cold:>10.1f} {naive_cold / r['wall']:>9.1f}×"
        )
    lines.append("")
    lines.append(f"ongewijzigde herhaalrun (make report PERIOD={PERIOD}): {noop:.2f} s")
    lines.append(f"200.000 inzetregels waarderen: {value_lines_s:.2f} s")
    return "\n".join(lines)


def _memory_gb() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.bench")
    parser.add_argument("--scales", default="1,10", help="comma-separated, e.g. 1,10,100")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs per scale; the median counts")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    results = [measure(s, max(1, args.cold_runs)) for s in scales]
    from pipeline.indicators import bench_value_lines

    value_lines_s = bench_value_lines()
    print()
    print(table(results, noop_rerun(), value_lines_s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
