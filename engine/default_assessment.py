"""Assessment inside a case: the ``assess`` event records a household's assessment with its
inputs and result, and picks the exception route a province provides. Registered as an
ordinary plugin, with the national default route."""

from __future__ import annotations

from attrs import frozen

from engine.assessment import Household, assess
from engine.effects import Outcome
from engine.errors import InvalidInput
from engine.guards import GuardContext
from engine.hookspecs import hookimpl

MARGINAL_BASIS = "民发〔2022〕83号（低保边缘家庭认定）"


@frozen
class ExceptionRoute:
    """Where an assessed case goes when the rules alone would not help it."""

    kind: str  # e.g. collective_review, fund_referral, expenditure_type, marginal_offer, refusal
    title: str
    basis: str
    next_event: str | None = None  # the event that takes the route, where the workflow has one

    def to_json(self) -> dict:
        return {"kind": self.kind, "title": self.title, "basis": self.basis,
                "next_event": self.next_event}


def household_given(ctx: GuardContext) -> str | None:
    household = ctx.payload.get("household")
    if not isinstance(household, dict):
        raise InvalidInput("assess needs the household (doudi case assess CASE FILE.json)")
    Household.from_json(household)  # a malformed household is refused, naming the field
    return None


def record_assessment(ctx: GuardContext, outcome: Outcome) -> None:
    household = Household.from_json(ctx.payload["household"])
    parameters = dict(ctx.parameters)
    rules = ctx.hooks.doudi_assessment_rules(province=ctx.province, parameters=parameters)
    result = assess(ctx.province, household, rules)
    outcome.attributes["assessment"] = result.to_json()
    hardship = ctx.attributes.get("special_hardship") is True
    if result.classification == "marginal" or (result.classification == "above" and hardship):
        route = ctx.hooks.doudi_exception_route(
            province=ctx.province, classification=result.classification,
            attributes=dict(ctx.attributes), parameters=parameters,
        )
        outcome.attributes["exception_route"] = route.to_json()


@hookimpl
def doudi_register_guards(register):
    register("household_given", household_given)


@hookimpl
def doudi_register_effects(register):
    register("record_assessment", record_assessment)


@hookimpl(trylast=True)
def doudi_exception_route(province, classification, attributes, parameters):
    if classification == "marginal":
        return ExceptionRoute("marginal_offer", "告知可申请低保边缘家庭认定", MARGINAL_BASIS)
    return ExceptionRoute("refusal", "不符合低保条件，依法不予确认", "民发〔2021〕57号 第21条",
                          "reject")
