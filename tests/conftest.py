"""Fixtures shared by the test modules; plain helper functions are in helpers.py."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap
from datetime import date

import pytest

from engine import Engine, calendar
from engine.calendar import Holiday, YearRecord
from engine.registry import get_registry
from helpers import PROVINCE


@pytest.fixture
def engine(tmp_path):
    """An engine on its own database, not the one at ``db``: a test that takes both drives
    the API and the CLI separately. (test_guards and test_reports override this with an
    engine on ``db`` itself.)"""
    return Engine.open(str(tmp_path / "x.db"))


@pytest.fixture
def db(tmp_path):
    """The path of a database for the CLI (``--db``); it does not exist until written."""
    return str(tmp_path / "cli.db")


_names = itertools.count()


@pytest.fixture
def install(tmp_path, monkeypatch):
    """``install(source)``: a plugin distribution ``doudi_broken`` on sys.path (as
    test_plugins.py lays them out), registering 海南 (``hainan``) and then whatever ``source``
    adds, with a fresh process-wide registry before and after (get_registry is cached)."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    get_registry.cache_clear()
    modules = []

    def install_(source, entry="broken"):
        module = f"doudi_broken_{next(_names)}"  # a new module each time: sys.modules caches
        modules.append(module)
        (site / f"{module}.py").write_text(PROVINCE + textwrap.dedent(source), encoding="utf-8")
        info = site / "doudi_broken-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: doudi_broken\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[doudi]\n{entry} = {module}\n")
        importlib.invalidate_caches()

    yield install_
    get_registry.cache_clear()
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def calendar_with_2027(monkeypatch):
    """``calendar_with_2027()``: a (hypothetical) 2027 notice arrives: 元旦 1/1–1/4 off."""
    record = YearRecord(2027, "国办发明电〔2026〕X号（测试用）", date(2026, 11, 1), "测试",
                        (Holiday("元旦", (date(2027, 1, 1), date(2027, 1, 4))),))
    real = calendar.load_records

    def with_2027(path=None):
        return [*real(path), record]

    yield lambda: (monkeypatch.setattr(calendar, "load_records", with_2027), _clear_calendars())
    _clear_calendars()


def _clear_calendars():
    calendar.national_calendar.cache_clear()
    calendar._overlaid.cache_clear()
    get_registry.cache_clear()
