"""make test's own set-up: browser and PDF tools installed where possible, else one line at once."""

import shutil

from tools import test_deps


def test_nothing_missing_says_nothing(monkeypatch, capsys):
    monkeypatch.setattr(test_deps, "missing", lambda: [])
    assert test_deps.main([]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_cannot_install_stops_with_one_line(monkeypatch, capsys):
    # no apt-get, no root: a machine where we may not install anything
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert test_deps.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    line = err[0]
    assert "chromium-driver" in line and "poppler-utils" in line and "make test-fast" in line
    assert line.startswith("FOUT:") and "| ERROR:" in line


def test_check_only_never_installs(monkeypatch, capsys):
    monkeypatch.setattr(test_deps, "missing", lambda: ["chromedriver"])
    monkeypatch.setattr(test_deps, "install", lambda programs: (_ for _ in ()).throw(AssertionError("installed")))
    assert test_deps.main(["--check"]) == 1
    assert "chromium-driver" in capsys.readouterr().err


def test_installs_only_missing_packages(monkeypatch):
    calls = []
    state = {"missing": ["chromedriver", "pdftotext"]}
    monkeypatch.setattr(test_deps, "missing", lambda: state["missing"])
    monkeypatch.setattr(test_deps, "_apt_prefix", lambda: [])

    class Done:
        returncode = 0
        stderr = ""

    def run(cmd, **kw):
        calls.append(cmd)
        if "install" in cmd:
            state["missing"] = []
        return Done()

    monkeypatch.setattr(test_deps.subprocess, "run", run)
    assert test_deps.main([]) == 0
    assert calls[-1][-2:] == ["chromium-driver", "poppler-utils"]
