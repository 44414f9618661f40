"""docs/python.md's example runs as written, and an `Engine` can be closed."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def _example() -> str:
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", text, re.S).group(1)


def test_the_python_page_example_runs_as_written(tmp_path, monkeypatch):
    """A platform's first try is the page's example, pasted: it must run (review finding: it
    ended on an engine the page gave no way to close)."""
    monkeypatch.chdir(tmp_path)
    lines = [{"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1",
              "attributes": {"county": "甲县"}},
             {"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"}]
    (tmp_path / "cases.jsonl").write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    namespace: dict = {}
    exec(compile(_example(), "docs/python.md", "exec"), namespace)  # (the page's own code)
    engine = namespace["engine"]
    with pytest.raises(sqlite3.ProgrammingError):  # closed, as the page says
        engine.case("C1")
    # What it recorded is there for the next engine: the example's case and the imported one.
    with Engine.open(tmp_path / "cases.db") as again:
        assert again.case("C1").state == "accepted"
        assert again.case("tianjin-2026-000001").state == "accepted"


def test_an_engine_closes_and_leaves_no_log_beside_the_file(tmp_path):
    """`with Engine.open(path) as engine:` releases the database at the end of the block, on
    an error too: the last connection folds the write-ahead log in and removes it."""
    path = tmp_path / "cases.db"
    with Engine.open(path) as engine:
        engine.open_case(province="shanxi", on=date(2026, 3, 2))
        assert (tmp_path / "cases.db-wal").exists()
    assert not (tmp_path / "cases.db-wal").exists()
    engine.close()  # (twice: harmless)

    with pytest.raises(KeyError), Engine.open(path) as engine:
        raise KeyError("the caller's own error")
    assert not (tmp_path / "cases.db-wal").exists()
    with pytest.raises(sqlite3.ProgrammingError):
        engine.case("shanxi-2026-000001")
