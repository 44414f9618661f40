"""The engine: open cases, fire events through the province's machine, judge deadlines.

This is the Python API platforms embed (see docs/python.md). Every event is
checked (date order, state, guards) before anything is written; the event, the new state
and the recomputed deadlines are then written in one transaction.
"""

from __future__ import annotations

import bisect
import json
import os
import sqlite3
import unicodedata
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, overload

import attrs

from engine import arguments, calendar_years, clock, local_parameters
from engine.assessment import Assessment
from engine.calendar import OfficialCalendar, national_calendar
from engine.calendar_data import YearRecord
from engine.calendar_years import AddedYears, CalendarYear, YearsInForce
from engine.case_numbers import NUMBER_DIGITS, numbered_id, split_number
from engine.deadlines import Deadline, apply_event, counted_as_kept, kept_fields, with_kept
from engine.default_place import check_residence_judged
from engine.effects import LinkedOpening, Outcome, Sanction
from engine.errors import (
    Busy,
    Conflict,
    DamagedRecord,
    DoudiError,
    EventRefused,
    InvalidInput,
    OutsideCalendar,
    PluginError,
    UnknownName,
)
from engine.guards import GuardContext, HistoryEntry, attributes_given_by
from engine.idempotency import Call, check_repeat
from engine.importer import ImportResult, import_lines, read_lines
from engine.kept_cases import KeptCases
from engine.local_parameters import LocalSetting, Place
from engine.maintenance import AUTO_ACTOR, Maintenance
from engine.payments import check_first_month, month_of, month_text, next_month
from engine.periods import DueDate, due_date, iso_text, stored_date
from engine.provinces import Province
from engine.read_only import NO_DATA, read_only, read_only_data
from engine.registry import ROUTE_WORKFLOW, Registry, assess_household, get_registry
from engine.reports import DEFAULT_WINDOW, Reports
from engine.store import (
    EVENT_DERIVED,
    EVENT_PAYLOAD,
    CaseRecord,
    Change,
    Known,
    SettingsChanged,
    Store,
    copied,
    parsed,
    plain,
)
from engine.views import Breach, CaseView, DeadlineView, judged, pays
from engine.workflow import (
    CORRECTION_EVENT,
    DELEGATED_BY,
    OPEN_EVENT,
    RECOMPUTE_EVENT,
    SYSTEM_EVENTS,
    Parameter,
    Workflow,
    available_workflows,
)

if TYPE_CHECKING:
    from engine.machine import ProcessMachine  # (imported when first needed: transitions)
    from engine.workflow import Transition

#: Marks a key of Engine._workflows that is a case's place and state (see _workflow_of).
_OF_CASE = "case"


def _undated(case: CaseRecord) -> tuple:
    """The key of Engine._workflows under which a case's workflow is kept whatever the date
    (its place has no settings of its own; see _workflow_of)."""
    return (case.province, case.workflow, case.county, case.state, _OF_CASE)


#: The outcome of a transition without effects, shared (never written to: effects are given
#: an Outcome of their own).
_NO_OUTCOME = Outcome()
#: Tries at opening a case with the next free number while other processes open cases too.
OPEN_ATTEMPTS = 20


#: What :meth:`Engine._step` gives (a tuple, not a class: one a step, each an object built
#: and its fields set by a call): the case after the event, its history entry, the case's
#: deadlines, what its effects decided, the cases it opens.
_Step = tuple[CaseRecord, HistoryEntry, list[Deadline], Outcome, list[LinkedOpening]]


def _always_delegated(wf: Workflow, province: str, county: str | None,
                      attributes: Mapping[str, Any]) -> bool:
    """Whether the place (a province, or a county that set it) always delegates; refuses
    ``delegated=false`` where it does."""
    delegation = wf.delegating
    if delegation is None:
        return False
    if attributes.get("delegated", True) is not True:
        raise EventRefused(
            f"confirmation is always delegated to the township in {_place(province, county)} "
            f"({delegation.citation}): delegated cannot be "
            f"{json.dumps(attributes['delegated'], ensure_ascii=False, default=repr)}"
        )
    return True


def _delegated_as_corrected(wf: Workflow, province: str, county: str | None,
                            recorded: Mapping[str, Any], corrected: Mapping[str, Any]) -> None:
    """Refuse a correction's ``delegated=false`` where the place always delegates, as the
    event is refused it; not where the data as recorded says so too (recorded before the
    place's rule: the case's matter, not the correction's)."""
    try:
        _always_delegated(wf, province, county, recorded)
    except EventRefused:
        return
    _always_delegated(wf, province, county, corrected)


def _one_reason(wf: Workflow, given: Any, reason: str | None) -> None:
    """An event's reason is its ``reason``: the same name in its data was saved beside it and
    could disagree with it (extend, reason 人户分离, data reason 异地申办). Only a workflow that
    declares a ``reason`` attribute (the temporary aid's 救助事由) takes it as data, and then
    not unlike the event's reason."""
    if "reason" not in wf.attributes:
        raise InvalidInput(
            f"the {wf.name} workflow has no attribute reason: give the event's reason as its "
            "reason, not in its data",
            command_line=f"the {wf.name} workflow has no attribute reason: give an event's "
                         "reason with --reason, not --set reason=…")
    if reason is not None and given != reason:
        # (repr escapes what would not show, a line break too: visible() first doubled it)
        raise InvalidInput(
            f"reason {reason!r} and the data's reason {str(given)!r} disagree: give the "
            "reason once",
            command_line=f"--reason {reason!r} and --set reason={str(given)!r} disagree: "
                         "give the reason once")


#: No county yet (None is one: a case whose attributes name none).
_NO_PLACE = object()


def _kept_later(deadlines: list[Deadline], later: list[HistoryEntry], case_id: str
                ) -> tuple[list[Deadline], dict[tuple[str, int], tuple[int, dict[str, Any]]]]:
    """``deadlines``, worked out from a history up to a date, with what each ``recompute``
    event of the ``later`` entries kept (:func:`engine.deadlines.with_kept`): a deadline
    stopped by that date keeps, as of it too, the due date and outcome it was judged by. And
    each deadline still running then that one of them kept: (the event's index in ``later``,
    the values kept), for :meth:`Engine._counted_as_kept`."""
    running = {(d.rule, d.instance) for d in deadlines if d.running}
    kept_later: dict[tuple[str, int], tuple[int, dict[str, Any]]] = {}
    for at, entry in enumerate(later):
        if entry.event == RECOMPUTE_EVENT and entry.payload.get("kept"):
            deadlines = _with_kept(deadlines, entry, case_id, later=True)
            if running:
                for key, values in _kept_fields(entry, case_id).items():
                    if key in running:
                        kept_later.setdefault(key, (at, values))  # (the first judged it)
    return deadlines, kept_later


def _kept_fields(entry: HistoryEntry, case_id: str) -> dict[tuple[str, int], dict[str, Any]]:
    """:func:`engine.deadlines.kept_fields` of the ``recompute`` event ``entry``."""
    try:
        return kept_fields(entry.payload.get("kept"))
    except ValueError as exc:
        raise DamagedRecord.of_event(entry.seq, case_id, exc) from None


def _with_kept(deadlines: list[Deadline], entry: HistoryEntry, case_id: str,
               later: bool = False) -> list[Deadline]:
    """:func:`engine.deadlines.with_kept` of the ``recompute`` event ``entry``; its ``kept``
    changed outside doudi is named as a damaged event of the case (not a traceback)."""
    try:
        return with_kept(deadlines, entry.payload.get("kept"), later)
    except ValueError as exc:
        raise DamagedRecord.of_event(entry.seq, case_id, exc) from None


def _county(attributes: Mapping[str, Any]) -> str | None:
    """A case's county as its attributes give it (None where they name none)."""
    county = attributes.get("county")
    return county if isinstance(county, str) else None


def _place(province: str, county: str | None) -> str:
    return f"{county} ({province})" if county is not None else province


@attrs.frozen
class StoredWrite:
    """What an engine's last single write stored (:attr:`Engine.stored_write`): the case and
    the entries recorded on it (the event fired, after what happened by itself before it; the
    opening; the correction), or the county setting (its value None: a removal), or the
    set-aside of a stored setting (:meth:`Engine.void_setting`'s row), or the calendar years
    recorded (:meth:`Engine.add_calendar_years`), or the set-aside of one
    (:meth:`Engine.void_calendar_year`'s row)."""

    case_id: str | None = None
    entries: tuple[HistoryEntry, ...] = ()
    setting: LocalSetting | None = None
    set_aside: Mapping[str, Any] | None = None
    years: tuple[CalendarYear, ...] = ()
    year_set_aside: Mapping[str, Any] | None = None


def default_db_path() -> str:
    return os.environ.get("DOUDI_DB", "doudi.db")


class Engine(Reports, Maintenance):
    """Cases, events and deadlines over one database, with the installed province plugins."""

    def __init__(self, store: Store, registry: Registry | None = None,
                 today: Callable[[], date] | None = None) -> None:
        self.store = store
        self.registry = registry or get_registry()
        self._today = today
        # Cases kept whole for their next event (engine.kept_cases bounds them). Events that
        # go round more cases than it keeps find none of them kept: each is read back with its
        # whole history (about 75 µs for nine events).
        self._known_cases = KeptCases()
        # By (province, workflow, county or None, settings in force); and by a case's
        # place and state (_undated), see _workflow_of.
        self._workflows: dict[tuple, Workflow] = {}
        self._local: dict[Place, list[LocalSetting]] | None = None
        # (each place whose settings hold a row that cannot be read back, not put right: the
        # errors of such rows, the first recorded first)
        self._damaged_places: dict[Place, list[DamagedRecord]] = {}
        # Calendars by (province, county) as :meth:`calendar` gave them, its arguments checked:
        # asked for again by every event (a key found here was checked once already).
        self._checked_calendars: dict[tuple[str, str | None], OfficialCalendar] = {}
        # (an event's write kept as its changes, made a StoredWrite only when asked for:
        # one made every event cost fire 1 %)
        self._stored_write: StoredWrite | list[Change] | None = None
        # The calendar years the database holds (``doudi calendar add``), read once here (and
        # again by recompute and verify): None where it holds none, and the registry's
        # calendars (the packaged years, built once a process) are counted on.
        self._years: YearsInForce | None = None
        self._year_calendars: dict[tuple, OfficialCalendar] = {}
        # (audit verify's calendars for the years each event was counted on, by their rows)
        self._cut_calendars: dict[tuple, tuple[dict, dict]] = {}
        self._read_calendar_years()

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, registry: Registry | None = None,
             durability: str = "full", today: Callable[[], date] | None = None) -> Engine:
        """Open (creating and migrating if needed) the database at ``path`` (default: $DOUDI_DB
        or ./doudi.db). ``durability``: ``full`` (default) or ``normal``; see
        :data:`engine.store.DURABILITY`. ``today``: what today is (default: the date in China,
        :func:`engine.clock.china_today`); nothing is recorded with a later date."""
        arguments.text(durability, "durability")
        arguments.callback(today, "today")
        if registry is not None and not isinstance(registry, Registry):  # (before a file is made)
            raise InvalidInput("registry must be an engine.registry.Registry or None, got "
                               f"{arguments.spelled(registry)}")
        return cls(Store.open(default_db_path() if path is None else path, durability), registry,
                   today)

    @property
    def stored_write(self) -> StoredWrite | None:
        """What the last single write this engine began (:meth:`open_case`, :meth:`fire`,
        :meth:`correct`, :meth:`set_parameter`, :meth:`void_setting`) stored; None while it
        has stored nothing (a repeat of a keyed call stores nothing). Set also where Ctrl-C
        stopped the call as its COMMIT returned: Python raises the interrupt at its first
        check after a call returns, so the write may be in though the call raised
        ``KeyboardInterrupt``; it is looked for in the database then (by its last event's
        hash, or its setting's or set-aside's row id). Read
        without touching the database: ``doudi`` says from it what was recorded."""
        stored = self._stored_write
        if type(stored) is list:
            return StoredWrite(stored[0].case.id, tuple(stored[0].entries))
        return stored  # type: ignore[return-value]  # (no list: that was made one above)

    def _commit_one(self, changes: list[Change], key: str | None) -> bool:
        """:meth:`_commit` for a single write, keeping what it stored (:attr:`stored_write`),
        also where Ctrl-C stops it as its COMMIT returns."""
        try:
            written = self._commit(changes, key)
            if written:
                self._stored_write = changes
        except KeyboardInterrupt:
            if self.store.committed(changes):
                self._stored_write = changes
            raise
        return written

    def close(self) -> None:
        """Close the engine's database connection. The last one closed on a file folds its
        write-ahead log in and removes it, as SQLite does. Closing twice is harmless; a call
        after it that reads or writes the database raises :class:`~engine.errors.EngineClosed`
        (a ``DoudiError``, and a ``sqlite3.ProgrammingError`` as before) naming the file."""
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def today(self) -> date:
        """The latest date an event may carry: an event is recorded once it has happened."""
        if self._today is None:
            return clock.china_today()
        today = self._today()
        if type(today) is not date:  # (a platform's today=datetime.now: checked as given)
            arguments.a_date(today, "today()")
        return today

    def _happened(self, on: date, name: str = "on") -> None:
        today = self.today()
        if on > today:
            # (a year typed wrong would otherwise block the case: no later event could come
            # before it, and events are never rewritten)
            why = f"{on.isoformat()} is after today ({today.isoformat()}): only what has " \
                "happened is recorded"
            raise InvalidInput(f"{name} {why}",
                               command_line=f"--on {why}" if name == "on" else None)

    # -- provinces, workflows, calendars ---------------------------------------------------

    def provinces(self) -> list[Province]:
        return [self.registry.provinces[c] for c in sorted(self.registry.provinces)]

    def workflow(self, province: str, name: str = "dibao", county: str | None = None,
                 on: date | None = None) -> Workflow:
        """The workflow as it applies in ``county`` of ``province`` on ``on``: the province's
        (its plugin's patches and parameters), with the county's own parameters decided on
        or before that date on top (``on`` None: every setting recorded)."""
        self._settings_as_stored()
        on = arguments.maybe_date(on, "on")
        wf = self._workflow(arguments.text(province, "province"), arguments.text(name, "name"),
                            arguments.maybe_text(county, "county"), on)
        if on is not None:  # (after the names, as the reports check their dates)
            self.calendar().check(on)
        return wf

    def _workflow(self, province: str, name: str, county: str | None = None,
                  on: date | None = None, again: bool = True) -> Workflow:
        """:meth:`workflow` of arguments already checked (a case's own, every event)."""
        settings = self._settings_of(province, name, county)
        count = 0
        if settings:
            count = len(settings) if on is None else bisect.bisect_right(
                settings, on, key=lambda s: s.on)
        key = (province, name, county if count else None, count)
        wf = self._workflows.get(key)
        if wf is None:
            wf = self.registry.workflow(province, name)
            if count:
                try:
                    wf = local_parameters.with_settings(wf, settings[:count])  # type: ignore[index]
                except DamagedRecord:
                    if again and self._settings_outdated():  # (read again once, as stored)
                        return self._workflow(province, name, county, on, again=False)
                    raise
            self._workflows[key] = wf
        return wf

    def _province_of(self, case: CaseRecord) -> str:
        """The case's province, which a loaded plugin must register: a stored case of one
        whose plugin was uninstalled, or left out by ``DOUDI_LOAD_PLUGINS``, is a
        :class:`PluginError` naming the case (it read as "unknown province", exit 2, as if
        the user had typed a wrong name)."""
        if case.province not in self.registry.provinces:
            loaded = ", ".join(sorted(self.registry.provinces)) or "none"
            allowed = os.environ.get("DOUDI_LOAD_PLUGINS")
            why = (f"DOUDI_LOAD_PLUGINS={allowed} leaves its plugin out?" if allowed is not None
                   else "install its plugin")
            raise PluginError(f"case {case.id} is of province {case.province!r}, which no "
                              f"loaded plugin registers (loaded: {loaded}): {why}")
        return case.province

    def _workflow_of(self, case: CaseRecord, on: date | None = None) -> Workflow:
        """The case's workflow; a case row naming a workflow or state doudi never gives (the
        row changed by hand) is a :class:`DamagedRecord`, not a KeyError deep in a report."""
        # A case of a place without its own settings, in a state found good before: the
        # same workflow whatever the date (asked for twice an event; the checks and look-ups
        # below cost about 6,500 instructions). Kept among the workflows, dropped with them.
        known = _undated(case)
        wf = self._workflows.get(known)
        if wf is not None:
            return wf
        if case.province not in self.registry.provinces:  # (checked here: every event)
            self._province_of(case)
        try:
            wf = self._workflow(case.province, case.workflow, case.county, on)
        except (UnknownName, InvalidInput):
            if case.workflow in available_workflows():
                raise  # (its province is not installed: said as it is)
            raise DamagedRecord.of(f"case {case.id!r}", ValueError(
                f"no workflow {case.workflow!r}")) from None
        if not wf.has_state(case.state):
            raise DamagedRecord.of(f"case {case.id!r}", ValueError(
                f"{case.state!r} is not a state of workflow {case.workflow!r}"))
        if not self._settings_of(case.province, case.workflow, case.county):
            self._workflows[known] = wf
        return wf

    # -- a county's own parameters ----------------------------------------------------------

    def set_parameter(
        self,
        province: str,
        county: str,
        name: str,
        value: Any,
        citation: str,
        on: date,
        workflow: str = "dibao",
        actor: str | None = None,
    ) -> LocalSetting:
        """Record ``county``'s own value of a workflow parameter and the document that set it
        (``citation``), decided on ``on``. ``value=None`` returns the parameter to the
        province's value.

        It applies to the county's events dated ``on`` or later (an event counts under the
        county its case was in); :meth:`recompute` re-derives the deadlines running with it.
        Checked like a plugin's parameter: one the workflow leaves to the locality, a value
        of the same kind within its bounds, a duration it can count.

        A stored row of the county's that cannot be read back (changed by hand) is put right
        by a setting or removal of its parameter for its date, recorded after it: it wins that
        day, and the row stays stored as evidence (:meth:`verify` names it).
        """
        self._stored_write = None
        setting = LocalSetting(
            arguments.text(province, "province"), arguments.text(county, "county"),
            arguments.text(workflow, "workflow"), arguments.text(name, "name"),
            arguments.json_value(value, "value"), arguments.text(citation, "citation"),
            arguments.a_date(on, "on"), arguments.actor(actor))
        arguments.shown(citation, "citation")  # (shown as the basis of every date it sets)
        arguments.shown(county, "county")  # (甲\u200b县 would look like 甲县, and never apply)
        if not county.strip() or county != county.strip():
            raise InvalidInput(f"county must name a county, without spaces around it: "
                               f"{arguments.spelled(county)}")
        self.calendar().check(on)  # a date like any other the engine records
        wf = self.registry.workflow(province, workflow)

        def check_removable() -> None:  # (with the settings as stored now)
            self._settings_as_stored()
            self._local_places()
            if local_parameters.repairs(self._damaged_places.get((province, workflow, county), ()),
                                        name, setting.on):
                return  # (the removal puts right a row of the county's that cannot be read)
            place = self._place_settings(province, workflow, county) or []
            local_parameters.check_removable(place, name, setting.on, county, workflow)

        if value is None:
            check_removable()
            if not citation.strip():
                raise InvalidInput("removing a county's parameter needs its basis (citation)",
                                   command_line="removing a county's parameter needs its basis "
                                                "(--basis)")
        else:
            setting = attrs.evolve(setting, value=local_parameters.checked(wf, setting).value)
            if isinstance(value, str) and name in wf.duration_parameters:
                # Counted from the day it is decided: a period that runs off the calendar
                # would make every later event of the county fail, not this command.
                try:
                    due_date(self.calendar(province, county), on, value)
                except OutsideCalendar as exc:
                    raise InvalidInput(f"{workflow} parameter {name!r}: {exc}") from None
        # A parameter the province defines alike in several workflows is one rule (a 边缘
        # threshold assessed on applying and judged again on leaving): set for all of them
        # at once, so that a county never has two values of it.
        shared = [attrs.evolve(setting, workflow=other) for other in available_workflows()
                  if other != workflow and name in wf.parameters and self.registry.workflow(
                      province, other).parameters.get(name) == wf.parameters[name]]
        written: list[dict] = []  # (the rows inserted, before the COMMIT)
        try:
            with self.store.write_transaction():
                if value is None:
                    # Checked again under the write lock: another process may have removed
                    # the setting, or recorded one, since they were read.
                    check_removable()
                recorded = self.store.add_local_setting(setting, *shared, written=written)
            if written:
                self._stored_write = StoredWrite(setting=recorded)
        except KeyboardInterrupt:
            if self.store.rows_committed("local_parameters", written):  # (as COMMIT returned)
                self._stored_write = StoredWrite(setting=attrs.evolve(
                    setting, recorded_at=written[-1]["recorded_at"]))
            raise
        self._forget_settings()
        return recorded

    def void_setting(self, setting_id: int, citation: str, actor: str | None = None
                     ) -> dict[str, Any]:
        """Set aside the stored county setting ``setting_id`` (``#N`` as errors and ``audit
        verify`` name it) that cannot be read back, or no longer fits its hash (altered: what
        it says may be what was changed), with the basis of doing so (``citation``):
        the row stays stored as evidence and no longer stops its county. The way to put right
        a row whose place, parameter or date cannot be read (a date edited by hand to text
        that is no date, a blank county), for which no setting can be recorded; what the
        county decided is then recorded again with :meth:`set_parameter`. A row that can be
        read back is refused (a setting or removal for its date puts it right), and so is one
        set aside already. Returns the set-aside's row (id, setting, citation, actor,
        recorded_at)."""
        setting_id, citation, actor = self._set_aside_arguments(
            setting_id, "setting_id", arguments.no_setting_numbered, citation, actor,
            "a county setting")

        def check() -> None:  # (under the write lock: as stored now)
            rows = self.store.local_setting_rows(setting_id)
            if not rows:
                raise UnknownName(f"no county setting #{setting_id}")
            voids = self.store.setting_voids()
            readable, unread = local_parameters.read_rows(rows, voids)
            if readable:
                s = readable[0]
                raise EventRefused(
                    f"county setting #{setting_id} ({s.province} {s.county} {s.workflow} "
                    f"{s.name}, for {s.on.isoformat()}) can be read back: a setting or removal "
                    f"of it recorded for {s.on.isoformat()} puts it right, not a set-aside",
                    command_line=f"county setting #{setting_id} ({s.province} {s.county} "
                    f"{s.workflow} {s.name}, for {s.on.isoformat()}) can be read back: "
                    f"doudi parameter set or unset of it --on {s.on.isoformat()} puts it right, "
                    "not parameter void")
            voided = unread[0][1].voided_by
            if voided is not None:
                raise EventRefused(f"county setting #{setting_id} was set aside already (on "
                                 f"{voided['recorded_at']}, {voided['citation']})")

        recorded = self._recorded_set_aside(
            "local_parameter_voids", lambda row: StoredWrite(set_aside=row),
            lambda written: self.store.add_setting_void(setting_id, citation, actor, check,
                                                        written=written))
        self._forget_settings()
        return recorded

    def _set_aside_arguments(self, row_id: Any, name: str, beyond: Callable[[str], Exception],
                             citation: Any, actor: Any, what: str) -> tuple[int, str, str | None]:
        """A set-aside's arguments checked (``what`` is set aside: "a county setting"): the
        stored row's id (``beyond`` of it spelt where SQLite could hold none so large, which
        a query would raise OverflowError on), its basis, not blank, and the actor. Nothing
        is then this engine's last write."""
        self._stored_write = None
        row_id = arguments.whole(row_id, name)
        if arguments.beyond_sqlite(row_id):
            raise beyond(arguments.spelled(row_id, limit=40))
        citation = arguments.text(citation, "citation")
        arguments.shown(citation, "citation")
        actor = arguments.actor(actor)
        if not citation.strip():
            raise InvalidInput(f"setting {what} aside needs its basis (citation)",
                               command_line=f"setting {what} aside needs its basis (--basis)")
        return row_id, citation, actor

    def _recorded_set_aside(self, table: str, stored: Callable[[dict], StoredWrite],
                            add: Callable[[list[dict]], dict]) -> dict:
        """The set-aside row ``add`` records in ``table`` (a county setting's, a calendar
        year's), noted as this engine's last write (``stored``), also where a Ctrl-C came as
        its COMMIT returned (the row is in: :meth:`Store.rows_committed`)."""
        written: list[dict] = []  # (the row inserted, before the COMMIT)
        try:
            recorded = add(written)
        except KeyboardInterrupt:
            if self.store.rows_committed(table, written):
                self._stored_write = stored(written[-1])
            raise
        self._stored_write = stored(recorded)
        return recorded

    def _settings_as_stored(self) -> None:
        """Before a read that counts with the county settings: the settings as stored now,
        if another process recorded one since this engine read them (one indexed read)."""
        if self.store.settings_changed():
            self._forget_settings()

    def _forget_settings(self) -> None:
        """Read the county settings again when next asked for (and the workflows built with
        them; _known_cases hold no workflow): the writes no longer check the old ones. The
        calendar years too, read again now if another process recorded one since."""
        self._local, self._workflows = None, {}
        self.store.settings_read = None
        if self.store.years_changed():
            self._read_calendar_years()

    def parameter_settings(self, province: str | None = None, county: str | None = None,
                           in_force: bool = True, as_of: date | None = None
                           ) -> list[LocalSetting]:
        """The county parameters in force on ``as_of`` (default: today; a setting decided
        for a later date is not in force yet); with ``in_force=False``, every setting
        recorded (removals included), oldest first."""
        province = arguments.maybe_text(province, "province")
        county = arguments.maybe_text(county, "county")
        in_force = arguments.flag(in_force, "in_force")
        as_of = self.today() if as_of is None else arguments.a_date(as_of, "as_of")
        if province is not None:
            self.registry.province(province)  # a misspelt one is an error, not "(none)"
        self.calendar().check(as_of)  # (a date the settings could be decided on)
        self._settings_as_stored()
        places = self._local_places()
        for (place_province, _, place_county), damaged in self._damaged_places.items():
            if province in (None, place_province) and county in (None, place_county):
                raise damaged[0].with_traceback(None)
        settings = (
            [s for (place_province, name, _), place in places.items()
             if province in (None, place_province)
             for s in local_parameters.in_force(
                 x for x in self._governing(place_province, name, place) if x.on <= as_of
             ).values()]
            if in_force else [  # (a damaged place's rows: of no county asked for, seen above;
                # a row that cannot be read but was put right: left out, audit verify names it)
                s for s in local_parameters.read_rows(self.store.local_setting_rows())[0]
                if (s.province, s.workflow, s.county) not in self._damaged_places])
        found = [s for s in settings
                 if province in (None, s.province) and county in (None, s.county)]
        return sorted(found, key=lambda s: (s.province, s.county, s.workflow, s.name)
                      ) if in_force else found

    def _governing(self, province: str, workflow: str, place: list[LocalSetting]
                   ) -> list[LocalSetting]:
        """A place's settings less those of parameters its province's workflow removed,
        which govern nothing (recorded before `parameter set` refused them: kept as
        evidence, listed with every setting recorded)."""
        try:
            return local_parameters.governing(self.registry.workflow(province, workflow), place)
        except DoudiError:  # (a plugin not loaded: listed as stored)
            return place

    def _local_places(self) -> dict[Place, list[LocalSetting]]:
        if self._local is None:
            self._local, self._damaged_places = local_parameters.read_by_place(
                *self.store.counted_settings())
        return self._local

    def _place_settings(self, province: str, workflow: str, county: str, again: bool = True
                        ) -> list[LocalSetting] | None:
        """The place's own settings, in date order (None: it has none); a place one of whose
        rows cannot be read back raises that row's :class:`DamagedRecord` (``again``: once
        the settings are confirmed as stored, read again at most once)."""
        place = (province, workflow, county)
        settings = self._local_places().get(place)
        if self._damaged_places and place in self._damaged_places:  # (nearly always none)
            if again and self._settings_outdated():
                return self._place_settings(province, workflow, county, again=False)
            raise self._damaged_places[place][0].with_traceback(None)
        return settings

    def _settings_outdated(self) -> bool:
        """Before a stored county setting is blamed (a :class:`DamagedRecord`): whether another
        process recorded a setting or a set-aside since this engine read them; if so, they are
        forgotten, to be read again. An event is otherwise worked out with the settings read
        before and checked against the store only as it is written, which a refusal never
        is: an engine kept open went on refusing a county another process had put right."""
        if self.store.settings_changed(set_aside=True):
            self._forget_settings()
            return True
        return False

    def _settings_of(self, province: str, workflow: str, county: str | None
                     ) -> list[LocalSetting] | None:
        """The county's own settings of the workflow, in date order; None where it has none
        (or no county is named)."""
        return self._place_settings(province, workflow, county) if county else None

    def calendar(self, province: str | None = None, county: str | None = None) -> OfficialCalendar:
        """The calendar this database's deadlines are counted on: the packaged years and the
        years it holds (:meth:`add_calendar_years`), with the place's local overlays."""
        found = self.registry.calendar(arguments.maybe_text(province, "province"),
                                       arguments.maybe_text(county, "county"))
        if self._years is None or not self._years.counted:
            return found
        key = (self._years.counted, found.overlays)
        built = self._year_calendars.get(key)
        if built is None:
            built = self._year_calendars[key] = OfficialCalendar(self._years.records,
                                                                 found.overlays)
        return built

    # -- the calendar years a database holds ------------------------------------------------

    @property
    def calendar_notes(self) -> tuple[str, ...]:
        """One line for the operator for each calendar year the database holds that is not
        counted (its row no longer fits its hash; or a year doudi's packaged data now holds
        too, differing), as read when the engine opened (or by the last recompute or verify)."""
        return () if self._years is None else self._years.notes

    def _read_calendar_years(self) -> None:
        """The calendar years as stored now (one read), the calendars built on them forgotten;
        each write checks that no other was recorded since (:attr:`Store.years_read`)."""
        rows, voids = self.store.counted_calendar_years()
        years = calendar_years.in_force(
            national_calendar().records, rows, calendar_years.first_voids(voids)) if rows else None
        if years is not None and years == self._years:
            return  # (the same: the calendars built on them kept, each about 4 ms to build)
        self._years = years
        self._year_calendars, self._checked_calendars, self._cut_calendars = {}, {}, {}

    def calendar_years(self) -> list[CalendarYear]:
        """Each year of the official calendar the database's cases are counted on, oldest
        first, with where its record comes from: ``packaged`` (doudi's data) or ``database``
        (added with :meth:`add_calendar_years`: its row's id, actor and ``recorded_at``)."""
        stored: dict[int, CalendarYear] = {}
        if self._years is not None:
            # (the row a year is counted from, as calendar_years.in_force counts it: the first
            # not set aside; a second is stored only by hand)
            for y in self._years.stored:
                if y.year in self._years.counted and y.id not in self._years.set_aside:
                    stored.setdefault(y.year, y)
        packaged = [CalendarYear(r, calendar_years.PACKAGED) for r in national_calendar().records
                    if r.year not in stored]
        return sorted([*packaged, *stored.values()], key=lambda y: y.year)

    def add_calendar_years(self, path: str | os.PathLike[str], actor: str | None = None
                           ) -> AddedYears:
        """Record in the database the official year records of the TOML file at ``path``
        (``[[year]]`` tables in the format of ``engine/data/calendar_cn.toml``, each checked as
        its records are): its cases are then counted on them. A year doudi's packaged data or
        the database holds already is refused unless its record is the same (then it is
        ``already`` there, nothing written: adding a file again is harmless); so is a notice
        dated after today, a notice number another year has, a year after one with no record
        yet, and a day another year's record sets too. Any refusal is :class:`InvalidInput`
        naming the file and the year, and nothing is written. The deadlines running keep
        their dates until :meth:`recompute` re-derives them."""
        path = os.fspath(arguments.path(path, "path"))
        actor = arguments.actor(actor)
        return self._add_calendar_records(calendar_years.read_file(path), path, actor)

    def _add_calendar_records(self, given: list[YearRecord], path: str, actor: str | None
                              ) -> AddedYears:
        """:meth:`add_calendar_years` of the records read (``calendar add -``: stdin's),
        ``path`` naming their file in every refusal; ``actor`` checked."""
        today = self.today()
        packaged = national_calendar().records
        already: list[CalendarYear] = []

        def rows_of(rows: list[dict], voids: list[dict], now: str, previous: str) -> list[dict]:
            stored, _ = calendar_years.read_rows(rows)  # (as stored now, under the write lock)
            set_aside = calendar_years.first_voids(voids)
            new, same = calendar_years.to_add(given, packaged,
                                              [y for y in stored if y.id not in set_aside],
                                              today, path)
            already[:] = same
            return calendar_years.rows_to_store(new, actor, now, previous)

        self._stored_write = None
        written: list[dict] = []  # (the rows inserted, with their ids, before the COMMIT)
        try:
            self.store.add_calendar_years(rows_of, written=written)
        except KeyboardInterrupt:
            if self.store.rows_committed("calendar_years", written):  # (as COMMIT returned)
                self._stored_write = StoredWrite(years=tuple(
                    calendar_years.read_rows(written)[0]))
            raise
        recorded = tuple(calendar_years.read_rows(written)[0])
        if recorded:
            self._stored_write = StoredWrite(years=recorded)
        self._read_calendar_years()
        return AddedYears(recorded, tuple(already))

    def void_calendar_year(self, year_id: int, citation: str, actor: str | None = None
                           ) -> dict[str, Any]:
        """Set aside the stored calendar year record ``year_id`` (``#N`` as
        :meth:`calendar_years` and ``audit verify`` name it), recorded wrongly (a day
        mistyped) or no longer fitting its hash, with the basis of doing so (``citation``):
        the row stays stored as evidence, its year is counted as before it was added
        (projected, or doudi's packaged record), and a corrected record can be added with
        :meth:`add_calendar_years`. The deadlines running keep their dates until
        :meth:`recompute`. Refused: no such row (:class:`UnknownName`), one set aside already,
        or one with a later year counted from the database after it (set aside from the last
        back: :class:`EventRefused`). Returns the set-aside's row (id, calendar_year,
        citation, actor, recorded_at)."""
        year_id, citation, actor = self._set_aside_arguments(
            year_id, "year_id", calendar_years.no_year_numbered,
            citation, actor, "a calendar year")

        def check() -> None:  # (under the write lock: as stored now)
            calendar_years.to_set_aside(
                year_id, self.store.calendar_year_rows(),
                calendar_years.first_voids(self.store.calendar_year_void_rows()))

        recorded = self._recorded_set_aside(
            "calendar_year_voids", lambda row: StoredWrite(year_set_aside=row),
            lambda written: self.store.add_calendar_year_void(year_id, citation, actor, check,
                                                              written=written))
        self._read_calendar_years()
        return recorded

    def _case_calendar(self, province: str, county: str | None) -> OfficialCalendar:
        """:meth:`calendar` for a case's (or an opening's) place, asked for every event."""
        found = self._checked_calendars.get((province, county))
        if found is None:
            found = self._checked_calendars[province, county] = self.calendar(province, county)
        return found

    def due(
        self, start: date, duration: str, province: str | None = None, county: str | None = None
    ) -> DueDate:
        start, duration = arguments.a_date(start, "start"), arguments.text(duration, "duration")
        return due_date(self.calendar(province, county), start, duration)

    def assess(self, province: str, household: Mapping[str, Any], county: str | None = None
               ) -> Assessment:
        """Assess a household (the JSON shape of ``Household.from_json``) under a province's
        rules, with ``county``'s own parameters in force today (a setting decided for a later
        date is not yet)."""
        province = arguments.text(province, "province")
        county = arguments.maybe_text(county, "county")
        self._settings_as_stored()
        return assess_household(self.registry, province, household,
                                self._workflow(province, ROUTE_WORKFLOW, county, self.today()))

    def _assessment_parameters(self, province: str, county: str | None, on: date
                               ) -> Mapping[str, Parameter]:
        """The parameters a household of ``county`` is assessed under on ``on``, in a case of
        any workflow: the province's rules read its ``dibao`` workflow's (GuardContext)."""
        return self._workflow(province, ROUTE_WORKFLOW, county, on).parameters

    # -- cases ------------------------------------------------------------------------------

    # ``on`` is required, but follows ``workflow``, which has a default: the overloads say so
    # to a type checker (by keyword, or with ``workflow`` before it), and the call checks it.
    @overload
    def open_case(
        self,
        province: str,
        workflow: str = "dibao",
        *,
        on: date,
        attributes: Mapping[str, Any] | None = None,
        case_id: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseView: ...

    @overload
    def open_case(
        self,
        province: str,
        workflow: str,
        on: date,
        attributes: Mapping[str, Any] | None = None,
        case_id: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseView: ...

    def open_case(
        self,
        province: str,
        workflow: str = "dibao",
        on: date | None = None,
        attributes: Mapping[str, Any] | None = None,
        case_id: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseView:
        """Open a case in the workflow's initial state on ``on`` (required); returns it as of
        ``on``."""
        self._stored_write = None
        province, workflow, on, attributes, case_id, actor, idempotency_key = \
            self._open_arguments(province, workflow, on, attributes, case_id, actor,
                                 idempotency_key)
        call = (self._opening_call(province, workflow, on.isoformat(), attributes, case_id)
                if idempotency_key else None)
        first = self._replayed_call(idempotency_key, call)
        if first is not None:
            return first
        if case_id is not None:
            try:
                self._check_new_id(case_id)
            except EventRefused:
                if (first := self._replayed_call(idempotency_key, call)) is not None:
                    return first  # the same call, with its key, opened it meanwhile
                raise
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            change = self._opening(province, workflow, on, attributes, case_id, actor,
                                   key=idempotency_key)
            try:
                committed = self._commit_one([change], idempotency_key)
            except Conflict as exc:
                # A number is chosen before the write lock is taken: another process may
                # have opened a case with it meanwhile. Then the next free one is taken (a
                # lock held past the wait is not that: it would be waited for again).
                # A county setting recorded meanwhile: worked out again with it.
                if ((case_id is not None and not isinstance(exc, SettingsChanged))
                        or attempt == OPEN_ATTEMPTS or isinstance(exc, Busy)):
                    raise
                continue
            break
        if not committed:
            # the case the key opened: another call with the same key won the race
            return self._raced_call(idempotency_key, call)
        return self._view_of(self._written([change], {})[change.case.id], on)

    def _open_arguments(self, province: Any, workflow: Any, on: Any, attributes: Any,
                        case_id: Any, actor: Any, idempotency_key: Any
                        ) -> tuple[str, str, date, dict[str, Any], str | None, str | None,
                                   str | None]:
        """:meth:`open_case`'s arguments checked, in its order, before anything is read;
        given back as it takes them. Also called by ``doudi case open`` before it reads the
        workflow (to type its ``--set`` values), so that a call wrong in two ways is refused
        for the same one."""
        if on is None:
            raise InvalidInput("open_case needs the date the case was opened (on=...)")
        on = arguments.a_date(on, "on")
        self._happened(on)
        attributes = arguments.json_object(attributes, "attributes")
        province, workflow = arguments.text(province, "province"), arguments.text(workflow, "workflow")
        case_id, actor = arguments.maybe_text(case_id, "case_id"), arguments.actor(actor)
        return (province, workflow, on, attributes, case_id, actor,
                arguments.key(idempotency_key))

    def _opening_call(self, province: str, workflow: str, on: str,
                      attributes: Mapping[str, Any], case_id: str | None) -> Call:
        """An open as its idempotency key records it: the attributes as the opening stores
        them."""
        stored = dict(attributes)  # (JSON already: the API's checked, or an import line's)
        county = _county(stored)
        wf = self._workflow(province, workflow, county, date.fromisoformat(on))
        if _always_delegated(wf, province, county, stored):
            stored["delegated"] = True
            self._record_delegated_by(province, workflow, wf, stored)
        return Call(case_id, OPEN_EVENT, on, stored, province=province, workflow=workflow)

    def _check_new_id(self, case_id: str, taken: bool | None = None) -> None:
        """Refuse ``case_id`` for a new case; ``taken``: whether a case has it, where the
        caller has read that (an import batch reads its ids together: Store.taken)."""
        # Printable characters only: a control character (a terminal escape) or an invisible
        # one (a zero-width space makes "z\u200bw" look like "zw") would make an id that
        # shows as another; a leading "-" would be read as an option by every command.
        if not case_id or case_id.startswith("-") or (
                # (ASCII: a control character is the one not printable, a space the one
                # separator: said without a look-up a character)
                not case_id.isprintable() or " " in case_id if case_id.isascii()
                else any(unicodedata.category(c)[0] in "CZ" for c in case_id)):
            # (the character named, as other text's refusal names it: a byte order mark
            # shows as nothing)
            bad = next((f" ({arguments.character(c)})" for c in case_id
                        if not c.isprintable() or c.isspace()), "")
            raise InvalidInput(f"case id {arguments.spelled(case_id)} must be non-empty, without spaces or "
                               f"invisible characters, and not start with '-'{bad}")
        if self.store.exists(case_id) if taken is None else taken:
            raise EventRefused(f"case {case_id} already exists")

    def _opening(
        self,
        province: str,
        workflow: str,
        on: date,
        attributes: dict[str, Any],
        case_id: str | None,
        actor: str | None,
        taken: Container[str] = (),
        numbers: dict[str, int] | None = None,
        key: str | None = None,
        linked: bool = False,
    ) -> Change:
        """The change that opens a case (not yet written); ``key``: its idempotency key;
        ``linked``: opened by another case's event, with what doudi decided there."""
        county = _county(attributes)
        wf = self._workflow(province, workflow, county, on)
        # (residence is given to the event that judges the place: kept from the opening, the
        # case would show it as if that had been judged)
        check_residence_judged(wf, OPEN_EVENT, attributes)
        wf.check_attributes(attributes, opening=True, linked=linked)
        if "paid_from" in attributes and "payment_start" in wf.parameters:  # (as views.pays)
            check_first_month(attributes["paid_from"], on, wf.parameters["payment_start"].citation)
        calendar = self._case_calendar(province, county)
        if not calendar.first_day <= on <= calendar.last_day:  # (as _step: called to refuse)
            calendar.check(on)
        if _always_delegated(wf, province, county, attributes):
            attributes["delegated"] = True
            self._record_delegated_by(province, workflow, wf, attributes)
        if case_id is None:
            # ``taken``: ids opened but not yet written (an import batch); ``numbers``: the
            # next free number per prefix, kept by the caller across openings.
            prefix = f"{province}-{on.year}-"
            number = (numbers or {}).get(prefix) or self.store.next_case_number(prefix)
            case_id = numbered_id(prefix, number)
            while case_id in taken:
                number += 1
                case_id = numbered_id(prefix, number)
            if numbers is not None:
                numbers[prefix] = number + 1
            # (split_number's reading of the id, without reading it: the prefix ends in "-",
            # and a number of up to NUMBER_DIGITS digits is what it reads back)
            numbered = ((prefix, number) if 0 <= number < 10 ** NUMBER_DIGITS
                        else split_number(case_id))
        elif (numbered := split_number(case_id)) is not None and numbers is not None:
            # An id given by hand counts as the write counts it (case_numbers): a case the same
            # caller numbers after it (later in an import batch) follows it, as it does once
            # it is written. (It was numbered from what the database held before the batch:
            # P-2026-000001 after P-2026-000005 in one batch, 000006 across two.)
            prefix, given = numbered
            following = numbers.get(prefix) or self.store.next_case_number(prefix)
            numbers[prefix] = max(following, given + 1)
        # (classes called with arguments by position: keywords are gathered into a dict)
        # id, province, workflow, county, state, attributes, opened_on, last_event_on
        case = CaseRecord(case_id, province, workflow, county, wf.initial, attributes, on, on)
        # seq, event, on, from_state, to_state, payload, reason, derived, actor, key (the
        # payload made read-only here, as HistoryEntry() would make it)
        entry = HistoryEntry.of_event(0, OPEN_EVENT, on, "", wf.initial,
                                      read_only_data(attributes), None, NO_DATA, actor, key)
        deadlines = apply_event([], wf, OPEN_EVENT, on, calendar, attributes, False, attributes)
        # case, entries, deadlines, sanctions, links, new_case
        change = Change(case, [entry], deadlines, [], [], True)
        change.numbered = numbered
        return change

    def _load(self, case_id: str) -> CaseRecord:
        case = self.store.case(case_id)
        if case is None:
            raise UnknownName(f"no case {case_id!r}")
        return case

    def fire(
        self,
        case_id: str,
        event: str,
        on: date,
        payload: Mapping[str, Any] | None = None,
        reason: str | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseView:
        """Record ``event`` on ``on`` if the procedure allows it; raises :class:`EventRefused`.

        A refused event changes nothing. Payload values become the case's attributes. Anything
        that happened by itself before ``on`` (the end of a phase-out) is recorded first, and
        cases the event opens (approve → benefit) are opened, all in the same transaction.
        With an ``idempotency_key`` already recorded for this same event, nothing is written
        and the case is returned as that event left it. Another writer changing the case
        meanwhile raises :class:`Conflict` and nothing is written.
        """
        self._stored_write = None
        case_id, event, on, payload, reason, actor, idempotency_key = self._fire_arguments(
            case_id, event, on, payload, reason, actor, idempotency_key)
        call = None
        if idempotency_key:  # (most events have no key: nothing recorded to look for)
            call = Call(case_id, event, on.isoformat(), payload, reason)
            first = self._replayed_call(idempotency_key, call)
            if first is not None:
                return first
        wf: Workflow | None = None

        def work(known: Known) -> list[Change]:
            nonlocal wf
            wf = self._workflow_of(known.case)
            return self._event_changes(known, event, on, payload, reason, actor,
                                       idempotency_key, wf=wf)

        done = self._written_retrying(case_id, work, idempotency_key, call)
        if isinstance(done, CaseView):
            return done  # the same call, with its key, recorded meanwhile
        changes, known = done
        county = known.case.county
        known = self._written(changes, {case_id: known})[case_id]
        if known.case.county != county:  # (else the same look-up: its state is the workflow's)
            wf = self._workflow_of(known.case)
        # (a workflow without transitions that happen by themselves has none pending)
        # (wf: set by work, which the write ran)
        if wf.automatic and wf.pending_automatic(known.case, on) is not None:  # type: ignore[union-attr]
            return self.case(case_id, as_of=on)
        return self._view_of(known, on, wf)

    def _written_retrying(self, case_id: str, work: Callable[[Known], list[Change]],
                          key: str | None, call: Call | None,
                          ) -> tuple[list[Change], Known] | CaseView:
        """Write what ``work`` works out from the case (an event's changes, the case's own
        first), working it out again where the write finds it was worked out from something
        another writer has changed since; returns the changes and the case they were worked
        out from, or the first result of the call (``call``, with its key) where the same call
        was recorded meanwhile (:meth:`fire`, :meth:`correct`)."""
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            # A copy kept in memory is used without reading its version first: the write
            # checks the version, and a copy another writer has outdated fails there and is
            # read again. Only a refusal must not come from an outdated copy, so that one is
            # confirmed against the database before it is believed.
            known, remembered = self._known(case_id, verify=False)
            try:
                changes = work(known)
            except DoudiError:
                if remembered:
                    self._known_cases.drop(case_id)
                    continue
                if (first := self._replayed_call(key, call)) is not None:
                    return first  # the same call, with its key, was recorded meanwhile
                raise
            try:
                written = self._commit_one(changes, key)
            except Conflict as exc:
                if remembered and attempt == 1 and not isinstance(exc, Busy):
                    # Another writer changed the case since we kept it: read it from the
                    # database once and work it out again.
                    continue
                if isinstance(exc, SettingsChanged) and attempt < OPEN_ATTEMPTS:
                    continue  # worked out again with the settings stored now
                if (attempt < OPEN_ATTEMPTS and not isinstance(exc, Busy)
                        and any(self.store.exists(c.case.id) for c in changes[1:])):
                    # A case the event opens (approve → benefit) is numbered before the
                    # write lock is taken: another process opened a case with that number
                    # meanwhile. The event is worked out again, with the next free one.
                    continue
                raise
            break
        if not written:  # the same key won a race meanwhile
            return self._raced_call(key, call)
        return changes, known

    def _correct_arguments(self, case_id: Any, corrects: Any, on: Any, reason: Any,
                           payload: Any, actor: Any, idempotency_key: Any
                           ) -> tuple[str, int, date, str, dict[str, Any], str | None,
                                      str | None]:
        """:meth:`correct`'s arguments checked, in its order (the reason before the date),
        before anything is read; given back as it takes them. Also called by ``doudi case
        correct`` before it reads the case, as :meth:`_fire_arguments` by ``case fire``."""
        case_id, corrects = arguments.text(case_id, "case_id"), arguments.whole(corrects, "corrects")
        on, reason = arguments.a_date(on, "on"), arguments.text(reason, "reason")
        if not reason.strip():
            raise InvalidInput("a correction needs a reason (reason: what was wrong)",
                               command_line="a correction needs --reason (what was wrong)")
        arguments.shown(reason, "reason", lines=True)
        self._happened(on)
        payload = arguments.json_object(payload, "payload")
        return (case_id, corrects, on, reason, payload, arguments.actor(actor),
                arguments.key(idempotency_key))

    def _fire_arguments(self, case_id: Any, event: Any, on: Any, payload: Any, reason: Any,
                        actor: Any, idempotency_key: Any
                        ) -> tuple[str, str, date, dict[str, Any], str | None, str | None,
                                   str | None]:
        """:meth:`fire`'s arguments checked, in its order, before anything is read; given
        back as it takes them. Also called by ``doudi case fire`` before it reads the case
        (to type its ``--set`` values), so that a call wrong in two ways is refused for the
        same one."""
        case_id, event, on = arguments.event_arguments(case_id, event, on)
        payload = arguments.json_object(payload, "payload")
        self._happened(on)
        # (most events give none of these: their checks are not called for None)
        if reason is not None:
            reason = arguments.shown(reason, "reason", lines=True)
        if actor is not None:
            actor = arguments.actor(actor)
        if idempotency_key is not None:
            idempotency_key = arguments.key(idempotency_key)
        return case_id, event, on, payload, reason, actor, idempotency_key

    # -- cases kept whole in memory between events ------------------------------------------

    def _known(self, case_id: str, verify: bool = True) -> tuple[Known, bool]:
        """The case whole, and whether it came from memory rather than the database.

        ``verify``: confirm a kept copy's version with one indexed read (a copy another
        writer has outdated could refuse an event the case now allows, or allow one it no
        longer does). Without it the caller must treat the copy as possibly outdated.
        """
        known = self._known_cases.get(case_id)
        if known is not None:
            if not verify:
                self._known_cases.used(case_id)
                return known, True
            row = self.store.db.conn.execute("select version from cases where id = ?",
                                             [case_id]).fetchone()
            if row is not None and row[0] == known.case.version:
                self._known_cases.used(case_id)
                return known, True
            self._known_cases.drop(case_id)
        return self.store.known(self._load(case_id)), False

    def _known_many(self, ids: list[str]) -> dict[str, Known]:
        """:meth:`_known` (verified) for many cases at once: the kept copies confirmed by one
        read of their versions, the rest read together (:meth:`Store.known_cases`). A case
        not stored, or not readable, is left out: :meth:`_known` says why for it alone."""
        kept = self._known_cases
        found: dict[str, Known] = {}
        held = [i for i in ids if i in kept] if kept else []
        if held:
            versions = self.store.versions(held)
            for case_id in held:
                known = kept.get(case_id)  # (held: each is kept)
                if versions.get(case_id) == known.case.version:  # type: ignore[union-attr]
                    kept.used(case_id)
                    found[case_id] = known  # type: ignore[assignment]
                else:
                    kept.drop(case_id)
        found.update(self.store.known_cases([i for i in ids if i not in found]))
        return found

    def _written(self, changes: list[Change], before: Mapping[str, Known],
                 owned: bool = False) -> dict[str, Known]:
        """The cases just committed, as the changes left them (``before``: the cases as they
        were read, for those that existed), kept in memory for their next event.

        They are kept only once the commit is final: inside a caller's transaction it may
        still roll back. What is kept is what the database would give back (payloads and
        attributes through JSON), owned by the engine, never the caller's own objects.
        ``owned``: the changes' data already is that (an import parsed it from JSON), save
        what effects decided.
        """
        workflows = None
        final = not self.store.db.conn.in_transaction
        result = {}
        for change in changes:
            old = before.get(change.case.id)
            # What effects decide (derived) may hold dates and the like: stored as text.
            entries = change.entries
            detach = not owned
            if not detach:
                for e in entries:  # (a loop: a generator is a function made and called)
                    if e.derived:
                        detach = True
                        break
            case = change.case
            # Read back from the JSON text the write stored (what plain() would give, without
            # encoding it again); attributes written as the text they were read from are the
            # same already (Known.attributes_json).
            text = change.attributes_json
            stored = change.stored_attributes
            attributes = case.attributes if not detach or (
                stored is not None and text is stored[1]) else (
                plain(case.attributes) if text is None else parsed(text))
            # The change's own record, made for this write (by _step or _opening) and held
            # only by the change (and an import batch's copy of the case, let go with it), is
            # kept as the case now stands: its stored attributes and version given in place,
            # not a copy built (about 0.5 % of fire's instructions).
            case.attributes = attributes
            case.version = 1 if change.new_case else case.version + 1
            # (comprehensions only where there is something: each is a function made and
            # called, and most events open nothing and impose no sanction)
            links = []
            if change.links:
                if workflows is None:
                    workflows = {c.case.id: c.case.workflow for c in changes}
                links = [{"case_id": other, "relation": relation, "on": iso_text(on),
                          "workflow": workflows.get(other) or self._load(other).workflow}
                         for other, relation, on, _ in change.links]
            if detach:
                # (None: an entry whose row was not kept)
                rows: Sequence[tuple | None] = change.rows or [None] * len(entries)  # type: ignore[list-item]
                kept = []
                for e, row in zip(entries, rows, strict=True):  # (most have no data: as they are)
                    kept.append(e if not (e.payload or e.derived) else e.with_data(
                        plain(e.payload) if row is None else
                        # (an opening's payload stored as the attributes' very text: read
                        # once; with_data makes its own read-only copy)
                        attributes if row[EVENT_PAYLOAD] is text else
                        parsed(row[EVENT_PAYLOAD]),
                        plain(e.derived) if row is None else
                        parsed(row[EVENT_DERIVED]) if row[EVENT_DERIVED] else {}))
                entries = kept
            sanctions = old.sanctions if old else []  # (a kept list is never changed in place)
            if change.sanctions:
                sanctions = sanctions + [s for _, s in change.sanctions]
            known = Known(
                case,
                (old.history if old else []) + entries,
                change.deadlines,
                sanctions,
                (old.links + links if links else old.links) if old else links,
                change.last_hash,
                text if detach else None,  # (an import's own attributes are in its order)
            )
            result[case.id] = known
            if final:
                self._known_cases.keep(case.id, known)
        return result

    def _view_of(self, known: Known, as_of: date, wf: Workflow | None = None) -> CaseView:
        """A case view of a kept case that shares nothing a caller could change with it
        (``wf``: the case's workflow, :meth:`_workflow_of` it, when the caller has it)."""
        c = known.case
        case = CaseRecord(c.id, c.province, c.workflow, c.county, c.state, copied(c.attributes),
                          c.opened_on, c.last_event_on, c.version)
        return self._view(case, known.history, known.deadlines,  # (deadlines are immutable)
                          known.sanctions,
                          [dict(link) for link in known.links] if known.links else [], as_of,
                          wf=wf)

    def _event_changes(
        self,
        known: Known,
        event: str,
        on: date,
        payload: Mapping[str, Any] | None,
        reason: str | None,
        actor: str | None,
        idempotency_key: str | None,
        taken: Container[str] = (),
        numbers: dict[str, int] | None = None,
        wf: Workflow | None = None,
    ) -> list[Change]:
        """Check one event against the case and work out what it writes, without writing.

        The first change is the case's own; any further ones open linked cases (ids not in
        ``taken``, numbered from ``numbers``; see :meth:`_opening`). ``known`` is left as
        it was. ``wf``: :meth:`_workflow_of` the case, when the caller has it.
        """
        case = known.case
        numbers = {} if numbers is None else numbers  # two cases opened by one event differ
        # (both callers' own dict, or None: read, never changed, so not copied)
        payload = payload or {}
        # The case's workflow whatever the date where its place has no settings of its own
        # (kept so by _workflow_of): _step is given it rather than asking again, by date
        # (about 1,600 instructions). None: asked for by the event's date.
        undated = self._workflows.get(_undated(case))
        if wf is None:
            wf = self._workflow_of(case) if undated is None else undated
        if "reason" in payload:
            _one_reason(wf, payload["reason"], reason)
        # (a misspelt event is a usage error whatever its date: named before the date is judged)
        # (looked up once an event: _step is given it)
        machine = self.registry.machine(case.province, case.workflow)
        if event not in machine.event_names:  # (a call only for the refusal: every event)
            machine.check_event(event)
        if payload:
            check_residence_judged(wf, event, payload)
        automatic = wf.automatic  # (a property, each read a Python call: read once)
        for transition in automatic:
            if transition.event == event:
                when = case.attributes.get(transition.auto_on)  # type: ignore[arg-type]  # (automatic: set)
                raise EventRefused(
                    f"{event} happens by itself" + (f" on {when}" if when else "")
                    + "; it cannot be fired (record what happened instead)"
                )
        if on < case.last_event_on:
            # (a date before the calendar is bad input whatever the case: exit 2, as open says)
            self._case_calendar(case.province, case.county).check(on)
            raise EventRefused(
                f"{event} on {on.isoformat()} is before the case's last event "
                f"(on {case.last_event_on.isoformat()})"
            )
        history = known.history
        # case, entries, deadlines, sanctions, links, new_case, stored, last_hash (by position:
        # keywords are gathered into a dict)
        change = Change(case, [], known.deadlines, [], [], False, known.deadlines,
                        known.last_hash, None if known.attributes_json is None
                        else (case.attributes, known.attributes_json))
        if automatic:  # (else nothing happens by itself: a call and a loop saved)
            self._advance(change, history, on, wf)
        change.case, entry, change.deadlines, outcome, openings = self._step(
            change.case, history + change.entries if change.entries else history,
            change.deadlines, event, on, payload, reason, actor, idempotency_key, None, machine,
            undated if change.case is case else None)  # (one advanced: its own state's)
        change.entries.append(entry)
        if outcome.sanctions:
            change.sanctions += [(entry.seq, s) for s in outcome.sanctions]
        changes = [change]
        for opening in openings:
            try:
                linked = self._opening(case.province, opening.workflow, on,
                                       dict(opening.attributes), None, actor,
                                       taken=taken, numbers=numbers, linked=True)
            except DoudiError as exc:
                carried = next((k for k in opening.attributes if str(exc).startswith(f"{k} ")),
                               None)
                # (a value recorded on this case before a check refused it: the event may
                # give it again, put right)
                hint = (f"; give {carried} again with this event (--set {carried}=…)"
                        if carried and carried not in payload else "")
                raise type(exc)(f"{event} opens a {opening.workflow} case: {exc}{hint}") from None
            linked.links.append((case.id, opening.back_relation, on, 0))
            change.links.append((linked.case.id, opening.relation, on, entry.seq))
            changes.append(linked)
        return changes

    def _replayed_call(self, key: str | None, call: Call | None) -> CaseView | None:
        """The first result of a call repeated with the same idempotency key, if any; raises
        :class:`Conflict` if the key recorded another call (``call``: this one, given with
        the key; None without a key).

        The first result is the case as the keyed event left it, rebuilt from its history
        up to and including that event: events recorded after it (on the same day too) are
        not in it.
        """
        if call is None:
            return None
        # (key: given with call, which is not None)
        row = self.store.event_by_key(key)  # type: ignore[arg-type]
        if row is None:
            return None
        check_repeat(key, row, call)  # type: ignore[arg-type]
        # (its date is the call's, checked above: no damaged text reaches here)
        case_id, seq, on = row["case_id"], row["seq"], stored_date(row["on"])
        case, history, deadlines = self._as_of(self._load(case_id), on, through=seq)
        if history is None:  # (never with ``through``: for the type checker)
            history = self.store.history(case_id)
        view = self._view(case, history, deadlines,
                          self.store.sanctions(case_id, through=seq),
                          self.store.links(case_id, through=seq), on)
        return attrs.evolve(view, repeated=True)

    def _raced_call(self, key: str | None, call: Call | None) -> CaseView:
        """The first result of a call whose write lost to the same key's (:meth:`_commit`
        found the key recorded; events are never removed, so it is still there)."""
        first = self._replayed_call(key, call)
        if first is None:
            raise Conflict(f"idempotency key {key!r}: its event cannot be found after the "
                           "write lost a race to it")
        return first

    def _commit(self, changes: list[Change], key: str | None = None) -> bool:
        """Write the changes in one transaction; False if the idempotency key won a race.

        The cases' copies in memory are dropped either way; callers remember what they wrote.
        """
        for change in changes:
            self._known_cases.drop(change.case.id)
        try:
            self.store.commit(changes)
        except SettingsChanged:
            # Another process recorded a county setting (or a calendar year) since this
            # engine read them: the events were counted without it. Read them again for the
            # next try.
            self._forget_settings()
            raise
        except (sqlite3.IntegrityError, Conflict) as exc:
            # Two calls with the same key at once: the loser finds the case changed (the
            # version it read is gone, its case number taken) or its unique key insert fails.
            if key and self.store.event_by_key(key) is not None:
                return False
            if isinstance(exc, Conflict):
                raise
            raise Conflict("the case was changed by another writer meanwhile: nothing written"
                           ) from None
        return True

    def correct(
        self,
        case_id: str,
        corrects: int,
        on: date,
        reason: str,
        payload: Mapping[str, Any] | None = None,
        actor: str | None = None,
        idempotency_key: str | None = None,
    ) -> CaseView:
        """Record a correction of event ``corrects``: history is never rewritten, only added to.

        The correction states what was wrong (``reason``) and the corrected data (``payload``,
        checked like the event's own data: see :meth:`_check_corrected_data`); it changes no
        attribute, state or deadline by itself: to change the case, record the event that does.
        """
        self._stored_write = None
        case_id, corrects, on, reason, payload, actor, idempotency_key = \
            self._correct_arguments(case_id, corrects, on, reason, payload, actor,
                                    idempotency_key)
        call = (Call(case_id, CORRECTION_EVENT, on.isoformat(), payload, reason, corrects)
                if idempotency_key else None)
        first = self._replayed_call(idempotency_key, call)
        if first is not None:
            return first

        def work(known: Known) -> list[Change]:
            case, history = known.case, known.history
            # The corrected data changes nothing by itself, but it is evidence: checked as the
            # event's own data would be (household_size=abc went into the permanent record),
            # its shape here, and by the event's own guards once the event is known (a death
            # corrected to after the day it was recorded went in).
            self._workflow_of(case).check_attributes(payload)

            def advanced() -> Change:
                # What happened by itself before ``on`` (a phase-out's end) is recorded first,
                # on its own date, as before any event: the correction is made in the state the
                # case is in on its date, and does not leave that end to be dated after it.
                # (case, entries, deadlines, sanctions, links, new_case, stored, last_hash)
                made = Change(case, [], known.deadlines, [], [], False, known.deadlines,
                              known.last_hash)
                wf = self._workflow_of(case)
                if wf.automatic:
                    self._advance(made, history, on, wf)
                return made

            made = None
            if not 0 <= corrects < len(history):
                # ... and may be the event corrected: `case show` lists it, with its seq, from
                # its date (none before the case's last event, a date refused below).
                if on >= case.last_event_on:
                    made = advanced()
                if not 0 <= corrects < len(history) + (len(made.entries) if made else 0):
                    raise InvalidInput(f"case {case_id} has no event seq "
                                       f"{arguments.spelled(corrects, limit=40)}")
            # a date it can be shown on
            self.calendar(self._province_of(case), case.county).check(on)
            if on < case.last_event_on:
                raise EventRefused(f"correction on {on.isoformat()} is before the case's last "
                                   f"event (on {case.last_event_on.isoformat()})")
            if made is None:
                made = advanced()
            self._check_corrected_data(case, history + made.entries, corrects, payload)
            state = made.case.state
            made.entries.append(HistoryEntry(
                len(history) + len(made.entries), CORRECTION_EVENT, on, state, state,
                dict(payload or {}), reason, actor=actor, key=idempotency_key,
                corrects=corrects))
            made.case = attrs.evolve(made.case, last_event_on=on)
            return [made]

        done = self._written_retrying(case_id, work, idempotency_key, call)
        if isinstance(done, CaseView):
            return done  # the same call, with its key, recorded meanwhile
        return self.case(case_id, as_of=on)

    def _check_corrected_data(self, case: CaseRecord, history: list[HistoryEntry], seq: int,
                              payload: Mapping[str, Any]) -> None:
        """Refuse ``payload``, a correction's data for event ``seq`` of ``history``, where the
        event's own checks refuse it: the event's data as recorded with the correction's put
        over it, checked by the guards of the transition the event took, in the case as it
        stood before the event (its date, state, history, deadlines). Only what the corrected
        data changes is judged: a guard the data as recorded does not pass either (a rule
        added since) is about the case, not about the correction, and is left out."""
        entry = history[seq]
        if not payload or entry.event in SYSTEM_EVENTS:  # (a correction, a recompute: no data)
            return
        corrected = {**entry.payload, **payload}
        said = f"correction of event {seq} ({entry.event} on {entry.on.isoformat()})"
        if entry.event == OPEN_EVENT:  # (its county its own data's; it has no guard)
            county = _county(corrected)
            wf = self._workflow(case.province, case.workflow, county, entry.on)
        else:
            before = history[:seq]
            attributes = attributes_given_by(before)
            county = _county(attributes)
            # id, province, workflow, county, state, attributes, opened_on, last_event_on,
            # version
            then = CaseRecord(case.id, case.province, case.workflow, county, entry.from_state,
                              attributes, case.opened_on, before[-1].on, case.version)
            wf = self._workflow_of(then, entry.on)
        # What the event refuses besides its guards: a residence where it does not judge the
        # place (where it does, its guard below judges it), and delegated=false where the
        # place always delegates.
        try:
            check_residence_judged(wf, entry.event, payload)
            _delegated_as_corrected(wf, case.province, county, entry.payload, corrected)
        except DoudiError as exc:
            raise type(exc)(f"{said}: {exc}") from None
        if entry.event == OPEN_EVENT:
            return
        taken = wf.recorded_transition(entry.event, entry.from_state, entry.to_state)
        if taken is None or not taken.guards:
            return
        deadlines = self._deadlines_from_history(then, before, None)
        calendar, rules = self._case_calendar(case.province, county), wf.rules_for(entry.event)

        def context(data: Mapping[str, Any]) -> GuardContext:
            data = read_only_data(data)
            return self._context(then, {**attributes, **data}, entry.event, entry.on, data,
                                 entry.reason, before, deadlines, wf, calendar, rules,
                                 wf.final_states)

        as_recorded, as_corrected = context(entry.payload), context(corrected)
        for name in taken.guards:
            guard = self.registry.guards[name]
            try:
                if guard(as_recorded) is not None:
                    continue
            except DoudiError:
                continue
            try:
                refused = guard(as_corrected)
            except DoudiError as exc:
                raise type(exc)(f"{said}: {exc}") from None
            if refused is not None:
                raise EventRefused(f"{said}: {refused}")

    def import_lines(
        self,
        lines: Iterable[str | bytes],
        batch: int = 500,
        skip_invalid: bool = False,
        progress: Callable[[int], None] | None = None,
        on_skip: Callable[[int, str], None] | None = None,
    ) -> ImportResult:
        """Load cases and events from JSON lines, through the same checks as the API.

        Each line is ``{"op": "open", "province", "on", ["workflow", "id", "attributes"]}`` or
        ``{"op": "fire", "case_id", "event", "on", ["payload", "reason"]}`` (``actor`` and
        ``key`` optional). Lines are written in batches of ``batch``, one transaction each. A
        bad line stops the import with nothing from its batch written (earlier batches stay)
        — or, with ``skip_invalid``, is listed and skipped. A line without ``key`` gets one
        from its content, so re-running the same file adds nothing. A line with a ``key``
        already recorded counts as already imported if it is the same call (see
        :mod:`engine.idempotency`); a key recorded by another call makes it a bad line
        (:class:`Conflict`), as the API refuses such a call. Each time a batch is committed,
        ``progress`` is called with the number of lines read since its last call (blank ones
        too), as click's ``bar.update`` wants. Each batch holds the write lock from its
        first read to its commit, so other writers wait for it (busy timeout).
        ``on_skip``: called with (line number, why) for each skipped line once its batch is
        committed, instead of listing it in ``ImportResult.skipped``; memory then stays flat
        however many lines are skipped (``skipped_count`` counts them either way).
        """
        arguments.lines(lines, "lines")
        arguments.batch(batch, "batch")
        arguments.flag(skip_invalid, "skip_invalid")
        arguments.callback(progress, "progress")
        arguments.callback(on_skip, "on_skip")
        return import_lines(self, lines, batch, skip_invalid, progress, on_skip)

    def import_file(
        self,
        path: str | os.PathLike,
        batch: int = 500,
        skip_invalid: bool = False,
        progress: Callable[[int], None] | None = None,
        on_skip: Callable[[int, str], None] | None = None,
    ) -> ImportResult:
        """:meth:`import_lines` on a UTF-8 JSONL file, read a line at a time (memory stays
        flat whatever the file's size). A line that is not UTF-8 is a bad line."""
        path = arguments.path(path, "path")
        arguments.batch(batch, "batch")
        arguments.flag(skip_invalid, "skip_invalid")
        arguments.callback(progress, "progress")
        arguments.callback(on_skip, "on_skip")
        try:
            lines = open(path, "rb")  # noqa: SIM115 (closed below; only opening is checked here)
        except OSError as exc:  # (missing, a directory, not readable)
            raise InvalidInput(f"path {os.fsdecode(path)!r} cannot be read: "
                               f"{exc.strerror or exc}") from None
        with lines:
            return import_lines(self, read_lines(lines, os.fsdecode(path)), batch, skip_invalid,
                                progress, on_skip)

    def _advance(self, change: Change, history: list[HistoryEntry], until: date,
                 wf: Workflow | None = None) -> None:
        """Fire, in memory, the transitions that happen by themselves up to ``until`` (``wf``:
        :meth:`_workflow_of` the change's case, when the caller has it)."""
        wf = self._workflow_of(change.case) if wf is None else wf
        while True:
            due = wf.pending_automatic(change.case, until)
            if due is None:
                return
            transition, when = due
            change.case, entry, change.deadlines, outcome, _ = self._step(
                change.case, history + change.entries, change.deadlines, transition.event, when,
                {}, None, AUTO_ACTOR)
            change.entries.append(entry)
            change.sanctions += [(entry.seq, s) for s in outcome.sanctions]

    def _step(
        self,
        case: CaseRecord,
        history: list[HistoryEntry],
        deadlines: list[Deadline],
        event: str,
        on: date,
        payload: Mapping[str, Any],
        reason: str | None,
        actor: str | None = None,
        key: str | None = None,
        recorded: str | None = None,
        machine: ProcessMachine | None = None,
        wf: Workflow | None = None,
    ) -> _Step:
        """One event applied to a case in memory: new state, attributes, deadlines, effects.

        ``recorded``: the state an event read back from the history (a replay) left the case
        in. Its data and its conditions were checked when it was given, and are not judged
        again by today's rules (a later version refusing spaces around a name, or a rule
        added since, must not make the history unreadable): the transition is the one to the
        recorded state, and its effects run as they do now. ``machine``: the registry's
        machine of the case's workflow, when the caller has it (looked up once an event).
        ``wf``: :meth:`_workflow_of` the case on ``on``, when the caller knows it is the
        same on every date (its place has no settings of its own).
        """
        wf = self._workflow_of(case, on) if wf is None else wf
        if machine is None:
            machine = self.registry.machine(case.province, case.workflow)
        calendar = self._case_calendar(case.province, case.county)
        if not calendar.first_day <= on <= calendar.last_day:  # (every event: called to refuse)
            calendar.check(on)
        if recorded is None and payload:  # (no data: nothing to check)
            wf.check_attributes(payload)
        if payload:  # (without data nothing is refused: delegated is taken as true)
            _always_delegated(wf, case.province, case.county, payload)
        # Read-only once, for the guards' and effects' context and for the history entry
        # (which would copy it again)
        payload = read_only_data(payload) if payload else NO_DATA  # (NO_DATA: no call)
        attributes = {**case.attributes, **payload}
        final_states = wf.final_states
        # The deadline rules the event may act on, looked up for a guard or an effect to see;
        # else by apply_event only where the event changed an attribute (one that changed none
        # acts only on the rules naming it: rules_for would be asked for nothing)
        rules = None

        # The guards' and effects' context is built only for a guard or an effect to see
        # (about half an import's events have neither): a frozen instance of 17 fields, it
        # cost about 24,000 instructions (about 10,500 since it keeps them in a dict and is
        # given them by position), a sixth of the rest of the step.
        ctx = None
        taken: Transition | None
        if recorded is None:
            state = machine.unguarded(case.state, event)
            if state is None:
                rules = wf.rules_for(event)
                ctx = self._context(case, attributes, event, on, payload, reason, history,
                                    deadlines, wf, calendar, rules, final_states)
                state = machine.fire(case.state, event, ctx)
            taken = wf.transition_for(event, case.state, state)
        else:  # (its conditions are not judged again: the state it recorded)
            machine.check_event(event)
            state, taken = recorded, wf.recorded_transition(event, case.state, recorded)
            if taken is None:
                raise EventRefused(f"case {case.id}: its recorded {event} from {case.state} to "
                                   f"{recorded} is no transition of the workflow now")
        if taken.effects:
            outcome = Outcome()
            if ctx is None:
                rules = wf.rules_for(event)
                ctx = self._context(case, attributes, event, on, payload, reason, history,
                                    deadlines, wf, calendar, rules, final_states)
            for name in taken.effects:
                self.registry.effects[name](ctx, outcome)
            attributes.update(outcome.attributes)
        else:  # (most transitions have no effect: nothing to collect)
            outcome = _NO_OUTCOME
        decided = outcome.attributes
        # (not in a replay: the document the event recorded is given to it as its data)
        if (recorded is None and wf.delegating is not None  # (nearly every event: no look-up)
                and self._record_delegated_by(case.province, case.workflow, wf, attributes)):
            # (the county's document that delegates the case, where the case did not name it
            # yet: recorded with what the effects decided)
            decided = {**decided, DELEGATED_BY: attributes[DELEGATED_BY]}
        closes = state in final_states
        # (an event that changed no attribute gives the very mapping as ``before``: no
        # variant of a running deadline is judged again, the case being as it was)
        deadlines = apply_event(deadlines, wf, event, on, calendar, attributes, closes, payload,
                                rules, case.attributes if payload or decided else attributes)
        # (the data read-only above; what the effects decided made so here: none without them)
        derived = NO_DATA if outcome is _NO_OUTCOME and not decided else read_only_data(decided)
        entry = HistoryEntry.of_event(len(history), event, on, case.state, state, payload, reason,
                                      derived, actor, key)
        openings = list(outcome.openings)
        for o in wf.opens:
            if o.event == event:
                copied = {k: attributes[k] for k in o.copy if k in attributes}
                if o.next_month_attribute:
                    copied[o.next_month_attribute] = month_text(next_month(month_of(on)))
                copied[o.back_relation] = case.id
                openings.append(LinkedOpening(o.workflow, o.relation, o.back_relation, copied,
                                              o.citation))
        updated = CaseRecord(case.id, case.province, case.workflow, attributes.get("county"),
                             state, attributes, case.opened_on, on, case.version)
        return updated, entry, deadlines, outcome, openings

    def _record_delegated_by(self, province: str, name: str, wf: Workflow,
                             attributes: dict[str, Any]) -> bool:
        """Put the county's document that delegates every case (its ``delegation`` setting
        in force, :func:`local_parameters.county_delegation`) in ``attributes`` as
        ``delegated_by``, where they name none yet (the first found is kept: a later document
        of the county delegating again did not delegate the case); whether it was put. A total
        the delegation shortens cites it after the province's clause (engine.deadlines)."""
        if wf.delegating is None or DELEGATED_BY in attributes:
            return False
        by = local_parameters.county_delegation(wf, self.registry.workflow(province, name))
        if by is None:
            return False
        attributes[DELEGATED_BY] = by
        return True

    def _context(self, case: CaseRecord, attributes: dict[str, Any], event: str, on: date,
                 payload: Mapping[str, Any], reason: str | None, history: list[HistoryEntry],
                 deadlines: list[Deadline], wf: Workflow, calendar: OfficialCalendar,
                 rules: tuple, final_states: frozenset[str]) -> GuardContext:
        """:meth:`_step`'s guards' and effects' context (a method, not a closure in it: each
        name a closure uses is a cell for the whole step, and the closure a function made,
        for every event whether a guard or effect asks for it or not)."""
        # (every field by position, in the class's order: a class called with keywords
        # gets them as a dict, built and read again, 8,000 instructions for these 17)
        return GuardContext(
            case.id,  # case_id
            case.province,  # province
            case.state,  # state
            # Read-only: a guard or effect that wrote into them changed the case's stored
            # attributes (or the recorded data) behind its history, unseen. An effect adds
            # to its Outcome.
            read_only(attributes),  # attributes
            event,  # event
            on,  # on
            payload,  # payload
            reason,  # reason
            tuple(history),  # history
            tuple(deadlines),  # deadlines
            wf.parameters,  # parameters
            calendar,  # calendar
            self.registry.answers,  # hooks
            case.opened_on,  # opened_on
            final_states,  # final_states (wf's, read by _step)
            rules,  # rules
            partial(self._assessment_parameters, case.province, case.county,
                    on),  # assessment_parameters
        )

    def replay(self, case_id: str) -> tuple[CaseRecord, list[Deadline]]:
        """The case and its deadlines rebuilt from its history alone: each event takes the
        case to the state it recorded, with today's effects and deadline rules; neither its
        data nor its conditions are judged again (see :meth:`_step`'s ``recorded``): a rule
        added since does not make an old history unreadable."""
        stored = self._load(arguments.text(case_id, "case_id"))
        self._settings_as_stored()
        history = self.store.history(case_id)
        opening = history[0]
        attributes = dict(opening.payload)
        # (the county as opened: a later event may have moved the case)
        case = attrs.evolve(stored, attributes=attributes, last_event_on=opening.on,
                            county=_county(attributes))
        wf = self._workflow_of(case, opening.on)
        case = attrs.evolve(case, state=wf.initial)
        calendar = self.calendar(case.province, case.county)
        deadlines = apply_event([], wf, OPEN_EVENT, opening.on, calendar, attributes, False,
                                attributes)
        for i, entry in enumerate(history[1:], start=1):
            if entry.event in SYSTEM_EVENTS:
                case = attrs.evolve(case, last_event_on=entry.on)
                if entry.event == RECOMPUTE_EVENT:
                    deadlines = _with_kept(deadlines, entry, case.id)
                continue
            payload = entry.payload
            if DELEGATED_BY in entry.derived:  # (as the event recorded it, not worked out now)
                payload = {**payload, DELEGATED_BY: entry.derived[DELEGATED_BY]}
            case, _, deadlines, _, _ = self._step(case, history[:i], deadlines, entry.event,
                                                  entry.on, payload, entry.reason,
                                                  entry.actor, recorded=entry.to_state)
        return case, deadlines

    def replay_deadlines(self, case_id: str, as_of: date | None = None) -> list[Deadline]:
        """The case's deadlines from the events known on ``as_of`` (all events if None)."""
        as_of = arguments.maybe_date(as_of, "as_of")
        case = self._load(arguments.text(case_id, "case_id"))
        if as_of is not None:
            self._opened_by(case, as_of)
        self._settings_as_stored()
        return self._deadlines_from_history(case, self.store.history(case_id), as_of)

    def _deadlines_from_history(
        self, case: CaseRecord, history: list[HistoryEntry], as_of: date | None,
        counted_with: Callable[[int], None] | None = None,
    ) -> list[Deadline]:
        """``counted_with``: called with each event's index before it is counted (audit verify
        sets the county settings it was counted with, :meth:`_settings_then_give`)."""
        self._province_of(case)
        attributes: dict[str, Any] = {}
        deadlines: list[Deadline] = []
        # (the place's calendar looked up again only where the county changes, and its
        # workflow by date only where the county has settings of its own: asked for at every
        # event, with the names checked each time, they were about a seventh of recompute's
        # and verify's time under the profiler)
        place: Any = _NO_PLACE
        wf: Workflow | None = None
        for at, entry in enumerate(history):
            if as_of is not None and entry.on > as_of:
                return self._counted_as_kept(case, history, at, deadlines)
            if entry.event in SYSTEM_EVENTS:
                if entry.event == RECOMPUTE_EVENT:  # (the stopped deadlines it kept)
                    deadlines = _with_kept(deadlines, entry, case.id)
                continue
            if counted_with is not None:
                counted_with(at)
                place = _NO_PLACE  # (its settings and workflows may be others than the last's)
            # As the event was applied: the county it found (an event may move the case) and
            # that county's parameters decided by its date.
            county = _county(entry.payload if entry.event == OPEN_EVENT else attributes)
            if county != place:
                place, wf = county, None
                dated = bool(self._settings_of(case.province, case.workflow, county))
                calendar = self._case_calendar(case.province, county)
            if wf is None or dated:
                wf = self._workflow(case.province, case.workflow, county, entry.on)
            if entry.payload or entry.derived:
                before, attributes = attributes, {**attributes, **entry.payload, **entry.derived}
            else:
                # (an event that changed no attribute gives the very mapping as ``before``, as
                # fire gives it: no variant of a running deadline is judged again, none of its
                # rules gone through but those the event names; the same deadlines)
                before = attributes
            closes = entry.to_state in wf.final_states
            try:
                deadlines = apply_event(deadlines, wf, entry.event, entry.on, calendar,
                                        attributes, closes, entry.payload, before=before)
            except ValueError as exc:  # (a date its data holds changed by hand: 20260131)
                if isinstance(exc, DoudiError):
                    raise
                raise DamagedRecord.of_event(entry.seq, case.id, exc) from None
        return deadlines

    def _counted_as_kept(self, case: CaseRecord, history: list[HistoryEntry], known: int,
                         deadlines: list[Deadline]) -> list[Deadline]:
        """``deadlines``, worked out from the ``known`` first events of ``history``, with what
        the later ``recompute`` events kept (:func:`_kept_later`): one stopped by then as it
        was judged, and one running then counted as it was judged where nothing since changed
        its period (:func:`engine.deadlines.counted_as_kept`), worked out again at its stop,
        the history up to the first event that kept it (rarely: most cases have none)."""
        deadlines, kept_later = _kept_later(deadlines, history[known:], case.id)
        if not kept_later:
            return deadlines
        at_stop: dict[int, dict[tuple[str, int], Deadline]] = {}
        result = []
        for d in deadlines:
            key = (d.rule, d.instance)
            if d.running and key in kept_later:
                at, values = kept_later[key]
                if at not in at_stop:
                    at_stop[at] = {(s.rule, s.instance): s for s in self._deadlines_from_history(
                        case, history[:known + at], None)}
                try:
                    d = counted_as_kept(d, at_stop[at].get(key), values)
                except ValueError as exc:
                    raise DamagedRecord.of_event(history[known + at].seq, case.id,
                                                 exc) from None
            result.append(d)
        return result

    # -- reading ----------------------------------------------------------------------------

    def _as_of(
        self, case: CaseRecord, as_of: date, stored: list[Deadline] | None = None,
        through: int | None = None,
    ) -> tuple[CaseRecord, list[HistoryEntry] | None, list[Deadline]]:
        """The case, its known history and its deadlines as they stood on ``as_of``.

        Events recorded after ``as_of`` are left out, and with ``through`` those after that
        seq; what would have happened by itself by then (the end of a phase-out) is applied,
        in memory only. The history is ``None`` when the stored rows already are the answer
        (the common case of a report for today).
        """
        wf = self._workflow_of(case)
        if (through is None and case.last_event_on <= as_of
                and wf.pending_automatic(case, as_of) is None):
            return case, None, stored if stored is not None else self.store.deadlines(case.id)
        history = self.store.history(case.id)
        known = [e for e in history if e.on <= as_of and (through is None or e.seq <= through)]
        if len(known) < len(history):
            attributes = attributes_given_by(known)
            case = attrs.evolve(case, state=known[-1].to_state, attributes=attributes,
                                county=_county(attributes), last_event_on=known[-1].on)
            deadlines = self._counted_as_kept(
                case, history, len(known), self._deadlines_from_history(case, known, as_of))
        else:
            deadlines = stored if stored is not None else self.store.deadlines(case.id)
        change = Change(case, [], deadlines)
        self._advance(change, known, as_of)
        return change.case, known + change.entries, change.deadlines

    def _judge(
        self, case: CaseRecord, deadlines: list[Deadline], as_of: date, window: int
    ) -> tuple[DeadlineView, ...]:
        return judged(case.id, deadlines, self.calendar(self._province_of(case), case.county), as_of,
                      window)

    def deadlines(
        self, case_id: str, as_of: date, window: int = DEFAULT_WINDOW
    ) -> list[DeadlineView]:
        """The case's deadlines as they stood on ``as_of``, each with its status."""
        as_of, window = arguments.a_date(as_of, "as_of"), arguments.window(window, "window")
        case = self._opened_by(self._load(arguments.text(case_id, "case_id")), as_of)
        self._settings_as_stored()
        case, _, deadlines = self._as_of(case, as_of)
        return list(self._judge(case, deadlines, as_of, window))

    def case(self, case_id: str, as_of: date | None = None, window: int = DEFAULT_WINDOW
             ) -> CaseView:
        """The case as it stood on ``as_of`` (default: the date of its last event)."""
        as_of, window = arguments.maybe_date(as_of, "as_of"), arguments.window(window, "window")
        stored = self._load(arguments.text(case_id, "case_id"))
        as_of = as_of or stored.last_event_on
        self._opened_by(stored, as_of)
        # (the view judges its deadlines when first read: a date past the calendar would fail
        # there, in to_json, not here)
        self.calendar(self._province_of(stored), stored.county).check(as_of)
        self._settings_as_stored()
        case, history, deadlines = self._as_of(stored, as_of)
        if history is None:
            history = self.store.history(case_id)
        return self._view(case, history, deadlines, self.store.sanctions(case_id),
                          self.store.links(case_id), as_of, window)

    def _opened_by(self, case: CaseRecord, as_of: date) -> CaseRecord:
        """``case`` if it had been opened on ``as_of``; else :class:`UnknownName`, the same
        from every read of one case as of a date (``case``, ``deadlines``,
        ``replay_deadlines``): on that date there was no such case, not a case without
        deadlines. A date before the calendar is :class:`OutsideCalendar` (bad input, exit 2,
        as everywhere else), not the case's absence."""
        if as_of < case.opened_on:
            self.calendar(self._province_of(case), case.county).check(as_of)
            raise UnknownName(f"case {case.id} was opened on {case.opened_on.isoformat()}, "
                              f"after {as_of.isoformat()}")
        return case

    def _view(
        self,
        case: CaseRecord,
        history: list[HistoryEntry],
        deadlines: list[Deadline],
        sanctions: list[Sanction],
        links: list[dict],
        as_of: date,
        window: int = DEFAULT_WINDOW,
        wf: Workflow | None = None,
    ) -> CaseView:
        wf = self._workflow_of(case) if wf is None else wf
        entries = tuple(history)  # (the lists are never changed in place; this is cheap)
        calendar = self._case_calendar(case.province, case.county)
        day = as_of.isoformat() if links else ""
        return CaseView(
            case, wf.state(case.state).title, as_of,
            tuple(s for s in sanctions if s.on <= as_of) if sanctions else (),
            tuple(link for link in links if link["on"] <= day) if links else (),
            # _source: what history, deadlines and payments are worked out from if read
            (wf, entries, tuple(deadlines), calendar, window),
            pays(wf, entries),  # pays (by position: keywords are gathered into a dict)
        )


__all__ = ["Breach", "CaseView", "DeadlineView", "DoudiError", "Engine"]
