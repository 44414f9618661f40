"""The plugin API: every hook a province plugin may implement.

A province plugin is a module (or object) with functions marked ``@hookimpl`` and named
after the hooks below, published through the entry-point group ``doudi``. Hooks are called
with keyword arguments; a plugin answers only for its own province and returns ``None``
for others. Built-in provinces use exactly this API.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("doudi")
hookimpl = pluggy.HookimplMarker("doudi")


@hookspec
def doudi_register_provinces(register):
    """Call ``register(Province(...))`` once for each province this plugin ships."""


@hookspec
def doudi_parameters(province, workflow):
    """Return a list of ``Parameter`` overriding the workflow's defaults for this province, or None.

    Each parameter carries its own citation: the clause of the province's document that sets
    the value (e.g. ``Parameter("total", "20wd", "津民发〔2023〕13号 四(一)")``).
    """


@hookspec
def doudi_workflow_patches(province, workflow):
    """Return a list of ``WorkflowPatch`` to apply to this province's workflow, or None."""


@hookspec
def doudi_calendar_overlays(province, county):
    """Return a list of ``CalendarOverlay`` (local days off / working days) for this place, or None.

    ``county`` is ``None`` for the province-wide calendar. Overlays of the national calendar
    only: the three current provinces return None.
    """


@hookspec
def doudi_register_guards(register):
    """Call ``register(name, function)`` for each named guard; the function returns None or why not.

    A guard receives a ``GuardContext`` (the case, the event, its date and payload, the case's
    history and running deadlines, the effective parameters) and returns ``None`` to allow the
    transition or a one-line reason to refuse it.
    """


@hookspec
def doudi_register_effects(register):
    """Call ``register(name, function)`` for each named effect: ``function(ctx, outcome)``.

    An effect adds to the ``Outcome`` of an event (attributes, sanctions, linked cases); it
    must be deterministic, because replaying a history runs it again.
    """


@hookspec(firstresult=True)
def doudi_phaseout_schedule(province, per_capita_income, standard, attributes, parameters):
    """Return the ``PhaseOut`` (monthly shares of the benefit, with citation) for this household.

    Called when employment lifts per-capita income above the standard (event
    ``income_exceeds``). Answer for your own province; the national default (6 months at the
    full amount, 民发〔2022〕83号) answers last.
    """


@hookspec(firstresult=True)
def doudi_leave_route(province, per_capita_income, standard, attributes, parameters):
    """Return the ``LeaveRoute`` of a household leaving 低保 (transfer or dynamic monitoring)."""


@hookspec(firstresult=True)
def doudi_assessment_rules(province, parameters):
    """Return the ``AssessmentRules`` (single-person households, exemptions, disregards) of a province.

    ``parameters`` are the province's effective ``dibao`` parameters. The national default
    (every income and all support counted) answers last.
    """


@hookspec(firstresult=True)
def doudi_exception_route(province, classification, attributes, parameters):
    """Return the ``ExceptionRoute`` of an assessed case that the rules alone would not help.

    Called after an assessment when the household is ``above`` the line but the investigation
    recorded special hardship (``special_hardship=true``), or is ``marginal``. The national
    default: ``above`` is refused, ``marginal`` is offered 边缘 recognition (民发〔2022〕83号).
    """


@hookspec(firstresult=True)
def doudi_place_rules(province, parameters):
    """Return the ``PlaceRules`` of a province: where a household may apply (申请地).

    ``parameters`` are the province's effective ``dibao`` parameters. The national default
    (民发〔2021〕57号 第四条、第五条) answers last.
    """
