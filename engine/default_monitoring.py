"""Refused applicants in dynamic monitoring (低收入人口动态监测), registered as an ordinary plugin.

A province may put households whose application was refused into dynamic monitoring
("申请认定低收入人口未获通过对象"): the parameter ``refused_applicants_monitored`` of the
``dibao`` and ``marginal`` workflows, false nationally. The refusal (``reject``, ``refuse``)
then records ``dynamic_monitoring`` with its clause (``monitoring_basis``), as a household
leaving 低保 does (``engine.default_benefit``).
"""

from __future__ import annotations

from engine.effects import Outcome
from engine.guards import GuardContext
from engine.hookspecs import hookimpl


def monitor_refused_applicant(ctx: GuardContext, outcome: Outcome) -> None:
    rule = ctx.parameters["refused_applicants_monitored"]
    if rule.value is True:
        outcome.attributes["dynamic_monitoring"] = True
        outcome.attributes["monitoring_basis"] = rule.citation


@hookimpl
def doudi_register_effects(register):
    register("monitor_refused_applicant", monitor_refused_applicant)
