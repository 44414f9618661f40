"""Households put into dynamic monitoring (低收入人口动态监测) by a decision on their case,
registered as an ordinary plugin.

A province may put into dynamic monitoring the households whose application was refused
("申请认定低收入人口未获通过对象", "申请过救助家庭"): the parameter
``refused_applicants_monitored`` of the ``dibao`` and ``marginal`` workflows. It may put there
the households recognized as 低保边缘 or 支出型困难 ("对其实施动态监测"): the parameter
``recognized_households_monitored`` of the ``marginal`` workflow. Both are false
nationally. The decision (``reject``, ``refuse``; ``recognize``) then records
``dynamic_monitoring`` with its clause (``monitoring_basis``), as a household leaving 低保
does (``engine.default_benefit``).

A ``monitoring`` case is one department's comparisons: its ``level``, which sets how often a
province has it compare, is the one it was opened at (``level_kept``).
"""

from __future__ import annotations

from engine.arguments import spelled
from engine.effects import Outcome
from engine.guards import GuardContext, reads_parameters
from engine.hookspecs import hookimpl


def _monitor_where(parameter: str, ctx: GuardContext, outcome: Outcome) -> None:
    rule = ctx.parameters[parameter]
    if rule.value is True:
        outcome.attributes["dynamic_monitoring"] = True
        outcome.attributes["monitoring_basis"] = rule.citation


@reads_parameters("refused_applicants_monitored")
def monitor_refused_applicant(ctx: GuardContext, outcome: Outcome) -> None:
    _monitor_where("refused_applicants_monitored", ctx, outcome)


@reads_parameters("recognized_households_monitored")
def monitor_recognized_household(ctx: GuardContext, outcome: Outcome) -> None:
    _monitor_where("recognized_households_monitored", ctx, outcome)


def level_kept(ctx: GuardContext) -> str | None:
    """A comparison keeps the case's level (省级, 市级, 县级): a province's frequency is each
    level's (a city department quarterly, a district's monthly), so another level given later made
    the department's case owe comparisons at the other's rate."""
    given = ctx.payload.get("level")
    # (as recorded at the opening, or as a correction (case correct) put it right since)
    opened = next((entry.payload["level"] for entry in reversed(ctx.history)
                   if "level" in entry.payload), None)
    if given is None or given == opened:
        return None
    return (f"level {spelled(opened)} → {spelled(given)}: a monitoring case is one department's "
            "comparisons, at the level it was opened at (open another case for another level)")


@hookimpl
def doudi_register_guards(register):
    register("level_kept", level_kept)


@hookimpl
def doudi_register_effects(register):
    register("monitor_refused_applicant", monitor_refused_applicant)
    register("monitor_recognized_household", monitor_recognized_household)
