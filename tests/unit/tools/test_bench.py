"""The benchmark's table (tools/bench.py): the cold figure is the middle of several runs, and the
spread is printed beside it."""

from __future__ import annotations

from tools import bench


def _result(scale: int, wall: float, spread: tuple[float, float, int], render: float, pages: int) -> dict:
    return {
        "scale": scale,
        "rows": 3331 * scale,
        "pages": pages,
        "first_wall": 3 * wall,
        "wall": wall,
        "cold_spread": spread,
        "stages": {"01_clean": 2.0, "02_validate": 4.0, "03_compute": 1.5, "render": render},
        "peak_mb": 300.0,
        "floor_first": 1.0,
        "floor_cold": 0.5,
        "naive_page": 2.0,
        "naive_sampled": 5,
    }


def test_the_table_shows_the_middle_cold_run_and_the_spread():
    results = [_result(1, 19.5, (18.9, 21.0, 3), 6.0, 35), _result(100, 95.0, (93.0, 99.5, 3), 60.0, 314)]
    text = bench.table(results, noop=0.5, value_lines_s=1.0)
    assert "SCALE=1: 18.9 – 21.0 s (3 runs); SCALE=100: 93.0 – 99.5 s (3 runs)" in text
    # 95,0 / 19,5 = 4,87 → 4.9×; a page: (60 − 6) / (314 − 35) = 0,19 s
    assert "koud x100 / koud x1: 4.9×" in text
    assert "marginale kosten per partnerpagina: 0.19 s" in text
