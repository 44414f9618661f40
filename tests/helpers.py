"""Plain helpers shared by the test modules: ``from helpers import …`` (pytest puts tests/ on
sys.path). The shared fixtures are in conftest.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import cli
from engine.errors import EventRefused

#: The province the throwaway plugins of the ``install`` fixture (conftest.py) register, and
#: how an error names that plugin.
PROVINCE = '''
from engine import Document, Province, hookimpl

@hookimpl
def doudi_register_provinces(register):
    register(Province("hainan", "海南省", (Document("琼民规〔2099〕1号", "测试文件", None, "draft"),)))
'''
NAMED = "plugin 'broken' (doudi_broken 1.0)"


def as_before_m018(conn):
    """The sanctions' and links' append-only triggers dropped, and m018 not yet applied: a
    database as a doudi of m017 left it (opened again, it gets them). Not committed."""
    from engine.schema import MIGRATIONS_TABLE

    for table in ("sanctions", "links"):
        for action in ("update", "delete"):
            conn.execute(f"drop trigger {table}_append_only_{action}")
    conn.execute(f"delete from [{MIGRATIONS_TABLE}] where name = 'm018_sanction_and_link_triggers'")

def put_back_triggers(conn):
    """What someone editing a database with sqlite3 does to cover it: put back the triggers
    dropped to edit it (``audit verify`` names one that is gone or changed)."""
    from engine.integrity import TRIGGERS
    from engine.schema import LINK_TRIGGERS, LOCAL_PARAMETER_TRIGGERS, SANCTION_TRIGGERS, VOID_TRIGGERS

    for trigger in (*TRIGGERS, *LOCAL_PARAMETER_TRIGGERS, *VOID_TRIGGERS, *SANCTION_TRIGGERS,
                    *LINK_TRIGGERS):
        conn.execute(trigger)


def run(db_path, *args, env=None, input=None):
    """``doudi ARGS --db DB_PATH`` through click's test runner (``input``: its stdin)."""
    return CliRunner().invoke(cli, [*args, "--db", db_path], env=env, input=input)


def tianjin_case_in_publicity(db, accepted_on: str = "2026-03-03") -> str:
    """A 天津 dibao case opened 2026-03-02 through the CLI and driven to its 公示 (accepted on
    ``accepted_on``, then 03-04 … 03-09): its id."""
    opened = run(db, "case", "open", "--province", "tianjin", "--on", "2026-03-02")
    assert opened.exit_code == 0, opened.output
    case_id = opened.stdout.strip()
    for event, on in [("accept", accepted_on), ("start_investigation", "2026-03-04"),
                      ("request_verification", "2026-03-05"),
                      ("start_verification", "2026-03-06"), ("post_publicity", "2026-03-09")]:
        fired = run(db, "case", "fire", case_id, event, "--on", on)
        assert fired.exit_code == 0, fired.output
    return case_id


def error_line(result, starts_with=None):
    """The single line a failed command wrote on stderr (no traceback); with ``starts_with``
    it must also begin with that text."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    if starts_with is not None:
        assert lines[0].startswith(starts_with)
    assert "Traceback" not in result.output
    return lines[0]


def by_rule(view):
    """Deadline views of a case view (or list of views) keyed by rule (last instance wins)."""
    views = view.deadlines if hasattr(view, "deadlines") else view
    return {d.deadline.rule: d for d in views}


def snapshot(engine, case_id):
    """What a refused event must leave unchanged: state, attributes, last event date, history
    length and the stored deadlines."""
    case = engine.store.case(case_id)
    return (case.state, case.attributes, case.last_event_on, len(engine.store.history(case_id)),
            [d.to_row(case_id) for d in engine.store.deadlines(case_id)])


def paid(view):
    """The (month, amount) pairs of a benefit case view's payments."""
    return [(p.month, p.amount) for p in view.payments]


def dump(engine):
    """The whole database as SQL, read through the engine's own connection."""
    return list(engine.store.db.conn.iterdump())


def dump_file(path):
    """The whole database at ``path`` as SQL, read through a fresh connection."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def refused_everywhere(engine, db_path, case_id, event, on, error=EventRefused, exit_code=1,
                       match=None, reason=None, payload=None):
    """Fire through the API and the CLI; both refuse and neither writes anything."""
    before = snapshot(engine, case_id)
    dumped = dump_file(db_path)
    with pytest.raises(error, match=match):
        engine.fire(case_id, event, on=on, payload=payload, reason=reason)
    assert snapshot(engine, case_id) == before
    args = ["case", "fire", case_id, event, "--on", on.isoformat()]
    if reason is not None:
        args += ["--reason", reason]
    for key, value in (payload or {}).items():
        args += ["--set", f"{key}={value}"]
    result = run(db_path, *args)
    assert result.exit_code == exit_code, result.output
    line = error_line(result, starts_with="Error: ")
    assert result.stdout == ""
    assert dump_file(db_path) == dumped
    assert snapshot(engine, case_id) == before
    return line


def failing_on_call(number, real, error):
    """A stand-in for the method ``real`` that raises ``error`` on its ``number``-th call
    (Ctrl-C, a locked database in the middle of a batched command) and otherwise calls it."""
    calls = []

    def stand_in(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise error
        return real(self, *args, **kwargs)

    return stand_in


def interrupted_as_committed(monkeypatch, number):
    """Ctrl-C raised as the ``number``-th transaction's COMMIT returns (a batch's: Store.commit
    outside a transaction, or a write_transaction's block): Python raises a signal at its
    first check after a call returns, COMMIT's included, so the batch is in though the
    command is interrupted before it counts it."""
    from engine.store import Store, _WriteTransaction

    commits = []

    def interrupt_on_the_number_th() -> None:
        commits.append(1)
        if len(commits) == number:
            raise KeyboardInterrupt

    real_commit, real_exit = Store.commit, _WriteTransaction.__exit__

    def commit(store, changes):
        outer = not store.db.conn.in_transaction
        real_commit(store, changes)
        if outer:
            interrupt_on_the_number_th()

    def exit_(block, kind, exc, traceback):
        outer = block.savepoint is None and kind is None
        result = real_exit(block, kind, exc, traceback)
        if outer:
            interrupt_on_the_number_th()
        return result

    monkeypatch.setattr(Store, "commit", commit)
    monkeypatch.setattr(_WriteTransaction, "__exit__", exit_)


def held_once_after(monkeypatch, written_sql):
    """Store's writes (commit, and _begin for a write_transaction) made to find the database
    held by another writer (the wait, 10 s, made short) once ``written_sql`` (a count) finds
    something written: a batched command's later batch stopped by a Busy, as a real second
    writer stops it. Returns the holders' list, for the test to close them."""
    import sqlite3

    from engine.store import Store

    holders = []

    def held_after(real):
        def write(store, *args):
            if (not holders and not store.db.conn.in_transaction
                    and store.db.execute(written_sql).fetchone()[0]):
                store.db.execute("PRAGMA busy_timeout = 50")
                holder = sqlite3.connect(store.path, isolation_level=None)
                holder.execute("BEGIN IMMEDIATE")
                holders.append(holder)
            return real(store, *args)
        return write

    for name in ("_begin", "commit"):
        monkeypatch.setattr(Store, name, held_after(getattr(Store, name)))
    return holders


def doudi_with_closed(fd: int, *args: str):
    """``doudi ARGS`` started with file descriptor ``fd`` closed (``<&-``, ``2>&-``: a daemon
    or cron job without it): Python's sys.stdin or sys.stderr is None then."""
    streams = {0: "stdin", 1: "stdout", 2: "stderr"}
    others = {streams[n]: subprocess.PIPE for n in (1, 2) if n != fd}
    return subprocess.run([sys.executable, "-c", "from engine.launch import main; main()", *args],
                          text=True, timeout=60, preexec_fn=lambda: os.close(fd), **others)


def hashed_again(conn):
    """The county settings' chains (and their set-asides') worked out again over what the
    rows hold now, as migration m016 hashed the rows stored before it: a row stored so by an
    older doudi (a NaN taken before 2026-11-23, a rule added since), or edited by someone
    who also worked the hashes out again. Puts back the triggers, as :func:`put_back_triggers`."""
    from engine.integrity import SETTING_HASHED, VOID_HASHED
    from engine.schema import hash_table

    conn.row_factory = None
    for table, columns in (("local_parameters", SETTING_HASHED),
                           ("local_parameter_voids", VOID_HASHED)):
        conn.execute(f"drop trigger if exists {table}_append_only_update")
        hash_table(conn, table, columns)
    put_back_triggers(conn)


class FullAtCommit:
    """A store's connection whose ``number``-th COMMIT (and each after it, while ``full``)
    fails as on a full disk, before SQLite runs it: the transaction is left open, as SQLite
    documents a COMMIT failing with SQLITE_FULL may leave it. ``said``: SQLite's words of the
    failure (``"database is locked"``: a COMMIT that could not get its lock, SQLITE_BUSY,
    which leaves it open too). Everything else is the real connection's."""

    def __init__(self, conn, number: int, said: str = "database or disk is full") -> None:
        self.conn, self.number, self.commits, self.full = conn, number, 0, True
        self.said = said

    def execute(self, sql, *args):
        if sql == "COMMIT":
            self.commits += 1
            if self.full and self.commits >= self.number:
                import sqlite3

                raise sqlite3.OperationalError(self.said)
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)


def full_at_commit(monkeypatch, number: int, said: str = "database or disk is full"
                   ) -> list[FullAtCommit]:
    """Every Store opened from now on (the CLI's too) on a :class:`FullAtCommit` connection
    whose ``number``-th COMMIT after opening finds the disk full (or fails as ``said``);
    returns them, as opened."""
    from engine.store import Store

    real_open = Store.open.__func__
    wrapped: list[FullAtCommit] = []

    def open_(cls, *args, **kwargs):
        store = real_open(cls, *args, **kwargs)
        wrapped.append(FullAtCommit(store.db.conn, number, said))
        store.db.conn = wrapped[-1]
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_))
    return wrapped


def damage_events_page(db: str) -> bytes:
    """A case "c1" opened, then the first page of the events table overwritten at its header
    (no b-tree page SQLite can read): the file opens, its schema is read, and a command that
    reads the events finds it damaged. Gives the file as it was before the damage."""
    engine = Engine.open(db)
    engine.open_case(province="shanxi", on=date(2026, 3, 2), case_id="c1")
    engine.close()
    with sqlite3.connect(db) as conn:
        page_size, = conn.execute("pragma page_size").fetchone()
        root, = conn.execute("select rootpage from sqlite_master where name = 'events'").fetchone()
    conn.close()
    with open(db, "rb") as file:
        whole = file.read()
    with open(db, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * 64)
    return whole


def phasing_out(api: Engine, households: int) -> list[str]:
    """天津 benefit cases (900 a month from 2026-04) whose income was recorded over the
    standard on 2026-05-15: phasing out June … November (津民发〔2023〕13号 一(三)); the
    phase-out ends by itself on 2026-12-01."""
    ids = []
    for _ in range(households):
        case = api.open_case(province="tianjin", workflow="benefit", on=date(2026, 3, 2),
                             attributes={"amount": 900, "paid_from": "2026-04"})
        api.fire(case.id, "income_exceeds", on=date(2026, 5, 15),
                 payload={"per_capita_income": 1300, "standard": 1100})
        ids.append(case.id)
    return ids
