"""Assessment inside a case: the ``assess`` event records a household's assessment with its
inputs and result, and picks the exception route a province provides. Registered as an
ordinary plugin, with the national default route."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from attrs import frozen

from engine.assessment import PROPERTY_BASIS, Assessment, Household, assess
from engine.effects import Outcome
from engine.errors import InvalidInput
from engine.guards import GuardContext, HistoryEntry, given
from engine.hookspecs import hookimpl
from engine.money import yuan
from engine.shapes import is_text, one

MARGINAL_BASIS = "民发〔2022〕83号（低保边缘家庭认定）"


@frozen
class ExceptionRoute:
    """Where an assessed case goes when the rules alone would not help it."""

    # e.g. collective_review, fund_referral, expenditure_type, marginal_offer, refusal
    kind: str = attrs.field(validator=one("the route's name (text)", is_text))
    title: str = attrs.field(validator=one("what the household is told (text)", is_text))
    basis: str = attrs.field(validator=one("the clause that sets the route (text)", is_text))
    # the event that takes the route, where the workflow has one
    next_event: str | None = attrs.field(default=None, validator=one(
        "None or an event's name", lambda v: v is None or is_text(v)))
    # Whether the route can end in 低保 approval: None, it cannot (the household is told of
    # other help, or refused); an event, once that event is recorded after the assessment
    # (a collective decision); "assess", on the assessment itself (the route is inclusion).
    approval_after: str | None = attrs.field(default=None, validator=one(
        "None or an event's name", lambda v: v is None or is_text(v)))

    def to_json(self) -> dict:
        return {"kind": self.kind, "title": self.title, "basis": self.basis,
                "next_event": self.next_event, "approval_after": self.approval_after}


REFUSAL_BASIS = "民发〔2021〕57号 第21条"


def last_assessment(history: Sequence[HistoryEntry]) -> HistoryEntry | None:
    """The case's last ``assess`` event, whose own record (``derived``) holds the assessment
    and its route; not the attributes, which any event's data could name alike."""
    return next((e for e in reversed(history) if e.event == "assess"), None)


def assessment_permits_approval(ctx: GuardContext) -> str | None:
    """Approval follows the household's recorded assessment, where there is one: a household
    found above the standard or 边缘 is approved only through a route that leads there (an
    exception the province provides), and a minimum benefit the rules set (e.g. 60 % of the
    standard for 单人保) is paid at least. Without an assessment recorded (one made outside
    the engine) nothing is checked here."""
    assessed = last_assessment(ctx.history)
    if assessed is None:
        return None
    assessment, route = assessed.derived["assessment"], assessed.derived.get("exception_route")
    found = (f"the assessment of {assessed.on.isoformat()} found a per-capita income of "
             f"{yuan(assessment['per_capita'])} against the standard {yuan(assessment['standard'])}"
             + (" and the property beyond the local limits"
                if assessment.get("flags", {}).get("property_exceeds") else ""))
    classification = assessment["classification"]
    if classification != "dibao":
        if isinstance(route, dict) and "approval_after" not in route:
            # Recorded before routes said where they lead: the province's route of the same
            # kind says it now.
            now = ctx.hooks.doudi_exception_route(
                province=ctx.province, classification=classification,
                attributes=dict(ctx.attributes), parameters=dict(ctx.parameters))
            route = {**route, "approval_after": now.approval_after if now.kind == route[
                "kind"] else None}
        after = route.get("approval_after") if isinstance(route, dict) else None
        if after is not None and (after == "assess" or any(
                e.event == after for e in ctx.history if e.seq > assessed.seq)):
            return None
        if after is not None:
            return (f"{found} ({classification}): approval needs {after} first "  # (route: a dict)
                    f"({route['title']}, {route['basis']})")  # type: ignore[index]
        why = (f"{route['title']}, {route['basis']}" if isinstance(route, dict)
               else f"不符合低保条件，{REFUSAL_BASIS}")
        return f"{found} ({classification}): it cannot be approved ({why}); record reject instead"
    size, counted = ctx.attributes.get("household_size"), assessment.get("household_size")
    if isinstance(size, int | float) and isinstance(counted, int) and size < counted:
        rules = ctx.hooks.doudi_assessment_rules(province=ctx.province,
                                                 parameters=dict(ctx.parameters))
        if rules.whole_household_basis:
            return (f"household_size {yuan(size)}: the assessment of {assessed.on.isoformat()} found "
                    f"the household of {counted} eligible, and it is approved whole "
                    f"({rules.whole_household_basis})")
    minimum = assessment.get("flags", {}).get("minimum_benefit")
    amount = ctx.attributes.get("amount")
    if minimum is not None and isinstance(amount, int | float) and amount < minimum:
        return (f"amount {yuan(amount)} is below the minimum benefit {yuan(minimum)} the assessment of "
                f"{assessed.on.isoformat()} set ({assessment['flags'].get('minimum_benefit_basis')})")
    return None


#: What a household outside 低保 may be recognised as (the marginal workflow's ``recognition``,
#: a leaving household's transfer): 低保边缘 or 支出型.
RECOGNITIONS = ("marginal", "expenditure")
EXPENDITURE_ROUTE = "expenditure_type"


def assessment_permits_recognition(ctx: GuardContext) -> str | None:
    """Recognition follows the household's recorded assessment, where there is one: 边缘
    (``recognition=marginal``) needs the class ``marginal`` (a household below the standard
    applies for 低保; one above the threshold, or with its property beyond the limits, is
    refused); 支出型 (``recognition=expenditure``) needs, where the province decides it on the
    assessment (``AssessmentRules.expenditure_basis``), an income above the standard and the
    province's 支出型 route for the household, its hardship claimed; where its clauses leave
    支出型 to local judgement, nothing. Without an assessment recorded nothing is checked."""
    assessed = last_assessment(ctx.history)
    if assessed is None:
        return None
    recognition = ctx.attributes.get("recognition")
    if recognition not in RECOGNITIONS:
        return (f"recognize after an assessment needs --set recognition=marginal or "
                f"recognition=expenditure; got {given(recognition)}")
    assessment = assessed.derived["assessment"]
    flags = assessment.get("flags", {})
    found = (f"the assessment of {assessed.on.isoformat()} found a per-capita income of "
             f"{yuan(assessment['per_capita'])} against the standard {yuan(assessment['standard'])}")
    classification = assessment["classification"]
    basis = next((s["citation"] for s in assessment["steps"] if s["rule"] == "classification"),
                 "")
    below = (f"{found}: below the standard, the household applies for 低保 (a dibao case), "
             f"not for {'边缘' if recognition == 'marginal' else '支出型'} recognition")
    if recognition == "marginal":
        if classification == "marginal":
            return None
        if classification == "dibao":
            return f"{below} ({basis})"
        if flags.get("property_exceeds"):
            return (f"{found}, but the property beyond the local limits: it cannot be recognised "
                    f"as 边缘 ({PROPERTY_BASIS}); record refuse instead")
        limit = assessment["marginal_multiple"]
        return (f"{found}: not within {yuan(limit)} × the standard ({basis}), so not 边缘; "
                "record refuse instead")
    parameters = assessment_parameters(ctx)
    rules = ctx.hooks.doudi_assessment_rules(province=ctx.province, parameters=parameters)
    if not rules.expenditure_basis:
        return None  # (left to local judgement: no threshold is made up here)
    if classification == "dibao":
        return f"{below} ({rules.expenditure_basis})"
    household = assessed.payload["household"]
    route = ctx.hooks.doudi_exception_route(
        province=ctx.province, classification=classification,
        attributes={**ctx.attributes, "household": household, "special_hardship": True,
                    "assessment": assessment},
        parameters=parameters)
    if route.kind == EXPENDITURE_ROUTE:
        return None
    if flags.get("property_exceeds"):
        why = "the property beyond the local limits"
    elif flags.get("at_standard"):
        why = "no income above it (exactly the standard)"
    else:
        spending = household.get("rigid_spending") if isinstance(household, dict) else None
        why = (f"rigid spending of {yuan(spending)} a month" if spending
               else "no rigid spending (household.rigid_spending)")
    return (f"{found} and {why}: not 支出型 ({rules.expenditure_basis}); record refuse instead")


def household_given(ctx: GuardContext) -> str | None:
    household = ctx.payload.get("household")
    if not isinstance(household, dict):
        raise InvalidInput("assess needs the household (doudi case assess CASE FILE.json)")
    Household.from_json(household)  # a malformed household is refused, naming the field
    return None


def assessment_parameters(ctx: GuardContext) -> dict:
    """The parameters the province's assessment rules read: its ``dibao`` workflow's, with the
    county's own, in a case of any workflow (a ``marginal`` case has none of them)."""
    return dict(ctx.parameters if ctx.assessment_parameters is None
                else ctx.assessment_parameters())


def _assessed(ctx: GuardContext, outcome: Outcome) -> tuple[Assessment, dict]:
    household = Household.from_json(ctx.payload["household"])
    parameters = assessment_parameters(ctx)
    rules = ctx.hooks.doudi_assessment_rules(province=ctx.province, parameters=parameters)
    result = assess(ctx.province, household, rules)
    outcome.attributes["assessment"] = result.to_json()
    return result, parameters


def record_recognition_assessment(ctx: GuardContext, outcome: Outcome) -> None:
    """The assessment of a household applying for 边缘 or 支出型 recognition: recorded, with no
    route (the recognition itself is what follows it, :func:`assessment_permits_recognition`)."""
    _assessed(ctx, outcome)


def record_assessment(ctx: GuardContext, outcome: Outcome) -> None:
    result, parameters = _assessed(ctx, outcome)
    hardship = ctx.attributes.get("special_hardship") is True
    if result.classification == "marginal" or (result.classification == "above" and hardship):
        route = ctx.hooks.doudi_exception_route(
            province=ctx.province, classification=result.classification,
            # (this assessment, not one an earlier assess left among the attributes)
            attributes={**ctx.attributes, "assessment": result.to_json()}, parameters=parameters,
        )
        outcome.attributes["exception_route"] = route.to_json()
    elif ctx.attributes.get("exception_route") is not None:
        # An earlier assessment's route no longer holds: this one found the household within
        # the rules, or above them with no hardship claimed. Left, it would still list the
        # case in `report exceptions` and show as the case's route. (None, not removed: an
        # effect can only set attributes, and the event records that it ended the route.)
        outcome.attributes["exception_route"] = None


def carry_minimum_benefit(ctx: GuardContext, outcome: Outcome) -> None:
    """The minimum benefit the assessment set (单人保: 60 % of the standard, or with the
    allowance 100 %) holds every month, not only at approval: approval records it, and the
    benefit case it opens keeps it (``minimum_benefit``), so no re-check goes below it."""
    assessed = last_assessment(ctx.history)
    flags = assessed.derived["assessment"].get("flags", {}) if assessed is not None else {}
    if isinstance(flags.get("minimum_benefit"), int | float):
        outcome.attributes["minimum_benefit"] = {
            "amount": flags["minimum_benefit"], "basis": flags.get("minimum_benefit_basis")}


@hookimpl
def doudi_register_guards(register):
    register("household_given", household_given)
    register("assessment_permits_approval", assessment_permits_approval)
    register("assessment_permits_recognition", assessment_permits_recognition)


@hookimpl
def doudi_register_effects(register):
    register("record_assessment", record_assessment)
    register("carry_minimum_benefit", carry_minimum_benefit)
    register("record_recognition_assessment", record_recognition_assessment)


@hookimpl(trylast=True)
def doudi_exception_route(province, classification, attributes, parameters):
    if classification == "marginal":
        return ExceptionRoute("marginal_offer", "告知可申请低保边缘家庭认定", MARGINAL_BASIS)
    return ExceptionRoute("refusal", "不符合低保条件，依法不予确认", REFUSAL_BASIS, "reject")
