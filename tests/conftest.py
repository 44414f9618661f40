"""Fixtures shared by the test modules; plain helper functions are in helpers.py."""

from __future__ import annotations

import pytest

from engine import Engine


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
