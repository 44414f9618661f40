"""Gaps found by a seventh mutation pass, over the code changed in the last round (a year's
official calendar recorded in a database, engine/calendar_years.py, ``doudi calendar add /
years / void``; audit verify explaining deadlines counted before calendar years recorded
since; the writes' check that no calendar year was recorded since the engine read them): each
test fails on a mutant of the code that the rest of the suite let pass.

Calendar years are tested with the made-up 2027 record of tests/test_calendar_years.py
(FIXTURE_2027, NOT the real notice: 春节 off Fri 2027-02-05 .. Thu 02-11, make-up working days
Sun 01-31 and Sat 02-20). 10 working days from Fri 2027-02-12 (not counted, 民法典第201条):
on the record, 2/15..2/19 (1-5), Sat 2/20 (6), 2/22..2/25 (7-10) → Thu 2027-02-25; projected
(《全国年节及纪念日放假办法》第二条、第六条, no make-up Saturday), 2/15..2/19, 2/22..2/26 →
Fri 2027-02-26, provisional.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date

import pytest
from test_calendar_years import FIXTURE_2027, NOTICE, WRONG_2027, stored_again_by_hand

from engine import Engine, EventRefused, InvalidInput, UnknownName, calendar_years
from engine.integrity import GENESIS, YEAR_HASHED, YEAR_VOID_HASHED, chained
from engine.schema import CALENDAR_YEAR_TRIGGERS
from helpers import error_line, run

RECORDED_AT = "2026-12-08T00:00:00+00:00"


@pytest.fixture
def today(monkeypatch):
    """The command line's today (the date in China): 2026-12-07."""
    monkeypatch.setattr("engine.clock.china_today", lambda: date(2026, 12, 7))


@pytest.fixture
def fixture_2027(tmp_path) -> str:
    """The path of a file holding FIXTURE_2027."""
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027, encoding="utf-8")
    return str(path)


def _stored_by_hand(path: str, **changed: object) -> None:
    """The fixture's 2027 inserted into the calendar_years of the database at ``path`` with
    sqlite3, with ``changed`` columns, chained as doudi chains a row (so that it fits its
    hash, and is read as doudi wrote it)."""
    row = {"year": 2027, "notice": NOTICE, "record": FIXTURE_2027, "actor": None,
           "recorded_at": RECORDED_AT, **changed}
    chained([row], GENESIS, YEAR_HASHED)
    with sqlite3.connect(path) as conn:
        conn.execute("insert into calendar_years (year, notice, record, actor, recorded_at, "
                     "hash, prev_hash) values (:year, :notice, :record, :actor, :recorded_at, "
                     ":hash, :prev_hash)", row)
    conn.close()


# -- a stored row doudi did not write (calendar_years.read_rows) ----------------------------


@pytest.mark.parametrize("changed, problem", [
    ({"record": FIXTURE_2027.encode()}, "CalendarDataError: calendar year #1: no TOML text (bytes)"),
    ({"record": "# no year\n"}, "ValueError: its record is not the one year its row names"),
    ({"notice": "国办发明电〔2026〕98号"},
     "ValueError: its record is not the one year its row names"),
    ({"year": 2028}, "ValueError: its record is not the one year its row names"),
])
def test_a_stored_row_that_fits_its_hash_but_is_not_a_record_doudi_writes_is_not_counted(
        tmp_path, changed, problem):
    """A calendar_years row inserted by hand, chained as doudi chains one, whose record is a
    BLOB (TOML's bytes, not its text), holds no [[year]] table, or is another notice or year
    than its row names: it is not counted (10 working days from Fri 2027-02-12 are the projection's
    02-26, provisional, not the record's 02-25), and said at open in one line, where the first
    gave tomllib's TypeError, the second an IndexError (each a traceback at every open), and
    the others were counted as the notice, or the year, their row does not name."""
    path = str(tmp_path / "by_hand.db")
    Engine.open(path).close()
    _stored_by_hand(path, **changed)
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    assert engine.calendar_notes == (
        f"note: calendar year #1 cannot be read from the database ({problem}): it was changed "
        "outside doudi (doudi audit verify lists what was); its year is not counted from it "
        "(projected, as without a record)",)
    due = engine.due(date(2027, 2, 12), "10wd")
    assert (due.due, due.provisional) == (date(2027, 2, 26), True)


# -- calendar add: a file without a year (calendar_years.read_data) ----------------------------


def test_calendar_add_of_a_file_without_a_year_table_is_refused(db, tmp_path):
    """A TOML file that holds no [[year]] table (a comment only, or another file given by
    mistake) is bad input, exit 2, one line naming it, and no database made: it recorded
    nothing and said nothing of why."""
    path = tmp_path / "empty.toml"
    path.write_text("# the 2027 notice, to be filled in\n", encoding="utf-8")
    refused = run(db, "calendar", "add", str(path))
    assert refused.exit_code == 2
    assert error_line(refused) == (f"Error: {path}: no [[year]] table (the packaged file's "
                                   "format: engine/data/calendar_cn.toml)")
    assert not os.path.exists(db)


# -- which stored rows are counted (calendar_years.in_force) ----------------------------------


def test_a_second_row_of_a_year_stored_by_hand_is_not_counted_with_the_first(tmp_path, fixture_2027):
    """One row a year is counted ("one a year: a second only if added by hand"): the fixture
    (make-up Sat 2027-02-20) recorded, then WRONG_2027 (make-up Sat 02-27 instead) inserted
    by hand after it, chained. 12 working days from Fri 2027-02-12 (not counted) on the first
    alone: 2/15..2/19 (1-5), Sat 2/20 (6), 2/22..2/26 (7-11), Mon 3/1 (12) → 2027-03-01. Both
    counted (each make-up Saturday a working day), Sat 2/27 would be the 12th."""
    path = str(tmp_path / "twice.db")
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    engine.add_calendar_years(fixture_2027)
    stored_again_by_hand(path, None, RECORDED_AT)
    again = Engine.open(path, today=lambda: date(2027, 2, 12))
    assert again.due(date(2027, 2, 12), "12wd").due == date(2027, 3, 1)


def test_a_row_altered_and_set_aside_is_no_longer_noted_at_open(tmp_path, fixture_2027):
    """A stored year changed by hand (no longer fitting its hash) is said at every open
    ("its year is not counted from it"); once set aside (``calendar void``, which sets aside
    a row that cannot be read back too) it is kept as evidence and said no more: its year is
    counted as before it was added, which the note would only repeat."""
    path = str(tmp_path / "altered.db")
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    engine.add_calendar_years(fixture_2027)
    with sqlite3.connect(path) as conn:
        conn.execute("drop trigger calendar_years_append_only_update")
        conn.execute("update calendar_years set actor = 'someone'")
        conn.execute(CALENDAR_YEAR_TRIGGERS[0])
    conn.close()
    altered = Engine.open(path, today=lambda: date(2027, 2, 12))
    assert altered.calendar_notes == (
        "note: calendar year #1 (2027, as it now reads) was altered: it no longer fits its hash, "
        "so it was changed outside doudi (doudi audit verify lists what was); its year is not "
        "counted from it (projected, as without a record)",)
    altered.void_calendar_year(1, "误录")
    assert Engine.open(path, today=lambda: date(2027, 2, 12)).calendar_notes == ()


# -- calendar add: a year told otherwise (calendar_years.difference) ---------------------------


@pytest.mark.parametrize("field, old, new", [
    ("published", "2026-11-20", "2026-11-21"),
    ("title", "（测试夹具）\"", "（测试夹具，重录）\""),
])
def test_a_stored_year_told_otherwise_only_in_its_date_or_title_names_that(
        db, tmp_path, fixture_2027, field, old, new):
    """A year is recorded once: the fixture stored, the same days with another date of
    publication or another title are refused, exit 2, nothing written, the line naming the
    field that differs (it said "its holidays are named or listed otherwise", which they
    are not)."""
    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    path = tmp_path / "again.toml"
    path.write_text(FIXTURE_2027.replace(old, new, 1), encoding="utf-8")
    refused = run(db, "calendar", "add", str(path))
    assert refused.exit_code == 2
    (stored,) = Engine.open(db).calendar_years()[-1:]
    mine, yours = ((new, old) if field == "published" else
                   ("国务院办公厅关于2027年部分节假日安排的通知（测试夹具，重录）",
                    "国务院办公厅关于2027年部分节假日安排的通知（测试夹具）"))
    assert error_line(refused) == (
        f"Error: {path}: year 2027: this database holds 2027 already (calendar year #1, "
        f"{NOTICE}, recorded {stored.recorded_at}) and this record differs (its {field} "
        f"{mine} against {yours}): a year is recorded once")
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from calendar_years").fetchone() == (1,)
    conn.close()


# -- audit verify: the calendar years as they stood (Maintenance._years_tries) -----------------

#: How a 3 working days' count from Mon 2027-01-25 is explained (民法典第201条: the day not
#: counted; 1/26, 1/27, 1/28 → 2027-01-28 both projected and on the fixture's record, which
#: moves no day in January after 元旦): on the projection, and on the record.
PROJECTED = ("《民法典》第201条：起算日2027-01-25不计入，计3个工作日；工作日依《全国年节及纪念日放假办法》"
             "第二条、第六条（推算，待国务院办公厅当年通知发布后重算）")
ON_RECORD = f"《民法典》第201条：起算日2027-01-25不计入，计3个工作日；工作日依{NOTICE}"


@pytest.fixture
def days(monkeypatch):
    """The store's clock a day a row: 2026-12-01T10:00:00+00:00, then 12-02, …"""
    day = iter(range(1, 29))
    monkeypatch.setattr("engine.store._now", lambda: f"2026-12-{next(day):02d}T10:00:00+00:00")


def _accepted(engine) -> None:
    engine.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    engine.fire("A1", "accept", on=date(2027, 1, 25))


def _counted_before(seq: int, earlier: bool, stored: str, named: str, given: str) -> str:
    return (f"case A1: event seq {seq} {'or events before it ' if earlier else ''}came before "
            "calendar years recorded since: deadline investigation_start #1 has computation "
            f"'{stored}' as stored; those years ({named}) give '{given}': run `doudi recompute` "
            "to record it")


def test_verify_says_events_came_before_a_year_recorded_between_them(tmp_path, fixture_2027, days):
    """A 山西 case of 甲县 accepted on Mon 2027-01-25 on the projected 2027 (its investigation
    due 01-28, counted "推算"); the fixture's 2027 recorded (12-03); then the investigation
    started (fire counts the new event alone: the deadline stays as accept counted it). The
    finding names event seq 2 "or events before it": the year came after accept but before
    start_investigation, so an event before the last was counted without it."""
    engine = Engine.open(str(tmp_path / "since.db"), today=lambda: date(2027, 1, 26))
    _accepted(engine)
    (year,) = engine.add_calendar_years(fixture_2027).recorded
    engine.fire("A1", "start_investigation", on=date(2027, 1, 26))
    assert [str(f) for f in engine.verify()[2]] == [_counted_before(
        2, True, PROJECTED, f"calendar year #1, 2027 {NOTICE}, recorded {year.recorded_at}",
        ON_RECORD)]


def test_verify_says_events_came_before_a_set_aside_recorded_between_them(
        tmp_path, fixture_2027, days):
    """The same with the year recorded first, the case accepted on it, and the year set
    aside before the investigation started: event seq 2 "or events before it" came before
    the set-aside (accept was counted on the record, now projected)."""
    engine = Engine.open(str(tmp_path / "gone.db"), today=lambda: date(2027, 1, 26))
    engine.add_calendar_years(fixture_2027)
    _accepted(engine)
    row = engine.void_calendar_year(1, "核对")
    engine.fire("A1", "start_investigation", on=date(2027, 1, 26))
    assert [str(f) for f in engine.verify()[2]] == [_counted_before(
        2, True, ON_RECORD, f"the set-aside of calendar year #1, 2027 {NOTICE}, recorded "
        f"{row['recorded_at']}", PROJECTED)]


def test_verify_counts_an_event_after_a_set_aside_without_the_year_set_aside(
        tmp_path, fixture_2027, days):
    """The fixture's 2027 recorded (#1) and set aside, the case accepted (on the projection:
    the year set aside is not counted), then the same record added again (#2). As the years
    stood at accept, #1 was set aside already: the projection, as stored; the finding names
    #2 recorded since (counted as in force then, #1 would give the record's count, and the
    case would be named altered)."""
    engine = Engine.open(str(tmp_path / "again.db"), today=lambda: date(2027, 1, 26))
    engine.add_calendar_years(fixture_2027)
    engine.void_calendar_year(1, "核对")
    _accepted(engine)
    (year,) = engine.add_calendar_years(fixture_2027).recorded
    assert [str(f) for f in engine.verify()[2]] == [_counted_before(
        1, False, PROJECTED, f"calendar year #2, 2027 {NOTICE}, recorded {year.recorded_at}",
        ON_RECORD)]


# -- calendar add: what is checked against what (calendar_years.to_add) -----------------------

def made_up_year(year: int, published: str, days_off: list[tuple[str, str, str]]) -> str:
    """A made-up year's record (as tests/test_calendar_years.py's refusals use): its notice
    marked a test fixture, each statutory day off (name, first, last)."""
    return (f'[[year]]\nyear = {year}\nnotice = "测试{year}（测试夹具）"\npublished = {published}\n'
            'title = "测试夹具"\n' + "".join(
                f'\n[[year.holiday]]\nname = "{name}"\noff = [{first}, {last}]\n'
                for name, first, last in days_off))


#: A made-up 2028: each statutory day off.
RECORD_2028 = made_up_year(2028, "2027-12-01", [
    ("元旦", "2028-01-01", "2028-01-01"), ("春节", "2028-01-25", "2028-01-31"),
    ("清明节", "2028-04-04", "2028-04-04"), ("劳动节", "2028-05-01", "2028-05-02"),
    ("端午节", "2028-05-28", "2028-05-28"), ("国庆节、中秋节", "2028-10-01", "2028-10-03")])


def test_a_notice_published_today_is_recorded(tmp_path, fixture_2027):
    """"only a notice already issued is recorded": the fixture's, published 2026-11-20, is
    recorded on 2026-11-20 itself (issued that day); the day before, it is refused."""
    path = str(tmp_path / "today.db")
    with pytest.raises(InvalidInput, match=r"published 2026-11-20 is after today \(2026-11-19\)"):
        Engine.open(path, today=lambda: date(2026, 11, 19)).add_calendar_years(fixture_2027)
    added = Engine.open(path, today=lambda: date(2026, 11, 20)).add_calendar_years(fixture_2027)
    assert [(y.year, y.id) for y in added.recorded] == [(2027, 1)]


@pytest.mark.parametrize("text", [FIXTURE_2027 + "\n" + RECORD_2028, RECORD_2028 + "\n" + FIXTURE_2027])
def test_two_years_in_one_file_are_recorded_the_later_after_the_earlier(tmp_path, text):
    """A file holding 2027 and 2028 (each a year after one with its record: 2026 packaged,
    2027 in the same file), in either order, records both, stored in the order of the years
    (2027 as #1, chained first): the years are added in order, and the earlier one of the
    file counts as recorded for the later."""
    path = tmp_path / "both.toml"
    path.write_text(text, encoding="utf-8")
    engine = Engine.open(str(tmp_path / "both.db"), today=lambda: date(2027, 12, 20))
    added = engine.add_calendar_years(str(path))
    assert [(y.year, y.id) for y in added.recorded] == [(2027, 1), (2028, 2)]


def test_a_year_after_one_a_release_now_ships_is_recorded(tmp_path, fixture_2027,
                                                        calendar_with_2027):
    """The fixture's 2027 stored, then a doudi release shipping 2027 (conftest's test record,
    differing): the stored row is kept as evidence, not counted, and the next year's record
    is checked against the packaged 2027, not both (two records of 2027 read together were
    refused, and no later year could be added)."""
    path = str(tmp_path / "r.db")
    Engine.open(path, today=lambda: date(2027, 12, 20)).add_calendar_years(fixture_2027)
    calendar_with_2027()
    later = tmp_path / "2028.toml"
    later.write_text(RECORD_2028, encoding="utf-8")
    engine = Engine.open(path, today=lambda: date(2027, 12, 20))
    added = engine.add_calendar_years(str(later))
    assert [(y.year, y.id) for y in added.recorded] == [(2028, 2)]

#: A made-up 2029 (each statutory day off as 放假办法 第二条 projects it: 除夕 2/12 to 初三 2/15).
RECORD_2029 = made_up_year(2029, "2028-12-01", [
    ("元旦", "2029-01-01", "2029-01-01"), ("春节", "2029-02-12", "2029-02-15"),
    ("清明节", "2029-04-04", "2029-04-04"), ("劳动节", "2029-05-01", "2029-05-02"),
    ("端午节", "2029-06-16", "2029-06-18"), ("中秋节", "2029-09-22", "2029-09-24"),
    ("国庆节", "2029-10-01", "2029-10-03")])


def test_calendar_void_names_the_last_later_year_to_set_aside_first(tmp_path, fixture_2027):
    """Years are set aside from the last back: with 2027 (#1), 2028 (#2) and 2029 (#3)
    stored, setting 2027 aside is refused naming 2029, calendar year #3, the one to set aside
    first (not 2028, which is refused in turn while 2029 is counted)."""
    path = tmp_path / "later.toml"
    path.write_text(RECORD_2028 + "\n" + RECORD_2029, encoding="utf-8")
    engine = Engine.open(str(tmp_path / "later.db"), today=lambda: date(2028, 12, 20))
    engine.add_calendar_years(fixture_2027)
    engine.add_calendar_years(str(path))
    with pytest.raises(EventRefused) as refused:
        engine.void_calendar_year(1, "核对")
    assert str(refused.value) == (
        "calendar year #1 (2027) cannot be set aside while a later year is counted from the "
        "database (2029, calendar year #3): set the later years aside first")


def test_verify_reads_the_years_another_process_recorded_since_the_engine_opened(
        tmp_path, fixture_2027, days):
    """An engine kept open (a platform's) accepts a case on the projected 2027; another
    process records the fixture's 2027. audit verify from the engine kept open names the
    case as counted before it (the years as stored now, not as the engine read them when it
    opened: then the history gives what is stored, and the case was not named at all)."""
    path = str(tmp_path / "kept.db")
    kept = Engine.open(path, today=lambda: date(2027, 1, 26))
    _accepted(kept)
    (year,) = Engine.open(path, today=lambda: date(2027, 1, 26)).add_calendar_years(
        fixture_2027).recorded
    assert [str(f) for f in kept.verify()[2]] == [_counted_before(
        1, False, PROJECTED, f"calendar year #1, 2027 {NOTICE}, recorded {year.recorded_at}",
        ON_RECORD)]


def test_verify_says_events_came_before_a_year_recorded_between_them_with_a_setting_after(
        tmp_path, fixture_2027, days):
    """The county settings and the years together (Maintenance._both_then_give): accepted on
    Mon 2027-01-25 on the projected 2027 and the province's 3 working days (民发〔2021〕57号
    第15条: 1/26, 1/27, 1/28 → 01-28); the fixture's 2027 recorded; the investigation started
    on 01-26 (stopping it); then 甲县's 5 working days dated back to 2027-01-04. With both:
    1/26..1/29 (1-4), Sun 1/31 make-up (5) → 2027-01-31; with the setting alone, projected
    (1/26..1/29, Mon 2/1 → 02-01), with the year alone 01-28 counted on the record: neither
    alone gives what is stored. The setting came after every event, the year before the
    last: the finding names event seq 2 "or events before it"."""
    engine = Engine.open(str(tmp_path / "both.db"), today=lambda: date(2027, 1, 26))
    _accepted(engine)
    (year,) = engine.add_calendar_years(fixture_2027).recorded
    engine.fire("A1", "start_investigation", on=date(2027, 1, 26))
    setting = engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd",
                                   "甲县民政局〔2027〕1号 三", on=date(2027, 1, 4))
    assert [str(f) for f in engine.verify()[2]] == [
        "case A1: event seq 2 or events before it came before county settings and calendar "
        "years recorded since: deadline investigation_start #1 is due 2027-01-28 as stored; "
        f"those settings and years (setting #1, recorded {setting.recorded_at}; calendar year "
        f"#1, 2027 {NOTICE}, recorded {year.recorded_at}) give 2027-01-31, and it stopped on "
        "2027-01-26: run `doudi recompute` to record that it keeps the due date it was judged by"]


def test_verify_counts_each_case_on_the_row_it_was_counted_on_not_on_its_year(
        tmp_path, fixture_2027, days):
    """Two rows of 2027 each counted by a case, both set aside since: 3 working days (the
    investigation's, 晋民发〔2023〕31号) from acceptance on Thu 2027-02-18 (not counted):
      A1 on WRONG_2027 (#1, make-up Sat 02-27): Fri 2/19, Mon 2/22, Tue 2/23 → 2027-02-23;
      A2 on the fixture (#2, make-up Sat 02-20): Fri 2/19, Sat 2/20, Mon 2/22 → 2027-02-22;
    now projected (both set aside): 02-23, provisional. audit verify counts each case on the
    row it was counted on (a calendar built for one row of 2027 is not the other's), so both
    are explained; counted on A1's calendar, A2 was named altered."""
    engine = Engine.open(str(tmp_path / "rows.db"), today=lambda: date(2027, 2, 18))
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(WRONG_2027, encoding="utf-8")
    due = {}
    for case_id, path in [("A1", str(wrong)), ("A2", fixture_2027)]:
        (year,) = engine.add_calendar_years(path).recorded
        engine.open_case("shanxi", on=date(2027, 2, 18), attributes={"county": "甲县"},
                         case_id=case_id)
        view = engine.fire(case_id, "accept", on=date(2027, 2, 18))
        due[case_id] = [v.deadline.due_on for v in view.deadlines
                        if v.deadline.rule == "investigation_start"]
        engine.void_calendar_year(year.id, "核对")
    assert due == {"A1": [date(2027, 2, 23)], "A2": [date(2027, 2, 22)]}
    findings = [str(f) for f in engine.verify()[2]]
    assert [f.split(": deadline")[0] for f in findings] == [
        f"case {c}: event seq 1 came before calendar years recorded since" for c in ("A1", "A2")]


def test_a_year_set_aside_twice_is_set_aside_by_the_first(tmp_path, fixture_2027, days):
    """A second set-aside of the same row, inserted by hand (chained as doudi chains one):
    the first that fits its hash is the one that set the year aside (integrity.
    first_set_asides), and a set-aside asked again names it, its date and basis."""
    path = str(tmp_path / "twice.db")
    engine = Engine.open(path, today=lambda: date(2027, 1, 26))
    engine.add_calendar_years(fixture_2027)
    first = engine.void_calendar_year(1, "核对")
    row = {"calendar_year": 1, "citation": "再核对", "actor": None,
           "recorded_at": "2026-12-20T10:00:00+00:00"}
    chained([row], first["hash"], YEAR_VOID_HASHED)
    with sqlite3.connect(path) as conn:
        conn.execute("insert into calendar_year_voids (calendar_year, citation, actor, "
                     "recorded_at, hash, prev_hash) values (:calendar_year, :citation, :actor, "
                     ":recorded_at, :hash, :prev_hash)", row)
    conn.close()
    with pytest.raises(EventRefused) as refused:
        Engine.open(path, today=lambda: date(2027, 1, 26)).void_calendar_year(1, "第三次")
    assert str(refused.value) == (
        f"calendar year #1 (2027) was set aside already (on {first['recorded_at']}, 核对)")


# -- the command line: calendar add, calendar due (engine/cli/calendar.py) ---------------------


def test_calendar_add_recording_nothing_keeps_an_existing_empty_database(db, today):
    """Only a database the command made is removed when it records nothing: the packaged
    2026 given to an existing database that holds nothing yet ("already in doudi's packaged
    calendar, the same; nothing written") leaves the file where it was."""
    from engine.calendar import national_calendar

    Engine.open(db).close()
    packaged = os.path.join(os.path.dirname(db), "2026.toml")
    with open(packaged, "w", encoding="utf-8") as handle:
        handle.write(calendar_years.record_text(
            next(r for r in national_calendar().records if r.year == 2026)))
    added = run(db, "calendar", "add", packaged)
    assert added.exit_code == 0, added.output
    assert added.stdout.endswith("already in doudi's packaged calendar, the same; nothing written\n")
    assert os.path.exists(db)


def test_calendar_add_says_nothing_of_provisional_deadlines_where_none_runs(db, fixture_2027, today):
    """The note on provisional deadlines is for a database with some running; on one with
    no case, the add writes its one line on stdout and nothing on stderr (it said "0
    provisional deadlines running in 0 cases")."""
    added = run(db, "calendar", "add", fixture_2027)
    assert added.exit_code == 0
    assert (added.stdout, added.stderr) == (f"2027 ({NOTICE}): recorded as calendar year #1\n", "")


def test_an_add_that_records_nothing_is_no_stored_write(tmp_path, fixture_2027):
    """Engine.stored_write is what the last single write stored: after the fixture added
    again ("already" there, nothing written) it is None, not an empty record of years; after
    a set-aside, its row; after a set-aside refused, None (not the write before)."""
    engine = Engine.open(str(tmp_path / "w.db"), today=lambda: date(2027, 1, 26))
    engine.add_calendar_years(fixture_2027)
    assert [y.year for y in engine.stored_write.years] == [2027]
    again = engine.add_calendar_years(fixture_2027)
    assert (again.recorded, [y.id for y in again.already]) == ((), [1])
    assert engine.stored_write is None
    # A set-aside is the row it recorded; one refused (no calendar year #7) is none.
    row = engine.void_calendar_year(1, "核对")
    assert engine.stored_write.year_set_aside == row
    with pytest.raises(UnknownName):
        engine.void_calendar_year(7, "核对")
    assert engine.stored_write is None


# -- Ctrl-C before the COMMIT (core._recorded_set_aside, _add_calendar_records) ----------------


def _interrupted_before_commit(monkeypatch) -> None:
    """Ctrl-C raised once a write's rows are inserted, before its COMMIT: the transaction is
    rolled back, so nothing of it is stored (the rows were given their ids all the same)."""
    from engine.store import _WriteTransaction

    real_exit = _WriteTransaction.__exit__

    def exit_(block, kind, exc, traceback):
        if block.savepoint is not None or kind is not None:
            return real_exit(block, kind, exc, traceback)
        interrupt = KeyboardInterrupt()
        real_exit(block, KeyboardInterrupt, interrupt, None)
        raise interrupt

    monkeypatch.setattr(_WriteTransaction, "__exit__", exit_)


@pytest.mark.parametrize("args, table", [
    (["calendar", "add", "{fixture}"], "calendar_years"),
    (["calendar", "void", "1", "--basis", "核对"], "calendar_year_voids"),
])
def test_a_write_interrupted_before_its_commit_says_nothing_more_was_recorded(
        db, fixture_2027, today, monkeypatch, args, table):
    """Ctrl-C after a calendar year's row (or its set-aside's) is inserted but before the
    COMMIT: the row is rolled back, and the line says so ("interrupted: nothing more was
    recorded", exit 1), not that the year, or the set-aside, was recorded (which would have
    the operator believe it stored, and not run the command again)."""
    if table == "calendar_year_voids":
        assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    else:
        Engine.open(db).close()
    _interrupted_before_commit(monkeypatch)
    result = run(db, *[a.format(fixture=fixture_2027) for a in args])
    assert (result.exit_code, error_line(result)) == (
        1, "Error: interrupted: nothing more was recorded")
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"select count(*) from {table}").fetchone() == (0,)
    conn.close()


# -- a death dated before 低保 began (default_benefit.death_date_valid) ------------------------


def test_a_second_death_is_checked_against_the_opening_not_the_event_before(tmp_path):
    """民发〔2021〕57号 第21条 pays from the month after the decision: a household approved
    before doudi, opened Mon 2026-03-02 and paid from 2026-04, was decided in 2026-03 at the
    earliest. A first death on 2026-03-01 is taken; a second member's dated Sat 2026-02-28,
    recorded after it, is refused as the first would be: what began 低保 is the opening's
    paid_from, not the event before (which holds none, and let it through)."""
    from test_benefit_common import open_benefit

    engine = Engine.open(str(tmp_path / "b.db"))
    case = open_benefit(engine, on=date(2026, 3, 2), paid_from="2026-04")
    engine.fire(case.id, "member_died", on=date(2026, 3, 10), payload={"died_on": "2026-03-01"})
    with pytest.raises(InvalidInput, match=r"^died_on 2026-02-28 is before this household's 低保 "
                                           r"began \(paid from 2026-04, so decided in 2026-03"):
        engine.fire(case.id, "member_died", on=date(2026, 3, 11),
                    payload={"died_on": "2026-02-28"})


# -- an error line's length (errors.shortened) --------------------------------------------------


def test_a_message_around_two_values_shortened_already_is_shortened_as_a_whole():
    """A message made around two values each shortened when quoted (4,000 characters at most
    each, "… (N characters left out) …" in the middle) is past 4,000 characters again: it is
    cut once more, its first and last 2,000 characters kept and the characters of the message
    between them counted (the earlier cuts' counts are merged only where there is one), not a
    ValueError raised as the error is made."""
    from engine.errors import shortened

    message = f"line 1: case_id {shortened('a' * 5000)} and {shortened('b' * 5000)} differ"
    error = InvalidInput(message)
    assert str(error) == (f"{message[:2000]}… ({len(message) - 4000:,} characters left out) …"
                          f"{message[-2000:]}")
    assert str(error).startswith("line 1: case_id aaa") and str(error).endswith("bbb differ")


def test_a_message_quoting_the_left_out_mark_itself_is_cut_plainly():
    """A value that holds the words "… (5 characters left out) …" typed in it (not a cut
    doudi made: 2,000 characters do not stand before it) is not taken for one: the message
    past 4,000 characters is cut plainly, its first and last 2,000 characters kept."""
    message = "reason x… (5 characters left out) …" + "b" * 5000
    assert str(InvalidInput(message)) == (
        f"{message[:2000]}… ({len(message) - 4000:,} characters left out) …{message[-2000:]}")


def test_an_error_s_command_line_words_are_shortened_as_its_message():
    """DoudiError.command_line (the message as the doudi command says it) is shortened as the
    message is: a value of 5,000 characters quoted in both is cut to its first and last
    2,000 characters of the line in each, the Python API's caller given no 5 kB line."""
    value = "r" * 5000
    error = InvalidInput(f"reason {value}", command_line=f"--reason {value}")
    assert str(error) == f"reason {value[:1993]}… (1,007 characters left out) …{value[:2000]}"
    assert error.command_line == (f"--reason {value[:1991]}… (1,009 characters left out) …"
                                  f"{value[:2000]}")


# -- audit verify --case: the calendar years' kept heads (maintenance._CHECKED_FOR_A_CASE) -----


@pytest.mark.parametrize("table, what", [("calendar_years", "calendar year"),
                                         ("calendar_year_voids", "calendar year set-aside")])
def test_verify_of_one_case_checks_the_calendar_years_kept_heads(
        tmp_path, fixture_2027, table, what):
    """Every case is counted on the database's calendar years, so `audit verify --case` with
    the tables' heads kept (--table-heads) checks theirs too, as the county settings': the
    last row of either deleted by hand (its trigger dropped and put back), which no chain
    shows, is named by a verify of one case."""
    from engine.schema import CALENDAR_YEAR_TRIGGERS, CALENDAR_YEAR_VOID_TRIGGERS

    path = str(tmp_path / "case.db")
    engine = Engine.open(path, today=lambda: date(2027, 1, 26))
    engine.add_calendar_years(fixture_2027)
    if table == "calendar_year_voids":
        engine.void_calendar_year(1, "核对")
    _accepted(engine)
    heads = list(engine.table_heads())
    (digest,) = [d for t, _, d in heads if t == table]
    with sqlite3.connect(path) as conn:
        conn.execute(f"drop trigger {table}_append_only_delete")
        conn.execute(f"delete from {table}")
        for trigger in (*CALENDAR_YEAR_TRIGGERS, *CALENDAR_YEAR_VOID_TRIGGERS):
            conn.execute(trigger)
    conn.close()
    verifier = Engine.open(path, today=lambda: date(2027, 1, 26))
    findings = [str(f) for f in verifier.verify("A1", table_heads=heads)[2]]
    assert (f"{what} #1 missing since its hash {digest} was kept: the table ends before it"
            in findings), findings
