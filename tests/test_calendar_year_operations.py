"""An operator's December: next year's notice recorded in a database that a platform and the
CLI use at once (docs/counting.md, "Adding a year"; docs/python.md).

The 2027 record is tests/test_calendar_years.py's FIXTURE_2027, a TEST FIXTURE, NOT the real
notice: 元旦 off 2027-01-01..01-03; 春节 off 02-05..02-11, make-up working days Sun 01-31 and
Sat 02-20. Without it 2027 is projected (《全国年节及纪念日放假办法》第二条、第六条): 春节
02-05..02-10 off, no make-up working day.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date

import pytest
from test_calendar_years import FIXTURE_2027, NOTICE

from engine import Engine, EventRefused
from helpers import by_rule

ADD_IN_ANOTHER_PROCESS = """
import sys
from datetime import date
import pytest

from engine import Engine, EventRefused
with Engine.open(sys.argv[1], today=lambda: date(2026, 12, 7)) as engine:
    if sys.argv[2] == "void":
        engine.void_calendar_year(1, "录入错误（测试）")
    else:
        engine.add_calendar_years(sys.argv[2], actor="甲县民政局")
"""


def test_an_engine_opened_beside_a_kept_one_leaves_it_the_database_it_reads(tmp_path):
    """A platform keeps an engine open and opens another on the same database (a request's),
    while `doudi calendar add` records 2027 in another process. Opening the second engine
    must not take the first one's hold on the file away: SQLite keeps a WAL database's log
    and shared memory while any connection has it open, and the process that closes last
    folds the log in and removes both. Taken away, the other process removed them from under
    the kept engine, which went on reading a snapshot of before the year was recorded and
    wrote on it (a set-aside recorded meanwhile was lost, the file then "disk I/O error").

    民发〔2021〕57号 / 晋民发〔2023〕31号 四(二): 30 working days from acceptance on Mon
    2027-01-25 (not counted, 民法典第201条), on the record added: 1/26..1/29 (1-4), Sun 1/31
    make-up (5), 2/1..2/4 (6-9), 2/5..2/11 off, 2/12 (10), 2/15..2/19 (15), Sat 2/20 make-up
    (16), 2/22..2/26 (21), 3/1..3/5 (26), 3/8..3/11 (30) → 2027-03-11, official (projected:
    2027-03-12)."""
    db = str(tmp_path / "platform.db")
    notice = tmp_path / "2027.toml"
    notice.write_text(FIXTURE_2027, encoding="utf-8")
    today = lambda: date(2027, 1, 25)  # noqa: E731
    kept = Engine.open(db, today=today)
    kept.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    with Engine.open(db, today=today) as request:  # (a request's engine, closed after it)
        assert request.case("A1").state == "applied"
    added = subprocess.run([sys.executable, "-c", ADD_IN_ANOTHER_PROCESS, db, str(notice)],
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    total = by_rule(kept.fire("A1", "accept", on=date(2027, 1, 25)))["total"].deadline
    assert (total.due_on, total.provisional) == (date(2027, 3, 11), False)
    assert total.computation.endswith(f"工作日依{NOTICE}")
    assert kept.verify()[2] == []
    voided = subprocess.run([sys.executable, "-c", ADD_IN_ANOTHER_PROCESS, db, "void"],
                            capture_output=True, text=True)
    assert voided.returncode == 0, voided.stderr
    with pytest.raises(EventRefused, match=r"calendar year #1 \(2027\) was set aside already"):
        kept.void_calendar_year(1, "another basis")
    kept.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select year, actor from calendar_years").fetchall() == [
            (2027, "甲县民政局")]
        assert conn.execute("select calendar_year, citation from calendar_year_voids"
                            ).fetchall() == [(1, "录入错误（测试）")]


def test_an_engine_kept_open_counts_its_reads_of_cases_on_a_year_added_elsewhere(tmp_path):
    """python.md: what an engine only reads (`calendar`, `due`, `calendar_years()`) is as it
    read it until its next write, `recompute` or `verify`, or a read that counts its cases
    (`case`, `deadlines`, the reports), which reads the years again where one was recorded
    since in another process.

    10 working days from Fri 2027-02-12: projected 2/15..2/19, 2/22..2/26 → 2027-02-26; on the
    record, Sat 2/20 a make-up working day → 2027-02-25.
    民发〔2021〕57号 第15条: the investigation started within 3 working days of acceptance on
    Mon 2027-01-25 (1/26, 1/27, 1/28: due Thu 01-28 either way), not started by Mon 02-01:
    overdue 1/29 and 2/1 projected (2 working days), 1/29, Sun 1/31 (make-up) and 2/1 on the
    record (3)."""
    db = str(tmp_path / "platform.db")
    notice = tmp_path / "2027.toml"
    notice.write_text(FIXTURE_2027, encoding="utf-8")
    kept = Engine.open(db, today=lambda: date(2027, 2, 1))
    kept.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    kept.fire("A1", "accept", on=date(2027, 1, 25))

    def late() -> tuple[int, bool]:
        (found,) = [b.to_json() for b in kept.breaches(as_of=date(2027, 2, 1))
                    if b.to_json()["rule"] == "investigation_start"]
        assert found["due_on"] == "2027-01-28"
        return found["overdue_working_days"], found["provisional"]

    assert late() == (2, True)
    added = subprocess.run([sys.executable, "-c", ADD_IN_ANOTHER_PROCESS, db, str(notice)],
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    assert kept.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 26)  # (as it read them)
    assert [y.year for y in kept.calendar_years()][-1] == 2026
    # (the report read them again; the due date keeps its provisional mark until recompute)
    assert late() == (3, True)
    assert kept.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 25)
    assert [y.year for y in kept.calendar_years()][-1] == 2027
    kept.recompute()
    assert late() == (3, False)
    kept.close()
