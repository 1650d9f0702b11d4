"""make share: each partner's package holds what that partner may receive and nothing else."""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile

import pandas as pd
import pytest

from pipeline.core.errors import PipelineError
from pipeline.orchestrate import share
from tests.conftest import E2E_PERIOD

INTERNAL = re.compile(r"(^|/)(index\.html|kwaliteit\.html|manifest\.json|data/|notebooks/)")


@pytest.fixture
def published(demo_build, monkeypatch):
    monkeypatch.setenv("SROI_CLEAN_DIR", str(demo_build / "clean"))
    monkeypatch.setenv("SROI_REPORTS_DIR", str(demo_build / "reports"))
    return demo_build


def test_every_package_holds_only_its_own_partner_and_nothing_internal(published, tmp_path):
    folder = share.share(E2E_PERIOD, published / "raw-unused", out_root=tmp_path, verify_first=False)
    partners = pd.read_parquet(published / "clean" / E2E_PERIOD / "partners.parquet")
    ids = set(partners["partner_id"])
    zips = sorted(folder.glob("*.zip"))
    assert {z.stem for z in zips} == ids
    for z in zips:
        own = z.stem
        with zipfile.ZipFile(z) as zf:
            names = zf.namelist()
            assert all(n.startswith(own + "/") for n in names)
            inner = [n.split("/", 1)[1] for n in names]
            assert f"partners/{own}.html" in inner and "regio.html" in inner
            assert not [n for n in inner if INTERNAL.search(n)], inner
            pages = [n for n in inner if n.startswith("partners/")]
            assert all(n.split("/")[1].rsplit(".", 1)[0] == own for n in pages), pages
            for name in names:
                data = zf.read(name)
                # no link to, or file name of, another partner's page
                others = {m.decode() for m in re.findall(rb"partners/([a-z0-9-]+)\.(?:html|xlsx)", data)}
                assert others <= {own}, (own, name, others - {own})
                if name.endswith(f"partners/{own}.html"):
                    published_page = (published / "reports" / E2E_PERIOD / "partners" / f"{own}.html").read_bytes()
                    assert data == published_page  # the page as published, byte for byte


def test_two_runs_give_the_same_bytes_and_the_list_holds_their_checksums(published, tmp_path):
    a = share.share(E2E_PERIOD, published, out_root=tmp_path / "a", verify_first=False)
    b = share.share(E2E_PERIOD, published, out_root=tmp_path / "b", verify_first=False)
    for z in sorted(a.glob("*.zip")):
        assert z.read_bytes() == (b / z.name).read_bytes(), z.name
    assert (a / "verzendlijst.csv").read_bytes() == (b / "verzendlijst.csv").read_bytes()
    rows = list(csv.DictReader((a / "verzendlijst.csv").open(encoding="utf-8")))
    assert rows and list(rows[0]) == list(share.LIST_COLUMNS)
    for row in rows[:20]:
        with zipfile.ZipFile(a / row["pakket"]) as zf:
            data = zf.read(f"{row['partner_id']}/{row['bestand']}")
        assert hashlib.sha256(data).hexdigest() == row["sha256"]


def test_an_unverified_publication_is_verified_first_and_refused_when_it_fails(published, tmp_path, monkeypatch):
    from pipeline.orchestrate import verify

    share.stamp_path(E2E_PERIOD).unlink(missing_ok=True)
    called = []
    monkeypatch.setattr(verify, "verify", lambda period, raw: called.append(period) or 1)
    with pytest.raises(PipelineError, match="make verify"):
        share.share(E2E_PERIOD, published, out_root=tmp_path, verify_first=True)
    assert called == [E2E_PERIOD] and not list(tmp_path.rglob("*.zip"))
    # a stamp of this very manifest (left by a successful make verify) is trusted
    share.write_stamp(E2E_PERIOD)
    try:
        share.share(E2E_PERIOD, published, out_root=tmp_path, verify_first=True)
        assert called == [E2E_PERIOD]
        # a changed manifest is no longer covered by the stamp
        share.stamp_path(E2E_PERIOD).write_text("0" * 64 + "\n", encoding="utf-8")
        assert not share.is_verified(E2E_PERIOD)
    finally:
        share.stamp_path(E2E_PERIOD).unlink(missing_ok=True)


def test_a_period_that_is_not_published_is_refused(published, tmp_path):
    with pytest.raises(PipelineError, match="niet gepubliceerd"):
        share.share("2030Q1", published, out_root=tmp_path)
