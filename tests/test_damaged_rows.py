"""Rows changed outside doudi so that they cannot be used: every command that reads one names
the case and what cannot be read in one line (a ``DamagedRecord``), never a traceback, and
writes nothing; ``audit verify`` lists the case.

Each was found by changing one column of a small database with sqlite3 and running the
commands on it: before, these ended in a TypeError deep in the engine (the version added to,
the workflow's name sliced, a link's date compared with the view's, an event's data merged
into the attributes, deadlines sorted by rule)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from engine import Engine
from helpers import error_line, put_back_triggers, run

OUTSIDE = "it was changed outside doudi (doudi audit verify lists what was)"

#: The SQL changing B1 outside doudi, and what its error line says cannot be read.
DAMAGES = {
    "version as text": (
        "update cases set version = 'x' where id = 'B1'",
        "case 'B1' cannot be read from the database (TypeError: version is 'x', not a whole "
        "number)"),
    "workflow blank": (
        "update cases set workflow = null where id = 'B1'",
        "case 'B1' cannot be read from the database (TypeError: workflow is None, not text)"),
    "link's date blank": (
        "insert into links (case_id, other_id, relation, [on], seq) "
        "values ('B1', 'G1', 'benefit', null, 1)",
        "the 'benefit' link of case 'B1' cannot be read from the database (ValueError: null is "
        "not a date: expected YYYY-MM-DD)"),
    "event data a list": (
        "update events set payload = '[1]' where case_id = 'B1' and seq = 1",
        "event 1 of case 'B1' cannot be read from the database (TypeError: payload '[1]' is "
        "not an object)"),
    "derived data null": (
        "update events set derived = 'null' where case_id = 'B1' and seq = 1",
        "event 1 of case 'B1' cannot be read from the database (TypeError: derived 'null' is "
        "not an object)"),
    "event seq blank": (
        "update events set seq = null where case_id = 'B1' and seq = 1",
        "event None of case 'B1' cannot be read from the database (TypeError: seq is None, not a "
        "whole number)"),
    "deadline instance text": (
        "update deadlines set instance = 'x' where case_id = 'B1' and rule = 'total'",
        "deadline 'total' of case 'B1' cannot be read from the database "
        "(TypeError: instance is 'x', not a whole number)"),
    "deadline duration blank": (
        "update deadlines set duration = null where case_id = 'B1' and rule = 'total'",
        "deadline 'total' of case 'B1' cannot be read from the database "
        "(TypeError: duration is None, not text)"),
    "deadline rule blank": (
        "update deadlines set rule = null where case_id = 'B1'",
        "deadline None of case 'B1' cannot be read from the database (TypeError: rule is None, "
        "not text)"),
}


def _damaged(path: str, sql: str) -> None:
    """Two 天津 cases, G1 and B1, opened Mon 2026-03-02 and 受理 Tue 03-03; then ``sql``
    run on B1 outside doudi."""
    engine = Engine.open(path)
    for case_id in ("G1", "B1"):
        engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
    engine.store.db.close()
    raw = sqlite3.connect(path)
    raw.execute("drop trigger events_append_only_update")
    raw.execute(sql)
    put_back_triggers(raw)
    raw.commit()
    raw.close()


def _stored(path: str) -> tuple:
    raw = sqlite3.connect(path)
    try:
        return tuple(raw.execute(f"select * from {table} order by 1, 2").fetchall()
                     for table in ("cases", "events", "deadlines", "links"))
    finally:
        raw.close()


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_row_is_named_in_one_line_by_every_command_reading_it(db, tmp_path, damage):
    sql, problem = DAMAGES[damage]
    _damaged(db, sql)
    before = _stored(db)
    line = f"Error: {problem}: {OUTSIDE}"
    for args in (("case", "show", "B1"), ("case", "show", "B1", "--format", "json"),
                 ("case", "fire", "B1", "start_investigation", "--on", "2026-03-04"),
                 ("notice", "publicity", "B1")):
        result = run(db, *args)
        assert result.exit_code == 1, (args, result.output)
        assert error_line(result) == line
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"op": "fire", "case_id": "B1", "event": "start_investigation",
                                 "on": "2026-03-04"}) + "\n")
    result = run(db, "import", str(lines))
    assert result.exit_code == 1, result.output
    assert error_line(result).startswith(f"Error: line 1: {problem}: {OUTSIDE}")
    assert _stored(db) == before  # (nothing written by any of them)
    # The good case is still read and written.
    assert run(db, "case", "fire", "G1", "start_investigation", "--on", "2026-03-04"
               ).exit_code == 0
    audit = run(db, "audit", "verify")
    assert audit.exit_code == 1, audit.output
    # (a link added by hand has no hash: its chain names it too, m017)
    assert [x.split(":")[0] for x in audit.stdout.splitlines()] == [
        *["link #1 altered"] * ("links" in sql), "case B1"]
    assert "Traceback" not in audit.output
    report = run(db, "report", "breaches", "--as-of", "2026-04-30", "--format", "json")
    assert report.exit_code in (0, 1), report.output
    if report.exit_code:
        assert error_line(report) == line


@pytest.mark.parametrize(("seq", "column", "value", "problem"), [
    (0, "payload", '{"amount": "x", "paid_from": "2026-01"}',
     "ValueError: could not convert string to float: 'x'"),
    (1, "derived", '{"phase_out": null}', "TypeError: 'NoneType' object is not subscriptable")])
def test_payments_worked_out_from_damaged_data_name_the_case(db, seq, column, value, problem):
    """A 山西 benefit case (700 a month from 2026-01) whose income exceeded the standard
    (900 > 810: a phase-out recorded, what it decided kept as derived data); its opening's
    amount, or the phase-out's plan, changed outside doudi: case show and case fire worked out
    its payments from them and ended in a traceback (payments.py)."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", workflow="benefit", on=date(2026, 1, 5), case_id="P1",
                     attributes={"amount": 700, "paid_from": "2026-01"})
    engine.fire("P1", "income_exceeds", on=date(2026, 5, 11),
                payload={"per_capita_income": 900, "standard": 810})
    engine.store.db.close()
    raw = sqlite3.connect(db)
    raw.execute("drop trigger events_append_only_update")
    raw.execute(f"update events set {column} = ? where case_id = 'P1' and seq = ?", [value, seq])
    put_back_triggers(raw)
    raw.commit()
    raw.close()
    before = _stored(db)
    line = (f"Error: the data the payments of case 'P1' are worked out from cannot be read from "
            f"the database ({problem}): {OUTSIDE}")
    for args in (("case", "show", "P1"), ("case", "show", "P1", "--format", "json"),
                 ("case", "fire", "P1", "fraud_found", "--on", "2026-06-10", "--set",
                  "since=2026-02-01", "--reason", "虚报收入")):
        result = run(db, *args)
        assert result.exit_code == 1, (args, result.output)
        assert error_line(result) == line
    assert _stored(db) == before
    audit = run(db, "audit", "verify")
    assert audit.exit_code == 1, audit.output
    assert [x.split(":")[0] for x in audit.stdout.splitlines()] == ["case P1"]
