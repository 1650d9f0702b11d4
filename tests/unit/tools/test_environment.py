"""The frame: one source of truth for dependencies, a Makefile that explains itself."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from pipeline.core.paths import ROOT
from tools.envfile import environment_yml, read_lock


def _name(pin: str) -> str:
    return re.split(r"[=<>!~ ]", pin, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_is_derived_from_the_lock():
    committed = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert committed == environment_yml(read_lock(ROOT / "requirements.lock")), (
        "environment.yml disagrees with requirements.lock: run `make env-file`"
    )


def test_every_lock_line_is_an_exact_pin():
    pins = read_lock(ROOT / "requirements.lock")
    assert pins, "empty lock"
    bad = [p for p in pins if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", p)]
    assert bad == []


def test_every_declared_dependency_is_locked():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    locked = {_name(p) for p in read_lock(ROOT / "requirements.lock")}
    missing = [d for d in declared if _name(d) not in locked]
    assert missing == []


def test_make_help_lists_every_target_with_a_description():
    out = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for target in (
        "report",
        "lab",
        "test",
        "demo-data",
        "clean",
        "check-export",
        "templates",
        "share",
        "verify",
        "bench",
    ):
        assert re.search(rf"^\s+{target}\s+\S", out, re.M), f"{target} missing from make help"


@pytest.mark.parametrize("period", ["2021Q9", "2021Q5", "21Q3", "2021-3", "", "2021Q3; rm -rf x"])
def test_make_report_refuses_a_bad_period_in_one_line(period):
    proc = subprocess.run(
        ["make", "--no-print-directory", "report", f"PERIOD={period}"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode != 0
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "ongeldige periode" in lines[0] and "invalid period" in lines[0]
    assert "Traceback" not in lines[0]


def test_the_slow_grammar_of_the_optional_iri_check_is_not_locked():
    # nbformat -> jsonschema would build rfc3987-syntax's grammar on every import (2.7 s per
    # papermill, nbconvert and test process); `make lock` drops it and nothing needs it
    locked = {_name(p) for p in read_lock(ROOT / "requirements.lock")}
    assert not {"rfc3987-syntax", "lark"} & locked


def _tree(text: str) -> str:
    start = text.index("    .\n    ├── Makefile")
    return text[start : text.index("    └── docs/", start)]


def test_the_readme_tree_is_the_architecture_tree_and_matches_the_packages():
    readme = _tree((ROOT / "README.md").read_text(encoding="utf-8"))
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert architecture.startswith("# Architecture") and readme == _tree(architecture)
    listed = set(re.findall(r"── ([a-z_]+)/ ", readme.split("├── pipeline/")[1].split("├── tools/")[0]))
    on_disk = {p.name for p in (ROOT / "pipeline").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert listed == on_disk
    assert [p.name for p in (ROOT / "pipeline").glob("*.py")] == ["__init__.py"]


def test_every_pin_carries_the_hashes_pip_checks():
    # pip runs in hash-checking mode as soon as one pin has a hash: every pin must have them
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(blocks) == len(read_lock(ROOT / "requirements.lock"))
    for block in blocks:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.splitlines()[0]
