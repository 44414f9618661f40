"""What the engine shows: deadlines judged as of a date, report lines, cases as of a date.

Each view has the JSON shape of the integration contract (``to_json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from engine.arguments import whole
from engine.deadlines import LATE, Deadline
from engine.effects import Sanction
from engine.guards import HistoryEntry, attributes_given_by
from engine.payments import Payment, schedule
from engine.store import CaseRecord, copied
from engine.workflow import CORRECTION_EVENT, OPEN_EVENT, RECOMPUTE_EVENT

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar
    from engine.workflow import Workflow


@frozen
class DeadlineView:
    """A deadline judged as of a date, as the contract shows it."""

    case_id: str
    deadline: Deadline
    status: str
    overdue_working_days: int
    # The due date, or the count of overdue days, rests on a projected calendar (a year whose
    # official notice is not in the data yet): it may change when the year is added.
    provisional: bool = False

    def to_json(self) -> dict:
        d = self.deadline
        return {
            "rule": d.rule,
            "title": d.title,
            "instance": d.instance,
            "severity": d.severity,
            "duration": d.duration,
            "starts_on": d.starts_on.isoformat(),
            "due_on": d.due_on.isoformat(),
            "stopped_on": d.stopped_on.isoformat() if d.stopped_on else None,
            "status": self.status,
            "overdue_working_days": self.overdue_working_days,
            "basis": d.citation,
            "computation": d.computation,
            "provisional": self.provisional,
            "subject": d.subject,
        }


def judged(case_id: str, deadlines: Iterable[Deadline], calendar: OfficialCalendar,
           as_of: date, window: int) -> tuple[DeadlineView, ...]:
    """Each deadline with its status on ``as_of`` (and working days overdue, if late)."""
    views = []
    for d in deadlines:
        status = d.status(as_of, calendar, window)
        overdue = d.overdue_working_days(as_of, calendar) if status in LATE else 0
        # Overdue days counted into a projected year are as provisional as a due date there.
        # (Official years come first, so the count's last day tells.)
        provisional = d.provisional or (overdue > 0 and calendar.is_provisional(
            min(as_of, d.stopped_on) if d.stopped_on is not None else as_of))
        views.append(DeadlineView(case_id, d, status, overdue, provisional))
    return tuple(views)


@frozen
class Breach:
    """One line of a breach or at-risk report."""

    case: CaseRecord
    view: DeadlineView

    def to_json(self) -> dict:
        d = self.view.deadline
        return {
            "case_id": self.case.id,
            "province": self.case.province,
            "workflow": self.case.workflow,
            "county": self.case.county,
            "rule": d.rule,
            "title": d.title,
            "severity": d.severity,
            "status": self.view.status,
            "due_on": d.due_on.isoformat(),
            "overdue_working_days": self.view.overdue_working_days,
            "basis": d.citation,
            "provisional": self.view.provisional,
        }


def history_rows(wf: Workflow, entries: tuple[HistoryEntry, ...]) -> tuple[dict, ...]:
    """A case view's history: each event as the contract shows it, payloads copied."""
    return tuple(
        {
            "seq": e.seq,
            "event": e.event,
            "title": {OPEN_EVENT: "立案", CORRECTION_EVENT: "更正",
                      RECOMPUTE_EVENT: "重算期限"}.get(e.event, wf.event_title(e.event)),
            "corrects": e.corrects,
            "on": e.on.isoformat(),
            "from": e.from_state or None,
            "to": e.to_state,
            "payload": copied(e.payload) if e.payload else {},
            "derived": copied(e.derived) if e.derived else {},
            "reason": e.reason,
            "actor": e.actor,
            "recorded_at": e.recorded_at,
        }
        for e in entries
    )


def paid(wf: Workflow, entries: tuple[HistoryEntry, ...], attributes: Mapping[str, Any],
         as_of: date, case_id: str | None = None) -> tuple[Payment, ...]:
    """A benefit case's monthly payments up to ``as_of``; none for other cases."""
    if not pays(wf, entries):
        return ()
    start = wf.parameters["payment_start"].citation + "：自确认同意的次月起按月发放"
    return tuple(schedule(entries, attributes, wf.final_states, start, as_of, case_id))


def pays(wf: Workflow, entries: tuple[HistoryEntry, ...]) -> bool:
    """Whether the case pays monthly: a workflow with a payment start, opened with the month
    of the first payment."""
    return "payment_start" in wf.parameters and "paid_from" in entries[0].payload


@frozen(eq=False, slots=False)  # (one per event, fields stored without a call: engine.plain_fields)
class CaseView:
    """A case as of a date: state, attributes, history and judged deadlines.

    ``history``, ``deadlines`` and ``payments`` are worked out when first read, then kept.
    ``fire`` returns a view after every event, and building them takes time that grows with
    the case: on a benefit case with 130 re-checks it was two thirds of an event's time.
    Two views are equal when everything they show is.
    """

    case: CaseRecord
    state_title: str
    as_of: date
    sanctions: tuple[Sanction, ...] = ()
    links: tuple[dict, ...] = ()
    # What history, deadlines and payments are worked out from when first read: the case's
    # workflow, its history entries, its deadlines, the calendar they are judged on and the
    # warning window (None: none of the three). One tuple, not three functools.partials
    # (about 2,000 instructions each, for every event, read or not).
    _source: tuple[Workflow, tuple[HistoryEntry, ...], tuple[Deadline, ...], OfficialCalendar,
                   int] | None = field(default=None, repr=False)
    #: A case that pays monthly (a benefit case): its JSON lists payments, none yet or not.
    pays: bool = False
    #: The first result of a call repeated with the same idempotency key (nothing was
    #: recorded now: the case as that call left it), whether the first call was this
    #: process's or another's that won a race to the key. Not part of what the view shows.
    repeated: bool = field(default=False, eq=False)

    @cached_property
    def history(self) -> tuple[dict, ...]:
        if self._source is None:
            return ()
        wf, entries, _, _, _ = self._source
        return history_rows(wf, entries)

    @cached_property
    def deadlines(self) -> tuple[DeadlineView, ...]:
        if self._source is None:
            return ()
        _, _, deadlines, calendar, window = self._source
        return judged(self.case.id, deadlines, calendar, self.as_of, window)

    @cached_property
    def payments(self) -> tuple[Payment, ...]:
        if self._source is None:
            return ()
        wf, entries, _, _, _ = self._source
        return paid(wf, entries, self.case.attributes, self.as_of, self.case.id)

    def attributes_after(self, seq: int) -> dict[str, Any]:
        """The case's attributes as its events up to ``seq`` (that one included) left them,
        by the rule the engine keeps them by (:func:`~engine.guards.attributes_given_by`);
        a copy, as the rest of the view."""
        seq = whole(seq, "seq")  # (text or None was a TypeError comparing it with each seq)
        if self._source is None:
            return {}
        _, entries, _, _, _ = self._source
        return copied(attributes_given_by(e for e in entries if e.seq <= seq))

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def state(self) -> str:
        return self.case.state

    def _shown(self) -> tuple:
        return (self.case, self.state_title, self.as_of, self.sanctions, self.links,
                self.history, self.deadlines, self.payments)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseView):
            return NotImplemented
        return self._shown() == other._shown()

    __hash__ = None  # type: ignore[assignment]  # (history holds dicts: never hashable)

    def to_json(self) -> dict:
        """The contract's JSON of the case: the caller's own copy (changing it changes
        neither this view nor another)."""
        c = self.case
        return {
            "id": c.id,
            "province": c.province,
            "workflow": c.workflow,
            "county": c.county,
            "state": c.state,
            "state_title": self.state_title,
            "opened_on": c.opened_on.isoformat(),
            "as_of": self.as_of.isoformat(),
            "attributes": copied(c.attributes),
            "history": [copied(row) for row in self.history],
            "deadlines": [d.to_json() for d in self.deadlines],
            **({"payments": [p.to_json() for p in self.payments]} if self.pays else {}),
            "sanctions": [s.to_json() for s in self.sanctions],
            "links": [dict(link) for link in self.links],
        }
