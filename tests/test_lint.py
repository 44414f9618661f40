"""The code stays ``ruff check`` clean (configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_export_is_typed_as_itself():
    """engine/__init__.py resolves its exports lazily (``__getattr__``), which a type checker
    reads as Any: the names it imports under TYPE_CHECKING must be exactly the exports, and
    the package ships its ``py.typed`` marker (found by a platform review)."""
    import ast

    import engine

    source = Path(engine.__file__).read_text(encoding="utf-8")
    [block] = [n for n in ast.parse(source).body
               if isinstance(n, ast.If) and getattr(n.test, "id", None) == "TYPE_CHECKING"]
    typed = {alias.name for node in block.body for alias in node.names}
    assert typed == set(engine.__all__) == set(engine._EXPORTS)
    assert (Path(engine.__file__).parent / "py.typed").exists()
    for name in engine.__all__:
        assert getattr(engine, name) is not None
