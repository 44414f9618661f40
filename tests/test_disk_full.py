"""A full disk: a write that finds it is rolled back whole, said in one line naming the file
(DiskFull), and the engine writes again once space is freed. SQLite documents that a COMMIT
failing with SQLITE_FULL may leave its transaction open; an engine kept open by a platform
was then stuck ("cannot start a transaction within a transaction")."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from engine import DiskFull, DoudiError, Engine
from helpers import as_before_m018, error_line, full_at_commit, run


def _events(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("select count(*) from events").fetchone()[0]
    finally:
        conn.close()


def test_a_commit_that_finds_the_disk_full_keeps_nothing_and_the_engine_writes_again(
        tmp_path, monkeypatch):
    path = str(tmp_path / "d.db")
    case_id = Engine.open(path).open_case(province="shanxi", on=date(2026, 3, 2)).id
    wrapped = full_at_commit(monkeypatch, 1)
    engine = Engine.open(path)
    [conn] = wrapped
    with pytest.raises(DiskFull) as full:
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
    assert str(full.value) == (f"{path}: the disk is full (SQLite: database or disk is full): "
                               "nothing written; free space and try again")
    assert isinstance(full.value, DoudiError) and isinstance(full.value, sqlite3.OperationalError)
    assert full.value.exit_code == 1
    # (was still open: the next write failed, "cannot start a transaction within a transaction")
    assert not conn.conn.in_transaction
    assert _events(path) == 1
    with pytest.raises(DiskFull):  # a county setting commits through write_transaction
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 测试 第1条",
                             date(2026, 1, 5))
    assert not conn.conn.in_transaction
    conn.full = False  # space freed
    engine.fire(case_id, "accept", on=date(2026, 3, 3))
    engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 测试 第1条",
                         date(2026, 1, 5))
    again = Engine.open(path)
    assert [e.event for e in again.store.history(case_id)] == ["open", "accept"]
    assert len(again.parameter_settings()) == 1


def test_an_import_that_fills_the_disk_keeps_its_earlier_batches_and_finishes_when_run_again(
        tmp_path):
    # The file at its max_page_count: SQLite's own SQLITE_FULL, from the batch's inserts.
    path = str(tmp_path / "d.db")
    lines = []
    for n in range(300):
        lines.append({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": f"C{n}"})
        lines.append({"op": "fire", "case_id": f"C{n}", "event": "accept", "on": "2026-03-03"})
    text = [json.dumps(line) for line in lines]
    engine = Engine.open(path)
    pages = engine.store.db.execute("PRAGMA page_count").fetchone()[0]
    engine.store.db.execute(f"PRAGMA max_page_count = {pages + 40}")
    with pytest.raises(DiskFull) as full:
        engine.import_lines(text, batch=50)
    stopped = full.value
    kept = stopped.written
    assert 0 < kept < len(lines) and kept % 50 == 0 and stopped.line == kept + 1
    assert str(stopped) == (
        f"line {kept + 1}: {path}: the disk is full (SQLite: database or disk is full); import "
        f"stopped: nothing from this line's batch written, {kept} lines from earlier batches "
        "kept; free space on that disk (or move the database) and run the import again: the "
        "lines already in are not added twice")
    assert not engine.store.db.conn.in_transaction
    assert _events(path) == kept  # (each line one event: the earlier batches, whole)
    engine.store.db.execute("PRAGMA max_page_count = 1000000")  # space freed
    again = engine.import_lines(text, batch=50)
    assert (again.events, again.already) == (len(lines) - kept, kept)


def test_a_single_write_on_a_full_disk_is_one_line_and_writes_nothing(db, monkeypatch):
    engine = Engine.open(db)
    case_id = engine.open_case(province="shanxi", on=date(2026, 3, 2)).id
    engine.close()
    full_at_commit(monkeypatch, 1)
    for args in (["case", "fire", case_id, "accept", "--on", "2026-03-03"],
                 ["parameter", "set", "investigation_start", "2wd", "--province", "shanxi",
                  "--county", "甲县", "--basis", "甲县〔2026〕1号", "--on", "2026-01-05"]):
        result = run(db, *args)
        assert result.exit_code == 1, result.output
        assert error_line(result) == (f"Error: {db}: the disk is full (SQLite: database or disk "
                                      "is full): nothing written; free space and try again")
    monkeypatch.undo()
    assert _events(db) == 1
    assert Engine.open(db).parameter_settings() == []


def test_a_commit_that_finds_the_database_locked_is_busy_and_the_engine_writes_again(
        tmp_path, monkeypatch):
    """A COMMIT that cannot get its lock (SQLITE_BUSY: a reader of the rollback journal, a
    checkpoint; SQLite leaves the transaction open, to be tried again) was rolled back but
    reached the caller as the bare sqlite3 error, "database error: database is locked" on the
    command line, where BEGIN's is Busy. Now Busy alike, for an event (Store.commit), a county
    setting (write_transaction) and an import's batch."""
    from engine import Busy

    path = str(tmp_path / "d.db")
    case_id = Engine.open(path).open_case(province="shanxi", on=date(2026, 3, 2)).id
    wrapped = full_at_commit(monkeypatch, 1, said="database is locked")
    engine = Engine.open(path)
    [conn] = wrapped
    said = ("another writer held the database past the wait (database is locked): nothing "
            "written; try again")
    with pytest.raises(Busy) as held:
        engine.fire(case_id, "accept", on=date(2026, 3, 3))
    assert str(held.value) == said and held.value.exit_code == 1
    assert not conn.conn.in_transaction
    with pytest.raises(Busy) as held:
        engine.set_parameter("shanxi", "甲县", "investigation_start", "2wd", "甲县民政局 测试 第1条",
                             date(2026, 1, 5))
    assert str(held.value) == said
    assert not conn.conn.in_transaction
    lines = [json.dumps({"op": "fire", "case_id": case_id, "event": "accept", "on": "2026-03-03"})]
    with pytest.raises(Busy) as held:
        engine.import_lines(lines)
    assert str(held.value) == (
        "line 1: another writer held the database past the wait (database is locked); import "
        "stopped: nothing is imported; run the import again")
    assert not conn.conn.in_transaction
    assert _events(path) == 1
    conn.full = False  # the lock free again
    engine.fire(case_id, "accept", on=date(2026, 3, 3))
    assert [e.event for e in Engine.open(path).store.history(case_id)] == ["open", "accept"]
    monkeypatch.undo()
    result = run(path, "case", "fire", case_id, "start_investigation", "--on", "2026-03-04")
    assert result.exit_code == 0, result.output


def test_a_single_write_whose_commit_finds_the_database_locked_is_one_line(db, monkeypatch):
    engine = Engine.open(db)
    case_id = engine.open_case(province="shanxi", on=date(2026, 3, 2)).id
    engine.close()
    full_at_commit(monkeypatch, 1, said="database is locked")
    result = run(db, "case", "fire", case_id, "accept", "--on", "2026-03-03")
    assert result.exit_code == 1, result.output
    assert error_line(result) == ("Error: another writer held the database past the wait "
                                  "(database is locked): nothing written; try again")
    monkeypatch.undo()
    assert _events(db) == 1


def test_a_database_made_or_upgraded_on_a_full_disk_is_disk_full_and_nothing_is_left(
        tmp_path, monkeypatch):
    """The schema's steps finding the disk full (a new database, or an older doudi's opened):
    a new one was the bare sqlite3 error from Engine.open, and the CLI said "FILE: the
    database cannot be opened (database or disk is full)" of both, where every other write
    is DiskFull; the upgrade is rolled back whole and no new file is left."""
    import os

    from engine.schema import MIGRATIONS_TABLE, migrations

    real_apply = migrations.apply

    def on_a_full_disk(db):
        real_apply(db)  # (its steps written, in the transaction the COMMIT never ends)
        raise sqlite3.OperationalError("database or disk is full")

    said = "the disk is full (SQLite: database or disk is full): nothing written; free space and try again"
    new = str(tmp_path / "new.db")
    monkeypatch.setattr(migrations, "apply", on_a_full_disk)
    with pytest.raises(DiskFull) as full:
        Engine.open(new)
    assert str(full.value) == f"{new}: {said}"
    assert os.listdir(tmp_path) == []
    result = run(new, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert result.exit_code == 1, result.output
    assert error_line(result) == f"Error: {new}: {said}"
    assert os.listdir(tmp_path) == []
    monkeypatch.undo()

    old = str(tmp_path / "old.db")  # (as a doudi before m018 left it)
    Engine.open(old).close()
    conn = sqlite3.connect(old)
    as_before_m018(conn)
    conn.commit()
    conn.close()
    monkeypatch.setattr(migrations, "apply", on_a_full_disk)
    with pytest.raises(DiskFull) as full:
        Engine.open(old)
    assert str(full.value) == f"{old}: {said}"
    result = run(old, "case", "open", "--province", "shanxi", "--on", "2026-03-02")
    assert error_line(result) == f"Error: {old}: {said}"
    monkeypatch.undo()
    conn = sqlite3.connect(old)
    assert conn.execute(f"select count(*) from [{MIGRATIONS_TABLE}] where name = "
                        "'m018_sanction_and_link_triggers'").fetchone()[0] == 0  # (rolled back)
    conn.close()
    assert Engine.open(old).store.removed_safeguards() == []  # (space freed: upgraded)


def test_only_sqlite_s_full_disk_is_taken_for_one_not_an_error_quoting_those_words():
    """disk_full took any error whose message held "database or disk is full" for one: SQLite
    quotes text it was given in some (a JSON path, as a case's attribute name may make one),
    which a write would then have called a full disk. Its code says: SQLITE_ERROR there."""
    from engine.errors import disk_full

    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as quoted:
        conn.execute("select json_extract('{}', ?)", ["database or disk is full"])
    assert "database or disk is full" in str(quoted.value)
    assert not disk_full(quoted.value)
    conn.execute("create table t (x)")
    conn.execute("PRAGMA max_page_count = 2")  # (the file at its limit: SQLite's own SQLITE_FULL)
    with pytest.raises(sqlite3.OperationalError) as full:
        conn.execute("insert into t values (zeroblob(100000))")
    assert full.value.sqlite_errorcode == sqlite3.SQLITE_FULL and disk_full(full.value)
    assert disk_full(sqlite3.OperationalError("database or disk is full"))  # (no code: its words)
    conn.close()


def test_disk_full_keeps_sqlite_s_code_as_the_error_it_replaces_had(tmp_path):
    """DiskFull is a sqlite3.OperationalError so that a platform's handler of those catches
    it as before; one that asked it for SQLite's code (``exc.sqlite_errorcode ==
    sqlite3.SQLITE_FULL``) got AttributeError, the attribute lost with SQLite's error. The
    file at its max_page_count: SQLite's own SQLITE_FULL, for one event and for an import."""
    path = str(tmp_path / "d.db")
    engine = Engine.open(path)
    pages = engine.store.db.execute("PRAGMA page_count").fetchone()[0]
    engine.store.db.execute(f"PRAGMA max_page_count = {pages + 30}")
    with pytest.raises(DiskFull) as full:
        for n in range(1000):
            engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id=f"C{n}",
                             attributes={"note": "x" * 2000})
    assert (full.value.sqlite_errorcode, full.value.sqlite_errorname) == (
        sqlite3.SQLITE_FULL, "SQLITE_FULL")
    lines = [json.dumps({"op": "open", "province": "shanxi", "on": "2026-03-02", "id": f"D{n}",
                         "attributes": {"note": "x" * 2000}}) for n in range(50)]
    with pytest.raises(DiskFull) as full:
        engine.import_lines(lines, batch=10)
    assert (full.value.sqlite_errorcode, full.value.sqlite_errorname) == (
        sqlite3.SQLITE_FULL, "SQLITE_FULL")
