"""Work over every case of a database, mixed into :class:`engine.core.Engine`: re-derive the
deadlines after calendar data or a parameter changed (``recompute``), record what happened by
itself (``advance``), and check the evidence (``verify``).

Each reads the cases in chunks and writes :data:`WRITE_BATCH` cases a transaction, so memory
stays flat and a failure leaves whole batches. ``recompute`` and ``advance`` go on past a case
they cannot read or re-derive (:data:`Skipped`, :class:`LeftCases`), as a damaged county
setting stops only its own place: the damage is not undone by running again, so stopping
there would stop every later run.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from engine import arguments, calendar_years, local_parameters
from engine.deadlines import Deadline, kept_when_stopped
from engine.errors import Busy, Conflict, DamagedRecord, DoudiError, InvalidInput, UnknownName
from engine.guards import HistoryEntry, attributes_given_by
from engine.integrity import (
    GENESIS,
    LINK_HASHED,
    SANCTION_HASHED,
    SETTING_HASHED,
    VOID_HASHED,
    YEAR_HASHED,
    YEAR_VOID_HASHED,
    Finding,
    SettingChainFinding,
    SettingFinding,
    broken_links,
    disagreement,
    json_encoder,
    row_altered,
    verify_chain,
)
from engine.settings_then import SettingsThen
from engine.store import CaseRecord, CaseRows, Change, Store, entries, plain
from engine.workflow import RECOMPUTE_EVENT

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar
    from engine.calendar_years import CalendarYear, YearsInForce
    from engine.local_parameters import LocalSetting, Place
    from engine.registry import Registry
    from engine.workflow import Workflow

AUTO_ACTOR = "doudi (by itself)"
WRITE_BATCH = 500  # cases recompute and advance write per transaction: an fsync a batch
#: Cases recompute, advance and verify list at a time, each chunk's histories and deadlines
#: read together: a statement a table a chunk, not a case. Not 1,000: the garbage collector
#: walks the rows a chunk holds, so over 3,000 cases recompute took no less CPU time than
#: reading case by case, and the peak RSS was 21-29 MB higher (4-6 MB at 100).
READ_CHUNK = 100
_T = TypeVar("_T")  # what a batched writer reports for each change
#: A due date ``recompute`` moved: (case id, rule, instance, old due date, new due date).
MovedDate = tuple[str, str, int, date, date]
#: A stopped deadline ``recompute`` kept as it was judged, its due date not moved: (case id,
#: rule, instance, the due date kept, the due date the rules now give).
KeptDate = tuple[str, str, int, date, date]
#: What differs in a deadline besides its due date, as a ``recompute`` event names it.
DEADLINE_FIELDS = tuple(f.name for f in attrs.fields(Deadline)
                        if f.name not in ("rule", "instance", "due_on", "provisional"))
#: A case's chain head: (case id, seq of its last event, that event's hash).
ChainHead = tuple[str, int, str]
HASH_PATTERN = re.compile("[0-9a-f]{64}")
#: A chained table's head: (the table's name, the id of its last row, that row's hash); a
#: link's id is its rowid.
TableHead = tuple[str, int, str]
#: The tables that are each one hash chain in id order, in the order :meth:`Maintenance.verify`
#: checks them: (name, what a finding calls a row, the row's id column, the hashed columns).
CHAINED_TABLES = (("local_parameters", "county setting", "id", SETTING_HASHED),
                  ("local_parameter_voids", "county setting set-aside", "id", VOID_HASHED),
                  ("sanctions", "sanction", "id", SANCTION_HASHED),
                  ("links", "link", "rowid", LINK_HASHED),
                  ("calendar_years", "calendar year", "id", YEAR_HASHED),
                  ("calendar_year_voids", "calendar year set-aside", "id", YEAR_VOID_HASHED))
#: The chained tables checked with ``case_id`` too (the others are read whole, without it).
_CHECKED_FOR_A_CASE = ("local_parameters", "local_parameter_voids", "calendar_years",
                       "calendar_year_voids")
#: Cases whose chain heads :meth:`Maintenance.chain_heads` reads at a time.
HEADS_CHUNK = 1000
# (SQLite gives the hash of the row whose seq is the max)
_HEADS = "select case_id, max(seq), hash from events {where} group by case_id order by case_id"
#: An event ``advance`` recorded: (case id, event, date).
Recorded = tuple[str, str, date]
#: Called with each case ``recompute`` or ``advance`` left as it was, and why: (case id, the
#: error). A case it cannot read or re-derive: a row changed outside doudi
#: (:class:`DamagedRecord`), its province's plugin not loaded or failing on its data
#: (:class:`PluginError`), a workflow or date its rows name that doudi no longer has. Any
#: :class:`DoudiError` but a :class:`Conflict` (another writer, :class:`Busy`), which, as a
#: failing database (``sqlite3.Error``), stops the run.
Skipped = Callable[[str, DoudiError], None]
#: A way audit verify tries of counting a case's events as they were counted (with the county
#: settings, or on the calendar years, as they stood): what sets them for an event (by its
#: index), and what names those recorded since and whether some came before its last event.
_Try = tuple[Callable[[int], None], Callable[[], tuple[str, bool]]]
#: The ways of counting with the county settings and the calendar years together tried for a
#: case at most (each a settings cut with a years cut; nearly always one: more only where some
#: were recorded in the second of its last event, :data:`engine.settings_then._CUTS_TRIED`).
_BOTH_TRIED = 16


#: What ``recompute`` and ``advance`` could not do with a case they left (:meth:`LeftCases.said`):
#: one wording for the API's error and the CLI's line.
_COULD_NOT = {"recompute": "read or re-derive", "advance": "read or work out"}


class LeftCases:
    """The cases a run of :meth:`Maintenance.recompute` or :meth:`Maintenance.advance` left as
    they were: counted, the first kept, each passed on to ``on_skipped`` if there is one. The
    CLI passes one as its ``on_skipped`` and says :meth:`said` once the others are written."""

    def __init__(self, on_skipped: Skipped | None = None) -> None:
        self.count = 0
        self.first: tuple[str, DoudiError] | None = None
        self.damaged = False  # (whether one was left for a row changed outside doudi)
        self.on_skipped = on_skipped

    def __call__(self, case_id: str, error: DoudiError) -> None:
        self.count += 1
        if self.first is None:
            self.first = (case_id, error)
        self.damaged = self.damaged or isinstance(error, DamagedRecord)
        if self.on_skipped is not None:
            self.on_skipped(case_id, error)

    def said(self, command: str, problem: Callable[[DoudiError], str] = str) -> str:
        """How many cases ``command`` (recompute, advance) left and the first, with its
        ``problem``."""
        assert self.first is not None
        case_id, first = self.first
        left = ("1 case and left it as it was" if self.count == 1
                else f"{self.count} cases and left them as they were, the first")
        return (f"{command} could not {_COULD_NOT[command]} {left} ({case_id}: {problem(first)}); it went on "
                "with the others")

    def raise_if_any(self, command: str) -> None:
        """Without ``on_skipped``, one error for them all, of the first one's kind (a
        ``DamagedRecord`` caught as before), naming how many and the first."""
        if self.first is None or self.on_skipped is not None:
            return
        first = self.first[1]
        message = self.said(command)
        try:
            error = type(first)(message)
        except TypeError:  # (a plugin's own kind, made otherwise)
            error = DoudiError(message)
        else:
            error.__dict__.update(first.__dict__)  # (a DamagedRecord's problem)
        error.command_line = None
        raise error


def _kept_heads(heads: Iterable[ChainHead] | None) -> Iterable[ChainHead]:
    """``verify``'s ``heads``, checked: each (case id, seq, hash) as :meth:`chain_heads` gives.
    Heads that can be read again (a list, `audit verify --heads`'s file) are checked here and
    read again where they are used, not copied: a million are several hundred MB; an
    iterator, read once, is held."""
    if heads is None:
        return []
    if isinstance(heads, (str, bytes)) or not isinstance(heads, Iterable):
        raise InvalidInput(f"heads must be (case id, seq, hash) triples, got {arguments.spelled(heads)}")
    once = iter(heads) is heads
    kept = []
    for head in heads:
        if not (isinstance(head, (tuple, list)) and len(head) == 3
                and isinstance(head[0], str) and head[0]
                and isinstance(head[1], int) and not isinstance(head[1], bool)
                and 0 <= head[1] <= arguments.LARGEST_INTEGER
                and isinstance(head[2], str) and HASH_PATTERN.fullmatch(head[2])):
            raise InvalidInput("heads must be (case id, seq, hash) triples, as chain_heads "
                               f"gives them: got {arguments.spelled(head)}")
        if once:
            kept.append((head[0], head[1], head[2]))
    return kept if once else heads


def _kept_table_heads(heads: Iterable[TableHead] | None) -> list[TableHead]:
    """``verify``'s ``table_heads``, checked: each (table, id, hash) as
    :meth:`Maintenance.table_heads` gives; held (a list holds one a table)."""
    if heads is None:
        return []
    names = [table for table, *_ in CHAINED_TABLES]
    if isinstance(heads, (str, bytes)) or not isinstance(heads, Iterable):
        raise InvalidInput(f"table_heads must be (table, id, hash) triples, got {arguments.spelled(heads)}")
    kept = []
    for head in heads:
        if not (isinstance(head, (tuple, list)) and len(head) == 3 and head[0] in names
                and isinstance(head[1], int) and not isinstance(head[1], bool)
                and 0 < head[1] <= arguments.LARGEST_INTEGER
                and isinstance(head[2], str) and HASH_PATTERN.fullmatch(head[2])):
            raise InvalidInput("table_heads must be (table, id, hash) triples, as table_heads "
                               f"gives them (a table: {', '.join(names)}): got {arguments.spelled(head)}")
        kept.append((head[0], head[1], head[2]))
    return kept


#: Stored JSON text as written before 2026-11-23 may hold NaN or infinity (or a row changed
#: by hand may): compared as text, in which NaN is itself (as a value it equals nothing).
_AS_TEXT = json_encoder(ensure_ascii=False, sort_keys=True, default=str)


def _same_data(given: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """Whether a case's attributes as its history gives them are those stored."""
    try:
        return plain(given) == plain(stored)
    except ValueError:  # (NaN or infinity, which doudi no longer writes)
        return _AS_TEXT(dict(given)) == _AS_TEXT(dict(stored))


def deadline_differences(stored: list[Deadline], fresh: list[Deadline]
                         ) -> list[tuple[Deadline | None, Deadline | None]]:
    """Stored and freshly derived deadlines paired by rule and instance (a deadline's key, so
    that a rule a new version adds does not pair the rows after it with the wrong ones):
    each pair that differs, None on the side without one. Stored order, then those only the
    fresh side has."""
    now = {(d.rule, d.instance): d for d in fresh}
    kept = {(d.rule, d.instance) for d in stored}
    return ([(old, new) for old in stored if old != (new := now.get((old.rule, old.instance)))]
            + [(None, d) for d in fresh if (d.rule, d.instance) not in kept])


def _shown(value: Any) -> str:
    """A value in a finding: a date as YYYY-MM-DD, the rest as Python writes it, but a number
    that is not finite as the rest of the CLI writes it (NaN, Infinity, -Infinity: data
    recorded before 2026-11-23 may hold one), not Python's nan and inf."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_shown, value)) + "]"
    return repr(value)


def _unreadable_case(row: Mapping[str, Any], rows: list[dict], exc: DamagedRecord) -> Finding:
    """A case row that cannot even be read back (a date or its attributes changed by hand):
    a finding of its own, not a crash."""
    return Finding(row["id"], len(rows), "missing, or the case altered: its row cannot be "
                   f"read back ({exc.problem})")


def _last_hash(history: list[HistoryEntry]) -> str | None:
    """The hash of a case's last event as read with its history, for the write to chain the
    next one on without reading it back (None: the write reads it; a case another writer
    changed since is not written, the case's version says so)."""
    return (history[-1].hash or None) if history else None


class _StoredHashes:
    """The hashes a chained table's rows have (and GENESIS), looked for in the table when
    asked (:func:`engine.integrity.broken_links` asks only where a chain breaks)."""

    def __init__(self, store: Store, table: str) -> None:
        self.store, self.table = store, table

    def __contains__(self, digest: object) -> bool:
        # (no scan for a row added by hand without a prev_hash: NULL is no row's hash)
        return isinstance(digest, str) and (
            digest == GENESIS or self.store.has_hash(self.table, digest))


def _moved_by_settings(old: Deadline | None, new: Deadline | None, named: str,
                       earlier: bool = False, what: str = "county settings") -> str:
    """The finding of a deadline that county settings recorded since (``named``) move: as
    stored (``old``) and as the history now gives it (``new``); ``earlier``: some of them
    were recorded before the case's last event, after events counted without them."""
    d = old or new
    assert d is not None
    then = "run `doudi recompute` to record it"
    if old is None:
        stored, given = "is not stored", "give it"
    elif new is None:
        stored, given = "is stored", "give none"
    elif old.due_on != new.due_on:
        stored, given = f"is due {_shown(old.due_on)} as stored", f"give {_shown(new.due_on)}"
        if kept_when_stopped([old], [new])[1]:
            given += f", and it stopped on {_shown(old.stopped_on)}"
            then = "run `doudi recompute` to record that it keeps the due date it was judged by"
    else:
        field = next(f.name for f in attrs.fields(Deadline)
                     if getattr(old, f.name) != getattr(new, f.name))
        stored = f"has {field} {_shown(getattr(old, field))} as stored"
        given = f"give {_shown(getattr(new, field))}"
    return (f"{'or events before it ' if earlier else ''}came before {what} "
            f"recorded since: deadline {d.rule} #{d.instance} "
            f"{stored}; those {what.replace('county ', '').replace('calendar ', '')} "
            f"({named}) {given}: {then}")


class Maintenance:
    """Whole-database work. Mixed into :class:`engine.core.Engine`, whose store, workflows and
    event machinery (``_step``, ``_advance``, ``_commit``) it uses."""

    if TYPE_CHECKING:  # (Engine's, which it is mixed into: declared for the type checker)
        store: Store
        registry: Registry
        _workflows: dict[tuple, Workflow]
        _local: dict[Place, list[LocalSetting]] | None
        _damaged_places: dict[Place, list[DamagedRecord]]
        _years: YearsInForce | None
        _checked_calendars: dict[tuple[str, str | None], OfficialCalendar]
        _year_calendars: dict[tuple, OfficialCalendar]
        _cut_calendars: dict[tuple, tuple[dict, dict]]

        def calendar(self, province: str | None = None, county: str | None = None
                     ) -> OfficialCalendar: ...
        def _happened(self, on: date, name: str = "on") -> None: ...
        def _forget_settings(self) -> None: ...
        def _read_calendar_years(self) -> None: ...
        def _load(self, case_id: str) -> CaseRecord: ...
        def _workflow_of(self, case: CaseRecord, on: date | None = None) -> Workflow: ...
        def _commit(self, changes: list[Change], key: str | None = None) -> bool: ...
        def _advance(self, change: Change, history: list[HistoryEntry], until: date,
                     wf: Workflow | None = None) -> None: ...
        def _deadlines_from_history(
            self, case: CaseRecord, history: list[HistoryEntry], as_of: date | None,
            counted_with: Callable[[int], None] | None = None,
        ) -> list[Deadline]: ...

    def recompute(
        self,
        progress: Callable[[int], None] | None = None,
        on_moved: Callable[[MovedDate], None] | None = None,
        on_recorded: Callable[[str], None] | None = None,
        on_skipped: Skipped | None = None,
        on_kept: Callable[[KeptDate], None] | None = None,
    ) -> list[MovedDate]:
        """Re-derive every case's open deadlines from its history with today's calendar data
        and parameters; record a ``recompute`` event on each case whose stored deadlines differ
        from what its history gives (a due date moved, or anything else: a title, a basis
        after an upgrade), dated as the case's last event (its ``recorded_at`` says when it
        ran). The event's payload lists the moved dates (``moved``: rule, instance, old due
        date, new) and each other difference (``changed``: rule, instance, the fields that
        differ, or ``added`` / ``removed`` for a deadline only one side has). A stopped
        deadline whose due date the rules now move keeps the date and outcome it was judged
        by (issue 7): it is no moved date, and the payload lists it under ``kept`` (rule,
        instance, the fields kept), which a replay of the history applies. With ``on_kept``,
        each is passed to it (a :data:`KeptDate`) once its batch is committed, after its
        case's moved dates; the list returned never holds them.

        The county parameter settings are read afresh (another process may have recorded one
        since this engine read them). Cases with provisional deadlines go first. The cases
        recorded are written :data:`WRITE_BATCH` at a time (see :meth:`_write_batched`).
        Returns (case, rule, instance, old due, new due) for every due date that moved, a
        case's dates together. With ``on_moved``, each is passed to it once its batch is
        committed instead, and the list returned is empty: memory then stays flat however
        many dates move. With ``on_recorded``, the id of each case on which the event is
        recorded, moved dates or not, then too (before its moved dates).

        A case it cannot read or re-derive (see :data:`Skipped`) is left as it was and the
        others are written: with ``on_skipped``, each such case is passed to it (case id, the
        error) as it is found; without it, once every other case is written, one error of the
        first one's kind names how many were left and the first. ``progress`` counts them too.
        """
        arguments.callback(progress, "progress")
        arguments.callback(on_moved, "on_moved")
        arguments.callback(on_recorded, "on_recorded")
        arguments.callback(on_skipped, "on_skipped")
        arguments.callback(on_kept, "on_kept")
        left = LeftCases(on_skipped)
        # The county settings as stored now, not as this engine read them when it opened: a
        # platform's engine kept open would otherwise re-derive nothing that a `doudi
        # parameter set` in another process changed since. So are the calendar years
        # (`doudi calendar add`), read when it opened.
        self._forget_settings()
        self._read_calendar_years()
        moved: list[MovedDate] = []
        each_moved = on_moved or moved.append

        def done(recorded: tuple[str, list[MovedDate], list[KeptDate]]) -> None:
            case_id, dates, kept = recorded
            if on_recorded is not None:
                on_recorded(case_id)
            for moved_date in dates:
                each_moved(moved_date)
            if on_kept is not None:
                for kept_date in kept:
                    on_kept(kept_date)

        # Which cases go first is fixed before any is rewritten (a temporary table).
        db = self.store.db
        db.execute("drop table if exists temp.provisional_first")
        db.execute("create temp table provisional_first as "
                   "select distinct case_id as id from deadlines where provisional")
        first = "id in (select id from temp.provisional_first)"
        try:
            for condition in (first, f"not {first}"):  # the first all written, then the rest
                self._write_batched(self.store.case_row_chunks(condition, chunk=READ_CHUNK),
                                    self._recomputed_case, done, progress, left)
        finally:
            db.execute("drop table temp.provisional_first")
        left.raise_if_any("recompute")
        return moved

    def _recomputed_case(self, case: CaseRecord, stored: Store | CaseRows
                         ) -> tuple[Change, list[tuple[str, list[MovedDate], list[KeptDate]]]] | None:
        """The case's ``recompute`` change and (its id, the dates it moves, the stopped
        deadlines it keeps); None if nothing differs. ``stored``: where its rows are read (its
        chunk's, or the store)."""
        before = stored.deadlines(case.id)
        history = stored.history(case.id)
        # Only the open deadlines are re-derived (issue 7): a stopped one keeps the due date
        # and outcome it was judged by (kept_when_stopped), and the event records it (kept),
        # so that a replay of the history, as audit verify does, still gives the stored rows.
        derived = self._deadlines_from_history(case, history, None)
        fresh, kept = kept_when_stopped(before, derived)
        # Any other difference is written too, though no date moved: a basis, an outcome
        # (a rule that now overlaps), a subject a migration left empty, a title. The stored
        # rows must be what the history gives, or reports disagree with replay.
        if before == fresh and not kept:
            return None
        moves, changed = [], []  # (old, new) of each moved date; the other differences
        for old, new in deadline_differences(before, fresh):  # (never both None)
            if new is None:
                changed.append([old.rule, old.instance, ["removed"]])  # type: ignore[union-attr]
            elif old is None:
                changed.append([new.rule, new.instance, ["added"]])
            else:
                if (old.due_on, old.provisional) != (new.due_on, new.provisional):
                    moves.append((old, new))
                fields = [f for f in DEADLINE_FIELDS if getattr(old, f) != getattr(new, f)]
                if fields:
                    changed.append([old.rule, old.instance, fields])
        if not moves and not changed and not kept:
            # The same deadlines, stored in another order (rows renumbered outside doudi, a
            # version deriving them in another order): nothing an event could name.
            return None
        # Dated as the case's last event (``recorded_at`` says when it ran), not today: an
        # event that happened before today but is recorded after the recompute must not be
        # refused as earlier than the case's last event.
        on = case.last_event_on
        payload: dict[str, list] = {"moved": [[o.rule, o.instance, o.due_on.isoformat(),
                                               n.due_on.isoformat()] for o, n in moves]}
        if changed:
            payload["changed"] = changed
        if kept:
            payload["kept"] = kept
        entry = HistoryEntry(len(history), RECOMPUTE_EVENT, on, case.state, case.state,
                             payload, "期限依现行日历和参数重算", actor=AUTO_ACTOR)
        # (each kept deadline's due date as stored and as the rules now give it)
        was = {(d.rule, d.instance): d.due_on for d in before} if kept else {}
        now = {(d.rule, d.instance): d.due_on for d in derived} if kept else {}
        return (Change(case, [entry], fresh, last_hash=_last_hash(history)),
                [(case.id, [(case.id, o.rule, o.instance, o.due_on, n.due_on) for o, n in moves],
                  [(case.id, rule, instance, was[rule, instance], now[rule, instance])
                   for rule, instance, _ in kept])])

    def _write_batched(self, chunks: Iterable[Sequence[Mapping[str, Any]]],
                       work: Callable[[CaseRecord, Store | CaseRows],
                                      tuple[Change, list[_T]] | None],
                       done: Callable[[_T], None],
                       progress: Callable[[int], None] | None,
                       skipped: Skipped,
                       picks: Callable[[CaseRecord], bool] | None = None) -> None:
        """Work out each case's change and its results with ``work`` from its row as stored
        and where its other rows are read (None: nothing to write; ``progress`` is called
        with 1 a case), and write them :data:`WRITE_BATCH` cases per transaction (an fsync a
        batch, not a case); each change's results go to ``done`` once its batch is committed
        (only a batch's are held, whatever the number of cases).

        The rows come a chunk at a time (:meth:`Store.case_row_chunks`), and the chunk's
        histories and deadlines are read together, one statement a table, not one a case.
        ``picks``, if given, picks the cases with anything to work out, cheaply from their
        rows: the others are passed over (counted by ``progress``), their rows not read. A
        case it cannot tell of it must pick: ``work`` says why it fails.

        A batch is worked out before the write lock is taken: if another writer changed one
        of its cases meanwhile (a platform recording events as it runs), the whole batch is
        worked out again with ``work``, from the cases as stored now, under the write lock,
        where nothing can change them. (Stopping there instead, a run on a busy database
        might never get through.)

        A case that cannot be read or worked out (any :class:`DoudiError` but a
        :class:`Conflict`: see :data:`Skipped`) goes to ``skipped`` and is left as it was; the
        others go on. Any other failure leaves the batches before it written and nothing of
        its own: the callers (recompute, advance) find what is left when run again.
        """
        batch: list[Change] = []
        results: list[_T] = []

        def attempt(case_id: str, read: Callable[[Any], CaseRecord], source: Any,
                    stored: Store | CaseRows) -> tuple[Change, list[_T]] | None:
            try:
                return work(read(source), stored)
            except Conflict:
                raise
            except DoudiError as exc:
                skipped(case_id, exc.with_traceback(None))
                return None

        def write() -> None:
            try:
                try:
                    self._commit(batch)
                except Conflict as exc:
                    if isinstance(exc, Busy):
                        raise
                    with self.store.write_transaction():
                        redone = [found for change in batch if (found := attempt(
                            change.case.id, self._load, change.case.id, self.store)) is not None]
                        batch[:] = [change for change, _ in redone]
                        results[:] = [item for _, found in redone for item in found]
                        if batch:
                            self._commit(batch)
            except KeyboardInterrupt:
                # Raised as the batch's COMMIT returned: the batch is in, and its results go
                # to ``done`` before the interrupt goes on (else the caller neither lists nor
                # counts what it recorded, and a run again finds nothing left to record).
                if self.store.committed(batch):
                    for item in results:
                        done(item)
                raise
            for item in results:
                done(item)
            batch.clear()
            results.clear()

        for rows in chunks:
            cases: dict[str, CaseRecord] = {}
            passed: set[str] = set()
            if picks is not None:
                for row in rows:
                    try:
                        case = CaseRecord.from_row(row)
                    except DoudiError:
                        continue  # (read again below, in its turn, where it fails)
                    if picks(case):
                        cases[case.id] = case
                    else:
                        passed.add(case.id)
            stored = self.store.case_rows([row["id"] for row in rows if row["id"] not in passed],
                                          ("events", "deadlines"))
            for row in rows:
                case_id = row["id"]
                if case_id in passed:
                    found = None
                elif case_id in cases:
                    found = attempt(case_id, cases.__getitem__, case_id, stored)
                else:
                    found = attempt(case_id, CaseRecord.from_row, row, stored)
                if progress:
                    progress(1)
                if found is None:
                    continue
                change, result = found
                batch.append(change)
                results += result
                if len(batch) >= WRITE_BATCH:
                    write()
        if batch:
            write()

    def chain_heads(self, case_id: str | None = None) -> Iterator[ChainHead]:
        """Each case's chain head, by case id: (case id, seq of its last event, that event's
        hash). Kept outside the database (printed, filed, sent elsewhere), the heads anchor
        the chains: :meth:`verify` given them (``heads=``) shows a history cut at its end,
        forged or rewritten since, or a case deleted with all its rows, which an intact
        chain alone cannot."""
        case_id = arguments.maybe_text(case_id, "case_id")
        if case_id is not None:
            self._load_row(case_id)
            return iter(self.store.db.execute(_HEADS.format(where="where case_id = ?"),
                                              [case_id]).fetchall())
        # (the first chunk read now: a closed engine's error comes from the call, as before)
        first = self.store.db.execute(_HEADS.format(where="") + " limit ?", [HEADS_CHUNK])
        return self._heads_by_chunk(first.fetchall())

    def _heads_by_chunk(self, rows: list[ChainHead]) -> Iterator[ChainHead]:
        """Every case's head from the first chunk's ``rows`` on, read :data:`HEADS_CHUNK`
        cases at a time, each read finished before its heads are yielded. (One query yielded a
        row at a time left a statement running while the caller held the iterator, and with
        it a read transaction: every later call of the engine read the file as it was then,
        another process's events unseen, a refusal "confirmed" against that, and each write
        failed as Busy.)"""
        while True:
            yield from rows
            if len(rows) < HEADS_CHUNK:
                return
            rows = self.store.db.execute(_HEADS.format(where="where case_id > ?") + " limit ?",
                                         [rows[-1][0], HEADS_CHUNK]).fetchall()

    def table_heads(self) -> Iterator[TableHead]:
        """Each chained table's head, a table that has rows: (its name, the id of its last
        row, that row's hash), the county settings (``local_parameters``), their set-asides
        (``local_parameter_voids``), the sanctions (``sanctions``), the links between cases
        (``links``, a link's id its rowid) and the calendar years (``calendar_years``), in
        that order. Kept outside the database with the
        chain heads (:meth:`chain_heads`), :meth:`verify` given them (``table_heads=``) shows
        rows cut from the end of a table, or a table rewritten up to its kept head, which its
        chain alone cannot. A last row without a hash as doudi writes one (added outside
        doudi) is a :class:`DamagedRecord`: a head kept of it could not be checked."""
        heads = []
        for table, what, rowid, _ in CHAINED_TABLES:
            row = self.store.db.execute(f"select {rowid}, hash from {table} "
                                        f"order by {rowid} desc limit 1").fetchone()
            if row is None:
                continue
            if not (isinstance(row[1], str) and HASH_PATTERN.fullmatch(row[1])):
                stored = "NULL" if row[1] is None else repr(row[1])
                error = DamagedRecord(
                    f"{what} #{row[0]}, the last row of {table}, has no hash as doudi writes "
                    f"one ({stored}): it was changed outside doudi (doudi audit verify lists "
                    "what was); a head kept of it could not be checked")
                error.problem = f"no hash: {stored}"
                raise error
            heads.append((table, row[0], row[1]))
        return iter(heads)

    def verify(self, case_id: str | None = None,
               progress: Callable[[int], None] | None = None,
               heads: Iterable[ChainHead] | None = None,
               table_heads: Iterable[TableHead] | None = None,
               ) -> tuple[int, int, list[Finding | SettingFinding | SettingChainFinding]]:
        """Check every case's hash chain, and that the case row agrees with its last event:
        (cases, events checked, findings). ``progress`` is called with 1 for each case
        checked. ``heads``: chain heads kept earlier (:meth:`chain_heads`); each case's
        history must still hold its kept head (with ``case_id``, that case's only). A county
        parameter setting that cannot be read back, or whose value breaks a rule of its
        parameter (``broken``), is a finding first (:class:`SettingFinding`); the cases are
        then checked with the others, but not the deadlines of its province's workflow,
        which depend on it. A row that cannot be read back but was put right since (a setting
        or removal recorded later for its place, parameter and date: ``superseded_by``) is
        named too, as evidence kept, and is no failure: the deadlines are compared.
        ``table_heads``: the chained tables' heads kept earlier (:meth:`table_heads`); each
        row must still be stored with the hash kept, else a :class:`SettingChainFinding`
        (``missing since its hash H was kept…``, ``altered since…``); with ``case_id``, those
        of the county settings and their set-asides only, whose chains are checked then too."""
        case_id = arguments.maybe_text(case_id, "case_id")
        arguments.callback(progress, "progress")
        kept = _kept_heads(heads)
        kept_tables = _kept_table_heads(table_heads)
        self._read_calendar_years()  # (as stored now: another process may have added one)
        unread = self._unread_settings()
        try:
            cases, events, findings = self._verify_cases(
                case_id, progress, kept,
                {(f.province, f.workflow) for f in unread if not f.put_right})
        finally:
            if unread:  # (the settings read without them: for this check only)
                self._forget_settings()
        chains = [*self._setting_chains(), *(self._case_table_chains() if case_id is None else ())]
        return cases, events, [*unread, *chains,
                               *self._table_head_findings(kept_tables, chains, case_id),
                               *findings]

    def _table_head_findings(self, kept: list[TableHead], chains: list[SettingChainFinding],
                             case_id: str | None) -> list[SettingChainFinding]:
        """Each kept table head whose row is no longer stored with the hash kept, in the
        tables' order (:data:`CHAINED_TABLES`), by id (a head kept twice, once); not one the
        table's own chain names already (a row deleted that rows after it follow), nor, with
        ``case_id``, a table whose chain is not checked then (the sanctions, the links)."""
        named = {(f.what, f.id) for f in chains}
        found = []
        for table, what, rowid, _ in CHAINED_TABLES:
            if case_id is not None and table not in _CHECKED_FOR_A_CASE:
                continue
            for row_id, digest in sorted({(i, d) for t, i, d in kept if t == table}):
                if (what, row_id) in named:
                    continue
                row = self.store.db.execute(f"select hash from {table} where {rowid} = ?",
                                            [row_id]).fetchone()
                if row is not None and row[0] == digest:
                    continue  # (the chain up to it is as kept: the table grew since, or not)
                if row is not None:
                    problem = f"altered since its hash {digest} was kept"
                else:
                    (last,) = self.store.db.execute(f"select max({rowid}) from {table}").fetchone()
                    problem = f"missing since its hash {digest} was kept" + (
                        ": the table ends before it" if last is None or last < row_id else "")
                found.append(SettingChainFinding(what, row_id, problem))
        return found

    def _setting_chains(self) -> list[SettingChainFinding]:
        """Where the chains of the county settings and of their set-asides do not link up
        (a row deleted or renumbered), and each set-aside that no longer fits its hash; a
        setting that does not is among the unread settings already."""
        found = [SettingChainFinding("county setting", n, problem) for n, problem in
                 broken_links(self.store.local_setting_rows(), SETTING_HASHED)]
        found += [SettingChainFinding("county setting set-aside", n, problem)
                  for n, problem in self._chain_of("local_parameter_voids",
                                                   self.store.setting_void_rows(), VOID_HASHED)]
        voids = self.store.calendar_year_void_rows()
        # (a year row that no longer fits its hash, set aside since, is counted as without
        # it: kept as evidence and no failure, as a county setting's; one whose hash was worked
        # out again is named through the row after it, and stays a failure)
        set_aside = calendar_years.first_voids(voids)
        rows = self.store.calendar_year_rows()  # (a few: one a year)
        own = {row["id"] for row in rows if row_altered(row, YEAR_HASHED)}
        for n, problem in self._chain_of("calendar_years", rows, YEAR_HASHED):
            void = set_aside.get(n) if n in own else None
            found.append(SettingChainFinding(
                "calendar year", n, problem, voided_by=None if void is None else void["id"],
                void_basis=None if void is None else void["citation"]))
        found += [SettingChainFinding("calendar year set-aside", n, problem)
                  for n, problem in self._chain_of("calendar_year_voids", voids,
                                                   YEAR_VOID_HASHED)]
        return found

    def _case_table_chains(self) -> list[SettingChainFinding]:
        """Where the chains of the sanctions and of the links between cases do not link up,
        and each of their rows that no longer fits its hash (checked without ``case_id``
        only: each table is one chain, read whole)."""
        found = []
        for what, table, rows, columns in (
                ("sanction", "sanctions", self.store.sanction_chain_rows, SANCTION_HASHED),
                ("link", "links", self.store.link_chain_rows, LINK_HASHED)):
            found += [SettingChainFinding(what, n, problem)
                      for n, problem in self._chain_of(table, rows(), columns)]
        return found

    def _chain_of(self, table: str, rows: Iterable[dict], columns: tuple[str, ...]
                  ) -> list[tuple[int, str]]:
        """Where a chained table (the sanctions, the links, the settings' set-asides) no
        longer fits its chain, read a row at a time (a million links are not held): each
        row that no longer fits its hash (``altered``), and :func:`broken_links`' places, in
        id order. A hash a row is chained to is looked for in the table only where the chain
        breaks."""
        altered: list[tuple[int, str]] = []
        links = broken_links(rows, columns, _StoredHashes(self.store, table),
                             lambda row: altered.append((row["id"], "altered")))
        return sorted([*altered, *links])

    def _unread_settings(self) -> list[SettingFinding]:
        """The county parameter settings whose rows cannot be read back, or whose value breaks
        a rule of its parameter; the engine is left with the others, as stored now (another
        process may have recorded one since this engine read them; if any is named,
        :meth:`verify` drops them when done)."""
        readable, unread = local_parameters.read_rows(*self.store.counted_settings())
        found = []
        # Those read back that break a rule (changed by hand, or recorded before the rule):
        # every event of their county's cases refuses them; here, named and left out. One
        # superseded on its own date (a setting or removal recorded later for it) was never
        # in force: named as put right by the first of those that breaks none, as a row
        # that cannot be read back is.
        broken, superseded = set(), []
        for (province, name, _), place in local_parameters.by_place(readable).items():
            try:
                workflow = self.registry.workflow(province, name)
            except DoudiError:  # (a plugin not loaded: the province's cases say so)
                continue
            for setting, problem in local_parameters.broken_settings(workflow, place):
                broken.add(setting.id)
                # (a stored setting: it has its id)
                found.append(SettingFinding(setting.id, province, setting.county, name,  # type: ignore[arg-type]
                                            setting.name, problem, broken=True))
            for setting, problem, later in local_parameters.superseded_broken(workflow, place):
                broken.add(setting.id)
                superseded.append((setting, problem, later))
        for setting, problem, later in superseded:
            by = next((s.id for s in later if s.id not in broken), None)
            found.append(SettingFinding(setting.id, setting.province, setting.county,  # type: ignore[arg-type]
                                        setting.workflow, setting.name, problem, broken=True,
                                        superseded_by=by))
        repaired = local_parameters.superseding(
            unread, [s for s in readable if s.id not in broken])
        for row, exc in unread:
            void = exc.voided_by or {}
            found.append(SettingFinding(
                row["id"], row["province"], row["county"], row["workflow"], row["name"],
                exc.problem, superseded_by=getattr(repaired.get(row["id"]), "id", None),
                voided_by=void.get("id"), void_basis=void.get("citation"),
                altered=exc.problem == local_parameters.ALTERED))
        self._local, self._workflows = local_parameters.by_place(
            s for s in readable if s.id not in broken), {}
        self._damaged_places = {}  # (a damaged place's cases checked with the others, as above)
        return sorted(found, key=lambda f: f.id)

    def _verify_cases(self, case_id: str | None, progress: Callable[[int], None] | None,
                      kept: Iterable[ChainHead], unchecked: AbstractSet[tuple[str, str]]
                      ) -> tuple[int, int, list[Finding]]:
        """:meth:`verify` of the cases; ``unchecked``: (province, workflow) whose deadlines
        are not compared."""
        findings, events, cases = [], 0, 0
        # A case whose row is gone is named below, as verify of every case names it, where
        # its history is left or a head kept for it says it was there: else no such case.
        gone = case_id is not None and not self.store.exists(case_id)
        # (gone: case_id is an id)
        if gone and not self.store.history_rows(case_id) and all(  # type: ignore[arg-type]
                k[0] != case_id for k in kept):
            raise UnknownName(f"no case {case_id!r}")
        # (the county settings as they stood when a case's last event was recorded: read only
        # for a case whose deadlines differ from what its history gives)
        then = SettingsThen(self.store)
        for row, stored in () if gone else self._with_their_rows(case_id):
            cases += 1
            if progress:
                progress(1)
            rows, finding = self._checked(row, unchecked, stored, then)
            if finding is not None and finding.seq == len(rows):
                # The row was read before its history (cases are listed a chunk at a
                # time), or its deadlines after: an event written in between is no
                # tampering. All again, as one snapshot, before anything is reported; with
                # the county settings as stored then, if another process recorded one since
                # they were read (the event may have been counted with it).
                with self.store.snapshot():
                    if self.store.years_changed():  # (the event may be counted on one)
                        self._read_calendar_years()
                    if self.store.settings_changed():
                        unread = self._unread_settings()
                        unchecked = unchecked | {(f.province, f.workflow) for f in unread
                                                 if not f.put_right}
                    row = self._load_row(row["id"])
                    rows, finding = self._checked(row, unchecked, then=SettingsThen(self.store))
            events += len(rows)
            if finding is not None:
                findings.append(finding)
        if case_id is None or gone:
            # A case row deleted on its own (sqlite3 does not enforce the foreign key) left
            # its history, which no case row leads to.
            only, args = ("and case_id = ?", [case_id]) if gone else ("", [])
            for (rowless,) in self.store.db.execute(
                    "select distinct case_id from events where case_id not in "
                    f"(select id from cases) {only} order by case_id", args).fetchall():
                rows = self.store.history_rows(rowless)
                cases, events = cases + 1, events + len(rows)
                first, last = rows[0], rows[-1]
                held = (f"1 event, {first['event']} on {first['on']}" if len(rows) == 1 else
                        f"{len(rows)} events, {first['event']} on {first['on']} to "
                        f"{last['event']} on {last['on']}")
                findings.append(Finding(rowless, len(rows), (
                    f"missing, or the case altered: the case row is gone, its history ({held}) "
                    "is still stored")))
        broken = {f.case_id for f in findings}
        for kept_id, seq, digest in kept:
            if kept_id not in broken and (case_id is None or kept_id == case_id):
                finding = self._head_finding(kept_id, seq, digest)
                if finding is not None:
                    findings.append(finding)
                    if not self.store.exists(kept_id):
                        cases += 1  # (a case deleted with all its rows is one that fails)
        return cases, events, findings

    def _with_their_rows(self, case_id: str | None
                         ) -> Iterator[tuple[dict, Store | CaseRows]]:
        """Each case row :meth:`verify` checks, and where its other rows are read: with
        ``case_id``, that case's, from the store; else every case's, a chunk at a time, the
        chunk's history, deadline, sanction and link rows read together."""
        if case_id is not None:
            yield self._load_row(case_id), self.store
            return
        for rows in self.store.case_row_chunks(chunk=READ_CHUNK):
            stored = self.store.case_rows([row["id"] for row in rows],
                                          ("event_rows", "deadlines", "sanctions", "links"))
            for row in rows:
                yield row, stored

    def _head_finding(self, case_id: str, seq: int, digest: str) -> Finding | None:
        """A kept chain head the (intact) history no longer holds."""
        row = self.store.db.execute("select hash from events where case_id = ? and seq = ?",
                                    [case_id, seq]).fetchone()
        if row is not None and row[0] == digest:
            return None  # (the chain up to it is intact: the history since it was kept grew)
        if row is not None:
            return Finding(case_id, seq, f"altered since its hash {digest} was kept")
        if not self.store.exists(case_id):
            return Finding(case_id, seq, f"missing: the case is gone, its history was kept to "
                                         f"this event (hash {digest})")
        return Finding(case_id, seq, f"missing since its hash {digest} was kept: the "
                                     "history ends before it")

    def _checked(self, row: Mapping[str, Any], unchecked: AbstractSet[tuple[str, str]] = frozenset(),
                 stored: Store | CaseRows | None = None, then: SettingsThen | None = None
                 ) -> tuple[list[dict], Finding | None]:
        """The case's history rows, and the first finding about the case (None: none);
        ``unchecked``: (province, workflow) whose deadlines are not compared; ``stored``:
        where its rows are read (its chunk's; by default the store); ``then``: the county
        settings as stored, read if its deadlines differ from what its history gives."""
        stored = self.store if stored is None else stored
        rows = stored.history_rows(row["id"])
        finding = verify_chain(row["id"], rows)
        if finding is not None:
            return rows, finding
        # (the case row read once, and its deadlines once, for every check after the chain)
        try:
            case = CaseRecord.from_row(row)
        except DamagedRecord as exc:
            return rows, _unreadable_case(row, rows, exc)
        finding = disagreement(case, rows)
        if finding is None:
            finding, deadlines = self._unreadable_rows(case, len(rows), stored)
            if finding is None:
                finding = self._derived_disagreement(case, rows, unchecked, deadlines, then)
        return rows, finding

    def _unreadable_rows(self, case: CaseRecord, seq: int, stored: Store | CaseRows
                         ) -> tuple[Finding | None, list[Deadline]]:
        """A row changed so that it cannot be read back or used: the case's workflow or state
        (not in the hash chain's terms), a deadline, a sanction or a link (not in the chain at
        all, so nothing else would show it); and the case's deadlines as stored (read here,
        compared with its history next)."""
        deadlines: list[Deadline] = []
        for what, read in (
                ("the case row", lambda: self._workflow_of(case)),
                ("a deadline row", lambda: deadlines.extend(stored.deadlines(case.id))),
                ("a sanction row", lambda: stored.sanctions(case.id)),
                ("a link row", lambda: stored.links(case.id))):
            try:
                read()
            except DamagedRecord as exc:
                return Finding(case.id, seq, f"missing, or the case altered: {what} cannot be "
                                             f"read back ({exc.problem})"), deadlines
        return None, deadlines

    def _derived_disagreement(self, case: CaseRecord, rows: list[dict],
                              unchecked: AbstractSet[tuple[str, str]], before: list[Deadline],
                              then: SettingsThen | None = None) -> Finding | None:
        """A case row's attributes or a deadline row that its (intact) history does not give:
        neither is in the chain, so they are worked out again from it and compared. The
        attributes are the events' data and what their effects decided; the deadlines are
        what ``recompute`` would derive (after new calendar data, a parameter changed or doudi
        upgraded they differ until ``doudi recompute`` records it, and the finding says so).
        Where county settings or set-asides recorded after the case's events explain the
        difference (:meth:`_settings_then_give`), or calendar years or their set-asides
        (:meth:`_years_then_give`), or both together (:meth:`_both_then_give`), the finding
        names them instead of saying the case was altered. ``before``: its deadlines as
        stored; ``then``: the settings as stored (None: not looked at)."""
        history, seq = entries(rows), len(rows)  # (the rows its chain was checked on)
        attributes = attributes_given_by(history)
        if not _same_data(attributes, case.attributes) or case.county != attributes.get("county"):
            # (a NaN on both sides is the same, as in _same_data: not listed)
            names = sorted(k for k in {*attributes, *case.attributes} if not _same_data(
                {k: attributes.get(k)}, {k: case.attributes.get(k)}))
            shown = ", ".join(f"{k} {_shown(case.attributes.get(k))} (its history gives "
                              f"{_shown(attributes.get(k))})" for k in names[:3]) or (
                f"county {_shown(case.county)} (its history gives "
                f"{_shown(attributes.get('county'))})")
            return Finding(case.id, seq, "missing, or the case altered: its stored attributes "
                                         f"are not what its history gives: {shown}")
        if (case.province, case.workflow) in unchecked:
            return None  # (a county setting they depend on cannot be read: a finding itself)
        fresh = self._deadlines_from_history(case, history, None)
        if before == fresh:
            return None
        differences = deadline_differences(before, fresh)
        if not differences:
            # The same deadlines in another order: nothing differs; unless one is stored
            # more than once (its unique index dropped: each copy pairs with the history's).
            keys = [(d.rule, d.instance) for d in before]
            twice = next((d for n, d in enumerate(before) if (d.rule, d.instance) in keys[:n]),
                         None)
            if twice is None:
                return None
            return Finding(case.id, seq, f"missing, or the case altered: deadline {twice.rule} "
                           f"#{twice.instance} is stored more than once, its history gives it once")
        # The first by key, whichever side has it (a pair is never both None).
        old, new = min(differences, key=lambda pair: (
            (d := pair[0] or pair[1]).rule, d.instance))  # type: ignore[union-attr]
        if old is None:
            what = "is not stored"
        elif new is None:
            what = "is stored, its history gives none"
        else:
            fields = [f.name for f in attrs.fields(Deadline)
                      if getattr(old, f.name) != getattr(new, f.name)]
            what = "differs: " + ", ".join(
                f"{f} {_shown(getattr(old, f))} (its history gives "
                f"{_shown(getattr(new, f))})" for f in fields[:3])
        named = None if then is None else self._settings_then_give(case, rows, history, before,
                                                                   then)
        if named is not None:
            # (named by the case's last event, which came before them: not by the seq after
            # it, as a missing event is)
            return Finding(case.id, history[-1].seq, _moved_by_settings(old, new, *named))
        years = self._years_then_give(case, rows, history, before)
        if years is not None:
            return Finding(case.id, history[-1].seq, _moved_by_settings(old, new, *years,
                                                                        what="calendar years"))
        both = None if then is None else self._both_then_give(case, rows, history, before, then)
        if both is not None:
            return Finding(case.id, history[-1].seq, _moved_by_settings(
                old, new, *both, what="county settings and calendar years"))
        d = old or new  # (never both None)
        return Finding(case.id, seq, f"missing, or the case altered: deadline {d.rule} "  # type: ignore[union-attr]
                       f"#{d.instance} {what}; if calendar data or a parameter changed since, or "  # type: ignore[union-attr]
                       "doudi was upgraded, `doudi recompute` records that instead")

    def _settings_then_give(self, case: CaseRecord, rows: list[dict],
                            history: list[HistoryEntry], before: list[Deadline],
                            then: SettingsThen) -> tuple[str, bool] | None:
        """Whether the case's deadlines as stored (``before``), which differ from what its
        history now gives, are exactly what it gave with the county settings as they stood
        when its events were recorded (the settings and set-asides recorded by then: by the
        last event's time, an earlier event's own, or the last recompute event's after it),
        so that those recorded since explain the difference: if so, those of
        its places, as the finding names them, and whether some of them were recorded before
        its last event; None if not (a row changed by hand, new calendar data, an
        upgrade), or if the settings then cannot be told. Asked only of a case whose
        deadlines differ: a case is worked out again once for each way of telling (nearly
        always one), the settings read and built once a ``then`` (one a verify pass, another
        for each case checked again in one snapshot: :class:`SettingsThen`)."""
        for counted_with, named in self._settings_tries(case, rows, history, then):
            if self._gives(case, history, before, counted_with):
                return named()
        return None

    def _settings_tries(self, case: CaseRecord, rows: list[dict], history: list[HistoryEntry],
                        then: SettingsThen) -> Iterator[_Try]:
        """Each way the case's events may have been counted with the county settings as
        they stood (:meth:`_settings_then_give`), but the settings there are now: what sets
        them for an event (by its index), and what names those recorded since."""
        at = rows[-1].get("recorded_at") if rows else None
        if not isinstance(at, str):
            return
        counties = {case.county} | {c for e in history
                                    if isinstance(c := e.payload.get("county"), str)}
        # Each event was counted with the settings recorded by the time it was (fire counts
        # the new event alone), one before a recompute event with those recorded by the last
        # (recompute works the whole history out again).
        times = _counted_at(rows)
        every = then.every()
        for cut in then.cuts(at):
            cuts = [then.earlier(cut, t) if isinstance(t, str) else cut for t in times]
            if all(c == every for c in cuts):
                continue  # (the settings there are now: what the history now gives)
            ways = {c: then.as_of(c) for c in {*cuts, cut}}
            if any(p[:2] == (case.province, case.workflow) and p[2] in counties
                   for _, untold, _ in ways.values() for p in untold):
                continue

            def counted_with(i: int, ways: dict = ways, cuts: list = cuts) -> None:
                # (the engine counts with these settings for this case only, put back after)
                local, _, workflows = ways[cuts[i]]
                self._local, self._damaged_places, self._workflows = local, {}, workflows

            def named(cuts: list = cuts, cut: tuple[int, int] = cut) -> tuple[str, bool]:
                first = (min(c[0] for c in cuts), min(c[1] for c in cuts))
                named = then.named(first, case.province, case.workflow, counties)
                return named, named != then.named(cut, case.province, case.workflow, counties)

            yield counted_with, named

    def _years_then_give(self, case: CaseRecord, rows: list[dict],
                         history: list[HistoryEntry], before: list[Deadline]
                         ) -> tuple[str, bool] | None:
        """As :meth:`_settings_then_give`, for the calendar years the database holds
        (``doudi calendar add``): whether the case's deadlines as stored are exactly what its
        history gives with each event counted on the years stored by the time it was recorded
        (one before a ``recompute`` event, by that event's time), so that the years recorded
        since explain the difference: if so, those years, as the finding names them, and
        whether some were recorded before its last event; None if not."""
        for counted_with, named in self._years_tries(rows):
            if self._gives(case, history, before, counted_with):
                return named()
        return None

    def _both_then_give(self, case: CaseRecord, rows: list[dict],
                        history: list[HistoryEntry], before: list[Deadline],
                        then: SettingsThen) -> tuple[str, bool] | None:
        """As :meth:`_settings_then_give` and :meth:`_years_then_give` together, where
        neither alone explains the difference: each event counted with the county settings
        AND the calendar years recorded by its time (a `parameter set` dated back and a
        `calendar add`, both before `doudi recompute`); if so, those settings and years, as
        the finding names them (the settings first), and whether some were recorded before
        its last event. Tried only where both ways have some recorded since the case's events
        (else one alone was tried already), at most :data:`_BOTH_TRIED` times a case."""
        years = list(self._years_tries(rows))  # (none without calendar years stored)
        settings = list(self._settings_tries(case, rows, history, then)) if years else []
        for (with_settings, name_settings), (with_years, name_years) in itertools.islice(
                itertools.product(settings, years), _BOTH_TRIED):

            def counted_with(i: int, with_settings: Callable[[int], None] = with_settings,
                             with_years: Callable[[int], None] = with_years) -> None:
                with_settings(i)
                with_years(i)

            if self._gives(case, history, before, counted_with):
                (named, earlier), (years_named, years_earlier) = name_settings(), name_years()
                return f"{named}; {years_named}", earlier or years_earlier
        return None

    def _years_tries(self, rows: list[dict]) -> Iterator[_Try]:
        """Each way the case's events may have been counted on the calendar years as they
        stood (:meth:`_years_then_give`), but the years there are now: what sets them for an
        event (by its index), and what names those recorded or set aside since."""
        years = self._years
        if years is None:
            return
        # (each stored year that may have been counted: not one a release ships, each with
        # when it was set aside, if it was; the first of a year not set aside by then counted)
        shipped = {r.year for r in years.records if r.year not in years.counted}
        candidates = [y for y in years.stored if y.year not in shipped]
        if not candidates:
            return

        def at(t: Any, before_or_at: Callable[[str, str], bool],
               void_before: Callable[[str, str], bool] = str.__lt__
               ) -> tuple[CalendarYear, ...]:
            cut: dict[int, CalendarYear] = {}
            for y in candidates:
                void = years.set_aside.get(y.id)  # type: ignore[arg-type]
                if not isinstance(t, str):  # (now: every one not set aside)
                    counted = void is None
                else:  # (recorded by then, and not set aside by then)
                    counted = isinstance(y.recorded_at, str) and before_or_at(
                        y.recorded_at, t) and not (void is not None and void_before(
                            void["recorded_at"], t))
                if counted:
                    cut.setdefault(y.year, y)
            return tuple(cut.values())

        times = _counted_at(rows)
        # (to the second: a year, or a set-aside, recorded in the same second as an event may
        # have come before or after it, each tried)
        now = at(None, str.__lt__)
        tried: list[list[tuple[CalendarYear, ...]]] = []
        for before_or_at, void_before in itertools.product((str.__lt__, str.__le__), repeat=2):
            cuts = [at(t, before_or_at, void_before) for t in times]
            if all(cut == now for cut in cuts) or cuts in tried:
                continue  # (every event counted on the years there are now, or tried)
            tried.append(cuts)

            def named(cuts: list[tuple[CalendarYear, ...]] = cuts) -> tuple[str, bool]:
                since = [y for y in now if y not in cuts[0]]
                gone = [y for y in cuts[0] if y not in now]
                named = "; ".join(
                    [f"calendar year #{y.id}, {y.year} {y.record.notice}, recorded "
                     f"{y.recorded_at}" for y in since]
                    + [f"the set-aside of calendar year #{y.id}, {y.year} {y.record.notice}, "
                       f"recorded {years.set_aside[y.id]['recorded_at']}"  # type: ignore[index]
                       for y in gone])
                return named, any(y in cuts[-1] for y in since) or any(
                    y not in cuts[-1] for y in gone)

            yield self._counted_on(years, cuts), named

    def _counted_on(self, years: YearsInForce, cuts: list[tuple[CalendarYear, ...]]
                    ) -> Callable[[int], None]:
        """What counts an event (by its index) on the packaged years and the stored ones of
        its cut (``cuts``, an event's each), for :meth:`_gives`."""
        packaged = [r for r in years.records if r.year not in years.counted]

        def counted_with(i: int) -> None:
            # (the years that event was counted on, for this case only: put back after)
            cut = cuts[i]
            self._years = attrs.evolve(
                years, records=tuple(sorted([*packaged, *(y.record for y in cut)],
                                            key=lambda r: r.year)),
                counted=tuple(y.year for y in cut))
            # (the calendars built are by the years counted, not their rows: a year set aside
            # and recorded again is counted on the row of the cut, not the one built now; so
            # they are kept by the cut's rows, for every event and case counted on them: a
            # calendar takes about 4 ms to build)
            kept = self._cut_calendars.setdefault(tuple(y.id for y in cut), ({}, {}))
            self._checked_calendars, self._year_calendars = kept

        return counted_with

    def _gives(self, case: CaseRecord, history: list[HistoryEntry], before: list[Deadline],
               counted_with: Callable[[int], None]) -> bool:
        """Whether the case's history, each event counted as ``counted_with`` sets it (the
        county settings, the calendar years, or both, as they stood), gives exactly
        ``before``; what it set put back after, for the next case."""
        saved = (self._local, self._damaged_places, self._workflows, self.store.settings_read,
                 self._years, self._checked_calendars, self._year_calendars)
        try:
            given = self._deadlines_from_history(case, history, None, counted_with)
        except DoudiError:
            return False
        finally:
            (self._local, self._damaged_places, self._workflows, self.store.settings_read,
             self._years, self._checked_calendars, self._year_calendars) = saved
        return len(given) == len(before) and not deadline_differences(before, given)

    def _load_row(self, case_id: str) -> dict:
        """:meth:`_load`'s row as stored (a damaged one is read without failing)."""
        row = self.store.case_row(case_id)
        if row is None:
            raise UnknownName(f"no case {case_id!r}")
        return row

    def advance(
        self, until: date, on_recorded: Callable[[Recorded], None] | None = None,
        progress: Callable[[int], None] | None = None, on_skipped: Skipped | None = None,
    ) -> list[Recorded]:
        """Record what happened by itself up to ``until`` (e.g. phase-outs that ended).

        Returns (case id, event, date) for each event recorded. The cases are written
        :data:`WRITE_BATCH` at a time (see :meth:`_write_batched`). Reports already see these
        events without it; this writes them down. With ``on_recorded``, each is passed to it
        once its batch is committed instead, and the list returned is empty. ``progress`` is
        called with 1 for each case looked at. A case it cannot read or work out is left as it
        was, as :meth:`recompute` leaves one (``on_skipped``, or one error at the end).
        """
        recorded: list[Recorded] = []
        until = arguments.a_date(until, "until")
        arguments.callback(on_recorded, "on_recorded")
        arguments.callback(progress, "progress")
        arguments.callback(on_skipped, "on_skipped")
        self._happened(until, "until")
        self.calendar().check(until)  # (2099 would record events decades ahead)
        left = LeftCases(on_skipped)

        def pending(case: CaseRecord) -> bool:
            """Whether anything happens by itself to the case: only those cases are worked
            out, their histories read (one whose workflow or dates cannot be read too: it
            fails as it is worked out, and is named)."""
            try:
                return self._workflow_of(case).pending_automatic(case, until) is not None
            except DoudiError:
                return True

        self._write_batched(self.store.case_row_chunks(chunk=READ_CHUNK),
                            lambda case, stored: self._advanced_case(case, until, stored),
                            on_recorded or recorded.append, progress, left, pending)
        left.raise_if_any("advance")
        return recorded

    def _advanced_case(self, case: CaseRecord, until: date, stored: Store | CaseRows
                       ) -> tuple[Change, list[Recorded]] | None:
        """The case's change recording what happened by itself up to ``until``, and those
        events; None if nothing did. ``stored``: where its rows are read (its chunk's, or the
        store)."""
        wf = self._workflow_of(case)
        if wf.pending_automatic(case, until) is None:
            return None
        deadlines = stored.deadlines(case.id)  # (first: a damaged row of either, as before)
        history = stored.history(case.id)
        change = Change(case, [], deadlines, last_hash=_last_hash(history))
        self._advance(change, history, until)
        return change, [(case.id, e.event, e.on) for e in change.entries]


def _counted_at(rows: list[dict]) -> list[Any]:
    """When each of a case's event rows was counted: when it was recorded, or, before a
    recompute event, when the last such event was (recompute works the whole history out
    again); as stored, not checked (``audit verify``'s rows)."""
    times: list[Any] = []
    recomputed = None
    for r in reversed(rows):
        times.append(r.get("recorded_at") if recomputed is None else recomputed)
        if recomputed is None and r.get("event") == RECOMPUTE_EVENT:
            recomputed = r.get("recorded_at")
    times.reverse()
    return times
