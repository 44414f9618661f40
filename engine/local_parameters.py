"""Parameters a county sets for itself, on top of its province's (rules.md §5).

The seeds leave some values to the locality: the step deadlines, whether the county has
delegated confirmation to the townships, the publicity channels, Jiangsu's employment-cost
share and its phase-out length at ≥ 2 × the standard. A county's choice is data, not code:
an operator records it with the document that decided it (``doudi parameter set``), and it
is stored in the case database as evidence, next to the cases it governs. Settings are
only ever appended and take effect from the date decided: on a given date the latest one
decided by then wins, and a setting without a value returns the parameter to the
province's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import attrs
from attrs import frozen

from engine.arguments import finite_float, not_json
from engine.errors import DamagedRecord, InvalidInput, WorkflowLoadError
from engine.integrity import SETTING_HASHED, row_altered
from engine.periods import Duration, stored_date
from engine.read_only import read_only, writable
from engine.workflow import (
    DELEGATION,
    Parameter,
    Workflow,
    always_delegating,
    is_duration,
    value_problem,
)

#: The key of a place's overrides: (province, workflow, county).
Place = tuple[str, str, str]

#: A stored value as doudi writes it now: NaN or Infinity (or 1e999, read as infinity) is
#: no value of a parameter, and was taken before 2026-11-23; the workflow then refused it as
#: if the province's own files held it, and ``audit verify`` did not name it.
_VALUE = json.JSONDecoder(parse_constant=not_json, parse_float=finite_float)


@frozen
class LocalSetting:
    """One recorded setting of a county parameter; ``value`` None: the province's again.

    A list in ``value`` is read-only (:mod:`engine.read_only`): an engine keeps the settings
    in force and gives them out (:meth:`Engine.parameter_settings`); ``to_json`` copies it.
    """

    province: str
    county: str
    workflow: str
    name: str
    value: Any = attrs.field(converter=read_only)
    citation: str
    on: date
    actor: str | None = None
    recorded_at: str | None = None
    #: The row's id, as ``audit verify`` names it (None: not stored, or not read back). Not
    #: part of what the setting says: a setting equals the same one before it was stored.
    id: int | None = attrs.field(default=None, eq=False)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> LocalSetting:
        what = f"setting {row.get('name')!r} of county {row.get('county')!r} ({row.get('province')})"
        try:
            value = None if row["value"] is None else _VALUE.decode(row["value"])
        except (json.JSONDecodeError, TypeError) as exc:  # (no JSON text: changed by hand)
            raise DamagedRecord.of(what, exc) from None
        except ValueError as exc:  # (NaN, Infinity: a number that is not finite)
            raise DamagedRecord.of(what, exc, " or recorded before 2026-11-23") from None
        try:
            for field in _NAMED:  # (doudi records none blank, none with spaces around it)
                _named(row, field)
            return cls(row["province"], row["county"], row["workflow"], row["name"], value,
                       row["citation"] or "", stored_date(row["on"]), row["actor"],
                       row["recorded_at"], row.get("id"))
        except (ValueError, TypeError) as exc:
            raise DamagedRecord.of(what, exc) from None

    def to_row(self) -> dict[str, Any]:
        return {
            "province": self.province, "county": self.county, "workflow": self.workflow,
            "name": self.name,
            "value": None if self.value is None else json.dumps(self.value, ensure_ascii=False),
            "citation": self.citation, "on": self.on.isoformat(), "actor": self.actor,
        }

    def parameter(self, title: str = "") -> Parameter:
        """The setting as the workflow parameter it overrides."""
        return Parameter(self.name, self.value, self.citation, title)

    def to_json(self) -> dict[str, Any]:
        return {"province": self.province, "county": self.county, "workflow": self.workflow,
                "name": self.name, "value": writable(self.value), "citation": self.citation,
                "on": self.on.isoformat(), "actor": self.actor,
                "recorded_at": self.recorded_at}


#: The columns that say whose setting a row is and of what.
_NAMED = ("province", "workflow", "county", "name")


def _named(row: Mapping[str, Any], field: str) -> str:
    """The row's ``field`` (one of :data:`_NAMED`), or a ValueError where it is no name doudi
    records: not text, blank, or with spaces around it (changed by hand)."""
    text = row.get(field)
    if not isinstance(text, str):
        raise TypeError(f"its {field} is {type(text).__name__}, not text")
    if not text.strip() or text != text.strip():
        raise ValueError(f"its {field} is {text!r}: blank, or with spaces around it")
    return text


def checked(workflow: Workflow, setting: LocalSetting) -> Parameter:
    """The setting as a parameter of ``workflow`` (the province's effective one), its value
    as it is to be stored (a duration written the engine's way), or an :class:`InvalidInput`
    saying what is wrong with it."""
    where = f"{setting.workflow} parameter {setting.name!r}"
    current = workflow.parameters.get(setting.name)
    removed = workflow.removed_parameters.get(setting.name)
    if current is None and removed is not None:
        raise InvalidInput(f"{where} does not apply in {setting.province}: {removed} removes it "
                           "with the step it governed, so a county's value would govern nothing")
    if current is None:
        raise InvalidInput(f"workflow {setting.workflow!r} has no parameter {setting.name!r} "
                           f"(parameters: {', '.join(sorted(workflow.parameters))})")
    if not current.local:
        settable = sorted(p.name for p in workflow.parameters.values() if p.local)
        raise InvalidInput(f"{where} is not left to the locality ({current.citation} sets it); "
                           f"a county may set: {', '.join(settable) or 'none'}")
    if not setting.citation.strip():
        why = "the document and clause that set it"
        raise InvalidInput(f"{where} needs its basis (citation: {why})",
                           command_line=f"{where} needs its basis (--basis: {why})")
    duration = setting.name in workflow.duration_parameters or is_duration(current.value)
    # (the rules a plugin's override of it is held to too: one place for both)
    problem = value_problem(where, setting.value, current, "the province's", duration)
    if problem is not None:
        raise InvalidInput(problem)
    if setting.name == DELEGATION and always_delegating(workflow.parameters) and (
            setting.value != "always"):
        # A province that delegates every case leaves its counties no choice (a county's
        # rule alone: a province's plugin is the province).
        raise InvalidInput(f"{where} is always in {setting.province} "
                           f"({current.citation}): a county cannot set it back")
    parameter = setting.parameter(current.title)
    if isinstance(setting.value, str) and duration:
        # stored as the engine writes it (" 2wd", "2WD" → "2wd")
        parameter = attrs.evolve(parameter, value=str(Duration.parse(setting.value)))
    try:
        workflow.with_parameters([parameter])  # a duration it cannot count, for one
    except WorkflowLoadError as exc:
        raise InvalidInput(f"{where}: {str(exc).split(': ', 2)[-1]}") from None
    return parameter


def with_settings(workflow: Workflow, settings: Iterable[LocalSetting]) -> Workflow:
    """``workflow`` (the province's) with the county's settings in force after ``settings``
    (one place's, in effect order) on top.

    A stored setting `parameter set` would refuse (:func:`checked`: a value that breaks a rule
    of its parameter, a blank basis, a parameter the province does not leave to counties, a
    county undoing the delegation of a province that always delegates; a row changed outside
    doudi, or one recorded before doudi held settings to that rule) is a
    :class:`DamagedRecord` naming the setting and how to put it right: before, a value's
    error blamed the workflow's file ("workflows/dibao.toml: parameter …"), which is fine,
    and the other rules were not checked at all (such a row silently applied)."""
    local = in_force(governing(workflow, settings))
    if not local:
        return workflow
    for setting, problem in _broken_in(workflow, local.values()):
        current = workflow.parameters.get(setting.name)
        raise broken(setting, problem, current is not None and current.local)
    return workflow.with_parameters(s.parameter() for s in local.values())


def governing(workflow: Workflow, settings: Iterable[LocalSetting]) -> list[LocalSetting]:
    """One place's ``settings`` (in effect order) less those of parameters its province's
    patches removed (``Workflow.removed_parameters``: recorded before doudi refused them).
    Those govern nothing and break no rule: the cases, `workflow show --county`, `parameter
    list` and `audit verify` leave them aside (`parameter list --history` still lists them,
    as evidence), as `parameter set` now refuses them; `parameter unset` records their
    removal."""
    removed = workflow.removed_parameters
    return [s for s in settings
            if not (s.name in removed and s.name not in workflow.parameters)]


def broken_settings(workflow: Workflow, settings: Iterable[LocalSetting]
                    ) -> list[tuple[LocalSetting, str]]:
    """Each of one place's stored ``settings`` (in effect order) that breaks a rule of its
    parameter on some date it is in force, with what is wrong (``audit verify``); those of a
    parameter the province removed (:func:`governing`) break none."""
    found: dict[int | None, tuple[LocalSetting, str]]  # (by the culprit's id)
    settings, found = governing(workflow, settings), {}
    for count, setting in enumerate(settings, start=1):
        if count < len(settings) and settings[count].on == setting.on:
            continue  # (a day's settings hold together: the last recorded wins)
        for culprit, problem in _broken_in(workflow, in_force(settings[:count]).values()):
            found.setdefault(culprit.id, (culprit, problem))
    return list(found.values())


def superseded_broken(workflow: Workflow, settings: Iterable[LocalSetting]
                      ) -> list[tuple[LocalSetting, str, list[LocalSetting]]]:
    """Each of one place's stored ``settings`` (in effect order) that breaks a rule but was
    superseded on its own date (a setting or removal of its parameter recorded later for it,
    so it was never in force: :func:`broken_settings` does not see it), with what is wrong
    and the settings that superseded it, first recorded first (``audit verify`` names it as
    put right, as it does a row that cannot be read back)."""
    settings, found = governing(workflow, settings), []
    for count, setting in enumerate(settings, start=1):
        later = [s for s in settings[count:] if (s.on, s.name) == (setting.on, setting.name)]
        if not later or setting.value is None:
            continue
        for culprit, problem in _broken_in(workflow, in_force(settings[:count]).values()):
            if culprit.id == setting.id:
                found.append((setting, problem, later))
    return found


def _broken_in(workflow: Workflow, local: Iterable[LocalSetting]
               ) -> Iterator[tuple[LocalSetting, str]]:
    """The settings in force (``local``) that ``workflow`` cannot take, each checked by
    :func:`checked` (the rules `parameter set` holds a setting to: one place for both) and
    added in turn (in effect order) to those taken before it, and what is wrong with each, in
    the words `parameter set` refuses it in."""
    built = workflow
    for setting in sorted(local, key=lambda s: s.on):
        try:
            checked(workflow, setting)
            built = built.with_parameters([setting.parameter()])
        except InvalidInput as exc:
            yield setting, str(exc)
        except WorkflowLoadError as exc:
            where = f"{setting.workflow} parameter {setting.name!r}"
            yield setting, f"{where}: {str(exc).removeprefix(f'{workflow.source}: ')}"


def broken(setting: LocalSetting, problem: str, settable: bool = True) -> DamagedRecord:
    """The error naming a stored ``setting`` that breaks a rule (``problem``); ``settable``
    False: one the county may not set at all (a parameter not left to it), put right only by
    its removal."""
    what = (f"county setting #{setting.id} ({setting.province} {setting.county} "
            f"{setting.workflow} {setting.name}, for {setting.on.isoformat()}, recorded "
            f"{setting.recorded_at}) breaks a rule ({problem}): it was changed outside doudi "
            f"or recorded before doudi held settings to that rule")
    api, command_line = repair(setting.province, setting.county, setting.workflow, setting.name,
                               setting.on, settable)
    error = DamagedRecord(f"{what}; {api}", command_line=f"{what}; {command_line}")
    error.problem = problem
    return error


def repair(province: str, county: str, workflow: str, name: str, on: date,
           settable: bool = True) -> tuple[str, str]:
    """How to put right a stored setting of ``name`` for ``on`` that is damaged, through the
    API and on the command line: a setting (or removal) recorded later for the same place,
    parameter and date wins that day, the damaged row kept as evidence."""
    day = on.isoformat()
    place = f"--province {province} --county {county}" + (
        f" --workflow {workflow}" if workflow != "dibao" else "")
    if not settable:
        again = f"put it right by recording its removal for {day}"
        return (f"{again}: Engine.set_parameter(…, value=None, on={day})",
                f"{again}: doudi parameter unset {name} {place} --on {day} --basis …")
    again = f"put it right by recording its value for {day} again"
    return (f"{again}: Engine.set_parameter(…, on={day}), value None for the province's",
            f"{again}: doudi parameter set {name} VALUE {place} --on {day} --basis …, or "
            f"parameter unset with the same options for the province's")


def read_rows(rows: Iterable[Mapping[str, Any]], voids: Mapping[int, Mapping[str, Any]] | None = None
              ) -> tuple[list[LocalSetting], list[tuple[Mapping[str, Any], DamagedRecord]]]:
    """The stored settings' rows read back: the settings, and each row that cannot be (a NaN
    taken before 2026-11-23, a value changed by hand, or a row that no longer fits its hash:
    :data:`ALTERED`, whatever it holds) with its error, which says how to put it right: for
    an altered row, setting it aside by its id; where the row's place, parameter and date
    can be read, a setting recorded later for them (:func:`superseding`), else setting the
    row aside by its id
    (``doudi parameter void``). ``voids``: the set-asides recorded, by the setting's id (each
    row set aside has its set-aside as ``voided_by`` on its error; rows that can be read back
    are never set aside)."""
    readable, unread = [], []
    for row in rows:
        try:
            if row_altered(row, SETTING_HASHED):
                raise _altered(row)
            readable.append(LocalSetting.from_row(row))
        except DamagedRecord as exc:
            # (an altered row's place, parameter and date may be what was changed: nothing
            # a setting recorded for them could put right)
            key = None if exc.problem == ALTERED else _key(row)
            if key is not None:
                api, command_line = repair(key[0], key[2], key[1], key[3], key[4])
            else:  # (nothing a setting could be recorded for: the row set aside by its id)
                then = "then record what the county decided"
                api = (f"put it right by setting it aside: Engine.void_setting({row['id']}, "
                       f"citation), {then} with Engine.set_parameter")
                command_line = (f"put it right by setting it aside: doudi parameter void "
                                f"{row['id']} --basis …, {then} with parameter set")
            error = DamagedRecord(f"{exc}; {api}", command_line=f"{exc}; {command_line}")
            error.problem = exc.problem
            error.key = key
            error.voided_by = (voids or {}).get(row["id"])
            unread.append((row, error))
    return readable, unread


#: The problem of a setting's row that no longer fits its hash (``audit verify``'s word).
ALTERED = "altered"


def _altered(row: Mapping[str, Any]) -> DamagedRecord:
    """The error naming a stored setting's row that no longer fits its hash (its county,
    date, value or anything else it holds changed outside doudi, or a row added so)."""
    error = DamagedRecord(
        f"county setting #{row['id']} ({row.get('province')} {row.get('county')} "
        f"{row.get('workflow')} {row.get('name')}, as it now reads) was altered: it no longer "
        "fits its hash, so it was changed outside doudi (doudi audit verify lists what was)")
    error.problem = ALTERED
    return error


def _key(row: Mapping[str, Any]) -> tuple[str, str, str, str, date] | None:
    """The place, parameter and date of a stored setting's row (province, workflow, county,
    name, on), or None where they cannot be read (not text, blank, no date)."""
    try:
        # (four names, then a date)
        return (*(_named(row, field) for field in _NAMED), stored_date(row.get("on")))  # type: ignore[return-value]
    except (ValueError, TypeError):
        return None


def superseding(unread: Iterable[tuple[Mapping[str, Any], DamagedRecord]],
                readable: Iterable[LocalSetting]) -> dict[int, LocalSetting]:
    """For each row that cannot be read back (``unread``, from :func:`read_rows`) and has
    been put right, by its id: the setting recorded after it for the same place, parameter
    and date (the first), which wins that day whatever the row held. Settings are never
    deleted: the damaged row stays stored, as evidence, and no longer stops its county."""
    unread = [(row, exc) for row, exc in unread if exc.key is not None]
    if not unread:
        return {}
    later: dict[tuple, list[LocalSetting]] = {}
    for s in readable:
        later.setdefault((s.province, s.workflow, s.county, s.name, s.on), []).append(s)
    found = {}
    for row, exc in unread:
        # (exc.key: not None, kept so above; and each of after has its id)
        after = [s for s in later.get(exc.key, ()) if s.id is not None and s.id > row["id"]]  # type: ignore[arg-type]
        if after:
            found[row["id"]] = min(after, key=lambda s: s.id)  # type: ignore[arg-type,return-value]
    return found


def read_by_place(rows: Iterable[Mapping[str, Any]],
                  voids: Mapping[int, Mapping[str, Any]] | None = None
                  ) -> tuple[dict[Place, list[LocalSetting]], dict[Place, list[DamagedRecord]]]:
    """Every place's readable settings (:func:`by_place`), and, for each place with a row
    that cannot be read back and has not been put right (:func:`superseding`) nor set aside
    (``voids``, by the setting's id), the errors of such rows, first recorded first. One
    damaged row stops its own county's cases of its workflow, not every county's."""
    readable, unread = read_rows(rows, voids)
    repaired = superseding(unread, readable)
    damaged: dict[Place, list[DamagedRecord]] = {}
    for row, exc in unread:
        if row["id"] not in repaired and exc.voided_by is None:
            damaged.setdefault((row["province"], row["workflow"], row["county"]), []).append(exc)
    return by_place(readable), damaged


def repairs(damaged: Iterable[DamagedRecord], name: str, on: date) -> bool:
    """Whether a removal of ``name`` for ``on`` puts right one of a place's ``damaged`` rows
    (a row of that parameter and date that cannot be read back)."""
    return any(e.key is not None and e.key[3:] == (name, on) for e in damaged)


def by_place(settings: Iterable[LocalSetting]) -> dict[Place, list[LocalSetting]]:
    """Every place's settings in the order they take effect: by the date decided, then as
    recorded (so a setting recorded late for an earlier date still counts from that date)."""
    places: dict[Place, list[LocalSetting]] = {}
    for s in settings:
        places.setdefault((s.province, s.workflow, s.county), []).append(s)
    for listed in places.values():
        listed.sort(key=lambda s: s.on)  # (stable: recorded order within a day)
    return places


def in_force(settings: Iterable[LocalSetting]) -> dict[str, LocalSetting]:
    """The settings that hold after ``settings`` (in effect order): a removal drops one."""
    named: dict[str, LocalSetting] = {}
    for s in settings:
        if s.value is None:
            named.pop(s.name, None)
        else:
            named[s.name] = s
    return named


def county_delegation(workflow: Workflow, province: Workflow) -> str | None:
    """The document of the county's ``delegation`` setting where it delegates every case
    of ``workflow`` (the county's, as in force on a date) and ``province`` (its province's)
    does not: the county's value, not the province's, decides that the case is delegated.
    None elsewhere (no county setting, or a province that delegates every case itself)."""
    delegation = workflow.delegating
    if delegation is None or province.delegating is not None:
        return None
    return delegation.citation


def check_removable(settings: Iterable[LocalSetting], name: str, on: date, county: str,
                    workflow: str) -> None:
    """Refuse the removal of ``name`` on ``on`` unless the county has a setting of it in force
    then (``settings``: the place's, in effect order). A removal dated before the setting
    takes effect would be recorded, and change nothing."""
    settings = list(settings)
    if name in in_force(s for s in settings if s.on <= on):
        return
    later = [s for s in settings if s.name == name and s.on > on and s.value is not None]
    hint = f" (its setting takes effect on {later[0].on.isoformat()})" if later else ""
    raise InvalidInput(f"{county} has no {workflow} parameter {name!r} of its own in force on "
                       f"{on.isoformat()} to remove{hint}")
