"""Case histories in SQLite through sqlite-utils: cases, an append-only event log, deadlines.

Schema changes are ``sqlite_utils.Migrations`` steps, applied when a database is opened. The
events table is the evidence: rows are only ever appended. ``cases`` and ``deadlines`` are
derived from it and rewritten with each event in the same transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

import attrs
import sqlite_utils
from attrs import define

from engine.deadlines import Deadline
from engine.effects import Sanction
from engine.errors import Conflict, DoudiError, InvalidInput
from engine.guards import HistoryEntry
from engine.integrity import GENESIS, TRIGGERS, event_hash

migrations = sqlite_utils.Migrations("doudi")


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


@define
class Change:
    """One case's part of an event: its new row, new history entries and derived rows."""

    case: CaseRecord
    entries: list[HistoryEntry]
    deadlines: list[Deadline]
    sanctions: list[tuple[int, Sanction]] = attrs.Factory(list)
    links: list[tuple[str, str, date, int]] = attrs.Factory(list)  # other id, relation, on, seq
    new_case: bool = False

    @property
    def version(self) -> int:
        """The case's version this change was computed from."""
        return self.case.version


@define
class CaseRecord:
    """A case as stored: its current state and attributes."""

    id: str
    province: str
    workflow: str
    county: str | None
    state: str
    attributes: dict[str, Any]
    opened_on: date
    last_event_on: date
    version: int = 0  # bumped by every write; a write over an older version is refused

    @classmethod
    def from_row(cls, row: Mapping) -> CaseRecord:
        return cls(
            id=row["id"],
            province=row["province"],
            workflow=row["workflow"],
            county=row["county"],
            state=row["state"],
            attributes=json.loads(row["attributes"]),
            opened_on=date.fromisoformat(row["opened_on"]),
            last_event_on=date.fromisoformat(row["last_event_on"]),
            version=row.get("version") or 0,
        )

    def to_row(self) -> dict:
        return {
            "id": self.id,
            "province": self.province,
            "workflow": self.workflow,
            "county": self.county,
            "state": self.state,
            "attributes": json.dumps(self.attributes, ensure_ascii=False, sort_keys=True),
            "opened_on": self.opened_on.isoformat(),
            "last_event_on": self.last_event_on.isoformat(),
        }


def _entry(row: Mapping) -> HistoryEntry:
    return HistoryEntry(
        seq=row["seq"],
        event=row["event"],
        on=date.fromisoformat(row["on"]),
        from_state=row["from_state"],
        to_state=row["to_state"],
        payload=json.loads(row["payload"] or "{}"),
        reason=row["reason"],
        derived=json.loads(row.get("derived") or "{}"),
        actor=row["actor"],
        key=row.get("idempotency_key"),
        corrects=row.get("corrects"),
    )


class Store:
    """The case database. Every write goes through :meth:`record`, one transaction each."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.db.execute("PRAGMA foreign_keys = ON")
        # Another writer holding the lock: wait for it rather than fail at once.
        self.db.execute("PRAGMA busy_timeout = 10000")
        # WAL: a commit is one append to the log; readers never block the writer.
        if self.db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            self.db.execute("PRAGMA journal_mode = WAL")
        migrations.apply(self.db)

    @classmethod
    def open(cls, path: str) -> Store:
        """Open (creating if needed) the doudi database at ``path``; refuse any other file."""
        if not path:
            raise InvalidInput("the database path is empty")
        if os.path.exists(path):
            check_database(path)
        return cls(sqlite_utils.Database(path))

    # -- reads ------------------------------------------------------------------------------

    def _rows(self, sql: str, args: list) -> list[dict]:
        # Plain SQL: sqlite-utils' rows_where() looks up the table list on every call.
        cursor = self.db.conn.execute(sql, args)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, values, strict=True)) for values in cursor]

    def case(self, case_id: str) -> CaseRecord | None:
        rows = list(self._rows("select * from [cases] where id = ?", [case_id]))
        return CaseRecord.from_row(rows[0]) if rows else None

    def cases(
        self,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
    ) -> Iterator[CaseRecord]:
        where, args = _filters(province=province, workflow=workflow, county=county)
        sql = "select * from cases" + (f" where {where}" if where else "") + " order by id"
        for row in self._rows(sql, args):
            yield CaseRecord.from_row(row)

    def history(self, case_id: str) -> list[HistoryEntry]:
        rows = self._rows("select * from [events] where case_id = ? order by seq", [case_id])
        return [_entry(r) for r in rows]

    def event_by_key(self, key: str) -> dict | None:
        """The event recorded with an idempotency key, if any."""
        rows = list(self._rows("select * from [events] where idempotency_key = ?", [key]))
        return rows[0] if rows else None

    def history_rows(self, case_id: str) -> list[dict]:
        return list(self._rows("select * from [events] where case_id = ? order by seq", [case_id]))

    def deadlines(self, case_id: str) -> list[Deadline]:
        rows = self._rows("select * from [deadlines] where case_id = ? order by id", [case_id])
        return [Deadline.from_row(r) for r in rows]

    def deadlines_by_case(
        self,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
    ) -> dict[str, list[Deadline]]:
        """Deadlines of every case matching the filters, in one query, by case id."""
        where, args = _filters(province=province, workflow=workflow, county=county)
        sql = "select d.* from deadlines d join cases c on c.id = d.case_id"
        if where:
            sql += " where " + " and ".join(f"c.{clause}" for clause in where.split(" and "))
        result: dict[str, list[Deadline]] = {}
        cursor = self.db.execute(sql + " order by d.case_id, d.id", args)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            result.setdefault(row["case_id"], []).append(Deadline.from_row(row))
        return result

    def cases_where(
        self, condition: str, args: list, province: str | None = None,
        workflow: str | None = None, county: str | None = None,
    ) -> list[CaseRecord]:
        """Cases matching an SQL condition on ``cases`` and the usual filters."""
        where, filter_args = _filters(province=province, workflow=workflow, county=county)
        sql = f"select * from cases where ({condition})" + (f" and {where}" if where else "")
        return [CaseRecord.from_row(r) for r in self._rows(sql, [*args, *filter_args])]

    def report_candidates(
        self, as_of: date, statuses: Iterable[str], at_risk_until: date,
        province: str | None = None, workflow: str | None = None, county: str | None = None,
    ) -> dict[str, tuple[CaseRecord, list[Deadline]]]:
        """Stored deadlines that may have one of ``statuses`` on ``as_of``, by case.

        Only cases whose stored rows are current on ``as_of`` (no event after it); the
        caller judges each row exactly. The query reads the running or late deadlines only,
        so its cost follows the number of those, not the number of cases.
        """
        conditions, args = [], []
        if "breached" in statuses:
            conditions.append("(d.outcome is null and d.kind = 'duty' and d.due_on < ?)")
            args.append(as_of.isoformat())
        if "at_risk" in statuses:
            conditions.append("(d.outcome is null and d.kind = 'duty' and d.due_on >= ? "
                              "and d.due_on <= ?)")
            args += [as_of.isoformat(), at_risk_until.isoformat()]
        if "met_late" in statuses:
            conditions.append("(d.outcome = 'met_late' and d.stopped_on <= ?)")
            args.append(as_of.isoformat())
        if not conditions:
            return {}
        where, filter_args = _filters(province=province, workflow=workflow, county=county)
        sql = (
            "select d.*, c.id as c_id, c.province as c_province, c.workflow as c_workflow, "
            "c.county as c_county, c.state as c_state, c.attributes as c_attributes, "
            "c.opened_on as c_opened_on, c.last_event_on as c_last_event_on, "
            "c.version as c_version from deadlines d join cases c on c.id = d.case_id "
            f"where ({' or '.join(conditions)}) and c.last_event_on <= ?"
        )
        if where:
            sql += " and " + " and ".join(f"c.{clause}" for clause in where.split(" and "))
        found: dict[str, tuple[CaseRecord, list[Deadline]]] = {}
        for row in self._rows(sql + " order by d.case_id, d.id",
                              [*args, as_of.isoformat(), *filter_args]):
            if row["case_id"] not in found:
                case = CaseRecord.from_row({k[2:]: v for k, v in row.items()
                                            if k.startswith("c_")})
                found[row["case_id"]] = (case, [])
            found[row["case_id"]][1].append(Deadline.from_row(row))
        return found

    def next_case_number(self, prefix: str) -> int:
        """One more than the highest number used after ``prefix`` (ids given by hand count)."""
        highest = 0
        for (case_id,) in self.db.execute(
            "select id from cases where substr(id, 1, ?) = ?", [len(prefix), prefix]
        ):
            tail = case_id[len(prefix):]
            if tail.isdigit():
                highest = max(highest, int(tail))
        return highest + 1

    # -- the one write path -----------------------------------------------------------------

    def sanctions(self, case_id: str) -> list[Sanction]:
        rows = self._rows("select * from [sanctions] where case_id = ? order by id", [case_id])
        return [Sanction.from_row(r) for r in rows]

    def links(self, case_id: str) -> list[dict]:
        return list(self._rows("select * from [links] where case_id = ? order by seq", [case_id]))

    def sanction_rows(
        self,
        province: str | None = None,
        county: str | None = None,
        kind: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[dict]:
        """Sanctions with their case's province and county, filtered, oldest first."""
        clauses, args = [], []
        for column, value in (("c.province", province), ("c.county", county), ("s.kind", kind)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            clauses.append("s.[on] >= ?")
            args.append(since.isoformat())
        if until is not None:
            clauses.append("s.[on] <= ?")
            args.append(until.isoformat())
        sql = ("select s.case_id, c.province, c.county, c.workflow, s.kind, s.[on], s.amount, "
               "s.basis, s.note from sanctions s join cases c on c.id = s.case_id")
        if clauses:
            sql += " where " + " and ".join(clauses)
        cursor = self.db.execute(sql + " order by s.[on], s.case_id, s.id", args)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor]

    # -- the one write path -----------------------------------------------------------------

    def commit(self, changes: list[Change]) -> None:
        """Write every case's part of one event: all of it, or none of it."""
        with self.write_transaction():
            for change in changes:
                self._write(change)
            # Links last: a link may point at a case opened by the same event.
            _insert(self.db, "links", [
                {"case_id": change.case.id, "other_id": other, "relation": relation,
                 "on": on.isoformat(), "seq": seq}
                for change in changes
                for other, relation, on, seq in change.links
            ])

    @contextlib.contextmanager
    def write_transaction(self):
        """BEGIN IMMEDIATE: take the write lock first (waiting up to busy_timeout), so a
        transaction never starts reading a snapshot it then cannot upgrade to a write."""
        if self.db.conn.in_transaction:  # inside a caller's transaction (e.g. the demo)
            with self.db.atomic():
                yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.conn.execute("COMMIT")

    def _write(self, change: Change) -> None:
        # Plain SQL on the hot path: sqlite-utils' insert() introspects the table each call.
        case = change.case
        case_row = case.to_row()
        if change.new_case:
            if self.db.execute("select 1 from cases where id = ?", [case.id]).fetchone():
                raise Conflict(f"case {case.id} already exists")
            _insert(self.db, "cases", [{**case_row, "created_at": _now(), "version": 1}])
        else:
            # Optimistic concurrency: write only over the version the change was computed from.
            assignments = ", ".join(f"[{k}] = ?" for k in case_row if k != "id")
            values = [v for k, v in case_row.items() if k != "id"]
            cursor = self.db.execute(
                f"update cases set {assignments}, version = version + 1 "
                "where id = ? and version = ?", [*values, case.id, change.version])
            if cursor.rowcount != 1:
                raise Conflict(f"case {case.id} was changed by another writer meanwhile: "
                               "nothing written; reload it and try again")
        last = self.db.execute(
            "select hash from events where case_id = ? order by seq desc limit 1", [case.id]
        ).fetchone()
        previous = last[0] if last and last[0] else GENESIS
        rows = []
        for entry in change.entries:
            row = {
                "case_id": case.id,
                "seq": entry.seq,
                "event": entry.event,
                "on": entry.on.isoformat(),
                "recorded_at": _now(),
                "actor": entry.actor,
                "payload": _dumps(entry.payload),
                "reason": entry.reason,
                "from_state": entry.from_state,
                "to_state": entry.to_state,
                "derived": _dumps(entry.derived) if entry.derived else None,
                "idempotency_key": entry.key,
                "corrects": entry.corrects,
            }
            row["prev_hash"], row["hash"] = previous, event_hash(row, previous)
            previous = row["hash"]
            rows.append(row)
        _insert(self.db, "events", rows)
        self.db.execute("delete from deadlines where case_id = ?", [case.id])
        _insert(self.db, "deadlines", [d.to_row(case.id) for d in change.deadlines])
        _insert(self.db, "sanctions", [s.to_row(case.id, seq) for seq, s in change.sanctions])


def _dumps(value: Any) -> str:
    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, default=str,
                      allow_nan=False)


def check_database(db_path: str) -> None:
    """Refuse, before anything is written to it, a file that is not a doudi database: not an
    SQLite file at all, or another program's SQLite database (tables, but no ``cases``)."""
    try:
        conn = sqlite3.connect(db_path)
        try:
            tables = {name for (name,) in
                      conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return  # locked, read-only, …: Engine.open reports it
    except sqlite3.DatabaseError as exc:
        raise DoudiError(f"{db_path} is not a doudi database ({exc})") from None
    if tables and "cases" not in tables:
        raise DoudiError(f"{db_path} is an SQLite database but not a doudi one (it has no cases "
                         "table): not touching it")


def _insert(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"values ({', '.join('?' for _ in columns)})")
    db.conn.executemany(sql, [[row[c] for c in columns] for row in rows])


def _filters(**values: str | None) -> tuple[str | None, list]:
    clauses = [f"{k} = ?" for k, v in values.items() if v is not None]
    args = [v for v in values.values() if v is not None]
    return (" and ".join(clauses) or None), args


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
