"""What the engine shows: deadlines judged as of a date, report lines, cases as of a date.

Each view has the JSON shape of the integration contract (``to_json``).
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from engine.deadlines import Deadline
from engine.effects import Sanction
from engine.payments import Payment
from engine.store import CaseRecord


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
    payments: tuple[Payment, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    links: tuple[dict, ...] = ()

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
            **({"payments": [p.to_json() for p in self.payments]} if self.payments else {}),
            "sanctions": [s.to_json() for s in self.sanctions],
            "links": list(self.links),
        }
