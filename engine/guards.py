"""Named guards: what a guard sees (``GuardContext``) and the registry that resolves names.

Guards are registered by name through the ``doudi_register_guards`` hook and resolved when a
workflow is loaded, never imported from strings. A guard returns ``None`` to allow a
transition, or a one-line reason to refuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, overload

import attrs
from attrs import field, frozen

from engine.arguments import non_negative_number, spelled
from engine.deadlines import Deadline
from engine.errors import InvalidInput
from engine.plain_fields import changed, new_instance, set_fields
from engine.read_only import NO_DATA, read_only_data
from engine.workflow import SYSTEM_EVENTS, DeadlineRule, Parameter, is_delegated

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar


# (fields in a plain instance dict, filled at once: see engine.plain_fields; entries are
# built twice an event and read often)
@frozen(slots=False, init=False)
class HistoryEntry:
    """One recorded event of a case, as guards and reports see it."""

    seq: int
    event: str
    on: date
    from_state: str
    to_state: str
    # Read-only (a copy, made by __init__): guards and effects see every entry of the case's
    # history, and one that wrote into an entry's data changed the copy of the case kept in
    # memory, which the next events' guards read, behind the recorded history.
    payload: Mapping[str, Any]
    reason: str | None = None
    # what the event's effects decided (e.g. a phase-out plan); read-only as the data
    derived: Mapping[str, Any] = NO_DATA
    actor: str | None = None
    key: str | None = None  # the caller's idempotency key
    corrects: int | None = None  # the seq of the event a correction refers to
    # Set once the entry is stored; not part of what happened, so not compared.
    recorded_at: str | None = field(default=None, eq=False)
    hash: str | None = field(default=None, eq=False)

    def __init__(self, seq: int, event: str, on: date, from_state: str, to_state: str,
                 payload: Mapping[str, Any], reason: str | None = None,
                 derived: Mapping[str, Any] = NO_DATA, actor: str | None = None,
                 key: str | None = None, corrects: int | None = None,
                 recorded_at: str | None = None, hash: str | None = None) -> None:
        set_fields(self, "__dict__", {
            "seq": seq, "event": event, "on": on, "from_state": from_state,
            "to_state": to_state, "payload": read_only_data(payload), "reason": reason,
            "derived": read_only_data(derived), "actor": actor, "key": key,
            "corrects": corrects, "recorded_at": recorded_at, "hash": hash})

    def stamp(self, recorded_at: str, hash: str) -> None:
        """The entry as stored, with when it was recorded and its hash: set in place by the
        write, for an entry of the change it writes, one made for that change (by
        Engine._step, _advance, _opening, a correction, a recompute) and held by nothing that
        reads it afterwards but the change itself. (A stamped copy cost each event about
        4,000 instructions: the copy made, and the entry it replaced freed; about 1.1 % of
        fire's and of an import line's.)"""
        fields = self.__dict__
        fields["recorded_at"], fields["hash"] = recorded_at, hash

    # A copy with a field or two changed, not built anew (each field and both converters
    # again): a kept case's entry with its data read back.

    def with_data(self, payload: Mapping[str, Any], derived: Mapping[str, Any]) -> HistoryEntry:
        """The entry with other data and derived values (made read-only, as when built)."""
        return changed(self, payload=read_only_data(payload), derived=read_only_data(derived))

    @classmethod
    def of_event(cls, seq: int, event: str, on: date, from_state: str, to_state: str,
                 payload: Mapping[str, Any], reason: str | None, derived: Mapping[str, Any],
                 actor: str | None, key: str | None) -> HistoryEntry:
        """``HistoryEntry(seq, …, key)`` of an event worked out (Engine._step), its ``payload``
        and ``derived`` read-only already (read_only_data's, which __init__ would keep as
        they are). Every event builds one: its fields are set in a copy of one dict, not
        given to __init__ and written out as a dict, with read_only_data called twice more
        (about a quarter of an entry built)."""
        fields = _NO_FIELDS.copy()
        fields["seq"], fields["event"], fields["on"] = seq, event, on
        fields["from_state"], fields["to_state"] = from_state, to_state
        fields["payload"], fields["reason"], fields["derived"] = payload, reason, derived
        fields["actor"], fields["key"] = actor, key
        entry = new_instance(cls)
        set_fields(entry, "__dict__", fields)
        return entry


#: A history entry's fields, in order, each None: what HistoryEntry.of_event fills in.
_NO_FIELDS = dict.fromkeys(f.name for f in attrs.fields(HistoryEntry))


def attributes_given_by(entries: Iterable[HistoryEntry]) -> dict[str, Any]:
    """A case's attributes as its events leave them: each event's data, then what its effects
    decided, in order (system events, a correction or a recompute, change none)."""
    attributes: dict[str, Any] = {}
    for entry in entries:
        if entry.event not in SYSTEM_EVENTS:
            attributes.update(entry.payload)
            attributes.update(entry.derived)
    return attributes


@frozen(slots=False)  # (built for every guarded event: see engine.plain_fields)
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
    hooks: Any = None  # the first-answer hooks (Registry.answers), for effects that ask a province
    opened_on: date | None = None
    final_states: frozenset[str] = frozenset()  # the workflow's: where a case's payments end
    rules: tuple[DeadlineRule, ...] = ()  # the deadline rules the event acts on (Workflow.rules_for)
    # The parameters a household is assessed under, asked for when an effect assesses one:
    # the province's ``dibao`` workflow with the case's county's own settings in force on the
    # event's date, whatever the case's workflow (as ``Engine.assess``). None: ``parameters``.
    assessment_parameters: Callable[[], Mapping[str, Parameter]] | None = None

    @property
    def delegated(self) -> bool:
        return is_delegated(self.parameters, self.attributes)

    def latest(self, rule: str) -> Deadline | None:
        for d in reversed(self.deadlines):  # (a loop: no generator made and run, as by next())
            if d.rule == rule:
                return d
        return None


def reads_parameters(*names: str) -> Callable[[Callable], Callable]:
    """Mark a guard or effect as reading the workflow parameters ``names``: a province's
    patch cannot remove one of them while a transition of its workflow names the function
    (``WorkflowPatch.remove_parameters``)."""
    def mark(function: Callable) -> Callable:
        function.reads_parameters = names  # type: ignore[attr-defined]
        return function

    return mark


def register_each(register: Callable[[str, Callable], None], functions: Iterable[Callable]) -> None:
    """Register guards or effects under their own function names."""
    for function in functions:
        register(function.__name__, function)


@overload
def number_datum(
    values: Mapping[str, Any], field: str, event: str, required: Literal[True] = True
) -> float: ...
@overload
def number_datum(
    values: Mapping[str, Any], field: str, event: str, required: bool = True
) -> float | None: ...
def number_datum(
    values: Mapping[str, Any], field: str, event: str, required: bool = True
) -> float | None:
    """A non-negative number an event needs (``--set field=N``); a clear error otherwise."""
    value = values.get(field)
    if value is None:
        if required:
            raise InvalidInput(f"{event} needs --set {field}=NUMBER")
        return None
    return float(non_negative_number(value, field))


def given(value: object) -> str:
    """A datum as a refusal quotes what it got: ``"maybe"`` (as JSON spells it, see
    :func:`engine.arguments.spelled`), or ``nothing`` when it was not given (a refusal read
    "got None", Python's word, on the command line)."""
    return "nothing" if value is None else spelled(value)


Guard = Callable[[GuardContext], "str | None"]


class NamedRegistry:
    """Functions by name (guards, effects), remembering which plugin registered each."""

    def __init__(self, kind: str = "guard") -> None:
        self.kind = kind
        self._guards: dict[str, tuple[Callable, str]] = {}
        self._reads: dict[str, tuple[str, ...]] = {}

    def register(self, name: str, function: Callable, plugin: str,
                 reads: Iterable[str] = ()) -> None:
        """``reads``: the workflow parameters the function reads (:func:`reads_parameters`)."""
        from engine.errors import PluginError

        if not (isinstance(name, str) and name.strip()):
            # (a workflow names it: one of no name, or not text, no workflow could use)
            raise PluginError(f"plugin {plugin!r} registered a {self.kind} named {name!r}: "
                              f"register(name, function), the name text a workflow uses")
        if name in self._guards:
            raise PluginError(self._taken(name, self._guards[name][1], plugin))
        if not callable(function):
            raise PluginError(f"plugin {plugin!r} registered {self.kind} {name!r} as {function!r}, "
                              "not a function (register(name, function))")
        self._guards[name] = (function, plugin)
        self._reads[name] = tuple(reads)

    def _taken(self, name: str, first: str, second: str) -> str:
        """Why ``second`` may not register ``name``, which ``first`` registered: the line
        read "guard 'x' registered by both 'hainan' and 'hainan'" for a plugin registering a
        name twice, and named the doudi module ('doudi.default_guards') as if it were a
        plugin for a province's guard named as one of doudi's own."""
        from engine.plugins import described, distribution_of

        if first == second:
            return f"{described(second)} registered {self.kind} {name!r} twice"
        mine = [p for p in (first, second) if distribution_of(p) == "built-in"]
        if len(mine) == 1:  # (two of doudi's own: the line below names both)
            (plugin,) = {first, second} - set(mine)
            return (f"{described(plugin)} registered {self.kind} {name!r}, the name of one of "
                    f"doudi's own ({mine[0]}): give it a name of its own")
        return (f"{self.kind} {name!r} registered by two plugins: {first!r} "
                f"({distribution_of(first)}) and {second!r} ({distribution_of(second)})")

    def reads(self) -> dict[str, tuple[str, ...]]:
        """The parameters each function reads, by name (those registered saying so)."""
        return {name: names for name, names in self._reads.items() if names}

    def __getitem__(self, name: str) -> Callable:
        return self._guards[name][0]

    def __contains__(self, name: object) -> bool:
        return name in self._guards

    def names(self) -> list[str]:
        return sorted(self._guards)


GuardRegistry = NamedRegistry
