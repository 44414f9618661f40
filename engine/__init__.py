"""doudi (兜底): a declarative workflow and compliance-deadline engine for 低保.

The public Python API::

    from engine import Engine
    engine = Engine.open("cases.db")
    case = engine.open_case(province=code, workflow="dibao", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.deadlines(case.id, as_of=date(2026, 4, 1))
    engine.breaches(as_of=date(2026, 4, 1))
"""

from engine.calendar import CalendarOverlay, OfficialCalendar, national_calendar
from engine.core import Breach, CaseView, DeadlineView, Engine
from engine.default_benefit import LeaveRoute
from engine.effects import Sanction
from engine.errors import (
    DoudiError,
    EventRefused,
    InvalidInput,
    OutsideCalendar,
    PluginError,
    UnknownName,
    WorkflowLoadError,
)
from engine.hookspecs import hookimpl
from engine.payments import Payment, PhaseOut
from engine.periods import DueDate, Duration, due_date
from engine.provinces import Document, Province
from engine.workflow import DeadlineRule, Parameter, State, Transition, WorkflowPatch

__all__ = [
    "Breach",
    "CalendarOverlay",
    "CaseView",
    "DeadlineRule",
    "DeadlineView",
    "Document",
    "DoudiError",
    "DueDate",
    "Duration",
    "Engine",
    "EventRefused",
    "InvalidInput",
    "LeaveRoute",
    "OfficialCalendar",
    "OutsideCalendar",
    "Parameter",
    "Payment",
    "PhaseOut",
    "PluginError",
    "Province",
    "Sanction",
    "State",
    "Transition",
    "UnknownName",
    "WorkflowLoadError",
    "WorkflowPatch",
    "due_date",
    "hookimpl",
    "national_calendar",
]
