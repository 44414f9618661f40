"""Reports across cases, mixed into :class:`engine.core.Engine`: deadlines breached or at
risk as of a date, cases routed outside the ordinary rules, 公布 not recorded, villages that
need a service station, and credit sanctions.

A report reads the stored rows of the cases whose rows are the answer on its date, and rebuilds
the others one at a time (see :meth:`Reports.report`), so its memory stays flat.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Container, Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING

from engine import arguments
from engine.deadlines import LATE, STATUSES, Deadline
from engine.effects import SANCTION_KINDS
from engine.errors import DamagedRecord, DoudiError, InvalidInput, OutsideCalendar, UnknownName
from engine.notices import (
    APPLICATION_RELATION,
    APPROVE_EVENT,
    BENEFIT_WORKFLOW,
    NOTICE_WORKFLOW,
    OPINION,
    PUBLISH_EVENT,
    Benefit,
    NumberForName,
    PublicationNotice,
    PublicationRow,
    PublicityNotice,
    _publication_notice,
    _publication_row,
    numbers_for_names,
    publication_basis,
    publicity_notice,
    publicity_posting,
    receiving,
)
from engine.periods import stored_date
from engine.store import CaseRecord, in_county_on, later_than
from engine.views import Breach, CaseView
from engine.workflow import available_workflows, unknown_workflow

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar
    from engine.guards import HistoryEntry
    from engine.registry import Registry
    from engine.store import Store
    from engine.views import DeadlineView
    from engine.workflow import Workflow

DEFAULT_WINDOW = 3  # working days before a due date in which a deadline is at risk
#: Where a province sets how many 低保 recipients a village may have before it needs a service
#: station (the people of the households its benefit cases pay).
STATION_WORKFLOW = "benefit"
STATION_PARAMETER = "service_station_recipients"


def report_order(breach: Breach) -> tuple:
    """A report's order: most overdue first, then by due date, case and rule."""
    return (-breach.view.overdue_working_days, breach.view.deadline.due_on.isoformat(),
            breach.case.id, breach.view.deadline.rule)


def _unpublished_order(row: dict) -> tuple[str, str]:
    """The unpublished report's order: the oldest confirmation first, then by case."""
    return row["approved_on"], row["case_id"]


class SortedRows:
    """Rows (dicts of JSON values) given with their sort keys, read back in the keys' order
    (rows of equal keys as given) and as often as needed, held in a private temporary SQLite
    database: it keeps a few MB in memory and the rest on disk (SQLite's temporary
    directory: $SQLITE_TMPDIR, else $TMPDIR, else /var/tmp or /tmp, the first it can
    write), so a report of the whole province does not hold its rows, and a small one
    never touches the disk. Closed, the file is gone; one never closed is closed when it is
    garbage-collected. A temporary file that cannot be written (no folder writable, a full
    disk) is a :class:`DoudiError` saying so, not the database's error; rows added or read
    after :meth:`close` an :class:`InvalidInput`."""

    @classmethod
    def of(cls, keyed: Iterable[tuple[tuple, dict]]) -> SortedRows:
        """The rows of ``keyed`` ((sort key, row) pairs, as they are found), sorted; nothing
        kept where finding them fails (the temporary file closed, the error raised)."""
        rows = cls()
        try:
            for key, row in keyed:
                rows.add(key, row)
        except BaseException:
            rows.close()
            raise
        return rows

    def __init__(self) -> None:
        self._db: sqlite3.Connection | None = sqlite3.connect("")  # ("": a temporary file,
        self._count = 0                                            # deleted when closed)
        with self._sorting():
            self._db.execute("create table rows (k1, k2, k3, k4, row text)")

    def add(self, key: tuple, row: dict) -> None:
        with self._sorting() as db:
            db.execute("insert into rows values (?, ?, ?, ?, ?)",
                       [*key, json.dumps(row, ensure_ascii=False)])
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        with self._sorting() as db:
            # (rowid last: rows of equal keys in the order given, as a stable sort keeps them)
            for (text,) in db.execute("select row from rows order by k1, k2, k3, k4, rowid"):
                yield json.loads(text)

    @contextlib.contextmanager
    def _sorting(self) -> Iterator[sqlite3.Connection]:
        if self._db is None:
            raise InvalidInput(_ROWS_CLOSED)
        try:
            yield self._db
        except sqlite3.ProgrammingError:  # (closed while they were being read)
            if self._db is None:
                raise InvalidInput(_ROWS_CLOSED) from None
            raise
        except sqlite3.OperationalError as exc:  # (the temporary file: disk I/O error, full)
            raise DoudiError(f"could not sort the report's rows in a temporary file ({exc}): "
                             "SQLite writes it in $SQLITE_TMPDIR, else $TMPDIR, else /var/tmp "
                             "or /tmp; point TMPDIR at a folder with room") from None

    def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    def __enter__(self) -> SortedRows:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_ROWS_CLOSED = ("the report's rows were closed (SortedRows.close(), or the end of its with "
                "block): read them before")


class Reports:
    """The engine's reports. Mixed into :class:`engine.core.Engine`, whose store, registry,
    calendars, workflows and case rebuilding (``_as_of``, ``_judge``) they use."""

    if TYPE_CHECKING:  # (Engine's, which it is mixed into: declared for the type checker)
        store: Store
        registry: Registry

        def today(self) -> date: ...
        def calendar(self, province: str | None = None, county: str | None = None
                     ) -> OfficialCalendar: ...
        def workflow(self, province: str, name: str = "dibao", county: str | None = None,
                     on: date | None = None) -> Workflow: ...
        def case(self, case_id: str, as_of: date | None = None, window: int = DEFAULT_WINDOW
                 ) -> CaseView: ...
        def _workflow(self, province: str, name: str, county: str | None = None,
                      on: date | None = None, again: bool = True) -> Workflow: ...
        def _case_calendar(self, province: str, county: str | None) -> OfficialCalendar: ...
        def _province_of(self, case: CaseRecord) -> str: ...
        def _settings_as_stored(self) -> None: ...
        def _load(self, case_id: str) -> CaseRecord: ...
        def _as_of(
            self, case: CaseRecord, as_of: date, stored: list[Deadline] | None = None,
            through: int | None = None,
        ) -> tuple[CaseRecord, list[HistoryEntry] | None, list[Deadline]]: ...
        def _judge(
            self, case: CaseRecord, deadlines: list[Deadline], as_of: date, window: int
        ) -> tuple[DeadlineView, ...]: ...

    def report(
        self,
        as_of: date,
        statuses: tuple[str, ...],
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        window: int = DEFAULT_WINDOW,
    ) -> list[Breach]:
        """Deadlines in ``statuses`` on ``as_of`` across the filtered cases, most overdue first."""
        found = list(self._judged(as_of, statuses, province, workflow, county, window))
        found.sort(key=report_order)
        return found

    def report_rows(
        self,
        as_of: date,
        statuses: tuple[str, ...],
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        window: int = DEFAULT_WINDOW,
        progress: Callable[[int, int], None] | None = None,
    ) -> SortedRows:
        """:meth:`report`'s results as their JSON rows (:meth:`Breach.to_json`), in its order,
        sorted on disk rather than held: a report with every deadline met late in the province
        (half a million rows at a million cases) held them all, 1.1 GB at its peak. Iterate
        the result (as often as needed), then close it. ``progress(done, total)``: called
        with the stored deadline rows read since the last call and how many it reads in all
        (counted first, when it is given), as each case is reached."""
        judged = self._judged(as_of, statuses, province, workflow, county, window, progress)
        return SortedRows.of((report_order(breach), breach.to_json()) for breach in judged)

    def _judged(
        self,
        as_of: date,
        statuses: tuple[str, ...],
        province: str | None,
        workflow: str | None,
        county: str | None,
        window: int,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Breach]:
        """The report's results as they are found, unsorted; the arguments checked first (at
        the call, not when the first result is asked for)."""
        arguments.callback(progress, "progress")
        as_of, window = arguments.a_date(as_of, "as_of"), arguments.window(window, "window")
        self.calendar().check(as_of)  # (a date no deadline can be counted on, as at-risk says)
        if (not isinstance(statuses, tuple | list) or not statuses
                or any(s not in STATUSES for s in statuses)):
            raise InvalidInput(f"statuses must be a tuple of {', '.join(STATUSES)}; "
                               f"got {arguments.spelled(statuses)}")
        province, workflow, county = (arguments.maybe_text(province, "province"),
                                      arguments.maybe_text(workflow, "workflow"),
                                      arguments.maybe_text(county, "county"))
        # (every province: refused while a case of one no loaded plugin registers is stored,
        # whatever the date, not only where such a case is among the rows read)
        self._province_codes(province)
        if workflow is not None and workflow not in available_workflows():
            raise InvalidInput(unknown_workflow(workflow))
        return self._judging(as_of, tuple(statuses), province, workflow, county, window,
                             progress)

    def _judging(self, as_of: date, statuses: tuple[str, ...], province: str | None,
                 workflow: str | None, county: str | None, window: int,
                 progress: Callable[[int, int], None] | None) -> Iterator[Breach]:
        filters = {"province": province, "workflow": workflow, "county": county}
        # (a case rebuilt as of a past date is counted with the county settings as stored
        # now, as Engine.case counts it: another process may have recorded one since)
        self._settings_as_stored()

        def judge(case: CaseRecord, deadlines: list[Deadline]) -> Iterator[Breach]:
            for view in self._judge(case, deadlines, as_of, window):
                if view.status in statuses:
                    yield Breach(case, view)

        # Cases whose stored rows are not the answer on ``as_of`` are rebuilt one by one:
        # those with events after it, and those where something happens by itself. The two
        # queries are disjoint (by last event date), and the stored rows are read for every
        # other case, so no case is judged twice and no list of ids is kept: a report as of
        # a past date may rebuild most of the province.
        on = as_of.isoformat()
        in_use = self._in_use(province, workflow)
        auto_states = sorted({s for p, w in in_use for t in self.registry.workflow(p, w).automatic
                              for s in t.sources})
        # (each entry: a condition, its arguments, and the county to filter on as stored)
        later, later_args = later_than(as_of)
        later, later_args = f"{later} and opened_on <= ?", [*later_args, on]
        if county is not None:
            # A case with later events is in the report's county as it stood on ``as_of``:
            # one now elsewhere was there if a later event gave it a county, and one there now
            # may have come later (each is kept by its county then, below).
            then_in, then_args = in_county_on(county, as_of)
            later, later_args = f"({later}) and ({then_in})", [*later_args, *then_args]
        slow: list[tuple[str, list, str | None]] = [(later, later_args, None)]
        # (and a case whose state was blanked by hand: rebuilt, it is named as damaged, as
        # the first query names one with a later event, rather than judged from the store)
        marks = ", ".join("?" for _ in auto_states)
        now = f"(state in ({marks}) or state is null)" if auto_states else "state is null"
        slow.append((f"{now} and last_event_on <= ?", [*auto_states, on], county))
        for condition, args, stored_county in slow:
            for case in self.store.cases_where(condition, args, province=province,
                                               workflow=workflow, county=stored_county):
                then, _, deadlines = self._as_of(case, as_of)
                if county is None or then.county == county:
                    yield from judge(then, deadlines)
        # Every other case: only its running (or late) deadlines, straight from the store.
        # (only an at-risk report looks ahead, as far as the window reaches on any calendar
        # of its places: a breach report as of the calendar's last days must not fail
        # counting a window it does not use; each candidate's window is then counted on its
        # case's calendar, before it is read whole)
        until = self._at_risk_until(as_of, window, sorted({p for p, _ in in_use}), county) \
            if "at_risk" in statuses else as_of
        beyond = self._beyond_window(as_of, window) \
            if "at_risk" in statuses and "open" not in statuses else None
        told = None
        if progress is not None:
            total = self.store.count_report_candidates(as_of, statuses, until, **filters,
                                                       except_states=auto_states)
            progress(0, total)

            def told(read: int) -> None:
                progress(read, total)
        for case, deadlines in self.store.report_candidates(
                as_of, statuses, until, **filters, except_states=auto_states,
                beyond_window=beyond, progress=told):
            yield from judge(case, deadlines)

    def _at_risk_until(self, as_of: date, window: int, provinces: list[str],
                       county: str | None) -> date:
        """The last due date at risk on ``as_of`` within ``window`` on any calendar a case of
        the report may be counted on: the national one, and in each of ``provinces`` (those
        with cases in the report) ``county``'s, or else the province's and that of every
        county the plugins give overlays of its own. A place's own days off can put it weeks
        after the national window's end (a county's offices closed for a month and more).
        It is the day before the window's next working day: a duty due on a day off after
        the window's last working day is still within it."""
        calendars = [self.calendar()]
        for code in provinces:
            counties = [county] if county is not None else [
                None, *self.registry.overlay_counties(code)]
            calendars += [self._case_calendar(code, c) for c in counties]
        until = as_of
        for calendar in calendars:
            try:
                last = calendar.add_working_days(as_of, window + 1) - timedelta(days=1)
            except OutsideCalendar:  # (a window past the calendar's end: no due date is after it)
                last = calendar.last_day
            until = max(until, last)
        return until

    def _beyond_window(self, as_of: date, window: int) -> Callable[[str, str | None, str], bool]:
        """Whether a running duty of a case in (province, county), due on the stored text
        ``due_on``, is due more than ``window`` working days after ``as_of`` on that place's
        calendar: then it is "open", neither late nor at risk (:meth:`Deadline.status`). A due
        date that is no date, or a province no plugin registers, is left to the judging,
        which names it."""
        def beyond(province: str, county: str | None, due_on: object) -> bool:
            try:
                due = stored_date(due_on)
            except (ValueError, TypeError):
                return False
            if due <= as_of:
                return False
            if province not in self.registry.provinces:
                return False
            return self._case_calendar(province, county).working_days_between(as_of, due) > window

        return beyond

    def _in_use(self, province: str | None = None,
                workflow: str | None = None) -> list[tuple[str, str]]:
        """The (province, workflow) pairs cases use, of ``province`` and ``workflow`` where a
        report is limited to them (another province's plugin, broken, must not stop it). One
        index probe per installed (province, workflow), rather than a distinct scan of every
        case (0.08 s at a million cases)."""
        provinces = [province] if province is not None else sorted(self.registry.provinces)
        workflows = [workflow] if workflow is not None else available_workflows()
        return [(p, w) for p in provinces for w in workflows if self.store.has_cases(p, w)]

    def breaches(
        self,
        as_of: date,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        include_late: bool = False,
    ) -> list[Breach]:
        """Running deadlines past their due date on ``as_of``; with ``include_late``, also
        those met late and those left undone when their case closed (``unmet``)."""
        include_late = arguments.flag(include_late, "include_late")
        statuses = LATE if include_late else ("breached",)
        return self.report(as_of, statuses, province, workflow, county)

    def breach_rows(
        self,
        as_of: date,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        include_late: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> SortedRows:
        """:meth:`breaches` as their JSON rows, sorted on disk (:meth:`report_rows`)."""
        include_late = arguments.flag(include_late, "include_late")
        statuses = LATE if include_late else ("breached",)
        return self.report_rows(as_of, statuses, province, workflow, county, progress=progress)

    def at_risk(
        self,
        as_of: date,
        within: int = DEFAULT_WINDOW,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
    ) -> list[Breach]:
        """Running deadlines due on ``as_of`` or within the next ``within`` working days."""
        arguments.window(within, "within")
        return self.report(as_of, ("at_risk",), province, workflow, county, window=within)

    def at_risk_rows(
        self,
        as_of: date,
        within: int = DEFAULT_WINDOW,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SortedRows:
        """:meth:`at_risk` as their JSON rows, sorted on disk (:meth:`report_rows`)."""
        arguments.window(within, "within")
        return self.report_rows(as_of, ("at_risk",), province, workflow, county, window=within,
                                progress=progress)

    def exceptions(self, province: str | None = None, county: str | None = None) -> list[dict]:
        """Cases routed outside the ordinary rules, and those archived in their own class."""
        province = arguments.maybe_text(province, "province")
        county = arguments.maybe_text(county, "county")
        self._province_codes(province)  # (a province unknown, or one whose plugin is not loaded)
        rows = []
        # Chosen in SQL: the few cases with a route or an archive class, each case's attributes
        # read once (they were read three or four times there, json_valid and json_type, and
        # the chosen ones again whole in Python); of those only the four values the report
        # shows. Only values of the shapes the effects give them: the same names given as
        # data (in a workflow that does not decide them, or before they were refused) are not
        # routes. A case whose attributes are not a JSON object (changed outside doudi) is
        # named as damaged, as case show names it.
        names = ("exception_route", "archive_class", "collective_decision", "archive_basis")
        for row in self.store.attribute_values(names, 2, province, county):
            if row["picked"] is None:  # (raises DamagedRecord, as case show does)
                attributes = self.store.case(row["id"]).attributes  # type: ignore[union-attr]
                values = [attributes.get(name) for name in names]
            else:
                values = json.loads(row["picked"])
            route, archive_class, decision, archive_basis = values
            route = route if isinstance(route, dict) and isinstance(route.get("kind"), str) else {}
            decision = decision if isinstance(decision, dict) else {}
            if not route and not isinstance(archive_class, str):
                continue
            rows.append({
                "case_id": row["id"], "province": row["province"],
                "county": row["county"], "state": row["state"],
                "route": route.get("kind") or archive_class,
                # (a case referred without an assessment has no route: its archive's basis)
                "title": route.get("title"),
                "basis": route.get("basis") or archive_basis,
                "archive_class": archive_class,
                "decision": decision.get("outcome"), "meeting_on": decision.get("meeting_on"),
                "participants": decision.get("participants"), "reasons": decision.get("reasons"),
            })
        return rows

    def _province_codes(self, province: str | None) -> list[str]:
        """The province asked for (an unknown one is an error), or every installed one. A
        report of every province is refused while cases of a province no loaded plugin
        registers are stored (as the breach report is, meeting one): it would pass over them
        in silence."""
        if province is None:
            outside = self.store.case_outside(self.registry.provinces)
            if outside is not None:
                self._province_of(outside)  # (raises, naming the case and the way back)
            return sorted(self.registry.provinces)
        self.registry.province(province)
        return [province]

    def unpublished(self, province: str | None = None, county: str | None = None,
                    as_of: date | None = None) -> list[dict]:
        """Confirmed (确认同意) cases whose 公布 is not recorded (57号 第24条: "低保审核确认完毕后
        …应当在低保家庭所在村（社区）公布") as of ``as_of`` (default today), by the events
        dated on or before it, oldest confirmation first; ``days`` counts from the
        confirmation to ``as_of``. Each is waiting for the 公布 of the county its household
        received 低保 in on ``as_of``, by the rule the 公布 of that date (:meth:`publication`)
        lists it (:func:`engine.notices.receiving`): the county the case was in then, or the
        one its benefit case was moved to by then (``county`` is that one); a case whose
        benefit case stopped or ended by then is not listed, as no 公布 lists it. ``review``
        is the province's clause on what failing to publish costs the office
        (``publication_review``), where it has one."""
        return sorted(self._unpublished(province, county, as_of, None), key=_unpublished_order)

    def unpublished_rows(self, province: str | None = None, county: str | None = None,
                         as_of: date | None = None,
                         progress: Callable[[int, int], None] | None = None) -> SortedRows:
        """:meth:`unpublished`'s rows, sorted on disk (:class:`SortedRows`; close it after):
        a province that records no 公布 has most of its confirmed cases in it.
        ``progress(read, total)``: called with 1 as each waiting case is read, and how many
        it reads in all (counted first, when it is given)."""
        found = self._unpublished(province, county, as_of, progress)
        return SortedRows.of(((*_unpublished_order(row), None, None), row) for row in found)

    def _unpublished(self, province: str | None, county: str | None, as_of: date | None,
                     progress: Callable[[int, int], None] | None) -> Iterator[dict]:
        """:meth:`unpublished`'s rows as found, unsorted; the arguments checked first."""
        arguments.callback(progress, "progress")
        province = arguments.maybe_text(province, "province")
        county = arguments.maybe_text(county, "county")
        as_of = self.today() if as_of is None else arguments.a_date(as_of, "as_of")
        self.calendar().check(as_of)  # (as the other reports: a date the calendar knows)
        return self._waiting(self._province_codes(province), county, as_of, progress)

    def _waiting(self, codes: list[str], county: str | None, as_of: date,
                 progress: Callable[[int, int], None] | None) -> Iterator[dict]:
        places = []
        for code in codes:
            wf = self.workflow(code, NOTICE_WORKFLOW)
            waiting = {s for t in wf.transitions if t.event == PUBLISH_EVENT for s in t.sources}
            query = (code, NOTICE_WORKFLOW, sorted(waiting), APPROVE_EVENT, PUBLISH_EVENT, as_of,
                     county, BENEFIT_WORKFLOW)
            places.append((code, wf, query))
        total = 0
        if progress is not None:
            total = sum(self.store.count_waiting(*query) for _, _, query in places)
            progress(0, total)
        for code, wf, query in places:
            # (the basis the 公布 itself cites: 57号 第24条 and the province's own clause)
            publicity = wf.parameters.get("publicity")
            basis = publication_basis(publicity.citation if publicity else None)
            review = wf.parameters.get("publication_review")
            for row in self.store.waiting_since(*query):
                if progress is not None:
                    progress(1, total)
                try:
                    approved = stored_date(row["since"])
                except ValueError as exc:  # (an event's date changed by hand)
                    raise DamagedRecord.of(f"the {APPROVE_EVENT} event of case "
                                           f"{row['case_id']!r}", exc) from None
                # Waiting for the 公布 of the county its household received 低保 in on as_of
                # (the 公布's rule: the county the case was in then, as the other reports take
                # it, or the one its benefit case was moved to); one whose benefit stopped or
                # ended by then waits for none.
                view = self.case(row["case_id"], as_of=as_of)
                then = receiving(self._benefit_on(view, as_of), view.case.county)
                if then is None or (county is not None and then != county):
                    continue
                yield {
                    "case_id": row["case_id"], "province": code, "county": then,
                    "approved_on": row["since"], "days": (as_of - approved).days,
                    "basis": basis,
                    "review": review.citation if review is not None and review.value else None,
                }

    def publicity(self, case_id: str) -> PublicityNotice:
        """The 公示 of the ``dibao`` case's latest 初审意见, or of the aid a ``temporary`` case
        on the 支出型 route proposes, as ``doudi notice publicity`` prints it
        (:func:`engine.notices.render` gives its text or HTML): with what the province
        calls the opinion it posts (``publicity_opinion``: 审核意见 where the township
        confirms) and the channels it is posted on (``publicity_channels``, where the event
        named none), as they stood in the case's county on the day it was posted: a county's
        setting recorded since, for a later date, does not change a 公示 already posted. Its
        privacy line cites the province's 公示公布 clause (its ``dibao`` ``publicity``
        parameter's, there and then), a 临时救助's too. Raises as
        :func:`engine.notices.publicity_notice` does, and :class:`UnknownName` for an unknown
        case."""
        view = self.case(case_id)
        entry = publicity_posting(view)
        county = view.attributes_after(entry["seq"]).get("county")
        county = county if isinstance(county, str) else None
        posted_on = date.fromisoformat(entry["on"])
        wf = self._workflow(view.case.province, view.case.workflow, county, posted_on)
        channels = wf.parameters.get("publicity_channels")
        opinion = wf.parameters.get("publicity_opinion")
        # (a dibao case's privacy line cites its own 公示's clause, as recorded with its period)
        clause = None if view.case.workflow == NOTICE_WORKFLOW else self._workflow(
            view.case.province, NOTICE_WORKFLOW, county, posted_on).parameters.get("publicity")
        return publicity_notice(view, channels.value if channels is not None else (),
                                (opinion.value if opinion is not None else None) or OPINION,
                                clause.citation if clause is not None else None)

    def publication(self, county: str, as_of: date, province: str | None = None,
                    progress: Callable[[int, int], None] | None = None) -> PublicationNotice:
        """The 公布 of ``county`` as of ``as_of``, as ``doudi notice publication`` prints it
        (:func:`engine.notices.render` gives its text or HTML): the households receiving 低保
        there on that date (57号 第24条 publishes the 最低生活保障家庭), by posting place.

        Each household whose benefit case was open on ``as_of`` and which received 低保 in
        ``county`` then (:func:`engine.notices.receiving`): a ``dibao`` case confirmed by
        then in the county it was in on that date (as the reports take it: one moved since is
        published where it was then), unless its benefit case had been moved to another
        county; a benefit case in the county then that was moved there (the household lives
        there now), or that was opened directly, with no ``dibao`` case (a household receiving
        低保 before the platform adopted doudi). Each at the amount paid for that month, with
        the benefit case's name, household size, village and office where it has them. The
        footer cites 57号 第24条 and the province's ``publicity`` clause. Raises
        :class:`InvalidInput` for a blank county, an unknown province, a date the calendar
        does not cover, and a county with cases in several provinces and no ``province``;
        :class:`UnknownName` for a county with no 低保 case (``dibao`` or benefit) opened by
        ``as_of`` (most likely a misspelt one: a formal notice for it would still print).
        ``progress(read, total)``: called with 1 as each case of the county is read, and how
        many it reads in all (counted first, when it is given).
        """
        arguments.callback(progress, "progress")
        county = arguments.text(county, "county")
        as_of = arguments.a_date(as_of, "as_of")
        province = arguments.maybe_text(province, "province")
        if not county.strip():
            raise InvalidInput("county must name a county", command_line="--county must name a county")
        if province is not None:
            self.registry.province(province)
        self.calendar(province).check(as_of)  # (a date the reports would refuse too)
        # Each household's row made as it is read, its cases' views then let go (a county
        # lists thousands: their views held about 30 KB each, 326 MB for 10,000).
        rows: list[PublicationRow] = []
        found: set[str] = set()  # (the provinces of the county's cases)
        tick = None
        if progress is not None:
            then_in, then_args = in_county_on(county, as_of)
            total = sum(self.store.count_where(province, workflow, then_in, then_args)
                        for workflow in (NOTICE_WORKFLOW, BENEFIT_WORKFLOW))
            progress(0, total)

            def tick() -> None:
                progress(1, total)
        refused: list[NumberForName] = []  # (every household whose name holds a number)
        for view, benefit in self._households_in(county, as_of, province, tick):
            # (benefit: there where view is None)
            found.add((view if view is not None else benefit.view).case.province)  # type: ignore[union-attr]
            try:
                row = _publication_row(view, benefit, county)
            except NumberForName as exc:
                refused.append(exc)
                continue
            if row is not None:
                rows.append(row)
        if not found:
            raise UnknownName(f"no 低保 case in county {county!r}"
                              + (f" of {province}" if province else "")
                              + f" opened by {as_of.isoformat()}: nothing to publish")
        provinces = sorted(found)
        if province is None and len(provinces) > 1:
            why = f"county {county!r} has cases in {', '.join(provinces)}: pass "
            raise InvalidInput(why + "province", command_line=why + "--province")
        if refused:
            raise numbers_for_names(refused, as_of)
        code = province or provinces[0]
        publicity = self.workflow(code, NOTICE_WORKFLOW, county).parameters.get("publicity")
        return _publication_notice(rows, county, as_of, publicity.citation if publicity else None)

    def _in_county_on(self, workflow: str, county: str, as_of: date, province: str | None,
                      known: Container[str] = (), tick: Callable[[], None] | None = None
                      ) -> Iterator[CaseView]:
        """The cases of ``workflow`` opened by ``as_of`` that were in ``county`` on that date,
        each as of then (as the reports take it: one moved since is where it was then), but
        those in ``known`` (not read again); one at a time. ``tick()`` as each case is read."""
        then_in, then_args = in_county_on(county, as_of)
        for case in self.store.cases(province=province, workflow=workflow, condition=then_in,
                                     args=then_args):
            if tick is not None:
                tick()
            if case.opened_on <= as_of and case.id not in known:
                view = self.case(case.id, as_of=as_of)
                if view.case.county == county:
                    yield view

    def _households_in(self, county: str, as_of: date, province: str | None,
                       tick: Callable[[], None] | None = None
                       ) -> Iterator[tuple[CaseView | None, Benefit | None]]:
        """The households that may have received 低保 in ``county`` on ``as_of``, each its
        ``dibao`` case and its benefit case as of then (either None where it has none), once
        each: the county's ``dibao`` cases then, and its benefit cases then (one moved in from
        another county, one opened directly with no ``dibao`` case). The caller keeps those
        :func:`engine.notices.receiving` gives the county; empty where the county had no case
        of either."""
        seen: set[str] = set()  # (the benefit cases read through their dibao case)
        view: CaseView | None  # (each dibao case; then a benefit's, None where it has none)
        for view in self._in_county_on(NOTICE_WORKFLOW, county, as_of, province, tick=tick):
            benefit = self._benefit_on(view, as_of)
            seen.add(benefit.view.id if benefit is not None else view.id)
            yield view, benefit
        for paid in self._in_county_on(BENEFIT_WORKFLOW, county, as_of, province, seen, tick):
            final = self.registry.workflow(paid.case.province, paid.case.workflow).final_states
            confirmed = [link["case_id"] for link in paid.links  # (not a transfer's new case)
                         if link["workflow"] == NOTICE_WORKFLOW
                         and link["relation"] == APPLICATION_RELATION]
            view = self.case(confirmed[0], as_of=as_of) if confirmed else None
            yield view, Benefit(paid, paid.state in final)

    def _benefit_on(self, view: CaseView, as_of: date) -> Benefit | None:
        """The benefit case a confirmed ``dibao`` case's ``approve`` opened, as it stood on
        ``as_of`` (as ``case show`` and the reports see it: a phase-out run out by then has
        ended it, recorded or not), and whether it had closed by then; None for a case that
        opened none by then. ``view`` is the confirmed case as of ``as_of``: its links are
        those made by then."""
        linked = [link["case_id"] for link in view.links if link["workflow"] == BENEFIT_WORKFLOW]
        if not linked:
            return None
        paid = self.case(linked[-1], as_of=as_of)
        final = self.registry.workflow(paid.case.province, paid.case.workflow).final_states
        return Benefit(paid, paid.state in final)

    def service_stations(self, province: str | None = None,
                         county: str | None = None) -> list[dict]:
        """Villages (communities) whose 低保 recipients, as the benefit cases stand today, pass
        the number at which a province wants a social assistance service station (its
        ``service_station_recipients``; provinces without that rule give none)."""
        province = arguments.maybe_text(province, "province")
        county = arguments.maybe_text(county, "county")
        rows = []
        for code in self._province_codes(province):
            wf = self.workflow(code, STATION_WORKFLOW)
            rule = wf.parameters.get(STATION_PARAMETER)
            if rule is None:
                continue
            open_states = [s.name for s in wf.states if not s.final]
            # (a phase-out run out by today has ended the benefit, recorded or not: reports
            # see it from that day)
            ended = [(state, t.auto_on) for t in wf.automatic
                     if t.dest in wf.final_states for state in t.sources]
            # (ended: automatic transitions', each with its auto_on)
            for row in self.store.recipients_by_village(code, STATION_WORKFLOW, open_states,
                                                        rule.value, county, ended,  # type: ignore[arg-type]
                                                        self.today()):
                rows.append({"province": code, **row, "threshold": rule.value,
                             "basis": rule.citation})
        return rows

    def sanctions(
        self,
        province: str | None = None,
        county: str | None = None,
        kind: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[dict]:
        """Credit sanctions by province, county, kind and date range, oldest first; each in
        the county its case was in when the sanction was decided (a case moved since is
        rebuilt to that event to see it), as the other reports take a case's county then."""
        # Each filter by itself first, then against the plugins and the calendar, the range
        # last: the order `report sanctions` finds them in (its --kind is a choice, its dates
        # are dates), so that a call wrong in two ways is refused for the same one.
        province = arguments.maybe_text(province, "province")
        county = arguments.maybe_text(county, "county")
        kind = arguments.maybe_text(kind, "kind")
        if kind is not None and kind not in SANCTION_KINDS:
            raise InvalidInput(f"unknown sanction kind {kind!r} (kinds: {', '.join(SANCTION_KINDS)})")
        since, until = arguments.maybe_date(since, "since"), arguments.maybe_date(until, "until")
        self._province_codes(province)  # (as the other reports: a province not loaded refused)
        for day in (since, until):
            if day is not None:
                self.calendar().check(day)  # (as the other reports' dates: one the calendar knows)
        if since is not None and until is not None and since > until:
            # (a range given the wrong way round would list nothing, as if there were none)
            raise InvalidInput(f"since {since.isoformat()} is after until {until.isoformat()}",
                               command_line="--since is after --until")
        rows = []
        then: dict[tuple[str, int], str | None] = {}  # (case, seq) → its county then
        for row in self.store.sanction_rows(province, county, kind, since, until):
            seq, moved = row.pop("seq"), row.pop("moved")
            if moved:
                key = (row["case_id"], seq)
                if key not in then:
                    case = self._load(row["case_id"])
                    then[key] = self._as_of(case, stored_date(row["on"]), through=seq)[0].county
                row["county"] = then[key]
                if county is not None and row["county"] != county:
                    continue
            rows.append(row)
        return rows
