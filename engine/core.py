"""The engine: open cases, fire events through the province's machine, judge deadlines.

This is the Python API platforms embed (see the contract in the README). Every event is
checked (date order, state, guards) before anything is written; the event, the new state
and the recomputed deadlines are then written in one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
from attrs import frozen

from engine.calendar import OfficialCalendar
from engine.deadlines import Deadline, apply_event
from engine.errors import DoudiError, EventRefused, InvalidInput, UnknownName
from engine.guards import GuardContext, HistoryEntry, is_delegated
from engine.periods import DueDate, due_date
from engine.registry import Registry, get_registry
from engine.store import CaseRecord, Store

OPEN_EVENT = "open"
DEFAULT_WINDOW = 3  # working days before a due date in which a deadline is at risk


@frozen
class DeadlineView:
    """A deadline judged as of a date, as the contract shows it."""

    case_id: str
    deadline: Deadline
    status: str
    overdue_working_days: int

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
            "provisional": d.provisional,
        }


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
            "provisional": d.provisional,
        }


@frozen
class CaseView:
    """A case as of a date: state, attributes, history and judged deadlines."""

    case: CaseRecord
    state_title: str
    history: tuple[dict, ...]
    deadlines: tuple[DeadlineView, ...]
    as_of: date

    @property
    def id(self) -> str:
        return self.case.id

    @property
    def state(self) -> str:
        return self.case.state

    def to_json(self) -> dict:
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
            "attributes": c.attributes,
            "history": list(self.history),
            "deadlines": [d.to_json() for d in self.deadlines],
        }


def default_db_path() -> str:
    return os.environ.get("DOUDI_DB", "doudi.db")


class Engine:
    """Cases, events and deadlines over one database, with the installed province plugins."""

    def __init__(self, store: Store, registry: Registry | None = None) -> None:
        self.store = store
        self.registry = registry or get_registry()

    @classmethod
    def open(cls, path: str | None = None, registry: Registry | None = None) -> Engine:
        """Open (creating and migrating if needed) the database at ``path`` (default: $DOUDI_DB
        or ./doudi.db)."""
        return cls(Store.open(path or default_db_path()), registry)

    # -- provinces, workflows, calendars ---------------------------------------------------

    def provinces(self) -> list:
        return [self.registry.provinces[c] for c in sorted(self.registry.provinces)]

    def calendar(self, province: str | None = None, county: str | None = None) -> OfficialCalendar:
        return self.registry.calendar(province, county)

    def due(
        self, start: date, duration: str, province: str | None = None, county: str | None = None
    ) -> DueDate:
        return due_date(self.calendar(province, county), start, duration)

    # -- cases ------------------------------------------------------------------------------

    def open_case(
        self,
        province: str,
        workflow: str = "dibao",
        on: date | None = None,
        attributes: Mapping[str, Any] | None = None,
        case_id: str | None = None,
        actor: str | None = None,
    ) -> CaseView:
        """Open a case in the workflow's initial state; returns it as of ``on``."""
        if on is None:
            raise InvalidInput("open_case needs the date the case was opened (on=...)")
        attributes = dict(attributes or {})
        wf = self.registry.workflow(province, workflow)
        county = attributes.get("county")
        calendar = self.calendar(province, county)
        calendar.day_info(on)
        delegation = wf.parameters.get("delegation")
        if delegation is not None and delegation.value == "always":
            if attributes.get("delegated") is False:
                raise EventRefused(
                    f"confirmation is always delegated to the township in {province} "
                    f"({delegation.citation}): delegated cannot be false"
                )
            attributes["delegated"] = True
        if case_id is None:
            prefix = f"{province}-{on.year}-"
            case_id = f"{prefix}{self.store.next_case_number(prefix):06d}"
        elif not case_id.strip() or any(ch.isspace() for ch in case_id):
            raise InvalidInput(f"case id {case_id!r} must be non-empty and without spaces")
        if self.store.case(case_id) is not None:
            raise EventRefused(f"case {case_id} already exists")
        case = CaseRecord(
            id=case_id,
            province=province,
            workflow=workflow,
            county=county,
            state=wf.initial,
            attributes=attributes,
            opened_on=on,
            last_event_on=on,
        )
        entry = HistoryEntry(0, OPEN_EVENT, on, "", wf.initial, attributes)
        self.store.record(case, entry, [], actor, new_case=True)
        return self.case(case_id, as_of=on)

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
    ) -> CaseView:
        """Record ``event`` on ``on`` if the procedure allows it; raises :class:`EventRefused`.

        A refused event changes nothing. Payload values become the case's attributes.
        """
        case = self._load(case_id)
        payload = dict(payload or {})
        if on < case.last_event_on:
            raise EventRefused(
                f"{event} on {on.isoformat()} is before the case's last event "
                f"(on {case.last_event_on.isoformat()})"
            )
        history = self.store.history(case_id)
        deadlines = self.store.deadlines(case_id)
        state, attributes, deadlines = self._step(case, history, deadlines, event, on, payload,
                                                  reason)
        entry = HistoryEntry(len(history), event, on, case.state, state, payload, reason)
        updated = attrs.evolve(case, state=state, attributes=attributes, last_event_on=on)
        self.store.record(updated, entry, deadlines, actor)
        return self.case(case_id, as_of=on)

    def _step(
        self,
        case: CaseRecord,
        history: list[HistoryEntry],
        deadlines: list[Deadline],
        event: str,
        on: date,
        payload: Mapping[str, Any],
        reason: str | None,
    ) -> tuple[str, dict[str, Any], list[Deadline]]:
        """One event applied to a case in memory: the new state, attributes and deadlines."""
        wf = self.registry.workflow(case.province, case.workflow)
        machine = self.registry.machine(case.province, case.workflow)
        calendar = self.calendar(case.province, case.county)
        calendar.day_info(on)
        attributes = {**case.attributes, **payload}
        ctx = GuardContext(
            case_id=case.id,
            province=case.province,
            state=case.state,
            attributes=attributes,
            event=event,
            on=on,
            payload=payload,
            reason=reason,
            history=tuple(history),
            deadlines=tuple(deadlines),
            parameters=wf.parameters,
            calendar=calendar,
        )
        state = machine.fire(case.state, event, ctx)
        closes = state in wf.final_states
        delegated = is_delegated(wf.parameters, attributes)
        deadlines = apply_event(deadlines, wf, event, on, calendar, delegated, closes)
        return state, attributes, deadlines

    def replay(self, case_id: str) -> tuple[CaseRecord, list[Deadline]]:
        """The case and its deadlines rebuilt from its history alone, guards checked again."""
        stored = self._load(case_id)
        history = self.store.history(case_id)
        opening = history[0]
        case = attrs.evolve(
            stored,
            state=self.registry.workflow(stored.province, stored.workflow).initial,
            attributes=dict(opening.payload),
            last_event_on=opening.on,
        )
        deadlines: list[Deadline] = []
        for i, entry in enumerate(history[1:], start=1):
            state, attributes, deadlines = self._step(
                case, history[:i], deadlines, entry.event, entry.on, entry.payload, entry.reason
            )
            case = attrs.evolve(case, state=state, attributes=attributes, last_event_on=entry.on)
        return case, deadlines

    def replay_deadlines(self, case_id: str, as_of: date | None = None) -> list[Deadline]:
        """The case's deadlines from the events known on ``as_of`` (all events if None)."""
        case = self._load(case_id)
        return self._deadlines_from_history(case, self.store.history(case_id), as_of)

    def _deadlines_from_history(
        self, case: CaseRecord, history: list[HistoryEntry], as_of: date | None
    ) -> list[Deadline]:
        wf = self.registry.workflow(case.province, case.workflow)
        calendar = self.calendar(case.province, case.county)
        attributes: dict[str, Any] = {}
        deadlines: list[Deadline] = []
        for entry in history:
            if as_of is not None and entry.on > as_of:
                break
            attributes.update(entry.payload)
            if entry.event == OPEN_EVENT:
                continue
            closes = entry.to_state in wf.final_states
            delegated = is_delegated(wf.parameters, attributes)
            deadlines = apply_event(deadlines, wf, entry.event, entry.on, calendar, delegated,
                                    closes)
        return deadlines

    # -- reading ----------------------------------------------------------------------------

    def _deadlines_as_of(
        self, case: CaseRecord, as_of: date, stored: list[Deadline] | None = None
    ) -> list[Deadline]:
        if case.last_event_on <= as_of:
            return stored if stored is not None else self.store.deadlines(case.id)
        return self._deadlines_from_history(case, self.store.history(case.id), as_of)

    def _judge(
        self, case: CaseRecord, deadlines: list[Deadline], as_of: date, window: int
    ) -> list[DeadlineView]:
        calendar = self.calendar(case.province, case.county)
        views = []
        for d in deadlines:
            status = d.status(as_of, calendar, window)
            overdue = d.overdue_working_days(as_of, calendar) if status in (
                "breached", "met_late") else 0
            views.append(DeadlineView(case.id, d, status, overdue))
        return views

    def deadlines(
        self, case_id: str, as_of: date, window: int = DEFAULT_WINDOW
    ) -> list[DeadlineView]:
        """The case's deadlines as they stood on ``as_of``, each with its status."""
        case = self._load(case_id)
        if as_of < case.opened_on:
            return []
        return self._judge(case, self._deadlines_as_of(case, as_of), as_of, window)

    def case(self, case_id: str, as_of: date | None = None, window: int = DEFAULT_WINDOW
             ) -> CaseView:
        """The case as it stood on ``as_of`` (default: the date of its last event)."""
        case = self._load(case_id)
        as_of = as_of or case.last_event_on
        if as_of < case.opened_on:
            raise UnknownName(
                f"case {case_id} was opened on {case.opened_on.isoformat()}, "
                f"after {as_of.isoformat()}"
            )
        rows = self.store.history_rows(case_id)
        known = [r for r in rows if date.fromisoformat(r["on"]) <= as_of]
        if known and len(known) < len(rows):
            attributes: dict[str, Any] = {}
            for r in known:
                attributes.update(_json(r["payload"]))
            case = attrs.evolve(case, state=known[-1]["to_state"], attributes=attributes)
        wf = self.registry.workflow(case.province, case.workflow)
        history = tuple(
            {
                "seq": r["seq"],
                "event": r["event"],
                "title": wf.event_title(r["event"]) if r["event"] != OPEN_EVENT else "立案",
                "on": r["on"],
                "from": r["from_state"] or None,
                "to": r["to_state"],
                "payload": _json(r["payload"]),
                "reason": r["reason"],
                "actor": r["actor"],
                "recorded_at": r["recorded_at"],
            }
            for r in known
        )
        views = self._judge(case, self._deadlines_as_of(case, as_of), as_of, window)
        return CaseView(case, wf.state(case.state).title, history, tuple(views), as_of)

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
        if province is not None:
            self.registry.province(province)
        cases = list(self.store.cases(province=province, workflow=workflow, county=county))
        stored = self.store.deadlines_by_case(province=province, workflow=workflow, county=county)
        found: list[Breach] = []
        for case in cases:
            if case.opened_on > as_of:
                continue
            deadlines = self._deadlines_as_of(case, as_of, stored.get(case.id, []))
            for view in self._judge(case, deadlines, as_of, window):
                if view.status in statuses:
                    found.append(Breach(case, view))
        found.sort(key=lambda b: (-b.view.overdue_working_days, b.view.deadline.due_on,
                                  b.case.id, b.view.deadline.rule))
        return found

    def breaches(
        self,
        as_of: date,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
        include_late: bool = False,
    ) -> list[Breach]:
        """Running deadlines past their due date on ``as_of`` (and, optionally, ones met late)."""
        statuses = ("breached", "met_late") if include_late else ("breached",)
        return self.report(as_of, statuses, province, workflow, county)

    def at_risk(
        self,
        as_of: date,
        within: int = DEFAULT_WINDOW,
        province: str | None = None,
        workflow: str | None = None,
        county: str | None = None,
    ) -> list[Breach]:
        """Running deadlines due on ``as_of`` or within the next ``within`` working days."""
        if within < 0:
            raise InvalidInput("the warning window must be 0 or more working days")
        return self.report(as_of, ("at_risk",), province, workflow, county, window=within)


def _json(text: str | None) -> Any:
    import json

    return json.loads(text) if text else {}


__all__ = ["Breach", "CaseView", "DeadlineView", "DoudiError", "Engine"]
