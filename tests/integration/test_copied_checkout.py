"""A copied or moved checkout runs its own code: the venv and its kernelspec hold no absolute
path to the folder they were made in (tools/venv_paths.py).

The copy is emulated without copying a gigabyte: a fresh folder gets its own ``pipeline/`` and a
``.venv`` that is a symlink to this checkout's venv. Python finds a venv from the path it was
started by (not the symlink's target), so for the interpreter this is exactly a copied venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap

from pipeline.core.paths import ROOT

VENV = ROOT / ".venv"


def _copy(tmp_path):
    copy = tmp_path / "elders"
    shutil.copytree(ROOT / "pipeline", copy / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "notebooks").mkdir()
    os.symlink(VENV, copy / ".venv")
    return copy


def _env(copy):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    env["JUPYTER_PATH"] = str(copy / ".venv" / "share" / "jupyter")
    return env


def test_the_venv_holds_no_absolute_path_to_the_checkout():
    pth = next((VENV / "lib").glob("python3*/site-packages/sroi_pipeline.pth"))
    line = pth.read_text(encoding="utf-8").strip()
    assert not os.path.isabs(line), line
    kernel = (VENV / "share/jupyter/kernels/python3/kernel.json").read_text(encoding="utf-8")
    assert str(ROOT) not in kernel


def test_python_in_a_copied_checkout_imports_the_copy(tmp_path):
    copy = _copy(tmp_path)
    out = subprocess.run(
        [str(copy / ".venv/bin/python"), "-c", "import pipeline; print(pipeline.__file__)"],
        cwd=copy / "notebooks",
        env=_env(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == str(copy / "pipeline" / "__init__.py")


def test_a_kernel_started_like_jupyterlab_imports_the_copy(tmp_path):
    """JupyterLab (the venv's python) starts the ``python3`` kernel in ``notebooks/``."""
    copy = _copy(tmp_path)
    script = textwrap.dedent(
        """
        from jupyter_client.manager import start_new_kernel
        km, kc = start_new_kernel(kernel_name="python3", cwd=".")
        try:
            kc.execute_interactive("import pipeline, sys; print(pipeline.__file__); print(sys.prefix)", timeout=60)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
        """
    )
    out = subprocess.run(
        [str(copy / ".venv/bin/python"), "-c", script],
        cwd=copy / "notebooks",
        env=_env(copy),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert str(copy / "pipeline" / "__init__.py") in out, out
    assert str(copy / ".venv") in out, out
