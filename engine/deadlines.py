"""Deadlines: fold a case's events into its deadlines, and judge them as of a date.

A deadline is derived, never edited: the same events always give the same deadlines, so the
stored rows can be rebuilt by replaying history, and a report for a past date replays only
the events known on that date.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from engine.arguments import spelled
from engine.calendar_data import PROJECTION_BASIS
from engine.errors import DamagedRecord
from engine.periods import (
    CALENDAR_PERIODS,
    DueDate,
    Duration,
    due_date,
    iso_date,
    iso_text,
    last_working_day,
    moved_phrase,
    period_end,
    projection_phrase,
    stored_date,
)
from engine.plain_fields import changed, new_instance, set_fields
from engine.workflow import (
    DELEGATED_BY,
    OPEN_EVENT,
    DeadlineRule,
    Parameter,
    Workflow,
    variant_applies,
)

if TYPE_CHECKING:
    from engine.calendar import OfficialCalendar

RUNNING = None
_RULE_OF = attrgetter("rule")
STATUSES = ("open", "at_risk", "breached", "met", "met_late", "unmet", "cancelled")
#: The statuses of a duty not done by its due date: still running, done late, never done.
LATE = ("breached", "met_late", "unmet")


# (fields in a plain instance dict, filled at once: see engine.plain_fields)
@frozen(slots=False, init=False)
class Deadline:
    """One running or finished deadline of a case; immutable (an event that changes it
    makes a new one)."""

    rule: str
    title: str
    severity: str
    kind: str
    instance: int
    starts_on: date
    duration: str
    due_on: date
    citation: str
    computation: str
    provisional: bool
    param: str
    stopped_on: date | None = None
    stop_event: str | None = None
    outcome: str | None = RUNNING  # met | met_late | unmet | cancelled once stopped
    extended_by: str | None = None
    paused_on: date | None = None
    subject: str | None = None  # whom it is about, where the rule tells starts apart
    # The period's last day when 第203条 moved the due date off it (a day off); None when the
    # due date is that day. A resumed deadline counts the time it had left to this day.
    moved_from: date | None = None
    # Each pause it was resumed from, (the day paused, the day resumed), in order: a period
    # counted again (an extension, a variant) keeps the time each added.
    pauses: tuple[tuple[date, date], ...] = ()

    def __init__(self, rule: str, title: str, severity: str, kind: str, instance: int,
                 starts_on: date, duration: str, due_on: date, citation: str, computation: str,
                 provisional: bool, param: str, stopped_on: date | None = None,
                 stop_event: str | None = None, outcome: str | None = RUNNING,
                 extended_by: str | None = None, paused_on: date | None = None,
                 subject: str | None = None, moved_from: date | None = None,
                 pauses: tuple[tuple[date, date], ...] = ()) -> None:
        set_fields(self, "__dict__", {
            "rule": rule, "title": title, "severity": severity, "kind": kind,
            "instance": instance, "starts_on": starts_on, "duration": duration,
            "due_on": due_on, "citation": citation, "computation": computation,
            "provisional": provisional, "param": param, "stopped_on": stopped_on,
            "stop_event": stop_event, "outcome": outcome, "extended_by": extended_by,
            "paused_on": paused_on, "subject": subject, "moved_from": moved_from,
            "pauses": pauses})

    @property
    def running(self) -> bool:
        return self.outcome is RUNNING

    def passed(self, on: date) -> bool:
        """A running duty already breached on ``on``: its due date is before it (a pause
        that began by the due date stopped the clock)."""
        return (self.kind == "duty" and self.outcome is RUNNING and self.due_on < on
                and (self.paused_on is None or self.paused_on > self.due_on))

    def ended_by(self, event: str, on: date) -> Deadline:
        """Stopped without being done, its case closed: ``unmet`` if it was already breached
        (the breach stays on record), else ``cancelled``."""
        return _stopped(self, on, event, "unmet" if self.passed(on) else "cancelled")

    def status(self, as_of: date, calendar: OfficialCalendar, window: int = 3) -> str:
        """One of :data:`STATUSES` on ``as_of``."""
        if self.outcome is not RUNNING and self.stopped_on is not None and self.stopped_on <= as_of:
            return self.outcome
        if self.kind == "window":
            return "met" if as_of > self.due_on else "open"
        if self.paused_on is not None and self.paused_on <= self.due_on:
            return "open"  # (its clock stopped before the due date: resumed, the date moves)
        if as_of > self.due_on:
            return "breached"
        if calendar.working_days_between(as_of, self.due_on) <= window:
            return "at_risk"
        return "open"

    def overdue_working_days(self, as_of: date, calendar: OfficialCalendar) -> int:
        """Working days after the due date up to and including ``as_of`` (or the late stop)."""
        end = as_of
        if self.stopped_on is not None and self.stopped_on <= as_of:
            end = self.stopped_on
        return calendar.working_days_between(self.due_on, end)

    def to_row(self, case_id: str) -> dict:
        # A copy of the fields (in their order, then the case), its dates as text: this runs
        # for every deadline an event writes.
        row = self.__dict__.copy()
        row["starts_on"], row["due_on"] = iso_text(row["starts_on"]), iso_text(row["due_on"])
        # (as stored: 0 or 1; a bool would cost sqlite3 an adapter look-up, see store._MOSTLY_NULL)
        row["provisional"] = int(row["provisional"])
        if row["stopped_on"]:
            row["stopped_on"] = iso_text(row["stopped_on"])
        if row["paused_on"]:
            row["paused_on"] = iso_text(row["paused_on"])
        if row["moved_from"]:
            row["moved_from"] = iso_text(row["moved_from"])
        row["pauses"] = pauses_text(row["pauses"])
        row["case_id"] = case_id
        return row

    @classmethod
    def from_row(cls, row: Mapping) -> Deadline:
        return cls.from_stored([*(row[name] for name in FIELDS), row.get("case_id")])

    @classmethod
    def from_stored(cls, values: Sequence) -> Deadline:
        """The deadline from its row's values in :data:`FIELDS`' order then its case's id
        (named when they cannot be read). Every case read is read through here: the cursor's
        tuple, not a dict a row."""
        (rule, title, severity, kind, instance, starts_on, duration, due_on, citation,
         computation, provisional, param, stopped_on, stop_event, outcome, extended_by,
         paused_on, subject, moved_from, pauses, case_id) = values
        try:
            # (each date read in the columns' order, then the two every deadline has checked:
            # a row with more than one thing wrong is named by the first, as it always was)
            starts_on = stored_date(starts_on) if starts_on else None
            due_on = stored_date(due_on) if due_on else None
            stopped_on = stored_date(stopped_on) if stopped_on else None
            paused_on = stored_date(paused_on) if paused_on else None
            moved_from = stored_date(moved_from) if moved_from else None
            pauses = stored_pauses(pauses) if pauses else ()
            if starts_on is None:
                raise ValueError("starts_on is empty")
            if due_on is None:
                raise ValueError("due_on is empty")
            # (deadlines are matched and sorted by rule and instance; the duration is shown)
            if type(rule) is not str:
                raise TypeError(f"rule is {rule!r}, not text")
            if type(instance) is not int:
                raise TypeError(f"instance is {instance!r}, not a whole number")
            if type(duration) is not str:
                raise TypeError(f"duration is {duration!r}, not text")
        except (ValueError, TypeError) as exc:
            raise DamagedRecord.of(f"deadline {rule!r} of case {case_id!r}", exc) from None
        # (its fields set at once, in their order, as __init__ sets them: not called, its
        # twenty arguments passed again cost about a fifth of a deadline read back)
        deadline = new_instance(cls)
        set_fields(deadline, "__dict__", {
            "rule": rule, "title": title, "severity": severity, "kind": kind,
            "instance": instance, "starts_on": starts_on, "duration": duration,
            "due_on": due_on, "citation": citation, "computation": computation,
            "provisional": bool(provisional), "param": param, "stopped_on": stopped_on,
            "stop_event": stop_event, "outcome": outcome, "extended_by": extended_by,
            "paused_on": paused_on, "subject": subject, "moved_from": moved_from,
            "pauses": pauses})
        return deadline


def pauses_text(pauses: tuple[tuple[date, date], ...]) -> str | None:
    """A deadline's pauses as stored: ``PAUSED/RESUMED`` each (ISO 8601's interval), joined by
    ``;``; None for none."""
    if not pauses:
        return None
    return ";".join(f"{iso_text(paused)}/{iso_text(resumed)}" for paused, resumed in pauses)


def stored_pauses(text: Any) -> tuple[tuple[date, date], ...]:
    """The pauses :func:`pauses_text` stored (a ValueError or TypeError for anything else)."""
    if type(text) is not str:
        raise TypeError(f"pauses is {text!r}, not text")
    pauses = []
    for pause in text.split(";"):
        paused, slash, resumed = pause.partition("/")
        if not slash:
            raise ValueError(f"pauses {text!r} are not PAUSED/RESUMED (YYYY-MM-DD/YYYY-MM-DD, "
                             "';' between)")
        pauses.append((stored_date(paused), stored_date(resumed)))
    return tuple(pauses)


#: A deadline's fields, in order: the columns its row is read by.
FIELDS = tuple(f.name for f in attrs.fields(Deadline))
#: What a stopped deadline keeps through ``recompute`` (issue 7: it re-derives the OPEN
#: deadlines): how it was counted and judged under the calendar data and parameters in force
#: then, its due date and outcome first, with the clause that gave its period (citation: a
#: county's 7 working days cited for a date counted by the 3 of 57号 第15条 is not the clause
#: behind that date). Its name and wording (rule, instance, title, subject) follow the
#: version, as a running one's do.
KEPT_FIELDS = tuple(f for f in FIELDS if f not in ("rule", "instance", "title", "subject"))


def kept_when_stopped(stored: Sequence[Deadline], fresh: Sequence[Deadline]
                      ) -> tuple[list[Deadline], list[list]]:
    """``fresh`` (re-derived from a case's history) with each deadline that was stopped as
    ``stored``, that the history still stops on the same day by the same event, and whose due
    date the rules now move, kept as it was counted and judged (:data:`KEPT_FIELDS`); and what
    was kept: [rule, instance, {field: stored value as its row holds it}] for each, as the
    ``recompute`` event records it (``kept``) for a replay to keep it too (:func:`with_kept`).
    A re-derived due date rewriting a deadline met, met late or ended would rewrite what
    happened: met on time turned late, or a breach undone, in the reports of the past. One
    whose due date stays is re-derived: an upgrade that judges it otherwise on the same date
    (a breach its case closed on is ``unmet``, not ``cancelled``) puts it right."""
    stopped = {(d.rule, d.instance): d for d in stored if d.outcome is not RUNNING}
    if not stopped:
        return list(fresh), []
    result, kept = [], []
    for new in fresh:
        old = stopped.get((new.rule, new.instance))
        if (old is not None and new.outcome is not RUNNING and old.due_on != new.due_on
                and (old.stopped_on, old.stop_event) == (new.stopped_on, new.stop_event)):
            # Every field it keeps, not only those that differ now: a replay puts them all
            # back, so a later recompute under other rules (a second calendar notice, another
            # county setting) cannot mix the kept due date with an outcome judged by another
            # (due 03-06, stopped 03-12, and "met").
            row = old.to_row("")  # (its dates as text; provisional true or false)
            kept.append([new.rule, new.instance, {
                f: bool(row[f]) if f == "provisional" else row[f] for f in KEPT_FIELDS}])
            new = changed(new, **{f: getattr(old, f) for f in KEPT_FIELDS})
        result.append(new)
    return result, kept


def with_kept(deadlines: list[Deadline], kept: Any, later: bool = False) -> list[Deadline]:
    """``deadlines`` with what a ``recompute`` event's ``kept`` holds put back on the stopped
    deadlines it names (:func:`kept_when_stopped`): a replay of the history gives the stored
    rows, so ``audit verify`` still checks them. A replay as of a date before the ``recompute``
    event is given its ``kept`` too (``later``): a deadline stopped by then as it was when
    recomputed (the same day, the same event) was judged so then, and a report of that date
    must not judge it by the rules the recompute did not apply to it.

    A ``kept`` that cannot be read so (its event's data changed outside doudi) is a
    ValueError, which the caller names with its event."""
    if not kept:
        return deadlines
    fields = kept_fields(kept)
    result = []
    for d in deadlines:
        values = fields.get((d.rule, d.instance))
        if values is not None and d.outcome is not RUNNING and (
                not later or _stopped_as_kept(d, values)):
            d = _with_values(d, values)
        result.append(d)
    return result


def _stopped_as_kept(d: Deadline, values: Mapping[str, Any]) -> bool:
    """Whether ``d`` was stopped on the day and by the event a ``recompute`` event kept of it
    (``values``, as its row holds them): the stop it was judged at."""
    return ((values.get("stopped_on"), values.get("stop_event"))
            == (d.stopped_on and iso_text(d.stopped_on), d.stop_event))


def _with_values(d: Deadline, values: Mapping[str, Any]) -> Deadline:
    """``d`` with the fields a ``recompute`` event kept of it (``values``, as its row holds
    them) put back; a ValueError naming it where one cannot be read."""
    try:
        return Deadline.from_row({**d.to_row(""), **values})
    except DamagedRecord as exc:
        raise ValueError(f"kept {d.rule} #{d.instance}: {exc.problem}") from None


def kept_fields(kept: Any) -> dict[tuple[str, int], dict[str, Any]]:
    """A ``recompute`` event's ``kept`` by rule and instance: {field: value kept}; a
    ValueError if it cannot be read so (its event's data changed outside doudi)."""
    try:
        return {(rule, instance): dict(values) for rule, instance, values in kept or ()}
    except (TypeError, ValueError):
        raise ValueError(f"kept is {spelled(kept, 60)}, not [rule, instance, "
                         "{field: value, ...}] lists") from None


#: How a stopped deadline ``recompute`` kept was counted (of :data:`KEPT_FIELDS`), as
#: against what happened to it (its stop and outcome, an extension, a pause): what it had
#: on a date it still ran, as :func:`counted_as_kept` gives it.
COUNTED_FIELDS = ("severity", "kind", "duration", "due_on", "citation", "computation",
                  "provisional", "param", "moved_from")


def counted_as_kept(running: Deadline, at_stop: Deadline | None, values: Mapping[str, Any]
                    ) -> Deadline:
    """``running``, a deadline as it ran on a date before a ``recompute`` kept it stopped
    (``values``, its kept), counted as it was judged (:data:`COUNTED_FIELDS`) where nothing
    between that date and its stop changed its period: the rules now give it, at its stop
    (``at_stop``: the history up to that recompute event worked out again), the start,
    duration and due date it ran with on that date, no extension or pause since. Its due
    date was then the one it was judged by: a report of that date must not undo the breach
    it was met late after, nor breach one met on time (:func:`with_kept`'s ``later``, for a
    date it had stopped by). Else, or if it is not the deadline kept (another start, another
    stop), or was kept with another parameter's period than it runs with then (a variant
    it took later, under the rules that judged it), it is as the rules now give it. A value
    that cannot be read is a ValueError."""
    if at_stop is None or at_stop.outcome is RUNNING or not _stopped_as_kept(at_stop, values) or (
            (iso_text(running.starts_on), running.param)
            != (values.get("starts_on"), values.get("param"))):
        # (another parameter named: its period was a variant's by its stop, one it may not
        # have had yet, as a re-check a version before 406f335 counted again from its start)
        return running
    period = ("starts_on", "duration", "due_on", "extended_by", "paused_on", "pauses",
              "moved_from")
    if any(getattr(at_stop, f) != getattr(running, f) for f in period):
        return running
    return _with_values(running, {f: values[f] for f in COUNTED_FIELDS if f in values})


def _duration_for(
    rule: DeadlineRule, params: Mapping[str, Parameter], attributes: Mapping[str, Any]
) -> Parameter:
    if not rule.variants:
        return params[rule.param]
    for variant in rule.variants:
        if variant_applies(variant.when, params, attributes):
            param = params[variant.param]
            by = attributes.get(DELEGATED_BY) if variant.when == "delegated" else None
            if isinstance(by, str) and by not in param.citation:
                # A county's document delegated the case (recorded by the event that found
                # it so): its period is cited with the clause that leaves the delegation to
                # the county, then that document. One recorded before doudi named it has none.
                param = attrs.evolve(param, citation=f"{param.citation}；{by}")
            return param
    return params[rule.param]


def _start_date(rule: DeadlineRule, on: date, payload: Mapping[str, Any]) -> date:
    if rule.start_from is None:
        return on
    value = payload.get(rule.start_from)
    try:
        return iso_date(value)  # (a date, or its stored text: 20260306 is none)
    except ValueError as exc:  # (checked when recorded: a stored event's data changed)
        raise ValueError(f"{rule.start_from}: {exc}") from None


def apply_event(
    deadlines: list[Deadline],
    workflow: Workflow,
    event: str,
    on: date,
    calendar: OfficialCalendar,
    attributes: Mapping[str, Any],
    closes_case: bool,
    payload: Mapping[str, Any] | None = None,
    rules: tuple[DeadlineRule, ...] | None = None,
    before: Mapping[str, Any] | None = None,
) -> list[Deadline]:
    """The deadlines after ``event`` on ``on``: stops, extensions, pauses, starts, closing.

    ``attributes`` are the case's attributes after the event (variants read them), and
    ``before`` those it found (None: taken as different, every variant judged again; the
    very ``attributes``: the same, none judged again);
    ``payload`` the event's data (``start_from`` reads it); ``rules``: the workflow's
    ``rules_for(event)``, when the caller has them. ``deadlines`` is left as it was:
    the deadlines the event changes are new objects in the result, the others the same.
    """
    params = workflow.parameters
    # Deadlines are immutable: a changed one is a new object in the result (plain_fields.
    # changed), so the caller's list is left as it was, and untouched ones stay the very same
    # objects (the store writes only those that are not).
    result = list(deadlines)

    # Where each rule the event acts on has its running deadlines, and how many it has had.
    # A rule's deadlines are numbered 1, 2, … as they start. Starting one ends the one running
    # (unless the rule ``overlaps``), so its last deadline holds the count and is the only one
    # that can be running. The last is found from the end with list.index, not a Python loop
    # over them all: a case's deadlines grow with its history (each re-check starts the next
    # one). An overlapping rule's running ones are all looked for: such rules are rare events
    # (a member's death), so there are few.
    if before is attributes:
        # (the event changed no attribute: a rule it acts on only for its variants keeps its
        # deadlines as they are, and is not gone through)
        rules = workflow.rules_naming(event)
    elif rules is None:
        rules = workflow.rules_for(event)
    running_at: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    if rules and result:
        names = list(map(_RULE_OF, reversed(result)))
        for rule in rules:
            if rule.rule not in names:
                continue  # none yet (tested first: a ValueError from index costs more)
            at = len(result) - 1 - names.index(rule.rule)
            counts[rule.rule] = result[at].instance
            if rule.overlaps:
                running_at[rule.rule] = [i for i, d in enumerate(result)
                                         if d.rule == rule.rule and d.outcome is RUNNING]
            elif result[at].outcome is RUNNING:
                running_at[rule.rule] = [at]
    for rule in rules:  # each rule once: only its own deadlines change
        running = running_at.get(rule.rule, [])
        satisfied: date | None = None  # the last day of the calendar period a stop met
        if running and event in rule.stops:
            for at in running:
                # Done while paused (its clock stopped by its due date), it is not late: the
                # due date was to move when it resumed, and it was 'open', not breached.
                paused = result[at].paused_on
                met = on <= result[at].due_on or (paused is not None
                                                  and paused <= result[at].due_on)
                result[at] = _stopped(result[at], on, event, "met" if met else "met_late")
                if met:
                    satisfied = _period_last_day(result[at])
            running = []
        for at in running:
            if rule.variants and not rule.variants_from_next \
                    and result[at].extended_by is None and before is not attributes:
                # The attribute a variant reads changed (e.g. delegated): the due date follows,
                # even once it has passed. The attribute is a fact about the case, and one
                # recorded wrongly is put right so (case correct changes no deadline). Only the
                # event's data moves it: a county's setting decided since the deadline started
                # (delegation) leaves it under the rule then in force, as it leaves a step
                # deadline (its parameters are judged alike before and after the event). A
                # rule whose variants apply from the next deadline (variants_from_next: a
                # re-check's frequency) keeps the running one as it started.
                param = _duration_for(rule, params, attributes)
                if param.name != result[at].param and (
                        before is None or _duration_for(rule, params, before).name != param.name):
                    # (a first period counted from the opening stays the period it opened in)
                    counted = _period(param.value, Duration.parse(
                        result[at].duration, own_period=True).count == 0)
                    result[at] = changed(result[at], **_recounted(
                        calendar, param, result[at], counted))
            if result[at].passed(on):
                # Breached already: no extension moves its due date, and no pause stops it.
                # An extension is decided within the time limit it extends (57号 第22条
                # "可以延长至45个工作日"), and the breach stays on record.
                continue
            if rule.kind == "duty":
                extension = None
                for x in rule.extensions:
                    if event in x.events:
                        extension = x
                        break
                if extension is not None:
                    result[at] = changed(result[at], extended_by=event, **_recounted(
                        calendar, params[extension.param], result[at]))
                if event in rule.pauses and result[at].paused_on is None:
                    result[at] = changed(result[at], paused_on=on)
                elif event in rule.resumes and result[at].paused_on is not None:
                    result[at] = changed(result[at], **_resumed(result[at], calendar, on))
        if event in rule.starts and (rule.when is None
                                     or variant_applies(rule.when, params, attributes)):
            given = (payload or {}).get(rule.subject) if rule.subject else None
            subject = None if given is None else str(given)
            for at in running:
                # Started again (e.g. a second 公示): the old one ends. An overlapping rule's
                # runs on, unless it is about the same subject (the same death recorded again).
                # Replaced, not left undone: cancelled even if it had run out (the same death
                # recorded again puts its date right).
                if not rule.overlaps or (subject is not None and result[at].subject == subject):
                    result[at] = _stopped(result[at], on, event, "cancelled")
            param = _duration_for(rule, params, attributes)
            start = _start_date(rule, on, payload or {})
            if satisfied is not None and satisfied < start:
                # A duty set by frequency ("每季度一次") done in the days 第203条 added after
                # its period (the quarter ended on a Sunday) counts for that period: the next
                # period is the one after it, not the one after the day it was done, which
                # would leave the current period with no comparison. (One done late, after
                # the due date, counts for the period it was done in, as before.)
                start = satisfied
            instance = counts[rule.rule] = counts.get(rule.rule, 0) + 1
            result.append(_begun(rule, param, instance, start, subject, calendar.kept(_started)(
                param.value, start, event == OPEN_EVENT)))
    if closes_case:
        for i, d in enumerate(result):
            if d.outcome is RUNNING and not (d.kind == "window" and d.due_on < on):
                result[i] = d.ended_by(event, on)
    return result


#: A deadline's fields as :func:`_begun` starts from: those a start leaves as they are
#: (running, never stopped, extended or paused) at their defaults, in :data:`FIELDS`' order.
_UNBEGUN = {**dict.fromkeys(FIELDS), "outcome": RUNNING, "pauses": ()}


def _begun(rule: DeadlineRule, param: Parameter, instance: int, start: date, subject: str | None,
           dates: Dates) -> Deadline:
    """The deadline ``rule`` starts on ``start``, counted by ``param`` (its :data:`Dates`).

    Its fields are set in a copy of :data:`_UNBEGUN` rather than given to ``Deadline``: a
    dict of twenty keys written out is built key by key, and the type's call and its
    ``__init__`` of twenty arguments come on top (about 45 % of a deadline started)."""
    fields = _UNBEGUN.copy()
    fields["rule"], fields["title"] = rule.rule, rule.title
    fields["severity"], fields["kind"] = rule.severity, rule.kind
    fields["instance"], fields["starts_on"] = instance, start
    (fields["duration"], fields["due_on"], fields["computation"], fields["provisional"],
     fields["moved_from"]) = dates
    fields["citation"], fields["param"], fields["subject"] = param.citation, param.name, subject
    deadline = new_instance(Deadline)
    set_fields(deadline, "__dict__", fields)
    return deadline


def _stopped(deadline: Deadline, on: date, event: str, outcome: str) -> Deadline:
    """``deadline`` stopped on ``on`` by ``event`` with ``outcome``: :func:`changed` written
    out (no keyword dict gathered and merged), as every stop is one."""
    fields = dict(deadline.__dict__)
    fields["stopped_on"], fields["stop_event"], fields["outcome"] = on, event, outcome
    stopped = new_instance(type(deadline))
    set_fields(stopped, "__dict__", fields)
    return stopped


def _period_last_day(deadline: Deadline) -> date | None:
    """The last day of the calendar period (``cm``, ``cq``) a deadline is for, before 第203条
    moved its due date; None for other periods."""
    duration: object = deadline.duration  # (text, but any value in a row changed by hand)
    # (its text parsed once: asked at every stop met, about 3,500 instructions each through
    # Duration.parse; one that is not text, or not a duration, goes the way it always went)
    duration = (_own_period(duration) if type(duration) is str
                else Duration.parse(duration, own_period=True))
    if duration.unit not in CALENDAR_PERIODS:
        return None
    return period_end(deadline.starts_on, duration)


@functools.lru_cache(maxsize=1024)  # (a deadline's durations are a workflow's few periods)
def _own_period(text: str) -> Duration:
    """A deadline's ``duration`` as :meth:`Duration.parse` reads it (``own_period``)."""
    return Duration.parse(text, own_period=True)


def _period(value: Any, from_opening: bool) -> Duration:
    """A parameter's period (its ``value``). A duty set by frequency ("每季度一次", ``cm``/``cq``)
    is owed in every period, the one its case opens in too: counted from the opening, the first
    is due at the end of that period, not the next (``0cq``)."""
    period = Duration.parse(value)
    if from_opening and period.unit in CALENDAR_PERIODS:
        return period.own_period()
    return period


#: A deadline's fields that follow from its due date: its duration, due date, basis, whether
#: provisional and the day 第203条 moved the due date from (None: not moved).
Dates = tuple[str, date, str, bool, date | None]


def _dates(due: DueDate) -> Dates:
    return (str(due.duration), due.due, due.basis, due.provisional,
            None if due.nominal_end == due.due else due.nominal_end)


# The cases of a place start the same few periods on the same days (an import's, a replay's):
# a started deadline's dates and basis are kept on its calendar (OfficialCalendar.kept), not
# worked out again through :func:`_period` and :func:`due_date` (about 10,000 instructions a
# start).
def _started(calendar: OfficialCalendar, value: Any, start: date, from_opening: bool) -> Dates:
    """A starting deadline's :data:`Dates`, for a parameter's ``value``."""
    return _dates(due_date(calendar, start, _period(value, from_opening)))


def _counted(calendar: OfficialCalendar, param: Parameter, start: date,
             duration: Duration | None = None) -> dict[str, Any]:
    """A deadline's fields that follow from its period (``param``'s, or ``duration``),
    counted from ``start``."""
    counted, due_on, computation, provisional, moved_from = _dates(
        due_date(calendar, start, duration or param.value))
    return {"duration": counted, "due_on": due_on, "citation": param.citation,
            "computation": computation, "provisional": provisional, "param": param.name,
            "moved_from": moved_from}


def _recounted(calendar: OfficialCalendar, param: Parameter, deadline: Deadline,
               duration: Duration | None = None) -> dict[str, Any]:
    """:func:`_counted` for a running ``deadline`` whose period changes (an extension, a
    variant): the new period from its start, then each pause it was resumed from, as the
    resumption moved it (the time the new period had left on the day it was paused, from
    the day it resumed), so that the time a pause added is kept, and its words. A pause on
    a day the new period had already run out by stopped nothing of it (a breached deadline
    is not paused) and moves nothing. The pauses are the deadline's own (``pauses``)."""
    fields = _counted(calendar, param, deadline.starts_on, duration)
    for paused_on, resumed_on in deadline.pauses:
        if fields["due_on"] < paused_on:
            continue
        fields.update(_resumed(changed(deadline, paused_on=paused_on, **fields), calendar,
                               resumed_on))
        del fields["paused_on"]  # (a pause it is in now stays: its words come when it resumes)
    fields["pauses"] = deadline.pauses  # (the same pauses, counted again: none added)
    return fields


def _resumed(deadline: Deadline, calendar: OfficialCalendar, on: date) -> dict[str, Any]:
    """The fields that change when a paused deadline resumes: its due date moves by the time
    spent paused, in the deadline's own unit. A calendar-day or month period's time left runs
    to its own last day, not to the due date 第203条 moved off it (the days between are days
    off the period did not have: paused among them, none is left), and its new last day is
    moved to the next working day when it is not one (民法典第203条), as any such period's.
    A working-day period paused on its due date has none left: it ends on the day it
    resumes, or, that being a day off, on the next working day (第203条), as such a period
    paused on its last day does."""
    paused = deadline.paused_on
    assert paused is not None
    moved = ""
    last_day = None
    if deadline.duration.endswith("wd"):
        remaining = calendar.working_days_between(paused, deadline.due_on)
        if remaining:
            due_on = calendar.add_working_days(on, remaining)
        else:  # (resumed on a Saturday, it was due that Saturday: a day off)
            last_day = on
            due_on = last_working_day(calendar, on)
            moved = moved_phrase(calendar, on, due_on)
    else:
        end = deadline.moved_from or deadline.due_on
        last_day = on + timedelta(days=max(0, (end - paused).days))
        due_on = last_working_day(calendar, last_day)
        moved = moved_phrase(calendar, last_day, due_on)
    computation = (deadline.computation
                   + f"；{paused.isoformat()}中止，{on.isoformat()}恢复，到期日顺延" + moved)
    if PROJECTION_BASIS not in computation:  # (moved into projected days: say so, once)
        computation += projection_phrase(calendar, on, due_on)
    return {
        "due_on": due_on,
        "provisional": calendar.is_provisional(due_on),
        "computation": computation,
        "paused_on": None,
        "moved_from": None if last_day is None or last_day == due_on else last_day,
        "pauses": (*deadline.pauses, (paused, on)),
    }
