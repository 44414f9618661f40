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


def test_mypy_finds_every_annotation_true():
    """The annotations are what a platform and a province's plugin are typed against; false
    ones (a digest's content declared bytes where text came too, ``fail`` declared to return)
    went unnoticed until a compiler enforced them. Configured in pyproject.toml."""
    import importlib.util

    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True)
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


def test_a_type_checker_does_not_see_the_lazy_exports_getattr():
    """A module ``__getattr__`` a type checker sees types every name as Any: a misspelt
    ``from engine import Enigne`` passed (review finding). It is defined only at run time
    (``if not TYPE_CHECKING``), where the exports still load on first use."""
    import ast

    import engine

    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    assert "__getattr__" not in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    [runtime] = [n for n in tree.body if isinstance(n, ast.If)
                 and ast.unparse(n.test) == "not TYPE_CHECKING"]
    assert [n.name for n in runtime.body if isinstance(n, ast.FunctionDef)] == ["__getattr__"]
    code = ("import sys, engine; assert 'engine.core' not in sys.modules; "
            "from engine import Engine; assert 'engine.core' in sys.modules; "
            "print(Engine.__module__)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout == "engine.core\n", result.stderr


def test_the_api_annotations_say_what_it_takes_and_gives():
    """Review findings: ``open_case(on: date | None = None)`` though ``on`` is required;
    ``Engine.open(path: str | None)`` though it takes a Path; ``fire`` declared to return a
    CaseView but could return None (``_replayed_call``)."""
    import inspect
    import os
    import typing
    from datetime import date

    from engine import Engine

    overloads = typing.get_overloads(Engine.open_case)
    assert len(overloads) == 2
    for overload in overloads:
        hints = typing.get_type_hints(overload)
        assert hints["on"] is date and hints["return"].__name__ == "CaseView"
    # The contract's call, by keyword, matches the first; all positional, the second.
    first, second = (inspect.signature(o) for o in overloads)
    first.bind(None, province="tianjin", workflow="dibao", on=date(2026, 3, 2))
    second.bind(None, "tianjin", "dibao", date(2026, 3, 2))
    assert typing.get_type_hints(Engine.open)["path"] == str | os.PathLike[str] | None


def test_every_public_callable_says_what_it_takes_and_gives():
    """A platform's type checker sees each parameter and return of the API: the `Engine`'s
    public methods, the exported functions, and the exported classes' constructors and public
    methods (review finding: ``Transition(dest=…)`` had no type, its converter a lambda)."""
    import inspect

    import engine
    from engine import Engine

    def unannotated(name: str, function) -> list[str]:
        signature = inspect.signature(function)
        missing = [f"{name}({p.name})" for p in signature.parameters.values()
                   if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
        if signature.return_annotation is inspect.Signature.empty and not name.endswith("__init__"):
            missing.append(f"{name} -> ?")
        return missing

    missing: list[str] = []
    for name in dir(Engine):
        member = inspect.getattr_static(Engine, name)
        if name.startswith("_") and name not in ("__init__", "__enter__", "__exit__"):
            continue
        if isinstance(member, property):
            missing += unannotated(f"Engine.{name}", member.fget)
        elif isinstance(member, classmethod | staticmethod):
            missing += unannotated(f"Engine.{name}", member.__func__)
        elif inspect.isfunction(member):
            missing += unannotated(f"Engine.{name}", member)
    for name in engine.__all__:
        export = getattr(engine, name)
        if inspect.isfunction(export):
            missing += unannotated(name, export)
        elif inspect.isclass(export) and export is not Engine:
            for attribute, member in vars(export).items():
                if attribute.startswith("_") and attribute != "__init__":
                    continue
                if isinstance(member, classmethod | staticmethod):
                    member = member.__func__
                if inspect.isfunction(member):
                    missing += unannotated(f"{name}.{attribute}", member)
    assert missing == []


def test_what_the_api_returns_and_passes_to_callbacks_can_be_named_from_engine():
    """A platform annotating its own code names the results by ``from engine import …``
    (review finding: ImportResult, LocalSetting, Workflow, Assessment and the tuples passed
    to ``on_moved`` and ``on_recorded`` were only in internal modules)."""
    import typing

    import engine
    from engine import Engine

    returned = {name: typing.get_type_hints(getattr(Engine, name))["return"]
                for name in ("import_file", "import_lines", "set_parameter", "workflow",
                             "assess", "open_case", "fire", "case", "due")}
    for name, kind in returned.items():
        assert getattr(engine, kind.__name__) is kind, name
    for method, callback, passed in (("recompute", "on_moved", engine.MovedDate),
                                     ("recompute", "on_kept", engine.KeptDate),
                                     ("advance", "on_recorded", engine.Recorded)):
        function_type, _ = typing.get_args(typing.get_type_hints(getattr(Engine, method))[callback])
        assert typing.get_args(function_type)[0] == [passed], method


def test_what_every_engine_call_returns_is_exported():
    """Found by a platform's integration: docs/python.md says a type checker sees what the
    calls return as exports, but verify() returned Finding and SettingFinding, replay() a
    CaseRecord and Deadlines (also a DeadlineView's ``deadline``), and chain_heads() the
    ChainHead that verify(heads=…) takes, none of which ``engine`` exported: a platform
    typing its own code had to import them from engine's modules."""
    import typing

    import engine
    from engine import Engine

    def classes(hint):
        if isinstance(hint, type) and hint.__module__.startswith("engine"):
            yield hint
        for arg in typing.get_args(hint):
            yield from classes(arg)

    calls = [getattr(Engine, name) for name in dir(Engine) if not name.startswith("_")]
    # (a property's too: Engine.stored_write gave a StoredWrite ``engine`` did not export)
    calls = [call.fget if isinstance(call, property) else call for call in calls]
    returned = {c.__name__ for call in calls if callable(call)
                for c in classes(typing.get_type_hints(call).get("return"))}
    assert "StoredWrite" in returned
    assert returned - set(engine.__all__) == set()
    assert engine.ChainHead == tuple[str, int, str]
    assert engine.TableHead == tuple[str, int, str]  # (table_heads()'s, for verify(table_heads=…))
