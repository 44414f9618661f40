"""doudi (兜底): a declarative workflow and compliance-deadline engine for 低保.

The public Python API::

    from engine import Engine
    engine = Engine.open("cases.db")
    case = engine.open_case(province=code, workflow="dibao", on=date(2026, 3, 2))
    engine.fire(case.id, "accept", on=date(2026, 3, 3))
    engine.deadlines(case.id, as_of=date(2026, 4, 1))
    engine.breaches(as_of=date(2026, 4, 1))
"""

import importlib
from typing import TYPE_CHECKING, Any

# Exports resolve on first use (PEP 562): the command line starts without loading the engine.
_EXPORTS = {
    "LinkedOpening": "engine.effects",
    "PlaceRules": "engine.application_place",
    "Way": "engine.application_place",
    "Outcome": "engine.effects",
    "GuardContext": "engine.guards",
    "reads_parameters": "engine.guards",
    "ExceptionRoute": "engine.default_assessment",
    "AssessmentRules": "engine.assessment",
    "Assessment": "engine.assessment",
    "ImportResult": "engine.importer",
    "LocalSetting": "engine.local_parameters",
    "MovedDate": "engine.maintenance",
    "KeptDate": "engine.maintenance",
    "Recorded": "engine.maintenance",
    "Skipped": "engine.maintenance",
    "StoredWrite": "engine.core",
    "ChainHead": "engine.maintenance",
    "TableHead": "engine.maintenance",
    "Finding": "engine.integrity",
    "SettingFinding": "engine.integrity",
    "SettingChainFinding": "engine.integrity",
    "CaseRecord": "engine.store",
    "Deadline": "engine.deadlines",
    "Workflow": "engine.workflow",
    "AttributeSpec": "engine.workflow",
    "Breach": "engine.core",
    "Busy": "engine.errors",
    "CalendarOverlay": "engine.calendar_data",
    "CalendarYear": "engine.calendar_years",
    "AddedYears": "engine.calendar_years",
    "CalendarDataError": "engine.errors",
    "CaseView": "engine.core",
    "Conflict": "engine.errors",
    "DamagedRecord": "engine.errors",
    "DiskFull": "engine.errors",
    "DeadlineRule": "engine.workflow",
    "DeadlineView": "engine.core",
    "Document": "engine.provinces",
    "DoudiError": "engine.errors",
    "DueDate": "engine.periods",
    "Duration": "engine.periods",
    "Engine": "engine.core",
    "EventRefused": "engine.errors",
    "InvalidInput": "engine.errors",
    "LeaveRoute": "engine.default_benefit",
    "OfficialCalendar": "engine.calendar",
    "OutsideCalendar": "engine.errors",
    "Parameter": "engine.workflow",
    "Payment": "engine.payments",
    "PhaseOut": "engine.payments",
    "PluginError": "engine.errors",
    "Province": "engine.provinces",
    "PublicationNotice": "engine.notices",
    "PublicityNotice": "engine.notices",
    "Sanction": "engine.effects",
    "SortedRows": "engine.reports",
    "State": "engine.workflow",
    "Transition": "engine.workflow",
    "UnknownName": "engine.errors",
    "Variant": "engine.workflow",
    "WorkflowLoadError": "engine.errors",
    "WorkflowPatch": "engine.workflow",
    "due_date": "engine.periods",
    "hookimpl": "engine.hookspecs",
    "national_calendar": "engine.calendar",
}

if TYPE_CHECKING:  # (what a type checker sees: the names themselves, not __getattr__'s Any)
    from engine.application_place import PlaceRules, Way
    from engine.assessment import Assessment, AssessmentRules
    from engine.calendar import OfficialCalendar, national_calendar
    from engine.calendar_data import CalendarOverlay
    from engine.calendar_years import AddedYears, CalendarYear
    from engine.core import Breach, CaseView, DeadlineView, Engine, StoredWrite
    from engine.deadlines import Deadline
    from engine.default_assessment import ExceptionRoute
    from engine.default_benefit import LeaveRoute
    from engine.effects import LinkedOpening, Outcome, Sanction
    from engine.errors import (
        Busy,
        CalendarDataError,
        Conflict,
        DamagedRecord,
        DiskFull,
        DoudiError,
        EventRefused,
        InvalidInput,
        OutsideCalendar,
        PluginError,
        UnknownName,
        WorkflowLoadError,
    )
    from engine.guards import GuardContext, reads_parameters
    from engine.hookspecs import hookimpl
    from engine.importer import ImportResult
    from engine.integrity import Finding, SettingChainFinding, SettingFinding
    from engine.local_parameters import LocalSetting
    from engine.maintenance import ChainHead, KeptDate, MovedDate, Recorded, Skipped, TableHead
    from engine.notices import PublicationNotice, PublicityNotice
    from engine.payments import Payment, PhaseOut
    from engine.periods import DueDate, Duration, due_date
    from engine.provinces import Document, Province
    from engine.reports import SortedRows
    from engine.store import CaseRecord
    from engine.workflow import (
        AttributeSpec,
        DeadlineRule,
        Parameter,
        State,
        Transition,
        Variant,
        Workflow,
        WorkflowPatch,
    )


if not TYPE_CHECKING:  # (a module __getattr__ a type checker sees makes every name Any, a
    # misspelt ``from engine import Enigne`` included)

    def __getattr__(name: str) -> Any:
        if name not in _EXPORTS:
            raise AttributeError(f"module 'engine' has no attribute {name!r}")
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value


__all__ = [
    "AddedYears",
    "Assessment",
    "AssessmentRules",
    "AttributeSpec",
    "Breach",
    "Busy",
    "CalendarDataError",
    "CalendarOverlay",
    "CalendarYear",
    "CaseRecord",
    "CaseView",
    "ChainHead",
    "Conflict",
    "DamagedRecord",
    "Deadline",
    "DeadlineRule",
    "DeadlineView",
    "DiskFull",
    "Document",
    "DoudiError",
    "DueDate",
    "Duration",
    "Engine",
    "EventRefused",
    "ExceptionRoute",
    "Finding",
    "GuardContext",
    "ImportResult",
    "InvalidInput",
    "KeptDate",
    "LeaveRoute",
    "LinkedOpening",
    "LocalSetting",
    "MovedDate",
    "OfficialCalendar",
    "Outcome",
    "OutsideCalendar",
    "Parameter",
    "Payment",
    "PhaseOut",
    "PlaceRules",
    "PluginError",
    "Province",
    "PublicationNotice",
    "PublicityNotice",
    "Recorded",
    "Sanction",
    "SettingChainFinding",
    "SettingFinding",
    "Skipped",
    "SortedRows",
    "State",
    "StoredWrite",
    "TableHead",
    "Transition",
    "UnknownName",
    "Variant",
    "Way",
    "Workflow",
    "WorkflowLoadError",
    "WorkflowPatch",
    "due_date",
    "hookimpl",
    "national_calendar",
    "reads_parameters",
]
