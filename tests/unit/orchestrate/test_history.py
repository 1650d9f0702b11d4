"""Earlier quarters built for the trend: read largest first, each validated as soon as it can be."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.orchestrate import history


@pytest.fixture
def clean(tmp_path, monkeypatch):
    monkeypatch.setenv("SROI_CLEAN_DIR", str(tmp_path / "clean"))
    (tmp_path / "clean").mkdir()
    return tmp_path / "clean"


def test_raw_size_counts_the_files_under_a_quarter_and_is_zero_for_no_folder(tmp_path):
    (tmp_path / "2020Q1" / "a").mkdir(parents=True)
    (tmp_path / "2020Q1" / "a" / "inzet.csv").write_bytes(b"x" * 10)
    (tmp_path / "2020Q1" / "b.csv").write_bytes(b"x" * 5)
    (tmp_path / "2020Q1" / "link.csv").symlink_to(tmp_path / "2020Q1" / "a" / "inzet.csv")
    # 10 + 5 + the link itself (its own few bytes, not the 10 it points to)
    link = (tmp_path / "2020Q1" / "link.csv").lstat().st_size
    assert history._raw_size(tmp_path / "2020Q1") == 15 + link
    assert history._raw_size(tmp_path / "2020Q2") == 0


def test_each_quarter_is_validated_once_it_and_the_quarter_before_it_are_read(clean, monkeypatch):
    # 2020Q2 has no deliveries: not validated, and 2020Q3 is then compared with nothing;
    # 2020Q3 is read slowly: 2020Q4 (read quickly) must wait for it before its validation
    sizes = {"2020Q1": 100, "2020Q2": 50, "2020Q3": 300, "2020Q4": 200}
    slow = {"2020Q3": 0.4}
    finished: set[str] = set()
    started: list[str] = []
    validated: list[tuple[str, str | None, frozenset]] = []
    lock = threading.Lock()

    def ingest(job):
        period, _, scratch = job
        with lock:
            started.append(period)
        time.sleep(slow.get(period, 0.05))
        if period == "2020Q2":
            result = None
        else:
            (history._scratch(period) / "_ingest").mkdir(parents=True)
            result = period
        with lock:
            finished.add(period)
        return result

    def validate(job):
        period, _, previous = job
        with lock:
            validated.append((period, previous, frozenset(finished)))
        return period

    monkeypatch.setattr(history, "_validate_one", validate)
    order = sorted(sizes, key=lambda q: (-sizes[q], q))
    read: dict[str, bool] = {}
    validating: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = {pool.submit(ingest, (q, "raw", str(history._scratch(q)))): q for q in order}
        history._schedule(pool, set(reading), reading, order, sizes, read, validating)

    # largest first: the two largest at once, then the others as a worker comes free
    assert set(started[:2]) == {"2020Q3", "2020Q4"} and started[2:] == ["2020Q1", "2020Q2"]
    assert read == {"2020Q1": True, "2020Q2": False, "2020Q3": True, "2020Q4": True}
    by_quarter = {q: (prev, seen) for q, prev, seen in validated}
    assert sorted(by_quarter) == ["2020Q1", "2020Q3", "2020Q4"]  # 2020Q2: nothing delivered
    assert by_quarter["2020Q1"][0] is None  # 2019Q4 is not built anywhere
    assert by_quarter["2020Q3"][0] is None  # 2020Q2 had no deliveries
    assert by_quarter["2020Q4"][0] == str(history._scratch("2020Q3") / "_ingest")
    for q, (_, seen) in by_quarter.items():
        prev = {"2020Q1": "2019Q4", "2020Q3": "2020Q2", "2020Q4": "2020Q3"}[q]
        assert q in seen and (prev not in sizes or prev in seen), (q, seen)


def test_a_quarter_before_the_missing_ones_is_compared_from_the_clean_folder(clean, monkeypatch):
    (clean / "2020Q1" / "_ingest").mkdir(parents=True)  # built by an earlier run
    validated = []
    monkeypatch.setattr(history, "_validate_one", lambda job: validated.append(job))

    def ingest(job):
        (history._scratch(job[0]) / "_ingest").mkdir(parents=True)
        return job[0]

    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = {pool.submit(ingest, ("2020Q2", "raw", "")): "2020Q2"}
        history._schedule(pool, set(reading), reading, ["2020Q2"], {"2020Q2": 1}, {}, set())
    assert validated == [("2020Q2", str(history._scratch("2020Q2")), str(clean / "2020Q1" / "_ingest"))]
