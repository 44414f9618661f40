"""Bulk import through the same checks as the API, and recomputing deadlines after the
calendar data changes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine import Engine, calendar
from engine.calendar import Holiday, YearRecord
from engine.registry import get_registry
from helpers import error_line, run

LINES = [
    {"op": "open", "province": "shanxi", "on": "2026-03-02", "id": "C1"},
    {"op": "fire", "case_id": "C1", "event": "accept", "on": "2026-03-03"},
    {"op": "fire", "case_id": "C1", "event": "start_investigation", "on": "2026-03-04"},
    {"op": "open", "province": "tianjin", "on": "2026-03-02", "id": "C2"},
    {"op": "fire", "case_id": "C2", "event": "accept", "on": "2026-03-03"},
]
# Approving a 山西 case straight from investigation is refused: not delegated (57号 第20条).
BAD = {"op": "fire", "case_id": "C1", "event": "approve", "on": "2026-03-05"}


def write(tmp_path, lines):
    path = tmp_path / "import.jsonl"
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)
                     for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def events(db):
    return Engine.open(db).store.db.execute("select count(*) from events").fetchone()[0]


def test_import_writes_every_line_and_a_second_run_adds_nothing(tmp_path, db):
    path = write(tmp_path, LINES)
    first = run(db, "import", path)
    assert first.exit_code == 0, first.output
    assert "5 lines: 5 written, 0 already imported, 0 skipped" in first.stderr
    engine = Engine.open(db)
    assert engine.store.case("C1").state == "investigating"
    assert engine.store.case("C2").state == "accepted"
    again = run(db, "import", path)
    assert "5 lines: 0 written, 5 already imported, 0 skipped" in again.stderr
    assert events(db) == 5


def test_a_bad_line_stops_the_import_with_nothing_from_its_batch(tmp_path, db):
    path = write(tmp_path, [*LINES[:3], BAD, *LINES[3:]])
    result = run(db, "import", path, "--batch", "2")
    assert result.exit_code == 1
    # Batches of two: lines 1–2 committed; the batch of lines 3–4 fails at line 4.
    assert error_line(result).startswith("Error: line 4: approve refused: confirmation is not "
                                         "delegated")
    assert "2 events from earlier batches kept" in result.stderr
    assert events(db) == 2
    assert Engine.open(db).store.case("C1").state == "accepted"


def test_skip_invalid_writes_the_rest_and_lists_what_it_skipped(tmp_path, db):
    path = write(tmp_path, [*LINES[:3], BAD, "{not json", *LINES[3:]])
    result = run(db, "import", path, "--skip-invalid")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("skipped line 4: approve refused")
    assert result.stdout.splitlines()[1].startswith("skipped line 5: not valid JSON")
    assert "7 lines: 5 written, 0 already imported, 2 skipped" in result.stderr
    assert events(db) == 5


@pytest.fixture
def calendar_with_2027(monkeypatch):
    """A (hypothetical) 2027 notice arrives: 元旦 1/1–1/4 off."""
    record = YearRecord(2027, "国办发明电〔2026〕X号（测试用）", date(2026, 11, 1), "测试",
                        (Holiday("元旦", (date(2027, 1, 1), date(2027, 1, 4))),))
    real = calendar.load_records

    def with_2027(path=None):
        return [*real(path), record]

    yield lambda: (monkeypatch.setattr(calendar, "load_records", with_2027), _clear())
    _clear()


def _clear():
    calendar.national_calendar.cache_clear()
    calendar._overlaid.cache_clear()
    get_registry.cache_clear()


def test_recompute_moves_provisional_due_dates_when_the_year_is_added(tmp_path, db,
                                                                     calendar_with_2027):
    """民发〔2021〕57号 第22条: 30 working days from 受理 on 2026-12-01.
    Projected 2027 (only 1/1 off): 12/2 … 12/31 are 22 working days, then 1/4(23) 1/5(24)
    1/6(25) 1/7(26) 1/8(27) 1/11(28) 1/12(29) 1/13(30) → 2027-01-13, provisional.
    With the notice (1/1–1/4 off): 1/5(23) … 1/13(29) 1/14(30) → 2027-01-14."""
    engine = Engine.open(db)
    case = engine.open_case(province="shanxi", on=date(2026, 11, 30), case_id="P1")
    engine.fire(case.id, "accept", on=date(2026, 12, 1))
    total = next(d for d in engine.store.deadlines("P1") if d.rule == "total")
    assert (total.due_on, total.provisional) == (date(2027, 1, 13), True)
    calendar_with_2027()
    result = run(db, "recompute", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"days_moved": 1, "due_dates": 1}]
    assert "1 due dates moved in 1 of 1 cases" in result.stderr
    engine = Engine.open(db)
    total = next(d for d in engine.store.deadlines("P1") if d.rule == "total")
    assert (total.due_on, total.provisional) == (date(2027, 1, 14), False)
    last = engine.store.history("P1")[-1]
    assert (last.event, last.payload["moved"]) == (
        "recompute", [["total", 1, "2027-01-13", "2027-01-14"]])
    assert engine.replay("P1")[1] == engine.store.deadlines("P1")
    assert engine.verify() == (1, 3, [])
    # Nothing more moves on a second run.
    assert "0 due dates moved" in run(db, "recompute").stderr
