"""Declarative workflows: load a ``workflows/*.toml`` file into frozen objects and validate it.

A workflow names its states, its transitions (event, sources, destination, named guards),
its parameters (values with citations, which provinces override) and its deadline rules.
Validation happens at load, so a broken file fails at start-up naming the file, the item and
what is wrong — never halfway through a case. Province patches (``WorkflowPatch``) are applied
to a loaded definition and the result is validated again.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Iterable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
from attrs import frozen

from engine.arguments import LARGEST_NUMBER, out_of_range, printable, spelled, unprintable
from engine.calendar_data import FIRST_YEAR, LAST_INDEXED_YEAR
from engine.errors import DamagedRecord, InvalidInput, OutsideCalendar, WorkflowLoadError
from engine.periods import Duration, iso_date, why_not_a_date
from engine.read_only import read_only
from engine.shapes import (
    is_instance,
    is_number,
    is_text,
    list_of,
    listed,
    listed_pairs,
    one,
    pair_of,
)

if TYPE_CHECKING:
    from engine.store import CaseRecord

SEVERITIES = ("statutory", "advisory")
KINDS = ("duty", "window")


# Checks of the fields a plugin's WorkflowPatch builds (engine.shapes): ``State(3, "x")`` read
# "state 3: unreachable", a Variant not in a list "'Variant' object is not iterable".
_NAME = one("a name (text)", is_text)
_NAMES = list_of("names (text)", is_text)
_TEXT = one("text", is_instance(str))
_FLAG = one("True or False", is_instance(bool))
_MAYBE_NAME = one("a name (text) or None", lambda v: v is None or is_text(v))


def _internal_if_blank(dest: str | None) -> str | None:
    """A transition's ``dest``: "" (all a workflow file can write for none) is None, an
    internal transition. (A named function: a lambda left ``Transition(dest=…)`` without a
    type.)"""
    return dest or None


@frozen
class State:
    name: str = attrs.field(validator=_NAME)
    title: str = attrs.field(validator=_TEXT)
    final: bool = attrs.field(default=False, validator=_FLAG)


@frozen
class Transition:
    """``event`` moves a case from any of ``sources`` to ``dest`` if every guard allows it.

    ``dest`` ``None`` is an internal transition: the event is recorded, the state stays.
    ``effects`` are named, registered functions that compute what the event changes beyond
    state and deadlines (attributes, sanctions, linked cases).
    """

    event: str = attrs.field(validator=_NAME)
    sources: tuple[str, ...] = attrs.field(converter=listed, validator=_NAMES)
    dest: str | None = attrs.field(converter=_internal_if_blank, validator=_MAYBE_NAME)
    title: str = attrs.field(default="", validator=_TEXT)
    guards: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    effects: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    # Fires by itself on the date held in this case attribute (e.g. the end of a phase-out).
    auto_on: str | None = attrs.field(default=None, validator=_MAYBE_NAME)
    # Recorded on a closed case (sources: final states only; dest: none, the case stays
    # closed): what the law still asks after the end, e.g. repayment of a fraud found later.
    after_closing: bool = attrs.field(default=False, validator=_FLAG)


@frozen
class Parameter:
    """A value a rule depends on, with the clause that sets it; provinces override by name.

    ``local``: one the seeds leave to each locality (rules.md §5: the step deadlines, the
    publicity channels, delegation, …), which a county may set for itself
    (``doudi parameter set``). The statutory totals and the 公示's length are not. Whoever
    defines a parameter decides; an override keeps it, and its ``bounds``. A list (or
    mapping) in ``value`` is read-only (:mod:`engine.read_only`): a workflow is shared by
    every engine of the process.
    """

    name: str
    value: Any = attrs.field(converter=read_only)
    citation: str
    title: str = ""
    local: bool = False
    bounds: tuple[float, float] | None = None  # a number's least and greatest values


@frozen
class Extension:
    """Events that extend a running deadline to a longer total duration from its start."""

    events: tuple[str, ...] = attrs.field(converter=listed, validator=_NAMES)
    param: str = ""


@frozen
class Variant:
    """Use ``param`` instead of the rule's own when the case attribute ``when`` is true, or
    (``when = "level=县级"``, alternatives ``"level=省级|县级"``) holds one of those values.

    ``when = "delegated"`` follows the ``delegation`` parameter (always / per case).
    """

    when: str = attrs.field(validator=_NAME)
    param: str = attrs.field(validator=_NAME)


@frozen
class Opening:
    """An event that opens a linked case in another workflow (e.g. approve → benefit).

    ``relation`` is what the new case is to this one, ``back_relation`` what this one is to
    it (also set as an attribute of the new case, holding this case's id); ``copy`` lists the
    attributes carried over; ``next_month_attribute`` is set to the month after the event.
    """

    event: str
    workflow: str
    relation: str
    back_relation: str
    copy: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    next_month_attribute: str | None = None
    citation: str = ""


#: ``decided``: an attribute the workflow's effects decide (an assessment, a phase-out's end):
#: never taken from event data or an opening, where it could pass for the engine's decision.
ATTRIBUTE_TYPES = ("number", "integer", "month", "date", "bool", "text", "decided")

#: A name with this many digits or more is no one's name: an ID number (15 or 18 digits), a
#: phone (7 to 12) or an account number a platform put in it (``personal_name``; a notice
#: that would post one as the name is refused too, for a name stored before it was refused).
NAME_DIGITS = 6
#: What keeps a 公示 and a 公布 to the name, household size and amount.
PRIVACY_CLAUSES = "民发〔2021〕57号 第24条；民发〔2022〕83号 四(二)"
#: Why such a name is refused, after the attribute's name.
NUMBER_IN_NAME = (f"holds {NAME_DIGITS} or more digits (an ID number, a phone or an account "
                  "number?), not a name alone: a 公示 or 公布 shows the applicant's name, "
                  f"household size and amount and nothing else ({PRIVACY_CLAUSES})")


#: NAME_DIGITS digits, whatever lies between them (one search in C: a name is checked at
#: every opening, and an import's openings are one line in nine).
_NUMBER_IN_NAME = re.compile(rf"\d(?:\D*\d){{{NAME_DIGITS - 1}}}")


def holds_a_number(value: Any) -> bool:
    """Whether ``value``, given as a person's name, holds :data:`NAME_DIGITS` digits or more
    (decimal digits, full-width ones too)."""
    return _NUMBER_IN_NAME.search(str(value)) is not None

#: The calendar's range (engine.calendar's first_day and last_day): a date or month given as
#: data outside it is refused, as an event's date is (a month by its first day).
_FIRST_DAY, _LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_INDEXED_YEAR, 12, 31)


#: The case's own fields, beside its attributes (``case show``): an attribute of one of these
#: names (``--set province=…``) would read as the case's province while the case stays
#: in its own. Refused as data unless the workflow declares it.
CASE_FIELDS = frozenset({"id", "case_id", "province", "workflow", "state"})


def _check_undeclared(name: str) -> None:
    """Refuse a name no attribute is declared by that no attribute could be read back by: one
    of the case's own fields, a blank one, or one with spaces around it (`` residence `` would
    be kept beside ``residence``, as another attribute). ``--set`` refuses the last two too."""
    if name in CASE_FIELDS:
        raise _a_case_field(name)
    if not name or name != name.strip():
        problem = "is blank" if not name.strip() else "has spaces around it"
        raise InvalidInput(f"the attribute name {json.dumps(name, ensure_ascii=False)} "
                           f"{problem}: give each value its name, without spaces around it")


def _a_case_field(name: str) -> InvalidInput:
    return InvalidInput(
        f"{name} is one of the case's own fields, not an attribute: its id, province and "
        "workflow are given when it is opened, and its state follows its events",
        command_line=f"--set {name}=… names one of the case's own fields, not an attribute: "
                     "case open takes --id, --province and --workflow, and the state follows "
                     "the events")


@frozen
class AttributeSpec:
    """A case attribute or event datum the workflow checks wherever it is given."""

    # (checked for their shape when built, as a plugin's WorkflowPatch add_attributes builds
    # them: a type outside ATTRIBUTE_TYPES is the workflow's validation's to name)
    name: str = attrs.field(validator=_NAME)
    type: str = attrs.field(validator=_NAME)
    # Required when a case of this workflow is opened (an event's data need not give it).
    required: bool = attrs.field(default=False, validator=_FLAG)
    minimum: float | None = attrs.field(default=None, validator=one(
        "a number or None", lambda v: v is None or is_number(v)))
    title: str = attrs.field(default="", validator=_TEXT)
    # text: one of these
    choices: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    # Text that may run over several lines (a list of missing materials, a reason): never
    # printed into a notice, where a line break could pass for a line of the notice.
    lines: bool = attrs.field(default=False, validator=_FLAG)
    # An amount of money: yuan to the fen, at most two decimals (800.123 would be paid as
    # 800.12 and posted in a notice as 800.123).
    fen: bool = attrs.field(default=False, validator=_FLAG)
    # A person's name (the applicant's, posted in the 公示 and the 公布): holding
    # NAME_DIGITS digits or more, it is an ID number, a phone or an account number put in it.
    personal_name: bool = attrs.field(default=False, validator=_FLAG)

    def check(self, value: Any) -> None:
        # (imported at the top, not here: an import statement cost each datum checked
        # about as much as the check)
        name, kind = self.name, self.type
        if kind == "decided":
            raise InvalidInput(f"{name} is decided by doudi ({self.title}), not given: "
                               "leave it out")
        if self.personal_name and holds_a_number(value):
            # (refused as given: at the notice, a 公示 posted with it could never be printed)
            raise InvalidInput(f"{name} {NUMBER_IN_NAME}")
        if kind == "text" and isinstance(value, str):
            # Text goes into notices and reports: a line break would let a name add a line
            # of its own to a 公示 (a forged "申请人姓名：…"), an escape would colour a terminal.
            printable(value, name, self.lines)
            if not self.lines:
                stripped = value.strip()
                if not stripped:
                    # ("" names no village: report stations took it for none, the notices
                    # for one. Text that may span lines, a list of missing materials, is
                    # judged by the guard of the step that needs it, with its clause.)
                    titled = f" ({self.title})" if self.title else ""
                    raise InvalidInput(f"{name}{titled} must not be blank (leave it out for "
                                       f"none), got {spelled(value)}")
                if value != stripped:
                    # ("a村 " and "a村" would be two villages in a report, looking the same)
                    raise InvalidInput(f"{name} must not begin or end with spaces, got "
                                       f"{spelled(value)}")
            if not self.choices:
                return  # (nothing below judges text without choices: most values given)
        if kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, int | float) or \
                    out_of_range(value):
                raise InvalidInput(f"{name} must be a number (at most {LARGEST_NUMBER:,.0f}), "
                                   f"got {spelled(value)}")
            if kind == "integer" and value != int(value):
                raise InvalidInput(f"{name} must be a whole number, got {spelled(value)}")
            if self.minimum is not None and value < self.minimum:
                raise InvalidInput(f"{name} must be at least {self.minimum:g}, got {spelled(value)}")
            if self.fen and round(value, 2) != value:
                raise InvalidInput(f"{name} is yuan to the fen, at most two decimals, got {spelled(value)}")
        elif kind == "bool" and not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false, got {spelled(value)}")
        elif kind == "text" and (isinstance(value, bool)
                                 or not isinstance(value, str | int | float)):
            # (a number is written as text: the CLI reads --set subject=123 as 123)
            raise InvalidInput(f"{name} must be text, got {spelled(value)}")
        elif self.choices and str(value) not in self.choices:
            raise InvalidInput(f"{name} must be one of {', '.join(self.choices)}, got {spelled(value)}")
        elif kind in ("month", "date"):
            text = str(value)
            if kind == "month":  # (a month is read as its first day, shaped or not)
                text = text + "-01" if len(text) == 7 else ""
            try:
                day = iso_date(text)
            except ValueError:
                why = why_not_a_date(text)
                if why == "expected YYYY-MM-DD" and kind == "month":
                    why = "expected YYYY-MM"
                raise InvalidInput(f"{name} {spelled(value)} is not a {kind}: {why}") \
                    from None
            if not _FIRST_DAY <= day <= _LAST_DAY:
                # (as every other date doudi records, the event's own first: since=1900-01-01
                # was taken, where died_on=1900-01-01 was refused only as its re-check was
                # counted, and a date no deadline counts from by anything; paid_from=0001-01
                # gave 24,303 months paid, 2061-01 none ever)
                if kind == "month":
                    raise OutsideCalendar(f"{name} {text[:7]} is outside the calendar "
                                          f"({_FIRST_DAY.isoformat()[:7]} to {_LAST_DAY.isoformat()[:7]})")
                raise OutsideCalendar(f"{name} {day.isoformat()} is outside the calendar "
                                      f"({_FIRST_DAY.isoformat()} to {_LAST_DAY.isoformat()})")


@frozen
class DeadlineRule:
    """A statutory or advisory period: started, stopped, extended, paused by events.

    ``kind`` ``duty``: something must happen by the due date (stopped in time → met).
    ``kind`` ``window``: a period that must run its full length (e.g. 7-day 公示); it ends on
    its due date by itself and is never breached. ``starts`` may name ``open``, the opening
    of the case.
    """

    rule: str = attrs.field(validator=_NAME)
    title: str = attrs.field(validator=_TEXT)
    starts: tuple[str, ...] = attrs.field(converter=listed, validator=_NAMES)
    param: str = attrs.field(validator=_NAME)
    stops: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    extensions: tuple[Extension, ...] = attrs.field(
        default=(), converter=listed, validator=list_of("Extension", is_instance(Extension)))
    pauses: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    resumes: tuple[str, ...] = attrs.field(default=(), converter=listed, validator=_NAMES)
    variants: tuple[Variant, ...] = attrs.field(
        default=(), converter=listed, validator=list_of("Variant", is_instance(Variant)))
    # Count from the date in this event datum instead of the event's date (e.g. died_on).
    start_from: str | None = None
    # Only for cases meeting this condition (as a variant's ``when``, e.g. "level=省级").
    when: str | None = None
    severity: str = "statutory"
    kind: str = "duty"
    # Each start is a deadline of its own: a new start leaves the running ones to run, and a
    # stop event stops them all (each member's death has its own 3-month re-check; one
    # re-check of the household answers for every death before it).
    overlaps: bool = False
    # With overlaps: the event datum that says whom each deadline is about (e.g. member); a
    # start for the same one replaces its running deadline (the same death recorded again,
    # with the right date), a start for another, or for none named, runs beside it.
    subject: str | None = None
    # With variants: an attribute a variant reads, changed while a deadline runs, gives the
    # period of the next one only; the running one keeps the period it started with (a
    # re-check's frequency follows the household's category at each re-check). False: the
    # running one is counted again from its start (delegated, a fact about the case).
    variants_from_next: bool = False


def _read_only_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen
class Workflow:
    """A validated workflow definition (after any province patches).

    Its ``parameters`` and ``attributes`` are read-only mappings: the registry keeps one
    workflow per province for the whole process, so a caller changing one it was given would
    change the rules of every engine (:meth:`with_parameters` makes another workflow).
    """

    name: str
    title: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineRule, ...]
    parameters: Mapping[str, Parameter] = attrs.field(converter=_read_only_mapping)
    source: str = "<memory>"
    opens: tuple[Opening, ...] = ()
    attributes: Mapping[str, AttributeSpec] = attrs.field(factory=dict,
                                                           converter=_read_only_mapping)
    #: The parameters a province's patch removed (``WorkflowPatch.remove_parameters``), by
    #: name, with the clause that removed them: a county setting of one is refused, and one
    #: stored before is left aside (it governs nothing), saying so.
    removed_parameters: Mapping[str, str] = attrs.field(factory=dict,
                                                        converter=_read_only_mapping)
    # Look-ups every event needs, built once (a workflow never changes once loaded).
    _final: frozenset[str] = attrs.field(init=False, eq=False, repr=False)
    _titles: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False)
    _states: Mapping[str, State] = attrs.field(init=False, eq=False, repr=False)
    _rules: Mapping[str, tuple[DeadlineRule, ...]] = attrs.field(init=False, eq=False,
                                                                 repr=False)
    _naming: Mapping[str, tuple[DeadlineRule, ...]] = attrs.field(init=False, eq=False,
                                                                  repr=False)
    _taken: Mapping[tuple[str, str, str], Transition] = attrs.field(init=False, eq=False,
                                                                    repr=False)
    _automatic: tuple[Transition, ...] = attrs.field(init=False, eq=False, repr=False)
    _required: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)
    #: The ``delegation`` parameter where it delegates every case (:func:`always_delegating`),
    #: else None: asked on every event (a county's document that delegates is recorded).
    delegating: Parameter | None = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        titles: dict[str, str] = {}
        for t in self.transitions:
            if t.title:
                titles.setdefault(t.event, t.title)
        rules: dict[str, tuple[DeadlineRule, ...]] = {}
        naming: dict[str, tuple[DeadlineRule, ...]] = {}
        for event in {*self.events, OPEN_EVENT, *(e for r in self.deadlines for e in r.starts)}:
            naming[event] = tuple(r for r in self.deadlines if event in (
                *r.starts, *r.stops, *r.pauses, *r.resumes,
                *(e for x in r.extensions for e in x.events)))
            rules[event] = tuple(r for r in self.deadlines if r.variants or r in naming[event])
        object.__setattr__(self, "_final", frozenset(s.name for s in self.states if s.final))
        object.__setattr__(self, "_titles", titles)
        object.__setattr__(self, "_states", {s.name: s for s in self.states})
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_naming", naming)
        taken: dict[tuple[str, str, str], Transition] = {}
        for t in self.transitions:
            for source in t.sources:
                taken.setdefault((t.event, source, t.dest or source), t)
        object.__setattr__(self, "_taken", taken)
        object.__setattr__(self, "_automatic", tuple(t for t in self.transitions if t.auto_on))
        object.__setattr__(self, "_required",
                           tuple(name for name, spec in self.attributes.items() if spec.required))
        object.__setattr__(self, "delegating", always_delegating(self.parameters))

    def check_attributes(self, values: Mapping[str, Any], opening: bool = False,
                         linked: bool = False) -> None:
        """Raise :class:`InvalidInput` for a declared attribute of the wrong shape (and for a
        ``county`` that is not a name: it picks the calendar and the reports filter on it).
        ``linked``: a case an event opens, whose ``decided`` values doudi carried over."""
        if "county" in values:
            county = values["county"]
            if not isinstance(county, str) or not county.strip() or county != county.strip():
                # (spaces around it would make another county: its own parameters, calendar
                # and report filter would silently not apply)
                raise InvalidInput(f"county must be the county's name (text, without spaces "
                                   f"around it), got {spelled(county)}")
        if not opening:  # an event's data: only what it carries (usually nothing)
            for name in values:
                spec = self.attributes.get(name)
                if spec is not None:
                    spec.check(values[name])
                else:
                    _check_undeclared(name)
            return
        # An opening's values, nothing wrong with them (nearly always), are found so by
        # checking those given and looking for the required ones: the loop below goes through
        # every declared attribute (over twenty), about 300 bytecodes an opening. Anything
        # wrong is looked for again in the declared order, so that the first is the one said.
        specs = self.attributes
        try:
            for name in values:
                spec = specs.get(name)
                if spec is not None:
                    if not (linked and spec.type == "decided"):
                        spec.check(values[name])
                elif not linked:  # (linked: carried, as it was taken)
                    _check_undeclared(name)
            for name in self._required:
                if name not in values:
                    break
            else:
                return
        except Exception:  # (whatever it is: the loop below meets it, or an earlier one, again)
            pass
        for name, spec in specs.items():
            if name in values:
                if not (linked and spec.type == "decided"):
                    spec.check(values[name])
            elif spec.required:
                raise InvalidInput(f"a {self.name} case needs --set {name}=… ({spec.title})")
        for name in values:
            if name not in specs and not linked:
                _check_undeclared(name)

    def transition_for(self, event: str, source: str, dest: str) -> Transition:
        """The transition that took ``event`` from ``source`` to ``dest`` (the first such)."""
        return self._taken[(event, source, dest)]

    def recorded_transition(self, event: str, source: str, dest: str) -> Transition | None:
        """The transition a recorded ``event`` from ``source`` to ``dest`` is replayed by: its
        own, or, where a later version moved the step (a procedure that gained a step before
        it), the one that now takes ``event`` to ``dest`` from elsewhere; None if no
        transition leads there by ``event`` now."""
        found = self._taken.get((event, source, dest))
        if found is None:
            found = next((t for (e, _, d), t in self._taken.items() if e == event and d == dest),
                         None)
        return found

    @property
    def automatic(self) -> tuple[Transition, ...]:
        """The transitions that happen by themselves on a date (``auto_on``)."""
        return self._automatic

    def pending_automatic(self, case: CaseRecord, until: date) -> tuple[Transition, date] | None:
        """The first transition due to happen by itself to ``case`` on or before ``until``,
        and its date (not before the case's last event), if any."""
        for t in self._automatic:
            if case.state in t.sources and t.auto_on in case.attributes:
                try:  # (as stored: 20260306, a number or its text, is no date)
                    when = iso_date(case.attributes[t.auto_on])
                except ValueError as exc:
                    raise DamagedRecord.of(f"case {case.id!r}", ValueError(
                        f"{t.auto_on}: {exc}")) from None
                if when <= until:
                    return t, max(when, case.last_event_on)
        return None

    def rules_for(self, event: str) -> tuple[DeadlineRule, ...]:
        """The deadline rules ``event`` may act on (in order): those naming it, and those
        with variants, whose due date follows the case's attributes."""
        found = self._rules.get(event)
        if found is None:
            return tuple(r for r in self.deadlines if r.variants)
        return found

    def rules_naming(self, event: str) -> tuple[DeadlineRule, ...]:
        """:meth:`rules_for` less those it gives only for their variants: the rules ``event``
        starts, stops, extends, pauses or resumes."""
        return self._naming.get(event, ())

    @property
    def events(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.transitions:
            seen.setdefault(t.event)
        return list(seen)

    def state(self, name: str) -> State:
        return self._states[name]

    def has_state(self, name: object) -> bool:
        return name in self._states

    @property
    def final_states(self) -> frozenset[str]:
        return self._final

    def event_title(self, event: str) -> str:
        return self._titles.get(event, event)

    @property
    def duration_parameters(self) -> frozenset[str]:
        """The parameters its deadlines count: every rule's, its variants' and extensions'."""
        return frozenset(p for d in self.deadlines for p in (
            d.param, *(v.param for v in d.variants), *(x.param for x in d.extensions)))

    @property
    def dating_parameters(self) -> frozenset[str]:
        """The parameters a deadline's dates are worked out from: the durations, and
        ``delegation`` where a rule or variant applies to delegated cases (it picks the 20
        working days). Another (a channel, a share) moves no due date when a county sets it."""
        delegated = any(w == "delegated" for d in self.deadlines
                        for w in (d.when, *(v.when for v in d.variants)))
        return self.duration_parameters | ({DELEGATION} if delegated else set())

    def with_parameters(self, overrides: Iterable[Parameter], by: str | None = None) -> Workflow:
        """The workflow with ``overrides`` in place of its parameters of the same name;
        ``by`` says who overrides them in an error (default: the workflow's source), so that a
        plugin's mistake does not read as the workflow file's."""
        where = by or self.source
        params = dict(self.parameters)
        given: dict[str, Parameter] = {}
        durations = self.duration_parameters
        for p in overrides:
            # (two values for one parameter: the one listed last was taken, without a word)
            if p.name in given:
                first = given[p.name]
                raise WorkflowLoadError(
                    f"{where}: parameter {p.name!r} overridden twice ({first.value!r}, "
                    f"{first.citation}; {p.value!r}, {p.citation}): give it once")
            given[p.name] = p
            if p.name not in params:
                removed = self.removed_parameters.get(p.name)
                raise WorkflowLoadError(
                    f"{where}: parameter {p.name!r} overridden but not defined "
                    f"by workflow {self.name!r}" + (
                        "" if removed is None else f" (removed by {removed})")
                )
            defined = params[p.name]
            # (a list's rule read text as its characters: extension reasons "人户分离" let any
            # part of it, "人户", pass as one)
            problem = value_problem(f"parameter {p.name!r}", p.value, defined, "the workflow's",
                                    p.name in durations or is_duration(defined.value))
            if problem is not None:
                raise WorkflowLoadError(f"{where}: {problem}")
            # Whoever defines a parameter decides whether a county may set it, and within
            # what bounds: an override saying otherwise was silently dropped.
            if p.local and not defined.local:
                raise WorkflowLoadError(
                    f"{where}: parameter {p.name!r}: local=True on an override, but whether a "
                    "county may set it is decided where it is defined: a province marks local "
                    "only the parameters it adds (WorkflowPatch add_parameters)")
            if p.bounds is not None and p.bounds != defined.bounds:
                raise WorkflowLoadError(
                    f"{where}: parameter {p.name!r}: bounds={p.bounds!r} on an override, but "
                    "a parameter's bounds are set where it is defined (there: "
                    f"{'none' if defined.bounds is None else defined.bounds})")
            params[p.name] = attrs.evolve(p, title=p.title or defined.title,
                                          local=defined.local, bounds=defined.bounds)
        result = attrs.evolve(self, parameters=params)
        validate(result, source=where)  # (valid before: what fails now is the overrides')
        return result


def value_problem(where: str, value: Any, defined: Parameter, whose: str,
                  duration: bool = False) -> str | None:
    """What is wrong with ``value`` in place of the parameter ``defined``, as one line
    beginning with ``where`` (who gives it: "dibao parameter 'delegation'" for a county's
    setting, "parameter 'delegation'" after the plugin's name for a province's override), or
    None. ``whose`` names the value it replaces ("the province's" for a county, "the
    workflow's" for a plugin); ``duration``: the parameter is a period a deadline counts.

    The one place for the rules a parameter's value is held to, a county's
    (:func:`engine.local_parameters.checked`) and a plugin's (:meth:`Workflow.with_parameters`)
    alike: a plugin's ``delegation = "Always"`` delegated no case (the 30wd total, not 20wd),
    and its ``publicity_channels`` could hold a channel no case can give, " 网上", which a
    county's could not."""
    have = defined.value
    want, got = value_kind(have), value_kind(value)
    if want != got:
        return f"{where} must be {want} like {whose} {spelled(have)}, not {spelled(value)}"
    if (odd := _not_finite(value)) is not None:
        return f"{where}: {spelled(odd)} is not a finite number"
    if isinstance(have, int) and not isinstance(have, bool) and not isinstance(value, int):
        return f"{where} must be a whole number like {whose} {have}, not {spelled(value)}"
    if defined.bounds is not None and not defined.bounds[0] <= value <= defined.bounds[1]:
        return (f"{where} must be from {defined.bounds[0]:g} to {defined.bounds[1]:g} "
                f"({defined.citation}), not {spelled(value)}")
    if isinstance(have, list | tuple) and have:
        if not value:
            return f"{where} cannot be empty ({whose}: {spelled(have)})"
        item = value_kind(have[0])
        if any(value_kind(v) != item for v in value):
            return f"{where} must be a list of {item}, not {spelled(value)}"
    if defined.name == PUBLICITY_CHANNELS:
        # A case gives its channels as text separated by commas, each read without spaces
        # around it (default_guards.channel_items): a channel it cannot give is none.
        for channel in value:
            if (not channel.strip() or channel != channel.strip() or "," in channel
                    or unprintable(channel, "") is not None):
                return (f"{where}: each channel must be its name, without spaces around it, a "
                        f"comma or a line break, not {spelled(channel)}")
        if VILLAGE_CHANNEL not in value:
            return (f"{where} must include {VILLAGE_CHANNEL}: the 公示 is always posted there "
                    f"({VILLAGE_BASIS}), other channels add to it")
    if defined.name == DELEGATION and value not in ("always", "per_case"):
        return f"{where} is always or per_case, not {spelled(value)}"
    if defined.name == PAYMENT_START and value != NEXT_MONTH:
        return _payment_start_problem(where, value)
    if duration and isinstance(value, str):
        # (digits other than ASCII ones, ２wd, which Python's int() reads as 2: a document is
        # copied as typed, and must read the same everywhere)
        if not value.isascii():
            return (f"{where} must be a count in ASCII digits and a unit (e.g. 2wd), "
                    f"not {spelled(value)}")
        try:
            Duration.parse(value)
        except InvalidInput as exc:
            return f"{where}: {exc}"
    return None


def _payment_start_problem(where: str, value: Any) -> str:
    # (any other value was shown by workflow show, and payments began the month after all
    # the same: doudi counts no other start)
    return (f"{where} is {NEXT_MONTH}, the month after the decision (the only start doudi "
            f"pays from), not {spelled(value)}")


def is_duration(value: Any) -> bool:
    """Whether ``value`` reads as a duration ("3wd"): a parameter whose value does is one."""
    if not isinstance(value, str):
        return False
    try:
        Duration.parse(value)
    except InvalidInput:
        return False
    return True


def value_kind(value: Any) -> str:
    """What a parameter's value is, for an override to be of the same kind."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


RETITLED = ("state", "event", "deadline")  # what a WorkflowPatch may retitle


def _patch_list(kind: type | None, what: str) -> Any:
    check = is_text if kind is None else is_instance(kind)
    return attrs.field(default=(), converter=listed, validator=list_of(what, check))


@frozen
class WorkflowPatch:
    """A province's change to a workflow: add or remove states, transitions, deadlines;
    add parameters and attributes.

    Removing an event removes every transition with that event. ``add_guards`` holds
    (event, guard) pairs: every transition of the workflow with that event also needs the
    guard (a province
    condition on a national step). Every name removed or guarded must exist, so a misspelt
    one is an error rather than a rule silently left in force. ``citation`` says which
    clause requires the change; the patched workflow is validated like a file. Each field is
    checked for its shape when the patch is built (a TypeError naming the field).

    ``retitle`` holds (kind, name, title) triples, kind ``state``, ``event`` (its every
    transition) or ``deadline``: the province's own words for a national step, which keeps
    everything else (a province whose township confirms posts its 审核意见, not a 初审意见).

    ``remove_parameters`` names the parameters of the steps it removes (a county's period
    for a step the province does not have): they are no longer listed, a province cannot
    override them, and a county setting of one is refused. Each must exist, and none may be
    still used by what remains: counted by a deadline (its period, a variant's, an
    extension's), read by a guard or effect of a transition (those registered saying so,
    :func:`engine.guards.reads_parameters`), or, for ``delegation``, by a ``delegated``
    condition.

    ``add_attributes`` declares the data the province's own steps take (``AttributeSpec``s,
    as a workflow file's ``[attributes.…]``): the patched workflow checks them wherever they
    are given, as any declared attribute (bad input, before any guard), and lists them. Only
    attributes the workflow does not declare: one it has would be replaced, its type and
    choices with it, for every step of the workflow that reads it.
    """

    citation: str = attrs.field(validator=one("the clause that requires the change (text)", is_text))
    add_states: tuple[State, ...] = _patch_list(State, "State")
    add_transitions: tuple[Transition, ...] = _patch_list(Transition, "Transition")
    add_deadlines: tuple[DeadlineRule, ...] = _patch_list(DeadlineRule, "DeadlineRule")
    add_parameters: tuple[Parameter, ...] = _patch_list(Parameter, "Parameter")
    add_attributes: tuple[AttributeSpec, ...] = _patch_list(AttributeSpec, "AttributeSpec")
    remove_states: tuple[str, ...] = _patch_list(None, "state names")
    remove_events: tuple[str, ...] = _patch_list(None, "event names")
    remove_deadlines: tuple[str, ...] = _patch_list(None, "deadline rule names")
    remove_parameters: tuple[str, ...] = _patch_list(None, "parameter names")
    add_guards: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=listed_pairs,
        validator=list_of('(event, guard) pairs, as add_guards=(("approve", "my_guard"),)',
                          pair_of(is_text, is_text)))
    retitle: tuple[tuple[str, str, str], ...] = attrs.field(
        default=(), converter=listed_pairs,
        validator=list_of('(kind, name, title) triples, kind "state", "event" or "deadline", as '
                          'retitle=(("state", "in_publicity", "审核意见公示"),)',
                          lambda v: isinstance(v, tuple) and len(v) == 3
                          and v[0] in RETITLED and is_text(v[1]) and is_text(v[2])))

    def apply(self, workflow: Workflow, source: str,
              reads: Mapping[str, Mapping[str, Iterable[str]]] | None = None) -> Workflow:
        """The patched workflow; ``reads``: the parameters each guard and effect reads, by
        kind ("guard", "effect") and name (the registry's), checked against
        ``remove_parameters``."""
        self._check_names(workflow, source)
        removed_states = set(self.remove_states)
        states = [s for s in workflow.states if s.name not in removed_states]
        transitions = []
        for t in workflow.transitions:
            if t.event in self.remove_events or t.dest in removed_states:
                continue
            sources = tuple(s for s in t.sources if s not in removed_states)
            guards = tuple(g for event, g in self.add_guards if event == t.event)
            if sources:
                transitions.append(attrs.evolve(t, sources=sources, guards=(*t.guards, *guards)))
        deadlines = [d for d in workflow.deadlines if d.rule not in self.remove_deadlines]
        if self.retitle:
            title = {(kind, name): title for kind, name, title in self.retitle}

            def retitled(item: Any, kind: str, name: str) -> Any:
                return attrs.evolve(item, title=title[kind, name]) if (kind, name) in title \
                    else item

            states = [retitled(s, "state", s.name) for s in states]
            transitions = [retitled(t, "event", t.event) for t in transitions]
            deadlines = [retitled(d, "deadline", d.rule) for d in deadlines]
        params = dict(workflow.parameters)
        params.update({p.name: p for p in self.add_parameters})
        if self.remove_parameters:
            self._check_unused(source, (*deadlines, *self.add_deadlines),
                               (*transitions, *self.add_transitions), reads or {})
            for name in self.remove_parameters:
                params.pop(name, None)  # (named twice: removed once)
        patched = attrs.evolve(
            workflow,
            states=(*states, *self.add_states),
            transitions=(*transitions, *self.add_transitions),
            deadlines=(*deadlines, *self.add_deadlines),
            parameters=params,
            attributes={**workflow.attributes, **{a.name: a for a in self.add_attributes}},
            removed_parameters={**workflow.removed_parameters,
                                **dict.fromkeys(self.remove_parameters, self.citation)},
            source=f"{workflow.source} + {source}",
        )
        validate(patched)
        return patched

    def _check_unused(self, source: str, deadlines: Iterable[DeadlineRule],
                      transitions: Iterable[Transition],
                      reads: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        """Refuse to remove a parameter that what remains of the workflow still uses."""
        removed = set(self.remove_parameters)
        users: list[tuple[str, str]] = []  # (parameter, what uses it)
        for d in deadlines:
            users += [(p, f"deadline {d.rule!r} counts it") for p in (
                d.param, *(v.param for v in d.variants), *(x.param for x in d.extensions))]
            users += [(DELEGATION, f"the condition 'delegated' of deadline {d.rule!r} reads it")
                      for when in (d.when, *(v.when for v in d.variants)) if when == "delegated"]
        for t in transitions:
            for kind, names in (("guard", t.guards), ("effect", t.effects)):
                users += [(p, f"{kind} {name!r} of transition {t.event!r} reads it")
                          for name in names for p in reads.get(kind, {}).get(name, ())]
        for name, user in users:
            if name in removed:
                raise WorkflowLoadError(
                    f"{source}: remove_parameters: parameter {name!r} is still used ({user}): "
                    "a parameter is removed with the steps that use it")

    def _check_names(self, workflow: Workflow, source: str) -> None:
        known = {
            "state": {s.name for s in workflow.states},
            "event": {t.event for t in workflow.transitions},
            "deadline": {d.rule for d in workflow.deadlines},
            "parameter": set(workflow.parameters),
        }
        named = [*(("state", n) for n in self.remove_states),
                 *(("event", n) for n in self.remove_events),
                 *(("deadline", n) for n in self.remove_deadlines),
                 *(("parameter", n) for n in self.remove_parameters),
                 *(("event", event) for event, _ in self.add_guards),
                 *((kind, name) for kind, name, _ in self.retitle)]
        own = {  # (what the patch adds itself: said so, not "which workflow … does not have")
            "state": {s.name for s in self.add_states},
            "event": {t.event for t in self.add_transitions},
            "deadline": {d.rule for d in self.add_deadlines},
            "parameter": {p.name for p in self.add_parameters},
        }
        for kind, name in named:
            if name not in known[kind] and name in own[kind]:
                raise WorkflowLoadError(
                    f"{source}: names {kind} {name!r}, which the patch adds itself: it removes, "
                    "retitles and guards the workflow's own; what it adds it gives its title "
                    "and guards (Transition(…, guards=(…)))")
            if name not in known[kind]:
                raise WorkflowLoadError(f"{source}: names {kind} {name!r}, which workflow "
                                        f"{workflow.name!r} does not have")
        # (adding a parameter the workflow has would replace it, dropping whether a county may
        # set it and its bounds: the statutory total made local, unnoticed; adding an attribute
        # it declares would replace its type and choices for every step that reads it: a
        # national datum checked by a province's rule, unnoticed)
        _only_new(source, workflow, "add_parameters", "parameter", "defined",
                  [p.name for p in self.add_parameters], workflow.parameters,
                  "a province changes its value from doudi_parameters")
        _only_new(source, workflow, "add_attributes", "attribute", "declared",
                  [a.name for a in self.add_attributes], workflow.attributes,
                  "a province declares only the data its own steps take")


def _only_new(source: str, workflow: Workflow, field: str, kind: str, verb: str,
              names: list[str], existing: Container[str], why: str) -> None:
    """A patch's ``field`` adds only names the workflow does not have, each once."""
    seen: set[str] = set()
    for name in names:
        if name in existing:
            raise WorkflowLoadError(f"{source}: {field}: {kind} {name!r} is already {verb} by "
                                    f"workflow {workflow.name!r}: {why}")
        if name in seen:
            raise WorkflowLoadError(f"{source}: {field}: {kind} {name!r} is {verb} twice")
        seen.add(name)


#: The parameter saying whether confirmation is delegated to the townships: ``always``
#: (a province's or county's rule) or ``per_case`` (the case's ``delegated`` attribute).
DELEGATION = "delegation"
#: The attribute naming the county's document that delegated a case's confirmation to the
#: township (its ``delegation`` setting of ``always``), recorded by the event that found it
#: so: a total the delegation shortened cites it after the clause that leaves it to the county.
DELEGATED_BY = "delegated_by"
#: The parameter listing where a 公示 may be posted, and the place it is always posted (57号
#: 第19条 "在申请家庭所在村（社区）公示"): other channels ("通过网上公示等，扩大监督范围") add to it.
PUBLICITY_CHANNELS = "publicity_channels"
#: A paying workflow's month of the first payment: the month after the decision (57号 第21条
#: "自确认同意的次月起"), which engine.payments counts; the value is the one it knows.
PAYMENT_START = "payment_start"
NEXT_MONTH = "next_month"
VILLAGE_CHANNEL = "村（社区）"
VILLAGE_BASIS = "民发〔2021〕57号 第19条"


def always_delegating(parameters: Mapping[str, Parameter]) -> Parameter | None:
    """The ``delegation`` parameter where it delegates every case, else None."""
    delegation = parameters.get(DELEGATION)
    return delegation if delegation is not None and delegation.value == "always" else None


def is_delegated(parameters: Mapping[str, Parameter], attributes: Mapping[str, Any]) -> bool:
    """Confirmation delegated to the township: always (province rule), or by the case."""
    return always_delegating(parameters) is not None or attributes.get("delegated") is True


def variant_applies(when: str, parameters: Mapping[str, Parameter], attributes: Mapping[str, Any]) -> bool:
    """Whether a deadline variant's (or rule's) condition holds for a case."""
    if when == "delegated":
        return is_delegated(parameters, attributes)
    name, equals, values = when.partition("=")
    if equals:
        return str(attributes.get(name)) in values.split("|")
    return attributes.get(when) is True


# -- loading --------------------------------------------------------------------------------


def load_workflow(
    name: str,
    known_guards: Iterable[str] | None = None,
    known_effects: Iterable[str] | None = None,
) -> Workflow:
    """Load a packaged workflow (``workflows/<name>.toml``) by name."""
    from importlib import resources  # here, not at import: listing provinces needs neither

    if name not in available_workflows():
        raise WorkflowLoadError(unknown_workflow(name))
    resource = resources.files("workflows").joinpath(f"{name}.toml")
    if not resource.is_file():
        raise WorkflowLoadError(unknown_workflow(name))
    return parse_workflow(resource.read_text("utf-8"), f"workflows/{name}.toml", known_guards,
                          known_effects)


def unknown_workflow(name: str) -> str:
    """What every place that takes a workflow's name says of one doudi does not have (opening
    a case, a report's filter, a workflow's file): the same words, listing those it has."""
    return f"unknown workflow {name[:80]!r} (available: {', '.join(available_workflows()) or 'none'})"


def available_workflows() -> list[str]:
    from importlib import resources

    return sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("workflows").iterdir()
        if p.name.endswith(".toml")
    )


def parse_workflow(
    text: str,
    source: str,
    known_guards: Iterable[str] | None = None,
    known_effects: Iterable[str] | None = None,
) -> Workflow:
    """Parse and validate a workflow's TOML text; ``source`` names it in every error."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkflowLoadError(f"{source}: not valid TOML: {exc}") from None
    try:
        head = data["workflow"]
        states = tuple(State(**s) for s in data.get("states", ()))
        transitions = tuple(Transition(**t) for t in data.get("transitions", ()))
        parameters = {
            name: Parameter(name=name, **p) for name, p in data.get("parameters", {}).items()
        }
        deadlines = tuple(_deadline(d) for d in data.get("deadlines", ()))
        opens = tuple(Opening(**o) for o in data.get("opens", ()))
        attribute_specs = {
            name: AttributeSpec(name=name, **spec)
            for name, spec in data.get("attributes", {}).items()
        }
        workflow = Workflow(
            name=head["name"],
            title=head["title"],
            initial=head["initial"],
            states=states,
            transitions=transitions,
            deadlines=deadlines,
            parameters=parameters,
            source=source,
            opens=opens,
            attributes=attribute_specs,
        )
    except KeyError as exc:
        raise WorkflowLoadError(f"{source}: missing required key {exc.args[0]!r}") from None
    except TypeError as exc:
        raise WorkflowLoadError(f"{source}: {_type_error(exc)}") from None
    validate(workflow, known_guards, known_effects)
    return workflow


def _deadline(data: Mapping[str, Any]) -> DeadlineRule:
    data = dict(data)
    data["extensions"] = tuple(Extension(**e) for e in data.get("extensions", ()))
    data["variants"] = tuple(Variant(**v) for v in data.get("variants", ()))
    return DeadlineRule(**data)


def _type_error(exc: TypeError) -> str:
    text = str(exc)
    if "unexpected keyword argument" in text:
        return "unknown key " + text.split("unexpected keyword argument ")[-1]
    if "missing" in text:
        return "missing required key " + text.split("argument: ")[-1]
    return text


OPEN_EVENT = "open"  # the opening of a case: a deadline may start on it
RECOMPUTE_EVENT = "recompute"  # due dates re-derived after calendar or parameter changes
CORRECTION_EVENT = "correction"  # references the event it corrects; changes no state
SYSTEM_EVENTS = frozenset({CORRECTION_EVENT, RECOMPUTE_EVENT})  # no transition, no deadline
#: The events doudi records itself, which no transition may be named: replaying a history
#: (recompute, audit verify) passes over a correction and a recompute and reads an opening's
#: county from its data, so a province's step of one of these names was undone there (its
#: met deadline breached by recompute, the case reported as altered by verify).
ENGINE_EVENTS = (OPEN_EVENT, CORRECTION_EVENT, RECOMPUTE_EVENT)


def _not_finite(value: Any) -> float | None:
    """The first number in ``value`` (a list's or mapping's, at any depth) that is NaN or an
    infinity, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else value
    if isinstance(value, Mapping):
        value = value.values()
    elif isinstance(value, str) or not isinstance(value, list | tuple):
        return None
    for item in value:
        if (odd := _not_finite(item)) is not None:
            return odd
    return None


def validate(
    workflow: Workflow,
    known_guards: Iterable[str] | None = None,
    known_effects: Iterable[str] | None = None,
    source: str | None = None,
) -> None:
    """Raise :class:`WorkflowLoadError` naming the first thing wrong with ``workflow``, after
    ``source`` (default: the workflow's own)."""
    src = source or workflow.source

    def fail(item: str, problem: str) -> NoReturn:
        raise WorkflowLoadError(f"{src}: {item}: {problem}")

    names = [s.name for s in workflow.states]
    for name in names:
        if names.count(name) > 1:
            fail(f"state {name!r}", "defined more than once")
    known_states = set(names)
    finals = workflow.final_states
    if workflow.initial not in known_states:
        fail("workflow.initial", f"unknown state {workflow.initial!r}")
    guards = set(known_guards) if known_guards is not None else None
    effects = set(known_effects) if known_effects is not None else None
    for t in workflow.transitions:
        item = f"transition {t.event!r}"
        if t.event in ENGINE_EVENTS:
            fail(item, f"{t.event!r} is an event doudi records itself "
                       f"({', '.join(ENGINE_EVENTS)}): a step is named otherwise")
        if not t.sources:
            fail(item, "has no source state")
        if not isinstance(t.after_closing, bool):
            fail(item, f"after_closing must be true or false, not {t.after_closing!r}")
        if t.after_closing and t.dest is not None:
            fail(item, "is after_closing: it must leave the case where it is (no dest)")
        for s in t.sources:
            if s not in known_states:
                fail(item, f"unknown source state {s!r}")
            if s in finals and not t.after_closing:
                fail(item, f"leaves final state {s!r}")
            if s not in finals and t.after_closing:
                fail(item, f"is after_closing, but {s!r} is not a final state")
        if t.dest is not None and t.dest not in known_states:
            fail(item, f"unknown destination state {t.dest!r}")
        if guards is not None:
            for g in t.guards:
                if g not in guards:
                    fail(item, f"unknown guard {g!r} (known: {', '.join(sorted(guards))})")
        if effects is not None:
            for e in t.effects:
                if e not in effects:
                    fail(item, f"unknown effect {e!r} (known: {', '.join(sorted(effects))})")
    reachable = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        state = frontier.pop()
        for t in workflow.transitions:
            if state in t.sources and t.dest is not None and t.dest not in reachable:
                reachable.add(t.dest)
                frontier.append(t.dest)
    for name in names:
        if name not in reachable:
            fail(f"state {name!r}", f"unreachable from the initial state {workflow.initial!r}")
    events = set(workflow.events)
    for o in workflow.opens:
        if o.event not in events:
            fail(f"opens {o.workflow!r}", f"names event {o.event!r}, which no transition has")
    spec: AttributeSpec | None  # (each declared; below, the one a variant's when names)
    for spec in workflow.attributes.values():
        if spec.type not in ATTRIBUTE_TYPES:
            fail(f"attribute {spec.name!r}", f"type {spec.type!r} is not one of "
                 f"{', '.join(ATTRIBUTE_TYPES)}")
    for p in workflow.parameters.values():
        # (a blank one, "   ", was taken, and every due date it set cited nothing)
        if not is_text(p.citation):
            fail(f"parameter {p.name!r}", "has no citation" if p.citation in (None, "") or
                 isinstance(p.citation, str) else f"has no citation (the clause that sets it, "
                 f"as text, not {p.citation!r})")
        # (TOML reads nan and inf, and a plugin's Python may hold them: a count of nan let any
        # number of 补正 notices pass, a comparison with it being false whatever it is, and
        # one in a phase-out surfaced only when an event used it, as a county's NaN once did)
        if (odd := _not_finite(p.value)) is not None:
            fail(f"parameter {p.name!r}", f"{spelled(odd)} is not a finite number")
        if p.name == PAYMENT_START and p.value != NEXT_MONTH:
            fail(f"parameter {p.name!r}", _payment_start_problem("its value", p.value))
        if p.bounds is not None:
            # (bounds on a duration ended `parameter set` in a traceback comparing text with
            # numbers; a value outside its own bounds, or bounds the wrong way round, were kept)
            bounds = p.bounds
            if not (isinstance(bounds, tuple | list) and len(bounds) == 2
                    and all(is_number(b) for b in bounds) and bounds[0] <= bounds[1]):
                fail(f"parameter {p.name!r}", f"bounds {bounds!r} are not (least, greatest), "
                     "two numbers")
            elif not is_number(p.value):
                fail(f"parameter {p.name!r}", f"bounds are for a number, not {p.value!r}")
            elif not bounds[0] <= p.value <= bounds[1]:
                fail(f"parameter {p.name!r}", f"{p.value!r} is not from {bounds[0]:g} to "
                     f"{bounds[1]:g}, its bounds")
    rules = [d.rule for d in workflow.deadlines]
    for d in workflow.deadlines:
        item = f"deadline {d.rule!r}"
        if rules.count(d.rule) > 1:
            fail(item, "defined more than once")
        if d.severity not in SEVERITIES:
            fail(item, f"severity {d.severity!r} is not one of {', '.join(SEVERITIES)}")
        if d.kind not in KINDS:
            fail(item, f"kind {d.kind!r} is not one of {', '.join(KINDS)}")
        if not d.starts:
            fail(item, "has no starting event")
        if not isinstance(d.overlaps, bool):
            fail(item, f"overlaps must be true or false, not {d.overlaps!r}")
        if d.subject is not None and not d.overlaps:
            fail(item, "a subject tells overlapping deadlines apart: it needs overlaps = true")
        if not isinstance(d.variants_from_next, bool):
            fail(item, f"variants_from_next must be true or false, not {d.variants_from_next!r}")
        if d.variants_from_next and not d.variants:
            fail(item, "variants_from_next says when a variant's period applies: it needs variants")
        listed = [*d.stops, *d.pauses, *d.resumes]
        listed += [e for x in d.extensions for e in x.events]
        listed += [e for e in d.starts if e != OPEN_EVENT]
        for event in listed:
            if event not in events:
                fail(item, f"names event {event!r}, which no transition has")
        if bool(d.pauses) != bool(d.resumes):
            fail(item, "pauses and resumes must be given together")
        for when in filter(None, [d.when, *(v.when for v in d.variants)]):
            # ("remote=" or "level=|县级" matched no case: the rule or variant never applied)
            name, equals, values = when.partition("=") if isinstance(when, str) else ("", "", "")
            # (" level" or "省级| 市级": a space the attribute's name or value never has)
            if not name.strip() or name != name.strip() or (equals and not all(
                    v.strip() and v == v.strip() for v in values.split("|"))):
                fail(item, f"when {when!r} is not an attribute's name (true), or name=value "
                           "(alternatives value|value)")
            # (a Variant("remote", …) on an attribute no one declared took remote=yes, or a
            # misspelt "remtoe", without a word, and the case got the ordinary period)
            spec = workflow.attributes.get(name)
            if spec is None:
                fail(item, f"when {when!r} names attribute {name!r}, which the workflow does not "
                           "declare (a province declares its own with add_attributes)")
            if equals and spec.type == "bool":
                fail(item, f"when {when!r}: {name!r} is true or false, named alone for true "
                           f"(when = {name!r})")
            if not equals and spec.type != "bool":
                fail(item, f"when {when!r}: {name!r} is not true or false ({spec.type}): "
                           "name=value (alternatives value|value)")
            outside = [v for v in values.split("|") if spec.choices and v not in spec.choices]
            if equals and outside:
                fail(item, f"when {when!r}: {outside[0]!r} is not one of {name!r}'s choices "
                           f"({'、'.join(spec.choices)})")
        params = [d.param, *(v.param for v in d.variants), *(x.param for x in d.extensions)]
        for param in filter(None, params):
            if param not in workflow.parameters:
                fail(item, f"names parameter {param!r}, which is not defined")
            try:
                Duration.parse(workflow.parameters[param].value)
            except ValueError as exc:
                fail(f"parameter {param!r}", str(exc))
