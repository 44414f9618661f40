"""The case database: migrations from a blank file, and the default database location."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from engine import Engine
from engine.errors import DamagedRecord
from engine.schema import PAGE_SIZE, migrations
from engine.store import Store

ALL_MIGRATIONS = ["m001_initial", "m002_benefit", "m003_integrity", "m004_report_indexes",
                  "m005_running_duties_index", "m006_case_numbers",
                  "m007_drop_outcome_due_on_index", "m008_deadline_key_index", "m009_local_parameters",
                  "m010_deadline_subject", "m011_case_state_date_index",
                  "m012_running_or_late_index", "m013_deadline_moved_from",
                  "m014_import_keys_by_case", "m015_local_parameter_voids", "m016_setting_chains",
                  "m017_sanction_and_link_chains", "m018_sanction_and_link_triggers",
                  "m019_deadline_pauses", "m020_calendar_years",
                  "m021_calendar_year_voids"]


def test_a_blank_database_is_migrated_to_the_current_schema(tmp_path):
    path = tmp_path / "blank.db"
    sqlite3.connect(path).close()  # an empty file, no tables
    Store.open(str(path))
    db = sqlite_utils.Database(path)
    assert {"cases", "events", "deadlines"} <= set(db.table_names())
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS
    assert {"links", "sanctions"} <= set(db.table_names())
    assert {"event", "on", "recorded_at", "actor", "payload", "from_state", "to_state"} <= set(
        db["events"].columns_dict
    )
    assert {"rule", "starts_on", "due_on", "stopped_on", "outcome", "citation", "provisional"} <= set(
        db["deadlines"].columns_dict
    )
    # Opening again applies nothing twice.
    Store.open(str(path))
    assert [m.name for m in migrations.applied(db)] == ALL_MIGRATIONS


def test_a_database_of_the_first_schema_is_upgraded_with_its_cases_intact(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m002_benefit")
    db["cases"].insert({"id": "c1", "province": "shanxi", "workflow": "dibao", "county": None,
                        "state": "applied", "attributes": "{}", "opened_on": "2026-03-02",
                        "last_event_on": "2026-03-02", "created_at": "x"})
    db["events"].insert({"case_id": "c1", "seq": 0, "event": "open", "on": "2026-03-02",
                         "recorded_at": "x", "actor": None, "payload": "{}", "reason": None,
                         "from_state": "", "to_state": "applied"})
    db.close()
    engine = Engine.open(str(path))
    assert [m.name for m in migrations.applied(engine.store.db)] == ALL_MIGRATIONS
    engine.fire("c1", "accept", on=date(2026, 3, 3))
    assert engine.case("c1").state == "accepted"
    assert [h["event"] for h in engine.case("c1").history] == ["open", "accept"]


def _page_size(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def test_a_new_database_has_2048_byte_pages_and_one_with_pages_keeps_its_own(tmp_path):
    # An event changes about eleven pages, each written whole to the log at its commit:
    # 2,048-byte pages write 22 KB an event where SQLite's default 4,096 wrote 40 KB.
    made = tmp_path / "made.db"
    Engine.open(str(made)).close()
    assert PAGE_SIZE == 2048 and _page_size(made) == 2048
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).close()  # an empty file: its first write sets the size
    Engine.open(str(blank)).close()
    assert _page_size(blank) == 2048
    # Made with SQLite's default, as doudi made them before: upgraded and written as before.
    old = tmp_path / "old.db"
    db = sqlite_utils.Database(old)
    db.execute("PRAGMA page_size = 4096")
    migrations.apply(db, stop_before="m002_benefit")
    db.close()
    engine = Engine.open(str(old))
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), attributes={"county": "甲县"})
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    assert engine.case(case.id).state == "accepted"
    engine.close()
    assert _page_size(old) == 4096


def test_a_database_a_newer_doudi_upgraded_is_refused_not_written(tmp_path):
    """Found by review: a database with a migration this version does not know was opened and
    written to; a newer schema may hold what this version would break. Refused in one line,
    before anything is written, by every command."""
    from helpers import error_line, run

    path = str(tmp_path / "newer.db")
    engine = Engine.open(path)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.store.db.close()
    db = sqlite_utils.Database(path)
    db[migrations.migrations_table].insert({"migration_set": "doudi", "name": "m099_future",
                                            "applied_at": "2027-01-01 00:00:00"})
    db.close()
    before = Path(path).read_bytes()
    for args in (("case", "fire", "c1", "accept", "--on", "2026-03-03"),
                 ("report", "breaches", "--as-of", "2026-03-10")):
        result = run(path, *args)
        assert result.exit_code == 1
        assert error_line(result) == (
            f"Error: {path} was upgraded by a newer doudi (migration m099_future), which this "
            "version does not know: upgrade doudi to use it")
    assert Path(path).read_bytes() == before


def _schema_before(path, migration: str):
    """A new database at ``path`` with the schema as it was before ``migration``."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before=migration)
    db.close()
    return path


def test_a_deadline_is_updated_through_its_key_not_by_reading_the_cases_deadlines(tmp_path):
    # A database written before m008 has deadlines indexed on case_id alone; opened again,
    # the index on (case_id, rule, instance) replaces it, keeps its deadlines, and the
    # update each event makes goes straight to the row (SQLite's own query plan).
    path = _schema_before(tmp_path / "m007.db", "m008_deadline_key_index")
    engine = Engine.open(str(path))
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.fire(case.id, "start_investigation", on=date(2026, 3, 4))
    db = engine.store.db
    indexes = {i.name: i.columns for i in db["deadlines"].indexes}
    assert indexes["idx_deadlines_case_id_rule_instance"] == ["case_id", "rule", "instance"]
    assert "idx_deadlines_case_id" not in indexes
    [(_, _, _, plan)] = db.execute(
        "explain query plan update deadlines set outcome = 'met' "
        "where case_id = ? and rule = ? and instance = ?", [case.id, "investigation_start", 1])
    assert plan.endswith("(case_id=? AND rule=? AND instance=?)")
    # 受理 Tue 3/3: investigation within 3 working days (民发〔2021〕57号 第15条): 3/4(1) 3/5(2)
    # 3/6(3) → due 3/6; started 3/4 → met, written through that update.
    [row] = db.execute("select due_on, outcome from deadlines where case_id = ? and rule = "
                       "'investigation_start'", [case.id]).fetchall()
    assert row == ("2026-03-06", "met")
    with pytest.raises(sqlite3.IntegrityError):  # instances are numbered once per rule
        db.execute("insert into deadlines (case_id, rule, instance) values (?, ?, 1)",
                   [case.id, "investigation_start"])


def test_the_default_database_is_doudi_db_or_DOUDI_DB(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DOUDI_DB", raising=False)
    Engine.open().open_case(province="shanxi", on=date(2026, 3, 2))
    assert (tmp_path / "doudi.db").exists()
    monkeypatch.setenv("DOUDI_DB", str(tmp_path / "elsewhere.db"))
    Engine.open().open_case(province="shanxi", on=date(2026, 3, 2))
    assert (tmp_path / "elsewhere.db").exists()


def test_events_are_append_only_evidence(tmp_path):
    engine = Engine.open(str(tmp_path / "x.db"))
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), actor="张三")
    engine.fire(case.id, "accept", on=date(2026, 3, 3), actor="张三")
    rows = list(engine.store.db["events"].rows_where("case_id = ?", [case.id], order_by="seq"))
    assert [(r["seq"], r["event"], r["on"], r["from_state"], r["to_state"], r["actor"])
            for r in rows] == [
        (0, "open", "2026-03-02", "", "applied", "张三"),
        (1, "accept", "2026-03-03", "applied", "accepted", "张三"),
    ]
    assert all(r["recorded_at"] for r in rows)


@pytest.fixture
def operator_folder():
    """A folder for a test run as another user: not under pytest's own temporary folder,
    which other pytest sessions of the same user set back to mode 0700 as they start."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="doudi-operator-"))
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def _doudi_as_an_operator(folder) -> list[str]:
    """The doudi command as a user whom file modes bind (root writes anywhere: then as
    nobody, ``folder`` and its parents made readable to it)."""
    import os
    import shutil
    import subprocess
    import sys

    doudi = [str(Path(sys.executable).parent / "doudi")]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to read as another user")
        doudi = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *doudi]
        for parent in [*reversed(folder.parents), folder]:
            if parent.exists():
                os.chmod(parent, os.stat(parent).st_mode | 0o005)
        if subprocess.run([*doudi, "--help"], capture_output=True).returncode != 0:
            pytest.skip("the virtual environment cannot be run by another user here")
    return doudi


def test_a_database_that_can_only_be_read_gives_its_reports(operator_folder):
    """Found by review: a database in a directory the user cannot write (a backup on read-only
    media, an operator without write access) failed every command, reports included, with
    "attempt to write a readonly database". 受理 Mon 2026-03-02 (山西): the investigation is due
    Thu 03-05 (57号 第15条, 3 working days); on Mon 03-09 it is 2 working days overdue."""
    import os
    import subprocess
    from pathlib import Path

    folder = operator_folder / "backup"
    folder.mkdir()
    db = str(folder / "c.db")
    engine = Engine.open(db, today=lambda: date(2026, 3, 9))
    case = engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="R1")
    engine.fire(case.id, "accept", on=date(2026, 3, 2))
    engine.store.db.close()  # (the last connection: its log is checkpointed and removed)
    assert not os.path.exists(db + "-wal")
    doudi = _doudi_as_an_operator(folder)
    open(db + "-wal", "w").close()  # (an empty log, as a reader leaves it: nothing in it)
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    try:
        before = Path(db).read_bytes()
        report = subprocess.run([*doudi, "report", "breaches", "--as-of", "2026-03-09", "--db", db,
                                 "--format", "json"], capture_output=True, text=True, timeout=60)
        assert report.returncode == 0, report.stderr
        assert [(r["case_id"], r["rule"], r["overdue_working_days"])
                for r in json.loads(report.stdout)] == [("R1", "investigation_start", 2)]
        write = subprocess.run([*doudi, "case", "fire", "R1", "start_investigation", "--on",
                                "2026-03-09", "--db", db], capture_output=True, text=True,
                               timeout=60)
        assert write.returncode == 1
        assert write.stderr == "Error: database error: attempt to write a readonly database\n"
        assert Path(db).read_bytes() == before
        assert sorted(os.listdir(folder)) == ["c.db", "c.db-wal"]
    finally:
        os.chmod(folder, 0o755)


def test_two_processes_upgrading_an_older_database_at_once_both_open_it(tmp_path, monkeypatch):
    """Found by review: two processes opening a database of an older schema at once each read
    what was pending, then both applied it; the second failed with "UNIQUE constraint failed:
    _sqlite_migrations…" or "database is locked" (a read snapshot it could not upgrade), one
    time in four with three processes. Here two connections (threads, as the lock is SQLite's
either way) do it, and one is held inside a step (holding the write lock,
    as the upgrade now does) until the other has read what is pending; the other then waits
    for the lock, finds nothing left, and both open the database with its case intact."""
    import threading

    # A case written by an older schema, upgraded up to m003 (which hash-chains it).
    path = str(tmp_path / "older.db")
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db, stop_before="m002_benefit")
    db["cases"].insert({"id": "c1", "province": "shanxi", "workflow": "dibao", "county": None,
                        "state": "applied", "attributes": "{}", "opened_on": "2026-03-02",
                        "last_event_on": "2026-03-02", "created_at": "x"})
    db["events"].insert({"case_id": "c1", "seq": 0, "event": "open", "on": "2026-03-02",
                         "recorded_at": "x", "actor": None, "payload": "{}", "reason": None,
                         "from_state": "", "to_state": "applied"})
    migrations.apply(db, stop_before="m004_report_indexes")
    db.close()

    [step] = [m for m in migrations._migrations if m.name == "m004_report_indexes"]
    inside, release, second_read = threading.Event(), threading.Event(), threading.Event()
    original_step, original_pending = step.fn, type(migrations).pending

    def held_step(database):
        original_step(database)
        if threading.current_thread().name == "first":
            inside.set()
            assert release.wait(30)

    def pending(self, database):
        found = original_pending(self, database)
        if threading.current_thread().name == "second" and found:
            second_read.set()  # it has read m004… as pending, before the first committed
        return found

    monkeypatch.setattr(step, "fn", held_step)
    monkeypatch.setattr(type(migrations), "pending", pending)
    outcome = {}

    def open_it():
        try:
            engine = Engine.open(path)
            outcome[threading.current_thread().name] = engine.verify()
            engine.store.db.close()
        except Exception as exc:  # reported to the test
            outcome[threading.current_thread().name] = repr(exc)

    first = threading.Thread(target=open_it, name="first")
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=open_it, name="second")
    second.start()
    assert second_read.wait(30)
    release.set()
    first.join(30)
    second.join(30)
    assert outcome == {"first": (1, 1, []), "second": (1, 1, [])}
    assert [m.name for m in migrations.applied(sqlite_utils.Database(path))] == ALL_MIGRATIONS


def test_reading_a_read_only_file_leaves_nothing_that_later_fails_writes(operator_folder):
    """Found by review: an operator who may read but not write the database file (mode 444)
    in a folder they may write ran a report: SQLite made the shared memory and log beside it,
    read-only like the file, and could not remove them; once the file was writable again,
    every write failed with "attempt to write a readonly database", naming nothing. Now such
    a file is read without making either, and a read-only one left by an older doudi is
    named, as is a folder that cannot be written (the file can). 受理 Mon 2026-03-02 (山西):
    the investigation is due Thu 03-05 (57号 第15条, 3 working days); on Mon 03-09 it is 2
    working days overdue."""
    import os
    import subprocess

    folder = operator_folder / "shared"
    folder.mkdir()
    db = str(folder / "c.db")
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="R1")
    engine.fire("R1", "accept", on=date(2026, 3, 2))
    engine.store.db.close()
    doudi = _doudi_as_an_operator(folder)
    os.chmod(folder, 0o777)  # (the operator may make files here)
    os.chmod(db, 0o444)
    report = subprocess.run([*doudi, "report", "breaches", "--as-of", "2026-03-09", "--db", db,
                             "--format", "json"], capture_output=True, text=True, timeout=60)
    assert report.returncode == 0, report.stderr
    assert [(r["case_id"], r["overdue_working_days"]) for r in json.loads(report.stdout)] == [
        ("R1", 2)]
    fire = [*doudi, "case", "fire", "R1", "start_investigation", "--on", "2026-03-09", "--db", db]
    write = subprocess.run(fire, capture_output=True, text=True, timeout=60)
    assert write.stderr == "Error: database error: attempt to write a readonly database\n"
    assert sorted(os.listdir(folder)) == ["c.db"]
    # Writable again, it is written.
    os.chmod(db, 0o666)
    assert subprocess.run(fire, capture_output=True, timeout=60).returncode == 0
    assert sorted(os.listdir(folder)) == ["c.db"]
    # A read-only shared-memory file such a reader left (as an older doudi did) is named.
    open(db + "-shm", "wb").close()
    os.chmod(db + "-shm", 0o444)
    result = subprocess.run([*doudi, "case", "fire", "R1", "request_verification", "--on",
                             "2026-03-09", "--db", db], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {db}: nothing written: {db}-shm is read-only (left by a process that could "
        "only read the database): make it writable, or remove it while no process has the "
        "database open\n")
    # A folder that cannot be written, where SQLite would keep the log, is named too.
    os.remove(db + "-shm")
    assert os.path.getsize(db + "-wal") == 0  # (made by that attempt, which wrote nothing)
    os.remove(db + "-wal")
    os.chmod(folder, 0o555)
    result = subprocess.run([*doudi, "case", "fire", "R1", "request_verification", "--on",
                             "2026-03-09", "--db", db], capture_output=True, text=True,
                            timeout=60)
    os.chmod(folder, 0o777)
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {db}: nothing written: its folder {folder} cannot be written, and SQLite keeps "
        "the database's log and shared memory beside it: make the folder writable\n")
    assert sorted(os.listdir(folder)) == ["c.db"]
    assert [e.event for e in Engine.open(db).store.history("R1")] == [
        "open", "accept", "start_investigation"]


def test_a_case_outside_the_loaded_provinces_is_found_in_every_gap_between_them(tmp_path):
    # Before the first, between two, after the last loaded province (one index seek each).
    from datetime import date

    from engine import Engine

    engine = Engine.open(str(tmp_path / "cases.db"))
    opened = engine.open_case("shanxi", on=date(2026, 3, 2)).id
    db = engine.store.db
    assert engine.store.case_outside(["jiangsu_draft", "shanxi", "tianjin"]) is None
    for outside, loaded in [("anhui", ["shanxi", "tianjin"]), ("sichuan", ["shanxi", "tianjin"]),
                            ("zhejiang", ["shanxi", "tianjin"])]:
        with db.conn:
            db.execute("update cases set province = ? where id = ?", [outside, opened])
        found = engine.store.case_outside(loaded)
        assert (found.id, found.province) == (opened, outside)
        assert engine.store.case_outside([*loaded, outside]) is None


def test_one_index_on_state_and_date_serves_the_reports_searches(tmp_path):
    """m011: (state, last_event_on) in one index instead of one each (every event moved a
    case's entry in both). A database of m010 keeps its cases; the report's search for cases
    with a later event goes through the new index state by state, with a province filter
    too (SQLite had taken the (province, workflow) index there, reading the whole province).

    民发〔2021〕57号 第15条: investigation within 3 working days of 受理 (Mon 3/2): 3/3(1) 3/4(2)
    3/5(3) → due 3/5; started Tue 3/10, so as of Mon 3/9 breached by 2 (3/6, 3/9), found by
    rebuilding the case as of 3/9 (its last event is after it)."""
    path = _schema_before(tmp_path / "m010.db", "m011_case_state_date_index")
    old = Engine.open(str(path))
    case = old.open_case(province="shanxi", on=date(2026, 3, 2))
    old.fire(case.id, "accept", on=date(2026, 3, 2))
    old.fire(case.id, "start_investigation", on=date(2026, 3, 10))
    engine = Engine.open(str(path))
    indexes = {i.name: i.columns for i in engine.store.db["cases"].indexes
               if not i.name.startswith("sqlite_autoindex")}
    assert indexes == {"idx_cases_province_workflow": ["province", "workflow"],
                       "idx_cases_state_last_event_on": ["state", "last_event_on"]}
    found = [(b.case.id, b.view.deadline.rule, b.view.overdue_working_days)
             for b in engine.breaches(as_of=date(2026, 3, 9), province="shanxi")]
    assert found == [(case.id, "investigation_start", 2)]

    from engine.store import _filters, later_than
    condition, args = later_than(date(2026, 3, 9))
    where, more = _filters("+", province="shanxi", workflow="dibao")
    plan = [step[3] for step in engine.store.db.execute(
        f"explain query plan select * from cases where ({condition}) and {where}", [*args, *more])]
    assert "SEARCH cases USING INDEX idx_cases_state_last_event_on (state=? AND last_event_on>?)" \
        in plan
    assert not any("idx_cases_province_workflow" in step for step in plan)

    # A state blanked by hand: still found by its date, as the index on the date alone found
    # it, and so named as damaged rather than left out of the report unseen.
    engine.store.db.execute("update cases set state = null where id = ?", [case.id])
    with pytest.raises(DamagedRecord, match=f"case '{case.id}'.*None is not a state"):
        Engine.open(str(path)).breaches(as_of=date(2026, 3, 9))


def test_the_report_reads_running_and_late_deadlines_through_a_partial_index(tmp_path):
    """m012: the report's candidate index holds only the deadlines it can list (running, met
    late, unmet): one met on time leaves it (a page fewer an event than moving within it),
    and each of the report's conditions is searched in it.

    民发〔2021〕57号 第15条: investigation within 3 working days of 受理 (Mon 3/2): 3/3(1)
    3/4(2) 3/5(3) → due 3/5. Started 3/4: met. Started Tue 3/10: met late by 3 (3/6, 3/9,
    3/10). Not started: as of Fri 3/20 breached by 11 (3/6, 3/9–3/13, 3/16–3/20)."""
    path = _schema_before(tmp_path / "m011.db", "m012_running_or_late_index")
    engine = Engine.open(str(path))
    ids = []
    for started in (date(2026, 3, 4), date(2026, 3, 10), None):
        case = engine.open_case(province="shanxi", on=date(2026, 3, 2))
        engine.fire(case.id, "accept", on=date(2026, 3, 2))
        if started:
            engine.fire(case.id, "start_investigation", on=started)
        ids.append(case.id)
    db = engine.store.db
    indexes = dict(db.execute("select name, sql from sqlite_master where type = 'index' and "
                              "tbl_name = 'deadlines' and sql is not null"))
    assert set(indexes) == {"idx_deadlines_case_id_rule_instance", "idx_deadlines_running_or_late"}
    assert indexes["idx_deadlines_running_or_late"].endswith(
        "where outcome is null or outcome = 'met_late' or outcome = 'unmet'")
    assert db.execute("select count(*) from deadlines where outcome = 'met' and rule = "
                      "'investigation_start'").fetchone() == (1,)

    statements = []
    db.conn.set_trace_callback(statements.append)
    found = engine.breaches(as_of=date(2026, 3, 20), include_late=True)
    db.conn.set_trace_callback(None)
    assert [(b.case.id, b.view.status, b.view.overdue_working_days) for b in found
            if b.view.deadline.rule == "investigation_start"] == [
        (ids[2], "breached", 11), (ids[1], "met_late", 3)]
    [candidates] = [s for s in statements if "from deadlines d" in s]
    plan = [step[3] for step in db.execute("explain query plan " + candidates)]
    searched = [step for step in plan if step.startswith(("SEARCH d", "SCAN d"))]
    # breached, met late, unmet, a blanked due date, and one that sorts after every date
    assert len(searched) == 5
    assert all("USING INDEX idx_deadlines_running_or_late (outcome=?" in s for s in searched)


def test_a_title_an_older_doudi_stored_is_put_right_by_recompute_as_verify_says(tmp_path):
    """Found by opening databases made by older commits: after an upgrade, ``audit verify``
    found every deadline whose title or basis the new version words otherwise as "missing, or
    the case altered", and named only new calendar data or a parameter as the innocent cause;
    docs/cli.md says ``recompute`` records what an upgrade changes. The finding names the
    upgrade too; recompute then moves no date and verify finds every chain intact.

    天津, delegated (津民发〔2023〕13号): 受理 Tue 3/3, 20 working days → 3/31 (3/4–3/6, 3/9–13,
    3/16–20, 3/23–27, 3/30, 3/31); 公示 posted Mon 3/9, 7 days (民法典 第201条: from 3/10)
    → Mon 3/16. The 公示 was titled 初审意见公示期 before 天津's own 审核意见公示期."""
    from helpers import run

    path = str(tmp_path / "older.db")
    engine = Engine.open(path)
    engine.open_case(province="tianjin", on=date(2026, 3, 2), case_id="T1")
    for event, day in [("accept", 3), ("start_investigation", 4), ("request_verification", 5),
                       ("start_verification", 6), ("post_publicity", 9)]:
        engine.fire("T1", event, on=date(2026, 3, day))
    engine.close()
    # As the version before m012 and 天津's own title left it.
    db = sqlite_utils.Database(path)
    db.execute("delete from _sqlite_migrations where name = 'm012_running_or_late_index'")
    db.execute("drop index idx_deadlines_running_or_late")
    db.execute("create index idx_deadlines_outcome_kind_due_on on deadlines (outcome, kind, due_on)")
    db.execute("update deadlines set title = '初审意见公示期' where rule = 'publicity'")
    db.conn.commit()
    hashes = db.execute("select seq, hash from events order by seq").fetchall()
    db.close()

    result = run(path, "audit", "verify")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "case T1: event seq 6 missing, or the case altered: deadline publicity #1 differs: title "
        "'初审意见公示期' (its history gives '审核意见公示期'); if calendar data or a parameter "
        "changed since, or doudi was upgraded, `doudi recompute` records that instead"]
    # (m012 applied again after the steps since, which its record was taken out from under)
    assert sorted(m.name for m in migrations.applied(sqlite_utils.Database(path))) == ALL_MIGRATIONS
    result = run(path, "recompute")
    assert result.exit_code == 0, result.output
    assert "0 due dates moved in 0 of 1 case; 1 case recorded with no due date moved" \
        in result.output
    assert run(path, "audit", "verify").exit_code == 0
    engine = Engine.open(path)
    assert [(d.rule, d.title, d.due_on) for d in engine.store.deadlines("T1")
            if d.rule in ("total", "publicity")] == [
        ("total", "审核确认办理总时限", date(2026, 3, 31)),
        ("publicity", "审核意见公示期", date(2026, 3, 16))]
    assert engine.store.db.execute(
        "select seq, hash from events where seq <= 5 order by seq").fetchall() == hashes


PAUSING_PROVINCE = '''
from engine import DeadlineRule, Parameter, Transition, WorkflowPatch

@hookimpl
def doudi_workflow_patches(province, workflow):
    if province == "hainan" and workflow == "dibao":
        return [WorkflowPatch(
            "琼民规〔2099〕1号 五",
            add_transitions=(Transition("hold_review", ("investigating",), ""),
                             Transition("resume_review", ("investigating",), "")),
            add_deadlines=(DeadlineRule("hainan_review", "复核时限", ("start_investigation",),
                                        "hainan_review", stops=("approve", "reject"),
                                        pauses=("hold_review",), resumes=("resume_review",)),),
            add_parameters=(Parameter("hainan_review", "7d", "琼民规〔2099〕1号 五"),))]
'''


def test_m019_stores_each_pause_a_deadlines_basis_names_and_verify_finds_them_intact(
        install, tmp_path):
    """m019: each pause a deadline was resumed from (``pauses``), which a period counted again
    keeps; a database of m018 gets them from the words each resumption wrote in the basis.
    The plugin's 7-day review from Mon 9/14 → 9/21, paused 9/18, resumed 9/28 → 10/1, 国庆 →
    10/8: "2026-09-18/2026-09-28"; paused again Wed 9/30 (1 day left to 10/1), resumed Mon
    10/12 → Tue 10/13: a second pause, "…;2026-09-30/2026-10-12". A deadline never paused has
    none (NULL). verify then finds every case what its history gives."""
    install(PAUSING_PROVINCE)
    path = str(tmp_path / "m018.db")
    engine = Engine.open(path)
    engine.open_case(province="hainan", on=date(2026, 9, 10), case_id="H1")
    engine.fire("H1", "accept", on=date(2026, 9, 11))
    engine.fire("H1", "start_investigation", on=date(2026, 9, 14))
    for pause, resume in ((date(2026, 9, 18), date(2026, 9, 28)),
                          (date(2026, 9, 30), date(2026, 10, 12))):
        engine.fire("H1", "hold_review", on=pause)
        engine.fire("H1", "resume_review", on=resume)
    engine.close()
    db = sqlite_utils.Database(path)
    review = "select case_id, due_on, pauses from deadlines where rule = 'hainan_review'"
    both = "2026-09-18/2026-09-28;2026-09-30/2026-10-12"
    assert db.execute(review).fetchall() == [("H1", "2026-10-13", both)]
    assert {row[0] for row in db.execute("select pauses from deadlines where rule != "
                                         "'hainan_review'")} == {None}
    # As the version before m019 left it: no column.
    db.execute("delete from _sqlite_migrations where name = 'm019_deadline_pauses'")
    db.execute("alter table deadlines drop column pauses")
    db.conn.commit()
    db.close()

    from helpers import run
    result = run(path, "audit", "verify")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(path)
    assert sorted(m.name for m in migrations.applied(db)) == ALL_MIGRATIONS
    assert db.execute(review).fetchall() == [("H1", "2026-10-13", both)]


def test_m013_stores_the_last_day_each_deadlines_basis_names_and_verify_finds_them_intact(
        install, tmp_path):
    """m013: the period's last day where 第203条 moved a deadline's due date off it
    (``moved_from``), which a resumed deadline counts its time left to. A database of m012
    gets it from each deadline's basis: after a resumption, from the resumed count's words
    only; verify then finds every chain intact and its deadlines what their history gives.
    A deadline an older doudi resumed counting to the moved due date is named, with the
    upgrade as a cause, and recompute moves it.

    A plugin's 7-day review (民法典 第201条, 第203条), from start_investigation, paused by
    hold_review, resumed by resume_review (2026: 国庆 10/1–10/7 off, 10/10 (Sat) worked):
    H1 from Mon 9/14 → 9/21; paused 9/18 (3 left), resumed 9/28 → 10/1, 国庆 → 10/8, moved
    from 10/1. H2 from Mon 9/28 → 10/5, 国庆 → 10/8, moved from 10/5. H3 from 9/28 (→ 10/8
    from 10/5), paused Wed 9/30 (5 left to 10/5), resumed Thu 10/8: 10/9 … 10/13 → Tue 10/13,
    a working day: moved from nothing, though its basis names 10/5 before the resumption.
    H4 as H3, resumed Mon 10/12: 10/13 … 10/17, Sat → Mon 10/19; the version before counted
    8 days to 10/8: 10/20."""
    install(PAUSING_PROVINCE)
    path = str(tmp_path / "m012.db")
    engine = Engine.open(path)
    for case_id, start, pause, resume in [
            ("H1", date(2026, 9, 14), date(2026, 9, 18), date(2026, 9, 28)),
            ("H2", date(2026, 9, 28), None, None),
            ("H3", date(2026, 9, 28), date(2026, 9, 30), date(2026, 10, 8)),
            ("H4", date(2026, 9, 28), date(2026, 9, 30), date(2026, 10, 12))]:
        engine.open_case(province="hainan", on=date(2026, 9, 10), case_id=case_id)
        engine.fire(case_id, "accept", on=date(2026, 9, 11))
        engine.fire(case_id, "start_investigation", on=start)
        if pause:
            engine.fire(case_id, "hold_review", on=pause)
            engine.fire(case_id, "resume_review", on=resume)
    engine.close()
    db = sqlite_utils.Database(path)
    review = "select case_id, due_on, moved_from from deadlines where rule = 'hainan_review' " \
             "order by case_id"
    assert db.execute(review).fetchall() == [
        ("H1", "2026-10-08", "2026-10-01"), ("H2", "2026-10-08", "2026-10-05"),
        ("H3", "2026-10-13", None), ("H4", "2026-10-19", "2026-10-17")]
    # (by name: a column dropped and added again below comes after those added since)
    every = (f"select {', '.join(r[1] for r in db.execute('pragma table_info(deadlines)'))} "
             "from deadlines order by id")
    stored = db.execute(every).fetchall()
    assert {row[0] for row in db.execute("select moved_from from deadlines where rule != "
                                         "'hainan_review'")} == {None}  # (working days)
    # As the version before m013 left it: no column, and H4 resumed by its count.
    db.execute("delete from _sqlite_migrations where name = 'm013_deadline_moved_from'")
    db.execute("alter table deadlines drop column moved_from")
    db.execute("update deadlines set due_on = '2026-10-20', computation = replace(computation, "
               "'；期间最后一日2026-10-17为休息日（周六），顺延至2026-10-19', '') "
               "where case_id = 'H4' and rule = 'hainan_review'")
    db.conn.commit()
    db.close()

    from helpers import run
    result = run(path, "audit", "verify")
    assert result.exit_code == 1
    old_basis = ("《民法典》第201条、第203条：起算日2026-09-28不计入，计7日；期间最后一日2026-10-05"
                 "为休息日（国庆节），顺延至2026-10-08；2026-09-30中止，2026-10-12恢复，到期日顺延")
    assert result.stdout.splitlines() == [
        f"case H4: event seq 5 missing, or the case altered: deadline hainan_review #1 differs: "
        f"due_on 2026-10-20 (its history gives 2026-10-19), computation '{old_basis}' (its "
        f"history gives '{old_basis}；期间最后一日2026-10-17为休息日（周六），顺延至2026-10-19'), "
        f"moved_from None (its history gives 2026-10-17); if calendar data or a parameter "
        f"changed since, or doudi was upgraded, `doudi recompute` records that instead"]
    db = sqlite_utils.Database(path)
    # (m013 applied again, after the steps since: every step, in its own order)
    assert sorted(m.name for m in migrations.applied(db)) == ALL_MIGRATIONS
    assert db.execute(review).fetchall() == [
        ("H1", "2026-10-08", "2026-10-01"), ("H2", "2026-10-08", "2026-10-05"),
        ("H3", "2026-10-13", None), ("H4", "2026-10-20", None)]
    result = run(path, "recompute")
    assert result.exit_code == 0, result.output
    assert "1 due date moved in 1 of 4 cases" in result.output
    assert db.execute(every).fetchall() == stored
    result = run(path, "audit", "verify")
    assert result.exit_code == 0, result.output
