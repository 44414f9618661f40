"""National rules of the temporary-assistance workflow (临时救助), registered as an ordinary plugin.

急难型 (民发〔2018〕23号 二(二)): paid first with its reason and amount, the formalities
completed later — subject, reason and the amount paid registered, signatures and seals done.
Amount rules read two parameters that provinces set (``doudi_parameters(province,
"temporary")``), each a ``[low, high]`` range of months of the local 低保标准 or ``[]`` for no
rule:

- ``unemployed_grant_months`` (``category=unemployed``): the one-time grant to uninsured
  unemployed people is exactly ``months × standard``, ``months`` within the range;
- ``disaster_months_per_person`` (``category=disaster``): aid to disaster victims is at
  most ``high × standard × persons`` (and at least ``low × standard × persons``).

A grant whose rule is ``[]`` is not limited; the clause saying so is recorded with it.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from engine.arguments import spelled
from engine.effects import Outcome
from engine.errors import InvalidInput
from engine.guards import (
    GuardContext,
    attributes_given_by,
    number_datum,
    reads_parameters,
    register_each,
)
from engine.hookspecs import hookimpl
from engine.money import product, to_fen, yuan
from engine.shapes import is_number
from engine.workflow import Parameter

RULES = {"unemployed": "unemployed_grant_months", "disaster": "disaster_months_per_person"}


# -- helpers --------------------------------------------------------------------------------


@overload
def _number(ctx: GuardContext, field: str, required: Literal[True] = True) -> float: ...
@overload
def _number(ctx: GuardContext, field: str, required: bool = True) -> float | None: ...
def _number(ctx: GuardContext, field: str, required: bool = True) -> float | None:
    return number_datum(ctx.attributes, field, ctx.event, required)


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _reason(ctx: GuardContext) -> str:
    """救助事由: ``--set reason=…`` or the event's ``--reason``."""
    return _text(ctx.payload.get("reason")) or _text(ctx.reason)


def _category(ctx: GuardContext) -> str | None:
    # (one of the workflow's choices: checked wherever it is given, the opening included)
    return ctx.attributes.get("category")


def _range(param: Parameter) -> tuple[float, float] | None:
    """A parameter's ``[low, high]`` months, or None for ``[]`` (no rule)."""
    value = param.value
    if value == []:
        return None
    ok = (isinstance(value, list) and len(value) == 2
          and all(is_number(v) for v in value)
          and 0 <= value[0] <= value[1])
    if not ok:
        raise InvalidInput(f"parameter {param.name} is {spelled(value)} ({param.citation}); "
                           "expected [low, high] months with 0 ≤ low ≤ high, or []")
    return float(value[0]), float(value[1])


def _rule(ctx: GuardContext) -> tuple[str, Parameter, tuple[float, float] | None] | None:
    """The amount rule of the case's category: (category, parameter, range), or None."""
    category = _category(ctx)
    if category not in RULES:
        return None
    param = ctx.parameters[RULES[category]]
    return category, param, _range(param)


def _money(*factors: float) -> float:
    """The product of ``factors`` in yuan, to the fen (engine.money)."""
    return to_fen(product(*factors))


def _paid_amount(ctx: GuardContext) -> float | None:
    """The amount the urgent payment recorded (given, or computed by its effect)."""
    for entry in reversed(ctx.history):
        if entry.event == "pay_urgent":
            value = entry.derived.get("amount", entry.payload.get("amount"))
            return None if value is None else float(value)
    return None


# -- guards ---------------------------------------------------------------------------------


def aid_reason_given(ctx: GuardContext) -> str | None:
    """先行救助 records why: the 救助事由."""
    if not _reason(ctx):
        raise InvalidInput(f"{ctx.event} needs the 救助事由: --set reason=… (or --reason …)")
    return None


@reads_parameters("unemployed_grant_months", "disaster_months_per_person")
def aid_amount_within_limits(ctx: GuardContext) -> str | None:
    """The amount fixed by this event keeps to the province's rule for the case's category."""
    rule = _rule(ctx)
    amount = _number(ctx, "amount", required=False)
    if rule is not None and rule[2] is not None:
        category, param, (low, high) = rule  # type: ignore[misc]  # (rule[2]: not None)
        standard = _number(ctx, "standard")
        if not standard:
            raise InvalidInput("standard must be more than 0")
        if category == "unemployed":
            months = _number(ctx, "months")
            if not low <= months <= high:
                return (f"a one-time grant of {yuan(months)} months of the standard is outside "
                        f"{yuan(low)}–{yuan(high)} months ({param.citation})")
            expected = _money(months, standard)
            if amount is not None and _money(amount) != expected:
                return (f"amount {yuan(amount)} is not {yuan(months)} months × the standard {yuan(standard)} "
                        f"= {yuan(expected)} ({param.citation})")
            return None
        persons = _number(ctx, "persons")
        if amount is None:
            raise InvalidInput(f"{ctx.event} needs --set amount=NUMBER")
        cap, floor = _money(high, standard, persons), _money(low, standard, persons)
        if _money(amount) > cap:
            return (f"amount {yuan(amount)} exceeds {yuan(high)} months × the standard {yuan(standard)} × "
                    f"{yuan(persons)} persons = {yuan(cap)} ({param.citation})")
        if _money(amount) < floor:
            return (f"amount {yuan(amount)} is below {yuan(low)} months × the standard {yuan(standard)} × "
                    f"{yuan(persons)} persons = {yuan(floor)} ({param.citation})")
        return None
    if amount is None:
        raise InvalidInput(f"{ctx.event} needs --set amount=NUMBER")
    return None


@reads_parameters("unemployed_months_without_income", "unemployed_outside_dibao")
def unemployed_eligible(ctx: GuardContext) -> str | None:
    """The grant to uninsured unemployed people (``category=unemployed``) goes to those the
    province names: ``unemployed_months_without_income`` (0: no condition) consecutive months
    without income and no unemployment insurance covering them (``--set
    months_without_income=N``, ``unemployment_insurance=true`` where it covers them), and where
    ``unemployed_outside_dibao`` holds, not already in 低保 (``in_dibao=true``)."""
    if _category(ctx) != "unemployed":
        return None
    rule = ctx.parameters["unemployed_months_without_income"]
    if rule.value:
        months = ctx.attributes.get("months_without_income")
        if months is None:
            raise InvalidInput(f"{ctx.event} of a grant to an uninsured unemployed person needs "
                               f"--set months_without_income=N ({rule.citation})")
        if months < rule.value:
            return (f"{yuan(months)} months without income: the grant needs {rule.value} "
                    f"consecutive months ({rule.citation})")
        if ctx.attributes.get("unemployment_insurance") is True:
            return ("unemployment insurance covers this person: the grant is for the uninsured "
                    f"({rule.citation})")
    outside = ctx.parameters["unemployed_outside_dibao"]
    if outside.value and ctx.attributes.get("in_dibao") is True:
        return f"already in 低保: the grant is for those not in it ({outside.citation})"
    return None


@reads_parameters("jobless_graduates")
def graduate_eligible(ctx: GuardContext) -> str | None:
    """Graduates not yet employed (``category=graduate``) are aided on their hardship where the
    province names them (``jobless_graduates``); one in work (``employed=true``) is not."""
    if _category(ctx) != "graduate":
        return None
    rule = ctx.parameters["jobless_graduates"]
    if rule.value is not True:
        return (f"no rule names jobless graduates as a category here ({rule.citation}): "
                "record the aid as category=other")
    if ctx.attributes.get("employed") is True:
        return f"the aid is for graduates not yet employed ({rule.citation})"
    return None


@reads_parameters("public_emergency_recipients", "public_emergency_forms")
def public_emergency_provided(ctx: GuardContext) -> str | None:
    """Aid in a public emergency (``category=public_emergency``) goes to the kinds of household
    the province names (``--set recipient=…``), in the forms it names (``--set aid_form=…``);
    a province that names none provides no such aid."""
    if _category(ctx) != "public_emergency":
        return None
    recipients = ctx.parameters["public_emergency_recipients"]
    forms = ctx.parameters["public_emergency_forms"]
    if not recipients.value:
        return f"no rule provides aid to households in a public emergency here ({recipients.citation})"
    for name, rule in (("recipient", recipients), ("aid_form", forms)):
        given = ctx.attributes.get(name)
        if given is None:
            raise InvalidInput(f"{ctx.event} of aid in a public emergency needs --set {name}=… "
                               f"(one of {'、'.join(rule.value)})")
        if given not in rule.value:
            return f"{name} {spelled(given)} is not one of {'、'.join(rule.value)} ({rule.citation})"
    return None


@reads_parameters("formalities")
def formalities_completed(ctx: GuardContext) -> str | None:
    """补齐手续: subject, reason and the amount paid registered; signatures and seals done."""
    subject = _text(ctx.payload.get("subject"))
    if not subject:
        raise InvalidInput(f"{ctx.event} needs the 救助对象: --set subject=…")
    if not _reason(ctx):
        raise InvalidInput(f"{ctx.event} needs the 救助事由: --set reason=… (or --reason …)")
    if ctx.payload.get("amount") is None:
        raise InvalidInput(f"{ctx.event} needs the 救助金额 paid: --set amount=NUMBER")
    amount = _number(ctx, "amount")
    paid = _paid_amount(ctx)
    if paid is not None and _money(amount) != _money(paid):
        return f"the registered amount {yuan(amount)} is not the amount paid on pay_urgent ({yuan(paid)})"
    if ctx.payload.get("signed") is not True:
        return ("the 经办人员签字、盖章手续 are not complete: record them with --set signed=true "
                f"({ctx.parameters['formalities'].citation})")
    return None


#: What the decision (``pay_urgent``, ``approve``) fixed the aid on: its amount and the data
#: the amount rule and the category's conditions were judged against.
AID_BASIS = ("amount", "category", "standard", "months", "persons", "months_without_income",
             "unemployment_insurance", "in_dibao", "employed", "recipient", "aid_form")
DECISIONS = ("pay_urgent", "approve")


def _same(given: Any, fixed: Any) -> bool:
    if is_number(given) and is_number(fixed):
        return _money(given) == _money(fixed)
    return given == fixed


def aid_basis_kept(ctx: GuardContext) -> str | None:
    """The events after the decision (补齐手续, 发放) keep the aid it fixed: given again, the
    amount and what it was judged on must be as decided, or the case would show an amount (or
    a category, a number of persons, months) that no rule was checked against. A correction
    (case correct) is evidence and fixes nothing (as the case's attributes leave it out): its
    amount of 9,999 on a 3,030 approval had the approved 3,030 refused and 9,999 paid."""
    fixed = attributes_given_by(ctx.history)
    decision = next((e for e in reversed(ctx.history) if e.event in DECISIONS), None)
    if decision is None:
        return None
    changed = [f"{name} {spelled(fixed.get(name))} → {spelled(ctx.payload[name])}"
               for name in AID_BASIS
               if name in ctx.payload and not _same(ctx.payload[name], fixed.get(name))]
    if not changed:
        return None
    return (f"{ctx.event} cannot change the aid fixed on {decision.event} on "
            f"{decision.on.isoformat()}: {'; '.join(changed)}")


# -- effects --------------------------------------------------------------------------------


@reads_parameters("unemployed_grant_months", "disaster_months_per_person")
def fix_aid_amount(ctx: GuardContext, outcome: Outcome) -> None:
    """The amount and the clause behind it: ``months × standard`` for a ranged one-time grant."""
    rule = _rule(ctx)
    if rule is None:
        return
    category, param, limits = rule
    if limits is None:
        outcome.attributes["amount_basis"] = param.citation
        return
    standard = float(ctx.attributes["standard"])
    if category == "unemployed":
        months = float(ctx.attributes["months"])
        amount = _money(months, standard)
        outcome.attributes["amount"] = amount
        outcome.attributes["amount_basis"] = (
            f"{param.citation}：{yuan(months)}个月 × 低保标准{yuan(standard)}元 = {yuan(amount)}元")
        return
    persons = float(ctx.attributes["persons"])
    cap = _money(limits[1], standard, persons)
    outcome.attributes["amount_basis"] = (
        f"{param.citation}：不超过{yuan(limits[1])}个月 × 低保标准{yuan(standard)}元 × "
        f"{yuan(persons)}人 = {yuan(cap)}元")


GUARDS = (aid_reason_given, aid_amount_within_limits, unemployed_eligible, graduate_eligible,
          public_emergency_provided, formalities_completed, aid_basis_kept)
EFFECTS = (fix_aid_amount,)


@hookimpl
def doudi_register_guards(register):
    register_each(register, GUARDS)


@hookimpl
def doudi_register_effects(register):
    register_each(register, EFFECTS)
