"""The registry: provinces, guards, effective workflows, machines and calendars from plugins.

Everything a province decides reaches the engine through here, from the plugin hooks; the
engine itself names no province.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from engine import arguments
from engine.calendar_data import CalendarOverlay, overlay_disagreement
from engine.errors import InvalidInput, PluginError, WorkflowLoadError
from engine.guards import GuardRegistry, NamedRegistry
from engine.plugins import BUILT_IN, described, distribution_of, get_plugin_manager, guarded
from engine.provinces import Province
from engine.workflow import (
    Parameter,
    Workflow,
    WorkflowPatch,
    available_workflows,
    load_workflow,
    unknown_workflow,
    validate,
)

if TYPE_CHECKING:  # imported where used: listing provinces needs neither workalendar nor transitions
    from engine.assessment import Assessment
    from engine.calendar import OfficialCalendar
    from engine.machine import ProcessMachine

#: The workflow whose assessment asks for an exception route (its events take the route).
ROUTE_WORKFLOW = "dibao"
REGISTERING_HOOKS = ("doudi_register_guards", "doudi_register_effects", "doudi_register_provinces")
#: The hooks a province answers once (first answer wins), and the class each answer must be:
#: a wrong one was used further on and failed there, in a traceback naming no plugin.
ANSWERS = {
    "doudi_phaseout_schedule": ("engine.payments", "PhaseOut"),
    "doudi_leave_route": ("engine.default_benefit", "LeaveRoute"),
    "doudi_assessment_rules": ("engine.assessment", "AssessmentRules"),
    "doudi_exception_route": ("engine.default_assessment", "ExceptionRoute"),
    "doudi_place_rules": ("engine.application_place", "PlaceRules"),
}


def _reads(function: Any) -> tuple[str, ...]:
    """The parameters a guard or effect is marked as reading (engine.guards.reads_parameters)."""
    reads = getattr(function, "reads_parameters", ())
    return tuple(reads) if isinstance(reads, tuple | list) else ()


def _reason_or_none(guard, plugin: str, name: str):
    """A guard whose answer is checked: None (allowed) or the reason, as text."""
    def checked(ctx: Any) -> str | None:
        why = guard(ctx)
        # (a blank reason refused the event as "approve refused: ", saying nothing)
        if why is not None and not (isinstance(why, str) and why.strip()):
            raise PluginError(
                f"{described(plugin)} guard {name!r} returned "
                f"{why!r}: a guard returns None to allow, or the reason (text) to refuse")
        return why

    return checked


def _json_outcome(effect, plugin: str, name: str):
    """An effect whose Outcome is checked as it is to be stored: attributes of JSON values (a
    ``date``, not its text, ended the event in the encoder's traceback), sanctions and linked
    openings of their classes (a kind as text failed in the write), an opening's workflow one
    doudi has (it read as the clerk's unknown workflow, exit 2)."""
    from engine.effects import LinkedOpening, Sanction

    if plugin in BUILT_IN:  # (the national rules' own effects: tested with the engine)
        return effect
    workflows = available_workflows()  # (once, not on every event: the files do not change)

    def checked(ctx: Any, outcome: Any) -> None:
        returned = effect(ctx, outcome)
        if returned is not None and returned is not outcome:
            # (an effect written as a function of the case, returning the attributes it
            # decides, changed nothing and said nothing: the event went through without them)
            raise PluginError(
                f"{described(plugin)} effect {name!r} returned {returned!r}, which doudi does "
                f"not use: an effect adds to its outcome (outcome.attributes[NAME] = VALUE, "
                f"outcome.sanctions.append(…)) and returns nothing")
        problem = None
        try:
            if not isinstance(outcome.attributes, dict):
                raise InvalidInput(f"outcome.attributes is {outcome.attributes!r}, not a dict")
            # What the check gives is used: plain lists and dicts of the engine's own, which
            # share nothing with objects the plugin keeps (and may change later).
            outcome.attributes = arguments.json_object(outcome.attributes, "outcome.attributes")
        except InvalidInput as exc:
            problem = str(exc)
        wrong = [s for s in _listed(outcome.sanctions) if not isinstance(s, Sanction)]
        if problem is None and wrong:
            problem = f"outcome.sanctions holds {wrong[0]!r}, not a Sanction"
        wrong = [o for o in _listed(outcome.openings) if not isinstance(o, LinkedOpening)]
        if problem is None and wrong:
            problem = f"outcome.openings holds {wrong[0]!r}, not a LinkedOpening"
        openings = []
        for opening in _listed(outcome.openings) if problem is None else ():
            if opening.workflow not in workflows:
                problem = (f"outcome.openings opens workflow {opening.workflow!r}, which doudi "
                           f"does not have (available: {', '.join(workflows)})")
                break
            try:
                # (the case opened kept the plugin's own lists among its attributes where
                # an import kept it in memory: a plugin's later change to one went into the
                # case's next write, behind its history)
                openings.append(attrs.evolve(opening, attributes=arguments.json_object(
                    opening.attributes, "an opening's attributes")))
            except InvalidInput as exc:
                problem = str(exc)
                break
        if problem is not None:
            raise PluginError(f"{described(plugin)} effect {name!r}: "
                              f"{problem}")
        if openings:
            outcome.openings = openings

    return checked


def _listed(value: Any) -> list:
    """A list of an Outcome (or a tuple a plugin put in its place), or any other value a
    plugin put there as its one item."""
    return list(value) if isinstance(value, list | tuple) else [value]


class Registry:
    """What the installed plugins provide, resolved once and cached."""

    def __init__(self, pm: pluggy.PluginManager | None = None) -> None:
        self.pm = pm or get_plugin_manager()
        self.guards = GuardRegistry()
        self.effects = NamedRegistry("effect")
        self.provinces: dict[str, Province] = {}
        self._workflows: dict[tuple[str, str], Workflow] = {}
        self._machines: dict[tuple[str, str], ProcessMachine] = {}
        self._calendars: dict[tuple[str | None, str | None], OfficialCalendar] = {}
        self._overlay_counties: dict[str, tuple[str, ...]] = {}
        # The first-answer hooks, called as on pluggy's relay (``answers.doudi_…(…)``) but
        # answered through :meth:`answer`: what effects are given as ``ctx.hooks``. Made once:
        # every event's guard context holds it.
        self.answers = _Answers(self)

    def _each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call one hook plugin by plugin, yielding (plugin name, result)."""
        hook = getattr(self.pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):  # registration order
            if impl.hookwrapper or impl.wrapper:  # (observers around a call: they answer nothing)
                continue
            if hook_name in REGISTERING_HOOKS:
                register = self._registrar(hook_name, impl.plugin_name)
                result = impl.function(register=register)
            else:
                result = impl.function(**{name: kwargs[name] for name in impl.argnames})
            yield impl.plugin_name, result

    def answer(self, hook_name: str, **kwargs: Any) -> Any:
        """The first answer to a first-answer hook (:data:`ANSWERS`), as pluggy would pick it,
        checked: from the plugin that registered ``province`` (or a built-in default), and of
        the hook's class; else a :class:`PluginError` naming the plugin."""
        module, kind = ANSWERS[hook_name]
        # Every plugin's answer is checked, not only the first: which answers first follows the
        # order plugins were installed in, and a foreign answer must not depend on it.
        for plugin, result in self._each(hook_name, **kwargs):
            if result is None:
                continue
            self._check_owner(plugin, hook_name, kwargs["province"])
            if not isinstance(result, getattr(importlib.import_module(module), kind)):
                raise PluginError(f"{described(plugin)} returned "
                                  f"{result!r} from {hook_name}, not an instance of {kind}")
            if hook_name == "doudi_exception_route":
                self._check_route_events(plugin, result, kwargs["province"])
        # Then answered through pluggy, as before: hook wrappers and DOUDI_TRACE_PLUGINS see the
        # call (answers are deterministic, so asking twice gives the same one).
        return getattr(self.pm.hook, hook_name)(**kwargs)

    def _check_route_events(self, plugin: str, route: Any, province: str) -> None:
        """An exception route's events are the assessment's workflow's (or ``assess``): a
        misspelt one held every such case back from approval, "approval needs … first", with
        no event to record."""
        events = {*self.workflow(province, ROUTE_WORKFLOW).events, "assess"}
        for field in ("next_event", "approval_after"):
            event = getattr(route, field)
            if event is not None and event not in events:
                raise PluginError(
                    f"{described(plugin)} returned an ExceptionRoute "
                    f"whose {field} is {event!r}, which workflow {ROUTE_WORKFLOW!r} has no "
                    "event of")

    def _check_owner(self, plugin: str, hook_name: str, province: str) -> None:
        """A plugin answers only for the provinces it registered (built-in defaults for all):
        one that forgot ``if province != CODE: return None`` changed another's rules."""
        if plugin in BUILT_IN:
            return
        owner = self.provinces.get(province)
        if owner is None or owner.plugin != plugin:
            registered = f"registered by {owner.plugin!r}" if owner else "not registered"
            raise PluginError(f"{described(plugin)} answered "
                              f"{hook_name} for province {province!r}, {registered}: a plugin "
                              "answers only for its own provinces")

    def _registrar(self, hook_name: str, plugin: str):
        # A plugin's guards and effects run later, inside an event: if one raises, the error
        # names the plugin (engine.plugins.guarded).
        # (what a function reads, marked on it, is kept by name: the wrappers do not carry it)
        if hook_name == "doudi_register_guards":
            return lambda name, function: self.guards.register(
                name, _reason_or_none(guarded(function, plugin, f"guard {name!r}"), plugin, name)
                if callable(function) else function, plugin, _reads(function))
        if hook_name == "doudi_register_effects":
            return lambda name, function: self.effects.register(
                name, _json_outcome(guarded(function, plugin, f"effect {name!r}"), plugin, name)
                if callable(function) else function, plugin, _reads(function))
        return lambda province: self._add_province(province, plugin)

    def _items(self, plugin: str, hook_name: str, result: Any, kind: type, what: str,
               province: str) -> list:
        """A list hook's answer for ``province``: None, or a list (or tuple) of ``kind`` from
        the plugin that registered it; else a PluginError."""
        if result is None or (isinstance(result, list | tuple) and not result):
            return []
        self._check_owner(plugin, hook_name, province)
        wrong = [result] if not isinstance(result, list | tuple) else [
            item for item in result if not isinstance(item, kind)]
        if wrong:
            raise PluginError(
                f"{described(plugin)} returned {wrong[0]!r} from "
                f"{hook_name}, not a list of {what}"
            )
        return list(result)

    def _add_province(self, province: Province, plugin: str) -> None:
        if not isinstance(province, Province):
            raise PluginError(f"{described(plugin)} registered "
                              f"{province!r}, not a Province")
        if province.code in self.provinces:
            other = self.provinces[province.code].plugin
            if other == plugin:  # ("registered by two plugins: 'x' and 'x'")
                raise PluginError(f"{described(plugin)} registered "
                                  f"province code {province.code!r} twice")
            raise PluginError(
                f"province code {province.code!r} registered by two plugins: {other!r} "
                f"({distribution_of(other)}) and {plugin!r} ({distribution_of(plugin)})"
            )
        self.provinces[province.code] = Province(
            province.code, province.name, province.documents, plugin
        )

    def load(self) -> Registry:
        # (what a plugin prints while it registers goes to stderr, not into a command's
        # JSON or CSV on stdout)
        with contextlib.redirect_stdout(sys.stderr):
            list(self._each("doudi_register_guards"))
            list(self._each("doudi_register_effects"))
            list(self._each("doudi_register_provinces"))
        return self

    # -- look-ups ---------------------------------------------------------------------------

    def province(self, code: str) -> Province:
        try:
            return self.provinces[code]
        except KeyError:
            allowed = os.environ.get("DOUDI_LOAD_PLUGINS")
            # (it said "none installed" of provinces installed but left out: an empty
            # DOUDI_LOAD_PLUGINS, from an unset shell variable, loads no plugin)
            known = ", ".join(sorted(self.provinces)) or (
                "none installed" if allowed is None else "none loaded")
            limit = f"; DOUDI_LOAD_PLUGINS={allowed!r} limits the plugins loaded" \
                if allowed is not None else ""
            raise InvalidInput(f"unknown province {code!r} (known: {known}{limit})") from None

    def workflow(self, province: str, name: str) -> Workflow:
        """The province's effective workflow: the file, its patches, its parameters."""
        key = (province, name)
        if key not in self._workflows:
            self.province(province)
            if name not in available_workflows():
                # Checked here, not left to the file look-up: a name is never a path
                # ("../workflows/dibao" would load, and be stored as the case's workflow).
                raise InvalidInput(unknown_workflow(name))
            workflow = load_workflow(name, known_guards=self.guards.names(),
                                     known_effects=self.effects.names())
            for plugin, patches in self._each(
                "doudi_workflow_patches", province=province, workflow=name
            ):
                for patch in self._items(plugin, "doudi_workflow_patches", patches,
                                         WorkflowPatch, "WorkflowPatch", province):
                    # (an error inside names the plugin, not only the workflow file)
                    what = f"its WorkflowPatch ({patch.citation})"
                    source = f"{plugin} ({patch.citation})"
                    try:
                        workflow = guarded(patch.apply, plugin, what)(
                            workflow, source,
                            {"guard": self.guards.reads(), "effect": self.effects.reads()})
                        # its guards and effects too, while the patch is known: a guard it
                        # names that no plugin registered was blamed on the workflow file
                        validate(workflow, self.guards.names(), self.effects.names())
                    except WorkflowLoadError as exc:  # (a name it misspells, a rule it breaks)
                        problem = str(exc).split(f"{source}: ", 1)[-1]
                        raise PluginError(f"{described(plugin)} "
                                          f"failed in {what} on workflow {name!r}: "
                                          f"{problem}") from None
            for plugin, params in self._each("doudi_parameters", province=province,
                                             workflow=name):
                overrides = self._items(plugin, "doudi_parameters", params, Parameter,
                                        "Parameter", province)
                if overrides:  # (a mistake in one names the plugin, not the workflow file)
                    by = f"{described(plugin)}: doudi_parameters"
                    workflow = workflow.with_parameters(overrides, by)
            validate(workflow, self.guards.names(), self.effects.names())
            self._workflows[key] = workflow
        return self._workflows[key]

    def machine(self, province: str, name: str) -> ProcessMachine:
        key = (province, name)
        machine = self._machines.get(key)  # (asked for every event: one look-up, not two)
        if machine is None:
            from engine.machine import ProcessMachine

            machine = self._machines[key] = ProcessMachine(self.workflow(province, name),
                                                           self.guards)
        return machine

    def calendar(self, province: str | None = None, county: str | None = None) -> OfficialCalendar:
        """The calendar deadlines are counted on: national, plus the place's local overlays."""
        key = (province, county)
        if key not in self._calendars:  # asked for every event: the hooks answer once
            self._calendars[key] = self._calendar(province, county)
        return self._calendars[key]

    def overlay_counties(self, province: str) -> tuple[str, ...]:
        """The counties with overlays of their own among those the plugins return for
        ``province``'s calendar (asked with no county), in the order first listed."""
        self.calendar(province)  # (the hooks answer once, for this and the calendar)
        return self._overlay_counties.get(province, ())

    def _calendar(self, province: str | None, county: str | None) -> OfficialCalendar:
        from engine.calendar import calendar_with_overlays

        if province is None:
            if county is not None:
                raise InvalidInput("county needs province (a county's calendar is its "
                                   "province's, with the county's own days)",
                                   command_line="--county needs --province")
            return calendar_with_overlays(())
        self.province(province)
        overlays: list[CalendarOverlay] = []
        counties: dict[str, None] = {}  # (another county's, left out of this calendar)
        for plugin, result in self._each("doudi_calendar_overlays", province=province,
                                         county=county):
            for overlay in self._items(plugin, "doudi_calendar_overlays", result,
                                       CalendarOverlay, "CalendarOverlay", province):
                if overlay.county is None or overlay.county == county:
                    overlays.append(overlay)
                else:
                    counties[overlay.county] = None
            # (the one listed last won, silently: a day counted as the other document says not)
            disagreement = overlay_disagreement(overlays)
            if disagreement:
                raise PluginError(f"{described(plugin)}: doudi_calendar_overlays: {disagreement}")
        if county is None:
            self._overlay_counties[province] = tuple(counties)
        return calendar_with_overlays(overlays)


@functools.cache
def get_registry() -> Registry:
    """The process-wide registry of the installed plugins."""
    return Registry().load()


def assess_household(registry: Registry, province: str, household: Any,
                     workflow: Workflow | None = None) -> Assessment:
    """A household assessed under ``province``'s rules (no database needed); ``workflow``:
    its ``dibao`` workflow with a county's own parameters, if any."""
    from engine.assessment import Household, assess

    registry.province(province)
    parsed = Household.from_json(household)
    parameters = dict((workflow or registry.workflow(province, "dibao")).parameters)
    rules = registry.answer("doudi_assessment_rules", province=province, parameters=parameters)
    return assess(province, parsed, rules)


class _Answers:
    """``ctx.hooks``: ``hooks.doudi_assessment_rules(province=…, …)`` is
    ``registry.answer("doudi_assessment_rules", province=…, …)``."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def __getattr__(self, hook_name: str) -> Callable[..., Any]:
        if hook_name not in ANSWERS:
            raise AttributeError(hook_name)
        return functools.partial(self._registry.answer, hook_name)
