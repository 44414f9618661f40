"""Gaps found by a fourth mutation pass over the code changed most recently (arguments,
read-only values, the CLI's options, database files, case numbers, the schema, JSON readers,
county parameters, maintenance, reports, and the period arithmetic with its provisional
calendar and 第203条 resume logic): each test fails on a mutant of the code that the rest of
the suite let pass.

Dates are counted by hand on the official calendar (2026: 国办发明电〔2025〕7号 — 元旦 1/1–1/3
off, 1/4 Sun worked; 春节 2/15–2/23 off, 2/14 and 2/28 Sat worked; 清明 4/4–4/6; 劳动节
5/1–5/5 off, 5/9 Sat worked; 端午 6/19–6/21; 中秋 9/25–9/27; 国庆 10/1–10/7 off, 9/20 Sun and
10/10 Sat worked). 2026 is the last official year: its late-December days are provisional.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import date

import pytest
from test_pause_resume import run as mini_deadline

from engine import Engine, InvalidInput, arguments
from engine.calendar import PROJECTION_BASIS, national_calendar
from engine.cli.options import emit
from engine.deadlines import apply_event
from engine.periods import due_date, iso_date
from engine.read_only import read_only
from engine.workflow import parse_workflow
from helpers import error_line, run

ON = date(2026, 3, 2)

# -- arguments (engine/arguments.py) -----------------------------------------------------------


@pytest.mark.parametrize("hidden", ["\u2028", "\u2029"])
def test_an_actor_holding_a_line_or_paragraph_separator_is_refused(engine, hidden):
    """A line or paragraph separator (Unicode Zl, Zp) breaks a line where the actor is shown:
    it is refused like a line break."""
    with pytest.raises(InvalidInput,
                       match=rf"actor must be printable text on one line.*U\+{ord(hidden):04X}"):
        engine.open_case(province="shanxi", on=ON, actor=f"张{hidden}三")
    assert engine.store.count_cases() == 0


def test_a_reason_of_several_lines_may_end_its_lines_with_crlf(engine):
    """A reason may run over several lines, written as Windows writes them (\\r\\n): kept as
    given."""
    cid = engine.open_case(province="shanxi", on=ON).id
    engine.fire(cid, "accept", on=date(2026, 3, 3), reason="第一行\r\n第二行")
    assert engine.store.history(cid)[-1].reason == "第一行\r\n第二行"


def test_an_actor_of_spaces_alone_is_refused_by_the_library(engine):
    """An actor of spaces alone names no one: the library refuses it, as the CLI does."""
    with pytest.raises(InvalidInput, match="actor must not be blank"):
        engine.open_case(province="shanxi", on=ON, actor="   ")
    assert engine.store.count_cases() == 0


def test_an_amount_of_exactly_the_largest_number_is_accepted():
    """LARGEST_NUMBER (1e12) is the largest amount taken; only a larger one is refused."""
    assert arguments.non_negative_number(1e12, "amount") == 1e12
    with pytest.raises(InvalidInput, match="amount: beyond 1,000,000,000,000"):
        arguments.non_negative_number(1e12 + 1, "amount")


@pytest.mark.parametrize("value", [True, False])
def test_true_or_false_is_no_amount(value):
    """A JSON true is no number of people or amount, though Python counts it as 1."""
    with pytest.raises(InvalidInput, match=r"household\.members\[0\]\.age: expected a number"):
        arguments.non_negative_number(value, "household.members[0].age")


def test_a_batch_size_given_as_true_is_refused(engine):
    """A batch is a whole number of lines: True (which Python counts as 1) is refused."""
    with pytest.raises(InvalidInput, match="batch must be a whole number"):
        engine.import_lines([], batch=True)


def test_an_attribute_name_that_is_not_utf8_is_refused_before_it_is_written(engine):
    """A key holding a lone surrogate (bytes that were not UTF-8) could be stored by no
    database: refused, naming it, and no case is opened."""
    with pytest.raises(InvalidInput, match="a key of attributes is not valid UTF-8 text"):
        engine.open_case(province="shanxi", on=ON, attributes={"x\ud800": 1})
    assert engine.store.count_cases() == 0


# -- read-only values (engine/read_only.py) ----------------------------------------------------

LIST_CHANGES = [
    ("append", ("网上",)), ("extend", (["网上"],)), ("insert", (0, "网上")),
    ("remove", ("村（社区）",)), ("pop", ()), ("clear", ()), ("sort", ()), ("reverse", ()),
    ("__setitem__", (0, "网上")), ("__delitem__", (0,)), ("__iadd__", (["网上"],)),
    ("__imul__", (2,)),
]


@pytest.mark.parametrize("method, args", LIST_CHANGES)
def test_every_change_to_a_workflow_s_list_is_refused(engine, method, args):
    """A list a workflow parameter holds is shared by every engine: each way of changing it
    in place (sorting and reversing too) raises TypeError, and it stays as it was."""
    channels = engine.workflow("shanxi", "dibao").parameters["extension_reasons"].value
    before = list(channels)
    with pytest.raises(TypeError, match="read-only"):
        getattr(channels, method)(*args)
    assert engine.workflow("shanxi", "dibao").parameters["extension_reasons"].value == before


DICT_CHANGES = [
    ("update", ({"b": 2},)), ("setdefault", ("b", 2)), ("pop", ("a",)), ("popitem", ()),
    ("clear", ()), ("__setitem__", ("b", 2)), ("__delitem__", ("a",)), ("__ior__", ({"b": 2},)),
]


@pytest.mark.parametrize("method, args", DICT_CHANGES)
def test_every_change_to_a_read_only_mapping_is_refused(method, args):
    """Each way of changing a read-only mapping in place raises TypeError, and it keeps its
    items."""
    value = read_only({"a": 1})
    with pytest.raises(TypeError, match="read-only"):
        getattr(value, method)(*args)
    assert value == {"a": 1}


def test_a_copied_or_pickled_read_only_value_is_read_only_too():
    """copy and pickle rebuild a read-only list or mapping as one (a deep copy of a rule's
    value must not become changeable by accident)."""
    value = read_only({"channels": ["村（社区）"]})
    for again in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert again == value
        with pytest.raises(TypeError):
            again["x"] = 1
        with pytest.raises(TypeError):
            again["channels"].append("网上")


def test_a_plain_copy_of_a_read_only_value_is_plain_all_the_way_down():
    """writable gives lists and dicts the caller may change, nested ones too."""
    from engine.read_only import writable

    plain = writable(read_only({"a": [1, {"b": [2]}], "c": {"d": [3]}}))
    plain["a"][1]["b"].append(4)
    plain["c"]["d"].sort()
    plain["c"]["e"] = 5
    assert plain == {"a": [1, {"b": [2, 4]}], "c": {"d": [3], "e": 5}}
    assert type(plain["a"]) is list and type(plain["a"][1]) is dict


# -- case numbers (engine/case_numbers.py) ------------------------------------------------------


def test_a_case_number_written_with_leading_zeros_counts_by_its_value(engine):
    """An id given by hand whose number has leading zeros (19 digits, the value 123) counts
    as number 123: the next case numbered after that prefix is 124."""
    engine.open_case(province="shanxi", on=ON, case_id="shanxi-2026-" + "0" * 16 + "123")
    assert engine.open_case(province="shanxi", on=ON).id == "shanxi-2026-000124"


def test_a_case_id_ending_in_19_digits_is_not_a_case_number(engine):
    """A number of 19 digits is beyond SQLite's integers (2**63): such an id is taken as it
    is, and numbering after its prefix starts at 1."""
    engine.open_case(province="shanxi", on=ON, case_id="shanxi-2026-" + "9" * 19)
    assert engine.open_case(province="shanxi", on=ON).id == "shanxi-2026-000001"


# -- JSON a platform sends (engine/json_reader.py) ---------------------------------------------

TWO_MEMBERS = {"standard": 900, "members": [{"id": "m1", "age": 50, "income": {"employment": 300}},
                                            {"id": "m2", "age": 20}]}


def test_a_household_field_given_as_null_is_taken_as_left_out(engine):
    """JSON null for an optional field (a member's disability, employed, the household's
    support, property, marginal_multiple, single_person, applicant) is the field left out."""
    nulls = {"standard": 900, "members": [
        {"id": "m1", "age": 50, "income": {"employment": 300}, "disability": None,
         "employed": None, "seriously_ill": None},
        {"id": "m2", "age": 20, "income": None}],
        "support": None, "property": None, "marginal_multiple": None, "single_person": None,
        "applicant": None}
    result = engine.assess("shanxi", nulls).to_json()
    assert result == engine.assess("shanxi", TWO_MEMBERS).to_json()
    assert (result["household_size"], result["per_capita"]) == (2, 150.0)


def test_an_empty_applicant_is_refused_naming_the_field(engine):
    """An applicant given as "" names no member: refused as not text, not looked up."""
    with pytest.raises(InvalidInput, match=r"^household\.applicant: expected text, got \"\"$"):
        engine.assess("shanxi", {**TWO_MEMBERS, "applicant": ""})


def test_a_household_without_members_says_the_field_is_missing(engine):
    """A household with no members field at all is told the field is missing (not that the
    list given is empty)."""
    with pytest.raises(InvalidInput, match=r"^household\.members: missing$"):
        engine.assess("shanxi", {"standard": 900})



def test_a_household_naming_a_member_twice_is_refused(engine):
    """Each member is one person: two members with the same id are refused (one's income
    would be counted under the other's name)."""
    twice = {"standard": 900, "members": [{"id": "m1", "age": 50}, {"id": "m1", "age": 20}]}
    with pytest.raises(InvalidInput, match=r"^household\.members: member ids must be unique$"):
        engine.assess("shanxi", twice)


def test_the_applicant_is_the_first_member_unless_named(engine):
    """晋民发〔2023〕31号 一(四) lets a seriously ill member of a 低保边缘 family apply alone, as a
    单人户. With no applicant named, the first member (m1, seriously ill, 300元 a month) is
    the applicant: assessed alone, 300元 per head; the second (m2, not ill) could not."""
    household = {"standard": 900, "single_person": True, "members": [
        {"id": "m1", "age": 50, "seriously_ill": True, "income": {"employment": 300}},
        {"id": "m2", "age": 20, "income": {"employment": 2000}}]}
    result = engine.assess("shanxi", household).to_json()
    assert (result["household_size"], result["per_capita"]) == (1, 300.0)
    assert result == engine.assess("shanxi", {**household, "applicant": "m1"}).to_json()

# -- county parameters (engine/local_parameters.py) --------------------------------------------

BASIS = "甲县民政局〔2026〕3号 二"


def test_a_true_or_false_parameter_cannot_be_set_to_a_number(engine):
    """residence_permit_applications is true or false: a county's 1 (which Python counts as
    True) is refused, and nothing is recorded."""
    with pytest.raises(InvalidInput, match="must be true or false like the province's false, not 1"):
        engine.set_parameter("shanxi", "甲县", "residence_permit_applications", 1, BASIS, ON)
    assert engine.store.count_local_settings() == 0


def test_a_duration_a_county_sets_is_stored_as_the_engine_writes_it_in_every_province(engine):
    """天津's refusal_notice (a duration 天津 does not set itself: the national 3wd) set as
    " 12WD" is stored as 12wd, as any duration is. (It was county_confirmation, which 天津
    has no longer: its county step is removed with its parameters, and refused.)"""
    setting = engine.set_parameter("tianjin", "和平区", "refusal_notice", " 12WD", BASIS, ON)
    assert setting.value == "12wd"
    assert [s.value for s in engine.parameter_settings("tianjin", "和平区")] == ["12wd"]


# -- period arithmetic (engine/periods.py) -----------------------------------------------------


@pytest.mark.parametrize("start", ["2026", "2026-3", "2026-"])
def test_a_start_shorter_than_a_date_is_a_usage_error(db, start):
    """A start shorter than YYYY-MM-DD is a usage error naming the value (exit 2), not a
    crash."""
    result = run(db, "calendar", "due", start, "3wd")
    assert result.exit_code == 2
    assert error_line(result) == (f"Error: Invalid value for 'START': \"{start}\" is not a date: "
                                  "expected YYYY-MM-DD")


def test_the_thirty_second_of_december_is_said_to_be_past_the_month_s_days():
    """2026-12-32 is written right but December has 31 days: the message says so."""
    with pytest.raises(ValueError, match=r'^"2026-12-32" is not a date: 2026-12 has 31 days$'):
        iso_date("2026-12-32")


def test_a_month_period_from_the_31st_ends_on_the_31st_where_the_month_has_one():
    """民法典第202条: "按照年、月计算期间的，到期月的对应日为期间的最后一日". Two months from
    2026-01-31 end on the corresponding day 2026-03-31 (a Tuesday, a working day), not the
    30th."""
    due = due_date(national_calendar(), date(2026, 1, 31), "2m")
    assert (due.nominal_end, due.due) == (date(2026, 3, 31), date(2026, 3, 31))


def test_a_provisional_calendar_month_names_the_notice_and_the_projection_it_was_counted_on():
    """A "每月一次" duty (1cm) counted from 2026-11-30 ends with December, on 2026-12-31 (a
    Thursday, a working day: 民法典第203条 moves nothing). The day is provisional (the 2027
    notice may move late-December days), so the basis names both the 2026 notice and the
    projection, in the words a working-day count uses."""
    due = due_date(national_calendar(), date(2026, 11, 30), "1cm")
    assert (due.due, due.provisional) == (date(2026, 12, 31), True)
    assert due.basis == (f"2026-11-30所在月之后第1个自然月，至2026-12-31止（《民法典》第203条）；"
                         f"工作日依国办发明电〔2025〕7号、{PROJECTION_BASIS}")


# -- period arithmetic on a county's own calendar ----------------------------------------------

DAY_OFF_ON_CHRISTMAS_EVE = '''
from datetime import date
from engine import CalendarOverlay

@hookimpl
def doudi_calendar_overlays(province, county):
    if province == "hainan":
        return [CalendarOverlay("甲县人民政府关于放假的通知（测试）",
                                days_off=[(date(2026, 12, 24), "县庆")], county="甲县")]
'''


def test_a_period_moved_into_the_provisional_days_is_provisional(install):
    """民法典第203条: a period whose last day is a day off ends on the next working day. In 甲县
    (a test plugin's county, off on Thu 2026-12-24), 7d from Thu 12/17 ends on 12/24 → moved
    to Fri 2026-12-25, the first day the 2027 notice may still move: provisional, though the
    period's own last day was not. Its basis names what decided the days from the last day
    on: the county's notice (12/24), and the projection (12/25 is provisional)."""
    from engine.registry import get_registry

    install(DAY_OFF_ON_CHRISTMAS_EVE)
    due = due_date(get_registry().calendar("hainan", "甲县"), date(2026, 12, 17), "7d")
    assert (due.nominal_end, due.due, due.provisional) == (
        date(2026, 12, 24), date(2026, 12, 25), True)
    assert due.basis == ("《民法典》第201条、第203条：起算日2026-12-17不计入，计7日；期间最后一日"
                         "2026-12-24为休息日（县庆），顺延至2026-12-25；工作日依"
                         f"甲县人民政府关于放假的通知（测试）、{PROJECTION_BASIS}")


def test_a_calendar_day_period_running_past_the_calendar_names_the_day():
    """The calendar runs to 2060: 30 days from 2060-12-20 end on 2061-01-19, which it does not
    hold; the error names that day and the calendar's range."""
    from engine.errors import OutsideCalendar

    with pytest.raises(OutsideCalendar, match=r"^2061-01-19 is outside the calendar "
                                              r"\(2018-01-01 to 2060-12-31\)$"):
        due_date(national_calendar(), date(2060, 12, 20), "30d")


# -- pauses, resumption and frequency duties (engine/deadlines.py) -----------------------------


def test_a_second_pause_while_paused_keeps_the_first_pause_s_date():
    """A deadline already paused is not paused again: the time left is what was left at the
    first pause. 7d from Mon 2026-09-14 → 9/21; paused Fri 9/18 (3 days left); paused again
    Tue 9/22 (changes nothing); resumed Mon 9/28: 9/29, 9/30, 10/1 → 10/1 is 国庆 (10/1–10/7
    off) → 民法典第203条: Thu 2026-10-08."""
    resumed = mini_deadline("7d", [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 18)),
                                   ("hold", date(2026, 9, 22)), ("resume", date(2026, 9, 28))])
    assert resumed.due_on == date(2026, 10, 8)
    assert "；2026-09-18中止，2026-09-28恢复，到期日顺延" in resumed.computation


def test_a_resumed_deadline_names_only_the_calendars_of_the_days_counted_after_it():
    """The calendar decides only the days after the resumption: 7d from Mon 2026-09-14 →
    9/21; paused Fri 9/18 (3 days left); resumed Mon 2027-01-04: 1/5, 1/6, 1/7 → Thu
    2027-01-07, provisional. Its computation names the projection alone, not the 2026
    notice of the days (中秋, 国庆, 9/20 worked) that passed while it was paused."""
    resumed = mini_deadline("7d", [("go", date(2026, 9, 14)), ("hold", date(2026, 9, 18)),
                                   ("resume", date(2027, 1, 4))])
    assert (resumed.due_on, resumed.provisional) == (date(2027, 1, 7), True)
    assert resumed.computation.endswith(
        "；2026-09-18中止，2027-01-04恢复，到期日顺延；工作日依" + PROJECTION_BASIS)


FREQUENCY = """
[workflow]
name = "freq"
title = "频次"
initial = "a"

[[states]]
name = "a"
title = "甲"

[[states]]
name = "z"
title = "终"
final = true

[[transitions]]
event = "note"
sources = ["a"]
dest = ""

[[transitions]]
event = "compare"
sources = ["a"]
dest = ""

[[transitions]]
event = "end"
sources = ["a"]
dest = "z"

[attributes.monthly]
type = "bool"
title = "每月"

[parameters.quarterly]
value = "1cq"
citation = "测试：每季度一次"

[parameters.monthly]
value = "1cm"
citation = "测试：每月一次"

[[deadlines]]
rule = "cmp"
title = "比对"
starts = ["open", "compare"]
stops = ["compare"]
param = "quarterly"
variants = [{ when = "monthly", param = "monthly" }]
"""


def test_a_first_frequency_period_recounted_by_a_variant_stays_the_one_the_case_opened_in():
    """A duty set by frequency is owed in the period its case opens in. Opened Wed 2026-04-15
    quarterly: due at the end of Q2, Tue 2026-06-30 (0cq). Made monthly on Mon 4/20: the
    first period is still the one the case opened in, April: Thu 2026-04-30 (0cm), not the
    end of May."""
    workflow = parse_workflow(FREQUENCY, "tests/freq.toml")
    calendar = national_calendar()
    opened = apply_event([], workflow, "open", date(2026, 4, 15), calendar, {}, False)
    assert [(d.duration, d.due_on) for d in opened] == [("0cq", date(2026, 6, 30))]
    monthly = apply_event(opened, workflow, "note", date(2026, 4, 20), calendar,
                          {"monthly": True}, False)
    assert [(d.duration, d.due_on) for d in monthly] == [("0cm", date(2026, 4, 30))]


# -- the database's files (engine/db_files.py) -------------------------------------------------


def test_a_rollback_journal_left_by_a_removed_database_is_refused_too(tmp_path):
    """SQLite applies a hot rollback journal (cases.db-journal) by name, as it does a
    write-ahead log: a database is not made beside one a removed database left. One line,
    exit 1, nothing made, the journal left for whoever restores the database."""
    path = str(tmp_path / "cases.db")
    with open(path + "-journal", "wb") as journal:
        journal.write(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    result = run(path, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {path} does not exist, but {path}-journal, a log of a database that was "
        "there, does: put the database back beside it, or move the log away, and run again")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.db-journal"]


def test_removing_a_database_removes_the_files_sqlite_keeps_beside_it(tmp_path):
    """remove_files takes the database's log, shared memory and journal with it (a log left
    behind would be applied to the next file made at that path)."""
    from engine.db_files import remove_files

    path = str(tmp_path / "x.db")
    for name in ("", "-wal", "-shm", "-journal"):
        (tmp_path / f"x.db{name}").write_bytes(b"x")
    (tmp_path / "other.db").write_bytes(b"x")
    remove_files(path)
    assert [p.name for p in tmp_path.iterdir()] == ["other.db"]



def test_a_file_another_program_put_at_the_path_meanwhile_is_not_taken_for_the_database(
        tmp_path, monkeypatch):
    """Made in a scratch file, a new database is linked into place; if another program put a
    file there meanwhile (the link fails), that file is checked before it is used: another
    program's SQLite database is refused, untouched."""
    import os
    import sqlite3

    from engine import db_files
    from engine.errors import DoudiError

    path = str(tmp_path / "x.db")
    real_link = os.link

    def theirs_first(source, target):
        sqlite3.connect(target).execute("create table notes (text)").connection.close()
        real_link(source, target)

    monkeypatch.setattr(db_files.os, "link", theirs_first)
    with pytest.raises(DoudiError, match="is an SQLite database but not a doudi one"):
        db_files.create(path)
    monkeypatch.undo()
    tables = sqlite3.connect(path).execute("select name from sqlite_master").fetchall()
    assert tables == [("notes",)]

def test_a_database_holding_only_a_county_setting_is_not_removed_as_unused(tmp_path):
    """A first command that failed removes the database it made only if nothing is in it: a
    county parameter recorded there meanwhile (by another command) keeps it."""
    from engine.db_files import create, remove_unused

    path = str(tmp_path / "x.db")
    create(path)
    other = Engine.open(path)
    other.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS, ON)
    other.store.db.close()
    assert remove_unused(path) is False
    assert Engine.open(path).store.count_local_settings() == 1


def test_a_database_removed_as_unused_is_not_this_process_s_any_more(tmp_path):
    """Once removed, the path is no longer one this process made: a database another process
    makes there later is never removed by this one."""
    import sqlite_utils

    from engine.db_files import create, remove_unused
    from engine.schema import migrations

    path = str(tmp_path / "x.db")
    create(path)
    assert remove_unused(path) is True
    theirs = sqlite_utils.Database(path)
    migrations.apply(theirs)
    theirs.close()
    assert remove_unused(path) is False
    assert (tmp_path / "x.db").exists()


LEFT_IN_THE_LOG = """
import os, signal, sys
from datetime import date
from engine import Engine
engine = Engine.open(sys.argv[1])
engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="LOGGED")
os.kill(os.getpid(), signal.SIGKILL)  # the commit is in the log beside the file
"""


def test_a_read_only_database_is_never_read_without_the_commits_in_its_log():
    """A database in a folder that cannot be written, whose write-ahead log holds a commit (a
    writer killed), is not read as if the log were not there (it would show the case
    missing): the command says why it cannot read it, in one line, and changes nothing."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    # (not under tmp_path: another pytest session starting meanwhile takes the others' right
    # to pass through pytest-of-root away again, and the file then is "no database")
    folder = Path(tempfile.mkdtemp(prefix="doudi-read-only-")) / "backup"
    folder.mkdir()
    db = str(folder / "c.db")
    subprocess.run([sys.executable, "-c", LEFT_IN_THE_LOG, db])
    assert os.path.getsize(db + "-wal") > 0
    os.remove(db + "-shm")  # (copied elsewhere without it, say: SQLite would have to make one)
    doudi = [str(Path(sys.executable).parent / "doudi")]
    if os.geteuid() == 0:  # (root writes anywhere: read as nobody, as an operator would)
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to read as another user")
        doudi = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *doudi]
        for parent in [*reversed(folder.parents), folder]:
            if parent.exists():
                os.chmod(parent, os.stat(parent).st_mode | 0o005)
        if subprocess.run([*doudi, "--help"], capture_output=True).returncode != 0:
            pytest.skip("the virtual environment cannot be run by another user here")
    os.chmod(db, 0o444)
    os.chmod(db + "-wal", 0o444)
    os.chmod(folder, 0o555)
    try:
        before = Path(db).read_bytes(), Path(db + "-wal").read_bytes()
        show = subprocess.run([*doudi, "case", "show", "LOGGED", "--db", db],
                              capture_output=True, text=True, timeout=60)
        assert show.returncode == 1
        assert show.stderr == (f"Error: {db}: read-only, and its write-ahead log {db}-wal holds "
                               "commits not yet in the file: open it once where it can be "
                               "written (or copy both files to a writable place)\n")
        assert (Path(db).read_bytes(), Path(db + "-wal").read_bytes()) == before
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder.parent)


# -- the schema's steps (engine/schema.py) -----------------------------------------------------


def _old_case(db, case_id, state="applied", last="2026-03-02"):
    db["cases"].insert({"id": case_id, "province": "shanxi", "workflow": "dibao",
                        "county": None, "state": state, "attributes": "{}",
                        "opened_on": "2026-03-02", "last_event_on": last, "created_at": "x"})


def test_a_database_upgraded_to_the_hash_chain_chains_each_event_to_the_one_before(tmp_path):
    """m003 hashes the events a database already holds, each on the hash of the one before:
    the upgraded history verifies whole (the second event's link is the first's hash)."""
    import sqlite_utils

    from engine.schema import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m003_integrity")
    _old_case(db, "c1", state="accepted", last="2026-03-03")
    for seq, (event, on, before, after) in enumerate([("open", "2026-03-02", "", "applied"),
                                                      ("accept", "2026-03-03", "applied",
                                                       "accepted")]):
        db["events"].insert({"case_id": "c1", "seq": seq, "event": event, "on": on,
                             "recorded_at": "x", "actor": None, "payload": "{}", "reason": None,
                             "from_state": before, "to_state": after, "derived": None})
    db.close()
    engine = Engine.open(str(path))
    # (No deadline rows were written above, as the doudi of then would have: recompute
    # records them, with an event chained on the upgraded two, and verify compares them.)
    engine.recompute()
    assert engine.verify() == (1, 3, [])
    first, second, _ = engine.store.history_rows("c1")
    assert second["prev_hash"] == first["hash"]


def test_a_database_upgraded_to_case_numbers_continues_after_its_highest_number(tmp_path):
    """m006 records the highest number used after each prefix, by value: of shanxi-2026-99
    and shanxi-2026-100 (100 sorts first as text), 100. The next case is number 101."""
    import sqlite_utils

    from engine.schema import migrations

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m006_case_numbers")
    for case_id in ("shanxi-2026-99", "shanxi-2026-100"):
        _old_case(db, case_id)
    db.close()
    engine = Engine.open(str(path))
    assert engine.open_case(province="shanxi", on=ON).id == "shanxi-2026-000101"


@pytest.mark.parametrize("column", ["province", "county", "workflow", "name", "citation", "on"])
def test_a_county_setting_stored_without_its_place_name_basis_or_date_is_refused(engine, column):
    """The database itself refuses a county setting without its province, county, workflow,
    name, basis or date (a row written outside doudi could not say what it governs)."""
    import sqlite3

    row = {"province": "shanxi", "county": "甲县", "workflow": "dibao",
           "name": "investigation_start", "value": '"2wd"', "citation": BASIS,
           "on": "2026-03-02"}
    row[column] = None
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        engine.store.db.execute(
            "insert into local_parameters (province, county, workflow, name, value, citation, "
            "[on]) values (:province, :county, :workflow, :name, :value, :citation, :on)", row)


# -- whole-database work (engine/maintenance.py) -----------------------------------------------


def test_recompute_records_a_due_date_the_new_notice_confirms(db, calendar_with_2027):
    """民发〔2021〕57号 第15条 (调查 within 3 working days of 受理): 受理 Tue 2026-12-22 →
    12/23(1), 12/24(2), 12/25(3) → Fri 2026-12-25, provisional (the 2027 notice may move
    late-December days). The notice arrives and leaves it there: recompute records the date
    as confirmed (old and new the same), and the stored deadline is no longer provisional."""
    engine = Engine.open(db, today=lambda: date(2026, 12, 31))
    engine.open_case(province="shanxi", on=date(2026, 12, 21), case_id="C1")
    engine.fire("C1", "accept", on=date(2026, 12, 22))
    before = next(d for d in engine.store.deadlines("C1") if d.rule == "investigation_start")
    assert (before.due_on, before.provisional) == (date(2026, 12, 25), True)
    calendar_with_2027()
    engine = Engine.open(db, today=lambda: date(2026, 12, 31))
    moved = engine.recompute()
    assert ("C1", "investigation_start", 1, date(2026, 12, 25), date(2026, 12, 25)) in moved
    last = engine.store.history("C1")[-1]
    assert last.event == "recompute"
    assert ["investigation_start", 1, "2026-12-25", "2026-12-25"] in last.payload["moved"]
    after = next(d for d in engine.store.deadlines("C1") if d.rule == "investigation_start")
    assert (after.due_on, after.provisional) == (date(2026, 12, 25), False)


def test_recompute_writes_a_changed_basis_though_no_date_moved(engine):
    """A county records, late, that its 调查 time limit is the province's own 3 working days
    by its own document (甲县民政局〔2026〕3号 二, from 2026-03-01). 受理 Tue 2026-03-03 →
    3/4(1) 3/5(2) 3/6(3) → Fri 2026-03-06 either way: no date moves, but recompute stores the
    basis the county's setting gives, as a replay of the history does, and says so."""
    engine.open_case(province="shanxi", on=ON, case_id="C1", attributes={"county": "甲县"})
    engine.fire("C1", "accept", on=date(2026, 3, 3))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "3wd", BASIS,
                         date(2026, 3, 1))
    assert engine.recompute() == []
    stored = next(d for d in engine.store.deadlines("C1") if d.rule == "investigation_start")
    assert (stored.due_on, stored.citation) == (date(2026, 3, 6), BASIS)
    assert engine.store.deadlines("C1") == engine.replay("C1")[1]
    assert engine.store.history("C1")[-1].payload == {
        "moved": [], "changed": [["investigation_start", 1, ["citation"]]]}


def test_recompute_writes_the_cases_with_provisional_dates_first(db, calendar_with_2027):
    """The cases whose dates were provisional (those a new notice moves) are recomputed and
    passed on first, before the others, whatever their ids. A1 (甲县, 受理 Tue 2026-03-03:
    调查 due 3/6) moves to 3/5 with the county's 2wd (57号 第15条 left to it); B1 (受理 Tue
    2026-12-22: 调查 due Fri 12/25, provisional) is confirmed by the 2027 notice."""
    engine = Engine.open(db, today=lambda: date(2026, 12, 31))
    engine.open_case(province="shanxi", on=ON, case_id="A1", attributes={"county": "甲县"})
    engine.fire("A1", "accept", on=date(2026, 3, 3))
    engine.open_case(province="shanxi", on=date(2026, 12, 21), case_id="B1")
    engine.fire("B1", "accept", on=date(2026, 12, 22))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", BASIS,
                         date(2026, 3, 1))
    calendar_with_2027()
    engine = Engine.open(db, today=lambda: date(2026, 12, 31))
    moved: list = []
    engine.recompute(on_moved=moved.append)
    cases = [m[0] for m in moved]
    assert cases == sorted(cases, key=lambda c: c != "B1") and set(cases) == {"A1", "B1"}
    assert ("A1", "investigation_start", 1, date(2026, 3, 6), date(2026, 3, 5)) in moved


def test_advance_refuses_a_date_after_today(engine):
    """advance records what has happened: a date after today is refused, and nothing is
    recorded."""
    engine = Engine.open(engine.store.path, today=lambda: date(2026, 3, 2))
    engine.open_case(province="shanxi", on=ON, case_id="C1")
    with pytest.raises(InvalidInput, match="until 2026-03-03 is after today"):
        engine.advance(date(2026, 3, 3))
    assert len(engine.store.history("C1")) == 1


def test_advance_leaves_a_case_with_nothing_to_record_untouched(engine):
    """A case with nothing that happened by itself is not written by advance: its row (and
    version) stay as they were."""
    engine.open_case(province="shanxi", on=ON, case_id="C1")
    before = engine.store.case_row("C1")
    assert engine.advance(date(2026, 3, 20)) == []
    assert engine.store.case_row("C1") == before


def test_verify_reports_progress_once_a_case(engine):
    """verify calls progress with 1 for each case it checks."""
    for case_id in ("C1", "C2", "C3"):
        engine.open_case(province="shanxi", on=ON, case_id=case_id)
    calls: list = []
    assert engine.verify(progress=calls.append)[:2] == (3, 3)
    assert calls == [1, 1, 1]


# -- reports (engine/reports.py) ---------------------------------------------------------------


def test_a_report_for_no_status_at_all_is_refused(engine):
    """A report is for one status or more: an empty tuple (which would report nothing, as if
    all were well) is refused naming the statuses."""
    with pytest.raises(InvalidInput, match=r"^statuses must be a tuple of .*; got \(\)$"):
        engine.report(ON, ())


def _confirmed(engine, province, approved_day):
    """A delegated case: 受理 Mon 3/2, 公示 posted Mon 3/9 (7 days to 3/16), approved (确认同意)
    on March ``approved_day``."""
    case = engine.open_case(province=province, on=date(2026, 3, 2),
                            attributes={"county": "城区", "delegated": True})
    for event, day in [("accept", 2), ("start_investigation", 3), ("request_verification", 4),
                       ("start_verification", 5), ("post_publicity", 9),
                       ("approve", approved_day)]:
        engine.fire(case.id, event, on=date(2026, 3, day),
                    payload={"amount": 650} if event == "approve" else None)
    return case.id


def test_unpublished_cases_of_every_province_are_listed_oldest_confirmation_first(tmp_path):
    """民发〔2021〕57号 第24条 (公布 after 确认): the report lists the oldest confirmation first
    across provinces: 天津's of Tue 3/17 before 山西's of Wed 3/18 (as of Fri 3/20: 3 and 2
    days)."""
    engine = Engine.open(str(tmp_path / "u.db"), today=lambda: date(2026, 4, 1))
    shanxi = _confirmed(engine, "shanxi", 18)
    tianjin = _confirmed(engine, "tianjin", 17)
    assert [(r["case_id"], r["approved_on"], r["days"])
            for r in engine.unpublished(as_of=date(2026, 3, 20))] == [
        (tianjin, "2026-03-17", 3), (shanxi, "2026-03-18", 2)]


def test_a_sanctions_report_for_an_unknown_kind_is_refused(engine):
    """A kind the engine does not record would match nothing, as if no one were sanctioned:
    refused, naming the kinds."""
    with pytest.raises(InvalidInput, match=r"^unknown sanction kind 'fine' \(kinds: "):
        engine.sanctions(kind="fine")


def test_the_exceptions_report_names_a_case_whose_attributes_are_json_but_no_object(engine):
    """A case whose attributes were changed outside doudi into JSON that is not an object (a
    list) is named as damaged by the exceptions report, as one that is not JSON is."""
    from engine.errors import DamagedRecord

    engine.open_case(province="shanxi", on=ON, case_id="C1")
    engine.store.db.execute("update cases set attributes = '[1]' where id = 'C1'")
    with pytest.raises(DamagedRecord, match="C1"):
        engine.exceptions()


# -- the command line's output (engine/cli/options.py) -----------------------------------------


@pytest.mark.parametrize("text, cell", [("\t=1+1", "'\t=1+1"), ("\r=1+1", "\"'\r=1+1\"")])
def test_csv_quotes_text_starting_with_a_tab_or_carriage_return(capsys, text, cell):
    """A spreadsheet may drop a leading tab or carriage return and run the rest as a formula:
    such text is given with a leading ', as text starting with =, +, - or @ is (a carriage
    return also quotes the cell)."""
    emit([{"county": text}], "csv")
    assert capsys.readouterr().out == f"county\n{cell}\n"


def test_csv_writes_a_negative_number_as_a_number(capsys):
    """Only text is quoted against formulas: a negative amount stays a number a spreadsheet
    can add up."""
    emit([{"amount": -5, "county": "-5"}], "csv")
    assert capsys.readouterr().out == "amount,county\n-5,'-5\n"


def test_a_missing_value_is_an_empty_cell(capsys):
    """None (a deadline with no stop, a case with no county) is an empty cell in CSV and in a
    table, never the word None."""
    emit([{"county": None, "days": 1}], "csv")
    assert capsys.readouterr().out == "county,days\n,1\n"
    emit([{"county": None, "days": 1}], "table")
    assert capsys.readouterr().out == "county  days\n------  ----\n        1\n"


# -- doudi parameter (engine/cli/parameters.py) ------------------------------------------------


def test_parameter_list_as_json_keeps_values_as_json(db):
    """parameter list --format json gives each value as JSON (a list as a list, a removal as
    null), not as the text the table shows."""
    for args in (("set", "publicity_channels", '["村（社区）", "网上"]'),
                 ("unset", "publicity_channels")):
        result = run(db, "parameter", *args, "--province", "shanxi", "--county", "甲县",
                     "--basis", BASIS, "--on", "2026-03-02")
        assert result.exit_code == 0, result.output
    result = run(db, "parameter", "list", "--history", "--format", "json")
    assert [row["value"] for row in json.loads(result.stdout)] == [["村（社区）", "网上"], None]
