"""Tie the venv to the checkout it sits in, by relative paths only.

``make setup`` runs this after installing the lock. It writes ``sroi_pipeline.pth`` into the
venv's site-packages holding the checkout's path *relative to site-packages* (``../../../..``):
Python's ``site`` joins a .pth line with its own folder, so the venv finds the ``pipeline``
package of the checkout it sits in, also after the folder (with its ``.venv``) is copied or moved.
It also makes the venv's ``python3`` kernelspec start ``python`` instead of an absolute path:
jupyter_client then starts the kernel with the interpreter of the JupyterLab or papermill that
launched it, i.e. the venv of this checkout. (``make`` runs every tool as ``.venv/bin/python -m``
because console scripts keep their absolute ``#!`` line.)

    .venv/bin/python -m tools.venv_paths     # from the checkout's root

Standard library only.
"""

from __future__ import annotations

import json
import os
import site
import sys
from pathlib import Path

PTH_NAME = "sroi_pipeline.pth"


def relative_root(site_packages: str | os.PathLike, root: str | os.PathLike) -> str:
    """The checkout as seen from site-packages, with ``/`` separators.

    >>> relative_root("/x/co/.venv/lib/python3.11/site-packages", "/x/co")
    '../../../..'
    """
    return Path(os.path.relpath(root, site_packages)).as_posix()


def write_pth(root: Path) -> Path:
    sp = Path(site.getsitepackages()[0])
    pth = sp / PTH_NAME
    pth.write_text(relative_root(sp, root) + "\n", encoding="utf-8")
    return pth


def fix_kernelspec(prefix: Path) -> Path | None:
    spec = prefix / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    if not spec.is_file():
        return None
    data = json.loads(spec.read_text(encoding="utf-8"))
    data["argv"][0] = "python"
    spec.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return spec


def main() -> int:
    root = Path.cwd()
    if not (root / "pipeline" / "__init__.py").is_file():
        print(
            "FOUT: draai dit vanuit de map van de checkout | ERROR: run this from the checkout's root", file=sys.stderr
        )
        return 1
    write_pth(root)
    fix_kernelspec(Path(sys.prefix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
