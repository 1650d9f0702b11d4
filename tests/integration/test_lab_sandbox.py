"""Notebooks run by hand never change a publication (docs/outputs.md: only make report publishes).

Every notebook in notebooks/ is executed the way JupyterLab runs it: with its own default
parameters, the kernel started in notebooks/, no orchestrator. The published period (the demo
build) is hashed file by file before and after; the stages' outputs must land in the scratch
folder instead.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from pipeline.core.paths import NOTEBOOKS_DIR
from tests.conftest import E2E_PERIOD, report_env


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_notebook_with_its_defaults_leaves_the_publication_alone(demo_build, tmp_path):
    lab = tmp_path / "lab"
    env = report_env(demo_build, {"SROI_LAB_DIR": str(lab)})
    before = {"clean": _hashes(demo_build / "clean"), "reports": _hashes(demo_build / "reports")}
    assert before["reports"], "the demo build published nothing"

    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert [n.name for n in notebooks][:3] == ["01_clean.ipynb", "02_validate.ipynb", "03_compute.ipynb"]
    # 02 and 03 first, on an empty scratch folder: they must start from the published clean data
    order = [notebooks[1], notebooks[2], notebooks[0], *notebooks[3:]]
    for nb in order:
        done = subprocess.run(
            [sys.executable, "-m", "papermill", "--cwd", str(NOTEBOOKS_DIR), str(nb), str(tmp_path / nb.name)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"{nb.name}: {done.stderr[-2000:]}"

    after = {"clean": _hashes(demo_build / "clean"), "reports": _hashes(demo_build / "reports")}
    assert after == before

    sandbox = lab / E2E_PERIOD
    assert (sandbox / "clean" / "opdrachten.parquet").is_file()
    assert (sandbox / "clean" / "afgekeurd.csv").is_file()
    assert (sandbox / "reports" / "data" / "opdrachten.csv").is_file()
    assert (sandbox / "reports" / "data" / "regio.json").is_file()
    # the stages said where they wrote, in their first output
    said = {n: (tmp_path / f"{n}.ipynb").read_text(encoding="utf-8") for n in ("02_validate", "03_compute")}
    assert "kopie van de gepubliceerde schone data" in said["02_validate"]  # it ran first, on nothing
    assert all("nooit naar de publicatie" in text for text in said.values())
