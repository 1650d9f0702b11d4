"""Work done beside a stage (pipeline/orchestrate/publish.py): the earlier quarters are brought up
to date in a thread while the first stage reads this quarter's raw files; its value or its error
reaches the run where it waits for it."""

from __future__ import annotations

import threading

import pytest

from pipeline.core.errors import PipelineError
from pipeline.orchestrate.publish import _Beside


def test_the_value_comes_back_once_the_work_is_done():
    release = threading.Event()
    beside = _Beside(lambda a, b: release.wait(10) and a + b, 2, 3)
    assert beside._thread.is_alive()  # the caller goes on meanwhile
    release.set()
    assert beside.result() == 5


def test_an_error_beside_is_raised_in_the_caller():
    def refuse():
        raise PipelineError("ander sleutel", "another key")

    beside = _Beside(refuse)
    beside.join()  # waiting alone never raises: a failed stage keeps its own error
    with pytest.raises(PipelineError, match="ander sleutel"):
        beside.result()
