"""Named guards: what a guard sees (``GuardContext``) and the registry that resolves names.

Guards are registered by name through the ``doudi_register_guards`` hook and resolved when a
workflow is loaded, never imported from strings. A guard returns ``None`` to allow a
transition, or a one-line reason to refuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from attrs import frozen

from engine.calendar import OfficialCalendar
from engine.deadlines import Deadline
from engine.workflow import Parameter


@frozen
class HistoryEntry:
    """One recorded event of a case, as guards and reports see it."""

    seq: int
    event: str
    on: date
    from_state: str
    to_state: str
    payload: Mapping[str, Any]
    reason: str | None = None


@frozen
class GuardContext:
    """Everything a guard may look at; guards must not change anything."""

    case_id: str
    province: str
    state: str
    attributes: Mapping[str, Any]
    event: str
    on: date
    payload: Mapping[str, Any]
    reason: str | None
    history: Sequence[HistoryEntry]
    deadlines: Sequence[Deadline]
    parameters: Mapping[str, Parameter]
    calendar: OfficialCalendar

    @property
    def delegated(self) -> bool:
        return is_delegated(self.parameters, self.attributes)

    def latest(self, rule: str) -> Deadline | None:
        return next((d for d in reversed(self.deadlines) if d.rule == rule), None)


def is_delegated(parameters: Mapping[str, Parameter], attributes: Mapping[str, Any]) -> bool:
    """Confirmation delegated to the township: always (province rule), or by the case."""
    delegation = parameters.get("delegation")
    if delegation is not None and delegation.value == "always":
        return True
    return attributes.get("delegated") is True


Guard = Callable[[GuardContext], "str | None"]


class GuardRegistry:
    """Guards by name, remembering which plugin registered each, duplicates refused."""

    def __init__(self) -> None:
        self._guards: dict[str, tuple[Guard, str]] = {}

    def register(self, name: str, function: Guard, plugin: str) -> None:
        from engine.errors import PluginError

        if name in self._guards:
            other = self._guards[name][1]
            raise PluginError(f"guard {name!r} registered by both {other!r} and {plugin!r}")
        self._guards[name] = (function, plugin)

    def __getitem__(self, name: str) -> Guard:
        return self._guards[name][0]

    def __contains__(self, name: object) -> bool:
        return name in self._guards

    def names(self) -> list[str]:
        return sorted(self._guards)
