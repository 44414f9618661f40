"""The plugin API: every hook a province plugin may implement.

A province plugin is a module (or object) with functions marked ``@hookimpl`` and named
after the hooks below, published through the entry-point group ``doudi``; the entry point's
name is the plugin's name in every error line and in ``DOUDI_LOAD_PLUGINS``. Hooks are
called with keyword arguments, and an implementation may take fewer of them (any it takes
must be the hook's own). A plugin answers only for the provinces it registered and returns
``None`` for others: an answer for another province is an error naming the plugin.
Built-in provinces use exactly this API.

Everything a hook returns is importable from ``engine`` (``Province``, ``Document``,
``Parameter``, ``WorkflowPatch``, ``State``, ``Transition``, ``DeadlineRule``, ``Variant``,
``AttributeSpec``, ``CalendarOverlay``, ``GuardContext``, ``Outcome``, ``Sanction``, ``LinkedOpening``,
``PhaseOut``, ``LeaveRoute``, ``AssessmentRules``, ``ExceptionRoute``, ``PlaceRules``).
``Province``, ``Document``, ``WorkflowPatch``, ``State``, ``Transition``, ``DeadlineRule``,
``Variant``, ``AttributeSpec``, ``CalendarOverlay``, ``Sanction``, ``PhaseOut``, ``LeaveRoute`` and
``ExceptionRoute`` (and ``AssessmentRules``' shares and functions) are checked when built, a
field of the wrong kind a TypeError or ValueError naming the class and the field; how
parameters, states, transitions and deadline rules fit together when the patched workflow is
validated. A hook's answer of the wrong
class (a dict for a ``PhaseOut``, one ``Parameter`` not in a list) is refused, and so is a
hook wrapper's changing an answer (a wrapper observes the call: ``return (yield)``). Raised
inside a hook, a hook wrapper, a guard, an effect or a function handed over in an answer (a
``PlaceRules`` extra, an ``AssessmentRules`` rule), any exception but a ``DoudiError`` becomes one error
line naming the plugin (``PluginError``, exit 1); a ``DoudiError`` raised on purpose (an
``InvalidInput`` for an event's bad data, exit 2) is passed on as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from engine.application_place import PlaceRules
    from engine.assessment import AssessmentRules
    from engine.calendar_data import CalendarOverlay
    from engine.default_assessment import ExceptionRoute
    from engine.default_benefit import LeaveRoute
    from engine.effects import Effect
    from engine.guards import Guard
    from engine.payments import PhaseOut
    from engine.provinces import Province
    from engine.workflow import Parameter, WorkflowPatch

hookspec = pluggy.HookspecMarker("doudi")
hookimpl = pluggy.HookimplMarker("doudi")


@hookspec
def doudi_register_provinces(register: Callable[[Province], None]) -> None:
    """Call ``register(Province(code, name, (Document(...), ...)))`` once for each province
    this plugin ships.

    ``code`` is lower-case pinyin, digits and ``_`` (``hainan``): it begins every case id and
    is what ``--province`` takes. A code another plugin registers stops start-up naming both.
    A case stays its province's: once the plugin is uninstalled (or left out by
    ``DOUDI_LOAD_PLUGINS``) every command on its cases says so in one line, exit 1.
    """


@hookspec
def doudi_parameters(province: str, workflow: str
                     ) -> list[Parameter] | tuple[Parameter, ...] | None:
    """Return a list of ``Parameter`` overriding the workflow's defaults for this province, or None.

    Called once for each workflow (``dibao``, ``benefit``, ``temporary``, ``marginal``,
    ``monitoring``): answer for the one named. Each parameter carries its own citation: the
    clause of the province's document that sets the value (e.g. ``Parameter("total",
    "20wd", "津民发〔2023〕13号 四(一)")``). Only a parameter the workflow (or a patch)
    defines can be overridden, with a value of the same kind (``"25wd"``, not ``"25"`` or
    ``25``); ``local`` and ``bounds`` stay as their definer set them (saying otherwise is an
    error). ``doudi workflow show W --province P --format json`` lists them.
    """


@hookspec
def doudi_workflow_patches(province: str, workflow: str
                           ) -> list[WorkflowPatch] | tuple[WorkflowPatch, ...] | None:
    """Return a list of ``WorkflowPatch`` to apply to this province's workflow, or None.

    A patch adds states, transitions, deadline rules (``DeadlineRule(rule, title, starts,
    param, stops=…, variants=(Variant(when, param),), when=…)``) and new parameters
    (``add_parameters``: names the workflow does not have; a value of one it has is changed
    from :func:`doudi_parameters`), declares the data its own steps take (``add_attributes=
    (AttributeSpec("outcome", "text", choices=("agree", "refuse"), title=…),)``: names the
    workflow does not declare, checked wherever given as the workflow's own), removes states,
    events and deadline rules, retitles a state, event or deadline rule in the province's own
    words (``retitle=(("state", "in_publicity", "审核意见公示"),)``), and puts a
    registered guard on every transition of an event (``add_guards=(("approve",
    "my_guard"),)``). Every name it uses must exist: a misspelt one is an error line naming
    the plugin and the patch, never a national rule silently left in force.
    """


@hookspec
def doudi_calendar_overlays(province: str, county: str | None
                            ) -> list[CalendarOverlay] | tuple[CalendarOverlay, ...] | None:
    """Return a list of ``CalendarOverlay`` (local days off / working days) for this place, or None.

    ``county`` is the case's county (``None`` for the province-wide calendar). An overlay
    with ``county=None`` applies to the whole province, one with ``county="…"`` only to that
    county's cases, so a plugin may return all of its overlays whatever ``county`` it is
    asked for; it should return a county's when asked for the province-wide calendar too:
    the at-risk report reads the deadlines due as far ahead as the days off of those
    counties put the window's end. Overlays change the national calendar; they do not
    replace it. For its county a county's overlay decides a day a province-wide one also
    sets; two of the same reach that disagree about a day (off in one, working in the
    other) are a PluginError.
    """


@hookspec
def doudi_register_guards(register: Callable[[str, Guard], None]) -> None:
    """Call ``register(name, function)`` for each named guard; the function returns None or why not.

    A guard receives a ``GuardContext`` (the case, the event, its date and payload, the case's
    history and running deadlines, the effective parameters) and returns ``None`` to allow the
    transition or a one-line reason (text) to refuse it: ``case fire`` prints "EVENT refused:
    REASON", exit 1, nothing written. A name must be unique across all plugins, the built-in
    guards included (a clash stops start-up naming both); a workflow or patch uses it by name.
    """


@hookspec
def doudi_register_effects(register: Callable[[str, Effect], None]) -> None:
    """Call ``register(name, function)`` for each named effect: ``function(ctx, outcome)``.

    An effect adds to the ``Outcome`` of an event (attributes of JSON values, ``Sanction``s,
    ``LinkedOpening``s of linked cases); it must be deterministic, because replaying a history
    runs it again. What it adds is checked before anything is written: a mistake is one line
    naming the plugin and the effect.
    """


@hookspec(firstresult=True)
def doudi_phaseout_schedule(province: str, per_capita_income: float, standard: float,
                            attributes: Mapping[str, Any], parameters: Mapping[str, Parameter]
                            ) -> PhaseOut | None:
    """Return the ``PhaseOut`` (monthly shares of the benefit, with citation) for this household.

    Called when employment lifts per-capita income above the standard (event
    ``income_exceeds``). Answer for your own province; the national default (6 months at the
    full amount, 民发〔2022〕83号, or the province's ``phase_out`` parameter) answers last.
    ``PhaseOut(shares, basis, from_change=False)``: ``shares`` the share of the previous
    benefit paid in each month, each from 0 to 1 (``0.6``, not ``60``).
    """


@hookspec(firstresult=True)
def doudi_leave_route(province: str, per_capita_income: float | None, standard: float | None,
                      attributes: Mapping[str, Any], parameters: Mapping[str, Parameter]
                      ) -> LeaveRoute | None:
    """Return the ``LeaveRoute`` of a household leaving 低保 (transfer or dynamic monitoring).

    ``LeaveRoute("transfer", basis, "marginal" | "expenditure")`` opens a linked ``marginal``
    case; ``LeaveRoute("monitoring", basis)`` marks the household for dynamic monitoring
    (the national default).
    """


@hookspec(firstresult=True)
def doudi_assessment_rules(province: str, parameters: Mapping[str, Parameter]
                           ) -> AssessmentRules | None:
    """Return the ``AssessmentRules`` (single-person households, exemptions, disregards) of a province.

    ``parameters`` are the province's effective ``dibao`` parameters (with a county's own
    settings). The national default (every income and all support counted) answers last.
    Shares are fractions: ``employment_cost_share=0.2`` for 20 % of the standard.
    """


@hookspec(firstresult=True)
def doudi_exception_route(province: str, classification: str, attributes: Mapping[str, Any],
                          parameters: Mapping[str, Parameter]) -> ExceptionRoute | None:
    """Return the ``ExceptionRoute`` of an assessed case that the rules alone would not help.

    Called after an assessment when the household is ``above`` the line but the investigation
    recorded special hardship (``special_hardship=true``), or is ``marginal``. The national
    default: ``above`` is refused, ``marginal`` is offered 边缘 recognition (民发〔2022〕83号).
    ``ExceptionRoute(kind, title, basis, next_event=None, approval_after=None)``: its events
    are the province's ``dibao`` events (``approval_after="assess"``: approved on the
    assessment itself); one the workflow lacks is an error naming the plugin.
    A ``marginal`` case's 支出型 recognition asks it too, where the province's
    ``AssessmentRules.expenditure_basis`` is set: with the assessed ``household`` and
    ``special_hardship=True``, a route of kind ``expenditure_type`` lets it be recognised.
    Either way ``attributes["assessment"]`` is the assessment the route follows (its JSON:
    ``per_capita``, ``standard``, ``flags``; ``flags["at_standard"]`` where the income is
    exactly the standard, neither below nor above it).
    """


@hookspec(firstresult=True)
def doudi_place_rules(province: str, parameters: Mapping[str, Parameter]) -> PlaceRules | None:
    """Return the ``PlaceRules`` of a province: where a household may apply (申请地).

    ``parameters`` are the province's effective ``dibao`` parameters. The national default
    (民发〔2021〕57号 第四条、第五条) answers last.
    """
