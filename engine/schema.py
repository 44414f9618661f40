"""The database's tables, as ``sqlite_utils.Migrations`` steps applied when a database is opened.

Each step is applied once, in order, and recorded in the database; a step is never changed
once released (a database upgraded by it would not be upgraded again), so a change of the
schema is a new step.
"""
# (db[name] is a table in every step: sqlite-utils types it Table | View, a view having no
# create, create_index, add_column nor insert)
# mypy: disable-error-code="union-attr"

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Sequence

import sqlite_utils

from engine.case_numbers import split_number
from engine.integrity import (
    GENESIS,
    LINK_HASHED,
    SANCTION_HASHED,
    SETTING_HASHED,
    TRIGGERS,
    VOID_HASHED,
    chained,
    event_hash,
)

migrations = sqlite_utils.Migrations("doudi")
MIGRATIONS_TABLE = migrations.migrations_table

#: Bytes a page of a new database holds (SQLite's default is 4,096). An event changes about
#: eleven pages (its row, the case's, the deadlines' and their indexes), each written whole
#: to the log at its commit and again at the checkpoint: at 4,096 bytes a ``fire`` wrote
#: 40 KB to the log, at 2,048 it writes 22 KB, and SQLite checksums and copies half as much
#: (fire −4 % instructions, the import +0.4 %). Rows up to 2,013 bytes and index keys up to
#: 487 stay on their page. A database that has pages keeps its own size: SQLite cannot
#: change it in WAL mode, and every size works alike.
PAGE_SIZE = 2048


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["cases"].create(
        {
            "id": str,
            "province": str,
            "workflow": str,
            "county": str,
            "state": str,
            "attributes": str,
            "opened_on": str,
            "last_event_on": str,
            "created_at": str,
        },
        pk="id",
    )
    db["cases"].create_index(["province", "workflow"])
    db["events"].create(
        {
            "id": int,
            "case_id": str,
            "seq": int,
            "event": str,
            "on": str,
            "recorded_at": str,
            "actor": str,
            "payload": str,
            "reason": str,
            "from_state": str,
            "to_state": str,
        },
        pk="id",
        foreign_keys=[("case_id", "cases", "id")],
    )
    db["events"].create_index(["case_id", "seq"], unique=True)
    db["deadlines"].create(
        {
            "id": int,
            "case_id": str,
            "rule": str,
            "instance": int,
            "title": str,
            "severity": str,
            "kind": str,
            "starts_on": str,
            "duration": str,
            "due_on": str,
            "citation": str,
            "computation": str,
            "provisional": int,
            "param": str,
            "stopped_on": str,
            "stop_event": str,
            "outcome": str,
            "extended_by": str,
            "paused_on": str,
        },
        pk="id",
        foreign_keys=[("case_id", "cases", "id")],
    )
    db["deadlines"].create_index(["case_id"])
    db["deadlines"].create_index(["outcome", "due_on"])


@migrations()
def m002_benefit(db: sqlite_utils.Database) -> None:
    """Linked cases, credit sanctions, and what each event's effects decided."""
    db["events"].add_column("derived", str)
    db["links"].create(
        {"case_id": str, "other_id": str, "relation": str, "on": str, "seq": int},
        pk=("case_id", "other_id", "relation"),
        foreign_keys=[("case_id", "cases", "id"), ("other_id", "cases", "id")],
    )
    db["sanctions"].create(
        {"id": int, "case_id": str, "seq": int, "kind": str, "on": str, "amount": float,
         "basis": str, "note": str},
        pk="id",
        foreign_keys=[("case_id", "cases", "id")],
    )
    db["sanctions"].create_index(["case_id"])
    db["sanctions"].create_index(["kind", "on"])


@migrations()
def m003_integrity(db: sqlite_utils.Database) -> None:
    """Case versions (optimistic concurrency), idempotency keys, corrections, the hash chain."""
    db["cases"].add_column("version", int, not_null_default=0)
    for column in ("idempotency_key", "hash", "prev_hash"):
        db["events"].add_column(column, str)
    db["events"].add_column("corrects", int)
    db.execute("create unique index if not exists events_idempotency_key "
               "on events (idempotency_key) where idempotency_key is not null")
    for (case_id,) in db.execute("select id from cases").fetchall():
        previous = GENESIS
        rows = db.execute("select * from events where case_id = ? order by seq", [case_id])
        columns = [c[0] for c in rows.description]
        for values in rows.fetchall():
            row = dict(zip(columns, values, strict=True))
            digest = event_hash(row, previous)
            db.execute("update events set hash = ?, prev_hash = ? where id = ?",
                       [digest, previous, row["id"]])
            previous = digest
    for trigger in TRIGGERS:
        db.execute(trigger)


@migrations()
def m004_report_indexes(db: sqlite_utils.Database) -> None:
    """Reports find the cases whose history runs past a date, and the running deadlines."""
    db["cases"].create_index(["last_event_on"], if_not_exists=True)
    db["cases"].create_index(["state"], if_not_exists=True)


@migrations()
def m005_running_duties_index(db: sqlite_utils.Database) -> None:
    """The report's candidate query: a 公示 window is never stopped, so (outcome, due_on)
    alone also spans every window ever posted; with ``kind`` the range is the duties only."""
    db["deadlines"].create_index(["outcome", "kind", "due_on"], if_not_exists=True)


@migrations()
def m006_case_numbers(db: sqlite_utils.Database) -> None:
    """The highest number used after each id prefix: numbering a new case reads one row
    instead of scanning every id (0.5 s per new case at a million cases)."""
    db["case_numbers"].create({"prefix": str, "highest": int}, pk="prefix")
    highest: dict[str, int] = {}
    for (case_id,) in db.execute("select id from cases"):
        split = split_number(case_id)
        if split is not None:
            highest[split[0]] = max(highest.get(split[0], 0), split[1])
    db["case_numbers"].insert_all({"prefix": p, "highest": n} for p, n in highest.items())



@migrations()
def m007_drop_outcome_due_on_index(db: sqlite_utils.Database) -> None:
    """(outcome, kind, due_on) answers every query (outcome, due_on) did; one index fewer to
    update with every deadline an event writes."""
    db.execute("drop index if exists idx_deadlines_outcome_due_on")


@migrations()
def m008_deadline_key_index(db: sqlite_utils.Database) -> None:
    """A deadline is found by (case_id, rule, instance), the key each event's UPDATE names:
    on (case_id) alone SQLite read every deadline of the case to find it, and a case's
    deadlines grow with its history (a re-check starts the next one). The new index also
    answers every query the old one did, so it replaces it; unique, as instances are
    numbered per rule."""
    db.execute("create unique index if not exists idx_deadlines_case_id_rule_instance "
               "on deadlines (case_id, rule, instance)")
    db.execute("drop index if exists idx_deadlines_case_id")


def append_only_triggers(table: str, refusal: str) -> tuple[str, ...]:
    """The triggers that refuse an UPDATE or DELETE of ``table``'s rows with ``refusal`` (as
    integrity.TRIGGERS the events'). Their text is compared with what the database stores
    (audit verify's removed safeguards): it must not change once released."""
    return tuple(
        f"create trigger if not exists {table}_append_only_{action} before {action} on "
        f"{table} begin select raise(abort, '{refusal}'); end" for action in ("update", "delete"))


#: The triggers that keep the county settings append-only.
LOCAL_PARAMETER_TRIGGERS = append_only_triggers(
    "local_parameters", "local parameters are append-only: record a new setting instead")


@migrations()
def m009_local_parameters(db: sqlite_utils.Database) -> None:
    """Parameters a county sets for itself (engine.local_parameters): appended, never
    changed, like the events they govern."""
    db["local_parameters"].create(
        {"id": int, "province": str, "county": str, "workflow": str, "name": str,
         "value": str, "citation": str, "on": str, "actor": str, "recorded_at": str},
        pk="id", not_null={"province", "county", "workflow", "name", "citation", "on"},
    )
    for trigger in LOCAL_PARAMETER_TRIGGERS:
        db.execute(trigger)


@migrations()
def m010_deadline_subject(db: sqlite_utils.Database) -> None:
    """Whom a deadline is about, where its rule tells overlapping ones apart (the member
    whose death a re-check follows); NULL for every deadline before."""
    db["deadlines"].add_column("subject", str)


@migrations()
def m011_case_state_date_index(db: sqlite_utils.Database) -> None:
    """One index on (state, last_event_on) in place of one on each: every event moves a
    case's entry in both (its date, and mostly its state, change), about 3.8 of the 12.6
    pages a commit wrote; in one index it moves once. The reports' searches by state (and
    date) use it as they used the state index; the search for the cases with an event after
    a date goes through it one state at a time (:func:`engine.store.later_than`)."""
    db.execute("create index if not exists idx_cases_state_last_event_on "
               "on cases (state, last_event_on)")
    db.execute("drop index if exists idx_cases_state")
    db.execute("drop index if exists idx_cases_last_event_on")


@migrations()
def m012_running_or_late_index(db: sqlite_utils.Database) -> None:
    """The report's candidates are the running deadlines and those stopped late or left
    undone: (outcome, kind, due_on) only for those. A deadline met on time (or cancelled)
    leaves the index instead of moving to another place in it, a page fewer for each, and
    the index loses most of its rows (the met ones)."""
    db.execute("create index if not exists idx_deadlines_running_or_late "
               "on deadlines (outcome, kind, due_on) "
               "where outcome is null or outcome = 'met_late' or outcome = 'unmet'")
    db.execute("drop index if exists idx_deadlines_outcome_kind_due_on")


#: The words a deadline's basis gives the last day 第203条 moved its due date off
#: (engine.periods.moved_phrase), the day in the group.
_MOVED = re.compile("；期间最后一日([0-9]{4}-[0-9]{2}-[0-9]{2})为休息日")
_RESUMED = "恢复，到期日顺延"  # (what a resumption adds to it: engine.deadlines._resumed)


@migrations()
def m013_deadline_moved_from(db: sqlite_utils.Database) -> None:
    """The period's last day, where 第203条 moved a deadline's due date off it (a resumed
    deadline counts the time it had left to that day, not to the due date). Each deadline's
    basis names it, as the version that wrote it worded it: the last resumption's words when
    it was resumed (the day its resumed count ended on), else its count's. The day cannot be
    worked out from the due date (any day off before it may have been the last), nor, once
    resumed, from the start and the period."""
    db["deadlines"].add_column("moved_from", str)
    rows = db.execute("select id, computation from deadlines where computation like ?",
                      ["%期间最后一日%为休息日%"]).fetchall()
    for deadline_id, computation in rows:
        moved = _MOVED.search(computation.rpartition(_RESUMED)[2])
        if moved is not None:
            db.execute("update deadlines set moved_from = ? where id = ?",
                       [moved.group(1), deadline_id])


#: The format of an import's key made from a line's content before m014: the line's hash
#: alone (``import:`` and 32 hex digits), with no case in it.
LEGACY_IMPORT_KEYS = "import:<hash>"


@migrations()
def m014_import_keys_by_case(db: sqlite_utils.Database) -> None:
    """An import's key made from a line's content now names the line's case first
    (engine.importer.parse_line), so that a case's keys lie together in their index, as its
    events do: the line's hash alone put each of a batch's keys on a page of its own, and a
    large import slowed as the index outgrew the memory kept for it (540,000 lines: 14,050
    lines/s over the first 60,000, 6,000-8,800 over the last). The key formats a database
    may hold besides: one holding any import key from before this step may hold the old
    format, by which a file imported again is then looked up too."""
    db["key_formats"].create({"format": str}, pk="format")
    if db.execute("select 1 from events where idempotency_key >= 'import:' "
                  "and idempotency_key < 'import;' limit 1").fetchone():
        db["key_formats"].insert({"format": LEGACY_IMPORT_KEYS})


#: The triggers that keep the set-asides of damaged county settings append-only.
VOID_TRIGGERS = append_only_triggers(
    "local_parameter_voids", "set-asides of county settings are append-only")


@migrations()
def m015_local_parameter_voids(db: sqlite_utils.Database) -> None:
    """A county setting row that cannot be read back, its place, parameter or date among what
    cannot (a date edited by hand to text that is no date, a blank county), has nothing a
    later setting could be recorded for: ``doudi parameter void`` sets it aside by its id,
    with the basis of doing so. Appended, never changed; the row set aside stays stored."""
    db["local_parameter_voids"].create(
        {"id": int, "setting": int, "citation": str, "actor": str, "recorded_at": str},
        pk="id", not_null={"setting", "citation"})
    for trigger in VOID_TRIGGERS:
        db.execute(trigger)


#: The rows :func:`hash_table` reads and hashes at a time.
_CHUNK = 1000


def hash_table(conn: sqlite3.Connection, table: str, columns: Sequence[str],
               order: str = "id") -> None:
    """Give every row of a chained ``table`` its ``hash`` and ``prev_hash`` over what it holds
    now (``columns``: :data:`engine.integrity.SETTING_HASHED` and the others), one chain in
    the order recorded (``order``: its id, or the links' rowid), as m016 and m017 hashed the
    rows stored before them; :data:`_CHUNK` rows at a time (held whole, as dicts, 200,000
    links took 135 MB more). The caller drops a trigger refusing UPDATE first."""
    previous, after, args = GENESIS, "", []  # type: ignore[var-annotated]  # (args: the last id)
    while True:
        rows = conn.execute(f"select {order} as [rowid], * from [{table}]{after} "
                            f"order by {order} limit {_CHUNK}", args)
        names = [c[0] for c in rows.description]
        stored = [dict(zip(names, values, strict=True)) for values in rows.fetchall()]
        if not stored:
            return
        previous = chained(stored, previous, columns)
        conn.executemany(f"update [{table}] set hash = ?, prev_hash = ? where rowid = ?",
                         [(row["hash"], row["prev_hash"], row["rowid"]) for row in stored])
        after, args = f" where {order} > ?", [stored[-1]["rowid"]]


@migrations()
def m016_setting_chains(db: sqlite_utils.Database) -> None:
    """The county settings and their set-asides are hash chains, each table one in the order
    recorded (engine.integrity.row_hash), as each case's events are: a row changed, deleted
    or renumbered by hand that still broke no rule went unseen. The rows stored before get
    their hashes here, over what they hold now: one changed before this step cannot be told.
    (The triggers refuse UPDATE: dropped for it, and made again as stored, so that one gone
    or changed before is still named by audit verify.)"""
    for table, columns in (("local_parameters", SETTING_HASHED),
                           ("local_parameter_voids", VOID_HASHED)):
        for column in ("hash", "prev_hash"):
            db[table].add_column(column, str)
        triggers = db.execute("select name, sql from sqlite_master where type = 'trigger' "
                              "and tbl_name = ?", [table]).fetchall()
        for name, _ in triggers:
            db.execute(f"drop trigger [{name}]")
        hash_table(db.conn, table, columns)
        for _, sql in triggers:
            db.execute(sql)


@migrations()
def m017_sanction_and_link_chains(db: sqlite_utils.Database) -> None:
    """The sanctions and the links between cases are hash chains, each table one in the order
    recorded (the sanctions' ids, the links' rowids), as the county settings are (m016): a
    repayment's amount changed, or a link deleted or added by hand, went unseen. The rows
    stored before get their hashes here, over what they hold now: one changed before this
    step cannot be told."""
    for table, columns, rowid in (("sanctions", SANCTION_HASHED, "id"),
                                  ("links", LINK_HASHED, "rowid")):
        for column in ("hash", "prev_hash"):
            db[table].add_column(column, str)
        hash_table(db.conn, table, columns, rowid)


#: The triggers that keep the sanctions and the links between cases append-only.
SANCTION_TRIGGERS = append_only_triggers("sanctions", "sanctions are append-only")
LINK_TRIGGERS = append_only_triggers("links", "links between cases are append-only")


@migrations()
def m018_sanction_and_link_triggers(db: sqlite_utils.Database) -> None:
    """The sanctions and the links between cases are append-only by trigger, as the events
    and the county settings are: since m017 a row edited or deleted by hand is named by audit
    verify, but the database took the edit. doudi only ever inserts their rows (m017, which
    hashed the rows stored before it, is the one UPDATE, and runs before this step)."""
    for trigger in (*SANCTION_TRIGGERS, *LINK_TRIGGERS):
        db.execute(trigger)


#: The words a resumption added to a deadline's basis (engine.deadlines._resumed): the day
#: it was paused, the day it resumed.
_RESUMPTION = re.compile("；([0-9]{4}-[0-9]{2}-[0-9]{2})中止，([0-9]{4}-[0-9]{2}-[0-9]{2})恢复，到期日顺延")


@migrations()
def m019_deadline_pauses(db: sqlite_utils.Database) -> None:
    """Each pause a deadline was resumed from, the day paused and the day resumed
    (``PAUSED/RESUMED``, joined by ``;``): a period counted again (an extension, a variant)
    keeps the time each added. They were read back from the words each resumption wrote in
    the deadline's computation, the one place its row kept them; those words give them here, for
    the deadlines stored before this step."""
    db["deadlines"].add_column("pauses", str)
    rows = db.execute("select id, computation from deadlines where computation like ?",
                      [f"%{_RESUMED}%"]).fetchall()
    for deadline_id, computation in rows:
        pauses = _RESUMPTION.findall(computation)
        if pauses:
            db.execute("update deadlines set pauses = ? where id = ?",
                       [";".join(f"{paused}/{resumed}" for paused, resumed in pauses),
                        deadline_id])


#: The triggers that keep the calendar year records a database holds append-only.
CALENDAR_YEAR_TRIGGERS = append_only_triggers(
    "calendar_years", "calendar years are append-only: a year is recorded once")


@migrations()
def m020_calendar_years(db: sqlite_utils.Database) -> None:
    """The official calendar's year records an operator adds to the database (``doudi
    calendar add``: a notice published after the doudi release in use), counted for its cases
    with the packaged ones (engine.calendar_years). Appended, never changed, and one hash
    chain in the order recorded, as the county settings are (``record``: the year's [[year]]
    table as TOML, as ``read_records`` reads it)."""
    db["calendar_years"].create(
        {"id": int, "year": int, "notice": str, "record": str, "actor": str,
         "recorded_at": str, "hash": str, "prev_hash": str},
        pk="id", not_null={"year", "notice", "record"})
    for trigger in CALENDAR_YEAR_TRIGGERS:
        db.execute(trigger)


#: The triggers that keep the set-asides of calendar year records append-only.
CALENDAR_YEAR_VOID_TRIGGERS = append_only_triggers(
    "calendar_year_voids", "set-asides of calendar years are append-only")


@migrations()
def m021_calendar_year_voids(db: sqlite_utils.Database) -> None:
    """A calendar year recorded wrongly (``doudi calendar add``: a day mistyped) is put right
    by setting its row aside (``doudi calendar void``), by its id, with the basis of doing
    so: the year is then counted as before it was added, and a corrected record can be
    added. Appended, never changed, one hash chain in the order recorded; the row set aside
    stays stored."""
    db["calendar_year_voids"].create(
        {"id": int, "calendar_year": int, "citation": str, "actor": str, "recorded_at": str,
         "hash": str, "prev_hash": str},
        pk="id", not_null={"calendar_year", "citation"})
    for trigger in CALENDAR_YEAR_VOID_TRIGGERS:
        db.execute(trigger)


def upgrade(db: sqlite_utils.Database) -> None:
    """Apply the pending migrations, all in one transaction under the write lock.

    Several processes may open a database of an older schema at once: each reads what is
    pending first, so without the lock two applied the same step (one then failed on its
    record, "UNIQUE constraint failed", or on a column already added), and one that had read
    before another's write failed at once with "database is locked". Under the lock what is
    pending is read again, so the second finds nothing left to do; and a step that fails
    leaves the database as it was, never half upgraded.
    """
    if not migrations.pending(db):  # (every open after the first: a read, no lock)
        return
    if db.conn.in_transaction:  # (a caller's transaction: its savepoints suffice)
        migrations.apply(db)
        return
    db.conn.execute("BEGIN IMMEDIATE")  # (waits for another writer up to busy_timeout)
    try:
        migrations.apply(db)
    except BaseException:
        db.rollback()
        raise
    try:
        db.conn.execute("COMMIT")
    except sqlite3.Error:  # (a full disk may leave it open: nothing of it is kept)
        db.rollback()
        raise


@functools.cache
def known_migrations() -> frozenset[str]:
    """The names of this version's migrations (all pending on an empty database)."""
    return frozenset(m.name for m in migrations.pending(sqlite_utils.Database(memory=True)))
