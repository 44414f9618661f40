"""A year's official calendar record added to a case database, without a doudi release.

calendar.md: "Adding a year is a data change, never a code change". The State Council's
notice of a year comes about a month before it (2026's on 2025-11-04); until a doudi release
carries it, the operator records its [[year]] table in the database (`doudi calendar add`),
checked as the packaged file's records are, and every count of that database's cases uses it.

The 2027 record below is a TEST FIXTURE, NOT the real notice (none was published when this
was written): made-up days, so that the counts below can be checked by hand.
  元旦  off Fri 2027-01-01 .. Sun 01-03
  春节  off Fri 2027-02-05 .. Thu 02-11, make-up working days Sun 01-31 and Sat 02-20
  清明节 04-03..04-05, 劳动节 05-01..05-05, 端午节 06-09, 中秋节 09-15, 国庆节 10-01..10-07,
  no make-up day (each statutory day off of 放假办法 第二条 is off: calendar add refuses a
  record that leaves one a working day)
Without it, 2027 is projected from 《全国年节及纪念日放假办法》 第二条、第六条: 元旦 1/1; 春节
除夕 to 初三, Fri 2/5 .. Mon 2/8, its Saturday and Sunday (2/6, 2/7) made up on Tue 2/9 and
Wed 2/10; no make-up working day.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine, InvalidInput
from engine.cli import cli
from helpers import by_rule, error_line, run

NOTICE = "国办发明电〔2026〕99号（测试夹具，非真实通知）"
FIXTURE_2027 = f"""# A TEST FIXTURE, NOT the real 2027 notice: made-up days for doudi's tests.
[[year]]
year = 2027
notice = "{NOTICE}"
published = 2026-11-20
title = "国务院办公厅关于2027年部分节假日安排的通知（测试夹具）"

[[year.holiday]]
name = "元旦"
off = [2027-01-01, 2027-01-03]
make_up = []

[[year.holiday]]
name = "春节"
off = [2027-02-05, 2027-02-11]
make_up = [2027-01-31, 2027-02-20]

[[year.holiday]]
name = "清明节"
off = [2027-04-03, 2027-04-05]
make_up = []

[[year.holiday]]
name = "劳动节"
off = [2027-05-01, 2027-05-05]
make_up = []

[[year.holiday]]
name = "端午节"
off = [2027-06-09, 2027-06-09]
make_up = []

[[year.holiday]]
name = "中秋节"
off = [2027-09-15, 2027-09-15]
make_up = []

[[year.holiday]]
name = "国庆节"
off = [2027-10-01, 2027-10-07]
make_up = []
"""
TODAY = date(2026, 12, 7)


@pytest.fixture
def fixture_2027(tmp_path):
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027, encoding="utf-8")
    return str(path)


@pytest.fixture
def today(monkeypatch):
    """The CLI's today (the date in China): ``today(d)`` sets it; 2026-12-07 unless set."""
    def set_today(day):
        monkeypatch.setattr("engine.clock.china_today", lambda: day)
    set_today(TODAY)
    return set_today


def stored_years(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("select year, notice from calendar_years order by id").fetchall()


def test_a_10wd_count_across_the_added_years_make_up_saturday(db, fixture_2027, today):
    """10 working days from Fri 2027-02-12 (not counted, 民法典第201条).
    Projected: 2/15..2/19 (1-5), 2/22..2/26 (6-10)                    → Fri 2027-02-26, provisional.
    On the record added: 2/15..2/19 (1-5), Sat 2/20 make-up (6), 2/22..2/25 (7-10) → Thu 2027-02-25."""
    before = run(db, "calendar", "due", "2027-02-12", "10wd")
    assert before.stdout.splitlines()[0] == "2027-02-26  (provisional)"
    added = run(db, "calendar", "add", fixture_2027, "--actor", "甲县民政局")
    assert added.exit_code == 0, added.output
    assert added.stdout == f"2027 ({NOTICE}): recorded as calendar year #1\n"
    after = run(db, "calendar", "due", "2027-02-12", "10wd")
    assert after.stdout.splitlines() == [
        "2027-02-25", f"依据：《民法典》第201条：起算日2027-02-12不计入，计10个工作日；工作日依{NOTICE}"]
    # Another database, or none, still counts on the packaged years alone.
    other = CliRunner().invoke(cli, ["calendar", "due", "2027-02-12", "10wd", "--db",
                                     db + ".none"])
    assert other.stdout.splitlines()[0] == "2027-02-26  (provisional)"
    listed = run(db, "calendar", "years", "--format", "json")
    years = __import__("json").loads(listed.stdout)
    assert years[0]["year"] == 2018 and years[-2]["source"] == "packaged"
    assert years[-1] == {"year": 2027, "notice": NOTICE, "published": "2026-11-20",
                         "title": "国务院办公厅关于2027年部分节假日安排的通知（测试夹具）",
                         "source": "database", "id": 1, "actor": "甲县民政局",
                         "recorded_at": years[-1]["recorded_at"]}


def test_recompute_makes_a_provisional_deadline_official_after_the_year_is_added(
        tmp_path, fixture_2027):
    """民发〔2021〕57号 / 晋民发〔2023〕31号 四(二): 30 working days from acceptance on Mon
    2027-01-25 (not counted).
    Projected: 1/26..1/29 (1-4), 2/1..2/4 (5-8), 2/5..2/10 off, 2/11 (9), 2/12 (10), 2/15..2/19
      (15), 2/22..2/26 (20), 3/1..3/5 (25), 3/8..3/12 (30)                  → 2027-03-12, provisional.
    On the record: 1/26..1/29 (1-4), Sun 1/31 make-up (5), 2/1..2/4 (6-9), 2/5..2/11 off,
      2/12 (10), 2/15..2/19 (15), Sat 2/20 make-up (16), 2/22..2/26 (21), 3/1..3/5 (26),
      3/8..3/11 (30)                                                      → 2027-03-11, official."""
    path = str(tmp_path / "r.db")
    engine = Engine.open(path, today=lambda: date(2027, 1, 25))
    engine.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    total = by_rule(engine.fire("A1", "accept", on=date(2027, 1, 25)))["total"].deadline
    assert (total.due_on, total.provisional) == (date(2027, 3, 12), True)
    assert "（推算，" in total.computation
    # (the investigation's 3 working days, 1/26..1/28, are in the projected year too)
    assert engine.store.provisional_running() == (2, 1)
    added = engine.add_calendar_years(fixture_2027)
    assert [(y.year, y.source, y.id) for y in added.recorded] == [(2027, "database", 1)]
    # The deadline keeps its date until recompute; audit verify explains it, not "altered".
    _, _, findings = engine.verify()
    assert [str(f) for f in findings] == [
        "case A1: event seq 1 came before calendar years recorded since: deadline "
        "investigation_start #1 has computation '《民法典》第201条：起算日2027-01-25不计入，计3个"
        "工作日；工作日依《全国年节及纪念日放假办法》第二条、第六条（推算，待国务院办公厅当年通知发布后"
        "重算）' "
        f"as stored; those years (calendar year #1, 2027 {NOTICE}, recorded "
        f"{added.recorded[0].recorded_at}) give '《民法典》第201条：起算日2027-01-25不计入，计3个"
        f"工作日；工作日依{NOTICE}': run `doudi recompute` to record it"]
    moved = engine.recompute()
    assert moved == [("A1", "total", 1, date(2027, 3, 12), date(2027, 3, 11)),
                     ("A1", "investigation_start", 1, date(2027, 1, 28), date(2027, 1, 28))]
    total = by_rule(engine.case("A1"))["total"].deadline
    assert (total.due_on, total.provisional) == (date(2027, 3, 11), False)
    assert total.computation.endswith(f"工作日依{NOTICE}") and "推算" not in total.computation
    assert engine.verify()[2] == []
    # Another engine on the database counts on the year too (read when it opens).
    again = Engine.open(path, today=lambda: date(2027, 1, 25))
    again.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A2")
    assert by_rule(again.fire("A2", "accept", on=date(2027, 1, 25)))["total"].deadline.due_on \
        == date(2027, 3, 11)


def test_the_add_says_how_many_running_deadlines_were_provisional(db, fixture_2027, today):
    """30 working days from 2026-12-07 run into 2027 (provisional); the investigation's 3 do
    not (12/8, 12/9, 12/10): one provisional deadline running in one case."""
    assert run(db, "case", "open", "--province", "shanxi", "--id", "C1", "--set", "county=甲县",
               "--on", "2026-12-07").exit_code == 0
    assert run(db, "case", "accept", "C1", "--on", "2026-12-07").exit_code == 0
    added = run(db, "calendar", "add", fixture_2027)
    assert added.exit_code == 0, added.output
    assert added.stderr == ("note: 1 provisional deadline running in 1 case were counted on the "
                            "projection of a year without its notice and keep those dates until "
                            "`doudi recompute` re-derives them on the calendar now stored\n")


def test_adding_the_same_file_again_writes_nothing(db, fixture_2027, today):
    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    again = run(db, "calendar", "add", fixture_2027)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith(f"2027 ({NOTICE}): already stored as calendar year #1 on ")
    assert again.stdout.endswith(", the same; nothing written\n")
    assert stored_years(db) == [(2027, NOTICE)]


def test_a_year_doudi_ships_identical_is_already_there(db, tmp_path, today):
    """The 2026 record exactly as doudi's packaged file has it (国办发明电〔2025〕7号)."""
    from engine.calendar import national_calendar
    from engine.calendar_years import record_text

    shipped = tmp_path / "2026.toml"
    shipped.write_text(record_text(national_calendar().records[-1]), encoding="utf-8")
    added = run(db, "calendar", "add", str(shipped))
    assert (added.exit_code, added.stdout) == (
        0, "2026 (国办发明电〔2025〕7号): already in doudi's packaged calendar, the same; nothing "
           "written\n")
    # (--db named no database: none is left behind, made for nothing; it was, empty)
    assert not __import__("os").path.exists(db)
    assert run(db, "case", "open", "--province", "shanxi", "--on", "2026-12-01").exit_code == 0
    again = run(db, "calendar", "add", str(shipped))
    assert (again.exit_code, again.stdout) == (0, added.stdout)
    assert stored_years(db) == []


@pytest.mark.parametrize("change, problem", [
    # a year doudi ships, told otherwise
    (lambda t: t.replace("2027", "2026").replace("2026-11-20", "2025-11-20")
     .replace("2026-02-20", "2026-02-21").replace("2026-01-31", "2026-02-01"),
     "year 2026: doudi's packaged calendar holds 2026 (国办发明电〔2025〕7号) and this record "
     "differs (2026-01-04 周日 is an ordinary day in one, a working day (元旦调休上班) in the "
     "other): a year doudi ships is not added"),
    # a notice dated after today (2026-12-07)
    (lambda t: t.replace("published = 2026-11-20", "published = 2026-12-08"),
     "year 2027: published 2026-12-08 is after today (2026-12-07): only a notice already "
     "issued is recorded"),
    # a notice dated before the year before its own (2025 typed for 2026): year Y's notice is
    # issued late in Y-1 (2026's on 2025-11-04), a change of it in Y (国办发明电〔2020〕1号)
    (lambda t: t.replace("published = 2026-11-20", "published = 2025-11-20"),
     "year 2027: published 2025-11-20 is before 2026-01-01: a year's notice is issued in the "
     "year before it (2026) at the earliest"),
    # a mistake read_records finds: a key misspelt
    (lambda t: t.replace("off = [2027-01-01", "of = [2027-01-01"),
     "year 2027 holiday 1: unknown key 'of' (known: name, off, make_up, notice)"),
    # another year's notice (2026's)
    (lambda t: t.replace(NOTICE, "国办发明电〔2025〕7号"),
     "year 2027: notice 国办发明电〔2025〕7号 is 2026's (each year has its own notice)"),
    # a statutory day off (《全国年节及纪念日放假办法》第二条: 中秋节, 国庆节 10/1–10/3) left a
    # working day: 中秋节's table left out, 国庆节's first day typed 10-02 (3 working days
    # from Tue 2027-09-28 then ended on Fri 10-01, official, where the projection gives 10-06)
    (lambda t: t.replace('name = "中秋节"\noff = [2027-09-15, 2027-09-15]\nmake_up = []\n\n'
                         '[[year.holiday]]\n', ""),
     "year 2027: 2027-09-15 周三 is a statutory day off (中秋节, 《全国年节及纪念日放假办法》第二条) "
     "and no holiday of this record gives it off: a holiday left out, or its dates mistyped"),
    (lambda t: t.replace("off = [2027-10-01, 2027-10-07]", "off = [2027-10-02, 2027-10-07]"),
     "year 2027: 2027-10-01 周五 is a statutory day off (国庆节, 《全国年节及纪念日放假办法》第二条) "
     "and no holiday of this record gives it off: a holiday left out, or its dates mistyped"),
    # text printed as it is (a basis, `calendar years`) that would break its line: a line
    # break in the notice, a terminal escape in a holiday's name, a right-to-left override
    (lambda t: t.replace(NOTICE, "国办发明电〔2026〕\\n99号"),
     'year 2027: notice must be printable text on one line, got "国办发明电〔2026〕\\n99号" '
     "(character U+000A)"),
    (lambda t: t.replace('name = "春节"', 'name = "\\u001b[31m春节"'),
     "year 2027 holiday 2: name must be printable text on one line"),
    (lambda t: t.replace('（测试夹具）"', '\\u202e"'),
     "year 2027: title must be printable text on one line"),
    # nested so deep that tomllib, which reads by recursion, gave a RecursionError's traceback
    (lambda t: "deep = " + "[" * 5000 + "]" * 5000 + "\n" + t,
     "not valid TOML: nested too deep for a calendar file"),
])
def test_a_refused_record_is_one_line_naming_the_file_and_nothing_is_written(
        db, tmp_path, today, change, problem):
    path = tmp_path / "bad.toml"
    path.write_text(change(FIXTURE_2027), encoding="utf-8")
    refused = run(db, "calendar", "add", str(path))
    assert refused.exit_code == 2
    line = error_line(refused)
    assert line.startswith(f"Error: {path}: {problem}"), line
    assert not __import__("os").path.exists(db)  # (a database it made for it: removed)


def test_a_file_saved_with_a_byte_order_mark_is_read(db, tmp_path, today):
    """Notepad saves UTF-8 with a byte order mark, which import and --data FILE read past:
    calendar add said "not valid TOML: Invalid statement (at line 1, column 1)"."""
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027, encoding="utf-8-sig")
    added = run(db, "calendar", "add", str(path))
    assert added.exit_code == 0, added.output
    assert added.stdout == f"2027 ({NOTICE}): recorded as calendar year #1\n"
    assert stored_years(db) == [(2027, NOTICE)]


def test_calendar_add_reads_stdin_given_as_dash(db, today):
    """`calendar add -` reads stdin, as import - and --data - do: it read a file named "-" and
    said "-: cannot be read (No such file or directory)". Its refusals name <stdin>."""
    added = run(db, "calendar", "add", "-", input=FIXTURE_2027.encode("utf-8-sig"))
    assert added.exit_code == 0, added.output
    assert added.stdout == f"2027 ({NOTICE}): recorded as calendar year #1\n"
    assert stored_years(db) == [(2027, NOTICE)]
    refused = run(db + "2", "calendar", "add", "-", input=FIXTURE_2027.replace("2027-10-01,", "2027-10-02,"))
    assert refused.exit_code == 2
    assert error_line(refused).startswith("Error: <stdin>: year 2027: 2027-10-01 周五 is a statutory day off")
    assert not __import__("os").path.exists(db + "2")


def test_the_differing_packaged_year_names_its_first_different_day(db, tmp_path, today):
    """The refusal's words for a year doudi ships: 2026's record with 元旦 to 01-04."""
    from engine.calendar import national_calendar
    from engine.calendar_years import record_text

    text = record_text(national_calendar().records[-1]).replace(
        "off = [2026-01-01, 2026-01-03]", "off = [2026-01-01, 2026-01-02]")
    path = tmp_path / "2026.toml"
    path.write_text(text, encoding="utf-8")
    refused = run(db, "calendar", "add", str(path))
    assert error_line(refused) == (
        f"Error: {path}: year 2026: doudi's packaged calendar holds 2026 (国办发明电〔2025〕7号) "
        "and this record differs (2026-01-03 周六 is an ordinary day in one, a day off (元旦) "
        "in the other): a year doudi ships is not added")


def test_a_stored_year_told_otherwise_and_a_year_after_a_gap_are_refused(
        db, tmp_path, fixture_2027, today):
    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    other = tmp_path / "other.toml"
    other.write_text(FIXTURE_2027.replace("2027-01-03", "2027-01-04"), encoding="utf-8")
    refused = run(db, "calendar", "add", str(other))
    assert refused.exit_code == 2
    assert error_line(refused).startswith(
        f"Error: {other}: year 2027: this database holds 2027 already (calendar year #1, {NOTICE}, "
        "recorded ")
    assert error_line(refused).endswith(
        "and this record differs (2027-01-04 周一 is a day off (元旦) in one, an ordinary day in "
        "the other): a year is recorded once")
    today(date(2028, 12, 20))
    gap = tmp_path / "2029.toml"
    gap.write_text('[[year]]\nyear = 2029\nnotice = "测试2029"\npublished = 2028-12-01\n'
                   'title = "测试夹具"\n\n[[year.holiday]]\nname = "元旦"\n'
                   "off = [2029-01-01, 2029-01-01]\n", encoding="utf-8")
    refused = run(db, "calendar", "add", str(gap))
    assert error_line(refused) == (
        f"Error: {gap}: year 2029: 2028 has no record yet; add the years in order (the days "
        "after a year without its notice are counted as provisional)")
    assert stored_years(db) == [(2027, NOTICE)]


def test_a_record_reaching_back_into_december_is_counted_there(tmp_path, fixture_2027):
    """元旦 of 2027 reaching back to Thu 2026-12-31 (from the 25th a notice may, as the 2019
    notice did 2018-12-30/31): a day the 2026 record does not set, counted as the 2027
    notice's day off. A file that cannot be read is InvalidInput through the API too."""
    engine = Engine.open(str(tmp_path / "a.db"), today=lambda: TODAY)
    path = tmp_path / "reach.toml"
    path.write_text(FIXTURE_2027.replace("2027-01-01, 2027-01-03", "2026-12-31, 2027-01-03"),
                    encoding="utf-8")
    engine.add_calendar_years(str(path))
    assert engine.calendar().day_info(date(2026, 12, 31)).source == NOTICE
    with pytest.raises(InvalidInput, match=r"missing\.toml: cannot be read"):
        engine.add_calendar_years(str(tmp_path / "missing.toml"))


def test_audit_verify_names_a_stored_year_edited_by_hand(db, fixture_2027, today):
    """A row of calendar_years edited with sqlite3 (its trigger dropped and put back): the
    chain names it, every command that opens the database says the year is not counted from
    it, and the year is projected again."""
    from engine.schema import CALENDAR_YEAR_TRIGGERS

    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger calendar_years_append_only_update")
        conn.execute("update calendar_years set record = "
                     "replace(record, '2027-01-03', '2027-01-04')")
        conn.execute(CALENDAR_YEAR_TRIGGERS[0])
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert "calendar year #1 altered\n" in verified.stdout
    assert verified.stderr.splitlines()[0] == (
        "note: calendar year #1 (2027, as it now reads) was altered: it no longer fits its hash, "
        "so it was changed outside doudi (doudi audit verify lists what was); its year is not "
        "counted from it (projected, as without a record)")
    assert verified.stderr.splitlines()[-1] == (
        "Error: the chain of the calendar years (or their set-asides) is broken at 1 place")
    due = run(db, "calendar", "due", "2027-02-12", "10wd")
    assert due.stdout.splitlines()[0] == "2027-02-26  (provisional)"
    # Set aside (evidence.md: "a year row set aside (doudi calendar void: recorded wrongly, or
    # altered)"), as an altered county setting is put right: named, kept as evidence, and no
    # failure; found by an operator's December run, where verify failed on every run after.
    assert run(db, "calendar", "void", "1", "--basis", "行被改动，作废").exit_code == 0
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 0, verified.stderr
    assert ("calendar year #1 altered; set aside by void #1 (行被改动，作废), and kept as "
            "evidence\n") in verified.stdout
    assert "note:" not in verified.stderr  # (a year set aside is not counted: nothing to say)
    assert run(db, "calendar", "due", "2027-02-12", "10wd").stdout.splitlines()[0] == (
        "2027-02-26  (provisional)")


def test_a_release_that_ships_a_stored_year_differing_is_counted_and_said(
        tmp_path, fixture_2027, calendar_with_2027):
    """A later doudi ships 2027 (conftest's test record: 元旦 1/1-1/4, 国办发明电〔2026〕X号
    （测试用）), which differs from the fixture stored: the packaged record is counted (Mon
    1/4 a day off) and the engine says so in one line when it opens."""
    path = str(tmp_path / "r.db")
    Engine.open(path, today=lambda: TODAY).add_calendar_years(fixture_2027)
    calendar_with_2027()
    engine = Engine.open(path, today=lambda: TODAY)
    (note,) = engine.calendar_notes
    assert note.startswith(
        "note: doudi's packaged calendar now holds 2027 (国办发明电〔2026〕X号（测试用）), which "
        "differs from calendar year #1 this database stored on ")
    assert "(2027-01-04 周一 is a day off (元旦) in one, an ordinary day in the other): the " \
           "packaged record is counted, the stored one kept as evidence; run `doudi recompute`" \
           in note
    assert not engine.calendar().day_info(date(2027, 1, 4)).working
    assert engine.calendar_years()[-1].source == "packaged"


def test_a_county_overlay_applies_on_top_of_the_stored_year(tmp_path, fixture_2027, install):
    """A county's own day off (a test plugin's overlay for 海南 甲县, Mon 2027-02-15) applies on
    the calendar with the stored year: 1 working day from Fri 2027-02-12 is Tue 2/16 in 甲县,
    Mon 2/15 in 乙县; from Thu 2/18, Fri 2/19 (1) then the make-up Saturday 2/20 (2) in both."""
    install('''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("甲县人民政府通知（测试）", days_off=[(date(2027, 2, 15), "三月三")],
                                county="甲县")]
''')
    engine = Engine.open(str(tmp_path / "o.db"), today=lambda: TODAY)
    engine.add_calendar_years(fixture_2027)
    assert engine.due(date(2027, 2, 12), "1wd", "hainan", "甲县").due == date(2027, 2, 16)
    assert engine.due(date(2027, 2, 12), "1wd", "hainan", "乙县").due == date(2027, 2, 15)
    assert engine.due(date(2027, 2, 18), "2wd", "hainan", "甲县").due == date(2027, 2, 20)


@pytest.mark.parametrize("county", ["甲县", None])
def test_an_engine_kept_open_counts_on_a_year_another_process_recorded_since(
        tmp_path, fixture_2027, county):
    """A platform's engine opened before `doudi calendar add` ran in another process: its next
    events are counted on the year recorded, not on the projection it read at open (else audit
    verify called the case altered, the event recorded after the year). The same 30 working
    days as above, from acceptance on Mon 2027-01-25: 2027-03-11 on the record (2027-03-12
    projected). With a county (its settings read, the UPDATE checks both) and without one
    (the calendar years alone checked)."""
    path = str(tmp_path / "kept.db")
    kept = Engine.open(path, today=lambda: date(2027, 1, 25))
    attributes = {"county": county} if county else {}
    kept.open_case("shanxi", on=date(2027, 1, 25), attributes=attributes, case_id="K1")
    # (another process: its own engine on the same file)
    Engine.open(path, today=lambda: date(2027, 1, 25)).add_calendar_years(fixture_2027)
    total = by_rule(kept.fire("K1", "accept", on=date(2027, 1, 25)))["total"].deadline
    assert (total.due_on, total.provisional) == (date(2027, 3, 11), False)
    assert total.computation.endswith(f"工作日依{NOTICE}")
    assert kept.verify()[2] == []


def test_an_opening_by_an_engine_kept_open_reads_a_year_recorded_since(tmp_path, fixture_2027):
    """An opening writes no case's UPDATE (the check then asks before its INSERT): the engine
    kept open, refused, reads the years again and opens the case counted on them."""
    path = str(tmp_path / "kept.db")
    kept = Engine.open(path, today=lambda: date(2027, 1, 25))
    Engine.open(path, today=lambda: date(2027, 1, 25)).add_calendar_years(fixture_2027)
    assert kept.calendar_years()[-1].year == 2026  # (as read when it opened)
    kept.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="K1")
    assert [(y.year, y.source, y.id) for y in kept.calendar_years()[-1:]] == [
        (2027, "database", 1)]
    total = by_rule(kept.fire("K1", "accept", on=date(2027, 1, 25)))["total"].deadline
    assert total.due_on == date(2027, 3, 11)


def test_an_import_by_an_engine_kept_open_counts_on_a_year_recorded_since(tmp_path, fixture_2027):
    """The same for an import (a batch written at once): the case opened and accepted on Mon
    2027-01-25 by an engine opened before the year was recorded elsewhere: 30 working days to
    2027-03-11 on the record, and audit verify finds nothing."""
    path = str(tmp_path / "kept.db")
    kept = Engine.open(path, today=lambda: date(2027, 1, 25))
    kept.open_case("shanxi", on=date(2027, 1, 25), case_id="K0")  # (read the calendar, wrote)
    Engine.open(path, today=lambda: date(2027, 1, 25)).add_calendar_years(fixture_2027)
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        '{"op": "open", "province": "shanxi", "on": "2027-01-25", "id": "K1", '
        '"attributes": {"county": "甲县"}}\n'
        '{"op": "fire", "case_id": "K1", "event": "accept", "on": "2027-01-25"}\n'
        '{"op": "fire", "case_id": "K0", "event": "accept", "on": "2027-01-25"}\n',
        encoding="utf-8")
    kept.import_file(str(lines))
    for case_id in ("K0", "K1"):
        assert by_rule(kept.case(case_id))["total"].deadline.due_on == date(2027, 3, 11)
    assert kept.verify()[2] == []


#: The fixture recorded wrongly: its second make-up working day typed Sat 2027-02-27 for 02-20.
WRONG_2027 = FIXTURE_2027.replace("make_up = [2027-01-31, 2027-02-20]",
                                  "make_up = [2027-01-31, 2027-02-27]")


def test_a_year_recorded_wrongly_is_set_aside_and_recorded_again(tmp_path, fixture_2027):
    """The fixture stored with 2027-02-27 for its make-up Saturday 2027-02-20, set aside, then
    stored right. 3 working days (the investigation's, 晋民发〔2023〕31号) from acceptance on
    Thu 2027-02-18 (not counted):
      on the wrong record: Fri 2/19 (1), Mon 2/22 (2), Tue 2/23 (3)        → 2027-02-23;
      set aside (projected, no make-up day in February): the same days  → 2027-02-23, provisional;
      on the right record: Fri 2/19 (1), Sat 2/20 make-up (2), Mon 2/22 (3) → 2027-02-22.
    10 working days from Fri 2/12: 2/15..2/19 (5), then 2/22..2/26 (10) → 2/26 on the wrong
    record and projected (provisional); with Sat 2/20 (6), 2/22..2/25 (10) → 2/25 on the right."""
    path = str(tmp_path / "v.db")
    engine = Engine.open(path, today=lambda: date(2027, 2, 18))
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(WRONG_2027, encoding="utf-8")
    (first,) = engine.add_calendar_years(str(wrong)).recorded
    engine.open_case("shanxi", on=date(2027, 2, 18), attributes={"county": "甲县"}, case_id="A1")
    view = engine.fire("A1", "accept", on=date(2027, 2, 18))
    investigation = by_rule(view)["investigation_start"].deadline
    assert (investigation.due_on, investigation.provisional) == (date(2027, 2, 23), False)
    assert engine.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 26)

    row = engine.void_calendar_year(first.id, "甲县民政局核对：调休上班日误录为2月27日", actor="张三")
    assert (row["calendar_year"], row["citation"], row["actor"]) == (
        1, "甲县民政局核对：调休上班日误录为2月27日", "张三")
    assert engine.calendar_years()[-1].year == 2026  # (2027 projected again)
    due = engine.due(date(2027, 2, 12), "10wd")
    assert (due.due, due.provisional) == (date(2027, 2, 26), True)
    # The deadline counted on the year set aside is explained, not called altered.
    (finding,) = engine.verify()[2]
    assert str(finding).startswith("case A1: event seq 1 came before calendar years recorded "
                                   "since: deadline investigation_start #1 ")
    assert (f"those years (the set-aside of calendar year #1, 2027 {NOTICE}, recorded "
            f"{row['recorded_at']}) give ") in str(finding)

    (second,) = engine.add_calendar_years(fixture_2027).recorded  # (the year is free again)
    assert second.id == 2
    assert [(y.year, y.source, y.id) for y in engine.calendar_years()[-1:]] == [
        (2027, "database", 2)]
    assert engine.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 25)
    (finding,) = engine.verify()[2]
    assert str(finding) == (
        "case A1: event seq 1 came before calendar years recorded since: deadline "
        "investigation_start #1 is due 2027-02-23 as stored; those years (calendar year #2, "
        f"2027 {NOTICE}, recorded {second.recorded_at}; the set-aside of calendar year #1, 2027 "
        f"{NOTICE}, recorded {row['recorded_at']}) give 2027-02-22: run `doudi recompute` to "
        "record it")
    moved = engine.recompute()
    assert ("A1", "investigation_start", 1, date(2027, 2, 23), date(2027, 2, 22)) in moved
    assert engine.verify()[2] == []
    # (the row set aside stays stored, as evidence; another engine counts on the second)
    assert stored_years(path) == [(2027, NOTICE), (2027, NOTICE)]
    again = Engine.open(path, today=lambda: date(2027, 2, 18))
    assert again.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 25)
    assert again.calendar_notes == ()


def test_calendar_void_refusals_are_one_line_and_write_nothing(db, tmp_path, fixture_2027, today):
    """No such row, a row set aside already, a row with a later stored year after it (2028, a
    made-up record too), a blank basis, an id that is no number: one line, nothing written."""
    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    today(date(2027, 12, 20))
    later = tmp_path / "2028.toml"
    later.write_text('[[year]]\nyear = 2028\nnotice = "测试2028（测试夹具）"\n'
                     'published = 2027-12-01\ntitle = "测试夹具"\n' + "".join(
                         f'\n[[year.holiday]]\nname = "{name}"\noff = [{first}, {last}]\n'
                         for name, first, last in [
                             ("元旦", "2028-01-01", "2028-01-01"),
                             ("春节", "2028-01-25", "2028-01-31"),
                             ("清明节", "2028-04-04", "2028-04-04"),
                             ("劳动节", "2028-05-01", "2028-05-02"),
                             ("端午节", "2028-05-28", "2028-05-28"),
                             ("国庆节、中秋节", "2028-10-01", "2028-10-03")]),
                     encoding="utf-8")
    assert run(db, "calendar", "add", str(later)).exit_code == 0

    def voids():
        with sqlite3.connect(db) as conn:
            return conn.execute("select calendar_year, citation from calendar_year_voids "
                                "order by id").fetchall()

    for args, code, line in [
        (["7"], 1, "Error: no calendar year #7"),
        (["#1"], 1, "Error: calendar year #1 (2027) cannot be set aside while a later year is "
                    "counted from the database (2028, calendar year #2): set the later years "
                    "aside first"),
        (["x"], 2, "Error: Invalid value for ID: 'x' is no calendar year id (a number, as #1 "
                   "or 1)"),
    ]:
        refused = run(db, "calendar", "void", *args, "--basis", "核对")
        assert (refused.exit_code, error_line(refused)) == (code, line)
    blank = run(db, "calendar", "void", "2", "--basis", " ")
    assert (blank.exit_code, error_line(blank)) == (
        2, "Error: setting a calendar year aside needs its basis (--basis)")
    assert voids() == []
    done = run(db, "calendar", "void", "#2", "--basis", "核对", "--actor", "李四")
    assert done.exit_code == 0, done.output
    assert done.stdout == "calendar year #2: set aside (核对), kept as evidence\n"
    again = run(db, "calendar", "void", "2", "--basis", "核对")
    assert again.exit_code == 1
    assert error_line(again).startswith("Error: calendar year #2 (2028) was set aside already (on ")
    assert run(db, "calendar", "void", "1", "--basis", "核对二").exit_code == 0
    assert voids() == [(2, "核对"), (1, "核对二")]
    listed = run(db, "calendar", "years", "--format", "json")
    assert [y["source"] for y in __import__("json").loads(listed.stdout)][-1] == "packaged"


def test_audit_verify_checks_the_set_asides_chain(db, fixture_2027, today):
    """A set-aside edited by hand (its trigger dropped and put back) is named, and sets
    nothing aside (the year counted from its row again); a dropped trigger is named too."""
    from engine.schema import CALENDAR_YEAR_VOID_TRIGGERS

    assert run(db, "calendar", "add", fixture_2027).exit_code == 0
    assert run(db, "calendar", "void", "1", "--basis", "核对").exit_code == 0
    assert run(db, "calendar", "due", "2027-02-12", "10wd").stdout.startswith(
        "2027-02-26  (provisional)")
    with sqlite3.connect(db) as conn:
        conn.execute("drop trigger calendar_year_voids_append_only_update")
        conn.execute("update calendar_year_voids set citation = '另一依据'")
    verified = run(db, "audit", "verify")
    assert verified.exit_code == 1
    assert "calendar year set-aside #1 altered\n" in verified.stdout
    assert ("trigger calendar_year_voids_append_only_update, which refuses UPDATE on "
            "calendar_year_voids, is gone") in verified.stdout + verified.stderr
    with sqlite3.connect(db) as conn:
        conn.execute(CALENDAR_YEAR_VOID_TRIGGERS[0])
    assert run(db, "calendar", "due", "2027-02-12", "10wd").stdout.startswith("2027-02-25")
    # Found by review: with the trigger back, the altered set-aside alone passed (exit 0,
    # "every history chain is intact"): the set-asides' findings were counted in no chain.
    again = run(db, "audit", "verify")
    assert again.exit_code == 1 and "calendar year set-aside #1 altered\n" in again.stdout
    assert error_line(again) == ("Error: the chain of the calendar years (or their set-asides) "
                                 "is broken at 1 place")


def test_an_engine_kept_open_counts_without_a_year_another_process_set_aside_since(
        tmp_path, fixture_2027):
    """A set-aside recorded by another process changes the calendar as an added year does:
    the engine kept open reads the years again at its next write. 30 working days from Mon
    2027-01-25 (as above): 2027-03-12, provisional, the year projected again."""
    path = str(tmp_path / "kept.db")
    Engine.open(path, today=lambda: date(2027, 1, 25)).add_calendar_years(fixture_2027)
    kept = Engine.open(path, today=lambda: date(2027, 1, 25))
    kept.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="K1")
    Engine.open(path, today=lambda: date(2027, 1, 25)).void_calendar_year(1, "核对")
    total = by_rule(kept.fire("K1", "accept", on=date(2027, 1, 25)))["total"].deadline
    assert (total.due_on, total.provisional) == (date(2027, 3, 12), True)
    assert kept.verify()[2] == []


def test_an_event_asks_for_the_newest_set_aside_where_a_year_is_stored(tmp_path, fixture_2027):
    """Where the engine read a stored year, its case's UPDATE also matches only while the
    newest set-aside of one is the one it read (none: 0); where it read none, a set-aside
    needs a year recorded first, which the years' own check sees (test_write_path)."""
    engine = Engine.open(str(tmp_path / "s.db"), today=lambda: date(2027, 1, 25))
    engine.add_calendar_years(fixture_2027)
    engine.open_case("shanxi", on=date(2027, 1, 25), case_id="S1")
    statements = []
    engine.store.db.conn.set_trace_callback(statements.append)
    engine.fire("S1", "accept", on=date(2027, 1, 25))
    engine.store.db.conn.set_trace_callback(None)
    (update,) = [s for s in statements if s.startswith("update [cases]")]
    assert update.endswith("where id = 'S1' and version = 1 and "
                           "coalesce((select max(id) from calendar_years), 0) = 1 and "
                           "coalesce((select max(id) from calendar_year_voids), 0) = 0")


def test_audit_verify_builds_a_calendar_once_for_the_years_events_were_counted_on(
        tmp_path, fixture_2027, monkeypatch):
    """Found by review: after a `calendar void`, audit verify built a calendar again for every
    event of every case it worked out on the years as they stood (about 4 ms each: 200 cases
    of two events took 1.66 s, 0.026 s with the calendars kept by the cut's rows), and every
    verify built them all again. Counted here: 12 cases accepted on 2027-01-25 on the stored
    record, then the year set aside; each case's 30wd total (2027-03-11 on it) is explained as
    counted before the set-aside, on the calendars of two cuts (with the year, without)."""
    from engine import core

    path = str(tmp_path / "cut.db")
    on = date(2027, 1, 25)
    Engine.open(path, today=lambda: on).add_calendar_years(fixture_2027)
    recorder = Engine.open(path, today=lambda: on)
    for n in range(12):
        recorder.open_case("shanxi", on=on, attributes={"county": "甲县"}, case_id=f"C{n}")
        total = by_rule(recorder.fire(f"C{n}", "accept", on=on))["total"].deadline
        assert (total.due_on, total.provisional) == (date(2027, 3, 11), False)
    recorder.void_calendar_year(1, "核对")
    built = []

    class Counted(core.OfficialCalendar):
        def __init__(self, *args, **kwargs):
            built.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(core, "OfficialCalendar", Counted)
    verifier = Engine.open(path, today=lambda: on)
    findings = verifier.verify()[2]
    assert len(findings) == 12
    assert all("came before calendar years recorded since" in str(f) or "set-aside" in str(f)
               for f in findings), findings[0]
    assert len(built) <= 2, len(built)
    del built[:]
    assert [str(f) for f in verifier.verify()[2]] == [str(f) for f in findings]
    assert built == []  # (the same years as stored: the calendars built kept)


def test_audit_verify_explains_a_case_counted_before_both_a_county_setting_and_a_year(
        tmp_path, fixture_2027):
    """Found by review: an operator who, in December, records a county's own value dated back
    (`parameter set`) and next year's notice (`calendar add`) before running `doudi recompute`
    had every case counted before both called "missing, or the case altered": verify tried the
    settings as they stood, then the years as they stood, each alone, never both.
    Accepted on Mon 2027-01-25 (not counted, 民法典第201条) in 甲县, on the projected 2027 and
    the province's 3 working days to start the investigation (民发〔2021〕57号 第15条):
      1/26, 1/27, 1/28                                       → 2027-01-28, provisional;
    30 working days in all (晋民发〔2023〕31号 四(二)), as above  → 2027-03-12, provisional.
    Then 甲县's 5 working days, dated back to 2027-01-04, and the fixture's 2027 recorded:
      with both: 1/26..1/29 (1-4), Sun 1/31 make-up (5)     → 2027-01-31; the total 2027-03-11;
      with the setting alone (projected): 1/26..1/29, Mon 2/1 → 2027-02-01;
      with the year alone (3 working days): 1/26..1/28       → 2027-01-28, official,
    so neither alone gives what is stored; counted with neither, the case gives it exactly."""
    path = str(tmp_path / "both.db")
    engine = Engine.open(path, today=lambda: date(2027, 1, 25))
    engine.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    view = engine.fire("A1", "accept", on=date(2027, 1, 25))
    investigation = by_rule(view)["investigation_start"].deadline
    total = by_rule(view)["total"].deadline
    assert (investigation.due_on, investigation.provisional) == (date(2027, 1, 28), True)
    assert (total.due_on, total.provisional) == (date(2027, 3, 12), True)
    setting = engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd",
                                   "甲县民政局〔2027〕1号 三", on=date(2027, 1, 4))
    (year,) = engine.add_calendar_years(fixture_2027).recorded
    (finding,) = engine.verify()[2]
    assert str(finding) == (
        "case A1: event seq 1 came before county settings and calendar years recorded since: "
        "deadline investigation_start #1 is due 2027-01-28 as stored; those settings and years "
        f"(setting #1, recorded {setting.recorded_at}; calendar year #1, 2027 {NOTICE}, recorded "
        f"{year.recorded_at}) give 2027-01-31: run `doudi recompute` to record it")
    moved = engine.recompute()
    assert sorted(moved) == [("A1", "investigation_start", 1, date(2027, 1, 28), date(2027, 1, 31)),
                             ("A1", "total", 1, date(2027, 3, 12), date(2027, 3, 11))]
    assert engine.verify()[2] == []



def stored_again_by_hand(path: str, actor: str | None, recorded_at: str) -> None:
    """WRONG_2027 inserted with sqlite3 after the one row stored (#1), chained as doudi chains
    a row: 2027 stored twice, which only a hand can do (``calendar add`` refuses it)."""
    from engine import calendar_years

    (wrong,) = calendar_years.read_data(WRONG_2027.encode(), "wrong.toml")
    with sqlite3.connect(path) as conn:
        (previous,) = conn.execute("select hash from calendar_years where id = 1").fetchone()
        (row,) = calendar_years.rows_to_store([wrong], actor, recorded_at, previous)
        conn.execute("insert into calendar_years (year, notice, record, actor, recorded_at, "
                     "hash, prev_hash) values (:year, :notice, :record, :actor, :recorded_at, "
                     ":hash, :prev_hash)", row)
    conn.close()

def test_calendar_years_shows_the_row_a_year_is_counted_from_where_two_are_stored(
        tmp_path, fixture_2027):
    """Found by review: a year stored twice, not set aside (possible only by hand: a row
    inserted with sqlite3, chained as doudi chains one), is counted from its first row
    (calendar_years.in_force: "one a year"), but `calendar years` listed the last; and with
    the second set aside it listed that set-aside row. The fixture (make-up Sat 2027-02-20)
    stored first, WRONG_2027 (make-up Sat 2027-02-27) second: 10 working days from Fri
    2027-02-12 (not counted) are counted on the first: 2/15..2/19 (1-5), Sat 2/20 (6),
    2/22..2/25 (7-10) → 2027-02-25 (on the second: 2/15..2/19, 2/22..2/26 → 02-26)."""

    path = str(tmp_path / "twice.db")
    engine = Engine.open(path, today=lambda: date(2027, 2, 12))
    (first,) = engine.add_calendar_years(fixture_2027).recorded
    stored_again_by_hand(path, "someone", "2026-12-08T00:00:00+00:00")
    again = Engine.open(path, today=lambda: date(2027, 2, 12))
    assert again.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 25)
    assert [(y.year, y.id, y.recorded_at) for y in again.calendar_years()[-1:]] == [
        (2027, 1, first.recorded_at)]
    # The second set aside: the first is still the one counted, and listed.
    again.void_calendar_year(2, "误录")
    assert again.due(date(2027, 2, 12), "10wd").due == date(2027, 2, 25)
    assert [(y.year, y.id) for y in again.calendar_years()[-1:]] == [(2027, 1)]
    # The first set aside too: 2027 is projected again (10 working days → 02-26, provisional).
    again.void_calendar_year(1, "误录")
    assert again.calendar_years()[-1].year == 2026
    due = again.due(date(2027, 2, 12), "10wd")
    assert (due.due, due.provisional) == (date(2027, 2, 26), True)


def test_audit_verify_explains_an_event_counted_between_the_setting_and_the_year(
        tmp_path, fixture_2027, monkeypatch):
    """The same, each event counted with what was recorded by its own time (a clock a day a
    write): accepted 2026-12-01 (before both), 甲县's 5 working days recorded 12-02, the
    investigation started on Tue 2027-01-26 recorded 12-03 (with the setting, before the
    year: fire counts the new event alone, the investigation's deadline as accept counted it),
    the fixture's 2027 recorded 12-04. Stored: the investigation due 2027-01-28 (3 working
    days, projected: 1/26, 1/27, 1/28), met on 01-26; the total 2027-03-12. With both:
    1/26..1/29, Sun 1/31 (5) → 2027-01-31, and it stopped on 01-26, which recompute keeps as
    judged; the total 2027-03-11 (30 working days on the record, as above)."""
    stamps = iter(f"2026-12-0{n}T10:00:00+00:00" for n in range(1, 6))
    now = [next(stamps)]
    monkeypatch.setattr("engine.store._now", lambda: now[0])
    path = str(tmp_path / "between.db")
    engine = Engine.open(path, today=lambda: date(2027, 1, 26))
    engine.open_case("shanxi", on=date(2027, 1, 25), attributes={"county": "甲县"}, case_id="A1")
    engine.fire("A1", "accept", on=date(2027, 1, 25))
    now[0] = next(stamps)
    engine.set_parameter("shanxi", "甲县", "investigation_start", "5wd", "甲县民政局〔2027〕1号 三",
                         on=date(2027, 1, 4))
    now[0] = next(stamps)
    investigation = by_rule(engine.fire("A1", "start_investigation", on=date(2027, 1, 26))
                            )["investigation_start"].deadline
    assert (investigation.due_on, investigation.stopped_on) == (date(2027, 1, 28), date(2027, 1, 26))
    now[0] = next(stamps)
    engine.add_calendar_years(fixture_2027)
    (finding,) = engine.verify()[2]
    assert str(finding) == (
        "case A1: event seq 2 or events before it came before county settings and calendar years "
        "recorded since: deadline investigation_start #1 is due 2027-01-28 as stored; those "
        "settings and years (setting #1, recorded 2026-12-02T10:00:00+00:00; calendar year #1, "
        f"2027 {NOTICE}, recorded 2026-12-04T10:00:00+00:00) give 2027-01-31, and it stopped on "
        "2027-01-26: run `doudi recompute` to record that it keeps the due date it was judged by")
    now[0] = next(stamps)
    assert engine.recompute() == [("A1", "total", 1, date(2027, 3, 12), date(2027, 3, 11))]
    assert engine.verify()[2] == []


def test_a_calendar_file_saved_in_gbk_is_said_to_look_like_gbk(db, tmp_path, today):
    """A notice's table typed on Chinese Windows and saved there as GBK: the line names the
    first byte that is not UTF-8 and the encoding it looks like, as `--data FILE` and import
    say of theirs (it said only "not UTF-8 (a calendar file is UTF-8 TOML)"). Nothing written."""
    path = tmp_path / "gbk.toml"
    path.write_bytes(FIXTURE_2027.encode("gb18030"))
    result = run(db, "calendar", "add", str(path))
    first = next(c for c in FIXTURE_2027 if not c.isascii())  # (the same ASCII before it)
    offset = FIXTURE_2027.index(first)
    assert result.exit_code == 2
    assert error_line(result) == (
        f"Error: {path}: not UTF-8 (save it as UTF-8): byte 0x{first.encode('gb18030')[0]:02x} "
        f"at position {offset}; it looks like GBK (GB 18030), as Chinese Windows programs save "
        "text")
    assert not os.path.exists(db)


@pytest.mark.parametrize("source", ["/dev/zero", "big", "-"])
def test_a_calendar_file_larger_than_the_limit_is_refused_and_no_database_made(
        db, tmp_path, today, source):
    """A calendar file is a few KB: read to at most arguments.LARGEST_READ (8 MiB), a larger
    one is one line naming it and the limit, exit 2, nothing written (no database made for
    it). `calendar add /dev/zero` read until memory ran out. The fixture padded to the limit
    with a comment is recorded; one byte more is refused, a valid record though it is."""
    from engine.arguments import LARGEST_READ

    text = FIXTURE_2027.encode("utf-8")
    padded = text + b"#" + b" " * (LARGEST_READ - len(text) - 2) + b"\n"
    assert len(padded) == LARGEST_READ
    name = {"/dev/zero": "/dev/zero", "big": str(tmp_path / "big.toml"), "-": "-"}[source]
    if source == "big":
        (tmp_path / "big.toml").write_bytes(padded + b"\n")
    refused = run(db, "calendar", "add", name, input=padded + b"\n" if source == "-" else None)
    assert refused.exit_code == 2, refused.output
    said = "<stdin>" if source == "-" else name
    assert error_line(refused) == (
        f"Error: {said}: larger than 8,388,608 bytes (8 MiB), the most doudi reads of a file "
        "given whole (a calendar's years or a household's JSON are a few KB): is it the file "
        "meant?")
    assert not os.path.exists(db)
    # At the limit: read, and recorded.
    added = run(db, "calendar", "add", "-", input=padded)
    assert added.stdout == f"2027 ({NOTICE}): recorded as calendar year #1\n", added.output
    assert stored_years(db) == [(2027, NOTICE)]


def test_a_notice_published_before_the_year_before_is_refused_at_its_first_day(
        db, tmp_path, today):
    """2027's notice dated 2025-12-31, the day before 2026: refused through the API too, one
    InvalidInput naming the file, nothing written; dated 2026-01-01, recorded. Every packaged
    record meets the rule (2018's notice bears 2017-11-30, 2026's 2025-11-04)."""
    from engine.calendar import national_calendar
    from engine.calendar_years import published_too_early

    for record in national_calendar().records:
        assert published_too_early(record) is None, record.year
        assert record.published.year == record.year - 1, record.year
    path = tmp_path / "2027.toml"
    path.write_text(FIXTURE_2027.replace("published = 2026-11-20", "published = 2025-12-31"),
                    encoding="utf-8")
    engine = Engine.open(db)
    engine.today = lambda: TODAY
    with pytest.raises(InvalidInput) as refused:
        engine.add_calendar_years(str(path))
    assert str(refused.value) == (f"{path}: year 2027: published 2025-12-31 is before 2026-01-01: "
                                  "a year's notice is issued in the year before it (2026) at the "
                                  "earliest")
    assert stored_years(db) == []
    path.write_text(FIXTURE_2027.replace("published = 2026-11-20", "published = 2026-01-01"),
                    encoding="utf-8")
    added = run(db, "calendar", "add", str(path))
    assert added.stdout == f"2027 ({NOTICE}): recorded as calendar year #1\n", added.output
    assert stored_years(db) == [(2027, NOTICE)]
