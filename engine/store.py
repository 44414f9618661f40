"""Case histories in SQLite through sqlite-utils: cases, an append-only event log, deadlines.

The tables are made by the steps in :mod:`engine.schema`, applied when a database is opened;
its files are made and checked by :mod:`engine.db_files`. The events table is the evidence:
rows are only ever appended. ``cases`` and ``deadlines`` are derived from it and rewritten
with each event in the same transaction.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import chain, compress, groupby, pairwise, repeat
from operator import eq, is_, is_not, itemgetter
from typing import Any, NoReturn

import attrs
import sqlite_utils
from attrs import define

from engine import arguments
from engine.arguments import JSON_SCALARS
from engine.case_numbers import NUMBER_WIDTH, split_number
from engine.db_files import OPENED, READ_ONLY, check_database, connect_read_only, create, has_commits
from engine.deadlines import FIELDS as DEADLINE_FIELDS
from engine.deadlines import Deadline
from engine.effects import Sanction
from engine.errors import (
    Busy,
    Conflict,
    DamagedRecord,
    DiskFull,
    DoudiError,
    EngineClosed,
    InvalidInput,
    disk_full,
)
from engine.guards import HistoryEntry
from engine.integrity import (
    GENESIS,
    HASHED,
    LINK_HASHED,
    SANCTION_HASHED,
    SETTING_HASHED,
    TRIGGERS,
    VOID_HASHED,
    YEAR_VOID_HASHED,
    chained,
    chained_digest,
    first_set_asides,
    json_encoder,
)
from engine.local_parameters import LocalSetting
from engine.periods import iso_text, stored_date
from engine.plain_fields import new_instance, set_fields
from engine.read_only import NO_DATA, read_only
from engine.schema import (
    CALENDAR_YEAR_TRIGGERS,
    CALENDAR_YEAR_VOID_TRIGGERS,
    LEGACY_IMPORT_KEYS,
    LINK_TRIGGERS,
    LOCAL_PARAMETER_TRIGGERS,
    PAGE_SIZE,
    SANCTION_TRIGGERS,
    VOID_TRIGGERS,
    migrations,
    upgrade,
)
from engine.workflow import SYSTEM_EVENTS


def moved_since(on: date, table: str = "cases") -> tuple[str, list]:
    """An SQL condition on ``table`` (``cases`` or its alias), and its arguments: an event
    after ``on`` gave the case a county, so the county it is in now may not be the one it was
    in then."""
    return (f"exists (select 1 from events m where m.case_id = {table}.id and m.[on] > ? "
            "and instr(m.payload, '\"county\"') > 0)", [on.isoformat()])


#: Every state a case is in, distinct, one seek each in the (state, last_event_on) index
#: (m011), not a scan of the cases: a few dozen states at most.
_STATES = ("with recursive states(state) as (select min(state) from cases union all "
           "select (select min(state) from cases where state > states.state) from states "
           "where states.state is not null) select state from states")


def later_than(on: date, table: str = "cases") -> tuple[str, list]:
    """An SQL condition on ``table`` (``cases`` or its alias), and its argument: the case
    has an event after ``on`` (its last event is after it). Written state by state, so that
    SQLite searches the (state, last_event_on) index for each state's dates after ``on``
    (m011 keeps no index on the date alone); ``state is null`` keeps a case whose state was
    blanked by hand, as the date alone did."""
    return (f"({table}.state in ({_STATES}) or {table}.state is null) "
            f"and {table}.last_event_on > ?", [on.isoformat()])


def in_county_on(county: str, on: date, table: str = "cases") -> tuple[str, list]:
    """An SQL condition on ``table``, and its arguments, for the cases that may have been in
    ``county`` on ``on``: those there now, and those :func:`moved_since` then (one there then
    may have moved since). The caller keeps those whose county as of ``on`` is it."""
    moved, args = moved_since(on, table)
    return f"{table}.county = ? or {moved}", [county, *args]


@define
class Change:
    """One case's part of an event: its new row, new history entries and derived rows."""

    case: CaseRecord
    entries: list[HistoryEntry]
    deadlines: list[Deadline]
    sanctions: list[tuple[int, Sanction]] = attrs.Factory(list)
    links: list[tuple[str, str, date, int]] = attrs.Factory(list)  # other id, relation, on, seq
    new_case: bool = False
    # The deadlines the store holds now, when known: only those that differ are written.
    stored: list[Deadline] | None = None
    # The hash of the case's last stored event, when known (saves reading it back).
    last_hash: str | None = None
    # The case's attributes as the store holds them and their stored text, when known
    # (Known.attributes_json): attributes left as they were are written as that text again.
    stored_attributes: tuple[Mapping[str, Any], str] | None = None
    # Set by the write: the case's attributes and each entry's row as stored (a tuple in
    # EVENT_COLUMNS' order: payload and derived as JSON text), from which a copy is read back
    # without encoding them again.
    attributes_json: str | None = None
    rows: list[tuple] | None = None
    # Where a change is many events' (an import batch's, merged case by case): the place of
    # the event that imposed each sanction or made each link, by its seq, among the batch's.
    # They are chained in that order, as the events one at a time would chain them.
    places: dict[int, int] | None = None
    # A case's opening (set by Engine._opening): its id's prefix and number as split_number
    # gives them, or None, which the write counts in case_numbers (not split again).
    numbered: tuple[str, int] | None = None

    @property
    def version(self) -> int:
        """The case's version this change was computed from."""
        return self.case.version


@define
class Known:
    """A case whole, as an engine last wrote (or read) it: enough to check and write its next
    event without reading the database again. The write checks the case's version, so a copy
    another writer has since outdated is read again, never written over; an import also
    compares the version before using a copy, and ``fire`` confirms a refusal worked out from
    a copy against the database before raising it."""

    case: CaseRecord
    history: list[HistoryEntry]
    deadlines: list[Deadline]
    sanctions: list[Sanction]
    links: list[dict]  # {"case_id", "workflow", "relation", "on"}, oldest first
    last_hash: str | None = None
    # The text the store holds for the case's attributes, when they are exactly what reading
    # it gives (names in its order, values equal); None when not known so.
    attributes_json: str | None = None


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
        return cls.from_stored([*(row[name] for name in _CASE_COLUMNS[:-1]), row.get("version")])

    @classmethod
    def from_stored(cls, values: Sequence) -> CaseRecord:
        """The case from its row's values in :data:`_CASE_COLUMNS`' order (an import batch's
        read: the cursor's tuple, not a dict a row)."""
        case_id, province, workflow, county, state, text, opened_on, last_event_on, version = values
        try:
            attributes = _json(text)
            if not isinstance(attributes, dict):
                raise TypeError(f"attributes are {type(attributes).__name__}, not an object")
            # (the workflow names the file a case is worked through, the version is counted
            # on by every write: neither is of use as anything else)
            if type(workflow) is not str:
                raise TypeError(f"workflow is {workflow!r}, not text")
            if version is None:
                version = 0
            elif type(version) is not int:
                raise TypeError(f"version is {version!r}, not a whole number")
            return cls(case_id, province, workflow, county, state, attributes,
                       stored_date(opened_on), stored_date(last_event_on), version)
        except (ValueError, TypeError) as exc:  # (a JSONDecodeError is a ValueError)
            raise DamagedRecord.of(f"case {case_id!r}", exc) from None

    def to_row(self, attributes: str, created_at: str) -> tuple:
        """The case's row as it is opened (version 1), in :data:`_CASE_ROWS`' columns' order;
        ``attributes``: its attributes' text (:data:`_ATTRIBUTES`)."""
        # (remembered text: date.isoformat formats through printf, about 8,000 instructions
        # each, for every case an import or event opens)
        return (self.id, self.province, self.workflow, self.county, self.state, attributes,
                iso_text(self.opened_on), iso_text(self.last_event_on), created_at, 1)


def entries(rows: Iterable[Mapping]) -> list[HistoryEntry]:
    """A case's history from its event rows as stored (:meth:`Store.history_rows`)."""
    return [_entry(_ENTRY_OF(r)) for r in rows]  # (one C call a row: a tuple, in order)


#: The columns a case is read from, in :class:`CaseRecord`'s order.
_CASE_COLUMNS = ("id", "province", "workflow", "county", "state", "attributes", "opened_on",
                 "last_event_on", "version")
_SELECT_CASES = f"select {', '.join(_CASE_COLUMNS)} from [cases]"


#: The columns a history entry is read from, in :class:`HistoryEntry`'s order, then the case's
#: id (named when they cannot be read).
_ENTRY_COLUMNS = ("seq", "event", "on", "from_state", "to_state", "payload", "reason",
                  "derived", "actor", "idempotency_key", "corrects", "recorded_at", "hash",
                  "case_id")
_ENTRY_OF = itemgetter(*_ENTRY_COLUMNS)
_SELECT_ENTRIES = f"select {', '.join(f'[{c}]' for c in _ENTRY_COLUMNS)} from [events]"
#: An event's row as written (:attr:`Change.rows`): a tuple of the values its hash covers
#: (:func:`_event_row`), then its chain's hashes; where some of them are.
EVENT_COLUMNS = (*HASHED, "prev_hash", "hash")
EVENT_CASE_ID, EVENT_SEQ, EVENT_PAYLOAD, EVENT_DERIVED, EVENT_HASH = map(
    EVENT_COLUMNS.index, ("case_id", "seq", "payload", "derived", "hash"))
#: A deadline's columns: its fields in order (:data:`engine.deadlines.FIELDS`), then its case's
#: id; what it is written as (:meth:`Deadline.to_row`) and read from (:meth:`Deadline.from_stored`).
_DEADLINE_COLUMNS = (*DEADLINE_FIELDS, "case_id")
_SELECT_DEADLINES = f"select {', '.join(f'[{c}]' for c in _DEADLINE_COLUMNS)} from [deadlines]"
#: A case's links as a case view shows them, the case's id last (named when they cannot be
#: read).
_SELECT_LINKS = "select l.other_id, c.workflow, l.relation, l.[on], l.case_id from links l " \
    "join cases c on c.id = l.other_id"


#: What :meth:`Store.case_rows` reads of many cases at once, by name: the statement, ``{}`` for
#: the cases' ids, and whether rows come as dicts (else the cursor's tuples, the case's id
#: last). Each is the read of one case's rows, for many, in the order that read gives them.
_BY_CASE = {
    "events": (f"{_SELECT_ENTRIES} where case_id in ({{}}) order by case_id, seq", False),
    "event_rows": ("select * from [events] where case_id in ({}) order by case_id, seq", True),
    # (in the order of their ids, as read alone: the ids picked through the case's index,
    # then each row by its id, in order. ``where case_id in (...) order by id`` put every
    # row whole, its long texts too, through a temporary B-tree to sort them)
    "deadlines": (f"{_SELECT_DEADLINES} where id in "
                  f"(select id from [deadlines] where case_id in ({{}})) order by id", False),
    "sanctions": ("select * from [sanctions] where case_id in ({}) order by id", True),
    # (the cases table has neither column)
    "links": (f"{_SELECT_LINKS} where case_id in ({{}}) order by case_id, seq", False),
}


#: The tables :data:`_BY_CASE` reads ordered by their cases' ids, each case's rows together.
_GROUPED = frozenset({"events", "links"})
_LAST = itemgetter(-1)


def _history(rows: Iterable[Sequence]) -> list[HistoryEntry]:
    """A history from its rows' values in :data:`_ENTRY_COLUMNS`' order. Every case read is
    read through here: the cursor's tuples, not a dict a row; each entry built here, not by a
    call a row."""
    history: list[HistoryEntry] = []
    append = history.append
    for values in rows:
        (seq, event, on, from_state, to_state, payload, reason, derived, actor, key, corrects,
         recorded_at, hash_, case_id) = values
        try:
            if type(seq) is not int:  # (a history is counted and cut by it)
                raise TypeError(f"seq is {seq!r}, not a whole number")
            # Its fields set at once, in HistoryEntry's order, its data made read-only by
            # _data, as HistoryEntry() sets them (not called: its checks of the data a second
            # time cost about a third of an entry read, and a case read back builds one an
            # event); most events have neither data nor anything derived: the shared empty one
            # without a call of _data.
            entry = new_instance(HistoryEntry)
            set_fields(entry, "__dict__", {
                "seq": seq, "event": event, "on": stored_date(on), "from_state": from_state,
                "to_state": to_state,
                "payload": NO_DATA if not payload or payload == "{}" else _data(payload, "payload"),
                "reason": reason,
                "derived": NO_DATA if not derived or derived == "{}" else _data(derived, "derived"),
                "actor": actor, "key": key, "corrects": corrects, "recorded_at": recorded_at,
                "hash": hash_})
        except (ValueError, TypeError) as exc:  # (a JSONDecodeError is a ValueError)
            raise DamagedRecord.of_event(seq, case_id, exc) from None
        append(entry)
    return history


def _deadlines(values: Iterable[Sequence]) -> list[Deadline]:
    """Deadlines from their rows' values as :data:`_SELECT_DEADLINES` reads them."""
    return [Deadline.from_stored(v) for v in values]


def _links(values: Iterable[Sequence]) -> list[dict]:
    """Links from their rows' values as :data:`_SELECT_LINKS` reads them."""
    return [_link(*v) for v in values]


def _sanctions(rows: Iterable[Mapping]) -> list[Sanction]:
    return [Sanction.from_row(r) for r in rows]


class CaseRows:
    """Many cases' rows read together (:meth:`Store.case_rows`), one statement a table a 500
    cases: each case's history, deadlines, sanctions are built from them only when asked for,
    by what builds them for a case read alone, so a row that cannot be read fails for its own
    case, with the same error, when its case is worked on. Asked for a case or a table not
    read, it reads that case alone from the store."""

    __slots__ = ("_ids", "_store", "_tables")

    def __init__(self, store: Store, ids: Iterable[str], tables: dict[str, dict[str, list]]
                 ) -> None:
        self._store, self._ids, self._tables = store, frozenset(ids), tables

    def _built(self, table: str, case_id: str, build: Callable[[list], list],
               alone: Callable[[str], list]) -> list:
        """The case's ``table`` built by ``build`` from its rows read together (none: []), or
        read ``alone`` where the case or the table was not read together."""
        if case_id not in self._ids or table not in self._tables:
            return alone(case_id)
        return build(self._tables[table].get(case_id, []))

    def history(self, case_id: str) -> list[HistoryEntry]:
        return self._built("events", case_id, _history, self._store.history)

    def history_rows(self, case_id: str) -> list[dict]:
        return self._built("event_rows", case_id, list, self._store.history_rows)

    def deadlines(self, case_id: str) -> list[Deadline]:
        return self._built("deadlines", case_id, _deadlines, self._store.deadlines)

    def sanctions(self, case_id: str) -> list[Sanction]:
        return self._built("sanctions", case_id, _sanctions, self._store.sanctions)

    def links(self, case_id: str) -> list[dict]:
        return self._built("links", case_id, _links, self._store.links)


def _whole(case: CaseRecord, stored: Store | CaseRows) -> Known:
    """The case whole from its rows, read alone (``stored`` the store) or with other cases'
    (:class:`CaseRows`); a row that cannot be read raises :class:`DamagedRecord`, the
    history's first, then the links', the deadlines', the sanctions'."""
    history = stored.history(case.id)
    links = stored.links(case.id)
    return Known(case, history, stored.deadlines(case.id), stored.sanctions(case.id), links,
                 history[-1].hash if history else None)


def _words(sql: str) -> list[str]:
    """A statement's words, for comparing one as SQLite keeps it with doudi's own text."""
    return sql.lower().split()


def _data(text: str | None, name: str) -> Any:
    """An event's data, or what its effects decided, read-only from its stored text (most
    have none: the shared empty one, not a JSON read). Text that is JSON but not an object
    (``[1]``, ``null``, changed outside doudi) is a TypeError, as :func:`_entry` names it."""
    if not text or text == "{}":
        return NO_DATA
    value = _json(text)
    if type(value) is not dict:
        raise TypeError(f"{name} {text[:40]!r} is not an object")
    return read_only(value)


def _json(text: Any) -> Any:
    """``json.loads(text)`` of a stored text. Text that is one JSON value and nothing else,
    as the store writes it, goes straight to the decoder's scanner: json.loads first matches
    white space around it with two regular expressions, about half its time for a case's
    attributes. Anything else (white space, damage, not text) goes through json.loads, for
    its value or its error."""
    if type(text) is str:
        try:
            value, end = _DECODER.scan_once(text, 0)  # type: ignore[attr-defined]  # (C scanner)
            if end == len(text):
                return value
        except (StopIteration, ValueError):
            pass
    return json.loads(text)


def _link(other: str, workflow: str, relation: str, on: Any, owner: str) -> dict:
    """A link of case ``owner`` from its row's values as :data:`_SELECT_LINKS` reads them, as
    a case view shows it (``case_id``: the other case), its date checked: a view keeps the
    links made by its date, compared as text."""
    try:
        stored_date(on)
    except ValueError as exc:
        raise DamagedRecord.of(f"the {relation!r} link of case {owner!r}", exc) from None
    return {"case_id": other, "workflow": workflow, "relation": relation, "on": on}


def _entry(values: Sequence) -> HistoryEntry:
    """The entry from its row's values in :data:`_ENTRY_COLUMNS`' order (:func:`_history`
    of one row)."""
    return _history((values,))[0]


#: ``full``: every commit is on disk before it returns (SQLite ``synchronous = FULL``).
#: ``normal``: WAL's ``synchronous = NORMAL``; a crash of the program loses nothing and the
#: database is never corrupted, but a power cut may undo the commits since the last
#: checkpoint (every WAL_AUTOCHECKPOINT log pages, about 900 events). About 1.5 times the
#: events per second on a disk with a slow fsync.
DURABILITY = {"full": "FULL", "normal": "NORMAL"}
#: Log pages between automatic checkpoints (SQLite's default is 1,000).
WAL_AUTOCHECKPOINT = 10_000


#: The columns of a report's candidate rows whose text is the same for many rows.
_REPEATED_TEXT = frozenset({"rule", "title", "severity", "kind", "duration", "citation",
                            "computation", "param", "stop_event", "outcome", "extended_by",
                            "province", "workflow", "county", "state"})


class SettingsChanged(Conflict):
    """The county settings stored, or the calendar years (``doudi calendar add``), are no
    longer those the write's events were counted with: another process recorded one since
    they were read. Nothing written."""


class ClosedDatabase:
    """What a closed :class:`Store` holds instead of its connection: any use but ``close()``
    is an :class:`EngineClosed` naming the file, not SQLite's "Cannot operate on a closed
    database" from somewhere inside the engine."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def close(self) -> None:
        """Closing again is harmless."""

    def _closed(self) -> NoReturn:
        where = f"{self.path}: " if self.path else ""
        raise EngineClosed(f"{where}this Engine was closed (Engine.close()): open the database "
                           "again with Engine.open to read or write it")

    def __getattr__(self, name: str) -> NoReturn:
        self._closed()

    def __getitem__(self, name: str) -> NoReturn:
        self._closed()


#: The newest county setting's id, the newest calendar year's and its set-asides', and the
#: newest setting set-aside's (:meth:`Store.settings_changed`; without the last, a write's
#: check); the calendar years' two alone.
_NEWEST_YEARS = "(select max(id) from calendar_years), (select max(id) from calendar_year_voids)"
_NEWEST_SETTINGS = (f"select (select max(id) from local_parameters), {_NEWEST_YEARS}, "
                    "(select max(id) from local_parameter_voids)")
_NEWEST_COUNTED = f"select (select max(id) from local_parameters), {_NEWEST_YEARS}"
_NEWEST_COUNTED_YEARS = ("select (select max(id) from local_parameters), "
                         "(select max(id) from calendar_years)")


def first_voids(rows: list[dict]) -> dict[int, dict]:
    """Set-aside rows by the county setting each sets aside (:func:`first_set_asides`)."""
    return first_set_asides(rows, "setting", VOID_HASHED)  # type: ignore[return-value]  # (the rows given, dicts)


#: How many recorded keys within an import batch's range of keys it reads before it looks up
#: each key (:meth:`Store._within`, for :meth:`Store.recorded_events` and the ids it opens,
#: :meth:`Store.taken`): more than a case of a file in case order leaves in the batch before
#: (an application's whole path is nine lines).
_FEW_RECORDED = 16


class Store:
    """The case database. Every write goes through :meth:`commit`, one transaction each."""

    # The id of the last county setting the caller counts its events with (0: none stored),
    # None when it holds none: each write checks it is still the last one stored
    # (:class:`SettingsChanged`), under the write lock. (A class default: a read-only
    # store is made without __init__.)
    settings_read: tuple[int, int] | None = None
    # The same for the calendar years (``doudi calendar add``) and their set-asides
    # (``doudi calendar void``): the ids of the last of each the caller counts its events
    # with (0: none stored), None when it counts on none read from here (the engine reads
    # them when it opens: its every write checks them).
    years_read: tuple[int, int] | None = None

    def __init__(self, db: sqlite_utils.Database, durability: str = "full") -> None:
        _check_durability(durability)
        self.db: sqlite_utils.Database | ClosedDatabase = db  # (ClosedDatabase once closed)
        self.path: str | None = None  # the file's absolute path, when opened by open()
        # (an empty file's pages, before its first write below: no-op for one with pages)
        self.db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        self.db.execute("PRAGMA foreign_keys = ON")
        # Another writer holding the lock: wait for it rather than fail at once.
        self.db.execute("PRAGMA busy_timeout = 10000")
        # WAL: a commit is one append to the log; readers never block the writer.
        if self.db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute(f"PRAGMA synchronous = {DURABILITY[durability]}")
        # An event dirties about eleven pages (its row, the case's, the deadlines' and their
        # indexes), so SQLite's default checkpoint every 1,000 log pages came every ~90
        # events and took a third of an event's time at ``normal``. Checkpointing every
        # 10,000 pages (a log of up to 20 MB of 2 KB pages, deleted on close) writes each hot
        # page back once per 900 events instead.
        self.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
        upgrade(self.db)

    def close(self) -> None:
        """Close the connection (again: nothing); a use after it is an :class:`EngineClosed`."""
        if not isinstance(self.db, ClosedDatabase):
            self.db.close()
            self.db = ClosedDatabase(self.path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], durability: str = "full") -> Store:
        """Open (creating if needed) the doudi database at ``path``; refuse any other file."""
        path = os.fspath(arguments.path(path, "path"))
        if not path:
            raise InvalidInput("the database path is empty")
        _check_durability(durability)  # before a new file is made for nothing
        if os.path.isdir(path):
            raise InvalidInput(f"{path} is a directory, not a database file")
        if os.path.exists(path) and not os.path.isfile(path):  # (a pipe: reading it waits)
            raise InvalidInput(f"{path} is not a regular file, so not a database file")
        if os.path.exists(path):
            check_database(path)
            if not os.access(path, os.W_OK):  # (SQLite would open it read-only all the same)
                store = cls._read_only(path)
                OPENED.add(store)
                return store
        elif path != ":memory:":
            try:
                create(path)
            except sqlite3.OperationalError as exc:  # (its schema written: removed, none left)
                if disk_full(exc):
                    raise DiskFull.of(os.path.abspath(path), exc) from None
                raise
        try:
            store = cls(sqlite_utils.Database(path), durability)
        except sqlite3.OperationalError as exc:
            if disk_full(exc):  # (the schema's upgrade: rolled back whole)
                raise DiskFull.of(os.path.abspath(path), exc) from None
            if not (READ_ONLY.search(str(exc)) and os.path.isfile(path)):
                raise DoudiError(f"{path}: the database cannot be opened ({exc})") from None
            store = cls._read_only(path)
        except sqlite3.Error as exc:  # (unreadable, locked past the busy timeout, …)
            raise DoudiError(f"{path}: the database cannot be opened ({exc})") from None
        OPENED.add(store)
        store.path = os.path.abspath(path)
        return store

    @classmethod
    def _read_only(cls, path: str) -> Store:
        """A database this process may read but not write (a backup on read-only media, an
        operator without write access), opened read-only for reports: a write through it
        fails as SQLite's "attempt to write a readonly database"."""
        try:
            conn = connect_read_only(path)
        except sqlite3.OperationalError as exc:
            log = f"{path}-wal"
            if READ_ONLY.search(str(exc)) and has_commits(log):
                raise DoudiError(f"{path}: read-only, and its write-ahead log {log} holds commits "
                                 "not yet in the file: open it once where it can be written "
                                 "(or copy both files to a writable place)") from None
            raise DoudiError(f"{path}: the database cannot be opened ({exc})") from None
        store = cls.__new__(cls)
        store.db = sqlite_utils.Database(conn)
        store.path = os.path.abspath(path)
        if migrations.pending(store.db):
            empty = conn.execute("select count(*) from sqlite_master").fetchone()[0] == 0
            conn.close()
            if empty:  # (a 0-byte file: only a command that records would make it one)
                raise DoudiError(f"{path} holds no doudi database, and is read-only: "
                                 "give --db a file where one can be made")
            raise DoudiError(f"{path}: read-only, and made by an older doudi: open it once "
                             "where it can be written, which upgrades it")
        return store

    # -- reads ------------------------------------------------------------------------------

    def _rows(self, sql: str, args: list) -> list[dict]:
        # Plain SQL: sqlite-utils' rows_where() looks up the table list on every call.
        return list(self._each_row(sql, args))

    def _each_row(self, sql: str, args: list) -> Iterator[dict]:
        """The rows as dicts, one at a time from the cursor."""
        cursor = self.db.conn.execute(sql, args)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield dict(zip(columns, values, strict=True))

    def case(self, case_id: str) -> CaseRecord | None:
        row = self.case_row(case_id)
        return CaseRecord.from_row(row) if row else None

    def case_row(self, case_id: str) -> dict | None:
        """The case's row as stored, not yet read into a case (``audit verify`` checks it)."""
        rows = self._rows("select * from [cases] where id = ?", [case_id])
        return rows[0] if rows else None

    def exists(self, case_id: str) -> bool:
        return self.db.conn.execute("select 1 from cases where id = ?",
                                    [case_id]).fetchone() is not None

    def taken(self, ids: Iterable[str]) -> dict[str, bool]:
        """Each of ``ids`` (an import batch's opened ids), and whether a case has it: one read
        of the few cases within the range they span (a file's new ids lie among none), each
        id looked up only where it holds more."""
        found = dict.fromkeys(ids, False)
        if found:
            for (case_id,) in self._where_in("select id from cases where id",
                                             self._within("cases", "id", list(found))):
                found[case_id] = True
        return found

    def cases(
        self,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        condition: str = "1",
        args: Iterable = (),
    ) -> Iterator[CaseRecord]:
        """Cases in id order, filtered, and matching an SQL ``condition``; streamed."""
        where, filter_args = _filters(province=province, workflow=workflow, county=county)
        if where:
            condition = f"({condition}) and {where}"
        return self.each_case(condition, [*args, *filter_args])

    def count_where(self, province: str | None = None, workflow: str | None = None,
                    condition: str = "1", args: Iterable = ()) -> int:
        """How many cases :meth:`cases` gives with these arguments (no county filter)."""
        where, filter_args = _filters(province=province, workflow=workflow)
        if where:
            condition = f"({condition}) and {where}"
        return self.db.execute(f"select count(*) from cases where {condition}",
                               [*args, *filter_args]).fetchone()[0]

    def running_deadlines(self, province: str, county: str, workflow: str) -> tuple[int, int]:
        """How many deadlines are running (no outcome yet) in the cases of ``workflow`` that
        ``county`` of ``province`` holds, and in how many cases: those a county setting
        recorded now leaves with the dates they were worked out with until a recompute."""
        return tuple(self.db.execute(
            "select count(*), count(distinct d.case_id) from deadlines d join cases c "
            "on c.id = d.case_id where c.province = ? and c.workflow = ? and c.county = ? "
            "and d.outcome is null", [province, workflow, county]).fetchone())

    def recipients_by_village(
        self, province: str, workflow: str, open_states: Iterable[str], more_than: int,
        county: str | None = None, ended: Iterable[tuple[str, str]] = (),
        today: date | None = None,
    ) -> list[dict]:
        """Villages (communities) of ``province`` whose open cases of ``workflow`` hold more
        than ``more_than`` people (a case's ``household_size``, else 1), most first (a blank
        village names none: not counted). One grouped query: a province's recipients are
        never read case by case. ``ended``:
        (state, attribute) pairs of a case that has closed by itself by ``today`` although
        not yet recorded so (a phase-out run out: in state phasing_out, its
        ``phase_out_ends_on`` passed)."""
        states = list(open_states)
        where, args = _filters(province=province, workflow=workflow, county=county)
        try:
            return self._rows(*self._village_sql(where, args, states, more_than, ended, today))  # type: ignore[arg-type]
        except sqlite3.OperationalError as exc:
            if "malformed JSON" not in str(exc):
                raise
        # A case's attributes SQLite's JSON functions refuse: NaN or Infinity (Python's
        # reader takes them, and doudi wrote them before 2026-11-23) or no JSON at all. Those
        # cases' values are read in Python; the rest as before.
        damaged: dict[str, Exception] = {}  # (case id → why its values cannot be used)
        self.db.conn.create_function("doudi_attribute", 3, functools.partial(
            _attribute_value, damaged), deterministic=True)
        rows = self._rows(*self._village_sql(where, args, states, more_than, ended, today,  # type: ignore[arg-type]
                                             python=True))
        if damaged:
            case_id = min(damaged)
            # (no JSON: named as case show does; its row was just read)
            CaseRecord.from_row(self.case_row(case_id))  # type: ignore[arg-type]
            error = damaged[case_id]
            raise error if isinstance(error, DamagedRecord) else DamagedRecord.of(
                f"case {case_id!r}", error)
        return rows

    @staticmethod
    def _village_sql(where: str, args: list, states: list[str], more_than: int,
                     ended: Iterable[tuple[str, str]], today: date | None, python: bool = False
                     ) -> tuple[str, list]:
        """:meth:`recipients_by_village`'s query and its arguments; with ``python``, a case
        whose attributes SQLite's JSON cannot read has its values read by
        :func:`_attribute_value`."""
        def value(path: str) -> str:
            if not python:
                return f"json_extract(attributes, {path})"
            return (f"case when json_valid(attributes) then json_extract(attributes, {path}) "
                    f"else doudi_attribute(id, attributes, {path}) end")

        # Each value read once a case, in a subquery that SQLite runs as it goes (LIMIT -1:
        # not merged into the grouping query, which would read the village again for its
        # condition and its grouping); a phase-out's end only for a case in that state.
        ends, ends_args, closed, closed_args = "", [], "", []
        for i, (state, attribute) in enumerate(ended):
            ends += f", case when state = ? then {value('?')} end as ends_{i}"
            ends_args += [state, *[f"$.{attribute}"] * (2 if python else 1)]
            closed += f" and not coalesce(ends_{i} <= ?, 0)"
            closed_args.append(today.isoformat() if today else "")
        village, size = value(repr("$.village")), value(repr("$.household_size"))
        cases = f"from cases where {where} and state in ({', '.join('?' * len(states))})"
        if python:  # (a case's phase-out end and household size read only where they
            # count: not finite, they would stop the report over a case outside every village)
            picked = (f"select id, attributes, county, state, {village} as village {cases} "
                      "limit -1")
            placed = (f"select id, attributes, county, village{ends} from ({picked}) "
                      "where village is not null and village <> '' limit -1")
            counted = (f"(select county, village, {size} as household_size from ({placed}) "
                       f"where 1{closed} limit -1)")
        else:
            counted = (f"(select county, {village} as village, {size} as household_size{ends} "
                       f"{cases} limit -1) where village is not null and village <> ''{closed}")
        sql = ("select county, village, count(*) as households, "
               f"sum(coalesce(household_size, 1)) as recipients from {counted} "
               "group by county, village having recipients > ? "
               "order by recipients desc, county, village")
        # (in either, the ends' placeholders come first in the text)
        return sql, [*ends_args, *args, *states, *closed_args, more_than]

    def waiting_since(
        self, province: str, workflow: str, states: Iterable[str], event: str, until: str,
        as_of: date, county: str | None = None, linked_workflow: str | None = None,
    ) -> Iterator[dict]:
        """Cases of ``workflow`` that had ``event`` (the confirmation) on or before ``as_of``
        and no ``until`` (the 公布) by then, each with the date of its last ``event``, oldest
        first. The candidates are the cases in ``states`` (waiting now) and those with an
        event after ``as_of`` (a 公布 recorded since): a province's published cases are not
        read. One grouped query: a province's backlog is not read case by case. With
        ``county``, also those a later event may have moved out of it (``moved`` is true for
        them, and for any case given a county since: the caller checks their county then);
        with ``linked_workflow`` too, those whose linked case of that workflow may have been
        in it then (a household's benefit case moved there: the caller judges where it is).
        One at a time from the cursor: a province that records no 公布 has most of its cases
        waiting (held, about 400 bytes each)."""
        return self._each_row(*self._waiting_query(province, workflow, states, event, until,
                                                   as_of, county, linked_workflow))

    def count_waiting(
        self, province: str, workflow: str, states: Iterable[str], event: str, until: str,
        as_of: date, county: str | None = None, linked_workflow: str | None = None,
    ) -> int:
        """How many rows :meth:`waiting_since` gives with these arguments."""
        sql, args = self._waiting_query(province, workflow, states, event, until, as_of, county,
                                        linked_workflow)
        return self.db.conn.execute(f"select count(*) from ({sql})", args).fetchone()[0]

    def _waiting_query(
        self, province: str, workflow: str, states: Iterable[str], event: str, until: str,
        as_of: date, county: str | None, linked_workflow: str | None,
    ) -> tuple[str, list]:
        """:meth:`waiting_since`'s query and its arguments."""
        states = list(states)
        where, args = _filters(province=province, workflow=workflow)
        day = as_of.isoformat()
        # (the caller rebuilds the ``moved`` ones to see their county then)
        moved, moved_args = moved_since(as_of, "c")
        if county is not None:
            then_in, then_args = in_county_on(county, as_of, "c")
            if linked_workflow is not None:
                there, there_args = in_county_on(county, as_of, "b")
                then_in += (" or exists (select 1 from links l join cases b on b.id = l.other_id "
                            f"where l.case_id = c.id and b.workflow = ? and ({there}))")
                then_args = [*then_args, linked_workflow, *there_args]
            where += f" and ({then_in})"  # type: ignore[operator]  # (province given: a clause)
            args += then_args
        # (CROSS JOIN keeps the candidates first: joined plainly, SQLite may read every case
        # of the province through its (province, workflow) index instead)
        later, later_args = later_than(as_of)
        sql = (
            "with candidates(id) as ("
            f"select id from cases where state in ({', '.join('?' * len(states))}) "
            f"union select id from cases where {later}) "
            f"select c.id as case_id, c.county, max(e.[on]) as since, {moved} as moved "
            "from candidates cross join cases c on c.id = candidates.id "
            "join events e on e.case_id = c.id and e.event = ? and e.[on] <= ? "
            f"where {where} and not exists (select 1 from events d where d.case_id = c.id "
            "and d.event = ? and d.[on] <= ?) "
            "group by c.id order by since, c.id"
        )
        return sql, [*states, *later_args, *moved_args, event, day, *args, until, day]

    def case_outside(self, provinces: Iterable[str]) -> CaseRecord | None:
        """A case of a province not among ``provinces``, if any: one index seek in each gap
        between them (at a million cases, not a scan of the province column)."""
        bounds: list[str | None] = [None, *sorted(provinces), None]
        for low, high in pairwise(bounds):
            conditions = [c for c, b in (("province > ?", low), ("province < ?", high))
                          if b is not None]
            args = [b for b in (low, high) if b is not None]
            rows = self._rows(f"select * from cases where {' and '.join(conditions) or '1'} "
                              "limit 1", args)
            if rows:
                return CaseRecord.from_row(rows[0])
        return None

    def has_cases(self, province: str, workflow: str) -> bool:
        return self.db.execute("select 1 from cases where province = ? and workflow = ? "
                               "limit 1", [province, workflow]).fetchone() is not None

    def attribute_values(self, names: Sequence[str], present: int, province: str | None = None,
                         county: str | None = None) -> list[dict]:
        """The cases in which any of the first ``present`` of the top-level attributes
        ``names`` is set, in id order, with those attributes' values: rows of id, province,
        county, state and ``picked``, the JSON array of the values of ``names`` (null where
        unset). SQLite reads each case's attributes once to choose, and only the few chosen
        ones' values come back: no case's attributes are read whole in Python. (Two names or
        more: of one SQLite gives the value, not JSON.) A case whose attributes do not begin
        as a JSON object, or whose JSON SQLite cannot read (NaN or Infinity in it, which
        Python's reader takes), comes with ``picked`` None: to be read whole (damaged, or odd:
        an object after a space).
        """
        where, args = _filters(province=province, county=county)
        paths = [f"$.{name}" for name in names]
        unset = "[" + ",".join(["null"] * present) + "]"

        def query(readable: str) -> list[dict]:
            chosen = (f"case when not (substr(attributes, 1, 1) = '{{'{readable}) then 1 else "
                      f"json_extract(attributes, {', '.join('?' * present)}) <> ? end")
            picked = (f"case when substr(attributes, 1, 1) = '{{'{readable} then json_extract("
                      f"attributes, {', '.join('?' * len(names))}) end")
            sql = (f"select id, province, county, state, {picked} as picked from cases "
                   f"where {chosen}" + (f" and {where}" if where else "") + " order by id")
            return self._rows(sql, [*paths, *paths[:present], unset, *args])

        try:
            return query("")
        except sqlite3.OperationalError as exc:
            if "malformed JSON" not in str(exc):
                raise
        # (attributes SQLite's JSON functions refuse: NaN or Infinity, as doudi wrote them
        # before 2026-11-23, or no JSON at all; asked again, those to be read whole)
        return query(" and json_valid(attributes)")

    def has_county(self, county: str, province: str | None = None) -> bool:
        """Whether any case (of ``province``; None: of any) names ``county``, or named it
        before it moved (its opening, or a later event, gave it that county): a report as of
        a date before the move lists the case there, and is no misspelt county's (asked only
        when a report for it is empty, or a note may be due; the events are read only when
        no case names it now)."""
        of, of_args = ("", []) if province is None else (" and province = ?", [province])
        if self.db.execute(f"select 1 from cases where county = ?{of} limit 1",
                           [county, *of_args]).fetchone() is not None:
            return True
        # (a payload without "county" is not parsed; one that is no JSON, damaged, is passed
        # over: CASE evaluates in order, where AND may not. A correction's is evidence, which
        # moves no case, and a recompute's names none: attributes_given_by passes them over)
        gave = ("case when instr(e.payload, '\"county\"') = 0 then null "
                "when json_valid(e.payload) then json_extract(e.payload, '$.county') end")
        system = ", ".join("?" * len(SYSTEM_EVENTS))
        return self.db.execute(
            f"select 1 from events e where {gave} = ? and e.event not in ({system}) and exists "
            f"(select 1 from cases where id = e.case_id{of}) limit 1",
            [county, *sorted(SYSTEM_EVENTS), *of_args]).fetchone() is not None

    def history(self, case_id: str) -> list[HistoryEntry]:
        return _history(self.db.conn.execute(
            f"{_SELECT_ENTRIES} where case_id = ? order by seq", [case_id]))

    def event_by_key(self, key: str) -> dict | None:
        """The event recorded with an idempotency key, if any, with its case's province and
        workflow."""
        return next(iter(self.recorded_events([key]).values()), None)

    def recorded_events(self, keys: list[str]) -> dict[str, dict]:
        """Those of ``keys`` already recorded as idempotency keys: key → the event's row,
        with its case's province and workflow."""
        names = ("idempotency_key", "case_id", "seq", "event", "on", "payload", "reason",
                 "corrects", "province", "workflow")
        if len(keys) > _FEW_RECORDED:
            # An import batch's keys lie in one range of their index: a file imported in case
            # order into a database without it finds none recorded there, or the few of a
            # case its last batch began (each key looked up cost about 1 % of a line).
            keys = self._within("events", "idempotency_key", keys)
        rows = self._where_in(
            "select e.idempotency_key, e.case_id, e.seq, e.event, e.[on], e.payload, e.reason, "
            "e.corrects, c.province, c.workflow from events e join cases c on c.id = e.case_id "
            "where e.idempotency_key", keys)
        return {values[0]: dict(zip(names, values, strict=True)) for values in rows}

    def _within(self, table: str, column: str, values: list[str]) -> list[str]:
        """Those of ``values`` (an import batch's keys or opened ids: many, lying in one range
        of ``column``'s index) that ``table`` may hold, to be looked up: the few it holds
        within the range they span, read at once, or, where that range holds
        :data:`_FEW_RECORDED` or more (a file imported again, or in date order), every one of
        them. In order: SQLite puts a list in order for its look-ups, each inserted into a
        temporary index, and one given in order costs it about a third less."""
        within = self.db.conn.execute(
            f"select [{column}] from [{table}] where [{column}] between ? and ? limit ?",
            [min(values), max(values), _FEW_RECORDED]).fetchall()
        if len(within) == _FEW_RECORDED:
            return sorted(values)
        wanted = set(values)
        return [value for (value,) in within if value in wanted]  # (read in order)

    def legacy_import_keys(self) -> bool:
        """Whether an import's key made from a line's content may be stored in its format
        before m014 (the line's hash alone, :data:`engine.schema.LEGACY_IMPORT_KEYS`)."""
        try:
            return self.db.execute("select 1 from key_formats where format = ?",
                                   [LEGACY_IMPORT_KEYS]).fetchone() is not None
        except sqlite3.OperationalError:  # (a database read-only before m014: it may)
            return True

    def _where_in(self, select: str, values: list) -> Iterator[tuple]:
        """``SELECT … WHERE column IN (values)``, ``select`` ending at the column, in chunks
        of 500 (SQLite's limit on variables)."""
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            yield from self.db.execute(f"{select} in ({', '.join('?' for _ in chunk)})", chunk)

    def known_cases(self, ids: Sequence[str]) -> dict[str, Known]:
        """Many cases whole at once (an import batch's): five reads a 500 cases rather than
        five a case, each case as :meth:`engine.core.Engine._known` reads it alone. A case
        not stored, or one of whose rows cannot be read, is left out (read alone, it says
        why)."""
        found: dict[str, Known] = {}
        for start in range(0, len(ids), 500):  # (each chunk's rows read with its cases')
            chunk = list(ids[start:start + 500])
            rows = {values[0]: values for values in self._where_in(f"{_SELECT_CASES} where id",
                                                                   chunk)}
            # (rows left of a case whose own row is gone, changed outside doudi, are read with
            # the others but belong to no case read: read alone, it is "no case")
            read = self._rows_by_case(chunk, ("events", "deadlines", "sanctions", "links"))
            events, deadlines, sanctions, links = (
                read["events"], read["deadlines"], read["sanctions"], read["links"])
            # (each case as _whole builds it through CaseRows, its rows read in the same order
            # and a damaged one raising the same error, without CaseRows' two calls a table a
            # case: most cases have neither sanctions nor links, and nothing is built for them)
            for case_id, row in rows.items():
                try:
                    case = CaseRecord.from_stored(row)
                    history = _history(events.get(case_id, ()))
                    linked = _links(values) if (values := links.get(case_id)) else []
                    due = _deadlines(values) if (values := deadlines.get(case_id)) else []
                    sanctioned = _sanctions(values) if (values := sanctions.get(case_id)) else []
                except DamagedRecord:
                    continue
                found[case_id] = Known(case, history, due, sanctioned, linked,
                                       history[-1].hash if history else None)
        return found

    def known(self, case: CaseRecord) -> Known:
        """The stored case whole, read alone (:meth:`known_cases` reads many together)."""
        return _whole(case, self)

    def case_rows(self, ids: Sequence[str], tables: Iterable[str]) -> CaseRows:
        """The rows of ``tables`` (``events``, for histories; ``event_rows``, as
        :meth:`history_rows` gives them; ``deadlines``; ``sanctions``) of the cases ``ids``,
        read together: one statement a table a 500 cases, not one a case (``recompute``,
        ``advance`` and ``audit verify`` read each chunk of cases so, an import its batch's).
        A case's rows come in the order its own read gives them."""
        return CaseRows(self, ids, self._rows_by_case(ids, tables))

    def _rows_by_case(self, ids: Sequence[str], tables: Iterable[str]
                      ) -> dict[str, dict[str, list]]:
        """:meth:`case_rows`' rows: of each table, each case's (none: not there)."""
        conn = self.db.conn
        read: dict[str, dict[str, list]] = {}
        for table in tables:
            statement, as_dicts = _BY_CASE[table]
            grouped: dict[str, list] = {}
            for start in range(0, len(ids), 500):
                chunk = list(ids[start:start + 500])
                sql = statement.format(",".join("?" * len(chunk)))
                if as_dicts:  # (written out, not _each_row: no generator resumed a row)
                    cursor = conn.execute(sql, chunk)
                    columns = [c[0] for c in cursor.description]
                    at = columns.index("case_id")
                    for values in cursor:
                        grouped.setdefault(values[at], []).append(
                            dict(zip(columns, values, strict=True)))
                elif table in _GROUPED:  # (a case's rows together: one list made in C)
                    for case_id, values in groupby(conn.execute(sql, chunk), _LAST):
                        grouped[case_id] = list(values)
                else:  # (the case's id is the last value)
                    for values in conn.execute(sql, chunk):
                        grouped.setdefault(values[-1], []).append(values)
            read[table] = grouped
        return read

    def history_rows(self, case_id: str) -> list[dict]:
        return list(self._rows("select * from [events] where case_id = ? order by seq", [case_id]))

    def deadlines(self, case_id: str) -> list[Deadline]:
        return _deadlines(self.db.conn.execute(
            f"{_SELECT_DEADLINES} where case_id = ? order by id", [case_id]))

    def each_case(self, condition: str = "1", args: Iterable = (), chunk: int = 1000
                  ) -> Iterator[CaseRecord]:
        """Every case matching an SQL condition on ``cases``, in id order, read ``chunk`` at a
        time: memory stays flat however many cases, and the caller may write as it goes."""
        return map(CaseRecord.from_row, self.each_case_row(condition, args, chunk))

    def each_case_row(self, condition: str = "1", args: Iterable = (), chunk: int = 1000
                      ) -> Iterator[dict]:
        """:meth:`each_case`'s rows as stored, not yet read into cases."""
        return chain.from_iterable(self.case_row_chunks(condition, args, chunk))

    def case_row_chunks(self, condition: str = "1", args: Iterable = (), chunk: int = 1000
                        ) -> Iterator[list[dict]]:
        """:meth:`each_case_row`'s rows, ``chunk`` at a time (none empty), for work that
        reads each chunk's other rows together (:meth:`case_rows`)."""
        after = ""
        while True:
            rows = self._rows(f"select * from cases where id > ? and ({condition}) "
                              "order by id limit ?", [after, *args, chunk])
            if rows:
                yield rows
            if len(rows) < chunk:
                return
            after = rows[-1]["id"]

    def count_cases(self) -> int:
        return self.db.execute("select count(*) from cases").fetchone()[0]

    def cases_where(
        self, condition: str, args: list, province: str | None = None,
        workflow: str | None = None, county: str | None = None,
    ) -> Iterator[CaseRecord]:
        """Cases matching an SQL condition on ``cases`` and the usual filters, in no set
        order, one at a time from the cursor: one query, so SQLite searches the condition's
        index (:meth:`cases` reads in id order, chunk by chunk, which walks the primary key
        through every case). The filters are not searched (``+province``): SQLite took the
        (province, workflow) index over the condition's, reading every case of the province
        for the few the condition picks."""
        where, filter_args = _filters("+", province=province, workflow=workflow, county=county)
        sql = f"select * from cases where ({condition})" + (f" and {where}" if where else "")
        for row in self._each_row(sql, [*args, *filter_args]):
            yield CaseRecord.from_row(row)

    def report_candidates(
        self, as_of: date, statuses: Iterable[str], at_risk_until: date,
        province: str | None = None, workflow: str | None = None, county: str | None = None,
        except_states: Iterable[str] = (),
        beyond_window: Callable[[str, str | None, str], bool] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[CaseRecord, list[Deadline]]]:
        """Stored deadlines that may have one of ``statuses`` on ``as_of``, case by case.
        ``progress`` is called with the number of rows read (:meth:`count_report_candidates`
        counts them) as each case is reached.

        Only cases whose stored rows are current on ``as_of`` (no event after it), neither
        in ``except_states`` nor without a state (those the caller rebuilds itself); the
        caller judges each row exactly. For the late and at-risk statuses the query reads
        the running or late deadlines only, so its cost follows the number of those, not the
        number of cases (met and cancelled, asked for through :meth:`Engine.report` alone,
        are not in the index it searches). They are read one case at a time: an at-risk
        report's candidates grow with the province (about 75,000 cases at a million), and
        held at once they took about 3 KB each.
        ``beyond_window(province, county, due_on)``: true of a running duty the caller knows
        to be neither late nor at risk on its case's calendar, left out before its case and
        deadline are built (most of an at-risk report's candidates).
        """
        query = self._report_query(as_of, statuses, at_risk_until, province, workflow, county,
                                   except_states)
        if query is None:
            return
        sql, args = query
        cursor = self.db.conn.execute(sql + " order by case_id, id", args)
        read = 0  # (rows read since progress was last told)
        # Plain tuples, picked by position: a dict of all ~30 columns a row took a third of
        # an at-risk report's time.
        names = [c[0] for c in cursor.description]
        case_at = [(name[2:], i) for i, name in enumerate(names) if name.startswith("c_")]
        deadline_at = [(name, names.index(name)) for name in DEADLINE_FIELDS]
        case_id_at = names.index("case_id")
        # The texts a rule repeats on every row (its title, clause, computation: about 1 KB
        # a deadline) are kept once each: sqlite3 makes a new string for every row read, and
        # a report's results keep theirs (an at-risk report's grow with the province).
        share: Callable[[Any, Any], Any] = {}.setdefault
        case_own = [(name, i) for name, i in case_at if name not in _REPEATED_TEXT]
        case_shared = [(name, i) for name, i in case_at if name in _REPEATED_TEXT]
        own = [(name, i) for name, i in deadline_at if name not in _REPEATED_TEXT]
        shared = [(name, i) for name, i in deadline_at if name in _REPEATED_TEXT]
        province_at, county_at = names.index("c_province"), names.index("c_county")
        outcome_at, kind_at, due_at = names.index("outcome"), names.index("kind"), names.index("due_on")
        case: CaseRecord | None = None
        deadlines: list[Deadline] = []
        for row in cursor:
            read += 1
            if (beyond_window is not None and row[outcome_at] is None and row[kind_at] == "duty"
                    and beyond_window(row[province_at], row[county_at], row[due_at])):
                continue
            if case is None or row[case_id_at] != case.id:
                if progress is not None and read > 1:
                    progress(read - 1)
                    read = 1
                if case is not None:
                    yield case, deadlines
                values = {name: row[i] for name, i in case_own}
                for name, i in case_shared:
                    value = row[i]
                    values[name] = share(value, value) if value.__class__ is str else value
                case = CaseRecord.from_row(values)
                deadlines = []
            values = {"case_id": case.id}  # (named if damaged)
            for name, i in own:
                values[name] = row[i]
            for name, i in shared:
                value = row[i]
                values[name] = share(value, value) if value.__class__ is str else value
            deadlines.append(Deadline.from_row(values))
        if progress is not None and read:
            progress(read)
        if case is not None:
            yield case, deadlines

    def _report_query(
        self, as_of: date, statuses: Iterable[str], at_risk_until: date,
        province: str | None, workflow: str | None, county: str | None,
        except_states: Iterable[str],
    ) -> tuple[str, list] | None:
        """:meth:`report_candidates`' query and its arguments (None: no status it reads)."""
        on = as_of.isoformat()
        conditions: list[tuple[str, list[str]]] = []
        # ``open`` may be any running deadline (a paused duty past its due date, a window not
        # yet over): every running one is read, and judged.
        every_running = "open" in statuses
        if every_running:
            conditions.append(("d.outcome is null", []))
        if "breached" in statuses and not every_running:
            conditions.append(("d.outcome is null and d.kind = 'duty' and d.due_on < ?", [on]))
        if "at_risk" in statuses and not every_running:
            conditions.append(("d.outcome is null and d.kind = 'duty' and d.due_on >= ? "
                               "and d.due_on <= ?", [on, at_risk_until.isoformat()]))
        if "met" in statuses and not every_running:  # (a window is met once it has run out)
            conditions.append(("d.outcome is null and d.kind = 'window' and d.due_on < ?", [on]))
        for outcome in ("met", "met_late", "unmet", "cancelled"):  # (stopped by ``as_of``)
            if outcome in statuses:
                conditions.append((f"d.outcome = '{outcome}' and d.stopped_on <= ?", [on]))
        if not conditions:
            return None
        # A running duty whose due date was blanked by hand would match no range and drop out
        # of the report unseen: read, it is named as damaged (one index seek on NULL). So is
        # one whose due date is no date and sorts after every date ("not a date"; a blob) or,
        # where no breach range takes it, before them (a number, " 2026-03-06"): one seek
        # each, disjoint from the ranges above.
        running = "d.outcome is null and d.kind = 'duty' and "
        if not every_running:  # (read with every running one already)
            conditions.append((running + "d.due_on is null", []))
            conditions.append((running + "d.due_on > '9999-12-31'", []))
            if "breached" not in statuses:
                conditions.append((running + "d.due_on < '0000-01-01'", []))
        where, filter_args = _filters(province=province, workflow=workflow, county=county)
        cases = " and c.last_event_on <= ?"
        except_states = list(except_states)
        if except_states:  # (a blank state is in none: the caller rebuilds those too)
            cases += f" and c.state not in ({', '.join('?' for _ in except_states)})"
        else:
            cases += " and c.state is not null"
        if where:
            cases += " and " + " and ".join(f"c.{clause}" for clause in where.split(" and "))
        # One select a condition, not one select of their OR: each names its outcome (NULL,
        # met_late or unmet) as a term of its own, which is what lets SQLite use the partial
        # index of those (m012; a multi-index OR never uses a partial index). The conditions
        # are disjoint (by outcome, then by due date), so no row comes twice.
        sql = " union all ".join(
            "select d.*, c.id as c_id, c.province as c_province, c.workflow as c_workflow, "
            "c.county as c_county, c.state as c_state, c.attributes as c_attributes, "
            "c.opened_on as c_opened_on, c.last_event_on as c_last_event_on, "
            "c.version as c_version from deadlines d join cases c on c.id = d.case_id "
            f"where {condition}{cases}" for condition, _ in conditions)
        args = [a for _, condition_args in conditions
                for a in (*condition_args, on, *except_states, *filter_args)]
        return sql, args

    def count_report_candidates(
        self, as_of: date, statuses: Iterable[str], at_risk_until: date,
        province: str | None = None, workflow: str | None = None, county: str | None = None,
        except_states: Iterable[str] = (),
    ) -> int:
        """How many deadline rows :meth:`report_candidates` reads with these arguments (those
        ``beyond_window`` leaves out included): the length of a report's progress bar."""
        query = self._report_query(as_of, statuses, at_risk_until, province, workflow, county,
                                   except_states)
        if query is None:
            return 0
        sql, args = query
        return self.db.conn.execute(f"select count(*) from ({sql})", args).fetchone()[0]

    def next_case_number(self, prefix: str) -> int:
        """One more than the highest number used after ``prefix`` (ids given by hand count)."""
        # One read: the counter's next number, and whether a case already has its id
        # (printf writes it as numbered_id does: the prefix, the number NUMBER_WIDTH wide).
        number, taken = self.db.conn.execute(
            "select next, exists (select 1 from cases where id = printf('%s%0*d', ?1, ?2, next))"
            " from (select coalesce((select highest from case_numbers where prefix = ?1), 0)"
            " + 1 as next)", [prefix, NUMBER_WIDTH]).fetchone()
        if not taken:
            return number
        # Cases written without the counter (another program, an old copy): count them all.
        highest = 0
        for (case_id,) in self.db.execute(
            "select id from cases where substr(id, 1, ?) = ?", [len(prefix), prefix]
        ):
            split = split_number(case_id)
            if split is not None and split[0] == prefix:
                highest = max(highest, split[1])
        return highest + 1

    # -- sanctions and links ----------------------------------------------------------------

    def local_setting_rows(self, setting_id: int | None = None) -> list[dict]:
        """Every county parameter setting's row, in the order recorded, as stored (with
        ``setting_id``, that row alone, or none): read by ``local_parameters.read_rows``,
        which sets apart the rows that cannot be read back."""
        if setting_id is not None:
            return self._rows("select * from local_parameters where id = ?", [setting_id])
        return self._rows("select * from local_parameters order by id", [])

    def counted_settings(self) -> tuple[list[dict], dict[int, dict]]:
        """:meth:`local_setting_rows` and :meth:`setting_voids`, noted as those the caller
        counts its events with: each write then checks that no other setting was recorded
        since, and a refusal on a damaged setting that no set-aside was either
        (:attr:`settings_read`, :meth:`settings_changed`: a long-running engine kept
        refusing a county whose damaged row another process had set aside)."""
        rows = self.local_setting_rows()
        voids = self.setting_void_rows()
        self.settings_read = (rows[-1]["id"] if rows else 0, voids[-1]["id"] if voids else 0)
        return rows, first_voids(voids)

    def add_local_setting(self, setting: LocalSetting, *also: LocalSetting,
                          written: list[dict] | None = None) -> LocalSetting:
        """Record a county parameter setting (and ``also`` these, in the same transaction);
        returns it with its ``recorded_at`` and ``id``.

        A setting that repeats the one in effect last on its date (the same value and basis,
        recorded last for that place, parameter and day) changes nothing, and is not
        recorded again: it is returned as first recorded (its ``recorded_at`` then).

        ``written``, if given, gets the rows inserted, the last with its ``id``, before the
        COMMIT: :meth:`rows_committed` tells whether they are in where a Ctrl-C stopped
        the call (as :meth:`committed` for events)."""
        now = _now()
        with self.write_transaction():
            rows, first = [], None
            for s in (setting, *also):
                row = {**s.to_row(), "recorded_at": now}
                same = self._repeated_setting(row)
                if same is None:
                    rows.append(row)
                elif s is setting:
                    first = same
            chained(rows, self._last_hash("local_parameters"), SETTING_HASHED)
            _insert(self.db, "local_parameters", rows)
            # (one insert under the write lock: its rows' ids run on to the last one's)
            last = self._inserted_id() if rows else None
            if written is not None and rows:
                rows[-1]["id"] = last
                written.extend(rows)
        if first is not None:
            return first
        # (last: rows were written, else first was found)
        return attrs.evolve(setting, recorded_at=now, id=last - len(rows) + 1)  # type: ignore[operator]

    def _repeated_setting(self, row: dict) -> LocalSetting | None:
        """The setting ``row`` would repeat: the last recorded for its place, parameter and
        date, if it has the same value and basis."""
        last = self._rows(
            "select * from local_parameters where province = ? and county = ? and workflow = ? "
            "and name = ? and [on] = ? order by id desc limit 1",
            [row["province"], row["county"], row["workflow"], row["name"], row["on"]])
        if last and (last[0]["value"], last[0]["citation"]) == (row["value"], row["citation"]):
            return LocalSetting.from_row(last[0])
        return None

    def _last_hash(self, table: str) -> str:
        """The hash the next row of ``table`` (a chained one: the county settings, their
        set-asides, the sanctions, the links) is chained to: the last row's, by rowid (the
        id where the table has one; the links have none), GENESIS when it has none."""
        last = self.db.conn.execute(f"select hash from [{table}] order by rowid desc limit 1"
                                    ).fetchone()
        return last[0] if last is not None and last[0] is not None else GENESIS

    def sanction_chain_rows(self) -> Iterator[dict]:
        """Every sanction's row, in the order recorded, as stored (its hashes too), one at a
        time."""
        return self._each_row("select * from sanctions order by id", [])

    def link_chain_rows(self) -> Iterator[dict]:
        """Every link's row, in the order recorded, as stored (its hashes too), its rowid as
        ``id`` (what ``audit verify`` names it by: ``select rowid, * from links``), one at a
        time."""
        return self._each_row("select rowid as id, * from links order by rowid", [])

    def has_hash(self, table: str, digest: Any) -> bool:
        """Whether a row of ``table`` (a chained one) has the hash ``digest``: a scan, asked
        only where its chain breaks."""
        return self.db.conn.execute(f"select 1 from [{table}] where hash = ? limit 1",
                                    [digest]).fetchone() is not None

    def setting_void_rows(self) -> list[dict]:
        """Every set-aside's row, in the order recorded, as stored (its hashes too)."""
        return self._rows("select * from local_parameter_voids order by id", [])

    def setting_voids(self) -> dict[int, dict]:
        """Each county setting set aside (``doudi parameter void``): by the setting's id, the
        first set-aside's row (id, setting, citation, actor, recorded_at)."""
        return first_voids(self.setting_void_rows())

    def add_setting_void(self, setting_id: int, citation: str, actor: str | None,
                         check: Callable[[], None], written: list[dict] | None = None
                         ) -> dict:
        """Record that the county setting ``setting_id`` is set aside, ``check`` (which
        refuses it) called first under the write lock; returns the row recorded. ``written``,
        if given, gets the row, with its id, before the COMMIT (:meth:`rows_committed`)."""
        return self._add_void("local_parameter_voids", "setting", VOID_HASHED, setting_id,
                              citation, actor, check, written)

    def _add_void(self, table: str, column: str, hashed: tuple[str, ...], of: int,
                  citation: str, actor: str | None, check: Callable[[], None],
                  written: list[dict] | None) -> dict:
        """A set-aside row of ``table`` (its ``column`` naming row ``of``) chained to the
        table's last and inserted under the write lock after ``check``: a county setting's
        or a calendar year's, which are set aside alike."""
        with self.write_transaction():
            check()
            row = {column: of, "citation": citation, "actor": actor, "recorded_at": _now()}
            chained([row], self._last_hash(table), hashed)
            _insert(self.db, table, [row])
            row["id"] = self._inserted_id()
            if written is not None:
                written.append(row)
        return row

    def _inserted_id(self) -> int:
        """The id of the row this connection inserted last (in the write transaction it is
        in: no other writer's)."""
        return self.db.conn.execute("select last_insert_rowid()").fetchone()[0]

    def calendar_year_rows(self) -> list[dict]:
        """Every calendar year record the database holds (``doudi calendar add``), in the
        order recorded, as stored: read by ``calendar_years.read_rows``."""
        return self._rows("select * from calendar_years order by id", [])

    def calendar_year_void_rows(self) -> list[dict]:
        """Every set-aside of a calendar year (``doudi calendar void``), in the order
        recorded, as stored (its hashes too)."""
        return self._rows("select * from calendar_year_voids order by id", [])

    def counted_calendar_years(self) -> tuple[list[dict], list[dict]]:
        """:meth:`calendar_year_rows` and :meth:`calendar_year_void_rows`, noted as those the
        caller counts its events with: each write then checks that no other year, nor
        set-aside, was recorded since (:attr:`years_read`, :meth:`settings_changed`), as for
        the county settings: an engine kept open counted on the projection of a year another
        process had recorded, and ``audit verify`` then called its cases altered."""
        rows, voids = self.calendar_year_rows(), self.calendar_year_void_rows()
        self.years_read = (rows[-1]["id"] if rows else 0, voids[-1]["id"] if voids else 0)
        return rows, voids

    def add_calendar_year_void(self, year_id: int, citation: str, actor: str | None,
                               check: Callable[[], None], written: list[dict] | None = None
                               ) -> dict:
        """Record that the calendar year row ``year_id`` is set aside, ``check`` (which
        refuses it) called first under the write lock; returns the row recorded. ``written``,
        if given, gets the row, with its id, before the COMMIT (:meth:`rows_committed`)."""
        return self._add_void("calendar_year_voids", "calendar_year", YEAR_VOID_HASHED, year_id,
                              citation, actor, check, written)

    def add_calendar_years(self, rows_of: Callable[[list[dict], list[dict], str, str], list[dict]],
                           written: list[dict] | None = None) -> list[dict]:
        """Record calendar years under the write lock: ``rows_of`` is given the rows stored
        now, their set-asides, the time and the last row's hash, and gives the rows to insert
        (chained), or refuses; returns them with their ids. ``written``, if given, gets them,
        with their ids, before the COMMIT (:meth:`rows_committed`)."""
        with self.write_transaction():
            rows = rows_of(self.calendar_year_rows(), self.calendar_year_void_rows(), _now(),
                           self._last_hash("calendar_years"))
            _insert(self.db, "calendar_years", rows)
            last = self._inserted_id() if rows else 0
            for at, row in enumerate(rows):
                row["id"] = last - len(rows) + 1 + at
            if written is not None:
                written.extend(rows)
        return rows

    def provisional_running(self) -> tuple[int, int]:
        """How many running deadlines (no outcome yet) are provisional, counted into a year
        without its notice, and in how many cases: those a year recorded now leaves with the
        dates they were worked out with until a recompute."""
        return tuple(self.db.execute(  # type: ignore[return-value]
            "select count(*), count(distinct case_id) from deadlines "
            "where outcome is null and provisional").fetchone())

    def count_local_settings(self) -> int:
        """How many county parameter settings are recorded (removals included)."""
        return self.db.conn.execute("select count(*) from local_parameters").fetchone()[0]

    def sanctions(self, case_id: str, through: int | None = None) -> list[Sanction]:
        """The case's sanctions (``through``: only those of its events up to that seq)."""
        upto, args = _through("seq", through)
        return _sanctions(self._each_row(
            f"select * from [sanctions] where case_id = ?{upto} order by id", [case_id, *args]))

    def links(self, case_id: str, through: int | None = None) -> list[dict]:
        """The case's links as a case view shows them: ``{"case_id", "workflow", "relation",
        "on"}`` (``case_id``: the other case), oldest first (``through``: only those its
        events up to that seq made)."""
        upto, args = _through("l.seq", through)
        return _links(self.db.conn.execute(
            f"{_SELECT_LINKS} where l.case_id = ?{upto} order by l.seq", [case_id, *args]))

    def sanction_rows(
        self,
        province: str | None = None,
        county: str | None = None,
        kind: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[dict]:
        """Sanctions with their case's province and county, filtered, oldest first. ``moved``
        is true where an event after the sanction's gave the case a county: the county it is in
        now may not be the one it was in when the sanction was decided (with ``county``, such
        rows are kept wherever the case is now; the caller checks their county then)."""
        moved = ("exists (select 1 from events m where m.case_id = s.case_id and m.seq > s.seq "
                 "and instr(m.payload, '\"county\"') > 0)")
        clauses, args = [], []
        for column, value in (("c.province", province), ("s.kind", kind)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        if county is not None:
            clauses.append(f"(c.county = ? or {moved})")
            args.append(county)
        if since is not None:
            clauses.append("s.[on] >= ?")
            args.append(since.isoformat())
        if until is not None:
            clauses.append("s.[on] <= ?")
            args.append(until.isoformat())
        sql = ("select s.[on], s.case_id, c.province, c.county, c.workflow, s.kind, s.amount, "
               f"s.basis, s.note, s.seq, {moved} as moved "
               "from sanctions s join cases c on c.id = s.case_id")
        if clauses:
            sql += " where " + " and ".join(clauses)
        cursor = self.db.execute(sql + " order by s.[on], s.case_id, s.id", args)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor]
        for row in rows:
            # (one changed by hand is named, as case show names it; a basis or note an older
            # doudi stored as NULL is shown as case show shows it, blank)
            read = Sanction.from_row(row)
            row["basis"], row["note"] = read.basis, read.note
        return rows

    # -- the one write path -----------------------------------------------------------------

    def commit(self, changes: list[Change]) -> None:
        """Write every case's part of one event (or of one import batch): all of it, or none.

        On success each change's entries carry their ``recorded_at`` and ``hash``, and its
        ``last_hash`` is the case's new last hash.
        """
        conn = self.db.conn
        if conn.in_transaction:  # inside a caller's transaction: a savepoint of it
            with self.write_transaction():
                self._write(changes)
            return
        # (write_transaction's block, and _begin, written out: every event commits through
        # here, and the block is an object and three calls more)
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._not_begun(exc)
        try:
            self._write(changes)
        except BaseException as exc:
            self._roll_back(exc)
            raise
        self._end()

    def _end(self) -> None:
        """COMMIT the write transaction. One that fails (a full disk, an I/O error, the lock)
        may leave the transaction open (SQLite's documentation of COMMIT): the engine's next
        write would then go into it, and be kept, or lost, with it. Rolled back: nothing of
        it kept, and the error raised as :meth:`_roll_back` names it."""
        try:
            self.db.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._roll_back(exc)
            raise

    def committed(self, changes: list[Change]) -> bool:
        """Whether ``changes``, whose write a Ctrl-C stopped, were committed: Python raises
        the interrupt at its first check after a call returns, COMMIT's included, so a batch
        may be in though its caller never counted it. A write is all or nothing: its last
        event is looked for, with the hash it was written with (another writer's event of
        that seq has another)."""
        if self.db.conn.in_transaction or not changes or not changes[-1].rows:
            return False  # (still open: not committed, whatever it holds)
        row = changes[-1].rows[-1]
        return self.db.execute("select 1 from events where case_id = ? and seq = ? and hash = ?",
                               [row[EVENT_CASE_ID], row[EVENT_SEQ], row[EVENT_HASH]]
                               ).fetchone() is not None

    def rows_committed(self, table: str, rows: list[dict]) -> bool:
        """Whether ``rows`` of a chained table (the county settings, their set-asides, the
        calendar years and theirs: what :meth:`add_local_setting`, :meth:`add_setting_void`,
        :meth:`add_calendar_years` or :meth:`add_calendar_year_void` gave ``written``), whose write a
        Ctrl-C stopped, were committed, as :meth:`committed` tells it of events: the last row
        is looked for by its id and hash (over what it says, when it was recorded and the row
        before it: a row another writer added with that id after a rollback has another)."""
        if self.db.conn.in_transaction or not rows or "id" not in rows[-1]:
            return False
        row = rows[-1]
        return self.db.execute(f"select 1 from [{table}] where id = ? and hash = ?",
                               [row["id"], row["hash"]]).fetchone() is not None

    def _roll_back(self, exc: BaseException | None) -> None:
        """End a write transaction that failed with ``exc``: nothing of it is kept. A full
        disk is :class:`DiskFull`, naming the file; a COMMIT that could not get its lock
        within the wait (SQLITE_BUSY, which leaves the transaction open) :class:`Busy`, as
        BEGIN's is."""
        self.db.rollback()
        if isinstance(exc, sqlite3.OperationalError) and not isinstance(exc, DoudiError):
            self._refuse_read_only_companion(exc)
            if disk_full(exc):
                raise DiskFull.of(self.path, exc) from None
            if str(exc) == "database is locked":  # (SQLite's words for SQLITE_BUSY alone)
                raise _held(exc) from None

    def file_problems(self, limit: int = 20) -> list[str]:
        """What SQLite's own check (``PRAGMA integrity_check``) finds wrong with the file's
        pages and indexes, at most ``limit`` of them; [] when it is sound. The hash chains say
        nothing of a file whose pages are broken (it may even read as holding no case), nor of
        an index that leaves out a row its table holds (the reports read the running deadlines
        through one): quick_check, which does not compare an index with its table, passed it."""
        try:
            found = [line for (line,) in
                     self.db.execute(f"PRAGMA integrity_check({int(limit)})")]
        except EngineClosed:
            raise  # (a sqlite3.DatabaseError too, but no problem of the file's)
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        return [] if found == ["ok"] else found

    def removed_safeguards(self) -> list[str]:
        """The triggers that refuse to rewrite the events, the county settings (and their
        set-asides), the sanctions and the links between cases, each one that is gone or not
        as doudi made it (one dropped to edit the history with sqlite3 and not put back: the
        file takes UPDATE and DELETE from then on); [] when all are."""
        stored = dict(self.db.execute("select name, sql from sqlite_master where type = 'trigger'"
                                      ).fetchall())
        found = []
        for trigger in (*TRIGGERS, *LOCAL_PARAMETER_TRIGGERS, *VOID_TRIGGERS, *SANCTION_TRIGGERS,
                        *LINK_TRIGGERS, *CALENDAR_YEAR_TRIGGERS, *CALENDAR_YEAR_VOID_TRIGGERS):
            words = trigger.split()
            name, action, table = words[5], words[7], words[9]
            what = f"trigger {name}, which refuses {action.upper()} on {table},"
            if name not in stored:
                found.append(f"{what} is gone")
            elif _words(stored[name]) != _words(trigger.replace(" if not exists", "", 1)):
                found.append(f"{what} is not as doudi made it")
        return found

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads that see the database as of one moment (a read transaction)."""
        if self.db.conn.in_transaction:
            yield
            return
        self.db.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.db.conn.execute("COMMIT")

    def write_transaction(self) -> _WriteTransaction:
        """BEGIN IMMEDIATE: take the write lock first (waiting up to busy_timeout), so a
        transaction never starts reading a snapshot it then cannot upgrade to a write. Inside
        a caller's transaction (e.g. the demo), a savepoint of it. Committed when the block
        ends, rolled back if it raises."""
        return _WriteTransaction(self)

    def _begin(self) -> None:
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            self._not_begun(exc)

    def _not_begun(self, exc: sqlite3.OperationalError) -> NoReturn:
        """Raise what BEGIN IMMEDIATE's ``exc`` means: the lock held past the wait is
        :class:`Busy`, a full disk :class:`DiskFull`."""
        self._refuse_read_only_companion(exc)
        if disk_full(exc):
            raise DiskFull.of(self.path, exc) from None
        if "locked" not in str(exc):
            raise exc
        raise _held(exc) from None

    def _refuse_read_only_companion(self, exc: sqlite3.OperationalError) -> None:
        """A write refused as to "a readonly database" when the file itself can be written:
        its folder is read-only (SQLite cannot make the log there), or its shared memory or
        log is (made by a process that could only read the file, then with its mode), which
        SQLite does not say."""
        if "readonly database" not in str(exc) or self.path is None:
            return
        real = os.path.realpath(self.path)
        if not os.access(real, os.W_OK):
            return
        folder = os.path.dirname(real)
        # (the folder matters while SQLite has a file to make there: a shared memory left
        # without its log read as SQLite's bare "readonly database")
        if not os.access(folder, os.W_OK) and not all(
                os.path.exists(real + companion) for companion in ("-shm", "-wal")):
            raise DoudiError(f"{self.path}: nothing written: its folder {folder} cannot be "
                             "written, and SQLite keeps the database's log and shared memory "
                             "beside it: make the folder writable") from None
        for companion, or_else in ((real + "-shm", ", or remove it while no process has the "
                                    "database open"), (real + "-wal", "")):
            if os.path.exists(companion) and not os.access(companion, os.W_OK):
                raise DoudiError(f"{self.path}: nothing written: {companion} is read-only (left "
                                 "by a process that could only read the database): make it "
                                 f"writable{or_else}") from None

    def settings_changed(self, set_aside: bool = False) -> bool:
        """Whether a county setting or a calendar year was recorded after those the caller
        counts with (and, ``set_aside``, a set-aside: only a refusal on a damaged setting
        asks, as only a damaged setting is set aside, and an engine counting with one writes
        nothing for its county)."""
        return self._changed(set_aside) is not None

    def years_changed(self) -> bool:
        """Whether a calendar year, or a set-aside of one, was recorded after those the
        caller counts with."""
        if self.years_read is None:
            return False
        newest = self.db.conn.execute(f"select {_NEWEST_YEARS}").fetchone()
        return self.years_read != (newest[0] or 0, newest[1] or 0)

    def _changed(self, set_aside: bool = False) -> str | None:
        """What was recorded since the caller read it (:meth:`settings_changed`), in words;
        None if nothing. One look-up."""
        settings, years = self.settings_read, self.years_read
        if settings is None:
            return "a calendar year was recorded (or set aside)" if self.years_changed() else None
        # (the years' set-asides asked only where a year was read: see _YEARS_CHECKED)
        voids = set_aside or (years is not None and years[0] > 0)
        newest = self.db.conn.execute(_NEWEST_SETTINGS if set_aside else _NEWEST_COUNTED
                                      if voids else _NEWEST_COUNTED_YEARS).fetchone()
        if settings[0] != (newest[0] or 0) or (set_aside and settings[1] != (newest[3] or 0)):
            return "a county's parameters were changed"
        if years is not None and (years if voids else years[:1]) != (
                (newest[1] or 0, newest[2] or 0) if voids else (newest[1] or 0,)):
            return "a calendar year was recorded (or set aside)"
        return None

    def _refuse_changed_settings(self) -> None:
        """:class:`SettingsChanged` if :meth:`settings_changed` (a write's check)."""
        changed = self._changed()
        if changed is not None:
            raise SettingsChanged(f"{changed} by another writer meanwhile: nothing written; "
                                  "try again")

    def _write(self, changes: list[Change]) -> None:
        # Plain SQL, one executemany per table for all the changes: sqlite-utils' insert()
        # introspects the table on every call, and an import batch holds hundreds of cases.
        opened: list[Change] = []
        updated: list[Change] = []
        for change in changes:
            (opened if change.new_case else updated).append(change)
        # The county settings counted with must still be the newest, under the write lock: a
        # write that updates a case asks in the cases' UPDATE (_update_cases: one statement
        # fewer an event, about 2 % of fire's instructions); one that only opens asks first.
        if not updated:
            self._refuse_changed_settings()
        now = _now()
        if opened:
            rows: list[tuple] = []
            # Each prefix's highest number opened: one upsert a prefix, not one a case (an
            # import batch opens a hundred), the prefixes in the order first opened.
            numbers: dict[str, int] = {}
            for change in opened:  # (one loop, not three comprehensions: most write one)
                change.attributes_json = _ATTRIBUTES(change.case.attributes)
                rows.append(change.case.to_row(change.attributes_json, now))
                split = change.numbered
                if split and split[1] >= numbers.get(split[0], split[1]):
                    numbers[split[0]] = split[1]
            try:
                _CASE_ROWS.write(self.db.conn, rows)
            except sqlite3.IntegrityError:
                self._refuse_changed_settings()  # (asked first, as before any write)
                # Looked for only when refused (a read a case opened, before): an id taken
                # since it was chosen (another process opened a case with it) is said so.
                taken = self._existing([c.case.id for c in opened])
                if taken:
                    raise Conflict(f"case {taken[0]} already exists") from None
                raise
            if numbers:
                self.db.conn.executemany(
                    "insert into case_numbers (prefix, highest) values (?, ?) on conflict "
                    "(prefix) do update set highest = max(highest, excluded.highest)",
                    numbers.items())
        if updated:
            self._update_cases(updated)
        events, deadline_updates, deadline_rows, cleared, sanctions, links = [], [], [], [], [], []
        for change in changes:
            case_id = change.case.id
            previous = change.last_hash
            if change.new_case:
                previous = GENESIS
            elif previous is None:
                last = self.db.execute("select hash from events where case_id = ? "
                                       "order by seq desc limit 1", [case_id]).fetchone()
                previous = last[0] if last and last[0] else GENESIS
            rows = []
            # An opening's entry carries the attributes the case row holds (the very values,
            # made read-only): their text, encoded once already, is the payload's too. The
            # payload's encoder refuses what the attributes' writes (NaN, Infinity) and turns
            # the rest to text alike; with neither in the text, the two are the same.
            same = None
            if change.new_case:
                text = change.attributes_json
                entry = change.entries[0]
                if (entry.seq == 0 and "NaN" not in text and "Infinity" not in text  # type: ignore[operator]
                        and _the_same(entry.payload, change.case.attributes)):
                    same = entry
            for entry in change.entries:
                # (event_hash of the row's values, which are in its order: no dict a row to
                # read them back from, for the hash and again for the statement)
                values = _event_row(case_id, entry, now, text if entry is same else None)
                digest = chained_digest(values, previous)
                rows.append((*values, previous, digest))
                previous = digest
                entry.stamp(now, previous)  # (the change's own entry: see HistoryEntry.stamp)
            change.last_hash, change.rows = previous, rows
            events += rows
            changed = ([], change.deadlines) if change.new_case else _changed_deadlines(
                change.stored, change.deadlines)  # (a new case has none stored yet)
            # (loops rather than comprehensions: each of those is a function made and called,
            # for the one or two rows an event writes)
            if changed is None:  # not known what the store holds: write them all again
                cleared.append((case_id,))
                for d in change.deadlines:
                    deadline_rows.append(d.to_row(case_id))
            else:
                updates, appended = changed
                for d in updates:
                    deadline_updates.append(d.to_row(case_id))
                for d in appended:
                    deadline_rows.append(d.to_row(case_id))
            for seq, sanction in change.sanctions:
                sanctions.append(sanction.to_row(case_id, seq))
            for other, relation, on, seq in change.links:
                links.append({"case_id": case_id, "other_id": other, "relation": relation,
                              "on": iso_text(on), "seq": seq})
        conn = self.db.conn
        _EVENT_ROWS.write(conn, events)
        if cleared:
            conn.executemany("delete from deadlines where case_id = ?", cleared)
        if deadline_updates:
            cursor = _DEADLINE_UPDATES.write(conn, deadline_updates)
            # (the rows were not as we read them)
            if cursor.rowcount != len(deadline_updates):  # type: ignore[union-attr]
                raise Conflict("a case's deadlines were changed by another writer meanwhile: "
                               "nothing written; reload it and try again",
                               command_line="a case's deadlines were changed by another writer "
                               "meanwhile: nothing written; run the command again")
        _DEADLINE_ROWS.write(conn, deadline_rows)
        # (each table one chain in the order recorded, chained to its last row's hash, read
        # here under the write lock)
        if len(sanctions) > 1 or len(links) > 1:
            _in_order_recorded(changes, sanctions, links)
        if sanctions:  # (most events impose none and link nothing: no call)
            chained(sanctions, self._last_hash("sanctions"), SANCTION_HASHED)
            _insert(self.db, "sanctions", sanctions)
        # Links last: a link may point at a case opened by the same event.
        if links:
            chained(links, self._last_hash("links"), LINK_HASHED)
            _insert(self.db, "links", links)

    def _update_cases(self, changes: list[Change]) -> None:
        """Optimistic concurrency: write only over the version each change was computed from,
        and (where the caller counts with the county settings, or the calendar years) only
        while the newest setting, and year, is the one it counted with: else
        :class:`SettingsChanged`, as :meth:`_write` asks."""
        rows = []
        counted = self.settings_read
        years: tuple[int, ...] | None = self.years_read
        # (the set-asides' newest id checked only where a year was stored when read: else a
        # year recorded since, which any set-aside needs, changes the years' newest id)
        if years is not None and not years[0]:
            years = years[:1]
        updates = _CASE_UPDATES_CHECKING[counted is not None, 0 if years is None else len(years)]
        checked = (() if counted is None else (counted[0],)) + (() if years is None else years)
        for change in changes:
            c = change.case
            stored = change.stored_attributes
            # (most events change no attribute: the text stored for them is written again,
            # not encoded anew, when every value is the very object it was, under its name)
            change.attributes_json = stored[1] if stored is not None and _the_same(
                c.attributes, stored[0]) else _ATTRIBUTES(c.attributes)
            row = (c.county, c.state, change.attributes_json, iso_text(c.last_event_on), c.id,
                   c.version)  # (in _CASE_UPDATES' columns' order)
            rows.append((*row, *checked) if checked else row)
        cursor = updates.write(self.db.conn, rows)
        if cursor.rowcount != len(changes):  # type: ignore[union-attr]  # (rows: a cursor)
            self._refuse_changed_settings()  # (the settings first: the write asked so before)
            versions = self.versions([c.case.id for c in changes])
            stale = next(c.case.id for c in changes if versions.get(c.case.id) != c.version)
            raise Conflict(f"case {stale} was changed by another writer meanwhile: "
                           "nothing written; reload it and try again",
                           # (a command has nothing to reload: run again, it reads the case)
                           command_line=f"case {stale} was changed by another writer meanwhile: "
                           f"nothing written; see it with doudi case show {stale}, and run the "
                           "command again if it still applies")

    def versions(self, ids: list[str]) -> dict[str, int]:
        """The stored version of each case of ``ids`` there is."""
        return dict(self._where_in("select id, version from cases where id", ids))

    def _existing(self, ids: list[str]) -> list[str]:
        return [i for (i,) in self._where_in("select id from cases where id", ids)]


def _in_order_recorded(changes: list[Change], *tables: list[dict]) -> None:
    """Sort the sanctions' and links' rows of ``changes`` by the place of the event that
    recorded each (:attr:`Change.places`), where the changes give them: an import batch's
    rows gathered case by case go into their chains as one line a batch puts them (sorted
    stably: one event's rows keep the order it gave them)."""
    places = {change.case.id: change.places for change in changes if change.places}
    if places:
        for rows in tables:
            rows.sort(key=lambda row: places.get(row["case_id"], {}).get(row["seq"], 0))


def _held(exc: sqlite3.OperationalError) -> Busy:
    """The error of a write whose lock SQLite could not get within the wait (``exc``): a
    DoudiError, so that a platform catching those sees it (a retry may succeed)."""
    return Busy.held(f"another writer held the database past the wait ({exc})")


class _WriteTransaction:
    """:meth:`Store.write_transaction`'s block, as a class: contextlib's generator-based
    manager costs each event a generator and three more calls."""

    __slots__ = ("savepoint", "store")

    def __init__(self, store: Store) -> None:
        self.store = store
        self.savepoint: contextlib.AbstractContextManager | None = None

    def __enter__(self) -> None:
        if self.store.db.conn.in_transaction:  # inside a caller's transaction
            self.savepoint = self.store.db.atomic()
            self.savepoint.__enter__()
        else:
            self.store._begin()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: Any) -> bool:
        if self.savepoint is not None:
            return bool(self.savepoint.__exit__(kind, exc, traceback))
        if kind is None:
            self.store._end()
            return False
        self.store._roll_back(exc)
        return False  # (the exception goes on)


def _through(column: str, seq: int | None) -> tuple[str, list[int]]:
    """The condition (and its argument) that keeps the rows of the events up to ``seq``."""
    return ("", []) if seq is None else (f" and {column} <= ?", [seq])


def _event_row(case_id: str, entry: HistoryEntry, now: str, payload: str | None = None
               ) -> tuple:
    """The values of an event's row its hash covers, in :data:`HASHED`'s order (``payload``:
    the payload's text when the caller has it already)."""
    return (case_id, entry.seq, entry.event, iso_text(entry.on), now, entry.actor,
            _dumps(entry.payload) if payload is None else payload, entry.reason,
            entry.from_state, entry.to_state, _dumps(entry.derived) if entry.derived else None,
            entry.key, entry.corrects)


def _changed_deadlines(
    stored: list[Deadline] | None, deadlines: list[Deadline]
) -> tuple[list[Deadline], list[Deadline]] | None:
    """(changed, appended) against what the store holds; None when only a full rewrite fits.

    Events only ever change deadlines in place or append new ones (``apply_event`` copies
    what it changes), so an unchanged deadline is the very object the store gave.
    """
    if stored is None or len(deadlines) < len(stored):
        return None
    changed = []
    # Compared by identity in C (map, compress): a case's deadlines grow with its history,
    # and an event changes one or two of them.
    for i in compress(range(len(stored)), map(is_not, stored, deadlines)):
        old, new = stored[i], deadlines[i]
        if (new.rule, new.instance) != (old.rule, old.instance):
            return None
        changed.append(new)
    return changed, deadlines[len(stored):]


# json.dumps builds a new encoder for every call with options; these are built once.
_ATTRIBUTES = json_encoder(ensure_ascii=False, sort_keys=True)
_PAYLOAD = json_encoder(ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)


def _the_same(mapping: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether the two hold the very same objects under the same names, in the same order
    (so encoding either gives the same text)."""
    return (len(mapping) == len(other) and all(map(is_, mapping.values(), other.values()))
            and all(map(eq, mapping, other)))


def _dumps(value: Any) -> str:
    return _PAYLOAD(dict(value)) if value else "{}"  # most events carry no payload


def plain(value: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh copy of a payload or attributes, as the database gives it back."""
    return json.loads(_dumps(value)) if value else {}  # (an event's derived is mostly {})


_DECODER = json.JSONDecoder()


def parsed(text: str) -> Any:
    """The value of JSON text this module encoded (:func:`plain` of what it was encoded from,
    without encoding it again)."""
    # (whole and unpadded: no check for what follows)
    return _DECODER.scan_once(text, 0)[0]  # type: ignore[attr-defined]


def copied(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars): several times quicker than
    ``copy.deepcopy`` or a JSON round trip for the small payloads a case holds."""
    if isinstance(value, dict):
        # (most mappings hold only text and numbers: one copy of the dict is a deep one)
        if JSON_SCALARS.issuperset(map(type, value.values())):
            return dict(value)
        return {k: copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copied(v) for v in value]
    return value


def _check_durability(durability: Any) -> None:
    if not isinstance(durability, str) or durability not in DURABILITY:
        raise InvalidInput(f"unknown durability {durability!r} "
                           f"(choose from: {', '.join(DURABILITY)})")


def _insert(db: sqlite_utils.Database | ClosedDatabase, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    _rows_of(table, tuple(rows[0])).write(db.conn, rows)


def _attribute_value(damaged: dict[str, Exception], case_id: str, text: str, path: str
                     ) -> Any:
    """What SQLite's ``json_extract(text, path)`` gives for the top-level ``path`` ("$.name"),
    for attributes its JSON functions cannot read, read as the rest of doudi reads them
    (Python's json, which takes NaN and Infinity). A value the caller cannot use (not
    finite, in it or itself) or attributes that are no JSON object: None, and ``damaged``
    gets the case's id and the error (a :class:`DamagedRecord` for the value)."""
    try:
        attributes = json.loads(text)
    except ValueError as exc:
        damaged[case_id] = exc
        return None
    if not isinstance(attributes, dict):
        damaged[case_id] = ValueError("its attributes are not a JSON object")
        return None
    name = path[2:]
    value = attributes.get(name)
    try:
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError
        return int(value) if isinstance(value, bool) else value
    except ValueError:
        damaged[case_id] = DamagedRecord(
            f"case {case_id!r} cannot be counted: its {name} is "
            f"{json.dumps(value, ensure_ascii=False)}, which holds a number that is not finite "
            "(recorded so before 2026-11-23, or changed outside doudi; doudi case show "
            f"{case_id} shows it)")
        return None


@functools.cache
def _rows_of(table: str, columns: tuple[str, ...]) -> _Rows:
    """The writer of ``table``'s rows with ``columns``, made once per shape."""
    return _Rows(table, columns)


class _Rows:
    """The statements that write rows of one shape (a dict with ``columns``, or with
    ``positional`` a tuple of their values in order) into ``table``:
    inserts, or with ``where``, updates assigning every column but ``key``, which ``where``
    binds. One statement for each set of the table's mostly-NULL columns left NULL in every
    row (see :data:`_MOSTLY_NULL`), made once and found by which of them are None: the rows
    every event writes (the case's, its event's, its deadlines') are always of one shape, so
    they are written without the generic :func:`_insert`'s look-ups of the shape and its
    statement (a tuple of the row's columns hashed three times, and two calls) for each.
    Other rows go through :func:`_insert`, which keeps a writer for each table and shape."""

    __slots__ = ("columns", "key", "nones", "optional", "optional_of", "positional", "statements",
                 "table", "where")

    def __init__(self, table: str, columns: tuple[str, ...], where: str = "",
                 key: tuple[str, ...] = (), positional: bool = False) -> None:
        self.table, self.columns, self.where, self.key = table, columns, where, key
        #: Rows are tuples of the columns' values in their order, not dicts (an event's).
        self.positional = positional
        self.optional = tuple(c for c in columns if c in _MOSTLY_NULL.get(table, ()))
        self.nones = (None,) * len(self.optional)
        found = self._found(self.optional)
        # (a tuple of a row's optional values, one C call; itemgetter of one gives the value,
        # of a slice of a tuple the 1-tuple)
        if len(found) > 1:
            self.optional_of: Callable[[Any], tuple] = itemgetter(*found)
        elif found and positional:
            self.optional_of = itemgetter(slice(found[0], found[0] + 1))
        elif found:
            self.optional_of = lambda row, c=found[0]: (row[c],)  # type: ignore[misc]
        else:  # (a table with none, e.g. links: every value is bound)
            self.optional_of = lambda row: ()
        self.statements: dict[tuple[bool, ...], tuple[str, Callable | None]] = {}

    def write(self, conn: sqlite3.Connection, rows: list) -> sqlite3.Cursor | None:
        """Write ``rows`` (each with exactly this shape's columns) in one executemany."""
        if not rows:
            return None
        optional = self.optional
        if len(rows) == 1:
            null = tuple(map(is_, self.nones, self.optional_of(rows[0])))
        else:  # (each optional column's values, counted in C: None in every row or not)
            null = tuple(map(len(rows).__eq__, map(
                tuple.count, zip(*map(self.optional_of, rows), strict=True), repeat(None))))
        found = self.statements.get(null)
        if found is None:
            found = self.statements[null] = self._statement(
                tuple(c for c, n in zip(optional, null, strict=True) if n))
        sql, values = found
        return conn.executemany(sql, rows if values is None else map(values, rows))

    def _statement(self, nulls: tuple[str, ...]) -> tuple[str, Callable | None]:
        """The statement, and what takes a row's values to bind from it (None: the row as it
        is, a tuple binding every column in its order)."""
        if not self.where:
            sql, bound = _insert_sql(self.table, self.columns, nulls)
        else:
            assigned = tuple(c for c in self.columns if c not in self.key)
            sql, bound = _update_sql(self.table, assigned, self.where, nulls)
            bound = (*bound, *self.key)
        if bound == self.columns and self.positional:
            return sql, None
        return sql, _values(self._found(bound))

    def _found(self, columns: tuple[str, ...]) -> tuple:
        """How a row's values of ``columns`` are found in it: their names, or their places."""
        return tuple(map(self.columns.index, columns)) if self.positional else columns


@functools.cache
def _values(columns: tuple) -> Callable[[Any], tuple]:
    """A row's values of ``columns`` (names, or places in a tuple), in order, as a tuple: one C
    call a row."""
    if len(columns) > 1:
        return itemgetter(*columns)
    return lambda row: tuple(row[c] for c in columns)


#: Columns of the tables every event writes that are mostly NULL. One NULL in every row a
#: statement writes is said in the statement (``NULL``) rather than bound as None: for each
#: None it binds, sqlite3 looks for an adapter (a dictionary look-up, then ``__adapt__`` on
#: its protocol class, whose AttributeError it formats and drops), about 1 µs; an event's
#: rows hold a dozen (its actor, reason, derived data and key; a deadline's stop fields).
#: The stored value is the same NULL either way.
_MOSTLY_NULL = {
    "events": frozenset({"actor", "reason", "derived", "idempotency_key", "corrects"}),
    "deadlines": frozenset({"stopped_on", "stop_event", "outcome", "extended_by", "paused_on",
                            "subject", "moved_from", "pauses"}),
    "cases": frozenset({"county"}),
}


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...], nulls: tuple[str, ...] = ()
                ) -> tuple[str, tuple[str, ...]]:
    """The statement and the columns it binds; built once per table, column set and
    ``nulls`` (the columns it sets NULL; a handful), not once per event."""
    return (f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
            f"values ({', '.join('NULL' if c in nulls else '?' for c in columns)})",
            tuple(c for c in columns if c not in nulls))


@functools.cache
def _update_sql(table: str, columns: tuple[str, ...], where: str, nulls: tuple[str, ...] = ()
                ) -> tuple[str, tuple[str, ...]]:
    """As :func:`_insert_sql`: the statement and the columns it binds (then ``where``'s)."""
    assigned = ", ".join(f"[{c}] = NULL" if c in nulls else f"[{c}] = ?" for c in columns)
    return (f"update [{table}] set {assigned}{where}",
            tuple(c for c in columns if c not in nulls))


#: The rows every event writes: its event's (a tuple, :data:`EVENT_COLUMNS`: the values of
#: :func:`_event_row`, then its chain's hashes), its deadlines' (:meth:`Deadline.to_row`: the
#: fields, then the case), and what it changes of its case's row: only what an event can
#: change, since SQLite rewrites the entries of every index whose columns an UPDATE assigns,
#: changed or not (province, workflow, opened_on never change); and the row of a case it
#: opens (a tuple, :meth:`CaseRecord.to_row`).
_EVENT_ROWS = _Rows("events", EVENT_COLUMNS, positional=True)
_DEADLINE_ROWS = _Rows("deadlines", _DEADLINE_COLUMNS)
_DEADLINE_UPDATES = _Rows("deadlines", _DEADLINE_COLUMNS,
                          " where case_id = ? and rule = ? and instance = ?",
                          key=("case_id", "rule", "instance"))
_CASE_ROWS = _Rows("cases", (*_CASE_COLUMNS[:-1], "created_at", "version"), positional=True)
_CASE_UPDATES = _Rows("cases", ("county", "state", "attributes", "last_event_on", "id", "version"),
                      ", version = version + 1 where id = ? and version = ?", key=("id", "version"),
                      positional=True)
#: The same, matching only while the newest county setting's id is the one the changes were
#: counted with (Store.settings_read; 0: none), bound last (``settings``, no column); and so
#: the newest calendar year's and set-aside's (Store.years_read, ``years``, ``year_voids``):
#: by which the caller counts with.
_SETTINGS_CHECKED = "coalesce((select max(id) from local_parameters), 0) = ?"
#: (``years`` 1: the calendar years' alone, where none was stored when read, so that no
#: set-aside can be recorded without a year first, which the check sees; 2: their set-asides'
#: too: a subquery fewer an event for the database that holds no year)
_YEARS_CHECKED = {1: ("coalesce((select max(id) from calendar_years), 0) = ?",),
                  2: ("coalesce((select max(id) from calendar_years), 0) = ?",
                      "coalesce((select max(id) from calendar_year_voids), 0) = ?")}
_CASE_UPDATES_CHECKING = {
    (settings, years): _Rows(
        "cases", (*_CASE_UPDATES.columns, *checked),
        " and ".join([", version = version + 1 where id = ? and version = ?",
                      *([_SETTINGS_CHECKED] if settings else []),
                      *_YEARS_CHECKED.get(years, ())]),
        key=("id", "version", *checked), positional=True) if settings or years else _CASE_UPDATES
    for settings in (False, True) for years in (0, 1, 2)
    for checked in [(("settings",) if settings else ()) + ("years", "year_voids")[:years]]}


def _filters(prefix: str = "", **values: str | None) -> tuple[str | None, list]:
    clauses = [f"{prefix}{k} = ?" for k, v in values.items() if v is not None]
    args = [v for v in values.values() if v is not None]
    return (" and ".join(clauses) or None), args


#: (second, its text): the last :func:`_now`, since every write in one second shares it.
_last_now: tuple[int, str] = (-1, "")


def _now() -> str:
    """The time now in UTC to the second, as ``datetime.now(UTC).isoformat(timespec=
    "seconds")`` writes it (the same clock, cut to the second alike), formatting the text
    once a second instead of on every write."""
    global _last_now
    second = time.time_ns() // 1_000_000_000
    last = _last_now  # (read once: another thread may replace it meanwhile, with its second)
    if last[0] != second:
        last = _last_now = (second,
                            datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds"))
    return last[1]
